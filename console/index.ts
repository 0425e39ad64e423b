// The web console: server-rendered pages over the query service, mounted on the query API's
// port by the collector (collector/main.ts).
export type { ConsoleConfig } from './config.js';
export { consoleSchema } from './config.js';
export { escapeHtml, html, jsonScript, raw, SafeHtml } from './html.js';
export type { ConsoleOptions } from './mount.js';
export { consoleMount } from './mount.js';
export { hostName, safeNext } from './request.js';
export { CONSOLE_CSP, SECURITY_HEADERS } from './security-headers.js';
export type { Session, SessionSigner } from './session.js';
export { createSessionSigner, SESSION_COOKIE } from './session.js';
