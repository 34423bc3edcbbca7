import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { withEmptyDatabase } from '../helpers/database';
import { gql, ok } from '../helpers/client';
import { getHarness } from '../setup';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', '..', '..', 'bin', 'bundlegraph.js');

function cli(...args: string[]) {
  return cliOn(getHarness().databaseUrl, ...args);
}

function cliOn(databaseUrl: string, ...args: string[]) {
  return run(process.execPath, [bin, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } });
}

describe('command line', () => {
  it('creates a shop and prints the JSON of the contract; the key works over HTTP', async () => {
    const domain = `cli-${Date.now()}.myshopify.com`;
    const { stdout } = await cli('shop', 'create', '--domain', domain);
    const printed = JSON.parse(stdout);
    expect(Object.keys(printed)).to.deep.equal(['shop', 'apiKey']);
    expect(printed.shop.domain).to.equal(domain);
    expect(printed.shop.id).to.match(/^gid:\/\/bundlegraph\/Shop\/\d+$/);
    const data = ok(await gql('{ shop { domain } }', {}, { key: printed.apiKey }));
    expect(data.shop.domain).to.equal(domain);
  });

  it('creates a READ key for an existing shop', async () => {
    const domain = `cli-read-${Date.now()}.myshopify.com`;
    await cli('shop', 'create', '--domain', domain);
    const { stdout } = await cli('key', 'create', '--shop', domain, '--scope', 'READ', '--name', 'storefront');
    const printed = JSON.parse(stdout);
    expect(printed).to.deep.include({ scope: 'READ', name: 'storefront' });
    expect(printed.id).to.match(/^gid:\/\/bundlegraph\/ApiKey\/\d+$/);
    const refused = await gql('mutation { runCreate(input: { name: "x" }) { run { id } } }', {}, { key: printed.apiKey });
    expect(refused.errors?.[0].extensions?.code).to.equal('FORBIDDEN');
  });

  it('explains a duplicate shop and an unknown command with a non-zero exit', async () => {
    const domain = `cli-dup-${Date.now()}.myshopify.com`;
    await cli('shop', 'create', '--domain', domain);
    const duplicate = await cli('shop', 'create', '--domain', domain).then(() => null, (error) => error);
    expect(duplicate?.code).to.equal(1);
    expect(duplicate?.stderr).to.include('already exists');
    const unknown = await cli('frobnicate').then(() => null, (error) => error);
    expect(unknown?.code).to.equal(2);
    expect(unknown?.stderr).to.include('Usage: bundlegraph');
  });

  it('migrate reports what it applied: every migration on a new database, nothing left after', async () => {
    await withEmptyDatabase(async (url) => {
      const first = JSON.parse((await cliOn(url, 'migrate')).stdout);
      expect(first.applied).to.have.length(fs.readdirSync(path.resolve(__dirname, '..', '..', '..', 'migrations')).filter((f) => f.endsWith('.ts')).length);
      expect(JSON.parse((await cliOn(url, 'migrate')).stdout)).to.deep.equal({ applied: [] });
    });
  });

  it('answers --help with the usage, and an unknown option or a missing file as usage errors', async () => {
    const help = await cli('--help');
    expect(help.stdout).to.include('Usage: bundlegraph');
    for (const bench of ['ingest', 'coverage', 'bundles', 'generate']) expect(help.stdout).to.include(bench);
    for (const args of [['shop', 'create', '--domian', 'x.myshopify.com'], ['ingest', '--shop', 'x', '--run', '1', '--kind', 'ORDERS', '/nonexistent/orders.csv']]) {
      const failed = await cli(...args).then(() => null, (error) => error);
      expect(failed?.code, args.join(' ')).to.equal(2);
      expect(failed?.stderr).to.match(/Unknown option '--domian'|is not a file/);
      expect(failed?.stdout).to.equal('');
    }
  });
});
