import { expect } from 'chai';
import { gql, ok } from '../helpers/client';
import { createRun, createShop } from '../helpers/shop';

const RUNS = `query($first: Int, $after: String, $last: Int, $before: String) {
  runs(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { name } }
    nodes { id name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

describe('runs: Relay pagination', () => {
  let key: string;
  const names = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];

  before(async () => {
    key = (await createShop()).adminKey;
    for (const name of names) await createRun(key, name);
  });

  const page = async (variables: Record<string, unknown>) => ok(await gql(RUNS, variables, { key })).runs;

  it('walks forward, newest first, with cursors', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    const flags: boolean[][] = [];
    for (;;) {
      const runs = await page({ first: 3, after });
      seen.push(...runs.nodes.map((n: { name: string }) => n.name));
      flags.push([runs.pageInfo.hasPreviousPage, runs.pageInfo.hasNextPage]);
      expect(runs.edges.map((e: { node: { name: string } }) => e.node.name)).to.deep.equal(runs.nodes.map((n: { name: string }) => n.name));
      if (!runs.pageInfo.hasNextPage) break;
      after = runs.pageInfo.endCursor;
    }
    expect(seen).to.deep.equal([...names].reverse());
    expect(flags).to.deep.equal([[false, true], [true, true], [true, false]]);
  });

  it('walks backward with last/before', async () => {
    const seen: string[][] = [];
    let before: string | undefined;
    for (;;) {
      const runs = await page({ last: 3, before });
      seen.push(runs.nodes.map((n: { name: string }) => n.name));
      if (!runs.pageInfo.hasPreviousPage) break;
      before = runs.pageInfo.startCursor;
    }
    expect(seen).to.deep.equal([['r3', 'r2', 'r1'], ['r6', 'r5', 'r4'], ['r7']]);
  });

  it('pages between two cursors', async () => {
    const all = await page({ first: 7 });
    const between = await page({ after: all.edges[1].cursor, before: all.edges[5].cursor });
    expect(between.nodes.map((n: { name: string }) => n.name)).to.deep.equal(['r5', 'r4', 'r3']);
  });

  it('refuses more than 250 per page, first with last, and foreign cursors', async () => {
    for (const variables of [{ first: 251 }, { last: 300 }, { first: 1, last: 1 }, { first: -1 }, { after: 'garbage' }, { after: 'WyJ4IiwxXQ' }, { after: Buffer.from('["abc"]').toString('base64url') }, { before: Buffer.from('["1.5"]').toString('base64url') }]) {
      const response = await gql(RUNS, variables, { key });
      expect(response.errors?.[0].extensions?.code, JSON.stringify(variables)).to.equal('BAD_USER_INPUT');
      expect(response.errors?.[0].extensions?.reason).to.be.oneOf(['INVALID_PAGINATION', 'INVALID_CURSOR']);
    }
  });
});
