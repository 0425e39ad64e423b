export { ensureSchema } from './ensure-schema.js';
export type { MigrateOptions, MigrateResult, MigrationLogger } from './migrate.js';
export { migrationsDir, runMigrations, SCHEMA } from './migrate.js';
export {
  canMigrate,
  ensurePartitions,
  PendingMigrationsError,
  pendingMigrations,
} from './status.js';
