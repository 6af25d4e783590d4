#!/usr/bin/env bash
# Installs LemonLDAP::NG (Debian's packages) and nginx for the interop suite, and nothing when they are there.
#   bash scripts/interop/install-lemonldap.sh          install what is missing (root, or passwordless sudo)
#   bash scripts/interop/install-lemonldap.sh --check  exit 0 when everything is installed, 1 otherwise
#
# The suite never uses the system's nginx sites or services: scripts/interop/lemonldap.ts runs its own nginx
# and FastCGI server from a temporary directory. So that installing nginx does not also start one on port 80,
# services are kept from starting during this install (a temporary policy-rc.d, only if none exists).
set -euo pipefail

# lemonldap-ng: portal, handler and manager. Portal modules Debian only "recommends" but the OpenID Connect
# issuer cannot start without: String::Random (codes), IO::String (issuer base class), and the captcha module
# the portal always loads (GD::SecurityImage with ImageMagick). nginx serves the portal over FastCGI.
PACKAGES=(
  lemonldap-ng
  lemonldap-ng-fastcgi-server
  nginx
  libstring-random-perl
  libio-string-perl
  libgd-securityimage-perl
  libimage-magick-perl
)
# What the portal needs at run time; checked after the install so a broken install says so here.
PERL_MODULES=(Lemonldap::NG::Portal::Main String::Random IO::String GD::SecurityImage Image::Magick Crypt::OpenSSL::RSA)

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || echo "$pkg"
  done
}

perl_modules_load() {
  local args=() m
  for m in "${PERL_MODULES[@]}"; do args+=("-M$m"); done
  perl "${args[@]}" -e 1 2>/dev/null
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "LemonLDAP::NG is installed from Debian packages; this machine has no dpkg. Use Debian 12 (bookworm) or newer." >&2
  exit 1
fi

mapfile -t missing < <(missing_packages)
if [ "${1:-}" = --check ]; then
  [ ${#missing[@]} -eq 0 ] && perl_modules_load
  exit
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    echo "LemonLDAP::NG is not installed (missing: ${missing[*]}). Install it as root, then run again:" >&2
    echo "  sudo bash scripts/interop/install-lemonldap.sh" >&2
    exit 1
  fi
fi

policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# Temporary (Grantex interop install): no service starts during this install.\nexit 101\n' |
    "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  own_policy=1
fi
cleanup() {
  if [ -n "$own_policy" ]; then "${as_root[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT

echo "==> apt-get install ${missing[*]} (LemonLDAP::NG for the interop suite)"
export DEBIAN_FRONTEND=noninteractive
# `update` only when the package lists do not know the packages yet (a fresh image ships without lists).
if ! apt-cache show lemonldap-ng >/dev/null 2>&1; then
  "${as_root[@]}" apt-get update
fi
"${as_root[@]}" apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"

if ! perl_modules_load; then
  echo "LemonLDAP::NG was installed but its Perl modules do not load; try: perl -MLemonldap::NG::Portal::Main -e1" >&2
  exit 1
fi
