#!/usr/bin/env bash
# THE test command (`npm test`, and what CI runs through .ci/run): installs what is missing, then
# typecheck → lint → vitest → the storage-dependent suites again on PostgreSQL → next build → Playwright, and ends
# with ONE line: `N passed, N failed`. The interop suites against real IdPs from Debian's packages are part of the
# vitest and Playwright runs: LemonLDAP::NG as an OpenID Provider and as a SAML IdP (Perl; its SAML issuer is
# Lasso), and SimpleSAMLphp as a SAML IdP (PHP).
# Every step runs even when an earlier one failed (except Playwright, which needs the build), so one run
# shows everything that is wrong. Exit code is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

REPORTS=test-results
mkdir -p "$REPORTS"
rm -f "$REPORTS/vitest.json" "$REPORTS/vitest-postgres.json" "$REPORTS/playwright.json"
summary_args=()
t0=$(date +%s)

# Runs one step, prints its duration; a failing step is passed to ci-summary as one failure when $1 == counted.
run_step() {
  local kind=$1 name=$2
  shift 2
  local start=$SECONDS
  echo
  echo "==> $name"
  if "$@"; then
    echo "==> $name: ok ($((SECONDS - start))s)"
    return 0
  fi
  echo "==> $name: FAILED ($((SECONDS - start))s)"
  [ "$kind" = counted ] && summary_args+=(--failed-step "$name")
  return 1
}

# Everything below (npm, npx, node and what they start) runs on a supported Node (Node 24 is installed into
# .tools/node24 when the machine's is older): see scripts/lib/node-env.sh.
# shellcheck source=lib/node-env.sh
source scripts/lib/node-env.sh
if ! run_step counted "supported Node" use_supported_node; then
  echo "0 passed, 1 failed"
  exit 1
fi
echo "==> Node $(node --version) ($(command -v node))"

# setup (all) also ensures the system packages the suites need: PostgreSQL, the interop IdPs, and xmlsec1 (the
# signer of the SAML vendor fixtures, tests/support/vendor-saml.ts).
if ! run_step counted setup bash scripts/setup.sh; then
  echo "0 passed, 1 failed"
  exit 1
fi

# The interop tests (LemonLDAP::NG, installed by setup) run here, and fail if it cannot start.
export INTEROP_REQUIRED=1

run_step counted typecheck bash -c 'npx next typegen && npx tsc --noEmit'
run_step counted lint npm run --silent lint

# vitest's and Playwright's own failures are counted from their JSON reports, not as a step.
run_step reported "unit and integration tests (vitest)" \
  npx vitest run --passWithNoTests --reporter=default --reporter=json --outputFile.json="$REPORTS/vitest.json"
summary_args+=(--vitest "$REPORTS/vitest.json")

# The contract, flow, storage, security-scenario and fault suites once more on a real PostgreSQL (a throw-away
# server started and removed by scripts/with-postgres.ts); both runs count in the summary line.
run_step reported "service suites on PostgreSQL (vitest)" \
  npx tsx scripts/with-postgres.ts -- npx vitest run $(node -p "require('./package.json').config.postgresSuites") \
  --reporter=default --reporter=json --outputFile.json="$REPORTS/vitest-postgres.json"
summary_args+=(--vitest "$REPORTS/vitest-postgres.json")

# One `next build` at a time on a shared machine: wait for someone else's to finish.
for i in $(seq 1 60); do
  pgrep -f "next build" >/dev/null 2>&1 || break
  [ "$i" = 1 ] && echo "(waiting for another next build to finish)"
  sleep 5
done
if run_step counted "next build" npx next build; then
  # LemonLDAP::NG in the background for e2e/interop-lemonldap.spec.ts (it skips itself without one). The SAML
  # interop specs (e2e/interop-lemonldap-saml.spec.ts, e2e/interop-simplesamlphp.spec.ts) start their own IdP
  # once the connection's SP metadata exists.
  source scripts/interop/lemonldap-up.sh
  trap interop_idp_stop EXIT
  run_step counted "start LemonLDAP::NG (interop IdP)" interop_idp_start "http://localhost:${E2E_PORT:-3100}/sso/callback" "http://localhost:${E2E_PORT:-3100}/sso/callback/interop-lemonldap"
  run_step reported "end-to-end tests (Playwright)" npx playwright test
  summary_args+=(--playwright "$REPORTS/playwright.json")
  interop_idp_stop
else
  echo "(Playwright skipped: it runs against the production build)"
fi

echo
echo "total time: $(($(date +%s) - t0))s"
node --import tsx scripts/ci-summary.ts "${summary_args[@]}"
