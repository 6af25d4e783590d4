import { escapeHtml, page } from './html';
import type { DemoUser } from './users';

export interface LoginPageInput {
  uid: string;
  clientName: string;
  username?: string;
  error?: string;
  users: readonly DemoUser[];
  /** Where the form posts (`<base>/login`, `<base>/abort`); the OIDC interaction by default. */
  basePath?: string;
}

/**
 * The dev IdP's only screen. Plain HTML forms so it works without JavaScript and can be
 * driven over HTTP by tests; the Cancel button posts to its own route so the RP gets access_denied.
 */
export function renderLoginPage({ uid, clientName, username, error, users, basePath }: LoginPageInput): string {
  const base = basePath ?? `/interaction/${encodeURIComponent(uid)}`;
  const errorBlock = error ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>` : '';
  const described = error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  const demo = users
    .map((u) => `<li><code>${escapeHtml(u.username)}</code> / <code>${escapeHtml(u.password)}</code></li>`)
    .join('');
  return page(
    'Sign in – Dev IdP',
    `<h1>Sign in</h1>
<p class="sub">to continue to ${escapeHtml(clientName)} (local development identity provider)</p>
${errorBlock}
<form method="post" action="${base}/login" id="login-form">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${escapeHtml(username ?? '')}"${described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}>
<div class="actions">
<button type="submit" class="primary">Sign in</button>
<button type="submit" formaction="${base}/abort" formnovalidate>Cancel</button>
</div>
</form>
<div class="note">
<strong>Demo users</strong> (development only):
<ul>${demo}</ul>
</div>`,
  );
}

export function renderErrorPage(title: string, detail: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(detail)}</p>`);
}
