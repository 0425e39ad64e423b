export type { ConnectAttempt, DatabaseSource } from './connect.js';
export {
  classifyConnectError,
  connectOrExplain,
  DATABASE_URL_FORM,
  DatabaseConfigError,
  DatabaseUnreachableError,
  invalidDatabaseUrl,
  tryConnect,
} from './connect.js';
export type {
  DatabaseTarget,
  DatabaseTargetConfig,
  DatabaseTargetOptions,
} from './database-target.js';
export { NoEmbeddedDatabaseError, openDatabaseTarget } from './database-target.js';
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
export type { RunningEmbedded } from './running-embedded.js';
export {
  EMBEDDED_PASSWORD_FILE,
  EMBEDDED_SUPERUSER,
  findRunningEmbedded,
} from './running-embedded.js';
