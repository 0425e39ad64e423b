export { backoffDelay, parseRetryAfter } from './backoff.js';
export type { ForwardSet } from './forward-set.js';
export { createForwardSet } from './forward-set.js';
export type { ForwardBatch, ForwarderStats } from './otlp-forwarder.js';
export { OtlpForwarder } from './otlp-forwarder.js';
export { tracesUrl } from './traces-url.js';
