#!/usr/bin/env bash
# Regenerates ui/src/generated/: the TypeScript types of the IPC boundary, written by ts-rs from
# the Rust types of the shell's commands and the engine types they carry (src-tauri/src/bindings.rs).
# Commit the result; `cargo test -p griddesk-app` fails while the committed files are stale.
#
# The shell's tests embed ui/dist, so a missing one is built first (vite only: tsc may well fail
# until the types are regenerated, which is why you are running this).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d ui/dist ]; then
  [ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  (cd ui && npx vite build --logLevel error)
fi
cargo test -p griddesk-app --bin griddesk-app -- --ignored --exact bindings::tests::write_generated_typescript
echo "gen-ts: regenerated ui/src/generated/; now run (cd ui && npx tsc --noEmit && npx eslint .)"
