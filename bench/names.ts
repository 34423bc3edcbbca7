/** Made-up words for synthetic shops: no real customer, address or product is described. */

export const ADJECTIVES = [
  'Amber', 'Brisk', 'Cedar', 'Dappled', 'Ember', 'Fable', 'Glade', 'Harbor', 'Indigo', 'Juniper', 'Kestrel', 'Lumen',
  'Meadow', 'Nimbus', 'Opal', 'Pebble', 'Quill', 'Russet', 'Sable', 'Thistle', 'Umber', 'Vesper', 'Willow', 'Yarrow',
  'Zephyr', 'Alder', 'Birch', 'Copper', 'Drift', 'Fern',
] as const;

export const NOUNS = [
  'Tote', 'Mug', 'Candle', 'Scarf', 'Notebook', 'Blanket', 'Beanie', 'Planter', 'Tumbler', 'Apron', 'Journal',
  'Pouch', 'Socks', 'Throw', 'Coaster Set', 'Soap Bar', 'Tea Tin', 'Backpack', 'Wallet', 'Cap', 'Mittens', 'Bowl',
  'Diffuser', 'Pillow Cover', 'Water Bottle', 'Card Holder', 'Lip Balm', 'Hand Cream', 'Bookmark', 'Keyring',
] as const;

export const PRODUCT_TYPES = [
  'Home', 'Kitchen', 'Accessories', 'Stationery', 'Bath & Body', 'Apparel', 'Outdoor', 'Gifts', 'Tea', 'Decor',
] as const;

export const VENDORS = [
  'Northwind Makers', 'Little Fox Goods', 'Copperleaf Studio', 'Harrow & Pine', 'Bluestem Supply', 'Oakhollow Co',
  'Saltmarsh Works', 'Tinder & Twine', 'Greyling House', 'Marigold Lane',
] as const;

export const TAGS = [
  'new', 'bestseller', 'gift', 'eco', 'handmade', 'limited', 'sale', 'organic', 'summer', 'winter', 'bundle-ready',
] as const;

export const SIZES = ['S', 'M', 'L'] as const;
export const COLORS = ['Sand', 'Moss', 'Slate'] as const;

export const FIRST_NAMES = [
  'Ada', 'Bram', 'Cleo', 'Dario', 'Elin', 'Faro', 'Gwen', 'Hollis', 'Ines', 'Jory', 'Kaia', 'Lionel', 'Mira',
  'Nico', 'Orla', 'Pim', 'Quinn', 'Rhea', 'Soren', 'Tova', 'Ulric', 'Vida', 'Wren', 'Xavi', 'Yara', 'Zane',
] as const;

export const LAST_NAMES = [
  'Ashgrove', 'Brindle', 'Calloway', 'Dunmore', 'Everly', 'Fairbank', 'Greenhalgh', 'Hartwell', 'Ingleby',
  'Jessop', 'Kettering', 'Larkspur', 'Merriweather', 'Northcott', 'Oakley', 'Pennywhistle', 'Quarrington',
  'Rowntree', 'Stillwater', 'Thornbury', 'Underhill', 'Vance', 'Whitlock', 'Yardley',
] as const;

export const STREETS = [
  'Lantern Row', 'Quarry Lane', 'Heron Way', 'Mossbank Road', 'Tallow Street', 'Orchard Close', 'Kite Hill',
  'Ferry Walk', 'Bellfounder Avenue', 'Wicker Court', 'Sparrow Crescent', 'Millrace Drive',
] as const;

/** Fictional towns with made-up postal codes; provinces and countries are real codes so that fields look right. */
export const TOWNS = [
  { city: 'Brookhaven Falls', zip: '04811', province: 'ME', provinceName: 'Maine', country: 'US' },
  { city: 'Cinder Ridge', zip: '59720', province: 'MT', provinceName: 'Montana', country: 'US' },
  { city: 'Lowmarsh', zip: '97144', province: 'OR', provinceName: 'Oregon', country: 'US' },
  { city: 'Pellham Cross', zip: '05062', province: 'VT', provinceName: 'Vermont', country: 'US' },
  { city: 'Port Aldous', zip: 'B0J 2C0', province: 'NS', provinceName: 'Nova Scotia', country: 'CA' },
  { city: 'Kestrel Bay', zip: 'V0N 1B4', province: 'BC', provinceName: 'British Columbia', country: 'CA' },
  { city: 'Tamsworth', zip: '78624', province: 'TX', provinceName: 'Texas', country: 'US' },
  { city: 'Greyford', zip: '02675', province: 'MA', provinceName: 'Massachusetts', country: 'US' },
] as const;

export const NOTES = [
  'Please leave at the side door.',
  'Gift - no receipt in the box please.',
  'Ring twice.\nThe bell is loud.',
  'Deliver after 5pm "if possible".',
] as const;

export const DISCOUNT_CODES = ['WELCOME10', 'SPRING15', 'FREESHIP', 'BUNDLE20'] as const;
export const SHIPPING_METHODS = ['Standard', 'Express', 'Local pickup'] as const;
export const PAYMENT_METHODS = ['Shopify Payments', 'PayPal Express Checkout', 'Manual'] as const;
export const SOURCES = ['web', 'pos', 'shopify_draft_order'] as const;
export const LOCATIONS = ['Main Warehouse', 'Harbor Street Shop', 'Overflow Depot', 'Pop-up Stall'] as const;
