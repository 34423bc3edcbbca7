import { expect } from 'chai';
import { forgetRecommendations, rememberRecommendation, type RecommendationSource } from '../../../src/bundles/recommendation-cache';
import type { CacheDependency } from '../../../src/graphql/response-cache';

/** Runs `work` with Date.now moved `offsetMs` ahead of the real clock. */
async function later<T>(offsetMs: number, work: () => T | Promise<T>): Promise<T> {
  const real = Date.now;
  const shifted = real() + offsetMs;
  Date.now = () => shifted;
  try {
    return await work();
  } finally {
    Date.now = real;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('kept storefront answers as cache dependencies', () => {
  let shops = 0;

  /** A shop of its own whose data version is `version.current`; counts computations and version reads. */
  function shop() {
    const shopId = `unit-${process.pid}-${++shops}`;
    const counts = { computed: 0, checked: 0 };
    const version = { current: 'v1', hold: false };
    const source: RecommendationSource<string> = {
      compute: async () => `answer ${++counts.computed}`,
      readVersion: () => {
        counts.checked++;
        return version.hold ? new Promise<string>(() => undefined) : Promise.resolve(version.current);
      },
    };
    const remember = async () => {
      let dependency: CacheDependency | undefined;
      const value = await rememberRecommendation(shopId, ['sku'], source, (d) => (dependency = d));
      return { value, dependency: dependency! };
    };
    return { shopId, counts, version, remember };
  }

  /** A shop past its first check, with one answer kept. */
  async function checkedShop() {
    const s = shop();
    const first = await s.remember();
    await settle();
    expect(first.dependency.isValid()).to.equal(false); // computed before the first check: cannot say what it read
    const kept = await s.remember();
    return { ...s, kept };
  }

  it('is computed once and shared while the shop is fresh', async () => {
    const s = await checkedShop();
    expect(s.kept.value).to.equal('answer 2');
    expect(s.kept.dependency.isValid()).to.equal(true);
    expect((await s.remember()).value).to.equal('answer 2');
    expect(s.counts).to.deep.equal({ computed: 2, checked: 1 });
  });

  it("is invalid once the shop's data is written through this process", async () => {
    const s = await checkedShop();
    forgetRecommendations(s.shopId);
    expect(s.kept.dependency.isValid()).to.equal(false);
    expect((await s.remember()).value).to.equal('answer 3');
  });

  it('past its freshness, one check of the shop keeps every answer when nothing changed', async () => {
    const s = await checkedShop();
    await later(6_000, async () => {
      expect(s.kept.dependency.isValid()).to.equal(true); // served while the check runs
      await settle();
      expect(s.kept.dependency.isValid()).to.equal(true);
      expect((await s.remember()).value).to.equal('answer 2');
    });
    expect(s.counts).to.deep.equal({ computed: 2, checked: 2 });
  });

  it('past its freshness, a new data version (another process wrote) drops the answers', async () => {
    const s = await checkedShop();
    s.version.current = 'v2';
    await later(6_000, async () => {
      expect(s.kept.dependency.isValid()).to.equal(true);
      await settle();
      expect(s.kept.dependency.isValid()).to.equal(false);
      expect((await s.remember()).value).to.equal('answer 3');
    });
  });

  it('is invalid past the stale allowance when the check does not answer', async () => {
    const s = await checkedShop();
    s.version.hold = true;
    await later(6_000, () => expect(s.kept.dependency.isValid()).to.equal(true));
    await later(11_000, () => expect(s.kept.dependency.isValid()).to.equal(false));
  });
});
