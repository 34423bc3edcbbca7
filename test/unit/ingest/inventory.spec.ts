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
