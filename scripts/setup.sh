#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for this project, and nothing when it is all there.
#   bash scripts/setup.sh           Node 24 if the machine's is unsupported + node_modules + Chromium
#                                   + PostgreSQL (the service suites run on it too) + LemonLDAP::NG (interop OP)
#                                   + SimpleSAMLphp (interop SAML IdP) + xmlsec1
#   bash scripts/setup.sh deps      Node 24 if needed + node_modules (what `npm run dev` needs)
#   bash scripts/setup.sh browser   Chromium only
#   bash scripts/setup.sh postgres  PostgreSQL server binaries only (tests start their own throw-away server)
#   bash scripts/setup.sh interop   LemonLDAP::NG and SimpleSAMLphp only (Debian packages; the interop suite's IdPs)
#   bash scripts/setup.sh xmlsec    xmlsec1 only (signs the SAML vendor fixtures with a signer other than ours)
# The Node it installs lives in .tools/node24; scripts/dev.sh and scripts/test.sh put it first on PATH themselves
# (scripts/lib/node-env.sh). For other commands: export PATH="$PWD/.tools/node24/bin:$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
# shellcheck source=lib/node-env.sh
source scripts/lib/node-env.sh

want=${1:-all}

# Stale = some locked package is absent from node_modules or installed at another version.
# Platform-specific optional packages (other OSes' SWC builds) are never installed, so they are not counted.
node_modules_current() {
  node - <<'JS'
const fs = require('node:fs');
const want = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')).packages ?? {};
let have;
try {
  have = JSON.parse(fs.readFileSync('node_modules/.package-lock.json', 'utf8')).packages ?? {};
} catch {
  process.exit(1);
}
const stale = Object.entries(want).filter(
  ([path, meta]) => path !== '' && !meta.optional && !meta.link && have[path]?.version !== meta.version,
);
if (stale.length) console.log(`node_modules is out of date (${stale.length} packages, e.g. ${stale[0][0]})`);
process.exit(stale.length ? 1 : 0);
JS
}

# apt-get as root, or through passwordless sudo; otherwise print the command and fail.
apt_install() {
  local apt=(apt-get)
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      apt=(sudo apt-get)
    else
      echo "Missing system packages: $*. Install them as root, then run again:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $*" >&2
      exit 1
    fi
  fi
  echo "==> apt-get install $*"
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -o DPkg::Lock::Timeout=300 --no-install-recommends --no-upgrade "$@"
}

# better-sqlite3 compiles from source (its prebuilt binaries cannot be downloaded here).
ensure_build_tools() {
  local missing=()
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# better-sqlite3 is built for one Node ABI: it loads only under the Node major it was compiled for.
native_modules_load() {
  node -e 'new (require("better-sqlite3"))(":memory:").close()' >/dev/null 2>&1
}

ensure_node_modules() {
  use_supported_node
  if [ -d node_modules ] && node_modules_current; then
    native_modules_load && return 0
    echo "==> node_modules was built for another Node version: rebuilding better-sqlite3 for Node $(node --version) (~2 min)"
    ensure_build_tools
    npm rebuild better-sqlite3
  else
    ensure_build_tools
    echo "==> npm ci on Node $(node --version) (installs the locked dependencies; better-sqlite3 compiles from source, ~2 min)"
    # Never --omit=optional: SWC, lightningcss and Tailwind's oxide ship as optional platform packages.
    npm ci --no-audit --no-fund
  fi
  if ! native_modules_load; then
    echo "better-sqlite3 does not load under Node $(node --version):" >&2
    node -e 'require("better-sqlite3")' 2>&1 | grep -m1 -i error >&2 || true
    echo "Delete node_modules and run \`bash scripts/setup.sh deps\` again." >&2
    exit 1
  fi
}

ensure_chromium() {
  local chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [ -x "$chromium" ]; then
    return 0
  fi
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
    exit 1
  fi
  # Playwright cannot download its own browsers here; Debian's chromium works with it.
  echo "Chromium is missing (or set CHROMIUM_PATH to an existing Chromium/Chrome binary)."
  apt_install chromium
}

# The tests start their own PostgreSQL (initdb + pg_ctl in a temp dir) from Debian's server binaries; the
# service itself needs none unless DATABASE_URL points at one.
ensure_postgres() {
  if [ -n "${PG_BIN_DIR:-}" ] && [ -x "$PG_BIN_DIR/pg_ctl" ]; then
    return 0
  fi
  if compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
    return 0
  fi
  echo "PostgreSQL server binaries are missing (or set PG_BIN_DIR to a directory with initdb and pg_ctl)."
  apt_install postgresql
}

# The SAML vendor-default fixtures (tests/support/vendor-saml.ts) are signed by Debian's xmlsec1, so the
# service's verifier is checked against a signer that is not the library it verifies with.
ensure_xmlsec() {
  command -v xmlsec1 >/dev/null 2>&1 && return 0
  echo "xmlsec1 is missing (the SAML vendor fixtures are signed with it)."
  apt_install xmlsec1
}

case "$want" in
  deps) ensure_node_modules ;;
  xmlsec) ensure_xmlsec ;;
  browser) ensure_chromium ;;
  postgres) ensure_postgres ;;
  interop)
    bash scripts/interop/install-lemonldap.sh
    bash scripts/interop/simplesamlphp-install.sh
    ;;
  all)
    ensure_node_modules
    ensure_chromium
    ensure_postgres
    ensure_xmlsec
    bash scripts/interop/install-lemonldap.sh
    bash scripts/interop/simplesamlphp-install.sh
    ;;
  *)
    echo "usage: bash scripts/setup.sh [deps|browser|postgres|interop|xmlsec|all]" >&2
    exit 2
    ;;
esac
