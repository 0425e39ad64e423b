export type { BuildCollectorOptions } from './app.js';
export { buildCollector } from './app.js';
export type {
  OtlpHttpExporterConfig,
  SpanledgerConfig,
  SpanledgerConfigInput,
} from './config/index.js';
export { ConfigError, loadConfigFile, resolveConfig, substituteEnv } from './config/index.js';
export type { ForwardBatch, ForwarderStats, ForwardSet } from './forward/index.js';
export { createForwardSet, OtlpForwarder } from './forward/index.js';
export type { CollectorHandle, StartCollectorOptions } from './main.js';
export { DEFAULT_CONFIG_FILE, startCollector } from './main.js';
export type { OtlpEncoding, TokenGrant } from './otlp/index.js';
export { decodeTraceRequest, OtlpDecodeError } from './otlp/index.js';
export { PortInUseError } from './ports.js';
