# Sourced by scripts/test.sh and scripts/interop/run.sh (bash): runs LemonLDAP::NG in the background for the
# Playwright interop spec and exports its INTEROP_LEMONLDAP_* details; interop_idp_stop ends it.
#   interop_idp_start REDIRECT_URI...   0 when ready (details exported), 1 with the reason on stderr
#   interop_idp_stop                    stops it (no-op when not running)

interop_idp_start() {
  INTEROP_IDP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/grantex-interop-XXXXXX")
  local args=() uri
  for uri in "$@"; do args+=(--redirect-uri "$uri"); done
  node --import tsx scripts/interop/lemonldap.ts "${args[@]}" --write-env "$INTEROP_IDP_DIR/env" \
    >"$INTEROP_IDP_DIR/out" 2>&1 &
  INTEROP_IDP_PID=$!
  # The script gives up after its own 60 s startup timeout (and says why); this loop outlasts it.
  local i
  for i in $(seq 1 180); do
    if [ -s "$INTEROP_IDP_DIR/env" ]; then
      # shellcheck source=/dev/null
      source "$INTEROP_IDP_DIR/env"
      cat "$INTEROP_IDP_DIR/out"
      return 0
    fi
    if ! kill -0 "$INTEROP_IDP_PID" 2>/dev/null; then
      cat "$INTEROP_IDP_DIR/out" >&2
      interop_idp_stop
      return 1
    fi
    sleep 0.5
  done
  echo "LemonLDAP::NG did not report ready within 90 s:" >&2
  cat "$INTEROP_IDP_DIR/out" >&2
  interop_idp_stop
  return 1
}

interop_idp_stop() {
  if [ -n "${INTEROP_IDP_PID:-}" ]; then
    kill -TERM "$INTEROP_IDP_PID" 2>/dev/null
    wait "$INTEROP_IDP_PID" 2>/dev/null
  fi
  [ -n "${INTEROP_IDP_DIR:-}" ] && rm -rf "$INTEROP_IDP_DIR"
  unset INTEROP_IDP_PID INTEROP_IDP_DIR
  unset "${!INTEROP_LEMONLDAP_@}"
  return 0
}
