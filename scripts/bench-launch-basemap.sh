#!/usr/bin/env bash
# Launch to grids drawn with and without the sample's basemap, interleaved in one run (not in CI):
#   scripts/bench-launch-basemap.sh [ROUNDS]        (default 3)
# Makes the sample store with the CLI (which installs 样例区街道 like a first start), a copy with
# the basemap removed, then alternates tests/e2e/perf.mjs runs on the two (3 launches each; the
# first launch of a run is cold and left out) and prints every warm launch and the medians, with
# the page's own marks (grids-drawn, font-loaded, labels-drawn) of the last launch of each.
# Needs the release app and CLI (cargo build --release -p griddesk-app -p griddesk-cli, after
# the UI's `npm run build`), Xvfb and the end-to-end tools (scripts/install-deps.sh --test).
# Run it on a quiet machine: nothing else compiling.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
app=${GRIDDESK_APP:-$root/target/release/griddesk-app}
cli=${GRIDDESK_BIN:-$root/target/release/griddesk}
[[ -x $app && -x $cli ]] || { echo "bench-launch-basemap: build the release app and CLI first" >&2; exit 2; }
dir=${BENCH_DIR:-$root/target/bench-launch}
rm -rf "$dir" && mkdir -p "$dir"
"$cli" init "$dir/with.griddesk" --sample >/dev/null
cp "$dir/with.griddesk" "$dir/without.griddesk"
id=$("$cli" basemap list "$dir/without.griddesk" | awk 'NR==1 {print $1}')
[[ -n $id ]] || { echo "bench-launch-basemap: the sample store has no basemap" >&2; exit 1; }
"$cli" basemap remove "$dir/without.griddesk" "$id" --admin >/dev/null
for r in $(seq "$rounds"); do
  for k in with without; do
    GRIDDESK_APP=$app xvfb-run -a -s "-screen 0 1280x800x24" \
      node "$root/tests/e2e/perf.mjs" --db "$dir/$k.griddesk" --launches 3 --steps 1 >"$dir/$k-$r.json"
  done
done
python3 - "$dir" "$rounds" <<'EOF'
import json, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
for k in ('with', 'without'):
    warm, marks = [], None
    for r in range(1, rounds + 1):
        j = json.load(open(f'{d}/{k}-{r}.json'))
        warm += j['launch_to_grids_ms'][1:]
        marks = j['launch_phases'][-1]
    keep = {m: marks[m] for m in ('page_start_ms', 'first-tile', 'grids-drawn', 'font-loaded', 'labels-drawn') if m in marks}
    print(f'{k:8} basemap: warm launches {sorted(warm)} median {statistics.median(warm):.0f} ms; last marks {keep}')
EOF
