import path from 'node:path';

export type Environment = 'production' | 'development' | 'test';

export interface Config {
  env: Environment;
  port: number;
  host: string;
  /** When absent, an embedded PostgreSQL is started with its data under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  embeddedPort: number;
  migrateOnStart: boolean;
  logLevel: string;
  maxUploadBytes: number;
  /** Largest JSON request body: a bundlesSave of 10,000 bundles is about 3 MB. */
  maxJsonBytes: number;
  maxUploadFiles: number;
  maxQueryDepth: number;
  maxQueryComplexity: number;
  maxQueryTokens: number;
  /** Origins allowed to call the API from a browser; `*` for any. */
  corsOrigins: string[];
  /** Memory for whole responses of cacheable reads (graphql/response-cache.ts); 0 turns the cache off. */
  responseCacheBytes: number;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  /** Uploads: how long one may go without a byte from its client, and how many may stream at once (see upload-limits). */
  uploadIdleTimeoutMs: number;
  uploadMinBytesPerSecond: number;
  maxConcurrentUploads: number;
  maxConcurrentUploadsPerShop: number;
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Configuration: ${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

function bool(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`Configuration: ${name} must be a boolean, got "${raw}"`);
}

function environment(): Environment {
  const raw = process.env.NODE_ENV ?? 'development';
  if (raw === 'production' || raw === 'development' || raw === 'test') return raw;
  throw new Error(`Configuration: NODE_ENV must be production, development or test, got "${raw}"`);
}

/** Reads and validates the environment once; everything else receives the result. */
export function loadConfig(overrides: Partial<Config> = {}): Config {
  const env = environment();
  return {
    env,
    port: int('PORT', 4000),
    host: process.env.HOST || '0.0.0.0',
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: path.resolve(process.env.BUNDLEGRAPH_DATA_DIR || '.data'),
    embeddedPort: int('EMBEDDED_PG_PORT', 54329),
    migrateOnStart: bool('MIGRATE_ON_START', true),
    logLevel: process.env.LOG_LEVEL || (env === 'test' ? 'silent' : 'info'),
    maxUploadBytes: int('MAX_UPLOAD_BYTES', 2 * 1024 ** 3),
    maxUploadFiles: int('MAX_UPLOAD_FILES', 4),
    maxJsonBytes: int('MAX_JSON_BYTES', 16 * 1024 * 1024),
    maxQueryDepth: int('MAX_QUERY_DEPTH', 12),
    maxQueryComplexity: int('MAX_QUERY_COMPLEXITY', 5000),
    maxQueryTokens: int('MAX_QUERY_TOKENS', 20000),
    corsOrigins: (process.env.CORS_ORIGINS || '*').split(',').map((origin) => origin.trim()).filter(Boolean),
    responseCacheBytes: int('RESPONSE_CACHE_BYTES', 32 * 1024 ** 2),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 60 * 60 * 1000),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 30_000),
    uploadIdleTimeoutMs: int('UPLOAD_IDLE_TIMEOUT_MS', 60_000),
    uploadMinBytesPerSecond: int('UPLOAD_MIN_BYTES_PER_SECOND', 1024),
    maxConcurrentUploads: int('MAX_CONCURRENT_UPLOADS', 10),
    maxConcurrentUploadsPerShop: int('MAX_CONCURRENT_UPLOADS_PER_SHOP', 4),
    ...overrides,
  };
}
