import { expect } from 'chai';
import { afterUploadCommitted, maintenanceIdle, maintenanceSettings } from '../../src/ingest/table-maintenance';
import { createLogger } from '../../src/logger';
import { sql, uploadCsv } from '../helpers/ingest';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { getHarness } from '../setup';
import { coverageFixture, coverageOf, upload } from '../coverage/helpers';
import { captureSql, coverageSteps } from '../helpers/sql-capture';

async function maintenanceCounts(table: string): Promise<{ vacuums: number; analyses: number }> {
  const [row] = await sql<{ vacuums: number; analyses: number }>(
    'SELECT vacuum_count::int AS vacuums, analyze_count::int AS analyses FROM pg_stat_user_tables WHERE relname = ?',
    [table],
  );
  return row!;
}

describe('coverage: table maintenance after large uploads', () => {
  let shop: TestShop;
  const defaultMinRows = maintenanceSettings.minRows;
  const orm = () => getHarness().server.database.orm;

  before(async () => {
    shop = await createShop('coverage-maintenance');
  });

  afterEach(async () => {
    maintenanceSettings.minRows = defaultMinRows;
    await maintenanceIdle(orm());
  });

  it('a large upload has its table vacuumed and analysed in the background, with no coverage statement', async () => {
    maintenanceSettings.minRows = 10; // the fixture's 12 lines count as large here
    const runId = await createRun(shop.adminKey, 'maintained');
    const before = await maintenanceCounts('order_lines');
    const { statements } = await captureSql(async () => {
      await upload(shop.adminKey, runId, 'ORDERS', coverageFixture('orders.csv'));
      await maintenanceIdle(orm());
    });
    const after = await maintenanceCounts('order_lines');
    expect(after.vacuums).to.equal(before.vacuums + 1);
    expect(after.analyses).to.equal(before.analyses + 1);
    expect(statements.filter((s) => /^\s*VACUUM\b/i.test(s))).to.deep.equal(['VACUUM (ANALYZE) order_lines']);
    expect(coverageSteps(statements)).to.deep.equal([]);
    expect(statements.filter((s) => /coverage_(parts|items)/.test(s))).to.deep.equal([]);
    // Coverage is still computed on demand, from the same lines.
    expect(await coverageOf(shop.adminKey, runId, 'orders orderLines multiItemOrders')).to.deep.equal({ orders: 7, orderLines: 12, multiItemOrders: 3 });
  });

  it('small uploads, dry runs and failed uploads are left to autovacuum', async () => {
    const runId = await createRun(shop.adminKey, 'not maintained');
    const before = await maintenanceCounts('order_lines');
    const { statements } = await captureSql(async () => {
      await upload(shop.adminKey, runId, 'ORDERS', coverageFixture('orders.csv'));
      maintenanceSettings.minRows = 1;
      await upload(shop.adminKey, runId, 'ORDERS', coverageFixture('orders.csv'), { dryRun: true });
      const failed = await uploadCsv(shop.adminKey, runId, 'ORDERS', Buffer.from('order_id,created_at,line_item_id,sku,quantity\n9,2025-01-01,1,,1\n'));
      expect(failed.payload.upload.status).to.equal('FAILED');
      await maintenanceIdle(orm());
    });
    expect(statements.filter((s) => /\bVACUUM\b/i.test(s))).to.deep.equal([]);
    expect(await maintenanceCounts('order_lines')).to.deep.equal(before);
  });

  it('tables asked for while a VACUUM runs are vacuumed once each after it; unknown tables never', async () => {
    maintenanceSettings.minRows = 1;
    const logger = createLogger('silent');
    const before = await Promise.all(['order_lines', 'variants'].map(maintenanceCounts));
    const { statements } = await captureSql(async () => {
      const done = [
        afterUploadCommitted(orm(), logger, 'order_lines', 5),
        afterUploadCommitted(orm(), logger, 'variants', 5),
        afterUploadCommitted(orm(), logger, 'variants', 5),
        afterUploadCommitted(orm(), logger, 'shops', 5),
      ];
      await Promise.all(done);
      await maintenanceIdle(orm());
    });
    expect(statements.filter((s) => /\bVACUUM\b/i.test(s))).to.deep.equal(['VACUUM (ANALYZE) order_lines', 'VACUUM (ANALYZE) variants']);
    const after = await Promise.all(['order_lines', 'variants'].map(maintenanceCounts));
    expect(after.map((a, i) => a.vacuums - before[i]!.vacuums)).to.deep.equal([1, 1]);
  });
});
