import { defineLayout } from './layout';

const EXPORT_B =
  'Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,Google Shopping / Google Product Category,Google Shopping / Gender,Google Shopping / Age Group,Google Shopping / MPN,Google Shopping / Condition,Google Shopping / Custom Product,Google Shopping / Custom Label 0,Google Shopping / Custom Label 1,Google Shopping / Custom Label 2,Google Shopping / Custom Label 3,Google Shopping / Custom Label 4,Variant Image,Variant Weight Unit,Variant Tax Code,Cost per item,Included / Canada,Price / Canada,Compare At Price / Canada,Status';
const EXPORT_EXTRA =
  'Google Shopping / AdWords Grouping,Google Shopping / AdWords Labels,Option1 Linked To,Option2 Linked To,Option3 Linked To,Unit Price Total Measure,Unit Price Total Measure Unit,Unit Price Base Measure,Unit Price Base Measure Unit';
const TEMPLATE_D =
  'Title,URL handle,Description,Vendor,Product category,Type,Tags,Published on online store,Status,SKU,Barcode,Option1 name,Option1 value,Option1 Linked To,Option2 name,Option2 value,Option2 Linked To,Option3 name,Option3 value,Option3 Linked To,Price,Compare-at price,Cost per item,Charge tax,Tax code,Unit price total measure,Unit price total measure unit,Unit price base measure,Unit price base measure unit,Inventory tracker,Inventory quantity,Continue selling when out of stock,Weight value (grams),Weight unit for display,Requires shipping,Fulfillment service,Product image URL,Image position,Image alt text,Variant image URL,Gift card,SEO title,SEO description,Color (product.metafields.shopify.color-pattern),Google Shopping / Google product category,Google Shopping / Gender,Google Shopping / Age group,Google Shopping / Manufacturer part number (MPN),Google Shopping / Ad group name,Google Shopping / Ads labels,Google Shopping / Condition,Google Shopping / Custom product,Google Shopping / Custom label 0,Google Shopping / Custom label 1,Google Shopping / Custom label 2,Google Shopping / Custom label 3,Google Shopping / Custom label 4';

/** Header of products export layout B (2023-24). */
export const SHOPIFY_PRODUCTS_HEADER_B: readonly string[] = EXPORT_B.split(',');
/** Header of Shopify's newer product import template (layout D). */
export const SHOPIFY_PRODUCTS_HEADER_D: readonly string[] = TEMPLATE_D.split(',');

/** Metafield, per-market and unit-price columns of layout C, in normalised form. */
const DYNAMIC = [/\(product\.metafields\./, /^included_/, /^price_[a-z]/, /^compare_at_price_[a-z]/, /^unit_price_/];

/** Shopify's products export, layouts A (oldest), B (2023-24) and C (2025-26); matched by column name. */
export const shopifyProductsExport = defineLayout({
  id: 'shopify-products',
  title: 'Shopify products export',
  format: 'shopify-products',
  kinds: ['VARIANTS', 'CATALOG'],
  encoder: 'items',
  columns: {
    handle: ['Handle'],
    product_title: ['Title'],
    vendor: ['Vendor'],
    product_category: ['Product Category'],
    product_type: ['Type'],
    tags: ['Tags'],
    published: ['Published'],
    option1_name: ['Option1 Name'],
    option1: ['Option1 Value'],
    option2_name: ['Option2 Name'],
    option2: ['Option2 Value'],
    option3_name: ['Option3 Name'],
    option3: ['Option3 Value'],
    sku: ['Variant SKU'],
    available_total: ['Variant Inventory Qty'],
    inventory_tracked: ['Variant Inventory Tracker'],
    inventory_policy: ['Variant Inventory Policy'],
    price: ['Variant Price'],
    compare_at_price: ['Variant Compare At Price'],
    barcode: ['Variant Barcode'],
    gift_card: ['Gift Card'],
    status: ['Status'],
    variant_id: ['Variant ID'],
    image_src: ['Image Src'],
    image_position: ['Image Position'],
    image_alt_text: ['Image Alt Text'],
    variant_image: ['Variant Image'],
  },
  required: [['handle'], ['sku', 'price', 'option1', 'available_total']],
  known: [...EXPORT_B.split(','), ...EXPORT_EXTRA.split(',')],
  knownPatterns: DYNAMIC,
  variantOf: (n) =>
    n.has('option1_linked_to') || n.has('unit_price_total_measure')
      ? 'shopify-products-c'
      : n.has('status') || n.has('product_category')
        ? 'shopify-products-b'
        : 'shopify-products-a',
});

/** Shopify's newer product import template (layout D), which merchants fill in by hand. */
export const shopifyProductsTemplate = defineLayout({
  id: 'shopify-products-template',
  title: 'Shopify product import template',
  format: 'shopify-products',
  kinds: ['VARIANTS', 'CATALOG'],
  encoder: 'items',
  columns: {
    handle: ['URL handle', 'Handle'],
    product_title: ['Title'],
    vendor: ['Vendor'],
    product_category: ['Product category'],
    product_type: ['Type'],
    tags: ['Tags'],
    published: ['Published on online store'],
    status: ['Status'],
    sku: ['SKU'],
    barcode: ['Barcode'],
    option1_name: ['Option1 name'],
    option1: ['Option1 value'],
    option2_name: ['Option2 name'],
    option2: ['Option2 value'],
    option3_name: ['Option3 name'],
    option3: ['Option3 value'],
    price: ['Price'],
    compare_at_price: ['Compare-at price'],
    inventory_tracked: ['Inventory tracker'],
    available_total: ['Inventory quantity'],
    continue_selling: ['Continue selling when out of stock'],
    gift_card: ['Gift card'],
    image_src: ['Product image URL'],
    image_position: ['Image position'],
    image_alt_text: ['Image alt text'],
    variant_image: ['Variant image URL'],
  },
  required: [['handle'], ['sku', 'price', 'option1', 'available_total']],
  known: TEMPLATE_D.split(','),
  knownPatterns: DYNAMIC,
  variantOf: () => 'shopify-products-d',
});
