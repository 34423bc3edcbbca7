import { normalizeName, parseBoolean } from '../values';
import { EncoderBase, MAX_KEY_CHARS, NULL, ROW_EMITTED, ROW_REJECTED, ROW_SKIPPED, RecentKeys, describeItemKey, itemKeyValue, type EncoderContext } from './base';

/**
 * inventory_levels rows. Item key: `i:<inventory_item_id>`, else `s:<sku>`, else `v:<variant_id>`, else
 * `h:<handle>/<option values>`; Shopify's inventory exports key by handle and option values before the SKU, which
 * Shopify does not require to be unique (see ItemsEncoder). Location key: the location id, else its name. `not stocked` in a quantity cell
 * means the item is not stocked there: stocked = false and that quantity NULL.
 */
/** A trimmed quantity cell that says the item is not stocked at the location, in any case. */
function isNotStocked(v: string): boolean {
  return v.length === 11 && v.toLowerCase() === 'not stocked';
}

export class InventoryEncoder extends EncoderBase {
  private readonly iInventoryItem: number;
  private readonly iVariant: number;
  private readonly iSku: number;
  private readonly iHandle: number;
  private readonly iO1: number;
  private readonly iO2: number;
  private readonly iO3: number;
  private readonly iLocationId: number;
  private readonly iLocationName: number;
  private readonly iStocked: number;
  private readonly iAvailable: number;
  private readonly iOnHand: number;
  private readonly iCommitted: number;
  private readonly iIncoming: number;
  private readonly iUnavailable: number;
  private readonly iUpdated: number;
  private notStocked = false;
  private readonly keys = new RecentKeys();
  private readonly shopify: boolean;
  /** The columns of Shopify's export with a column per location (see shopifyInventoryByLocation); empty otherwise. */
  private readonly locationColumns: readonly number[];
  /** The header's cells as location names, as a Location column's are read. */
  private readonly locationNames: readonly string[];

  constructor(ctx: EncoderContext) {
    super(ctx);
    this.shopify = ctx.header.layout.format === 'shopify-inventory';
    this.iInventoryItem = this.col('inventory_item_id');
    this.iVariant = this.col('variant_id');
    this.iSku = this.col('sku');
    this.iHandle = this.col('handle');
    this.iO1 = this.col('option1');
    this.iO2 = this.col('option2');
    this.iO3 = this.col('option3');
    this.iLocationId = this.col('location_id');
    this.iLocationName = this.col('location_name');
    this.iStocked = this.col('stocked');
    this.iAvailable = this.col('available');
    this.iOnHand = this.col('on_hand');
    this.iCommitted = this.col('committed');
    this.iIncoming = this.col('incoming');
    this.iUnavailable = this.col('unavailable');
    this.iUpdated = this.col('updated_at');
    this.locationColumns = ctx.header.spread;
    this.locationNames = this.names.map(normalizeName);
  }

  /** Whether a trimmed, non-empty cell is a quantity: a whole number, or `not stocked`. */
  private isQuantity(v: string): boolean {
    return this.integer(v) !== null || isNotStocked(v);
  }

  private quantity(f: string[], col: number): string {
    const raw = f[col]!;
    const v = raw.length === 0 ? raw : raw.trim();
    if (v.length === 0) return NULL;
    const n = this.integer(v);
    if (n !== null) return n;
    if (isNotStocked(v)) {
      this.notStocked = true;
      return NULL;
    }
    // In an export of a column per location, every column it does not know is a location's: one the file added for
    // itself (a Status) is read so too, and the message says so.
    const spread = this.locationColumns.includes(col) ? `, as column ${this.names[col]} is read as the stock of a location of that name` : '';
    this.numberError(col, raw, `expected a whole number (negative allowed) or "not stocked"${spread}`);
    return NULL;
  }

  encode(f: string[], line: number): number {
    if (this.locationColumns.length === 0) return this.encodeRow(f, line, -1, true);
    return this.encodeByLocation(f, line);
  }

  /**
   * A row of the export with a column per location: one inventory row per location whose cell says something (a
   * blank cell says nothing of that location). The row is refused whole, and none of its locations written, when a
   * cell is no quantity (or its location's name is too long); the identity of the row, the same for every location,
   * is checked with the first.
   */
  private encodeByLocation(f: string[], line: number): number {
    const cells = this.silent ? this.locationColumns.slice(0, 1) : this.locationColumns.filter((c) => f[c]!.trim().length !== 0);
    if (cells.length === 0) return ROW_SKIPPED;
    const tooLong = (c: number) => this.locationNames[c]!.length > MAX_KEY_CHARS;
    const invalid = cells.filter((c) => tooLong(c) || !this.isQuantity(f[c]!.trim()));
    if (invalid.length !== 0) {
      this.begin(line);
      for (const c of invalid) {
        if (tooLong(c)) this.limited(this.locationNames[c]!, c);
        else this.quantity(f, c);
      }
      return this.finish();
    }
    for (let i = 0; i < cells.length; i++) {
      if (this.encodeRow(f, line, cells[i]!, i === 0) === ROW_REJECTED) return ROW_REJECTED;
    }
    return ROW_EMITTED;
  }

  /**
   * One inventory row: at the location of the row's own columns (`locationColumn` -1), or of that spread column;
   * `first` for the first location of its row.
   */
  private encodeRow(f: string[], line: number, locationColumn: number, first: boolean): number {
    this.begin(line);
    this.notStocked = false;

    const iid = this.id(f, this.iInventoryItem);
    const sku = this.sku(f, this.iSku);
    const vid = this.id(f, this.iVariant);
    const handle = this.name(f, this.iHandle);
    let key = '';
    let keyCol = this.iInventoryItem;
    if (iid.length !== 0) key = 'i:' + iid;
    else if (sku.length !== 0 && !(this.shopify && handle.length !== 0)) {
      key = 's:' + sku;
      keyCol = this.iSku;
    } else if (vid.length !== 0) {
      key = 'v:' + vid;
      keyCol = this.iVariant;
    } else if (handle.length !== 0) {
      key = this.handleKey(handle, this.name(f, this.iO1), this.name(f, this.iO2), this.name(f, this.iO3), this.iHandle);
      keyCol = this.iHandle;
    } else {
      keyCol = [this.iInventoryItem, this.iSku, this.iVariant, this.iHandle].find((i) => i < this.absent)!;
      this.fail(keyCol, null, 'MISSING_VALUE', 'expected an inventory item id, a SKU, a variant id or a handle');
    }

    const spread = locationColumn >= 0;
    const locId = spread ? '' : this.id(f, this.iLocationId);
    const locName = spread ? this.locationNames[locationColumn]! : this.name(f, this.iLocationName);
    const locKey = locId.length !== 0 ? locId : locName;
    if (locKey.length === 0) {
      this.fail(
        this.iLocationId < this.absent ? this.iLocationId : this.iLocationName,
        null,
        'MISSING_VALUE',
        'expected a location id or a location name',
      );
    }
    this.putStr(key, keyCol);
    this.putStr(locKey, locId.length !== 0 ? this.iLocationId : spread ? locationColumn : this.iLocationName);
    this.putLine();
    this.putUpload();

    const available = this.quantity(f, spread ? locationColumn : this.iAvailable);
    const onHand = this.quantity(f, this.iOnHand);
    const committed = this.quantity(f, this.iCommitted);
    const incoming = this.quantity(f, this.iIncoming);
    const unavailable = this.quantity(f, this.iUnavailable);
    let stocked = this.notStocked ? 'f' : 't';
    const rawStocked = f[this.iStocked]!.trim();
    if (rawStocked.length !== 0) {
      const b = parseBoolean(rawStocked);
      if (b === null) this.booleanError(this.iStocked, rawStocked);
      else stocked = b;
    }

    this.putStr(iid, this.iInventoryItem);
    this.putStr(vid, this.iVariant);
    this.putStr(sku, this.iSku);
    this.putStr(handle, this.iHandle);
    this.putStr(locId, this.iLocationId);
    this.putStr(locName, spread ? locationColumn : this.iLocationName);
    this.putAscii(stocked);
    this.putAscii(available);
    this.putAscii(onHand);
    this.putAscii(committed);
    this.putAscii(incoming);
    this.putAscii(unavailable);
    this.putTimestamp(f, this.iUpdated);

    // A row with a column per location names its item once, for all of them: a second row of the item repeats it,
    // whichever locations each fills.
    if (this.errors === 0 && !this.silent && first) {
      const prev = this.keys.check(spread ? key : key + '\u0000' + locKey, line);
      if (prev !== 0) {
        const where = spread ? '' : ` at location ${locKey}`;
        this.fail(keyCol, itemKeyValue(key), 'DUPLICATE_KEY', `${describeItemKey(key)}${where} already appears on line ${prev}`);
      }
    }
    return this.finish();
  }
}
