import { normalizeSku, parseBoolean } from '../values';
import { CarryTaint, EncoderBase, NULL, RecentKeys, ROW_SKIPPED, describeItemKey, itemKeyValue, type EncoderContext } from './base';

/** Product fields a Shopify products file gives on a handle's first row only; carried to its other rows. */
const CARRIED = ['product_title', 'vendor', 'product_type', 'tags', 'status', 'gift_card', 'product_category', 'published'] as const;
const C_TITLE = 0;
const C_VENDOR = 1;
const C_TYPE = 2;
const C_TAGS = 3;
const C_STATUS = 4;
const C_GIFT = 5;
const C_CATEGORY = 6;
const C_PUBLISHED = 7;

/** Shopify's product statuses, and `unpublished` (ours: Published false). */
const PRODUCT_STATUSES = new Set(['active', 'draft', 'archived', 'unlisted', 'unpublished']);

const IMAGE_FIELDS = new Set(['handle', 'image_src', 'image_position', 'image_alt_text', 'variant_image']);

/**
 * variants / catalog_items rows from the canonical layouts or Shopify's products export and import template.
 * Item key: `v:<variant id>`, else `s:<sku>`, else `h:<handle>/<option1>/<option2>/<option3>`. Shopify's files key
 * by handle and option values before the SKU: Shopify does not require SKUs to be unique, but a product's option
 * values are, so two products sharing a SKU are two rows, not a duplicate. Status and
 * inventory policy are lower-cased (`ACTIVE` from GraphQL exports = `active` from CSV exports). In Shopify files a
 * blank Type falls back to the last level of Product Category (`Apparel & Accessories > Handbags` -> `Handbags`).
 */
export class ItemsEncoder extends EncoderBase {
  private readonly shopify: boolean;
  private readonly template: boolean;
  private readonly iVariant: number;
  private readonly iProduct: number;
  private readonly iHandle: number;
  private readonly iSku: number;
  private readonly iBarcode: number;
  private readonly iVariantTitle: number;
  private readonly iO1: number;
  private readonly iO2: number;
  private readonly iO3: number;
  private readonly iPrice: number;
  private readonly iCompare: number;
  private readonly iInventoryItem: number;
  private readonly iAvailable: number;
  private readonly iTracked: number;
  private readonly hasTracked: boolean;
  private readonly iPolicy: number;
  private readonly iContinue: number;
  private readonly iCreated: number;
  private readonly iPublished: number;
  private readonly carriedCols: number[];
  private readonly carry: string[] = CARRIED.map(() => '');
  /** A rejected row of the current handle whose product fields later rows would take. */
  private readonly taint = new CarryTaint();
  /** The carried columns the file has. */
  private readonly presentCarried: number[];
  private readonly values: string[] = CARRIED.map(() => '');
  /** Columns that make a row more than an image row, most likely non-empty first. */
  private readonly contentCols: number[];
  private curHandle = '';
  unstatedStretches = 0;
  statesGroupFields = false;
  private readonly keys = new RecentKeys();

  constructor(ctx: EncoderContext) {
    super(ctx);
    const layout = ctx.header.layout;
    this.shopify = layout.format === 'shopify-products';
    this.template = layout.id === 'shopify-products-template';
    this.iVariant = this.col('variant_id');
    this.iProduct = this.col('product_id');
    this.iHandle = this.col('handle');
    this.iSku = this.col('sku');
    this.iBarcode = this.col('barcode');
    this.iVariantTitle = this.col('variant_title');
    this.iO1 = this.col('option1');
    this.iO2 = this.col('option2');
    this.iO3 = this.col('option3');
    this.iPrice = this.col('price');
    this.iCompare = this.col('compare_at_price');
    this.iInventoryItem = this.col('inventory_item_id');
    this.iAvailable = this.col('available_total');
    this.iTracked = this.col('inventory_tracked');
    this.hasTracked = this.has('inventory_tracked');
    this.iPolicy = this.col('inventory_policy');
    this.iContinue = this.col('continue_selling');
    this.iCreated = this.col('product_created_at');
    this.iPublished = this.col('product_published_at');
    this.carriedCols = CARRIED.map((f) => this.col(f));
    this.presentCarried = this.carriedCols.filter((c) => c < this.absent);
    const imageCols = new Set<number>();
    for (const [field, i] of ctx.header.index) if (IMAGE_FIELDS.has(field)) imageCols.add(i);
    const first = [this.iO1, this.iSku, this.iPrice, this.carriedCols[C_TITLE]!].filter((i) => i < this.absent);
    const rest: number[] = [];
    for (let i = 0; i < this.absent; i++) if (!imageCols.has(i) && !first.includes(i)) rest.push(i);
    this.contentCols = [...first, ...rest];
  }

  private isImageOnly(f: string[]): boolean {
    const cols = this.contentCols;
    for (let k = 0; k < cols.length; k++) {
      const v = f[cols[k]!]!;
      if (v.length !== 0 && v.trim().length !== 0) return false;
    }
    return true;
  }

  /** What a variant does when out of stock: `deny` or `continue` (Shopify's words; `continue selling` is its label). */
  private putPolicy(f: string[]): void {
    const raw = f[this.iPolicy]!;
    let policy = raw.length === 0 ? raw : raw.trim().toLowerCase();
    if (policy === 'continue selling') policy = 'continue';
    if (policy.length !== 0 && policy !== 'deny' && policy !== 'continue') {
      this.fail(this.iPolicy, raw, 'INVALID_VALUE', 'expected an inventory policy: deny (stop selling when out of stock) or continue');
    }
    this.putStr(policy, this.iPolicy);
  }

  encode(f: string[], line: number): number {
    if (this.shopify && this.isImageOnly(f)) return ROW_SKIPPED;
    this.begin(line);

    const handle = this.name(f, this.iHandle);
    const vals = this.values;
    const cols = this.carriedCols;
    if (this.shopify) {
      const same = handle.length !== 0 && handle === this.curHandle;
      this.curHandle = handle;
      // A product's rows away from its first, which alone states its title, status, vendor...: a sorted file.
      if (cols[C_TITLE]! < this.absent) {
        const titled = f[cols[C_TITLE]!]!.trim().length !== 0;
        if (titled) this.statesGroupFields = true;
        else if (!same && handle.length !== 0) this.unstatedStretches++;
      }
      if (!same) this.taint.clear();
      else if (this.taint.takenBy(f)) {
        this.refuseTaken(this.iHandle, handle, `product ${handle} takes its product fields (title, vendor, type...) from line ${this.taint.line}, which was rejected`, this.taint);
      }
      const carry = this.carry;
      for (let k = 0; k < cols.length; k++) {
        let v = f[cols[k]!]!.trim();
        if (v.length === 0 && same) v = carry[k]!;
        carry[k] = v;
        vals[k] = v;
      }
    } else {
      for (let k = 0; k < cols.length; k++) vals[k] = f[cols[k]!]!.trim();
    }

    const vid = this.id(f, this.iVariant);
    const sku = this.sku(f, this.iSku);
    const o1 = this.name(f, this.iO1);
    const o2 = this.name(f, this.iO2);
    const o3 = this.name(f, this.iO3);
    let key = '';
    let keyCol = this.iVariant;
    if (vid.length !== 0) key = 'v:' + vid;
    else if (sku.length !== 0 && !(this.shopify && handle.length !== 0)) {
      key = 's:' + sku;
      keyCol = this.iSku;
    } else if (handle.length !== 0) {
      key = this.handleKey(handle, o1, o2, o3, this.iHandle);
      keyCol = this.iHandle;
    } else {
      keyCol = this.iVariant < this.absent ? this.iVariant : this.iSku < this.absent ? this.iSku : this.iHandle;
      this.fail(keyCol, null, 'MISSING_VALUE', 'expected a variant id, a SKU or a handle');
    }
    this.putStr(key, keyCol);
    this.putLine();
    this.putUpload();

    this.putStr(vid, this.iVariant);
    this.putId(f, this.iProduct);
    this.putStr(handle, this.iHandle);
    this.putStr(sku, this.iSku);
    this.putStr(normalizeSku(f[this.iBarcode]!), this.iBarcode);
    this.putStr(vals[C_TITLE]!, cols[C_TITLE]!);
    if (this.shopify) {
      let t = o1;
      if (o2.length !== 0) t = t.length !== 0 ? t + ' / ' + o2 : o2;
      if (o3.length !== 0) t = t.length !== 0 ? t + ' / ' + o3 : o3;
      this.putStr(t, this.iO1);
    } else {
      this.putText(f, this.iVariantTitle);
    }
    this.putStr(o1, this.iO1);
    this.putStr(o2, this.iO2);
    this.putStr(o3, this.iO3);
    let type = vals[C_TYPE]!;
    let typeCol = cols[C_TYPE]!;
    if (type.length === 0 && vals[C_CATEGORY]!.length !== 0) {
      const cat = vals[C_CATEGORY]!;
      type = cat.slice(cat.lastIndexOf('>') + 1).trim();
      typeCol = cols[C_CATEGORY]!;
    }
    this.putStr(type, typeCol);
    this.putStr(vals[C_VENDOR]!, cols[C_VENDOR]!);
    this.putStr(vals[C_TAGS]!, cols[C_TAGS]!);
    // A product hidden from the online store (Published false) is not offered there, whatever its status says.
    let status = vals[C_STATUS]!.toLowerCase();
    if (status.length !== 0 && !PRODUCT_STATUSES.has(status)) {
      this.fail(cols[C_STATUS]!, vals[C_STATUS]!, 'INVALID_VALUE', `expected a product status: ${[...PRODUCT_STATUSES].join(', ')}`);
    }
    const published = this.bool(vals[C_PUBLISHED]!, cols[C_PUBLISHED]!);
    if ((status.length === 0 || status === 'active') && published === 'f') status = 'unpublished';
    this.putStr(status, status === 'unpublished' && cols[C_STATUS]! >= this.absent ? cols[C_PUBLISHED]! : cols[C_STATUS]!);
    this.putMoney(f, this.iPrice);
    this.putMoney(f, this.iCompare);
    this.putId(f, this.iInventoryItem);
    this.putInt(f, this.iAvailable);

    if (this.shopify) {
      const tr = f[this.iTracked]!.trim();
      this.putAscii(!this.hasTracked ? NULL : tr.length === 0 ? 'f' : (parseBoolean(tr) ?? 't'));
      if (this.template) {
        // A yes/no column, which template generators also fill with the policy itself (DENY, CONTINUE).
        const c = f[this.iContinue]!.trim();
        const policy = c.toLowerCase();
        if (policy === 'deny' || policy === 'continue') this.putAscii(policy);
        else {
          const b = this.bool(c, this.iContinue);
          this.putAscii(b === NULL ? NULL : b === 't' ? 'continue' : 'deny');
        }
      } else {
        this.putPolicy(f);
      }
    } else {
      this.putAscii(this.bool(f[this.iTracked]!.trim(), this.iTracked));
      this.putPolicy(f);
    }
    this.putAscii(this.bool(vals[C_GIFT]!, cols[C_GIFT]!));
    this.putTimestamp(f, this.iCreated);
    if (this.shopify) this.putNull();
    else this.putTimestamp(f, this.iPublished);

    if (this.errors === 0 && !this.silent) {
      const prev = this.keys.check(key, line);
      if (prev !== 0) this.fail(keyCol, itemKeyValue(key), 'DUPLICATE_KEY', `${describeItemKey(key)} already appears on line ${prev}`);
    }
    if (this.shopify) this.taint.mark(line, this.unfitColumns(this.presentCarried));
    return this.finish();
  }
}
