import { diag } from '@opentelemetry/api';

/** What the instrumentation records; resolve once with {@link configureInstrumentation}. */
export interface InstrumentationOptions {
  /**
   * Put prompt and completion text on spans. Off by default (privacy); env
   * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true turns it on.
   */
  captureMessageContent?: boolean;
  /**
   * Key of the digests in spanledger.input_hash / output_hash (shared/digest/keyed-digest.ts; env
   * SPANLEDGER_HASH_KEY). Without one a random key per process is used, so digests compare only within one run.
   */
  hashKey?: string;
  /** Add stream_options.include_usage to streamed OpenAI chat completions (default true). */
  includeStreamUsage?: boolean;
  /** Count tokens with a tokenizer when the provider reports none (default true). */
  estimateMissingUsage?: boolean;
}

/** The resolved, frozen options every wrapper reads. */
export interface ResolvedInstrumentationOptions {
  readonly captureMessageContent: boolean;
  readonly hashKey: string;
  readonly includeStreamUsage: boolean;
  readonly estimateMissingUsage: boolean;
}

let current: ResolvedInstrumentationOptions | undefined;

function envFlag(name: string): boolean | undefined {
  const value = process.env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  return value === 'true' || value === '1';
}

function randomKey(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('hex');
}

function requireBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new TypeError(
    `instrumentation options: ${name} must be true or false (got ${String(value)})`,
  );
}

/**
 * Resolves code options over environment over defaults, validates and freezes them, and makes
 * them the ones every instrumented call uses. Throws a TypeError for a bad option, at start.
 */
export function configureInstrumentation(
  options: InstrumentationOptions = {},
): ResolvedInstrumentationOptions {
  const hashKey = options.hashKey ?? process.env.SPANLEDGER_HASH_KEY ?? randomKey();
  if (typeof hashKey !== 'string' || hashKey.length === 0) {
    throw new TypeError('instrumentation options: hashKey must be a non-empty string');
  }
  current = Object.freeze({
    captureMessageContent:
      requireBoolean('captureMessageContent', options.captureMessageContent) ??
      envFlag('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT') ??
      false,
    hashKey,
    includeStreamUsage: requireBoolean('includeStreamUsage', options.includeStreamUsage) ?? true,
    estimateMissingUsage:
      requireBoolean('estimateMissingUsage', options.estimateMissingUsage) ?? true,
  });
  return current;
}

/** The options in force; resolved from the environment on first use when never configured. */
export function instrumentationOptions(): ResolvedInstrumentationOptions {
  if (current) return current;
  try {
    return configureInstrumentation();
  } catch (error) {
    // The environment alone cannot make this fail today, but a wrapper must never throw.
    diag.error('spanledger: could not resolve instrumentation options', error);
    current = Object.freeze({
      captureMessageContent: false,
      hashKey: randomKey(),
      includeStreamUsage: true,
      estimateMissingUsage: true,
    });
    return current;
  }
}
