export { ConfigError } from './config-error.js';
export { substituteEnv, unsetEnvReferences } from './env-substitution.js';
export {
  duration,
  hostPort,
  intBetween,
  optionalIntBetween,
  optionalString,
  size,
  timeout,
} from './fields.js';
export { endpointHost, isLoopbackHost } from './loopback.js';
export { describeConfigValue } from './secret-fields.js';
export { parseDuration, parseSize } from './units.js';
