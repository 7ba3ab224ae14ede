#!/usr/bin/env bash
# Installs everything GridDesk needs on a fresh Debian 12 machine (idempotent).
#   scripts/install-deps.sh            # build + run deps
#   scripts/install-deps.sh --test     # also test deps (Xvfb, WebKitWebDriver, tauri-driver, shapely,
#                                      # GDAL's ogrinfo to check exported GeoPackages and Shapefiles,
#                                      # PostgreSQL 15 + PostGIS 3 for the city centre's tests,
#                                      # Chromium + ChromeDriver for the phone pages' tests, and NSS's
#                                      # certutil to trust the station's HTTPS certificate there)
set -euo pipefail
want_test=0
[ "${1:-}" = "--test" ] && want_test=1
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
pkgs=(libwebkit2gtk-4.1-dev build-essential pkg-config fonts-noto-cjk xvfb xauth)
[ $want_test -eq 1 ] && pkgs+=(webkit2gtk-driver imagemagick python3-pip gdal-bin osmium-tool
  postgresql-15-postgis-3 chromium chromium-driver libnss3-tools)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${missing[@]}" >/dev/null
fi
if [ $want_test -eq 1 ]; then
  if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "==> cargo install tauri-driver"
    cargo install tauri-driver --locked
  fi
  python3 -c 'import shapely' 2>/dev/null || { echo "==> pip install shapely"; python3 -m pip install -q 'shapely>=2,<3' numpy; }
  python3 -c 'import scipy' 2>/dev/null || { echo "==> pip install scipy"; python3 -m pip install -q numpy scipy; }
  # An Open311 GeoReport v2 client GridDesk did not write (crates/station/tests/it/georeport.rs).
  python3 -c 'import georeport' 2>/dev/null || { echo "==> pip install georeport"; python3 -m pip install -q 'georeport>=0.3,<0.4'; }
fi
echo "==> dependencies ready"
