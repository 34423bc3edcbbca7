import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Shop } from '../shops/shop.entity';
import { Run } from './run.entity';

/**
 * What uploads and bundle generations share as long-running work on a run: the owner, the outcome, timing and a
 * heartbeat. Their records are written on connections of their own, so that a rolled-back piece of work still
 * leaves its record; a PROCESSING record whose heartbeat stopped belongs to a server that died.
 */
@Entity({ abstract: true })
export abstract class RunJob {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Shop, { deleteRule: 'cascade' })
  shop!: Shop;

  @ManyToOne(() => Run, { deleteRule: 'cascade' })
  run!: Run;

  /** The code of the userError that ended failed work: MISSING_COLUMNS, INTERRUPTED, GENERATION_FAILED, ... */
  @Property({ type: 'text', nullable: true })
  errorCode?: string;

  @Property({ type: 'text', nullable: true })
  errorMessage?: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  startedAt: Date = new Date();

  @Property({ columnType: 'timestamptz', nullable: true })
  finishedAt?: Date;

  /** Renewed while the work runs. */
  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  heartbeatAt: Date = new Date();

  @Property({ type: 'integer', nullable: true })
  durationMs?: number;
}
