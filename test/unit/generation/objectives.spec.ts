import { expect } from 'chai';
import { fbtObjective, signalsOf } from '../../../src/generation/objectives';
import type { ItemRow } from '../../../src/generation/mining';
import { DEFAULT_SETTINGS } from '../../../src/generation/settings';

function item(price: string | null, compareAtPrice: string | null): ItemRow {
  return {
    no: 1, item: 'v:1', sku: 'A', variantId: '1', productId: null, title: 'A', price, compareAtPrice, status: 'active', tags: null,
    productCreatedAt: null, orders: 10, assocOrders: 10, lines: 10, multiLines: 0, units: 10, recentUnits: 10, excluded: null,
  };
}

describe('generation/objectives: item signals', () => {
  it('reads the depth of a sale from the prices as decimals: 12.00 against 15.00 is 20% off, which is "already discounted"', () => {
    const depth = (price: string | null, compareAt: string | null) => signalsOf(item(price, compareAt), undefined, null, DEFAULT_SETTINGS).discountDepth;
    expect(depth('12.00', '15.00')).to.equal(0.2);
    expect(depth('15.99', '19.99')).to.equal(40_000 / 199_900);
    expect(depth('19.99', '19.99')).to.equal(0);
    expect(depth('20.00', '15.00')).to.equal(0);
    expect(depth(null, '15.00')).to.equal(0);
    const signals = signalsOf(item('12.00', '15.00'), undefined, null, DEFAULT_SETTINGS);
    expect(fbtObjective([signals, signalsOf(item('5.00', null), undefined, null, DEFAULT_SETTINGS)], DEFAULT_SETTINGS)).to.equal('margin_guard');
  });
});
