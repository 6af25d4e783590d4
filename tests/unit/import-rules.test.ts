/**
 * The import rules of docs/ARCHITECTURE.md, as eslint.config.mjs enforces them: import lines linted as if they
 * were written in each guarded folder. A forbidden import must be an error (so removing or weakening a rule
 * fails here), an allowed one must not be (so a rule cannot quietly grow over the code it should leave alone).
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_KEY_PATTERN } from '@/lib/contract';
import { REDIRECT_KEY_PATTERN } from '@/lib/dev-idp/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({
    cwd: root,
    overrideConfigFile: 'eslint.config.mjs',
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });
});

/** The no-restricted-imports messages for one import line written in `file`. */
async function importErrors(file: string, line: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${line}\n`, { filePath: `${root}${file}` });
  if (!result) throw new Error(`ESLint returned no result for ${file}`);
  expect(
    result.messages.filter((m) => m.fatal),
    `${file}: ${line} parses`,
  ).toEqual([]);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: Array<[file: string, line: string, rule: RegExp]> = [
  // The Grantex client does not word its failures: that is the console's.
  [
    'lib/grantex/server.ts',
    "import { grantexFailureText } from '@/lib/console/messages';",
    /lib\/grantex\/server\.ts.*imports only/,
  ],
  ['lib/grantex/server.ts', "import { grantexFailureText } from '../console/messages';", /may not leave lib\/grantex/],
  [
    'lib/grantex/client.ts',
    "import { env } from '@/lib/env';",
    /lib\/grantex\/ imports only lib\/contract and lib\/net/,
  ],
  [
    'lib/grantex/errors.ts',
    "import type { GrantexFailure } from '@/lib/console/messages';",
    /lib\/grantex\/ imports only/,
  ],
  ['lib/grantex/client.ts', "export { LIMITS } from '@/lib/auth';", /lib\/grantex\/ imports only/],
  ['lib/contract/wire.ts', "import { guardedFetch } from '@/lib/net';", /lib\/contract\/ imports nothing of ours/],
  ['lib/contract/wire.ts', "import { guardedFetch } from '../net';", /may not leave lib\/contract/],
  [
    'lib/net/guarded-fetch.ts',
    "import { GrantexClient } from '@/lib/grantex/client';",
    /lib\/net\/ imports only lib\/contract/,
  ],
  [
    'lib/sso-service/features/connections/routes.ts',
    "import { displayText } from '@/lib/console/utils/display-text';",
    /never imports console code/,
  ],
  ['lib/sso-service/features/connections/routes.ts', "import { env } from '@/lib/env';", /never imports console code/],
  ['lib/sso-service/app.ts', "import { requireAdmin } from '@/lib/auth';", /never imports console code/],
  ['lib/sso-service/app.ts', "import { GrantexError } from '@/lib/grantex/errors';", /never imports console code/],
  ['lib/sso-service/app.ts', "import Page from '@/app/page';", /never imports console code/],
  ['lib/sso-service/oidc/index.ts', "import { startDevIdp } from '@/lib/dev-idp';", /never imports lib\/dev-idp/],
  [
    'lib/sso-service/features/connections/routes.ts',
    "import { displayText } from '../../../console/utils/display-text';",
    /may not leave lib\/sso-service/,
  ],
  [
    'lib/sso-service/saml/deep/nested/file.ts',
    "import { x } from '../../../../console/messages';",
    /may not leave lib\/sso-service/,
  ],
  [
    'lib/dev-idp/config.ts',
    "import { CALLBACK_KEY_PATTERN } from '@/lib/contract/url-rules';",
    /lib\/dev-idp\/ imports nothing of ours/,
  ],
  ['lib/dev-idp/saml/handler.ts', "import { LIMITS } from '../../contract';", /may not leave lib\/dev-idp/],
  [
    'lib/console/member-login/oidc-callback.ts',
    "import { loadServiceConfig } from '@/lib/sso-service';",
    /Console code never imports lib\/sso-service/,
  ],
  ['lib/console/messages.ts', "import { DEMO_USERS } from '@/lib/dev-idp/users';", /Console code never imports/],
  ['lib/auth/options.ts', "import { startSsoService } from '@/lib/sso-service/index';", /Console code never imports/],
  ['lib/env.ts', "import { loadServiceConfig } from '@/lib/sso-service/config';", /Console code never imports/],
  ['lib/env.ts', "import { grantexPublic } from './grantex/server';", /may not leave lib\/env\.ts/],
  ['lib/validations/oidc-connection.ts', "import { startDevIdp } from '@/lib/dev-idp';", /Console code never imports/],
  [
    'lib/rate-limit/fixed-window.ts',
    "import { openStore } from '@/lib/sso-service/storage';",
    /Console code never imports/,
  ],
  [
    'lib/console/messages.ts',
    "import { Button } from '@/components/ui/button';",
    /Nothing in lib\/ imports app\/ or components\//,
  ],
  [
    'lib/auth/session.ts',
    "import { signIn } from '@/app/signin/actions';",
    /Nothing in lib\/ imports app\/ or components\//,
  ],
  [
    'components/sso/oidc-connection-form.tsx',
    "import { createOidcConnection } from '@/app/settings/sso/new/actions';",
    /components\/ never imports app\//,
  ],
  [
    'components/sso/oidc-connection-form.tsx',
    "import { createOidcConnection } from '../../app/settings/sso/new/actions';",
    /may not leave components/,
  ],
  [
    'components/sso/oidc-connection-form.tsx',
    "import { LIMITS } from '@/lib/sso-service/config';",
    /Console code never imports/,
  ],
  [
    'app/settings/sso/page.tsx',
    "import { startSsoService } from '@/lib/sso-service';",
    /Console code never imports lib\/sso-service/,
  ],
  ['app/settings/sso/page.tsx', "export { DEMO_USERS } from '@/lib/dev-idp/users';", /Console code never imports/],
  ['app/settings/sso/page.tsx', "import { startSsoService } from '../../../lib/sso-service';", /may not leave app/],
];

const allowed: Array<[file: string, line: string]> = [
  ['lib/grantex/server.ts', "import { env } from '@/lib/env';"],
  ['lib/grantex/server.ts', "import { requesterAddress } from '@/lib/rate-limit/console-limits';"],
  ['lib/grantex/server.ts', "import { GrantexClient } from './client';"],
  ['lib/grantex/client.ts', "import { readCapped } from '@/lib/net/read-capped';"],
  ['lib/grantex/client.ts', "import { LIMITS } from '@/lib/contract';"],
  ['lib/contract/index.ts', "import { LIMITS } from './limits';"],
  ['lib/net/guarded-fetch.ts', "import { LIMITS } from '@/lib/contract';"],
  ['lib/sso-service/features/connections/routes.ts', "import { apiError } from '../../http/api-error';"],
  ['lib/sso-service/features/connections/routes.ts', "import { guardedFetch } from '@/lib/net';"],
  ['lib/sso-service/saml/deep/nested/file.ts', "import { x } from '../../../config';"],
  ['lib/sso-service/app.ts', "import { LIMITS } from '@/lib/contract';"],
  ['lib/dev-idp/saml/handler.ts', "import { DEMO_USERS } from '../users';"],
  ['lib/dev-idp/index.ts', "import { DEMO_USERS } from '@/lib/dev-idp/users';"],
  ['lib/console/grantex-errors.ts', "import { env } from '@/lib/env';"],
  ['lib/console/grantex-errors.ts', "import { isGrantexError } from '@/lib/grantex/errors';"],
  ['lib/console/member-login/oidc-callback.ts', "import { grantexPublic } from '@/lib/grantex/server';"],
  ['lib/console/member-login/oidc-callback.ts', "import { guardedFetch } from '@/lib/net';"],
  ['lib/console/member-login/oidc-callback.ts', "import { cookieOptions } from '../utils/cookie-options';"],
  ['lib/auth/options.ts', "import { describeGrantexError } from '@/lib/console/grantex-errors';"],
  ['components/sso/oidc-connection-form.tsx', "import { fieldErrorText } from '@/lib/console/messages';"],
  ['components/sso/oidc-connection-form.tsx', "import { Button } from '../ui/button';"],
  ['app/settings/sso/page.tsx', "import { Button } from '@/components/ui/button';"],
  ['app/settings/sso/page.tsx', "import { describeGrantexError } from '@/lib/console/grantex-errors';"],
  ['app/settings/sso/new/page.tsx', "import { oidcSaveAction } from '../connection-save';"],
  // Tests, e2e, scripts and bench may import anything.
  ['tests/unit/example.test.ts', "import { startSsoService } from '@/lib/sso-service';"],
  ['e2e/example.spec.ts', "import { startDevIdp } from '@/lib/dev-idp';"],
  ['scripts/example.ts', "import { startDevIdp } from '../lib/dev-idp';"],
  ['bench/example.ts', "import { grantexPublic } from '@/lib/grantex/server';"],
];

describe('import rules (eslint.config.mjs, docs/ARCHITECTURE.md)', () => {
  it.each(forbidden)('%s: refuses %s', async (file, line, rule) => {
    const errors = await importErrors(file, line);
    expect(errors.length, errors.join('\n')).toBe(1);
    expect(errors[0]).toMatch(rule);
  });

  it.each(allowed)('%s: allows %s', async (file, line) => {
    expect(await importErrors(file, line)).toEqual([]);
  });
});

describe("the dev IdP's own copy of the callback key pattern", () => {
  it('equals the contract’s, so wildcard redirect URIs accept exactly the console’s per-connection callbacks', () => {
    expect(REDIRECT_KEY_PATTERN.source).toBe(CALLBACK_KEY_PATTERN.source);
    expect(REDIRECT_KEY_PATTERN.flags).toBe(CALLBACK_KEY_PATTERN.flags);
  });
});
