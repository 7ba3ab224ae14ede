#!/usr/bin/env python3
"""Synthesises a city-sized OpenStreetMap extract for the basemap benchmark
(scripts/bench-basemap.sh).

    scripts/make-city-extract.py OUT.osm.pbf [--mb 50] [--seed 1]

The city is a grid of blocks (≈ 160 × 130 m) south-west of 黄岩, with named streets (Chinese
names; primary every 8th, secondary every 4th, residential otherwise, a service lane through
each block), a river with its banks as water areas and its centre line, a railway, land use
around every block, parks (every other one a multipolygon with its pond as a hole), schools,
some 30 building footprints per block (≈ 2,300 per km², a fifth of them L-shaped, two in five
with an address), named shops
and amenities, and neighbourhood and suburb names. Elements carry editing history (version,
timestamp, changeset, user) in sessions as real extracts do, which is a good part of a real
file's bytes: 50 MB holds ≈ 7.5 M nodes and 1.5 M buildings. The same --mb and --seed give the
same file. --mb is the PBF size aimed at (±15 %).

The OSM XML is streamed into three temporary files (nodes, ways, relations: ids rise in each)
which are piped through `osmium cat` into the PBF, so memory stays small (< 100 MB here, plus
what osmium needs) whatever the size. Needs osmium-tool.
"""

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from xml.sax.saxutils import quoteattr

BLOCK_W, BLOCK_H = 160.0, 130.0  # metres, street axis to street axis
LON0, LAT0 = 121.05, 28.45  # south-west corner
# PBF bytes one block gives (calibrated with osmium 1.15: --mb 5 → 5.0 MB, --mb 50 → 50 MB).
BYTES_PER_BLOCK = 902.0

M_LAT = 1 / 111_320.0
M_LON = 1 / (111_320.0 * math.cos(math.radians(LAT0 + 0.1)))

FIRST = ["东", "西", "南", "北", "中", "新", "长", "文", "人民", "解放", "建设", "和平", "青年",
         "胜利", "光明", "幸福", "朝阳", "育才", "振兴", "兴业", "华夏", "锦绣", "永宁", "江滨",
         "桔乡", "劳动", "天长", "横街", "官河", "高桥", "双江", "东浦", "县前", "北院", "环城",
         "西城", "南城", "东城", "太平", "永丰"]
SECOND = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
SHOPS = [("shop", "supermarket", "超市"), ("shop", "convenience", "便利店"),
         ("amenity", "restaurant", "饭店"), ("amenity", "pharmacy", "药房"),
         ("amenity", "bank", "银行"), ("shop", "bakery", "面包房"), ("amenity", "cafe", "茶室"),
         ("shop", "hairdresser", "理发店"), ("amenity", "clinic", "诊所"),
         ("office", "government", "社区服务中心")]


def street_name(k, axis):
    a = FIRST[k % len(FIRST)]
    b = SECOND[(k // len(FIRST)) % len(SECOND)]
    suffix = ("路", "街") if axis == "x" else ("大道", "路")
    return f"{a}{b}{suffix[k % 2]}"


class Osm:
    """Writes nodes, ways and relations to three files as they come; ids rise in each."""

    def __init__(self, tmp, rng):
        self.files = [open(os.path.join(tmp, n), "w", encoding="utf-8", buffering=1 << 22)
                      for n in ("nodes.xml", "ways.xml", "rels.xml")]
        self.n, self.w, self.r = 1, 1, 1
        self.rng = rng
        # Editing history as real extracts carry it (version, timestamp, changeset, user):
        # it makes up a good part of a real file's bytes, which the reader must skip.
        self.users = [(1000 + 7919 * k % 90000, f"mapper_{k:03d}") for k in range(300)]

        self.session, self.left = "", 0

    def _meta(self):
        """Elements come in edit sessions (a changeset, a user, seconds apart) as in real data."""
        rng = self.rng
        if self.left == 0:
            uid, user = self.users[int(rng.paretovariate(1.2)) % len(self.users)]
            self.ts = 1_330_000_000 + rng.randrange(400_000_000)
            self.session = f'changeset="{(self.ts - 1_330_000_000) // 3 + 10_000_000}" uid="{uid}" user="{user}"'
            self.left = rng.randint(50, 500)
        self.left -= 1
        self.ts += rng.randint(0, 2)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.ts))
        version = 1 if rng.random() < 0.7 else rng.randint(2, 6)
        return f'version="{version}" timestamp="{stamp}" {self.session}'

    @staticmethod
    def _tags(tags):
        return "".join(f'<tag k="{k}" v={quoteattr(v)}/>' for k, v in tags)

    def node(self, x, y, tags=()):
        """A node at (x, y) metres from the corner."""
        nid = self.n
        self.n += 1
        lon, lat = LON0 + x * M_LON, LAT0 + y * M_LAT
        if tags:
            self.files[0].write(f'<node id="{nid}" {self._meta()} lat="{lat:.7f}" lon="{lon:.7f}">'
                                f"{self._tags(tags)}</node>\n")
        else:
            self.files[0].write(f'<node id="{nid}" {self._meta()} lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        return nid

    def way(self, refs, tags=()):
        wid = self.w
        self.w += 1
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        self.files[1].write(f'<way id="{wid}" {self._meta()}>{nds}{self._tags(tags)}</way>\n')
        return wid

    def ring(self, pts, tags=()):
        refs = [self.node(x, y) for x, y in pts]
        return self.way(refs + refs[:1], tags)

    def relation(self, members, tags):
        rid = self.r
        self.r += 1
        ms = "".join(f'<member type="way" ref="{ref}" role="{role}"/>' for ref, role in members)
        self.files[2].write(f'<relation id="{rid}" {self._meta()}>{ms}{self._tags(tags)}</relation>\n')
        return rid

    def close(self):
        for f in self.files:
            f.close()


def rect(cx, cy, w, h, a):
    c, s = math.cos(a), math.sin(a)
    return [(cx + dx * c - dy * s, cy + dx * s + dy * c)
            for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))]


def l_shape(cx, cy, w, h, a):
    c, s = math.cos(a), math.sin(a)
    pts = ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, 0), (0, 0), (0, h / 2), (-w / 2, h / 2))
    return [(cx + dx * c - dy * s, cy + dx * s + dy * c) for dx, dy in pts]


def circle(cx, cy, r, n, rng):
    return [(cx + r * (1 + rng.uniform(-0.08, 0.08)) * math.cos(2 * math.pi * i / n),
             cy + r * (1 + rng.uniform(-0.08, 0.08)) * math.sin(2 * math.pi * i / n))
            for i in range(n)]


def make(out_xml_dir, mb, seed):
    rng = random.Random(seed)
    blocks = max(16, int(mb * 1_000_000 / BYTES_PER_BLOCK))
    nx = max(4, int(math.sqrt(blocks * BLOCK_H / BLOCK_W)))
    ny = max(4, blocks // nx)
    river_row = ny // 3
    osm = Osm(out_xml_dir, random.Random(seed + 1))
    jit = lambda: rng.uniform(-1.5, 1.5)  # noqa: E731 (survey noise, metres)

    # Street intersections first (ids 1 …), so crossing streets share them.
    inter = {}
    for j in range(ny + 1):
        for i in range(nx + 1):
            inter[i, j] = osm.node(i * BLOCK_W + jit(), j * BLOCK_H + jit())

    def street(axis, k, a0, a1):
        """Street k along `axis` from intersection a0 to a1, a node every ≈ 30 m between."""
        refs = []
        for a in range(a0, a1):
            p = (a, k) if axis == "x" else (k, a)
            refs.append(inter[p])
            for t in range(1, 5):
                f = (a + t / 5)
                x, y = (f * BLOCK_W, k * BLOCK_H) if axis == "x" else (k * BLOCK_W, f * BLOCK_H)
                refs.append(osm.node(x + jit(), y + jit()))
        refs.append(inter[(a1, k) if axis == "x" else (k, a1)])
        cls = "primary" if k % 8 == 0 else "secondary" if k % 4 == 0 else "residential"
        lanes = {"primary": "6", "secondary": "4"}.get(cls, "2")
        speed = {"primary": "60", "secondary": "50"}.get(cls, "30")
        osm.way(refs, [("highway", cls), ("name", street_name(k, axis)), ("lanes", lanes),
                       ("maxspeed", speed), ("surface", "asphalt")])

    for axis, count, length in (("x", ny + 1, nx), ("y", nx + 1, ny)):
        for k in range(count):
            for a0 in range(0, length, 4):  # a way every 4 blocks, as OSM splits them
                street(axis, k, a0, min(a0 + 4, length))

    # The river: bank-to-bank water areas (a way per 10 blocks) and its centre line.
    y0, y1 = river_row * BLOCK_H + 12, (river_row + 1) * BLOCK_H - 12
    for a0 in range(0, nx, 10):
        a1 = min(a0 + 10, nx)
        xs = [a0 * BLOCK_W + t * 40.0 for t in range(int((a1 - a0) * BLOCK_W / 40) + 1)]
        south = [(x, y0 + rng.uniform(-4, 4)) for x in xs]
        north = [(x, y1 + rng.uniform(-4, 4)) for x in reversed(xs)]
        osm.ring(south + north, [("natural", "water"), ("water", "river"), ("name", "永宁江")])
        osm.way([osm.node(x, (y0 + y1) / 2 + jit()) for x in xs],
                [("waterway", "river"), ("name", "永宁江")])

    # A railway across the city, south-west to north-east.
    length = math.hypot(nx * BLOCK_W, ny * BLOCK_H)
    steps = int(length / 50)
    rail = [osm.node(t / steps * nx * BLOCK_W + 20, t / steps * ny * BLOCK_H * 0.8 + 40)
            for t in range(steps + 1)]
    for s0 in range(0, steps, 200):
        osm.way(rail[s0:s0 + 201], [("railway", "rail"), ("name", "金台铁路")])

    # Places: a neighbourhood per 12 × 12 blocks, a suburb per 48 × 48.
    for j in range(6, ny, 12):
        for i in range(6, nx, 12):
            k = (j // 12) * 1000 + i // 12
            if i % 48 == 6 and j % 48 == 6:
                osm.node(i * BLOCK_W, j * BLOCK_H,
                         [("place", "suburb"), ("name", FIRST[k % len(FIRST)] + "城街道")])
            else:
                osm.node(i * BLOCK_W + 30, j * BLOCK_H + 30,
                         [("place", "neighbourhood"), ("name", FIRST[k % len(FIRST)] + SECOND[k % 10] + "社区")])

    # The blocks.
    t0, last = time.time(), 0
    for j in range(ny):
        if j == river_row:
            continue
        for i in range(nx):
            block(osm, rng, i, j)
        done = (j + 1) * 100 // ny
        if done >= last + 10:
            last = done
            print(f"  blocks: {done} % ({osm.n - 1:,} nodes, {time.time() - t0:.0f} s)", file=sys.stderr)
    osm.close()
    return osm.n - 1, osm.w - 1, osm.r - 1, nx, ny


def block(osm, rng, i, j):
    x0, y0 = i * BLOCK_W, j * BLOCK_H
    cx, cy = x0 + BLOCK_W / 2, y0 + BLOCK_H / 2
    inset = 9.0
    r = rng.random()
    k = j * 100_003 + i
    if r < 0.05:  # a park, every other one a multipolygon with its pond as a hole
        outer = [(x0 + inset, y0 + inset), (x0 + BLOCK_W - inset, y0 + inset),
                 (x0 + BLOCK_W - inset, y0 + BLOCK_H - inset), (x0 + inset, y0 + BLOCK_H - inset)]
        pond = circle(cx, cy, 25, 14, rng)
        name = FIRST[k % len(FIRST)] + "公园"
        if r < 0.025:
            wo = osm.ring(outer)
            wi = osm.ring(pond, [("natural", "water"), ("water", "pond")])
            osm.relation([(wo, "outer"), (wi, "inner")],
                         [("type", "multipolygon"), ("leisure", "park"), ("name", name)])
        else:
            osm.ring(outer, [("leisure", "park"), ("name", name)])
            osm.ring(pond, [("natural", "water"), ("water", "pond")])
        paths = [osm.node(x0 + inset, cy + rng.uniform(-20, 20)), osm.node(cx - 30, cy - 35),
                 osm.node(cx + 30, cy + 35), osm.node(x0 + BLOCK_W - inset, cy + rng.uniform(-20, 20))]
        osm.way(paths, [("highway", "footway")])
        return
    if r < 0.08:  # a school: its grounds (a named area: a POI too), buildings, a pitch
        osm.ring([(x0 + inset, y0 + inset), (x0 + BLOCK_W - inset, y0 + inset),
                  (x0 + BLOCK_W - inset, y0 + BLOCK_H - inset), (x0 + inset, y0 + BLOCK_H - inset)],
                 [("amenity", "school"), ("name", FIRST[k % len(FIRST)] + "小学")])
        for t in range(3):
            osm.ring(rect(x0 + 35 + t * 40, y0 + 95, 30, 14, 0), [("building", "school")])
        osm.ring(rect(cx, y0 + 45, 70, 40, 0), [("leisure", "pitch")])
        return

    use = "residential" if r < 0.75 else "commercial" if r < 0.92 else "industrial"
    osm.ring([(x0 + inset, y0 + inset), (x0 + BLOCK_W - inset, y0 + inset),
              (x0 + BLOCK_W - inset, y0 + BLOCK_H - inset), (x0 + inset, y0 + BLOCK_H - inset)],
             [("landuse", use)])
    # A service lane through the middle.
    osm.way([osm.node(x0 + inset, cy + rng.uniform(-3, 3)), osm.node(cx, cy + rng.uniform(-3, 3)),
             osm.node(x0 + BLOCK_W - inset, cy + rng.uniform(-3, 3))], [("highway", "service")])
    # Buildings: 6 × 5 cells of ≈ 24 × 22 m, one footprint each (a fifth L-shaped).
    kind = {"residential": "residential", "commercial": "commercial", "industrial": "industrial"}[use]
    cols, rows = 6, 5
    cw, ch = (BLOCK_W - 2 * inset - 6) / cols, (BLOCK_H - 2 * inset - 6) / rows
    for row in range(rows):
        for col in range(cols):
            if rng.random() < 0.04:
                continue
            bx = x0 + inset + 3 + (col + 0.5) * cw + rng.uniform(-1.5, 1.5)
            by = y0 + inset + 3 + (row + 0.5) * ch + rng.uniform(-1.5, 1.5)
            if abs(by - cy) < 5:
                by += 6
            w, h = cw * rng.uniform(0.55, 0.8), ch * rng.uniform(0.5, 0.75)
            a = rng.uniform(-0.08, 0.08)
            pts = l_shape(bx, by, w, h, a) if rng.random() < 0.2 else rect(bx, by, w, h, a)
            tags = [("building", "yes" if rng.random() < 0.6 else kind)]
            if rng.random() < 0.3:
                tags.append(("building:levels", str(rng.randint(2, 18))))
            if rng.random() < 0.4:
                tags.append(("addr:street", street_name(j, "x")))
                tags.append(("addr:housenumber", f"{i * 12 + col * 2 + 1}-{row + 1}"))
            osm.ring(pts, tags)
    # Shops and amenities along the street.
    for t in range(rng.randint(1, 4)):
        key, value, word = SHOPS[rng.randrange(len(SHOPS))]
        osm.node(x0 + inset + 5 + t * 35, y0 + inset + 2,
                 [(key, value), ("name", FIRST[(k + t) % len(FIRST)] + word)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the .osm.pbf to write")
    ap.add_argument("--mb", type=float, default=50.0, help="PBF size to aim at (MB)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="city-extract-") as tmp:
        nodes, ways, rels, nx, ny = make(tmp, args.mb, args.seed)
        print(f"  XML: {nodes:,} nodes, {ways:,} ways, {rels:,} relations "
              f"({nx} × {ny} blocks, {nx * BLOCK_W / 1000:.1f} × {ny * BLOCK_H / 1000:.1f} km) "
              f"in {time.time() - t0:.0f} s", file=sys.stderr)
        head = os.path.join(tmp, "head.xml")
        tail = os.path.join(tmp, "tail.xml")
        with open(head, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<osm version="0.6" generator="griddesk make-city-extract.py">\n')
        with open(tail, "w", encoding="utf-8") as f:
            f.write("</osm>\n")
        parts = [head] + [os.path.join(tmp, n) for n in ("nodes.xml", "ways.xml", "rels.xml")] + [tail]
        cat = subprocess.Popen(["cat", *parts], stdout=subprocess.PIPE)
        subprocess.run(["osmium", "cat", "-F", "osm", "-", "-o", args.out, "--overwrite"],
                       stdin=cat.stdout, check=True)
        cat.stdout.close()
        if cat.wait() != 0:
            sys.exit("make-city-extract: cat failed")
    size = os.path.getsize(args.out)
    print(f"{args.out}: {size / 1e6:.1f} MB, {nodes:,} nodes, {ways:,} ways, {rels:,} relations "
          f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
