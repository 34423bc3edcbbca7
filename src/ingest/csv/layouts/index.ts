import { canonicalCatalog, canonicalInventory, canonicalOrders, canonicalVariants } from './canonical';
import type { LayoutDef } from './layout';
import { shopifyInventory, shopifyInventoryByLocation } from './shopify-inventory';
import { shopifyOrders } from './shopify-orders';
import { shopifyProductsExport, shopifyProductsTemplate } from './shopify-products';

export type { EncoderKind, LayoutColumn, LayoutDef, SpreadColumns } from './layout';
export { canonicalCatalog, canonicalInventory, canonicalOrders, canonicalVariants } from './canonical';
export { SHOPIFY_INVENTORY_HEADER_NEWER, SHOPIFY_INVENTORY_HEADER_OLDER, shopifyInventory, shopifyInventoryByLocation } from './shopify-inventory';
export { SHOPIFY_ORDERS_HEADER, shopifyOrders } from './shopify-orders';
export {
  SHOPIFY_PRODUCTS_HEADER_B,
  SHOPIFY_PRODUCTS_HEADER_D,
  shopifyProductsExport,
  shopifyProductsTemplate,
} from './shopify-products';

/** Every layout, in the order they are tried. */
export const LAYOUTS: readonly LayoutDef[] = [
  canonicalOrders,
  shopifyOrders,
  canonicalVariants,
  canonicalCatalog,
  shopifyProductsExport,
  shopifyProductsTemplate,
  canonicalInventory,
  shopifyInventory,
  shopifyInventoryByLocation,
];
