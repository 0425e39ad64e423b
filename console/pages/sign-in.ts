import { html, type SafeHtml } from '../html.js';

/** The sign-in form: a query token (extensions.query_api.auth), posted to /sign-in. */
export function renderSignIn(error: string | undefined, next: string): SafeHtml {
  return html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/sign-in" class="sign-in">
<input type="hidden" name="next" value="${next}">
<label>Query token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button>
</form>
<p class="hint">Use a token from extensions.query_api.auth: a tenant token shows that tenant's rows, an admin token every tenant's.</p>`;
}
