import { Entity, Enum, Index, OptionalProps, Property } from '@mikro-orm/core';
import { RunJob } from '../runs/run-job.entity';

export enum GenerationStatus {
  PROCESSING = 'PROCESSING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

export enum GenerationStrategy {
  ASSOCIATION_RULES = 'ASSOCIATION_RULES',
  FALLBACK_BEST_SELLERS = 'FALLBACK_BEST_SELLERS',
  FALLBACK_CATALOG = 'FALLBACK_CATALOG',
  NONE = 'NONE',
}

/** What a finished generation found, kept for later readers of the job. */
export interface GenerationResult {
  strategy: GenerationStrategy;
  message: string | null;
  /** Candidates left out, by reason (below_min_lift, gift_card, over_item_cap, ...). */
  dropped: Record<string, number>;
  /** Bundles written, by kind. */
  kinds: Record<string, number>;
  /** The latest order of the history: the reference time of slow movers and new launches. */
  historyEnd: string | null;
  /** Milliseconds spent in each phase, for tuning. */
  timings?: Record<string, number>;
}

/**
 * One bundlesGenerate call: its settings, progress while it runs and its outcome. Written on connections of its
 * own, outside the mining transaction, so that a failed generation still leaves its record.
 */
@Entity({ tableName: 'bundle_generations' })
@Index({ properties: ['run', 'id'] })
export class BundleGeneration extends RunJob {
  [OptionalProps]?: 'status' | 'phase' | 'ordersConsidered' | 'itemsConsidered' | 'candidatePairs' | 'bundlesWritten' | 'startedAt' | 'heartbeatAt';

  @Enum(() => GenerationStatus)
  status: GenerationStatus = GenerationStatus.PROCESSING;

  /** Where a running generation is: queued, baskets, ..., pairs, ..., drafting, ranking, saving, done. */
  @Property({ type: 'text' })
  phase: string = 'queued';

  @Property({ type: 'integer' })
  ordersConsidered: number = 0;

  @Property({ type: 'integer' })
  itemsConsidered: number = 0;

  @Property({ type: 'integer' })
  candidatePairs: number = 0;

  @Property({ type: 'integer' })
  bundlesWritten: number = 0;

  /** The effective settings, defaults filled in. */
  @Property({ type: 'jsonb' })
  settings!: Record<string, unknown>;

  @Property({ type: 'jsonb', nullable: true })
  result?: GenerationResult | null;
}
