import { expect } from 'chai';
import { BundleItemRole } from '../../../src/bundles/bundle-item.entity';
import { moneyFormatter } from '../../../src/bundles/copy';
import { currencyDigits } from '../../../src/bundles/money';
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

  it("shows amounts in the currency's minor unit, and charges a fixed amount the currency can charge, as the copy says", () => {
    expect([currencyDigits('USD'), currencyDigits('jpy'), currencyDigits('KWD'), currencyDigits('XX!'), currencyDigits(null)]).to.deep.equal([2, 0, 3, 2, 2]);
    expect(priceBundle([item('60'), item('43.7')], { type: 'PERCENTAGE', value: '5' }, 0)).to.deep.equal({
      originalTotal: '104',
      bundlePrice: '99',
      savings: '5',
      savingsPercentage: 4.81,
    });
    const usd = priceBundle([item('10.00')], { type: 'FIXED_AMOUNT', value: '1.005' }, currencyDigits('USD'))!;
    expect(usd).to.include({ bundlePrice: '8.99', savings: '1.01' });
    expect(moneyFormatter('USD')('1.005')).to.equal('$1.01');
    const yen = priceBundle([item('100'), item('50')], { type: 'FIXED_AMOUNT', value: '3.5' }, currencyDigits('JPY'))!;
    expect(yen).to.include({ originalTotal: '150', bundlePrice: '146', savings: '4' });
    expect(moneyFormatter('JPY')('3.5')).to.equal('¥4');
    // Without a currency, a plain amount, rounded as pricing rounds.
    expect(moneyFormatter(null)('1.005')).to.equal('1.01');
    expect(priceBundle([item('1.2345')], null, 3)).to.include({ originalTotal: '1.235' });
    expect(priceBundle([item('-0.004')], null)).to.include({ originalTotal: '0.00' });
  });

  it('has no price while any item has none: a partial total would mislead', () => {
    expect(priceBundle([item('12.50'), item(null)], { type: 'PERCENTAGE', value: '10' })).to.equal(null);
  });
});
