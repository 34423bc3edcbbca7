import { Writable } from 'node:stream';

/**
 * The end of an upload's pipeline: forwards COPY data to PostgreSQL while `accepting()` holds. When PostgreSQL
 * refuses a row (a duplicate key) or the file is already rejected, it keeps consuming the parser's output
 * without writing, so that every row of the file is still checked and reported.
 */
export class CopySink extends Writable {
  copyError: (Error & { code?: string; where?: string; detail?: string }) | null = null;

  constructor(
    private readonly copy: Writable,
    private readonly accepting: () => boolean,
  ) {
    super({ highWaterMark: 4 });
    copy.on('error', (error) => {
      this.copyError ??= error;
    });
  }

  private get open(): boolean {
    return this.copyError === null && !this.copy.destroyed;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.open || !this.accepting()) return callback();
    if (this.copy.write(chunk)) return callback();
    const settle = () => {
      this.copy.off('drain', settle);
      this.copy.off('error', settle);
      callback();
    };
    this.copy.on('drain', settle);
    this.copy.on('error', settle);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.open) return callback();
    const settle = () => {
      this.copy.off('finish', settle);
      this.copy.off('error', settle);
      callback();
    };
    this.copy.on('finish', settle);
    this.copy.on('error', settle);
    this.copy.end();
  }

  /** Abandons the COPY (PostgreSQL receives CopyFail); the transaction must then be rolled back. */
  abandon(): void {
    if (!this.copy.destroyed) this.copy.destroy();
  }
}
