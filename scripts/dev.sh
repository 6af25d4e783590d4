#!/usr/bin/env bash
# The one command for a fresh checkout: install what is missing (node_modules, build tools), then `npm run dev`.
# Same environment variables as `npm run dev` (see .env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh deps
export NEXT_TELEMETRY_DISABLED=1
exec node --import tsx scripts/dev.ts "$@"
