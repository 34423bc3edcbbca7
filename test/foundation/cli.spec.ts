import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { gql, ok } from '../helpers/client';
import { getHarness } from '../setup';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', '..', '..', 'bin', 'bundlegraph.js');

function cli(...args: string[]) {
  return run(process.execPath, [bin, ...args], { env: { ...process.env, DATABASE_URL: getHarness().databaseUrl, LOG_LEVEL: 'silent' } });
}

describe('command line', () => {
  it('creates a shop and prints the JSON of the contract; the key works over HTTP', async () => {
    const domain = `cli-${Date.now()}.myshopify.com`;
    const { stdout } = await cli('shop', 'create', '--domain', domain);
    const printed = JSON.parse(stdout);
    expect(Object.keys(printed)).to.deep.equal(['shop', 'apiKey']);
    expect(printed.shop.domain).to.equal(domain);
    expect(printed.shop.id).to.match(/^\d+$/);
    const data = ok(await gql('{ shop { domain } }', {}, { key: printed.apiKey }));
    expect(data.shop.domain).to.equal(domain);
  });

  it('creates a READ key for an existing shop', async () => {
    const domain = `cli-read-${Date.now()}.myshopify.com`;
    await cli('shop', 'create', '--domain', domain);
    const { stdout } = await cli('key', 'create', '--shop', domain, '--scope', 'READ');
    const printed = JSON.parse(stdout);
    expect(printed.scope).to.equal('READ');
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

  it('migrate reports nothing left to apply', async () => {
    const { stdout } = await cli('migrate');
    expect(JSON.parse(stdout)).to.deep.equal({ applied: [] });
  });
});
