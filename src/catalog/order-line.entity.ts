import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One line item of an order, as ingested for a run. Written by COPY, read by set-based SQL.
 *
 * The key is natural and scoped by run (run, order, line) rather than a surrogate: a generated key and its extra
 * index double the cost of COPY, and the natural key is what re-uploads upsert on. There is no foreign key to
 * `runs` either: its per-row check would run a million times for a million lines.
 */
@Entity({ tableName: 'order_lines' })
export class OrderLine {
  @PrimaryKey({ type: 'bigint' })
  runId!: string;

  /** Order id (gid prefix removed) or, without one, the order name such as "#1001". */
  @PrimaryKey({ type: 'text' })
  orderId!: string;

  /**
   * The line item id, else what the line sells ("#v:<variant id>", "#s:<sku>", "#t:<title>", "#<k>" appended for the
   * k-th line of the order selling the same), else "#n", its position within its order (see OrdersEncoder).
   */
  @PrimaryKey({ type: 'text' })
  lineKey!: string;

  @Property({ type: 'integer' })
  line!: number;

  @Property({ type: 'bigint' })
  uploadId!: string;

  @Property({ columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'text', nullable: true })
  lineItemId?: string;

  @Property({ type: 'text', nullable: true })
  variantId?: string;

  @Property({ type: 'text', nullable: true })
  productId?: string;

  @Property({ type: 'text', nullable: true })
  sku?: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'decimal', precision: 18, scale: 4, nullable: true })
  price?: string;

  @Property({ type: 'decimal', precision: 18, scale: 4, nullable: true })
  discountedTotal?: string;

  @Property({ type: 'text', nullable: true })
  title?: string;

  @Property({ type: 'text', nullable: true })
  vendor?: string;

  @Property({ type: 'text', nullable: true })
  productType?: string;

  @Property({ type: 'text', nullable: true })
  financialStatus?: string;

  @Property({ columnType: 'timestamptz', nullable: true })
  cancelledAt?: Date;

  @Property({ type: 'text', nullable: true })
  currency?: string;
}
