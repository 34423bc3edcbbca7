import { defineLayout } from './layout';

/** The old system's order lines (from Shopify GraphQL bulk exports). */
export const canonicalOrders = defineLayout({
  id: 'canonical-orders',
  title: 'canonical orders layout',
  format: 'canonical',
  kinds: ['ORDERS'],
  encoder: 'orders',
  columns: {
    order_id: ['order_id'],
    order_name: ['name'],
    created_at: ['created_at'],
    line_item_id: ['line_item_id'],
    variant_id: ['variant_id'],
    product_id: ['product_id'],
    sku: ['sku', 'line_item_sku', 'variant_sku'],
    quantity: ['quantity', 'line_item_quantity'],
    price: ['price', 'original_unit_price', 'unit_price', 'line_item_price'],
    discounted_total: ['discounted_total'],
    title: ['title', 'line_item_name', 'product_title'],
    vendor: ['vendor'],
    product_type: ['product_type'],
    financial_status: ['financial_status', 'display_financial_status'],
    cancelled_at: ['cancelled_at'],
    currency: ['currency', 'currency_code'],
  },
  required: [['order_id', 'order_name'], ['created_at'], ['quantity']],
});

const itemColumns = {
  variant_id: ['variant_id'],
  product_id: ['product_id'],
  handle: ['handle'],
  sku: ['sku'],
  barcode: ['barcode'],
  product_title: ['product_title'],
  option1: ['option1'],
  option2: ['option2'],
  option3: ['option3'],
  product_type: ['product_type'],
  vendor: ['vendor'],
  tags: ['tags'],
  status: ['status', 'product_status'],
  price: ['price'],
  compare_at_price: ['compare_at_price'],
  inventory_item_id: ['inventory_item_id'],
  available_total: ['available_total', 'inventory_quantity'],
  inventory_tracked: ['inventory_tracked'],
  inventory_policy: ['inventory_policy'],
  gift_card: ['gift_card'],
  product_created_at: ['product_created_at'],
  product_published_at: ['product_published_at'],
};

/** Variants: `variant_id` required, `title` is the variant's title. */
export const canonicalVariants = defineLayout({
  id: 'canonical-variants',
  title: 'canonical variants layout',
  format: 'canonical',
  kinds: ['VARIANTS'],
  encoder: 'items',
  columns: { ...itemColumns, variant_title: ['variant_title', 'title'] },
  required: [['variant_id']],
});

/** The old system's `catalog_joined`: variants joined with their products. */
export const canonicalCatalog = defineLayout({
  id: 'canonical-catalog',
  title: 'canonical catalog layout',
  format: 'canonical',
  kinds: ['CATALOG'],
  encoder: 'items',
  columns: { ...itemColumns, variant_title: ['variant_title'] },
  required: [['variant_id', 'sku']],
});

/** Inventory levels per item and location. */
export const canonicalInventory = defineLayout({
  id: 'canonical-inventory',
  title: 'canonical inventory layout',
  format: 'canonical',
  kinds: ['INVENTORY'],
  encoder: 'inventory',
  columns: {
    inventory_item_id: ['inventory_item_id'],
    sku: ['sku'],
    variant_id: ['variant_id'],
    handle: ['handle'],
    option1: ['option1'],
    option2: ['option2'],
    option3: ['option3'],
    location_id: ['location_id'],
    location_name: ['location', 'location_name'],
    stocked: ['stocked'],
    available: ['available'],
    on_hand: ['on_hand'],
    committed: ['committed'],
    incoming: ['incoming'],
    unavailable: ['unavailable'],
    updated_at: ['updated_at'],
  },
  required: [['inventory_item_id', 'sku', 'variant_id'], ['location_id', 'location_name']],
});
