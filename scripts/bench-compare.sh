#!/usr/bin/env bash
# Compares two GridDesk builds on the README's whole-process jobs in one run, interleaved:
#   scripts/bench-compare.sh BASE_REV [HEAD_REV] [--grids N] [--cases N] [--repeat N]
# Builds the CLI of both revisions in release mode (one shared target folder, so dependencies
# are compiled once), generates one store with the base build, and times, alternating the two
# builds each repeat: opening the store and building every index (`bench open`), locating the
# cases' points (`bench locate`), encoding the z15 tiles with most cases (`bench tiles`), the
# whole-district topology check (`bench topology`), importing the cases from CSV into a store
# with the grids (whole process), the month's evaluation from the store (`analytics evaluate
# --db`) and the heatmap of all cases (`analytics heatmap`). Prints a table of medians and the
# head/base ratio of each job (ratio > 1.10 is a slowdown beyond the 10 % budget).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base_rev=${1:?usage: bench-compare.sh BASE_REV [HEAD_REV] [--grids N] [--cases N] [--repeat N]}
shift
head_rev=HEAD
if [[ $# -gt 0 && $1 != --* ]]; then head_rev=$1; shift; fi
grids=50000 cases=1000000 repeat=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --grids) grids=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
work=${BENCH_DIR:-$root/target/bench-compare}
mkdir -p "$work"
target=${CARGO_TARGET_DIR:-$root/target}

build() { # rev name
  local rev=$1 name=$2 wt="$work/src-$2"
  rm -rf "$wt"
  git -C "$root" worktree remove --force "$wt" 2>/dev/null || true
  git -C "$root" worktree add --detach "$wt" "$rev" >/dev/null
  (cd "$wt" && CARGO_TARGET_DIR="$target" cargo build --release -q -p griddesk-cli)
  cp "$target/release/griddesk" "$work/griddesk-$name"
  git -C "$root" worktree remove --force "$wt"
}
build "$base_rev" base
build "$head_rev" head

db="$work/store.sqlite" grids_db="$work/grids.sqlite" cases_csv="$work/cases.csv" pts="$work/points.csv"
if [[ ! -f $db ]]; then
  "$work/griddesk-base" generate --grids "$grids" --cases "$cases" --db "$db" --resources "$root/resources"
  "$work/griddesk-base" generate --grids "$grids" --cases 0 --db "$grids_db" --resources "$root/resources"
  "$work/griddesk-base" export "$db" cases "$cases_csv"
  python3 - "$cases_csv" "$pts" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", newline="") as o:
    r = csv.DictReader(f)
    w = csv.writer(o)
    w.writerow(["lon", "lat"])
    for row in r:
        w.writerow([row["lon"], row["lat"]])
EOF
fi
# Each build works on its own copy: a head whose schema is newer migrates its copy once, here,
# untimed (the base build could not open a migrated store).
for b in base head; do
  for f in store grids; do
    rm -f "$work/$f-$b.sqlite" "$work/$f-$b.sqlite-wal" "$work/$f-$b.sqlite-shm"
    cp "$work/$f.sqlite" "$work/$f-$b.sqlite"
    "$work/griddesk-$b" stats "$work/$f-$b.sqlite" >/dev/null
  done
done
month=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT substr(MAX(reported_at),1,7) FROM cases").fetchone()[0])' "$db")

now_ms() { date +%s%3N; }
timed() { # prints elapsed ms of a command; fails when the command fails
  local t0; t0=$(now_ms); "$@" >/dev/null || return 1; echo $(( $(now_ms) - t0 ))
}
job() { # name build -> ms
  local name=$1 bin="$work/griddesk-$2" db="$work/store-$2.sqlite" grids_db="$work/grids-$2.sqlite"
  case $name in
    open) timed "$bin" bench open "$db" ;;
    locate) timed "$bin" bench locate "$db" "$pts" ;;
    tiles) timed "$bin" bench tiles "$db" --zoom 15 --sample 2000 ;;
    topology) timed "$bin" bench topology "$db" ;;
    import)
      cp "$grids_db" "$work/import.sqlite"
      rm -f "$work/import.sqlite-wal" "$work/import.sqlite-shm"
      timed "$bin" import "$work/import.sqlite" cases "$cases_csv" --admin ;;
    heatmap) timed "$bin" analytics heatmap "$db" --out "$work/heat.png" ;;
    evaluate) timed "$bin" analytics evaluate --db "$db" --month "$month" ;;
  esac
}
jobs=(open locate tiles topology import heatmap evaluate)
declare -A res
for ((i = 0; i < repeat; i++)); do
  for j in "${jobs[@]}"; do
    for b in base head; do
      # Alternate which build goes first, so neither always runs on a warmer cache.
      if (( i % 2 )); then b=$([[ $b == base ]] && echo head || echo base); fi
      ms=$(job "$j" "$b" 2>/dev/null || echo fail)
      res[$j.$b]+="$ms "
    done
  done
done
printf '%-10s %12s %12s %8s\n' job "base ms" "head ms" ratio
for j in "${jobs[@]}"; do
  python3 - "$j" "${res[$j.base]}" "${res[$j.head]}" <<'EOF'
import statistics, sys
j, a, b = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
if "fail" in a or "fail" in b:
    print(f"{j:<10} {'fail' if 'fail' in a else '':>12} {'fail' if 'fail' in b else '':>12}")
else:
    ma, mb = statistics.median(map(int, a)), statistics.median(map(int, b))
    print(f"{j:<10} {ma:>12.0f} {mb:>12.0f} {mb / ma:>8.2f}   (base {' '.join(a)}; head {' '.join(b)})")
EOF
done
