export {
  endpointHost,
  isLoopbackHost,
  parseDuration,
  parseSize,
  substituteEnv,
} from '../../shared/index.js';
export { ConfigError, loadConfigFile, resolveConfig } from './load-config.js';
export type { OtlpHttpExporterConfig } from './otlphttp-exporter.js';
export type { SpanledgerConfig, SpanledgerConfigInput } from './schema.js';
export { configSchema } from './schema.js';
