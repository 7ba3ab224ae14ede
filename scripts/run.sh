#!/usr/bin/env bash
# One command from a clean clone to the GridDesk window on the sample district:
# installs system packages, the UI's npm packages, builds the UI and the app, and starts it.
#
#   scripts/run.sh                 # debug build (~3 min the first time on 2 cores)
#   scripts/run.sh --release       # optimised build (~6 min the first time)
#   scripts/run.sh -- --db PATH    # anything after `--` goes to the app (see griddesk-app --help)
#
# The first start creates the store in the platform data folder
# (~/.local/share/cn.griddesk.desktop/griddesk.sqlite) and loads the sample district into it.
# Without a display (no $DISPLAY / $WAYLAND_DISPLAY) the app runs inside Xvfb, for a smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
app_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release; cargo_flags+=(--release) ;;
    --) shift; app_args=("$@"); break ;;
    *) app_args+=("$1") ;;
  esac
  shift
done

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: '$1' is required: $2" >&2; exit 1; }; }
need cargo "install Rust from rustup.rs (1.85 or newer)"
need node "install Node.js 20.19 or newer"
need npm "install Node.js 20.19 or newer (it brings npm)"

bash scripts/install-deps.sh

echo "==> UI: npm ci + build"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)

echo "==> app: cargo build -p griddesk-app ($profile)"
cargo build -p griddesk-app "${cargo_flags[@]}"

bin="target/$profile/griddesk-app"
echo "==> starting $bin ${app_args[*]}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "    (no display: running inside Xvfb; stop with Ctrl-C)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$bin" "${app_args[@]}"
fi
exec "$bin" "${app_args[@]}"
