#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for this project, and nothing when it is all there.
#   bash scripts/setup.sh           node_modules (npm ci when missing or stale) + Chromium for Playwright
#                                   + PostgreSQL (the tests run the service suites on it as well)
#   bash scripts/setup.sh deps      node_modules only (what `npm run dev` needs)
#   bash scripts/setup.sh browser   Chromium only
#   bash scripts/setup.sh postgres  PostgreSQL server binaries only (tests start their own throw-away server)
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

want=${1:-all}

need_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "Node.js is not installed. Install Node 20.18+ (e.g. from nodejs.org or your distribution) and run again." >&2
    exit 1
  fi
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=18)?0:1)'; then
    echo "Node $(node --version) is too old: this project needs Node 20.18 or newer." >&2
    exit 1
  fi
}

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

ensure_node_modules() {
  need_node
  if [ -d node_modules ] && node_modules_current; then
    return 0
  fi
  # better-sqlite3 compiles from source (its prebuilt binaries cannot be downloaded here).
  local missing=()
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  echo "==> npm ci (installs the locked dependencies; better-sqlite3 compiles from source, ~2 min)"
  # Never --omit=optional: SWC, lightningcss and Tailwind's oxide ship as optional platform packages.
  npm ci --no-audit --no-fund
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

case "$want" in
  deps) ensure_node_modules ;;
  browser) ensure_chromium ;;
  postgres) ensure_postgres ;;
  all)
    ensure_node_modules
    ensure_chromium
    ensure_postgres
    ;;
  *)
    echo "usage: bash scripts/setup.sh [deps|browser|postgres|all]" >&2
    exit 2
    ;;
esac
