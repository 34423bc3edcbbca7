import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'bundlegraph' }, timestamp: pino.stdTimeFunctions.isoTime });
}
