import { normalizeHeaderName } from '../normalize';
import { defineLayout } from './layout';

/** Header of the older inventory export. */
export const SHOPIFY_INVENTORY_HEADER_OLDER: readonly string[] =
  'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Incoming,Unavailable,Committed,Available,On hand'.split(
    ',',
  );
/** Header of the newer inventory export. */
export const SHOPIFY_INVENTORY_HEADER_NEWER: readonly string[] =
  'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),Committed (not editable),Available (not editable),On hand (current),On hand (new)'.split(
    ',',
  );

/** The columns that name the variant, in every inventory export of Shopify's. */
const VARIANT_COLUMNS = {
  handle: ['Handle'],
  option1: ['Option1 Value'],
  option2: ['Option2 Value'],
  option3: ['Option3 Value'],
  sku: ['SKU'],
};

/** Shopify's inventory export (one row per variant per location), older and newer layouts. */
export const shopifyInventory = defineLayout({
  id: 'shopify-inventory',
  title: 'Shopify inventory export',
  format: 'shopify-inventory',
  kinds: ['INVENTORY'],
  encoder: 'inventory',
  columns: {
    ...VARIANT_COLUMNS,
    location_name: ['Location'],
    incoming: ['Incoming', 'Incoming (not editable)'],
    unavailable: ['Unavailable', 'Unavailable (not editable)'],
    committed: ['Committed', 'Committed (not editable)'],
    available: ['Available', 'Available (not editable)'],
    on_hand: ['On hand', 'On hand (current)'],
  },
  required: [['handle'], ['location_name'], ['available', 'on_hand', 'committed', 'incoming', 'unavailable']],
  known: [...SHOPIFY_INVENTORY_HEADER_OLDER, ...SHOPIFY_INVENTORY_HEADER_NEWER],
  variantOf: (n) =>
    n.has('on_hand_(current)') || n.has('available_(not_editable)') ? 'shopify-inventory-newer' : 'shopify-inventory-older',
});

/** The columns before the locations in Shopify's inventory export with a column per location. */
const BY_LOCATION_IDENTITY = 'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO'.split(',');
/** Names that are no location: the identity columns, and those of the export with a row per location. */
const NOT_LOCATIONS = new Set([...BY_LOCATION_IDENTITY, ...SHOPIFY_INVENTORY_HEADER_OLDER, ...SHOPIFY_INVENTORY_HEADER_NEWER].map(normalizeHeaderName));

/**
 * Shopify's inventory export of Available quantities only (and the export from before locations had rows of their
 * own): the variant's columns, then one column per location, named after it, holding the Available quantity or
 * `not stocked`. Each location column of a row is read as that variant's row at that location.
 */
export const shopifyInventoryByLocation = defineLayout({
  id: 'shopify-inventory-by-location',
  title: 'Shopify inventory export with a column per location',
  format: 'shopify-inventory',
  kinds: ['INVENTORY'],
  encoder: 'inventory',
  columns: VARIANT_COLUMNS,
  required: [['handle'], ['sku']],
  known: BY_LOCATION_IDENTITY,
  spread: {
    nameField: 'location_name',
    valueField: 'available',
    // The named columns after the SKU that are none of the inventory exports' own.
    columns: (normalized) => {
      const sku = normalized.indexOf('sku');
      if (sku < 0) return [];
      return normalized.flatMap((n, i) => (i > sku && n !== '' && !NOT_LOCATIONS.has(n) ? [i] : []));
    },
    display: 'a column per location (after SKU, HS Code and COO), or Location with Available or On hand',
  },
});
