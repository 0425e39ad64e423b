export type { ConnectAttempt, DatabaseSource } from './connect.js';
export {
  classifyConnectError,
  DATABASE_URL_FORM,
  DatabaseConfigError,
  invalidDatabaseUrl,
  tryConnect,
} from './connect.js';
export type { DatabaseTarget, DatabaseTargetConfig } from './database-target.js';
export { openDatabaseTarget } from './database-target.js';
export { describeDatabaseError } from './describe-error.js';
export type { EmbeddedPostgresHandle, EmbeddedPostgresOptions } from './embedded-postgres.js';
export { EmbeddedPostgresError, startEmbeddedPostgres } from './embedded-postgres.js';
export { findFreePort, isPortFree } from './free-port.js';
export type { HeldClient } from './held-client.js';
export {
  breaksConnection,
  ConnectionLostError,
  holdClient,
  withHeldClient,
} from './held-client.js';
export { maskDatabaseUrl } from './mask-url.js';
export type { PoolOptions } from './pool.js';
export { createPool } from './pool.js';
