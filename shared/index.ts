// The small part every service shares: config machinery, the database (pools, held clients,
// connection checks, the embedded Postgres), logging and bearer tokens.
export type { BearerEntry } from './bearer-token.js';
export { createBearerLookup } from './bearer-token.js';
export {
  ConfigError,
  describeConfigValue,
  duration,
  endpointHost,
  hostPort,
  intBetween,
  isLoopbackHost,
  optionalIntBetween,
  optionalString,
  parseDuration,
  parseSize,
  size,
  substituteEnv,
  timeout,
  unsetEnvReferences,
} from './config/index.js';
export type { Logger, MessageLogger } from './logger.js';
export { createLogger } from './logger.js';
