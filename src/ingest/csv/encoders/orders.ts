import { parseInteger, parseTimestamp } from '../values';
import { CarryTaint, EncoderBase, KeyCache, NULL, sameText, type EncoderContext } from './base';

const RECENT_ORDER_BITS = 13;
const RECENT_ITEM_BITS = 16;

const CURRENCY_CODE = /^[A-Z]{3}$/;

/** created_at of a line whose order's creation time the stream does not know yet (see pendingCreatedAt). */
const PENDING_CREATED_AT = '-infinity';

const SMALL_ORDER = 32;
/** Characters of a custom item's title that its line key keeps. */
const KEY_TITLE = 200;
const MAX_TEXTS_PER_ORDER = 100_000;

/**
 * A number per text of the current order (its line item ids, what its lines sell): arrays while the order is small,
 * which beat hashing for the few lines of most orders, a Map beyond; at most MAX_TEXTS_PER_ORDER texts, new ones past
 * that are not kept.
 */
class OrderTexts {
  private readonly texts: string[] = [];
  private readonly values: number[] = [];
  private count = 0;
  private map: Map<string, number> | null = null;

  get size(): number {
    return this.map === null ? this.count : this.map.size;
  }

  clear(): void {
    this.count = 0;
    this.map = null;
  }

  get(text: string): number | undefined {
    if (this.map !== null) return this.map.get(text);
    for (let i = 0; i < this.count; i++) if (this.texts[i] === text) return this.values[i];
    return undefined;
  }

  set(text: string, value: number): void {
    if (this.map === null) {
      const n = this.count;
      for (let i = 0; i < n; i++) {
        if (this.texts[i] === text) {
          this.values[i] = value;
          return;
        }
      }
      if (n < SMALL_ORDER) {
        this.texts[n] = text;
        this.values[n] = value;
        this.count = n + 1;
        return;
      }
      this.map = new Map(this.texts.slice(0, n).map((t, i) => [t, this.values[i]!]));
    }
    if (this.map.has(text) || this.map.size < MAX_TEXTS_PER_ORDER) this.map.set(text, value);
  }

  forEach(visit: (text: string, value: number) => void): void {
    if (this.map !== null) for (const [text, value] of this.map) visit(text, value);
    else for (let i = 0; i < this.count; i++) visit(this.texts[i]!, this.values[i]!);
  }
}

/**
 * order_lines rows from the canonical layout or Shopify's orders export. Order-level fields (created_at,
 * financial_status, cancelled_at, currency) left blank on an order's later lines are carried forward from its
 * earlier lines; when its lines are not contiguous, only within each stretch of them (see unstatedStretches).
 * A line without line_item_id is keyed by what it sells: `#v:<variant id>`, else `#s:<sku>`, else `#t:<title>`,
 * `#<k>#...` for the k-th line of the order selling the same (`#2#s:MUG`); so a line keeps its key
 * however the file's rows are sorted, an order exported across two files gets the lines of both, and an order pasted
 * twice is a duplicate. A line that names nothing is keyed `#<n>`, n its position within its order in the file.
 * financial_status is lower-cased (`PAID` from GraphQL exports = `paid`), currency upper-cased.
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
  private curCount = 0;
  /** Line item ids of the current order (and their lines): arrays while small, a Map beyond. */
  private readonly lineIds = new OrderTexts();
  /** What the current order's lines without line item id sell, and how many of them each. */
  private readonly items = new OrderTexts();
  /** Whether the current order's lines came before, in an earlier stretch of the file. */
  private returning = false;
  /** How many lines sold each item in recent orders' stretches: (order, item) -> lines. */
  private readonly recentItems = new KeyCache(RECENT_ITEM_BITS);
  /** Line counts of recent orders, so an order that reappears later in the file goes on numbering its lines. */
  private readonly recentOrders = new KeyCache(RECENT_ORDER_BITS);
  /** Recent orders whose order fields a rejected line left unfit: the line (see taint). */
  private readonly taintedOrders = new KeyCache(RECENT_ORDER_BITS);
  private anyTainted = false;
  unstatedStretches = 0;
  pendingCreatedAt = 0;
  statesGroupFields = false;
  private carryCreated = NULL;
  private carryFinancial = '';
  private carryCancelled = NULL;
  private carryCurrency = '';
  /** A rejected line of the current order whose order-level fields later lines would take. */
  private readonly taint = new CarryTaint();
  /** The order-level columns the file has: what a later line of an order may leave blank and take over. */
  private readonly orderColumns: number[];
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
    this.orderColumns = [this.iCreated, this.iFinancial, this.iCancelled, this.iCurrency].filter((c) => c < this.absent);
  }

  private startOrder(oid: string): void {
    if (this.curOrder.length !== 0) {
      this.recentOrders.set(this.curOrder, this.curCount);
      if (this.items.size !== 0) this.rememberItems();
      // Kept (and cleared) only once some order was tainted: a clean file pays nothing per order.
      if (this.taint.line !== 0) this.anyTainted = true;
      if (this.anyTainted && (this.taint.line !== 0 || this.taintedOrders.get(this.curOrder) > 0)) this.taintedOrders.set(this.curOrder, this.taint.line);
    }
    const seen = this.recentOrders.get(oid);
    this.returning = seen >= 0;
    this.curCount = seen < 0 ? 0 : seen;
    this.curOrder = oid;
    this.lineIds.clear();
    this.items.clear();
    // A reappearing order's lines that leave created_at blank are dated after the COPY (see pendingCreatedAt), as its
    // other order fields are filled (see unstatedStretches).
    this.carryCreated = NULL;
    this.carryFinancial = '';
    this.carryCancelled = NULL;
    this.carryCurrency = '';
    this.taint.clear();
    // An order coming back after other orders' lines, whose earlier stretch had a rejected line with its order fields:
    // which of them were unfit is not kept, so all count as unfit.
    const tainted = seen < 0 || !this.anyTainted ? -1 : this.taintedOrders.get(oid);
    if (tainted > 0) this.taint.mark(tainted, this.orderColumns);
  }

  /**
   * Whether the line states the order fields the file has (status, currency): false when it leaves one blank, true
   * when the file has neither. Notes that the file states them (statesGroupFields).
   */
  private statesOrderFields(f: string[]): boolean {
    const financial = this.iFinancial < this.absent ? f[this.iFinancial]!.trim().length !== 0 : null;
    const currency = this.iCurrency < this.absent ? f[this.iCurrency]!.trim().length !== 0 : null;
    if (financial || currency) this.statesGroupFields = true;
    return financial !== false && currency !== false;
  }

  /**
   * `t:<title>` of a line that names no variant and no SKU (a custom item), with at most KEY_TITLE characters (code
   * points, as PostgreSQL's left() counts them, which the migration of stored keys used); else ''.
   */
  private titleKey(f: string[]): string {
    const raw = f[this.iTitle]!;
    let title = raw.length === 0 ? raw : raw.trim();
    if (title.length > KEY_TITLE) title = Array.from(title).slice(0, KEY_TITLE).join('');
    return title.length === 0 ? title : 't:' + title;
  }

  /**
   * How many lines of the current order, this one included, sell `what` (see the class comment on line keys): in
   * this stretch of the order's lines, after those of its earlier stretches while they are remembered.
   */
  private occurrence(what: string): number {
    const times = (this.items.get(what) ?? this.earlierTimes(what)) + 1;
    this.items.set(what, times);
    return times;
  }

  /** Lines selling `what` in the current order's earlier stretches, as far as they are remembered; 0 if none. */
  private earlierTimes(what: string): number {
    return this.returning ? Math.max(0, this.recentItems.getPair(this.curOrder, what)) : 0;
  }

  /** Remembers what the stretch of the order being left sold, for the case it comes back (see earlierTimes). */
  private rememberItems(): void {
    this.items.forEach((item, times) => this.recentItems.setPair(this.curOrder, item, times));
  }

  /** The line of the current order's emitted row with line item `lid`, or 0 after remembering it. */
  private seenLineId(lid: string, line: number): number {
    const prev = this.lineIds.get(lid);
    if (prev !== undefined) return prev;
    this.lineIds.set(lid, line);
    return 0;
  }

  encode(f: string[], line: number): number {
    this.begin(line);
    const w = this.w;

    const rawKey = f[this.iKey]!;
    const oid = rawKey.length === 0 ? rawKey : this.keyIsName ? rawKey.trim() : this.id(f, this.iKey);
    let n = 0;
    if (oid.length === 0) {
      this.fail(this.iKey, null, 'MISSING_VALUE', `expected an order ${this.keyIsName ? 'name' : 'id'} on every line`);
    } else {
      if (!sameText(oid, this.curOrder)) {
        this.startOrder(oid);
        // A stretch of an order that does not state its status or currency: the rest of an order whose first line
        // is elsewhere (that is how an export sorted in a spreadsheet looks).
        if (!this.statesOrderFields(f)) this.unstatedStretches++;
      } else if (!this.statesGroupFields) this.statesOrderFields(f);
      n = ++this.curCount;
    }
    this.putStr(oid, this.iKey);
    if (n > 0 && this.taint.takenBy(f)) {
      this.refuseTaken(this.iKey, oid, `order ${oid} takes its order fields from line ${this.taint.line}, which was rejected`);
    }

    const rawL = f[this.iLineItem]!;
    const lid = this.id(f, this.iLineItem);
    const vid = this.id(f, this.iVariant);
    const sku = this.sku(f, this.iSku);
    if (lid.length !== 0) {
      this.putStr(lid, this.iLineItem);
    } else {
      const what = vid.length !== 0 ? 'v:' + vid : sku.length !== 0 ? 's:' + sku : this.titleKey(f);
      if (what.length !== 0) {
        const k = this.occurrence(what);
        // The count first: `#2#s:A` can be no other line's key, whatever characters SKUs and titles hold.
        this.putStr(k === 1 ? '#' + what : '#' + k + '#' + what, this.iKey);
      } else {
        w.byte(35);
        w.int(n);
        w.byte(9);
      }
    }
    this.putLine();
    this.putUpload();

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
      } else if (n > 0) {
        // Its order's first line is elsewhere (or nowhere): dated, or refused, once the file is written.
        created = PENDING_CREATED_AT;
        this.pendingCreatedAt++;
      }
    }
    if (created !== NULL && n > 0) this.carryCreated = created;
    this.putAscii(created);

    this.putStr(lid, this.iLineItem);
    this.putStr(vid, this.iVariant);
    this.putId(f, this.iProduct);
    this.putStr(sku, this.iSku);
    if (this.requireItem && vid.length === 0 && sku.length === 0) {
      this.fail(this.itemCol, null, 'MISSING_VALUE', 'expected a variant_id or a sku on every line');
    }

    const rawQ = f[this.iQty]!;
    const q = rawQ.length === 0 ? rawQ : rawQ.trim();
    if (q.length === 0) {
      this.fail(this.iQty, null, 'MISSING_VALUE', 'expected a quantity on every line');
    } else {
      const p = parseInteger(q);
      if (p === null) this.fail(this.iQty, rawQ, 'INVALID_NUMBER', 'expected a whole number of units, such as 2');
      else if (p.charCodeAt(0) === 45) this.fail(this.iQty, rawQ, 'NEGATIVE_QUANTITY', 'expected a quantity >= 0');
      else w.ascii(p);
    }
    w.byte(9);

    this.putMoney(f, this.iPrice);
    this.putMoney(f, this.iDiscounted);
    this.putText(f, this.iTitle);
    this.putText(f, this.iVendor);
    this.putText(f, this.iType);

    const rawF = f[this.iFinancial]!;
    let financial = rawF.length === 0 ? rawF : rawF.trim().toLowerCase();
    if (financial.length === 0) financial = this.carryFinancial;
    else this.carryFinancial = financial;
    this.putStr(financial, this.iFinancial);

    let cancelled = this.timestamp(f, this.iCancelled);
    if (cancelled === NULL) cancelled = this.carryCancelled;
    else this.carryCancelled = cancelled;
    this.putAscii(cancelled);

    const rawCur = f[this.iCurrency]!;
    let currency = rawCur.length === 0 ? rawCur : rawCur.trim().toUpperCase();
    if (currency.length === 0) currency = this.carryCurrency;
    else if (currency !== this.carryCurrency && !CURRENCY_CODE.test(currency)) {
      // Amounts are shown and charged in the currency's minor unit: "$" or "US Dollar" cannot say which.
      this.fail(this.iCurrency, rawCur, 'INVALID_CURRENCY', 'expected a three-letter ISO 4217 currency code, such as USD or EUR');
    } else this.carryCurrency = currency;
    this.putStr(currency, this.iCurrency);

    if (lid.length !== 0 && this.errors === 0 && !this.silent) {
      const prev = this.seenLineId(lid, line);
      if (prev !== 0) {
        this.fail(this.iLineItem, rawL, 'DUPLICATE_KEY', `line item ${lid} of order ${oid} already appears on line ${prev}`);
      }
    }
    if (n > 0) this.taint.mark(line, this.unfitColumns(this.orderColumns));
    return this.finish();
  }
}
