import type { Em } from '../db/orm';
import { keysetSql } from '../db/keyset';
import type { PageRequest } from '../graphql/relay';
import { DomainError, userError } from '../graphql/user-error';
import { Shop } from '../shops/shop.entity';
import { Run } from './run.entity';

export class RunService {
  constructor(private readonly em: Em) {}

  async create(shopId: string, name: string): Promise<Run> {
    const trimmed = name.trim();
    if (!trimmed) throw new DomainError(userError('BLANK', 'A run needs a name.', ['input', 'name']));
    if (trimmed.length > 200) throw new DomainError(userError('TOO_LONG', 'A run name has at most 200 characters.', ['input', 'name']));
    const run = this.em.create(Run, { shop: this.em.getReference(Shop, shopId), name: trimmed, createdAt: new Date() });
    await this.em.flush();
    return run;
  }

  /** The run, if it belongs to the shop; another shop's run is indistinguishable from a missing one. */
  get(shopId: string, runId: string): Promise<Run | null> {
    return this.em.findOne(Run, { id: runId, shop: shopId });
  }

  async require(shopId: string, runId: string, field: string[] = ['runId']): Promise<Run> {
    const run = await this.get(shopId, runId);
    if (!run) throw new DomainError(userError('NOT_FOUND', 'No run with this id in this shop.', field));
    return run;
  }

  /**
   * Deletes a run of the shop that holds nothing yet: the data tables have no foreign key to runs, so a run with
   * data must not go this way.
   */
  async removeEmpty(shopId: string, runId: string): Promise<void> {
    await this.em.nativeDelete(Run, { id: runId, shop: shopId });
  }

  /** Newest first, walked by keyset on the primary key. */
  async page(shopId: string, request: PageRequest): Promise<Run[]> {
    const keyset = keysetSql({ columns: [{ sql: 'id', type: 'bigint' }], descending: true }, request);
    const rows = await this.em.getConnection().execute(
      `SELECT * FROM runs WHERE shop_id = ? AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ?`,
      [shopId, ...keyset.params, keyset.limit],
    );
    return rows.map((row: Record<string, unknown>) => this.em.map(Run, row));
  }
}
