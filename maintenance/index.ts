export type { MaintenanceConfig } from './config.js';
export { maintenanceSchema } from './config.js';
export type {
  MaintenanceTick,
  PartitionMaintainerOptions,
} from './partition-maintainer.js';
export { PartitionMaintainer } from './partition-maintainer.js';
export type { PartitionStatus } from './partition-status.js';
export {
  MIN_MONTHS_AHEAD,
  partitionWarnings,
  readPartitionStatus,
} from './partition-status.js';
