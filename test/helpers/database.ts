import { Client } from 'pg';
import { getHarness } from '../setup';

/** Runs `work` with the URL of a new, empty database on the test server, dropped afterwards. */
export async function withEmptyDatabase(work: (url: string) => Promise<void>): Promise<void> {
  const name = `bundlegraph_empty_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: getHarness().databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(getHarness().databaseUrl);
    url.pathname = `/${name}`;
    await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
