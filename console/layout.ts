import type { Principal } from '../query/index.js';
import { html, type SafeHtml } from './html.js';

/** Who the page is shown to, for the header and the tenant picker. */
export interface Viewer {
  principal: Principal;
  /** No tokens configured: the console is open to the local user (loopback only). */
  open: boolean;
}

const NAV = [
  ['/', 'Overview'],
  ['/audit', 'Audit'],
  ['/mcp', 'MCP health'],
  ['/ledger', 'Ledger'],
] as const;

function who(viewer: Viewer): string {
  if (viewer.open) return 'local access (no tokens configured)';
  return viewer.principal.kind === 'admin'
    ? 'admin token (every tenant)'
    : `tenant ${viewer.principal.tenant}`;
}

/** The page shell: styles and the one script (same origin), navigation, the viewer. */
export function page(title: string, viewer: Viewer | undefined, current: string, body: SafeHtml) {
  const nav = viewer
    ? html`<nav aria-label="Console">${NAV.map(
        ([href, label]) =>
          html`<a href="${href}"${current === href ? html` aria-current="page"` : ''}>${label}</a>`,
      )}</nav>
      <span class="who">${who(viewer)}</span>
      ${
        viewer.open
          ? ''
          : html`<form method="post" action="/sign-out" class="sign-out"><button type="submit">Sign out</button></form>`
      }`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · spanledger</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<header><span class="brand">spanledger</span>${nav}</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}
