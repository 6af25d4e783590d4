# Sourced by the interop install scripts: installs Debian packages for an interop IdP, and nothing when they are there.
#   interop_missing_packages PKG...          prints the ones not installed
#   interop_apt_install LABEL PKG...         installs the missing ones (root, or passwordless sudo); 1 with the reason
# Services are kept from starting during the install (a temporary policy-rc.d, only if none exists): the suite
# runs its own nginx/FastCGI/PHP-FPM processes from temporary directories, never the system's.

interop_missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || echo "$pkg"
  done
}

interop_apt_install() {
  local label=$1
  shift
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "$label is installed from Debian packages; this machine has no dpkg. Use Debian 12 (bookworm) or newer." >&2
    return 1
  fi
  local missing
  mapfile -t missing < <(interop_missing_packages "$@")
  [ ${#missing[@]} -eq 0 ] && return 0

  local as_root=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo)
    else
      echo "$label is not installed (missing: ${missing[*]}). Install it as root, then run again:" >&2
      echo "  sudo bash $0" >&2
      return 1
    fi
  fi

  local policy=/usr/sbin/policy-rc.d own_policy= status=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Temporary (Grantex interop install): no service starts during this install.\nexit 101\n' |
      "${as_root[@]}" tee "$policy" >/dev/null
    "${as_root[@]}" chmod 755 "$policy"
    own_policy=1
  fi
  echo "==> apt-get install ${missing[*]} ($label for the interop suite)"
  # `update` only when the package lists do not know the packages yet (a fresh image ships without lists).
  if ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get update || status=$?
  fi
  if [ $status -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" || status=$?
  fi
  if [ -n "$own_policy" ]; then "${as_root[@]}" rm -f "$policy"; fi
  return $status
}
