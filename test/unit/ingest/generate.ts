import { SHOPIFY_ORDERS_HEADER } from '../../../src/ingest/csv/layouts';

/** Deterministic pseudo-random numbers for generated test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const WORDS = ['Linen', 'Tote', 'Mug', 'Candle', 'Scarf', 'Notebook', 'Lamp', 'Basket', 'Blanket', 'Vase', 'Print', 'Soap'];
const VENDORS = ['Harbor & Pine', 'Quill Works', 'Otter Lane', 'Mossy Stone Co'];
const STATUSES = ['paid', 'paid', 'paid', 'pending', 'refunded', 'partially_refunded'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Canonical order lines (one row per line item), generated in pieces of about `pieceBytes`. */
export function* canonicalOrders(lines: number, seed = 1, pieceBytes = 1 << 16): Generator<Buffer> {
  const r = rng(seed);
  let out = 'order_id,created_at,line_item_id,variant_id,sku,quantity,price,title,vendor,financial_status,currency\n';
  let order = 5_000_000_000_000;
  let line = 14_000_000_000_000;
  let written = 0;
  while (written < lines) {
    order += 1 + Math.floor(r() * 3);
    const n = 1 + Math.floor(r() * 3);
    const created = `2025-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}T${pad(Math.floor(r() * 24))}:${pad(Math.floor(r() * 60))}:${pad(Math.floor(r() * 60))}-04:00`;
    const status = STATUSES[Math.floor(r() * STATUSES.length)]!;
    for (let i = 0; i < n && written < lines; i++) {
      line += 1 + Math.floor(r() * 5);
      const v = 40_000_000_000 + Math.floor(r() * 5000);
      const w1 = WORDS[Math.floor(r() * WORDS.length)]!;
      const qty = 1 + Math.floor(r() * 4);
      const price = (5 + Math.floor(r() * 9000) / 100).toFixed(2);
      const title = r() < 0.05 ? `"${w1}, ""Large"""` : w1;
      out += `${order},${i === 0 ? created : ''},${line},${v},SKU-${v % 100000},${qty},${price},${title},${VENDORS[v % VENDORS.length]},${i === 0 ? status : ''},${i === 0 ? 'USD' : ''}\n`;
      written++;
    }
    if (out.length >= pieceBytes) {
      yield Buffer.from(out);
      out = '';
    }
  }
  if (out.length > 0) yield Buffer.from(out);
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

/** Shopify orders export rows (79 columns), made-up people and products. */
export function* shopifyOrders(lines: number, seed = 2, pieceBytes = 1 << 16): Generator<Buffer> {
  const r = rng(seed);
  const H = SHOPIFY_ORDERS_HEADER;
  const idx = new Map(H.map((h, i) => [h, i]));
  let out = H.join(',') + '\n';
  let order = 1000;
  let written = 0;
  const cells: string[] = new Array<string>(H.length).fill('');
  const set = (name: string, v: string) => {
    cells[idx.get(name)!] = v;
  };
  while (written < lines) {
    order++;
    const n = 1 + Math.floor(r() * 3);
    const created = `2025-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))} ${pad(Math.floor(r() * 24))}:${pad(Math.floor(r() * 60))}:${pad(Math.floor(r() * 60))} -0400`;
    const email = `shopper${order}@example.test`;
    for (let i = 0; i < n && written < lines; i++) {
      cells.fill('');
      set('Name', `#${order}`);
      set('Email', email);
      set('Created at', created);
      const qty = 1 + Math.floor(r() * 3);
      const price = (5 + Math.floor(r() * 9000) / 100).toFixed(2);
      const w1 = WORDS[Math.floor(r() * WORDS.length)]!;
      set('Lineitem quantity', String(qty));
      set('Lineitem name', `${w1} - Blue / M`);
      set('Lineitem price', price);
      set('Lineitem compare at price', '');
      set('Lineitem sku', r() < 0.05 ? '' : `SKU-${Math.floor(r() * 100000)}`);
      set('Lineitem requires shipping', 'true');
      set('Lineitem taxable', 'true');
      set('Lineitem fulfillment status', 'pending');
      set('Vendor', VENDORS[Math.floor(r() * VENDORS.length)]!);
      set('Lineitem discount', '0.00');
      if (i === 0) {
        set('Financial Status', STATUSES[Math.floor(r() * STATUSES.length)]!);
        set('Paid at', created);
        set('Fulfillment Status', 'unfulfilled');
        set('Accepts Marketing', 'no');
        set('Currency', 'USD');
        set('Subtotal', '42.00');
        set('Shipping', '5.00');
        set('Taxes', '3.36');
        set('Total', '50.36');
        set('Discount Amount', '0.00');
        set('Shipping Method', 'Standard');
        set('Billing Name', 'Robin Example');
        set('Billing Street', '12 Sample Street');
        set('Billing Address1', '12 Sample Street');
        set('Billing City', 'Springfield');
        set('Billing Zip', "'02134");
        set('Billing Province', 'MA');
        set('Billing Country', 'US');
        set('Billing Phone', '+1 555 0100');
        set('Shipping Name', 'Robin Example');
        set('Shipping Street', '12 Sample Street');
        set('Shipping Address1', '12 Sample Street');
        set('Shipping City', 'Springfield');
        set('Shipping Zip', "'02134");
        set('Shipping Province', 'MA');
        set('Shipping Country', 'US');
        set('Notes', r() < 0.05 ? 'Leave at the door,\nplease' : '');
        set('Payment Method', 'Shopify Payments');
        set('Refunded Amount', '0.00');
        set('Outstanding Balance', '0.00');
        set('Id', String(5_900_000_000_000 + order));
        set('Tags', 'vip, repeat');
        set('Risk Level', 'Low');
        set('Source', 'web');
        set('Tax 1 Name', 'MA 6.25%');
        set('Tax 1 Value', '3.36');
        set('Billing Province Name', 'Massachusetts');
        set('Shipping Province Name', 'Massachusetts');
        set('Payment ID', `c${order}.1`);
        set('Payment References', `c${order}.1`);
      }
      out += cells.map(csvCell).join(',') + '\n';
      written++;
    }
    if (out.length >= pieceBytes) {
      yield Buffer.from(out);
      out = '';
    }
  }
  if (out.length > 0) yield Buffer.from(out);
}
