import fs from 'node:fs';
import { expect } from 'chai';
import { createSchema, printSchemaFile, schemaFile } from '../../src/graphql/schema';
import { getHarness } from '../setup';

describe('generated artefacts stay in step with the code', () => {
  it('schema.graphql is what the resolvers produce (run `npm run schema:emit` after changing the API)', async () => {
    const expected = printSchemaFile(await createSchema());
    expect(fs.readFileSync(schemaFile, 'utf8')).to.equal(expected);
  });

  it('the migrations create exactly the schema the entities describe (run `npm run migration:create`)', async () => {
    const orm = getHarness().server.database.orm;
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    expect(diff.trim()).to.equal('');
  });
});
