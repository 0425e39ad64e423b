export type { MigrateOptions, MigrateResult, MigrationLogger } from './migrate.js';
export { migrationsDir, runMigrations, SCHEMA } from './migrate.js';
export { ensurePartitions, pendingMigrations } from './status.js';
