import type { Em } from '../db/orm';
import { DATASETS } from '../catalog/datasets';
import { bigintArray } from '../db/arrays';
import { CsvRowErrorRecord } from './csv-row-error.entity';
import { CsvKind, CsvUpload } from './csv-upload.entity';

/** Reading uploads and what a run holds, always within the caller's shop. */
export class UploadQueries {
  constructor(private readonly em: Em) {}

  get(shopId: string, uploadId: string): Promise<CsvUpload | null> {
    return this.em.findOne(CsvUpload, { id: uploadId, shop: shopId });
  }

  /** Uploads of several runs in one query, oldest first within each run. */
  async ofRuns(runIds: readonly string[]): Promise<Map<string, CsvUpload[]>> {
    const uploads = await this.em.find(CsvUpload, { run: { $in: [...runIds] } }, { orderBy: { id: 'asc' } });
    const byRun = new Map<string, CsvUpload[]>(runIds.map((id) => [id, []]));
    for (const upload of uploads) byRun.get(upload.run.id)?.push(upload);
    return byRun;
  }

  rowErrors(uploadId: string, first: number): Promise<CsvRowErrorRecord[]> {
    return this.em.find(CsvRowErrorRecord, { upload: uploadId }, { orderBy: { seq: 'asc' }, limit: first });
  }

  /** Which datasets each run has: one query of index probes, whatever the number of runs. */
  async datasetsOf(runIds: readonly string[]): Promise<Map<string, Set<CsvKind>>> {
    const probes = Object.values(DATASETS)
      .map((d) => `SELECT r.id AS run_id, '${d.kind}' AS kind FROM unnest(?::bigint[]) AS r(id) WHERE EXISTS (SELECT 1 FROM ${d.table} t WHERE t.run_id = r.id)`)
      .join(' UNION ALL ');
    const ids = bigintArray(runIds);
    const rows: { run_id: string; kind: CsvKind }[] = await this.em.getConnection().execute(probes, Object.values(DATASETS).map(() => ids));
    const present = new Map<string, Set<CsvKind>>(runIds.map((id) => [id, new Set()]));
    for (const row of rows) present.get(String(row.run_id))?.add(row.kind);
    return present;
  }
}
