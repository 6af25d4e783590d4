import nextCoreWebVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';
import prettierOff from 'eslint-config-prettier/flat';

/**
 * The import rules of docs/ARCHITECTURE.md ("Directory map", column "imports allowed"), enforced with the core
 * `no-restricted-imports` rule. Our own modules are named through the `@/` alias; a relative import may not climb
 * out of its folder (otherwise `../console/messages` would slip past the alias rules), so every cross-folder
 * import is an `@/` import these patterns see. Tests, e2e, scripts and bench may import anything.
 *
 * ESLint gives a file only the options of the LAST block that sets a rule, so each file must match exactly one
 * of the blocks below: `layers` are disjoint, and one block per folder depth carries the "do not climb out" limit.
 * `tests/unit/import-rules.test.ts` lints bad and good import lines in each folder against this file.
 */

const CONSOLE_CODE = '(app|components|lib/(console|auth|grantex|rate-limit|validations)|lib/env)(/|$)';

const layers = [
  {
    folder: 'lib/contract',
    patterns: [
      {
        regex: '^@/(?!lib/contract(/|$))',
        message:
          'lib/contract/ imports nothing of ours: it is the pure, browser-safe wire contract (docs/ARCHITECTURE.md).',
      },
    ],
  },
  {
    folder: 'lib/net',
    patterns: [
      {
        regex: '^@/(?!lib/(contract|net)(/|$))',
        message:
          'lib/net/ imports only lib/contract: the outbound guard is neither party’s code (docs/ARCHITECTURE.md).',
      },
    ],
  },
  {
    folder: 'lib/grantex',
    ignores: ['lib/grantex/server.ts'],
    patterns: [
      {
        regex: '^@/(?!lib/(contract|net|grantex)(/|$))',
        message:
          'lib/grantex/ imports only lib/contract and lib/net: the Grantex client knows no console wording or settings; words for its failures live in lib/console/ (docs/ARCHITECTURE.md).',
      },
    ],
  },
  {
    folder: 'lib/grantex',
    file: 'lib/grantex/server.ts',
    patterns: [
      {
        regex: '^@/(?!lib/(contract|net|grantex|rate-limit)(/|$)|lib/env$)',
        message:
          'lib/grantex/server.ts (the console’s client factory) imports only lib/contract, lib/net, lib/env and lib/rate-limit; words for Grantex failures live in lib/console/ (docs/ARCHITECTURE.md).',
      },
    ],
  },
  {
    folder: 'lib/sso-service',
    patterns: [
      {
        regex: `^@/${CONSOLE_CODE}`,
        message:
          'lib/sso-service/ never imports console code (app/, components/, lib/console, lib/auth, lib/grantex, lib/rate-limit, lib/validations, lib/env): the service is another party behind HTTP (docs/ARCHITECTURE.md).',
      },
      {
        regex: '^@/lib/dev-idp(/|$)',
        message:
          'lib/sso-service/ never imports lib/dev-idp: the dev IdP is another party behind HTTP (docs/ARCHITECTURE.md).',
      },
    ],
  },
  {
    folder: 'lib/dev-idp',
    patterns: [
      {
        regex: '^@/(?!lib/dev-idp(/|$))',
        message:
          'lib/dev-idp/ imports nothing of ours but its own files: it stands in for an outside identity provider (docs/ARCHITECTURE.md).',
      },
    ],
  },
  ...['lib/console', 'lib/auth', 'lib/rate-limit', 'lib/validations', 'lib/env.ts', 'components', 'app'].map(
    (folder) => ({
      folder,
      patterns: [
        {
          regex: '^@/lib/(sso-service|dev-idp)(/|$)',
          message:
            'Console code never imports lib/sso-service or lib/dev-idp: it talks to them over HTTP (lib/grantex; the IdP through the browser) (docs/ARCHITECTURE.md).',
        },
        ...(folder === 'app'
          ? []
          : [
              {
                regex: folder === 'components' ? '^@/app(/|$)' : '^@/(app|components)(/|$)',
                message:
                  folder === 'components'
                    ? 'components/ never imports app/: routes use components, not the other way round (docs/ARCHITECTURE.md).'
                    : 'Nothing in lib/ imports app/ or components/: pages and components sit above lib (docs/ARCHITECTURE.md).',
              },
            ]),
      ],
    }),
  ),
];

const SOURCE = '*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';
const MAX_DEPTH = 8;

/** One block per folder depth: a relative import may climb at most to the folder's root. */
function importRuleBlocks({ folder, file, ignores = [], patterns }) {
  // lib/env.ts is a single file with no folder of its own to stay in.
  const isFile = folder.endsWith('.ts');
  const depths = file || isFile ? [0] : Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => depth);
  return depths.map((depth) => ({
    files: [file ?? (isFile ? folder : `${folder}/${'*/'.repeat(depth)}${SOURCE}`)],
    ignores,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...patterns,
            {
              regex: isFile ? '^\\.' : `^(\\.\\./){${depth + 1}}`,
              message: `A relative import may not leave ${folder}: import other folders through the @/ alias, which the import rules of docs/ARCHITECTURE.md check.`,
            },
          ],
        },
      ],
    },
  }));
}

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  // Layout is Prettier's (`npm run format`, checked by `npm run lint`): ESLint's stylistic rules stay off.
  prettierOff,
  {
    ignores: ['.next/**', 'node_modules/**', '.data/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**'],
  },
  ...layers.flatMap(importRuleBlocks),
];

export default config;
