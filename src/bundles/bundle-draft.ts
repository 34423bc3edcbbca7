import crypto from 'node:crypto';
import { MAX_KEY_CHARS, normalizeSku, variantIdOf } from '../ingest/csv';
import { userError, type UserError } from '../graphql/user-error';
import { BundleItemRole } from './bundle-item.entity';
import { BundleKind, BundleSource, BundleStatus, type StoredCopy, type StoredDiscount } from './bundle.entity';
import { BundleDiscountType, type BundleCopyInput, type BundleDiscountInput, type BundleInput } from './bundle.types';

/** A bundle checked and normalised, ready to be saved: what bundlesSave and generation both hand to the save path. */
export interface BundleDraft {
  /** Null until the save path derives it from the items, once their identities are complete. */
  key: string | null;
  kind: BundleKind;
  source: BundleSource;
  status: BundleStatus;
  pinned: boolean;
  title: string | null;
  items: DraftItem[];
  discount: StoredDiscount | null;
  copy: StoredCopy | null;
  objective: string | null;
  rank: number | null;
  support?: number | null;
  confidence?: number | null;
  lift?: number | null;
  score?: number | null;
  orderCount?: number | null;
}

export interface DraftItem {
  sku: string | null;
  variantId: string | null;
  quantity: number;
  role: BundleItemRole;
}

const MAX_ITEMS = 20;
const MAX_QUANTITY = 10_000;
/** Storefronts show a bundle's tiers side by side: Shopify's own volume discounts stop at 10 or fewer. */
const MAX_TIERS = 10;
const MAX_TEXT = { key: 200, title: 255, description: 2000, badge: 60, savingsMessage: 255, objective: 60 } as const;
const DECIMAL = /^\d+(\.\d+)?$/;
/** The longest derived key kept as it reads, in UTF-8 bytes; a longer one is named by its digest (see deriveKey). */
const MAX_DERIVED_KEY_BYTES = 200;

type Path = (string | number)[];

/** The item's identity as keys and lookups use it: the variant id where known, else the SKU. */
export function itemIdentity(item: Pick<DraftItem, 'sku' | 'variantId'>): string {
  return item.variantId ? `v:${item.variantId}` : `s:${item.sku}`;
}

/**
 * The key a bundle derived from these items had while its run did not know their variant ids: each item with a SKU
 * named by it. Shopify's exports carry no variant ids, so a run built from them keys its bundles by SKU; once a file
 * with the ids arrives, the same items derive another key. Saves and generations look for a bundle under this key
 * too, so that it stays one bundle (given the new key) rather than a duplicate beside one a merchant approved.
 * Null when no item has both.
 */
export function keyBySku(kind: BundleKind, items: DraftItem[]): string | null {
  if (!items.some((item) => item.sku && item.variantId)) return null;
  return deriveKey(kind, items.map((item) => (item.sku ? { ...item, variantId: null } : item)));
}

/**
 * A bundle's key from its kind and sorted items, so that the same set saved twice (or generated twice) is one
 * bundle: e.g. "FREQUENTLY_BOUGHT_TOGETHER:s:CAP-RED+v:501*2".
 */
export function deriveKey(kind: BundleKind, items: DraftItem[]): string {
  const parts = items.map((item) => {
    const role = item.role === BundleItemRole.ITEM ? '' : `${item.role.toLowerCase()}:`;
    return `${role}${itemIdentity(item)}${item.quantity === 1 ? '' : `*${item.quantity}`}`;
  });
  const key = `${kind}:${parts.sort().join('+')}`;
  // Keys are indexed: one of many long SKUs is named by its digest instead, the same for the same items (and the
  // same as Migration20261130170000_long_bundle_keys gave the keys stored before).
  return Buffer.byteLength(key) <= MAX_DERIVED_KEY_BYTES ? key : `${kind}:sha256:${crypto.createHash('sha256').update(key).digest('hex')}`;
}

function text(value: string | null | undefined, max: number, path: Path, errors: UserError[]): string | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  if (trimmed.length > max) errors.push(userError('TOO_LONG', `At most ${max} characters.`, path));
  return trimmed;
}

export function checkDiscount(discount: BundleDiscountInput | null | undefined, kind: BundleKind, items: DraftItem[], path: Path, errors: UserError[]): StoredDiscount | null {
  if (!discount) return null;
  const at = (...rest: Path) => [...path, ...rest];
  const percentage = (value: string | null | undefined, field: Path) => {
    if (value == null) {
      errors.push(userError('BLANK', 'Give the percentage.', field));
      return null;
    }
    // 100% would give the bundle away, as a fixed amount as large as its total would (refused too, when saved).
    if (!DECIMAL.test(value) || Number(value) >= 100) {
      errors.push(userError('OUT_OF_RANGE', 'A percentage must be 0 or more and below 100.', field));
      return null;
    }
    return value;
  };
  // Fields that the type does not use are refused rather than dropped: the client meant something by them.
  if (discount.type !== BundleDiscountType.QUANTITY_TIERS && discount.tiers?.length) {
    errors.push(userError('INVALID', `Tiers are for QUANTITY_TIERS discounts, not ${discount.type}.`, at('tiers')));
  }
  if (discount.type === BundleDiscountType.QUANTITY_TIERS || discount.type === BundleDiscountType.FREE_ITEM) {
    if (discount.value != null) errors.push(userError('INVALID', `A ${discount.type} discount takes no value.`, at('value')));
  }
  switch (discount.type) {
    case BundleDiscountType.PERCENTAGE:
      return { type: discount.type, value: percentage(discount.value, at('value')) };
    case BundleDiscountType.FIXED_AMOUNT:
      if (discount.value == null) errors.push(userError('BLANK', 'Give the amount.', at('value')));
      else if (!DECIMAL.test(discount.value)) errors.push(userError('OUT_OF_RANGE', 'A fixed amount must be zero or more.', at('value')));
      return { type: discount.type, value: discount.value ?? null };
    case BundleDiscountType.FREE_ITEM:
      if (items.length < 2) errors.push(userError('INVALID', 'A free item needs at least two items in the bundle.', at('type')));
      return { type: discount.type };
    case BundleDiscountType.QUANTITY_TIERS: {
      if (kind !== BundleKind.VOLUME_DISCOUNT) {
        errors.push(userError('INVALID', 'Quantity tiers are for VOLUME_DISCOUNT bundles.', at('type')));
      }
      const tiers = discount.tiers ?? [];
      if (tiers.length === 0) errors.push(userError('BLANK', 'Give at least one tier.', at('tiers')));
      if (tiers.length > MAX_TIERS) {
        errors.push(userError('TOO_MANY_TIERS', `At most ${MAX_TIERS} tiers.`, at('tiers')));
        return null;
      }
      tiers.forEach((tier, i) => {
        if (!Number.isInteger(tier.minQuantity) || tier.minQuantity < 2 || tier.minQuantity > MAX_QUANTITY) {
          errors.push(userError('OUT_OF_RANGE', `A tier starts at a quantity from 2 to ${MAX_QUANTITY}.`, at('tiers', i, 'minQuantity')));
        }
        const ascending = i === 0 || tier.minQuantity > tiers[i - 1].minQuantity;
        if (!ascending) {
          errors.push(userError('NOT_ASCENDING', 'Tiers go from the smallest quantity to the largest.', at('tiers', i, 'minQuantity')));
        }
        const value = percentage(tier.percentage, at('tiers', i, 'percentage'));
        const before = i > 0 ? tiers[i - 1].percentage : null;
        if (ascending && value !== null && before != null && DECIMAL.test(before) && Number(value) < Number(before)) {
          errors.push(userError('NOT_ASCENDING', 'A tier for more units gives at least the discount of the tier before it.', at('tiers', i, 'percentage')));
        }
      });
      return { type: discount.type, tiers: tiers.map((t) => ({ minQuantity: t.minQuantity, percentage: t.percentage })) };
    }
  }
}

export function checkCopy(copy: BundleCopyInput | null | undefined, path: Path, errors: UserError[]): StoredCopy | null {
  if (!copy) return null;
  return {
    title: text(copy.title, MAX_TEXT.title, [...path, 'title'], errors),
    description: text(copy.description, MAX_TEXT.description, [...path, 'description'], errors),
    badge: text(copy.badge, MAX_TEXT.badge, [...path, 'badge'], errors),
    savingsMessage: text(copy.savingsMessage, MAX_TEXT.savingsMessage, [...path, 'savingsMessage'], errors),
  };
}

export function checkRank(rank: number | null | undefined, path: Path, errors: UserError[]): number | null {
  if (rank == null) return null;
  if (rank < 1) errors.push(userError('OUT_OF_RANGE', 'Ranks start at 1.', path));
  return rank;
}

function checkItems(kind: BundleKind, input: BundleInput, path: Path, errors: UserError[]): DraftItem[] {
  const items: DraftItem[] = input.items.map((item, i) => {
    const sku = item.sku ? normalizeSku(item.sku) || null : null;
    const variantId = item.variantId ? variantIdOf(item.variantId) || null : null;
    if (!sku && !item.variantId?.trim()) errors.push(userError('BLANK', 'An item needs a sku or a variantId.', [...path, 'items', i]));
    for (const [field, value] of [['sku', sku], ['variantId', variantId]] as const) {
      if (value && value.length > MAX_KEY_CHARS) errors.push(userError('TOO_LONG', `At most ${MAX_KEY_CHARS} characters.`, [...path, 'items', i, field]));
    }
    // A product's (or any other object's) gid is not a variant's, though its number may look like one.
    if (item.variantId && variantId === null) {
      errors.push(userError('INVALID', 'variantId must be a variant id or a gid://shopify/ProductVariant/ gid.', [...path, 'items', i, 'variantId']));
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      errors.push(userError('OUT_OF_RANGE', `Quantity must be a whole number from 1 to ${MAX_QUANTITY}.`, [...path, 'items', i, 'quantity']));
    }
    if (item.role !== BundleItemRole.ITEM && kind !== BundleKind.BUY_X_GET_Y) {
      errors.push(userError('INVALID', 'BUY and GET roles are for BUY_X_GET_Y bundles.', [...path, 'items', i, 'role']));
    }
    return { sku, variantId, quantity: item.quantity, role: item.role };
  });
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    if (!item.sku && !item.variantId) return;
    const identity = `${item.role}:${itemIdentity(item)}`;
    if (seen.has(identity)) errors.push(userError('DUPLICATE', `The same item is already item ${seen.get(identity)} of this bundle.`, [...path, 'items', i]));
    else seen.set(identity, i);
  });
  const minimum = kind === BundleKind.FREQUENTLY_BOUGHT_TOGETHER || kind === BundleKind.MIX_AND_MATCH ? 2 : 1;
  if (items.length < minimum) {
    errors.push(userError('TOO_FEW_ITEMS', `A ${kind} bundle needs at least ${minimum === 1 ? 'one item' : `${minimum} items`}.`, [...path, 'items']));
  }
  if (items.length > MAX_ITEMS) errors.push(userError('TOO_MANY_ITEMS', `At most ${MAX_ITEMS} items.`, [...path, 'items']));
  if (kind === BundleKind.BUY_X_GET_Y) {
    if (!items.some((item) => item.role === BundleItemRole.BUY) || !items.some((item) => item.role === BundleItemRole.GET)) {
      errors.push(userError('MISSING_ROLE', 'A BUY_X_GET_Y bundle needs at least one BUY item and one GET item.', [...path, 'items']));
    }
  }
  return items;
}

/** Reports bundles of one request that share a key, by their position in the request; bundles without a key are skipped. */
export function duplicateKeys(keys: readonly (string | null | undefined)[]): UserError[] {
  const first = new Map<string, number>();
  const errors: UserError[] = [];
  keys.forEach((key, index) => {
    if (key == null) return;
    if (first.has(key)) errors.push(userError('DUPLICATE_KEY', `Bundle ${first.get(key)} of this request has the same key "${key}".`, ['bundles', index, 'key']));
    else first.set(key, index);
  });
  return errors;
}

/** The most bundles one bundlesSave takes: a run's whole set of generated bundles is far fewer. */
export const MAX_BUNDLES_PER_SAVE = 10_000;

export function draftsFromInput(inputs: BundleInput[], source: BundleSource): { drafts: BundleDraft[]; errors: UserError[] } {
  const errors: UserError[] = [];
  if (inputs.length > MAX_BUNDLES_PER_SAVE) {
    errors.push(userError('TOO_MANY_BUNDLES', `At most ${MAX_BUNDLES_PER_SAVE} bundles a save; save the others in another request.`, ['bundles']));
    return { drafts: [], errors };
  }
  const drafts = inputs.map((input, index) => {
    const path: Path = ['bundles', index];
    const items = checkItems(input.kind, input, path, errors);
    const key = text(input.key, MAX_TEXT.key, [...path, 'key'], errors);
    return {
      key,
      kind: input.kind,
      source,
      status: input.status ?? BundleStatus.DRAFT,
      pinned: input.pinned ?? false,
      title: text(input.title, MAX_TEXT.title, [...path, 'title'], errors),
      items,
      discount: checkDiscount(input.discount, input.kind, items, [...path, 'discount'], errors),
      copy: checkCopy(input.copy, [...path, 'copy'], errors),
      objective: text(input.objective, MAX_TEXT.objective, [...path, 'objective'], errors),
      rank: checkRank(input.rank, [...path, 'rank'], errors),
    };
  });
  // Keys given in the request are checked here with everything else; keys derived from items need the catalog to
  // be complete, and are checked when saving (BundleService.save).
  errors.push(...duplicateKeys(drafts.map((draft) => draft.key)));
  return { drafts: errors.length ? [] : drafts, errors };
}
