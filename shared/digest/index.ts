export { DIGEST_VERSION_PREFIX, digestSubkey, keyedDigestHex } from './keyed-digest.js';
