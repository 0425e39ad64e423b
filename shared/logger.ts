import pino from 'pino';

/** The collector's logger: JSON lines on stdout (pino); level from service.telemetry.logs.level. */
export function createLogger(level = 'info'): pino.Logger {
  return pino({
    level,
    base: { service: 'spanledger' },
    // Connection strings can reach error objects; never log a password.
    redact: { paths: ['password', '*.password', 'url', '*.url', 'databaseUrl'], censor: '****' },
  });
}

export type Logger = pino.Logger;

/**
 * The one logging shape the parts take: messages at four levels. pino's logger is one (the
 * collector passes a child), the OTel diag logger is one (the exporter's default in an app),
 * console is one.
 */
export interface MessageLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
