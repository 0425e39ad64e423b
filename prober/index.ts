export type { AddressClass, AddressKind } from './address-class.js';
export { classifyAddress } from './address-class.js';
export type { McpHealthConfig, McpServerConfig } from './config.js';
export { mcpHealthSchema } from './config.js';
export type {
  HealthProberOptions,
  ProbeObserver,
  ProberLogger,
  ProberStats,
} from './health-prober.js';
export { HealthProber } from './health-prober.js';
export type { ProbeOptions, ProbeResult, ProbeStatus, ProbeTarget } from './probe.js';
export { probeServer } from './probe.js';
export { createProber } from './prober-runtime.js';
export { resolveTarget, TargetRefusedError } from './target-guard.js';
