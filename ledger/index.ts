export { batchHash, GENESIS, merkleRoot } from './merkle.js';
export type { LedgerProblem, VerifyReport } from './types.js';
export type { VerifyOptions } from './verify.js';
export { formatDigest, verifyLedger } from './verify.js';
