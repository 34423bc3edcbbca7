import { Entity, Index } from '@mikro-orm/core';
import { ProductRow } from './product-row.entity';

@Entity({ tableName: 'catalog_items' })
@Index({ name: 'catalog_items_run_variant_idx', properties: ['runId', 'variantId'] })
@Index({ name: 'catalog_items_run_sku_idx', properties: ['runId', 'sku'] })
@Index({ name: 'catalog_items_run_inventory_item_idx', properties: ['runId', 'inventoryItemId'] })
export class CatalogItem extends ProductRow {}
