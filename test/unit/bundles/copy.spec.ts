import { expect } from 'chai';
import { draftCopy, type CopyInput } from '../../../src/bundles/copy';

describe('drafted bundle copy', () => {
  const base: CopyInput = { kind: 'BUY_X_GET_Y', objective: 'increase_aov', names: ['Kettle', 'Filters'], discount: null, currency: 'USD', seasonal: false, observed: true };

  it("speaks of a buy-x-get-y's offer in its own terms: a percentage off the reward, an amount off the bundle, a free reward", () => {
    expect(draftCopy({ ...base, discount: { type: 'PERCENTAGE', value: '20' } })).to.deep.equal({
      title: 'Buy Kettle, get Filters 20% off',
      description: 'Customers who buy Kettle often add Filters. Add it now for 20% off.',
      badge: '20% off Filters',
      savingsMessage: 'Save 20% on Filters',
    });
    expect(draftCopy({ ...base, discount: { type: 'FIXED_AMOUNT', value: '15' } })).to.include({ title: 'Buy Kettle, add Filters and save $15.00', savingsMessage: 'Save $15.00 on the bundle' });
    // The offer first, so that a long name cut at 60 characters keeps it.
    expect(draftCopy({ ...base, discount: { type: 'FREE_ITEM' } })).to.include({ badge: 'Free Filters', savingsMessage: 'Filters is free' });
  });

  it('writes no empty sentence for a volume bundle without tiers', () => {
    const volume = draftCopy({ ...base, kind: 'VOLUME_DISCOUNT', names: ['Beans'], discount: { type: 'PERCENTAGE', value: '10' } });
    expect(volume).to.deep.equal({ title: 'Buy more, save more: Beans', description: 'Beans is often bought several at a time. Save 10%.', badge: 'Save 10%', savingsMessage: 'Save 10%' });
    expect(draftCopy({ ...base, kind: 'VOLUME_DISCOUNT', names: ['Beans'], observed: false }).description).to.equal('Stock up on Beans.');
  });
});
