export { auditRoutes } from './audit.js';
export { overviewRoute } from './overview.js';
export { signInRoutes } from './sign-in.js';
export { ledgerRoutes, mcpRoute, traceRoute } from './views.js';
