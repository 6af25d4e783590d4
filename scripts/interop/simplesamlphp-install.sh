#!/usr/bin/env bash
# Installs SimpleSAMLphp (Debian's packages), PHP-FPM and nginx for the interop suite, and nothing when they are there.
#   bash scripts/interop/simplesamlphp-install.sh          install what is missing (root, or passwordless sudo)
#   bash scripts/interop/simplesamlphp-install.sh --check  exit 0 when everything is installed, 1 otherwise
#
# The suite never uses the system's SimpleSAMLphp configuration, nginx sites or PHP-FPM pools:
# scripts/interop/simplesamlphp.ts runs its own nginx and PHP-FPM from a temporary directory.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=apt-install.sh
source ./apt-install.sh

# simplesamlphp only "recommends" the PHP extensions it cannot run without: XML (DOMDocument, signatures) and
# mbstring; PHP-FPM runs it behind nginx.
PACKAGES=(simplesamlphp php-fpm php-xml php-mbstring nginx)

if [ "${1:-}" = --check ]; then
  [ -z "$(interop_missing_packages "${PACKAGES[@]}")" ]
  exit
fi
interop_apt_install "SimpleSAMLphp" "${PACKAGES[@]}"
