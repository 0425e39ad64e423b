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
