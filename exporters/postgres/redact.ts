import { addFlag } from './flags.js';

/** What a secret is replaced with, in keys' values and inside strings. */
export const REDACTED = '[REDACTED]';

/**
 * Key segments (split on '.') that name a secret. Whole segments only, so that
 * gen_ai.usage.input_tokens or llm.token_count.prompt are not mistaken for secrets.
 */
const SECRET_SEGMENTS = new Set([
  'authorization',
  'proxy-authorization',
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'cookie',
  'set-cookie',
  'credential',
  'credentials',
  'bearer',
  'x-api-key',
  'x-goog-api-key',
  'x-auth-token',
]);

/**
 * Segment endings that name a secret (after lowercasing, so apiKey, accessToken, GITHUB_TOKEN
 * match). Plural "_tokens" (token counts) deliberately does not end with "token".
 */
const SECRET_SUFFIXES = [
  'api_key',
  'api-key',
  'apikey',
  'secret',
  'secret_key',
  'secretkey',
  'access_key',
  'accesskey',
  'private_key',
  'privatekey',
  'password',
  'passwd',
  '_token',
  '-token',
  'accesstoken',
  'refreshtoken',
  'authtoken',
  'sessiontoken',
  'credentials',
];

function isSecretSegment(segment: string): boolean {
  if (SECRET_SEGMENTS.has(segment)) return true;
  for (const suffix of SECRET_SUFFIXES) if (segment.endsWith(suffix)) return true;
  return false;
}

/** Decides whether an attribute key names a secret. Pure; callers memoise per key. */
export function isSecretKey(key: string): boolean {
  for (const segment of key.toLowerCase().split('.')) {
    if (isSecretSegment(segment)) return true;
  }
  return false;
}

/**
 * One cheap, case-sensitive scan that every secret pattern below needs to match first, so an
 * ordinary string costs a single regex test: the fixed prefixes of provider keys and JWTs,
 * "Bearer"/"Basic", and the characters the key=value, JSON and URL forms cannot do without.
 */
const SECRET_HINT =
  /[=@"]|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|AIza|xox[abposr]-|eyJ|[Bb]earer|BEARER|[Bb]asic\s|BASIC\s/;

/** Nothing shorter can hold any of the patterns below (the shortest is "pwd=" plus a value). */
const MIN_SECRET_LENGTH = 8;

const SECRET_VALUE_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // OpenAI (sk-, sk-proj-, sk-svcacct-) and Anthropic (sk-ant-api03-...) keys.
  [/\bsk-[A-Za-z0-9_-]{20,}/g, REDACTED],
  // AWS access key ids.
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  // GitHub tokens.
  [/\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})/g, REDACTED],
  // Google API keys.
  [/\bAIza[0-9A-Za-z_-]{35}/g, REDACTED],
  // Slack tokens.
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, REDACTED],
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // JWTs (header and payload are base64url JSON objects, so both start with eyJ).
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // user:password@ in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)[^\s@/"']+@/gi, `$1${REDACTED}@`],
  // password=... in query strings, DSNs, env dumps; token= and signatures of signed URLs.
  [
    /\b(password|passwd|pwd|secret|client_secret|api[_-]?key|token|access[_-]?token|refresh[_-]?token|auth[_-]?token|x-amz-signature|x-amz-credential|signature|sig)=[^\s&;,"']+/gi,
    `$1=${REDACTED}`,
  ],
  // "password": "..." in JSON.
  [
    /("(?:password|passwd|secret|client_secret|api[_-]?key|access[_-]?token|refresh[_-]?token|authorization)"\s*:\s*")(?:[^"\\]|\\.)*"/gi,
    `$1${REDACTED}"`,
  ],
];

/**
 * Replaces secret-looking substrings (API keys, bearer tokens, JWTs, URL passwords) with
 * "[REDACTED]" and flags 'redacted'. Returns the same string when nothing matched.
 */
export function redactSecrets(s: string, flags: string[]): string {
  if (s.length < MIN_SECRET_LENGTH || !SECRET_HINT.test(s)) return s;
  let out = s;
  for (const [pattern, replacement] of SECRET_VALUE_PATTERNS) {
    out = out.replace(pattern, replacement);
  }
  if (out !== s) addFlag(flags, 'redacted');
  return out;
}
