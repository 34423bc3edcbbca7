import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The columns shared by the VARIANTS and CATALOG datasets: both describe sellable variants, from Shopify's
 * products export or the canonical layouts. Keyed by run and item key ("v:<variant id>", else "s:<sku>",
 * else "h:<handle>/<options>"); no surrogate key and no foreign key, for COPY's sake (see OrderLine).
 */
@Entity({ abstract: true })
export abstract class ProductRow {
  @PrimaryKey({ type: 'bigint' })
  runId!: string;

  @PrimaryKey({ type: 'text' })
  itemKey!: string;

  @Property({ type: 'integer' })
  line!: number;

  @Property({ type: 'bigint' })
  uploadId!: string;

  @Property({ type: 'text', nullable: true })
  variantId?: string;

  @Property({ type: 'text', nullable: true })
  productId?: string;

  @Property({ type: 'text', nullable: true })
  handle?: string;

  @Property({ type: 'text', nullable: true })
  sku?: string;

  @Property({ type: 'text', nullable: true })
  barcode?: string;

  @Property({ type: 'text', nullable: true })
  productTitle?: string;

  @Property({ type: 'text', nullable: true })
  variantTitle?: string;

  @Property({ type: 'text', nullable: true })
  option1?: string;

  @Property({ type: 'text', nullable: true })
  option2?: string;

  @Property({ type: 'text', nullable: true })
  option3?: string;

  @Property({ type: 'text', nullable: true })
  productType?: string;

  @Property({ type: 'text', nullable: true })
  vendor?: string;

  @Property({ type: 'text', nullable: true })
  tags?: string;

  /** active, draft or archived. */
  @Property({ type: 'text', nullable: true })
  status?: string;

  @Property({ type: 'decimal', precision: 18, scale: 4, nullable: true })
  price?: string;

  @Property({ type: 'decimal', precision: 18, scale: 4, nullable: true })
  compareAtPrice?: string;

  @Property({ type: 'text', nullable: true })
  inventoryItemId?: string;

  @Property({ type: 'integer', nullable: true })
  availableTotal?: number;

  @Property({ type: 'boolean', nullable: true })
  inventoryTracked?: boolean;

  /** deny or continue (keep selling when out of stock). */
  @Property({ type: 'text', nullable: true })
  inventoryPolicy?: string;

  @Property({ type: 'boolean', nullable: true })
  giftCard?: boolean;

  @Property({ columnType: 'timestamptz', nullable: true })
  productCreatedAt?: Date;

  @Property({ columnType: 'timestamptz', nullable: true })
  productPublishedAt?: Date;
}
