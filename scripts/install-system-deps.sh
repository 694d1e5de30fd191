#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, poppler for PDF checks,
# DejaVu fonts for PDFs that print names outside Latin-1 (the register).
set -euo pipefail
needed=()
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
