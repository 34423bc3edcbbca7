import pino from 'pino';

export type Logger = pino.Logger;

/** JSON lines on standard output; commands whose output is their result log to standard error instead. */
export function createLogger(level: string, stream: 'stdout' | 'stderr' = 'stdout'): Logger {
  return pino({ level, base: { service: 'bundlegraph' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(stream === 'stdout' ? 1 : 2));
}
