import { expect } from 'chai';
import { forgetRecommendations, rememberRecommendation } from '../../../src/bundles/recommendation-cache';
import type { CacheDependency } from '../../../src/graphql/response-cache';

/** Runs `work` with Date.now moved `offsetMs` ahead. */
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
  let shop = 0;
  /** An answer kept under a shop of its own, computed by `answers` in turn; its dependency and its call count. */
  async function remember(answers: unknown[]) {
    const shopId = `unit-${process.pid}-${++shop}`;
    let calls = 0;
    const compute = async () => answers[Math.min(calls++, answers.length - 1)];
    let dependency: CacheDependency | undefined;
    const value = await rememberRecommendation(shopId, ['sku'], compute, (d) => (dependency = d));
    return { shopId, value, dependency: dependency!, calls: () => calls, compute };
  }

  it('stays valid while fresh and shares one computation', async () => {
    const kept = await remember([['a']]);
    expect(kept.value).to.deep.equal(['a']);
    expect(kept.dependency.isValid()).to.equal(true);
    expect(await rememberRecommendation(kept.shopId, ['sku'], kept.compute)).to.deep.equal(['a']);
    expect(kept.calls()).to.equal(1);
  });

  it("is invalid once the shop's data is written", async () => {
    const kept = await remember([['a']]);
    forgetRecommendations(kept.shopId);
    expect(kept.dependency.isValid()).to.equal(false);
  });

  it('past its freshness, refreshes; an unchanged answer keeps it valid', async () => {
    const kept = await remember([['a'], ['a']]);
    await later(7_000, async () => {
      expect(kept.dependency.isValid()).to.equal(true); // stale, served while recomputed
      await settle();
      expect(kept.calls()).to.equal(2);
      expect(kept.dependency.isValid()).to.equal(true); // recomputed unchanged: fresh again
    });
  });

  it('past its freshness, a changed answer makes it invalid and replaces it', async () => {
    const kept = await remember([['a'], ['b']]);
    await later(7_000, async () => {
      expect(kept.dependency.isValid()).to.equal(true);
      await settle();
      expect(kept.dependency.isValid()).to.equal(false);
      expect(await rememberRecommendation(kept.shopId, ['sku'], kept.compute)).to.deep.equal(['b']);
    });
  });

  it('is invalid once past its freshness and the stale allowance', async () => {
    const kept = await remember([['a']]);
    await later(11_000, () => expect(kept.dependency.isValid()).to.equal(false));
  });
});
