import { expect } from 'chai';
import { BundleItemRole } from '../../../src/bundles/bundle-item.entity';
import { priceBundle } from '../../../src/bundles/pricing';

describe('bundle pricing from catalog prices', () => {
  const item = (price: string | null, quantity = 1, role = BundleItemRole.ITEM) => ({ price, quantity, role });

  it('prices an amount off that the catalog overtook at 0, not below', () => {
    // Refused when saved (bundle.service); a price cut after the save can still leave the amount over the total.
    expect(priceBundle([item('12.50'), item('2.00', 2)], { type: 'FIXED_AMOUNT', value: '100' })).to.deep.equal({
      originalTotal: '16.50',
      bundlePrice: '0.00',
      savings: '16.50',
      savingsPercentage: 100,
    });
  });

  it('has no price while any item has none: a partial total would mislead', () => {
    expect(priceBundle([item('12.50'), item(null)], { type: 'PERCENTAGE', value: '10' })).to.equal(null);
  });
});
