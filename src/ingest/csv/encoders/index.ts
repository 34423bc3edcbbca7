import type { RowEncoder, EncoderContext } from './base';
import { InventoryEncoder } from './inventory';
import { ItemsEncoder } from './items';
import { OrdersEncoder } from './orders';

export { KeyCache, NULL, ROW_EMITTED, ROW_REJECTED, ROW_SKIPPED, RecentKeys } from './base';
export type { EncoderContext, RowEncoder, RowSink } from './base';
export { InventoryEncoder, ItemsEncoder, OrdersEncoder };

/** The row encoder for a resolved header's layout. */
export function createEncoder(ctx: EncoderContext): RowEncoder {
  switch (ctx.header.layout.encoder) {
    case 'orders':
      return new OrdersEncoder(ctx);
    case 'items':
      return new ItemsEncoder(ctx);
    case 'inventory':
      return new InventoryEncoder(ctx);
  }
}
