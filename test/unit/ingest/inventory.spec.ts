import { expect } from 'chai';
import { COPY_COLUMNS } from '../../../src/ingest/csv';
import { fixture, pick, runCsv } from './helpers';

describe('ingest/csv: INVENTORY', () => {
  it('older Shopify export: not stocked is stocked=false with NULL quantities, negatives kept', async () => {
    const r = await runCsv('INVENTORY', fixture('inventory-shopify-older.csv'));
    expect(r.error).to.equal(null);
    expect(r.stream.format).to.equal('shopify-inventory');
    expect(r.stream.layout).to.equal('shopify-inventory-older');
    expect(Object.keys(r.rows[0]!)).to.deep.equal([...COPY_COLUMNS.INVENTORY]);
    expect(r.rows.map((x) => ({ ...x, run_id: undefined, upload_id: undefined }))).to.deep.equal([
      { run_id: undefined, upload_id: undefined, item_key: 'h:linen-tote/Natural/M/', location_key: 'Main Street Store', line: '2', inventory_item_id: null, variant_id: null, sku: 'TOTE-NAT-M', handle: 'linen-tote', location_id: null, location_name: 'Main Street Store', stocked: 't', available: '12', on_hand: '14', committed: '2', incoming: '0', unavailable: '0', updated_at: null },
      { run_id: undefined, upload_id: undefined, item_key: 'h:linen-tote/Natural/M/', location_key: 'Harbor Warehouse', line: '3', inventory_item_id: null, variant_id: null, sku: 'TOTE-NAT-M', handle: 'linen-tote', location_id: null, location_name: 'Harbor Warehouse', stocked: 'f', available: null, on_hand: null, committed: null, incoming: null, unavailable: null, updated_at: null },
      { run_id: undefined, upload_id: undefined, item_key: 'h:linen-tote/Natural/L/', location_key: 'Main Street Store', line: '4', inventory_item_id: null, variant_id: null, sku: 'TOTE-NAT-L', handle: 'linen-tote', location_id: null, location_name: 'Main Street Store', stocked: 't', available: '-5', on_hand: '-2', committed: '3', incoming: '5', unavailable: '0', updated_at: null },
      { run_id: undefined, upload_id: undefined, item_key: 'h:otter-mug/Default Title//', location_key: 'Main Street Store', line: '5', inventory_item_id: null, variant_id: null, sku: null, handle: 'otter-mug', location_id: null, location_name: 'Main Street Store', stocked: 't', available: '4', on_hand: '5', committed: '0', incoming: '0', unavailable: '1', updated_at: null },
    ]);
  });

  it('newer Shopify export: (not editable) and On hand (current) columns; duplicates reported', async () => {
    const r = await runCsv('INVENTORY', fixture('inventory-shopify-newer.csv'));
    expect(r.error).to.equal(null);
    expect(r.stream.layout).to.equal('shopify-inventory-newer');
    expect(r.header!.mapped).to.include({ available: 'Available (not editable)', on_hand: 'On hand (current)' });
    expect(pick(r.rows, 'item_key', 'location_key', 'stocked', 'available', 'on_hand', 'committed', 'incoming', 'unavailable')).to.deep.equal([
      { item_key: 'h:wool-scarf/Grey//', location_key: 'Main Street Store', stocked: 't', available: '7', on_hand: '8', committed: '1', incoming: '0', unavailable: '0' },
      { item_key: 'h:wool-scarf/Grey//', location_key: 'Harbor Warehouse', stocked: 'f', available: null, on_hand: null, committed: null, incoming: null, unavailable: null },
      { item_key: 'h:wool-scarf/Red//', location_key: 'Main Street Store', stocked: 't', available: '-1', on_hand: '-1', committed: '0', incoming: '2', unavailable: '0' },
    ]);
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([[5, 'Handle', 'DUPLICATE_KEY']]);
    expect(r.stream.errors[0]!.message).to.include('line 4');
  });

  it('Shopify export of Available quantities, a column per location: one row per location a cell speaks of', async () => {
    const header = 'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Main Street Store,Harbor Warehouse\n';
    const r = await runCsv(
      'INVENTORY',
      header +
        'linen-tote,Linen Tote,Color,Natural,,,,,TOTE-NAT,,,12,not stocked\n' +
        'otter-mug,Otter Mug,Title,Default Title,,,,,MUG-1,,,,-3\n' +
        'wool-scarf,Wool Scarf,Title,Default Title,,,,,SCARF,,,,\n',
    );
    expect(r.error).to.equal(null);
    expect(r.stream.layout).to.equal('shopify-inventory-by-location');
    expect(r.header!.fields.slice(8)).to.deep.equal(['sku', null, null, 'available', 'available']);
    expect(pick(r.rows, 'item_key', 'location_key', 'line', 'sku', 'location_name', 'stocked', 'available', 'on_hand')).to.deep.equal([
      { item_key: 'h:linen-tote/Natural//', location_key: 'Main Street Store', line: '2', sku: 'TOTE-NAT', location_name: 'Main Street Store', stocked: 't', available: '12', on_hand: null },
      { item_key: 'h:linen-tote/Natural//', location_key: 'Harbor Warehouse', line: '2', sku: 'TOTE-NAT', location_name: 'Harbor Warehouse', stocked: 'f', available: null, on_hand: null },
      { item_key: 'h:otter-mug/Default Title//', location_key: 'Harbor Warehouse', line: '3', sku: 'MUG-1', location_name: 'Harbor Warehouse', stocked: 't', available: '-3', on_hand: null },
    ]);
    expect(r.stream).to.include({ rowsRead: 3, rowsValid: 3, rowsRejected: 0, rowsSkipped: 1 });
    expect(r.stream.suppliedColumns).to.include.members(['location_name', 'available', 'stocked', 'sku']);
    expect(r.stream.suppliedColumns).to.not.include.members(['on_hand']);

    // A cell that is no quantity refuses its row at every location; a variant's second row is a duplicate.
    const bad = await runCsv(
      'INVENTORY',
      header + 'linen-tote,Linen Tote,Color,Natural,,,,,TOTE-NAT,,,12,lots\notter-mug,,,Default Title,,,,,MUG-1,,,1,2\notter-mug,,,Default Title,,,,,MUG-1,,,,4\n',
    );
    expect(bad.stream.errors.map((e) => [e.line, e.column, e.value, e.code])).to.deep.equal([
      [2, 'Harbor Warehouse', 'lots', 'INVALID_NUMBER'],
      [4, 'Handle', 'otter-mug / Default Title', 'DUPLICATE_KEY'],
    ]);
    expect(bad.stream.errors[0]!.message).to.match(/"not stocked", as column Harbor Warehouse is read as the stock of a location of that name$/);
    expect(pick(bad.rows, 'item_key', 'location_key')).to.deep.equal([
      { item_key: 'h:otter-mug/Default Title//', location_key: 'Main Street Store' },
      { item_key: 'h:otter-mug/Default Title//', location_key: 'Harbor Warehouse' },
    ]);

    // Without a location column of either kind, the file says what it lacks; two columns of one location are refused.
    const none = await runCsv('INVENTORY', 'Handle,Title,Option1 Name,Option1 Value,SKU,HS Code,COO\ntote,Tote,Title,Default Title,T-1,,\n');
    expect(none.error!.code).to.equal('MISSING_COLUMNS');
    expect(none.error!.message).to.match(/a column per location .*or Location with Available/);
    const twice = await runCsv('INVENTORY', 'Handle,SKU,Main Store,Main Store\ntote,T-1,1,2\n');
    expect(twice.error!.code).to.equal('DUPLICATE_COLUMN');
    expect((await runCsv('INVENTORY', 'Handle,SKU,Berlin,BERLIN\ntote,T-1,1,2\n')).error!.code).to.equal('DUPLICATE_COLUMN');
    const two = await runCsv('INVENTORY', 'Handle,SKU,Berlin Mitte,Berlin-Mitte\ntote,T-1,1,2\n');
    expect(pick(two.rows, 'location_key', 'available')).to.deep.equal([
      { location_key: 'Berlin Mitte', available: '1' },
      { location_key: 'Berlin-Mitte', available: '2' },
    ]);
  });

  it('names (handles, option values, locations) are read as first written after a spreadsheet misread them, and composed', async () => {
    // "Weiß" misread as Windows-1252 and saved again; "Café" typed with a combining accent; the same location.
    const r = await runCsv('INVENTORY', 'Handle,Option1 Value,SKU,Location,Available\ntee,Wei\u00c3\u0178,,Caf\u00c3\u00a9 Lager,1\nmug,Cafe\u0301,,Caf\u00e9 Lager,2\n');
    expect(pick(r.rows, 'item_key', 'location_key')).to.deep.equal([
      { item_key: 'h:tee/Weiß//', location_key: 'Café Lager' },
      { item_key: 'h:mug/Café//', location_key: 'Café Lager' },
    ]);
  });

  it('canonical layout: item key precedence, location id before name, gids, dates', async () => {
    const r = await runCsv('INVENTORY', fixture('inventory-canonical.csv'));
    expect(r.error).to.equal(null);
    expect(r.stream.format).to.equal('canonical');
    expect(pick(r.rows, 'item_key', 'location_key', 'line', 'inventory_item_id', 'variant_id', 'location_id', 'location_name', 'available', 'updated_at')).to.deep.equal([
      { item_key: 'i:7701', location_key: '61', line: '2', inventory_item_id: '7701', variant_id: '4401', location_id: '61', location_name: 'Main Street Store', available: '40', updated_at: '2025-11-30 12:00:00+00:00' },
      { item_key: 's:MUG-BLU', location_key: 'Harbor Warehouse', line: '3', inventory_item_id: null, variant_id: null, location_id: null, location_name: 'Harbor Warehouse', available: '-3', updated_at: '2025-11-30 12:00:00-05:00' },
    ]);
    expect(r.stream.errors.map((e) => [e.line, e.column, e.value, e.code])).to.deep.equal([
      [4, 'available', '1.5', 'INVALID_NUMBER'],
      [5, 'inventory_item_id', null, 'MISSING_VALUE'],
    ]);
  });

  it('keys by variant id when there is no inventory item id or SKU; a row without location is an error', async () => {
    const r = await runCsv('INVENTORY', 'variant_id,location,available\ngid://shopify/ProductVariant/9,Shop,1\n10,,2\n');
    expect(pick(r.rows, 'item_key', 'location_key')).to.deep.equal([{ item_key: 'v:9', location_key: 'Shop' }]);
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([[3, 'location', 'MISSING_VALUE']]);
  });
});
