import { expect } from 'chai';
import { getHarness } from '../setup';

describe('statements sent on one connection', () => {
  it('wait their turn in the dialect, in the order sent, not in pg\'s deprecated client queue', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const order: number[] = [];
      await getHarness().server.database.orm.em.fork().transactional(async (em) => {
        // The first is still running when the others are sent.
        await Promise.all(
          [1, 2, 3, 4].map((n) => em.execute(`SELECT pg_sleep(${n === 1 ? 0.05 : 0}), ${n} AS n`).then(() => order.push(n))),
        );
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(order).to.deep.equal([1, 2, 3, 4]);
      expect(warnings.filter((message) => message.includes('already executing a query'))).to.deep.equal([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
