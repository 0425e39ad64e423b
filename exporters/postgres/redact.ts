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
 * "Bearer"/"Basic", PEM armour, and the characters the key=value, JSON and URL forms cannot do
 * without.
 */
const SECRET_HINT =
  /[=@"]|sk[-_]|rk_|AKIA|ASIA|gh[pousr]_|github_pat_|AIza|xox[abposr]-|xai-|hf_|glpat-|eyJ|-----BEGIN|[Bb]earer|BEARER|[Bb]asic\s|BASIC\s/;

/** The `name: value` form has none of those: only strings with a colon pay for this one. */
const COLON_PAIR_HINT = /(?:passw|pwd|secret|token|key|credential|sig)[\w-]*:/i;

/** Nothing shorter can hold any of the patterns below (the shortest is "pwd=" plus a value). */
const MIN_SECRET_LENGTH = 8;

/** Names whose value is a secret in `name=value` and `name: value` pairs (logs, DSNs, URLs). */
const SECRET_PAIR_NAMES =
  'password|passwd|pwd|secret|client_secret|secret_key|aws_secret_access_key|private_key|api[_-]?key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|session[_-]?token|auth[_-]?token|x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig';

const SECRET_VALUE_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM private keys, whole block (or up to the end when cut).
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  // OpenAI (sk-, sk-proj-, sk-svcacct-) and Anthropic (sk-ant-api03-...) keys.
  [/\bsk-[A-Za-z0-9_-]{20,}/g, REDACTED],
  // Stripe secret and restricted keys.
  [/\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g, REDACTED],
  // xAI, Hugging Face and GitLab tokens.
  [/\b(?:xai-[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{20,})/g, REDACTED],
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
  [new RegExp(`\\b(${SECRET_PAIR_NAMES})=[^\\s&;,"']+`, 'gi'), `$1=${REDACTED}`],
  // "password": "..." in JSON.
  [
    /("(?:password|passwd|secret|client_secret|secret_key|private_key|api[_-]?key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|authorization)"\s*:\s*")(?:[^"\\]|\\.)*"/gi,
    `$1${REDACTED}"`,
  ],
];

/** "password: hunter2" in logs and YAML (a colon, then a value that is not quoted JSON). */
const COLON_PAIR = new RegExp(
  `\\b(${SECRET_PAIR_NAMES}):[ \\t]*(?!\\[REDACTED\\])[^\\s&;,"'{}[\\]]+`,
  'gi',
);

/**
 * Replaces secret-looking substrings (API keys, bearer tokens, JWTs, PEM private keys, URL
 * passwords, password=/token= pairs) with "[REDACTED]" and flags 'redacted'. Returns the same
 * string when nothing matched.
 */
export function redactSecrets(s: string, flags: string[]): string {
  if (s.length < MIN_SECRET_LENGTH) return s;
  const hinted = SECRET_HINT.test(s);
  const colon = s.includes(':') && COLON_PAIR_HINT.test(s);
  if (!hinted && !colon) return s;
  let out = s;
  if (hinted) {
    for (const [pattern, replacement] of SECRET_VALUE_PATTERNS) {
      out = out.replace(pattern, replacement);
    }
  }
  if (colon) out = out.replace(COLON_PAIR, `$1: ${REDACTED}`);
  if (out !== s) addFlag(flags, 'redacted');
  return out;
}

/**
 * E-mail addresses (RFC 5322's common form; quoted local parts are left alone). The lookbehind
 * starts a match only where a run of address characters starts, so a long run without "@" is
 * scanned once, not once per character.
 */
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * {@link redactSecrets} plus e-mail addresses, for the free text that is stored whatever the
 * privacy setting: span names, status and exception messages. Flags 'redacted' when it changed
 * anything.
 */
export function redactFreeText(s: string, flags: string[]): string {
  let out = redactSecrets(s, flags);
  if (out.includes('@')) {
    const replaced = out.replace(EMAIL, REDACTED);
    if (replaced !== out) {
      addFlag(flags, 'redacted');
      out = replaced;
    }
  }
  return out;
}
