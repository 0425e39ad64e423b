export type { ArchiveDigest } from './archive-file.js';
export { readArchiveDigest } from './archive-file.js';
export type { ManifestPartition, RetentionManifest } from './manifest.js';
export type { MonthPartition, RetentionPlan } from './plan.js';
export { listMonthPartitions, parseBefore, planRetention } from './plan.js';
export type { RetentionOptions, RetentionResult } from './run-retention.js';
export { RetentionError, runRetention } from './run-retention.js';
