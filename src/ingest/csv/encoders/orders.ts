import { parseTimestamp } from '../values';
import { CarryTaint, EncoderBase, KeyCache, NULL, SeenKeys, sameText, type EncoderContext } from './base';

const RECENT_ORDER_BITS = 13;
/**
 * Orders the encoder keeps for ingestion's statements after the COPY: those with provisional keys (beyond, the
 * numbering reads the whole upload) and those whose refused lines stated their fields (beyond, not kept).
 */
const MAX_ORDERS_KEPT = 10_000;

/**
 * ISO 4217 codes: those in use as the runtime's ICU data knows them (162 in Node 20), and those of this century's
 * order histories it no longer lists (replaced since 2008: the euro's newer members, redenominations). `XYZ` has the
 * shape of one but is none.
 */
const CURRENCY_CODES: ReadonlySet<string> = new Set([
  ...Intl.supportedValuesOf('currency'),
  ...['CYP', 'EEK', 'LTL', 'LVL', 'MTL', 'SIT', 'SKK', 'HRK', 'BYR', 'MRO', 'STD', 'VEF', 'VED', 'ZMK', 'ZWL'],
]);

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
}

/**
 * order_lines rows from the canonical layout or Shopify's orders export. Order-level fields (created_at,
 * financial_status, cancelled_at, currency) left blank on an order's later lines are carried forward from its
 * earlier lines; when its lines are not contiguous, only within each stretch of them (see unstatedStretches).
 * A line without line_item_id is keyed by what it sells: `#v:<variant id>`, else `#s:<sku>`, else `#t:<title>`,
 * `#<k>#...` for the k-th line of the order in the file selling the same (`#2#s:MUG`); so a line keeps its key
 * however the file's rows are sorted, and an order exported across two files gets the lines of both. A line that
 * names nothing is keyed `#<n>`, n its position within its order in the file.
 * Those counts are exact within an order's first stretch of lines. In a later stretch (an order whose lines are
 * apart, as in a file sorted in a spreadsheet), a line selling what no earlier line of its order sold is the first:
 * once an order has come back, the stream keeps the (order, item) pairs it meets in a Bloom filter, whose "never
 * seen" is exact. Every other line of a later stretch (a repeat, a line naming nothing, an order met before pairs
 * were kept, a false "seen") gets a provisional key, `#?<line>#<what>` (`#?<line>` for a line naming nothing), unique
 * in the file, which ingestion numbers in SQL once the file is written (see provisionalKeys): bounded memory could
 * not remember every order's counts.
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
  /** Whether the current order's lines may have come before, in an earlier stretch of the file. */
  private returning = false;
  /** Whether the current order came back and its earlier stretches' items are in `pairs`. */
  private pairsKept = false;
  /** Every order met so far (in this export of the file: see startExport). */
  private seenOrders = new SeenKeys();
  /** The (order, item) pairs met since the first order came back; null until one does, which most files never do. */
  private pairs: SeenKeys | null = null;
  /** The orders met before that, whose items `pairs` lacks. */
  private ordersBeforePairs: SeenKeys | null = null;
  /**
   * Lines written with a provisional key (see the class comment), which ingestion numbers once the file is written,
   * and their orders while there are at most MAX_ORDERS_KEPT (else null: ingestion looks at the whole upload).
   */
  provisionalKeys = 0;
  provisionalOrders: Set<string> | null = new Set();
  /**
   * Order fields (created_at, financial_status, cancelled_at, currency) stated by lines refused for another value,
   * by order, for at most MAX_ORDERS_KEPT orders: the lines of those orders that a sorted file put elsewhere
   * take them once the file is written, as they would have from the line itself in the export's order.
   */
  readonly refusedOrderFields = new Map<string, (string | null)[]>();
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

  startExport(): void {
    this.curOrder = '';
    this.seenOrders = new SeenKeys();
    this.pairs = null;
    this.ordersBeforePairs = null;
  }

  private startOrder(oid: string): void {
    if (this.curOrder.length !== 0) {
      // Kept (and cleared) only once some order was tainted: a clean file pays nothing per order.
      if (this.taint.line !== 0) this.anyTainted = true;
      if (this.anyTainted && (this.taint.line !== 0 || this.taintedOrders.get(this.curOrder) > 0)) this.taintedOrders.set(this.curOrder, this.taint.line);
    }
    this.returning = this.seenOrders.add(oid);
    if (this.returning && this.pairs === null) {
      this.pairs = new SeenKeys();
      this.ordersBeforePairs = this.seenOrders.copy();
    }
    this.pairsKept = this.returning && !this.ordersBeforePairs!.has(oid);
    this.curCount = 0;
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
    const tainted = !this.returning || !this.anyTainted ? -1 : this.taintedOrders.get(oid);
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

  /** How many lines of the current order's first stretch, this one included, sell `what`. */
  private occurrence(what: string): number {
    const times = (this.items.get(what) ?? 0) + 1;
    this.items.set(what, times);
    return times;
  }

  /** Notes a line keyed provisionally, for ingestion to number once the file is written. */
  private provisional(oid: string): void {
    this.provisionalKeys++;
    const orders = this.provisionalOrders;
    if (orders !== null && !orders.has(oid)) {
      if (orders.size < MAX_ORDERS_KEPT) orders.add(oid);
      else this.provisionalOrders = null;
    }
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
    const oid = rawKey.length === 0 ? rawKey : this.keyIsName ? this.name(f, this.iKey) : this.id(f, this.iKey);
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
      this.refuseTaken(this.iKey, oid, `order ${oid} takes its order fields from line ${this.taint.line}, which was rejected`, this.taint);
    }

    const rawL = f[this.iLineItem]!;
    const lid = this.id(f, this.iLineItem);
    const vid = this.id(f, this.iVariant);
    const sku = this.sku(f, this.iSku);
    if (lid.length !== 0) {
      this.putStr(lid, this.iLineItem);
    } else {
      const what = vid.length !== 0 ? 'v:' + vid : sku.length !== 0 ? 's:' + sku : this.titleKey(f);
      const metBefore = this.pairs !== null && n > 0 && what.length !== 0 ? this.pairs.addPair(oid, what) : true;
      if (this.pairsKept && !metBefore) {
        // In a later stretch of its order, the order's first line selling this.
        this.putStr('#' + what, this.iKey);
      } else if (this.returning && n > 0) {
        this.putStr(what.length !== 0 ? '#?' + line + '#' + what : '#?' + line, this.iKey);
        this.provisional(oid);
      } else if (what.length !== 0) {
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
      const p = this.integer(q);
      if (p === null) this.numberError(this.iQty, rawQ, 'expected a whole number of units, such as 2');
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
    // Shopify's API spells the statuses `partially_refunded`, its admin (and a spreadsheet's edits) `Partially Refunded`.
    let financial = rawF.length === 0 ? rawF : rawF.trim().toLowerCase().replace(/[\s-]+/g, '_');
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
    else if (currency !== this.carryCurrency && !CURRENCY_CODES.has(currency)) {
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
    if (n > 0) {
      const unfit = this.unfitColumns(this.orderColumns);
      this.taint.mark(line, unfit);
      // Refused for a value of its own (a quantity), a line that states its order's fields still says them for the
      // order's lines elsewhere in the file (see refusedOrderFields).
      const dated = created !== NULL && created !== PENDING_CREATED_AT;
      if (this.errors !== 0 && !this.silent && unfit.length === 0 && (dated || financial.length !== 0 || currency.length !== 0)) {
        this.keepRefusedOrderFields(oid, [created, financial, cancelled, currency]);
      }
    }
    return this.finish();
  }

  private keepRefusedOrderFields(oid: string, fields: string[]): void {
    const kept = this.refusedOrderFields;
    if (kept.has(oid) || kept.size >= MAX_ORDERS_KEPT) return;
    kept.set(oid, fields.map((value) => (value === NULL || value.length === 0 || value === PENDING_CREATED_AT ? null : value)));
  }
}
