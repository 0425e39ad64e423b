/** A configuration problem the user must fix; the message names the field, value and expectation. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** The process exit code for a configuration error (EX_CONFIG, sysexits.h). */
  readonly exitCode = 78;
}
