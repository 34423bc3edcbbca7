import { Transform, type TransformCallback } from 'node:stream';
import type { Config } from '../config';
import type { Orm } from '../db/orm';

/**
 * How slow an upload's client may be (nothing for `idleTimeoutMs`, or fewer than `minBytesPerSecond` on average over
 * that long), and how many uploads may hold a database connection at once.
 */
export interface UploadLimits {
  idleTimeoutMs: number;
  minBytesPerSecond: number;
  maxConcurrent: number;
  maxConcurrentPerShop: number;
}

export function uploadLimitsOf(config: Config): UploadLimits {
  return {
    idleTimeoutMs: config.uploadIdleTimeoutMs,
    minBytesPerSecond: config.uploadMinBytesPerSecond,
    maxConcurrent: config.maxConcurrentUploads,
    maxConcurrentPerShop: config.maxConcurrentUploadsPerShop,
  };
}

/** The client sent nothing, or too little, over the idle timeout while the upload waited for it. */
export class UploadStalled extends Error {
  constructor(idleMs: number, received = 0, minBytesPerSecond = 0) {
    const seconds = Math.round(idleMs / 1000);
    super(
      received === 0
        ? `no data arrived for ${seconds} s`
        : `only ${received} bytes arrived in ${seconds} s, under the minimum of ${minBytesPerSecond} bytes a second,`,
    );
  }
}

/**
 * Passes a file's bytes through, and fails the stream when, over a period of `idleMs` while the stream waited for
 * it, its client sent nothing or fewer than `minBytesPerSecond` on average: a client that stalls mid-file, or sends a
 * byte now and then, would otherwise hold its upload's database connection and its run's lock until the request
 * timeout (an hour by default). A period in which the stream waited for the database (bytes passed on and not yet
 * taken) is not the client's and does not count.
 */
export class IdleGuard extends Transform {
  private timer: NodeJS.Timeout | null = null;
  private received = 0;
  private waitedForDatabase = false;

  constructor(
    private readonly idleMs: number,
    private readonly minBytesPerSecond = 0,
  ) {
    super();
    this.arm();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    callback(null, chunk);
    // Passed on and not taken at once: the database is behind.
    if (this.readableLength > 0) this.waitedForDatabase = true;
  }

  override _flush(callback: TransformCallback): void {
    this.disarm();
    callback();
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.disarm();
    callback(error);
  }

  private arm(): void {
    this.disarm();
    if (this.idleMs <= 0) return;
    this.timer = setTimeout(() => this.check(), this.idleMs);
    this.timer.unref();
  }

  private check(): void {
    const required = Math.max(1, Math.floor((this.minBytesPerSecond * this.idleMs) / 1000));
    // Bytes waiting on either side are the database's delay, not the client's.
    if (this.received < required && !this.waitedForDatabase && this.readableLength === 0 && this.writableLength === 0) {
      this.destroy(new UploadStalled(this.idleMs, this.received, this.minBytesPerSecond));
      return;
    }
    this.received = 0;
    this.waitedForDatabase = false;
    this.arm();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Turns for uploads to hold a database connection: at most `maxConcurrent` in all and `maxConcurrentPerShop` per shop,
 * so that uploads, which hold theirs for as long as the file takes to arrive, never take the whole pool from queries
 * and other shops. The others wait, first come first served, holding nothing (their clients are held back by TCP).
 */
export class UploadSlots {
  private active = 0;
  private readonly perShop = new Map<string, number>();
  private readonly waiting: { shopId: string; start: () => void }[] = [];

  constructor(private readonly limits: Pick<UploadLimits, 'maxConcurrent' | 'maxConcurrentPerShop'>) {}

  /** Resolves with the function that gives the turn back, once the upload may start. */
  acquire(shopId: string): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting.push({ shopId, start: () => resolve(this.releaser(shopId)) });
      this.next();
    });
  }

  private releaser(shopId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const left = (this.perShop.get(shopId) ?? 1) - 1;
      if (left === 0) this.perShop.delete(shopId);
      else this.perShop.set(shopId, left);
      this.next();
    };
  }

  private next(): void {
    for (let i = 0; i < this.waiting.length && this.active < Math.max(1, this.limits.maxConcurrent); ) {
      const { shopId, start } = this.waiting[i]!;
      if ((this.perShop.get(shopId) ?? 0) >= Math.max(1, this.limits.maxConcurrentPerShop)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.active++;
      this.perShop.set(shopId, (this.perShop.get(shopId) ?? 0) + 1);
      start();
    }
  }
}

const slotsOfOrm = new WeakMap<Orm, UploadSlots>();

/** The upload turns of one database (one server's ORM), made with the first limits asked for. */
export function uploadSlots(orm: Orm, limits: UploadLimits): UploadSlots {
  let slots = slotsOfOrm.get(orm);
  if (!slots) slotsOfOrm.set(orm, (slots = new UploadSlots(limits)));
  return slots;
}
