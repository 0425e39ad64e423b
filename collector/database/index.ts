export type { EmbeddedPostgresHandle, EmbeddedPostgresOptions } from './embedded-postgres.js';
export { EmbeddedPostgresError, startEmbeddedPostgres } from './embedded-postgres.js';
export { findFreePort, isPortFree } from './free-port.js';
export { maskDatabaseUrl } from './mask-url.js';
export type { PoolOptions } from './pool.js';
export { checkConnection, createPool, DatabaseUnreachableError } from './pool.js';
