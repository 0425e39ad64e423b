export { substituteEnv } from './env-substitution.js';
export { ConfigError, loadConfigFile, resolveConfig } from './load-config.js';
export { endpointHost, isLoopbackHost } from './loopback.js';
export type { OtlpHttpExporterConfig } from './otlphttp-exporter.js';
export type { SpanledgerConfig, SpanledgerConfigInput } from './schema.js';
export { configSchema } from './schema.js';
export { parseDuration, parseSize } from './units.js';
