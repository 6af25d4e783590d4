#!/usr/bin/env bash
# `npm run test:interop`: the service and the console against real IdPs from Debian's packages: LemonLDAP::NG
# (Perl) as an OpenID Provider and as a SAML IdP (on Lasso), and SimpleSAMLphp (PHP) as a SAML IdP. Installs what
# is missing (scripts/setup.sh: the packages need root), then
#   1. vitest tests/interop: the flows over HTTP (each run starts its own IdPs on free ports);
#   2. Playwright e2e/interop-lemonldap.spec.ts: console test sign-in and member login on LemonLDAP's page
#      (LemonLDAP started here with the e2e stack's callback as redirect URI), and the SAML specs
#      e2e/interop-lemonldap-saml.spec.ts and e2e/interop-simplesamlphp.spec.ts (each starts its own IdP).
#      Needs a production build: made when there is none; after changing the console, run `npx next build` first.
# Reports: test-results/vitest-interop.json, test-results/playwright-interop.json; ends with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1
REPORTS=test-results
mkdir -p "$REPORTS"
rm -f "$REPORTS/vitest-interop.json" "$REPORTS/playwright-interop.json"
t0=$SECONDS

# node_modules, Chromium and LemonLDAP::NG when missing; then the project's supported Node for what follows.
bash scripts/setup.sh || exit 1
# shellcheck source=../lib/node-env.sh
source scripts/lib/node-env.sh
use_supported_node || exit 1
# From here on a LemonLDAP that cannot start is a failure, not a skip.
export INTEROP_REQUIRED=1

echo "==> vitest tests/interop"
npx vitest run tests/interop --reporter=default --reporter=json --outputFile.json="$REPORTS/vitest-interop.json"
summary=(--vitest "$REPORTS/vitest-interop.json")

if [ ! -f .next/BUILD_ID ]; then
  echo "==> next build (no production build yet)"
  npx next build || { summary+=(--failed-step "next build"); node --import tsx scripts/ci-summary.ts "${summary[@]}"; exit 1; }
fi

# shellcheck source=scripts/interop/lemonldap-up.sh
source scripts/interop/lemonldap-up.sh
trap interop_idp_stop EXIT
echo "==> LemonLDAP::NG for the console spec"
if interop_idp_start "http://localhost:${E2E_PORT:-3100}/sso/callback" "http://localhost:${E2E_PORT:-3100}/sso/callback/interop-lemonldap"; then
  echo "==> Playwright e2e/interop-*.spec.ts"
  PLAYWRIGHT_JSON_OUTPUT_FILE="$REPORTS/playwright-interop.json" npx playwright test e2e/interop-lemonldap.spec.ts \
    e2e/interop-lemonldap-saml.spec.ts e2e/interop-simplesamlphp.spec.ts
  summary+=(--playwright "$REPORTS/playwright-interop.json")
  interop_idp_stop
else
  summary+=(--failed-step "start LemonLDAP::NG for the Playwright spec")
fi

echo "interop suite: $((SECONDS - t0))s"
node --import tsx scripts/ci-summary.ts "${summary[@]}"
