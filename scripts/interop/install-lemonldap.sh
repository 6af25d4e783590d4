#!/usr/bin/env bash
# Installs LemonLDAP::NG (Debian's packages, with its SAML issuer's Lasso) and nginx for the interop suite, and nothing when they are there.
#   bash scripts/interop/install-lemonldap.sh          install what is missing (root, or passwordless sudo)
#   bash scripts/interop/install-lemonldap.sh --check  exit 0 when everything is installed, 1 otherwise
#
# The suite never uses the system's nginx sites or services: scripts/interop/lemonldap.ts runs its own nginx
# and FastCGI server from a temporary directory. So that installing nginx does not also start one on port 80,
# services are kept from starting during this install (a temporary policy-rc.d, only if none exists).
set -euo pipefail
# shellcheck source=apt-install.sh
source "$(dirname "$0")/apt-install.sh"

# lemonldap-ng: portal, handler and manager. Portal modules Debian only "recommends" but the OpenID Connect
# issuer cannot start without: String::Random (codes), IO::String (issuer base class), and the captcha module
# the portal always loads (GD::SecurityImage with ImageMagick). nginx serves the portal over FastCGI.
# The SAML issuer (scripts/interop/lemonldap-saml.ts) needs Lasso's Perl binding, which the portal only
# "suggests", and XML::Simple, which its SAML library loads.
PACKAGES=(
  lemonldap-ng
  lemonldap-ng-fastcgi-server
  nginx
  libstring-random-perl
  libio-string-perl
  libgd-securityimage-perl
  libimage-magick-perl
  liblasso-perl
  libxml-simple-perl
)
# What the portal needs at run time; checked after the install so a broken install says so here.
PERL_MODULES=(Lemonldap::NG::Portal::Main String::Random IO::String GD::SecurityImage Image::Magick Crypt::OpenSSL::RSA
  Lasso XML::Simple Lemonldap::NG::Portal::Issuer::SAML)

perl_modules_load() {
  local args=() m
  for m in "${PERL_MODULES[@]}"; do args+=("-M$m"); done
  perl "${args[@]}" -e 1 2>/dev/null
}

if [ "${1:-}" = --check ]; then
  [ -z "$(interop_missing_packages "${PACKAGES[@]}")" ] && perl_modules_load
  exit
fi
interop_apt_install "LemonLDAP::NG" "${PACKAGES[@]}"

if ! perl_modules_load; then
  echo "LemonLDAP::NG was installed but its Perl modules do not load; try: perl -MLemonldap::NG::Portal::Main -e1" >&2
  exit 1
fi
