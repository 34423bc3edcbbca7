import fs from 'node:fs';
import {
  ADJECTIVES,
  COLORS,
  DISCOUNT_CODES,
  FIRST_NAMES,
  LAST_NAMES,
  LOCATIONS,
  NOTES,
  NOUNS,
  PAYMENT_METHODS,
  PRODUCT_TYPES,
  SHIPPING_METHODS,
  SIZES,
  SOURCES,
  STREETS,
  TAGS,
  TOWNS,
  VENDORS,
} from './names';
import { choose, hash32, permutation, Random } from './random';

/**
 * Deterministic synthetic CSV files, written to disk as they are generated (a file is never held in memory).
 *
 * Every file draws from one item universe per seed: item n (a product variant) has the same SKU, ids, title and
 * price in the catalog, inventory and orders files of that seed, so files generated separately match each other.
 * Items 0..items-1 form the catalog; orders pick from them with a skewed popularity, plus planted
 * frequently-bought-together pairs, plus optionally items beyond the catalog (unknown SKUs).
 */

export interface GeneratedFile {
  file: string;
  header: string[];
  /** Data records written (the header not counted; a record may span several physical lines). */
  rows: number;
  bytes: number;
  /** Orders files: how many orders the rows belong to. */
  orders?: number;
}

/** Variants per product in the synthetic universe. */
export const VARIANTS_PER_PRODUCT = 3;

export interface Item {
  index: number;
  productIndex: number;
  variantId: string;
  productId: string;
  inventoryItemId: string;
  sku: string;
  barcode: string;
  handle: string;
  productTitle: string;
  optionName: 'Size' | 'Color';
  optionValue: string;
  variantTitle: string;
  vendor: string;
  productType: string;
  tags: string;
  status: 'active' | 'draft' | 'archived';
  /** Cents. */
  price: number;
  /** Cents, or 0 when the item is not on sale. */
  compareAtPrice: number;
  available: number;
  grams: number;
}

const VARIANT_ID_BASE = 42_000_000_000;
const PRODUCT_ID_BASE = 7_000_000_000;
const INVENTORY_ITEM_ID_BASE = 45_000_000_000;
const LOCATION_ID_BASE = 61_000_000_000;
const ORDER_ID_BASE = 5_100_000_000_000;
const LINE_ITEM_ID_BASE = 13_000_000_000_000;

const ITEM_CACHE_LIMIT = 50_000;
const itemCache = new Map<number, Item[]>();

/** Item n of the universe of `seed`: a pure function of (index, seed); the first items are memoised. */
export function itemAt(index: number, seed = 1): Item {
  if (index >= ITEM_CACHE_LIMIT) return makeItem(index, seed);
  let cache = itemCache.get(seed);
  if (!cache) itemCache.set(seed, (cache = new Array<Item>(ITEM_CACHE_LIMIT)));
  return (cache[index] ??= makeItem(index, seed));
}

function makeItem(index: number, seed: number): Item {
  const p = Math.floor(index / VARIANTS_PER_PRODUCT);
  const v = index % VARIANTS_PER_PRODUCT;
  const adjective = choose(ADJECTIVES, seed, p, 1);
  const noun = choose(NOUNS, seed, p, 2);
  const productTitle = `${adjective} ${noun}`;
  const bySize = hash32(seed, p, 3) % 2 === 0;
  const optionValue = bySize ? SIZES[v % SIZES.length]! : COLORS[v % COLORS.length]!;
  const base = 500 + (hash32(seed, p, 4) % 14_500);
  const price = Math.floor(base / 100) * 100 + [0, 50, 99][hash32(seed, p, 5) % 3]! + (bySize ? v * 200 : 0);
  const onSale = hash32(seed, p, 6) % 10 < 3;
  const statusRoll = hash32(seed, p, 7) % 100;
  const tag1 = choose(TAGS, seed, p, 8);
  const tag2 = choose(TAGS, seed, p, 9);
  return {
    index,
    productIndex: p,
    variantId: String(VARIANT_ID_BASE + index),
    productId: String(PRODUCT_ID_BASE + p),
    inventoryItemId: String(INVENTORY_ITEM_ID_BASE + index),
    sku: `SKU-${String(p + 1).padStart(6, '0')}-${optionValue.toUpperCase()}`,
    barcode: String(400_000_000_000 + index),
    handle: `${adjective}-${noun}`.toLowerCase().replace(/[^a-z0-9]+/g, '-') + '-' + (p + 1),
    productTitle,
    optionName: bySize ? 'Size' : 'Color',
    optionValue,
    variantTitle: optionValue,
    vendor: choose(VENDORS, seed, p, 10),
    productType: choose(PRODUCT_TYPES, seed, p, 11),
    tags: tag1 === tag2 ? tag1 : `${tag1}, ${tag2}`,
    status: statusRoll < 90 ? 'active' : statusRoll < 97 ? 'draft' : 'archived',
    price,
    compareAtPrice: onSale ? Math.round((price * 1.25) / 100) * 100 : 0,
    available: (hash32(seed, index, 12) % 80) - 5,
    grams: 100 + (hash32(seed, p, 13) % 900),
  };
}

function money(cents: number): string {
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  return whole + (frac < 10 ? '.0' : '.') + frac;
}

const NEEDS_QUOTES = /[",\n\r]/;

/** One CSV field, quoted when it must be. */
function field(value: string): string {
  return NEEDS_QUOTES.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
}

function row(values: readonly string[]): string {
  let out = field(values[0]!);
  for (let i = 1; i < values.length; i++) out += ',' + field(values[i]!);
  return out + '\n';
}

/** Appends text to a file through a fixed buffer, written out with plain synchronous writes when full. */
class FileSink {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(4 << 20);
  private used = 0;
  bytes = 0;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush();
      if (text.length * 3 > this.buffer.length) {
        const chunk = Buffer.from(text, 'utf8');
        fs.writeSync(this.fd, chunk);
        this.bytes += chunk.length;
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  private flush(): void {
    let offset = 0;
    while (offset < this.used) offset += fs.writeSync(this.fd, this.buffer, offset, this.used - offset);
    this.bytes += this.used;
    this.used = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** Shopify's `2025-12-07 19:08:25 -0400`: local time in the store's offset. */
function shopifyTime(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = sign + String(Math.floor(abs / 60)).padStart(2, '0') + String(abs % 60).padStart(2, '0');
  return local.slice(0, 10) + ' ' + local.slice(11, 19) + ' ' + offset;
}

// ---------------------------------------------------------------------------------------------------------------
// Orders

export type OrdersFormat = 'canonical' | 'shopify';

export interface OrdersOptions {
  file: string;
  /** Line items to write (data rows). */
  lines: number;
  format?: OrdersFormat;
  seed?: number;
  /** Size of the catalog the orders draw from (items 0..items-1). Default 2,000. */
  items?: number;
  /** Popularity skew: an item is drawn at rank floor(items * u^skew). 1 is uniform. Default 2. */
  skew?: number;
  /** Planted frequently-bought-together pairs. Default 10. */
  pairs?: number;
  /** Share of orders with two or more lines whose first two lines are a planted pair. Default 0.2. */
  pairRate?: number;
  /** Share of lines that name an item outside the catalog. Default 0. */
  unknownItemRate?: number;
  /** First order's time (ms since epoch); orders spread over `days`. Defaults 2025-01-01, 365 days. */
  start?: number;
  days?: number;
  /** Shopify layout only: store offset in minutes. Default -240 (-0400). */
  utcOffsetMinutes?: number;
}

/** Relative frequencies of 1..7 lines in an order: about 3 lines an order on average. */
const LINES_PER_ORDER = [20, 25, 22, 15, 10, 5, 3];
const QUANTITIES = [80, 15, 5];

export const CANONICAL_ORDERS_HEADER = [
  'order_id',
  'created_at',
  'line_item_id',
  'variant_id',
  'product_id',
  'sku',
  'quantity',
  'price',
  'discounted_total',
  'title',
  'vendor',
  'product_type',
  'financial_status',
  'cancelled_at',
  'currency',
];

/** The 79 columns of Shopify's admin orders export (2023-2026). */
export const SHOPIFY_ORDERS_EXPORT_HEADER =
  'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References'.split(
    ',',
  );

export interface PairsOptions {
  seed?: number;
  items?: number;
  pairs?: number;
}

/** The item pairs that `generateOrders` plants with the same options: what a bundle generator should find. */
export function plantedPairs(options: PairsOptions = {}): [Item, Item][] {
  const seed = options.seed ?? 1;
  const items = options.items ?? 2000;
  const count = Math.min(options.pairs ?? 10, Math.floor(items / 2));
  const random = new Random(seed * 7919 + 17);
  const used = new Set<number>();
  const pairs: [Item, Item][] = [];
  const draw = () => {
    for (;;) {
      const n = random.int(0, items - 1);
      if (!used.has(n)) {
        used.add(n);
        return n;
      }
    }
  };
  while (pairs.length < count) pairs.push([itemAt(draw(), seed), itemAt(draw(), seed)]);
  return pairs;
}

interface OrderLine {
  item: Item;
  quantity: number;
}

interface OrderDraft {
  number: number;
  createdAt: number;
  lines: OrderLine[];
  financial: number;
  cancelled: boolean;
}

const FINANCIAL = ['paid', 'pending', 'refunded', 'partially_refunded', 'voided'] as const;
const FINANCIAL_WEIGHTS = [86, 6, 4, 3, 1];

/** Streams an orders file: canonical (one row per line, every field given) or Shopify's 79-column export. */
export function generateOrders(options: OrdersOptions): GeneratedFile {
  const format = options.format ?? 'canonical';
  const seed = options.seed ?? 1;
  const items = Math.max(2, options.items ?? 2000);
  const skew = options.skew ?? 2;
  const pairRate = options.pairRate ?? 0.2;
  const unknownRate = options.unknownItemRate ?? 0;
  const start = options.start ?? Date.UTC(2025, 0, 1);
  const span = (options.days ?? 365) * 86_400_000;
  const pairs = (options.pairs ?? 10) > 0 ? plantedPairs({ seed, items, pairs: options.pairs ?? 10 }) : [];
  const rank = permutation(items, seed);
  const random = new Random(seed * 104_729 + (format === 'shopify' ? 2 : 1));
  const expectedOrders = Math.max(1, options.lines / 2.97);
  const step = span / expectedOrders;

  const pickItem = (taken: Set<number>): Item => {
    for (;;) {
      let index: number;
      if (unknownRate > 0 && random.chance(unknownRate)) index = items + random.int(0, items - 1);
      else index = rank(Math.min(items - 1, Math.floor(items * Math.pow(random.next(), skew))));
      if (!taken.has(index)) {
        taken.add(index);
        return itemAt(index, seed);
      }
    }
  };

  const header = format === 'shopify' ? SHOPIFY_ORDERS_EXPORT_HEADER : CANONICAL_ORDERS_HEADER;
  const sink = new FileSink(options.file);
  sink.write(row(header));
  let written = 0;
  let orderNumber = 0;
  let lineNumber = 0;
  const writeOrder = format === 'shopify' ? shopifyOrderRows : canonicalOrderRows;
  while (written < options.lines) {
    const count = Math.min(random.weighted(LINES_PER_ORDER) + 1, options.lines - written, items);
    const taken = new Set<number>();
    const lines: OrderLine[] = [];
    if (count >= 2 && pairs.length > 0 && random.chance(pairRate)) {
      const [a, b] = random.pick(pairs);
      taken.add(a.index).add(b.index);
      lines.push({ item: a, quantity: 1 }, { item: b, quantity: 1 });
    }
    while (lines.length < count) lines.push({ item: pickItem(taken), quantity: random.weighted(QUANTITIES) + 1 });
    const order: OrderDraft = {
      number: orderNumber,
      createdAt: start + Math.floor(orderNumber * step + random.next() * step),
      lines,
      financial: random.weighted(FINANCIAL_WEIGHTS),
      cancelled: random.chance(0.01),
    };
    writeOrder(sink, order, lineNumber, random, options.utcOffsetMinutes ?? -240);
    lineNumber += lines.length;
    written += lines.length;
    orderNumber++;
  }
  sink.close();
  return { file: options.file, header: [...header], rows: written, bytes: sink.bytes, orders: orderNumber };
}

function canonicalOrderRows(sink: FileSink, order: OrderDraft, firstLine: number): void {
  const orderId = `gid://shopify/Order/${ORDER_ID_BASE + order.number}`;
  const created = isoSeconds(order.createdAt);
  const financial = FINANCIAL[order.financial]!.toUpperCase();
  const cancelled = order.cancelled ? isoSeconds(order.createdAt + 3_600_000) : '';
  const currency = order.number % 9 === 0 ? 'CAD' : 'USD';
  for (let i = 0; i < order.lines.length; i++) {
    const { item, quantity } = order.lines[i]!;
    const total = item.price * quantity;
    // No value of these rows holds a comma, quote or line break.
    sink.write([
      orderId,
      created,
      `gid://shopify/LineItem/${LINE_ITEM_ID_BASE + firstLine + i}`,
      `gid://shopify/ProductVariant/${item.variantId}`,
      `gid://shopify/Product/${item.productId}`,
      item.sku,
      String(quantity),
      money(item.price),
      money(total - (i === 0 && order.number % 7 === 0 ? Math.floor(total / 10) : 0)),
      `${item.productTitle} - ${item.variantTitle}`,
      item.vendor,
      item.productType,
      financial,
      cancelled,
      currency,
    ].join(',') + '\n');
  }
}

const S = Object.fromEntries(SHOPIFY_ORDERS_EXPORT_HEADER.map((name, i) => [name, i])) as Record<string, number>;
const shopifyRow: string[] = new Array(SHOPIFY_ORDERS_EXPORT_HEADER.length).fill('');
const SIDES = (['Billing', 'Shipping'] as const).map((side) => ({
  name: S[`${side} Name`]!,
  street: S[`${side} Street`]!,
  address1: S[`${side} Address1`]!,
  address2: S[`${side} Address2`]!,
  city: S[`${side} City`]!,
  zip: S[`${side} Zip`]!,
  province: S[`${side} Province`]!,
  country: S[`${side} Country`]!,
  phone: S[`${side} Phone`]!,
  provinceName: S[`${side} Province Name`]!,
}));

function shopifyOrderRows(sink: FileSink, order: OrderDraft, _firstLine: number, random: Random, offset: number): void {
  const n = order.number;
  const first = FIRST_NAMES[hash32(n, 1) % FIRST_NAMES.length]!;
  const last = LAST_NAMES[hash32(n, 2) % LAST_NAMES.length]!;
  const town = TOWNS[hash32(n, 3) % TOWNS.length]!;
  const name = `#${1001 + n}`;
  const email = `${first}.${last}${n % 97}@example.com`.toLowerCase();
  const created = shopifyTime(order.createdAt, offset);
  let subtotal = 0;
  for (const line of order.lines) subtotal += line.item.price * line.quantity;
  const discounted = random.chance(0.15);
  const discount = discounted ? Math.floor(subtotal / 10) : 0;
  const shipping = subtotal - discount >= 5000 ? 0 : 695;
  const taxes = Math.round((subtotal - discount) * 0.06);
  const total = subtotal - discount + shipping + taxes;
  const financial = FINANCIAL[order.financial]!;
  const paid = financial === 'paid' || financial === 'refunded' || financial === 'partially_refunded';
  const fulfilled = paid && random.chance(0.8);

  const f = shopifyRow;
  for (let i = 0; i < order.lines.length; i++) {
    const { item, quantity } = order.lines[i]!;
    f.fill('');
    f[S['Name']!] = name;
    f[S['Email']!] = email;
    f[S['Created at']!] = created;
    f[S['Lineitem quantity']!] = String(quantity);
    f[S['Lineitem name']!] = `${item.productTitle} - ${item.variantTitle}`;
    f[S['Lineitem price']!] = money(item.price);
    f[S['Lineitem compare at price']!] = item.compareAtPrice ? money(item.compareAtPrice) : '';
    f[S['Lineitem sku']!] = item.sku;
    f[S['Lineitem requires shipping']!] = 'true';
    f[S['Lineitem taxable']!] = 'true';
    f[S['Lineitem fulfillment status']!] = fulfilled ? 'fulfilled' : 'pending';
    f[S['Vendor']!] = item.vendor;
    f[S['Lineitem discount']!] = '0.00';
    if (i === 0) {
      const street = `${1 + (hash32(n, 4) % 240)} ${STREETS[hash32(n, 5) % STREETS.length]}`;
      const phone = `+1 555-01${String(hash32(n, 6) % 100).padStart(2, '0')}`;
      const address2 = hash32(n, 10) % 5 === 0 ? `Unit ${1 + (hash32(n, 11) % 30)}` : '';
      const zip = town.zip.startsWith('0') ? `'${town.zip}` : town.zip;
      const fullName = `${first} ${last}`;
      const payment = `r${hash32(n, 18).toString(36)}`;
      f[S['Financial Status']!] = financial;
      f[S['Paid at']!] = paid ? shopifyTime(order.createdAt + 60_000, offset) : '';
      f[S['Fulfillment Status']!] = fulfilled ? 'fulfilled' : 'unfulfilled';
      f[S['Fulfilled at']!] = fulfilled ? shopifyTime(order.createdAt + 86_400_000, offset) : '';
      f[S['Accepts Marketing']!] = hash32(n, 7) % 3 === 0 ? 'yes' : 'no';
      f[S['Currency']!] = town.country === 'CA' ? 'CAD' : 'USD';
      f[S['Subtotal']!] = money(subtotal - discount);
      f[S['Shipping']!] = money(shipping);
      f[S['Taxes']!] = money(taxes);
      f[S['Total']!] = money(total);
      f[S['Discount Code']!] = discounted ? DISCOUNT_CODES[hash32(n, 8) % DISCOUNT_CODES.length]! : '';
      f[S['Discount Amount']!] = money(discount);
      f[S['Shipping Method']!] = SHIPPING_METHODS[hash32(n, 9) % SHIPPING_METHODS.length]!;
      for (const side of SIDES) {
        f[side.name] = fullName;
        f[side.street] = street;
        f[side.address1] = street;
        f[side.address2] = address2;
        f[side.city] = town.city;
        f[side.zip] = zip;
        f[side.province] = town.province;
        f[side.country] = town.country;
        f[side.phone] = phone;
        f[side.provinceName] = town.provinceName;
      }
      f[S['Notes']!] = hash32(n, 12) % 30 === 0 ? field(NOTES[hash32(n, 13) % NOTES.length]!) : '';
      f[S['Cancelled at']!] = order.cancelled ? shopifyTime(order.createdAt + 3_600_000, offset) : '';
      f[S['Payment Method']!] = PAYMENT_METHODS[hash32(n, 14) % PAYMENT_METHODS.length]!;
      f[S['Payment Reference']!] = `c${20_000_000_000 + n}.1`;
      f[S['Refunded Amount']!] = financial === 'refunded' ? money(total) : '0.00';
      f[S['Outstanding Balance']!] = '0.00';
      f[S['Id']!] = String(ORDER_ID_BASE + n);
      f[S['Tags']!] = hash32(n, 15) % 4 === 0 ? '"repeat-customer, newsletter"' : '';
      f[S['Risk Level']!] = 'Low';
      f[S['Source']!] = SOURCES[hash32(n, 16) % SOURCES.length]!;
      f[S['Tax 1 Name']!] = `${town.province} Tax 6%`;
      f[S['Tax 1 Value']!] = money(taxes);
      f[S['Phone']!] = hash32(n, 17) % 2 === 0 ? phone : '';
      f[S['Payment ID']!] = payment;
      f[S['Payment References']!] = payment;
    }
    // Every value set above is free of commas, quotes and line breaks, or quoted already.
    sink.write(f.join(',') + '\n');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog

export type CatalogFormat = 'canonical' | 'shopify';

export interface CatalogOptions {
  file: string;
  /** Variants to write: items 0..rows-1 of the universe. */
  rows: number;
  seed?: number;
  /** `canonical` (the old system's catalog_joined) or `shopify` (products export, layout B). */
  format?: CatalogFormat;
  /** Shopify layout: an image-only row after every third product. Default true. */
  imageRows?: boolean;
}

export const CANONICAL_CATALOG_HEADER = [
  'variant_id',
  'product_id',
  'sku',
  'barcode',
  'product_title',
  'variant_title',
  'vendor',
  'product_type',
  'tags',
  'status',
  'price',
  'compare_at_price',
  'inventory_item_id',
  'available_total',
  'inventory_policy',
  'product_created_at',
];

/** Shopify products export, layout B (2023-24). */
export const SHOPIFY_PRODUCTS_EXPORT_HEADER_B =
  'Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,Google Shopping / Google Product Category,Google Shopping / Gender,Google Shopping / Age Group,Google Shopping / MPN,Google Shopping / Condition,Google Shopping / Custom Product,Google Shopping / Custom Label 0,Google Shopping / Custom Label 1,Google Shopping / Custom Label 2,Google Shopping / Custom Label 3,Google Shopping / Custom Label 4,Variant Image,Variant Weight Unit,Variant Tax Code,Cost per item,Included / Canada,Price / Canada,Compare At Price / Canada,Status'.split(
    ',',
  );

const P = Object.fromEntries(SHOPIFY_PRODUCTS_EXPORT_HEADER_B.map((name, i) => [name, i])) as Record<string, number>;

/** Streams a catalog file of items 0..rows-1. */
export function generateCatalog(options: CatalogOptions): GeneratedFile {
  const seed = options.seed ?? 1;
  const format = options.format ?? 'canonical';
  const header = format === 'shopify' ? SHOPIFY_PRODUCTS_EXPORT_HEADER_B : CANONICAL_CATALOG_HEADER;
  const sink = new FileSink(options.file);
  sink.write(row(header));
  let records = 0;
  const created = Date.UTC(2023, 5, 1);
  for (let i = 0; i < options.rows; i++) {
    const item = makeItem(i, seed);
    if (format === 'canonical') {
      sink.write(
        row([
          `gid://shopify/ProductVariant/${item.variantId}`,
          `gid://shopify/Product/${item.productId}`,
          item.sku,
          item.barcode,
          item.productTitle,
          item.variantTitle,
          item.vendor,
          item.productType,
          item.tags,
          item.status.toUpperCase(),
          money(item.price),
          item.compareAtPrice ? money(item.compareAtPrice) : '',
          `gid://shopify/InventoryItem/${item.inventoryItemId}`,
          String(item.available),
          hash32(seed, i, 20) % 5 === 0 ? 'CONTINUE' : 'DENY',
          isoSeconds(created + item.productIndex * 3_600_000),
        ]),
      );
      records++;
      continue;
    }
    const firstOfProduct = i % VARIANTS_PER_PRODUCT === 0;
    const f: string[] = new Array(header.length).fill('');
    f[P['Handle']!] = item.handle;
    f[P['Option1 Value']!] = item.optionValue;
    f[P['Variant SKU']!] = item.sku;
    f[P['Variant Grams']!] = `${item.grams}.0`;
    f[P['Variant Inventory Tracker']!] = 'shopify';
    f[P['Variant Inventory Qty']!] = String(item.available);
    f[P['Variant Inventory Policy']!] = hash32(seed, i, 20) % 5 === 0 ? 'continue' : 'deny';
    f[P['Variant Fulfillment Service']!] = 'manual';
    f[P['Variant Price']!] = money(item.price);
    f[P['Variant Compare At Price']!] = item.compareAtPrice ? money(item.compareAtPrice) : '';
    f[P['Variant Requires Shipping']!] = 'true';
    f[P['Variant Taxable']!] = 'true';
    f[P['Variant Barcode']!] = hash32(seed, i, 21) % 10 === 0 ? `'${item.barcode}` : item.barcode;
    f[P['Variant Weight Unit']!] = 'g';
    f[P['Cost per item']!] = money(Math.floor(item.price * 0.4));
    f[P['Included / Canada']!] = 'true';
    if (firstOfProduct) {
      f[P['Title']!] = item.productTitle;
      f[P['Body (HTML)']!] =
        `<p>The ${item.productTitle.toLowerCase()}, made by ${item.vendor}.</p>\n` +
        `<ul><li>Fits a 12" shelf</li><li>${item.tags}</li></ul>`;
      f[P['Vendor']!] = item.vendor;
      f[P['Product Category']!] = 'Home & Garden > Decor';
      f[P['Type']!] = item.productType;
      f[P['Tags']!] = item.tags;
      f[P['Published']!] = item.status === 'active' ? 'true' : 'false';
      f[P['Option1 Name']!] = item.optionName;
      f[P['Image Src']!] = `https://cdn.example.com/files/${item.handle}-1.jpg`;
      f[P['Image Position']!] = '1';
      f[P['Gift Card']!] = 'false';
      f[P['SEO Title']!] = item.productTitle;
      f[P['Status']!] = item.status;
    }
    sink.write(row(f));
    records++;
    const lastOfProduct = i % VARIANTS_PER_PRODUCT === VARIANTS_PER_PRODUCT - 1 || i === options.rows - 1;
    if (lastOfProduct && (options.imageRows ?? true) && item.productIndex % 3 === 0) {
      const image: string[] = new Array(header.length).fill('');
      image[P['Handle']!] = item.handle;
      image[P['Image Src']!] = `https://cdn.example.com/files/${item.handle}-2.jpg`;
      image[P['Image Position']!] = '2';
      image[P['Image Alt Text']!] = `${item.productTitle}, side view`;
      sink.write(row(image));
      records++;
    }
  }
  sink.close();
  return { file: options.file, header: [...header], rows: records, bytes: sink.bytes };
}

// ---------------------------------------------------------------------------------------------------------------
// Inventory

export interface InventoryOptions {
  file: string;
  /** Rows to write: one per item and location, items 0.. in order, `locations` rows each. */
  rows: number;
  seed?: number;
  /** Locations per item. Default 1. */
  locations?: number;
}

export const CANONICAL_INVENTORY_HEADER = ['inventory_item_id', 'location_id', 'available', 'on_hand', 'updated_at'];

/** Location n's id (the canonical inventory layout's `location_id`) and a made-up name. */
export function locationAt(n: number): { id: string; name: string } {
  return { id: String(LOCATION_ID_BASE + n), name: LOCATIONS[n % LOCATIONS.length]! };
}

export function generateInventory(options: InventoryOptions): GeneratedFile {
  const seed = options.seed ?? 1;
  const locations = Math.max(1, options.locations ?? 1);
  const sink = new FileSink(options.file);
  sink.write(row(CANONICAL_INVENTORY_HEADER));
  const updated = Date.UTC(2025, 10, 1);
  for (let r = 0; r < options.rows; r++) {
    const index = Math.floor(r / locations);
    const location = r % locations;
    const available = location === 0 ? makeItem(index, seed).available : (hash32(seed, index, location, 30) % 40) - 2;
    const committed = hash32(seed, index, location, 31) % 4;
    sink.write(
      row([
        `gid://shopify/InventoryItem/${INVENTORY_ITEM_ID_BASE + index}`,
        `gid://shopify/Location/${locationAt(location).id}`,
        String(available),
        String(available + committed),
        isoSeconds(updated + (hash32(seed, index, 32) % 86_400) * 1000),
      ]),
    );
  }
  sink.close();
  return { file: options.file, header: [...CANONICAL_INVENTORY_HEADER], rows: options.rows, bytes: sink.bytes };
}
