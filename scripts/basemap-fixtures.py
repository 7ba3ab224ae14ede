#!/usr/bin/env python3
"""Inputs for the basemap test fixtures (run by scripts/basemap-fixtures.sh, which documents them).

Subcommands:
  sources TMPDIR         writes TMPDIR/sample.osm, TMPDIR/empty.osm and the GeoJSON the
                         tile fixtures are made from (roads, buildings, water; WGS84 and GCJ-02)
  retag SRC DST KEY=VAL  copies the PMTiles SRC to DST, adding KEY=VAL to its JSON metadata
  garbage OUT SIZE SEED  writes SIZE pseudo-random bytes (seeded: the output is reproducible)
  summary FILE...        one line per fixture: size and what the file holds

Everything is deterministic: run twice, get the same files.
"""

import json
import math
import os
import random
import sys
from xml.sax.saxutils import quoteattr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROADS = os.path.join(ROOT, "resources", "sample", "road_lines.geojson")

# A pinyin-ish spelling of the characters the sample's street names use, so every road can
# carry `name:zh` (the Chinese name) and a different `name` (the reader must prefer name:zh).
PINYIN = {
    "东": "Dong", "乡": "xiang", "前": "qian", "动": "dong", "劳": "Lao", "北": "bei",
    "南": "nan", "县": "Xian", "口": "kou", "号": "hao", "城": "cheng", "大": "Da",
    "天": "Tian", "官": "guan", "巷": "Xiang", "年": "nian", "新": "Xin", "桔": "Ju",
    "桥": "qiao", "横": "Heng", "江": "Jiang", "河": "he", "浦": "pu", "环": "Huan",
    "街": "Jie", "西": "Xi", "路": "Lu", "道": "dao", "长": "chang", "门": "men",
    "院": "yuan", "青": "Qing", "高": "Gao",
}
SUFFIXES = ("大道", "路", "街", "巷")


def pinyin(name):
    """`县前街（3段）` → `Xianqian Jie 3`, `东浦1号巷` → `Dongpu 1 hao Xiang`."""
    base, _, section = name.partition("（")
    section = section.rstrip("）").replace("段", "")
    suffix = next((s for s in SUFFIXES if base.endswith(s)), "")
    stem = base[: len(base) - len(suffix)] if suffix else base
    out, word = [], ""
    for ch in stem:
        if ch.isdigit():
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        else:
            word += PINYIN.get(ch, "x").lower()
    if word:
        out.append(word)
    words = [w.capitalize() if not w.isdigit() else w for w in out]
    if suffix:
        words.append("".join(PINYIN[c] for c in suffix).capitalize())
    if section:
        words.append(section)
    return " ".join(words)


def highway_for(cls, name):
    """The sample's road classes as OSM highway values."""
    if cls == "road":
        return "primary" if "大道" in name or "环城" in name else "secondary"
    if cls == "street":
        return "residential"
    return "service"  # lane (巷)


# GCJ-02 ("Mars coordinates"): the standard published WGS84 → GCJ-02 transform.
_A = 6378245.0
_EE = 0.00669342162296594323


def _tlat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon, lat):
    dlat = _tlat(lon - 105.0, lat - 35.0)
    dlon = _tlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


class Osm:
    """An OSM XML document built in memory: nodes shared by coordinate, ways, relations."""

    def __init__(self):
        self.nodes = {}  # (lon, lat) rounded to 1e-7 → id
        self.node_list = []  # (id, lon, lat, tags)
        self.ways = []  # (id, [node ids], tags)
        self.relations = []  # (id, [(type, ref, role)], tags)
        self.next_node = 1
        self.next_way = 1
        self.next_rel = 1

    def node(self, lon, lat, tags=None, share=True):
        key = (round(lon, 7), round(lat, 7))
        if share and not tags and key in self.nodes:
            return self.nodes[key]
        nid = self.next_node
        self.next_node += 1
        self.node_list.append((nid, key[0], key[1], tags or {}))
        if share and not tags:
            self.nodes[key] = nid
        return nid

    def way(self, coords, tags, closed=False):
        refs = [self.node(lon, lat) for lon, lat in coords]
        if closed and refs[0] != refs[-1]:
            refs.append(refs[0])
        wid = self.next_way
        self.next_way += 1
        self.ways.append((wid, refs, tags))
        return wid

    def relation(self, members, tags):
        rid = self.next_rel
        self.next_rel += 1
        self.relations.append((rid, members, tags))
        return rid

    def write(self, path):
        def tag_xml(tags):
            return "".join(
                f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>\n" for k, v in sorted(tags.items())
            )

        with open(path, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            f.write('<osm version="0.6" generator="griddesk basemap-fixtures.py">\n')
            for nid, lon, lat, tags in sorted(self.node_list):
                if tags:
                    f.write(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">\n')
                    f.write(tag_xml(tags))
                    f.write("  </node>\n")
                else:
                    f.write(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
            for wid, refs, tags in self.ways:
                f.write(f'  <way id="{wid}" version="1">\n')
                for r in refs:
                    f.write(f'    <nd ref="{r}"/>\n')
                f.write(tag_xml(tags))
                f.write("  </way>\n")
            for rid, members, tags in self.relations:
                f.write(f'  <relation id="{rid}" version="1">\n')
                for typ, ref, role in members:
                    f.write(f'    <member type="{typ}" ref="{ref}" role="{role}"/>\n')
                f.write(tag_xml(tags))
                f.write("  </relation>\n")
            f.write("</osm>\n")


M_LAT = 1 / 111_320.0  # degrees per metre (north)


def m_lon(lat):
    return 1 / (111_320.0 * math.cos(math.radians(lat)))


def rect(cx, cy, w, h, angle=0.0):
    """A w × h metre rectangle centred on (cx, cy), rotated by `angle` radians."""
    pts = []
    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        rx = dx * math.cos(angle) - dy * math.sin(angle)
        ry = dx * math.sin(angle) + dy * math.cos(angle)
        pts.append((cx + rx * m_lon(cy), cy + ry * M_LAT))
    return pts


def circle(cx, cy, r_m, n, wobble=0.0, rng=None):
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        r = r_m * (1 + (rng.uniform(-wobble, wobble) if rng else 0))
        pts.append((cx + r * math.cos(a) * m_lon(cy), cy + r * math.sin(a) * M_LAT))
    return pts


def feature(geom_type, coords, props):
    return {"type": "Feature", "properties": props, "geometry": {"type": geom_type, "coordinates": coords}}


def sources(tmp):
    rng = random.Random(20240611)
    roads = json.load(open(ROADS, encoding="utf-8"))["features"]
    osm = Osm()
    road_feats, building_feats, water_feats = [], [], []

    # Roads: every sample road line; nodes where roads meet are shared (same coordinate).
    for f in roads:
        p = f["properties"]
        coords = f["geometry"]["coordinates"]
        hw = highway_for(p["class"], p["name"])
        osm.way(coords, {"highway": hw, "name:zh": p["name"], "name": pinyin(p["name"]), "ref": p["code"]})
        road_feats.append(feature("LineString", coords, {"name": p["name"], "highway": hw}))

    # Buildings beside the roads: 20 × 14 m footprints 30 m off every other street's middle.
    n_buildings = 0
    for i, f in enumerate(roads):
        if f["properties"]["class"] == "road" or i % 2:
            continue
        c = f["geometry"]["coordinates"]
        (x0, y0), (x1, y1) = c[len(c) // 2 - 1], c[len(c) // 2]
        dx, dy = (x1 - x0) / m_lon(y0), (y1 - y0) / M_LAT
        length = math.hypot(dx, dy) or 1.0
        ang = math.atan2(dy, dx)
        nx, ny = -dy / length, dx / length
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        for side in (1, -1):
            cx, cy = mx + side * 30 * nx * m_lon(my), my + side * 30 * ny * M_LAT
            kind = "residential" if n_buildings % 3 == 0 else "yes"
            ring = rect(cx, cy, 20, 14, ang)
            osm.way(ring, {"building": kind}, closed=True)
            building_feats.append(feature("Polygon", [ring + [ring[0]]], {"building": kind}))
            n_buildings += 1

    # 永宁江 north of the old town: a river area (closed way) and its centre line.
    north, south = [], []
    for i in range(0, 41):
        lon = 121.222 + i * 0.0018
        mid = 28.6655 + 0.0012 * math.sin(i / 5.0)
        half = 0.0013 + 0.0002 * math.cos(i / 3.0)
        north.append((lon, mid + half))
        south.append((lon, mid - half))
    ring = south + list(reversed(north))
    osm.way(ring, {"natural": "water", "water": "river", "name:zh": "永宁江", "name": "Yongning River"}, closed=True)
    centre = [(lon, (a[1] + b[1]) / 2) for (lon, _), a, b in zip(south, south, north)]
    osm.way(centre, {"waterway": "river", "name:zh": "永宁江", "name": "Yongning River"})
    water_feats.append(feature("Polygon", [ring + [ring[0]]], {"name": "永宁江"}))

    # A multipolygon (landuse=grass) south of the town: an outer ring made of two ways (the
    # second drawn backwards, so the reader must join ends in either direction) and an
    # untagged inner ring (a pond cut out of the lawn).
    outer = circle(121.250, 28.6170, 300, 24)
    half = len(outer) // 2
    w1 = osm.way(outer[: half + 1], {})
    w2 = osm.way(list(reversed(outer[half:] + [outer[0]])), {})
    inner = circle(121.250, 28.6170, 100, 12)
    w3 = osm.way(inner, {}, closed=True)
    osm.relation(
        [("way", w1, "outer"), ("way", w2, "outer"), ("way", w3, "inner")],
        {"type": "multipolygon", "landuse": "grass", "name:zh": "东湖绿地", "name": "Donghu Green"},
    )

    # A wood of two outer ways right on the line the clipped fixture is cut along: in
    # clipped.osm.pbf its ring cannot be closed (a broken relation). Both ways start at the
    # western point (osmium 1.15's simple strategy was seen to keep only ways whose first node
    # lies inside the box) and meet again at the eastern one.
    wood = circle(121.2565, 28.5990, 150, 16)
    wood = wood[8:] + wood[:8]  # start in the west
    w4 = osm.way(wood[:9], {})
    w5 = osm.way([wood[0]] + list(reversed(wood[8:])), {})
    osm.relation(
        [("way", w4, "outer"), ("way", w5, "outer")],
        {"type": "multipolygon", "landuse": "forest", "name:zh": "城西林地"},
    )

    # An old-style multipolygon: the tags sit on the outer way (a building), the relation has
    # only type=multipolygon; its inner ring is a courtyard.
    court_outer = rect(121.2400, 28.6150, 60, 60)
    court_inner = rect(121.2400, 28.6150, 24, 24)
    wo = osm.way(court_outer, {"building": "school", "name:zh": "城关中学教学楼"}, closed=True)
    wi = osm.way(court_inner, {}, closed=True)
    osm.relation([("way", wo, "outer"), ("way", wi, "inner")], {"type": "multipolygon"})

    # A named hospital area (landuse class hospital, and a POI at its middle), a pedestrian
    # square (highway=pedestrian + area=yes: not a road), a railway and an abandoned one.
    osm.way(rect(121.2700, 28.6180, 120, 90), {"amenity": "hospital", "name:zh": "黄岩区第一人民医院"}, closed=True)
    osm.way(rect(121.2600, 28.6200, 50, 40), {"highway": "pedestrian", "area": "yes", "name:zh": "城关广场"}, closed=True)
    osm.way([(121.222, 28.6050), (121.250, 28.6080), (121.298, 28.6120)], {"railway": "rail", "name:zh": "金台铁路"})
    osm.way([(121.222, 28.6020), (121.298, 28.6040)], {"railway": "abandoned"})

    # Points: a place, two POIs, an unnamed bench (not a POI) and a node with only a name.
    osm.node(121.2550, 28.6420, {"place": "suburb", "name:zh": "城关街道", "name": "Chengguan Subdistrict"})
    osm.node(121.2450, 28.6380, {"amenity": "school", "name:zh": "城关小学", "name": "Chengguan Primary School"})
    osm.node(121.2650, 28.6450, {"shop": "supermarket", "name": "华联超市"})
    osm.node(121.2500, 28.6400, {"amenity": "bench"})
    osm.node(121.2520, 28.6410, {"name": "无名点"})

    osm.write(os.path.join(tmp, "sample.osm"))
    with open(os.path.join(tmp, "empty.osm"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="griddesk basemap-fixtures.py">\n</osm>\n')

    def dump(name, feats):
        with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": feats}, f, ensure_ascii=False)

    def shifted(feats):
        def tr(c):
            if isinstance(c[0], (int, float)):
                return list(wgs84_to_gcj02(c[0], c[1]))
            return [tr(x) for x in c]

        return [dict(f, geometry=dict(f["geometry"], coordinates=tr(f["geometry"]["coordinates"]))) for f in feats]

    dump("roads.geojson", road_feats)
    dump("buildings.geojson", building_feats)
    dump("water.geojson", water_feats)
    dump("roads_gcj02.geojson", shifted(road_feats))
    dump("buildings_gcj02.geojson", shifted(building_feats))
    print(
        f"sample.osm: {len(osm.node_list)} nodes, {len(osm.ways)} ways "
        f"({len(roads)} roads, {n_buildings} buildings), {len(osm.relations)} relations"
    )


def retag(src, dst, kv):
    from pmtiles.reader import MmapSource, Reader, all_tiles
    from pmtiles.tile import zxy_to_tileid
    from pmtiles.writer import Writer

    key, _, value = kv.partition("=")
    with open(src, "rb") as f:
        reader = Reader(MmapSource(f))
        header = reader.header()
        metadata = reader.metadata()
        tiles = sorted((zxy_to_tileid(*zxy), data) for zxy, data in all_tiles(reader.get_bytes))
    metadata[key] = value
    with open(dst, "wb") as f:
        writer = Writer(f)
        for tile_id, data in tiles:
            writer.write_tile(tile_id, data)
        writer.finalize(header, metadata)


def garbage(out, size, seed):
    rng = random.Random(int(seed))
    with open(out, "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(int(size))))


def summary(paths):
    for p in paths:
        size = os.path.getsize(p)
        what = ""
        if p.endswith(".pmtiles"):
            try:
                from pmtiles.reader import MmapSource, Reader

                with open(p, "rb") as f:
                    r = Reader(MmapSource(f))
                    h = r.header()
                    md = r.metadata()
                    layers = [l.get("id") for l in md.get("vector_layers", [])]
                    what = (
                        f"{h['tile_type'].name} z{h['min_zoom']}-{h['max_zoom']} "
                        f"{h['addressed_tiles_count']} tiles layers={layers}"
                        + (f" crs={md['crs']}" if "crs" in md else "")
                    )
            except Exception as e:  # the corrupt fixture
                what = f"unreadable ({type(e).__name__})"
        print(f"  {os.path.basename(p):<18} {size:>8} B  {what}")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "sources":
        sources(*args)
    elif cmd == "retag":
        retag(*args)
    elif cmd == "garbage":
        garbage(*args)
    elif cmd == "summary":
        summary(args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
