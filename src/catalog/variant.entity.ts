import { Entity, Index } from '@mikro-orm/core';
import { ProductRow } from './product-row.entity';

@Entity({ tableName: 'variants' })
@Index({ name: 'variants_run_variant_idx', properties: ['runId', 'variantId'] })
@Index({ name: 'variants_run_sku_idx', properties: ['runId', 'sku'] })
@Index({ name: 'variants_run_inventory_item_idx', properties: ['runId', 'inventoryItemId'] })
export class Variant extends ProductRow {}
