#!/usr/bin/env bash
# The one command for a fresh checkout: install what is missing (a supported Node, node_modules, build tools),
# then start the dev stack (scripts/dev.ts) on that Node. Environment variables: see .env.example.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/node-env.sh
source scripts/lib/node-env.sh
use_supported_node
bash scripts/setup.sh deps
export NEXT_TELEMETRY_DISABLED=1
exec node --import tsx scripts/dev.ts "$@"
