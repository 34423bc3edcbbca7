import { normalizeId, normalizeSku, parseInteger, parseTimestamp } from '../values';
import { EncoderBase, NULL, ROW_EMITTED, ROW_REJECTED, type EncoderContext } from './base';

const RECENT_ORDERS = 4096;
const MAX_LINE_IDS_PER_ORDER = 100_000;

/**
 * order_lines rows from the canonical layout or Shopify's orders export. Order-level fields (created_at,
 * financial_status, cancelled_at, currency) left blank on an order's later lines are carried forward from its
 * earlier lines. A line without line_item_id is keyed `#<n>`, n its position within its order in the file.
 */
export class OrdersEncoder extends EncoderBase {
  private readonly iKey: number;
  private readonly keyIsName: boolean;
  private readonly iCreated: number;
  private readonly iLineItem: number;
  private readonly iVariant: number;
  private readonly iProduct: number;
  private readonly iSku: number;
  private readonly iQty: number;
  private readonly iPrice: number;
  private readonly iDiscounted: number;
  private readonly iTitle: number;
  private readonly iVendor: number;
  private readonly iType: number;
  private readonly iFinancial: number;
  private readonly iCancelled: number;
  private readonly iCurrency: number;
  /** Canonical files need a variant_id or a SKU per line; Shopify's custom items have neither. */
  private readonly requireItem: boolean;
  private readonly itemCol: number;

  private curOrder = '';
  private curOrderText = NULL;
  private curCount = 0;
  private readonly curLineIds = new Map<string, number>();
  private readonly recentOrders = new Map<string, number>();
  private carryCreated = NULL;
  private carryFinancial = NULL;
  private carryCancelled = NULL;
  private carryCurrency = NULL;
  private lastCreatedRaw = '';
  private lastCreated = NULL;

  constructor(ctx: EncoderContext) {
    super(ctx);
    this.keyIsName = !this.has('order_id');
    this.iKey = this.col(this.keyIsName ? 'order_name' : 'order_id');
    this.iCreated = this.col('created_at');
    this.iLineItem = this.col('line_item_id');
    this.iVariant = this.col('variant_id');
    this.iProduct = this.col('product_id');
    this.iSku = this.col('sku');
    this.iQty = this.col('quantity');
    this.iPrice = this.col('price');
    this.iDiscounted = this.col('discounted_total');
    this.iTitle = this.col('title');
    this.iVendor = this.col('vendor');
    this.iType = this.col('product_type');
    this.iFinancial = this.col('financial_status');
    this.iCancelled = this.col('cancelled_at');
    this.iCurrency = this.col('currency');
    this.requireItem = ctx.header.layout.format === 'canonical';
    this.itemCol = this.has('sku') ? this.iSku : this.iVariant;
  }

  private startOrder(oid: string): void {
    if (this.curOrder.length !== 0) {
      const ro = this.recentOrders;
      ro.delete(this.curOrder);
      ro.set(this.curOrder, this.curCount);
      if (ro.size > RECENT_ORDERS) ro.delete(ro.keys().next().value as string);
    }
    this.curCount = this.recentOrders.get(oid) ?? 0;
    this.curOrder = oid;
    this.curOrderText = this.esc(oid, this.iKey);
    this.curLineIds.clear();
    this.carryCreated = NULL;
    this.carryFinancial = NULL;
    this.carryCancelled = NULL;
    this.carryCurrency = NULL;
  }

  encode(f: string[], line: number): number {
    this.line = line;
    this.errors = 0;

    const rawKey = f[this.iKey]!;
    const oid = rawKey.length === 0 ? '' : this.keyIsName ? rawKey.trim() : normalizeId(rawKey);
    let n = 0;
    if (oid.length === 0) {
      this.fail(this.iKey, null, 'MISSING_VALUE', `expected an order ${this.keyIsName ? 'name' : 'id'} on every line`);
    } else {
      if (oid !== this.curOrder) this.startOrder(oid);
      n = ++this.curCount;
    }

    let created = NULL;
    const rawC = f[this.iCreated]!;
    if (rawC.length !== 0 && rawC === this.lastCreatedRaw) {
      created = this.lastCreated;
    } else {
      const v = rawC.length === 0 ? rawC : rawC.trim();
      if (v.length !== 0) {
        const t = parseTimestamp(v);
        if (t === null) this.dateError(this.iCreated, rawC);
        else {
          created = t;
          this.lastCreatedRaw = rawC;
          this.lastCreated = t;
        }
      } else if (this.carryCreated !== NULL && n > 0) {
        created = this.carryCreated;
      } else {
        this.fail(this.iCreated, null, 'MISSING_VALUE', "expected created_at on the order's first line");
      }
    }
    if (created !== NULL && n > 0) this.carryCreated = created;

    let financial = this.text(f, this.iFinancial);
    if (financial === NULL) financial = this.carryFinancial;
    else this.carryFinancial = financial;
    let cancelled = this.timestamp(f, this.iCancelled);
    if (cancelled === NULL) cancelled = this.carryCancelled;
    else this.carryCancelled = cancelled;
    let currency = this.text(f, this.iCurrency);
    if (currency === NULL) currency = this.carryCurrency;
    else this.carryCurrency = currency;

    const rawL = f[this.iLineItem]!;
    const lid = rawL.length === 0 ? '' : normalizeId(rawL);
    let lineKey: string;
    let lineItem = NULL;
    if (lid.length !== 0) {
      lineItem = this.esc(lid, this.iLineItem);
      lineKey = lineItem;
      if (n > 0) {
        const prev = this.curLineIds.get(lid);
        if (prev !== undefined) {
          this.fail(this.iLineItem, rawL, 'DUPLICATE_KEY', `line item ${lid} of order ${oid} already appears on line ${prev}`);
        } else if (this.curLineIds.size < MAX_LINE_IDS_PER_ORDER) {
          this.curLineIds.set(lid, line);
        }
      }
    } else {
      lineKey = '#' + n;
    }

    const rawV = f[this.iVariant]!;
    const vid = rawV.length === 0 ? rawV : normalizeId(rawV);
    const rawS = f[this.iSku]!;
    const sku = rawS.length === 0 ? rawS : normalizeSku(rawS);
    if (this.requireItem && vid.length === 0 && sku.length === 0) {
      this.fail(this.itemCol, null, 'MISSING_VALUE', 'expected a variant_id or a sku on every line');
    }

    let qty = NULL;
    const rawQ = f[this.iQty]!;
    const q = rawQ.length === 0 ? rawQ : rawQ.trim();
    if (q.length === 0) {
      this.fail(this.iQty, null, 'MISSING_VALUE', 'expected a quantity on every line');
    } else {
      const p = parseInteger(q);
      if (p === null) this.fail(this.iQty, rawQ, 'INVALID_NUMBER', 'expected a whole number of units, such as 2');
      else if (p.charCodeAt(0) === 45) this.fail(this.iQty, rawQ, 'NEGATIVE_QUANTITY', 'expected a quantity >= 0');
      else qty = p;
    }

    const price = this.money(f, this.iPrice);
    const discounted = this.money(f, this.iDiscounted);
    const variant = vid.length === 0 ? NULL : this.esc(vid, this.iVariant);
    const product = this.id(f, this.iProduct);
    const skuText = sku.length === 0 ? NULL : this.esc(sku, this.iSku);
    const title = this.text(f, this.iTitle);
    const vendor = this.text(f, this.iVendor);
    const type = this.text(f, this.iType);

    if (this.errors !== 0) return ROW_REJECTED;
    this.sink.emitRow(
      this.runPrefix +
        this.curOrderText +
        '\t' +
        lineKey +
        '\t' +
        line +
        '\t' +
        this.upload +
        '\t' +
        created +
        '\t' +
        lineItem +
        '\t' +
        variant +
        '\t' +
        product +
        '\t' +
        skuText +
        '\t' +
        qty +
        '\t' +
        price +
        '\t' +
        discounted +
        '\t' +
        title +
        '\t' +
        vendor +
        '\t' +
        type +
        '\t' +
        financial +
        '\t' +
        cancelled +
        '\t' +
        currency +
        '\n',
      line,
    );
    return ROW_EMITTED;
  }
}
