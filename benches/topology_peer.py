#!/usr/bin/env python3
"""Whole-district topology check: GridDesk against GEOS (shapely 2), in one run on one machine.

Both sides do the same job on the same data, held in memory:
  * every grid a valid polygon;
  * no overlaps and no mismatched shared edges (GEOS: coverage_invalid_edges over all grids);
  * no uncovered area and nothing outside, per community (GEOS: the coverage union of its grids
    topologically equal to the community; the difference geometry where it is not).
GridDesk's check (`griddesk bench topology`) does this with its exact edge-chain test and
locates the problems geometrically only where the chain does not cancel.

1. The 50 000-grid benchmark district (fixed seed), clean: times, and both must find nothing.
2. A damaged copy: some interior vertices moved a few metres in one grid only (overlaps, gaps,
   mismatched edges) and some grids deleted (gaps), imported into a fresh store: both must flag
   the same communities.
Prints a table and writes target/bench/topology_peer.json.

Usage: python3 benches/topology_peer.py [--grids 50000] [--repeat 5] [--damage 40]
Needs: a release build of the CLI (cargo build --release -p griddesk-cli), shapely>=2.1, numpy.
"""
import argparse, json, os, random, statistics, subprocess, sys, time

import numpy as np
import shapely
from shapely.geometry import shape, mapping

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "target", "release", "griddesk")
RES = os.path.join(ROOT, "resources")


def run(*args, env=None):
    r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"griddesk {' '.join(map(str, args))} failed:\n{r.stderr}")
    return r.stdout


def load(path):
    with open(path) as f:
        return json.load(f)["features"]


def geos_check(polys, comm_of, communities, eps):
    """The same job as GridDesk's check, in GEOS's best form: validity, mismatched or
    overlapping edges over the whole coverage, and per community an exact topological equality
    of the coverage union with the outline; the uncovered / outside geometry is computed only
    where that fails (as GridDesk does). Returns the communities with a problem."""
    bad = set()
    valid = shapely.is_valid(polys)
    for i in np.nonzero(~valid)[0]:
        bad.add(comm_of[i])
    edges = shapely.coverage_invalid_edges(polys)
    for i in np.nonzero(~shapely.is_empty(edges))[0]:
        bad.add(comm_of[i])
    order = np.argsort(comm_of, kind="stable")
    codes = comm_of[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    unions, outlines = [], []
    for s, e in zip(starts, ends):
        part = polys[order[s:e]]
        try:
            u = shapely.coverage_union_all(part)
            if not shapely.is_valid(u):
                raise shapely.errors.GEOSException("invalid coverage union")
        except shapely.errors.GEOSException:  # not a clean coverage: the general union
            u = shapely.union_all(part)
        unions.append(u)
        outlines.append(communities[codes[s]])
    unions, outlines = np.array(unions), np.array(outlines)
    same = shapely.equals(unions, outlines)
    for k in np.nonzero(~same)[0]:
        c = codes[starts[k]]
        gap = shapely.difference(outlines[k], unions[k])
        out = shapely.difference(unions[k], outlines[k])
        if shapely.area(gap) > eps or shapely.area(out) > eps:
            bad.add(c)
    present = set(codes)
    for c in communities:
        if c not in present:
            bad.add(c)
    return bad


def timed(fn, repeat):
    ts, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def data(dirpath, db, tag):
    gj, cj = os.path.join(dirpath, f"{tag}-grids.geojson"), os.path.join(dirpath, f"{tag}-communities.geojson")
    run("export", db, "grids", gj)
    run("export", db, "communities", cj)
    feats = [f for f in load(gj) if not f["properties"].get("end_date")]
    polys = np.array([shape(f["geometry"]) for f in feats])
    codes = np.array([f["properties"]["code"] for f in feats])
    comm_of = np.array([c[:12] for c in codes])
    communities = {f["properties"]["code"]: shape(f["geometry"]) for f in load(cj)}
    return feats, polys, codes, comm_of, communities


def griddesk_check(db, repeat, threads=None):
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    return json.loads(run("bench", "topology", db, "--repeat", repeat, env=env))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grids", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--damage", type=int, default=40)
    ap.add_argument("--dir", default=os.path.join(ROOT, "target", "bench"))
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    if not os.path.exists(CLI):
        subprocess.run(["cargo", "build", "--release", "-p", "griddesk-cli"], cwd=ROOT, check=True)
    db = os.path.join(a.dir, f"bench-{a.grids}-0.sqlite")
    if not os.path.exists(db):
        run("generate", "--grids", a.grids, "--cases", 0, "--db", db, "--resources", RES)

    feats, polys, codes, comm_of, communities = data(a.dir, db, "clean")
    lat = float(np.mean([p.centroid.y for p in polys[:100]]))
    m_per_deg = 6371008.8 * np.pi / 180
    eps = 0.01 / (m_per_deg * m_per_deg * np.cos(np.radians(lat)))  # 0.01 m² in deg²
    print(f"data: {len(polys)} grids, {len(communities)} communities", file=sys.stderr)

    t_geos, bad_geos = timed(lambda: geos_check(polys, comm_of, communities, eps), a.repeat)
    t_cov, _ = timed(lambda: shapely.coverage_is_valid(polys), a.repeat)
    gd = griddesk_check(db, a.repeat)
    gd1 = griddesk_check(db, a.repeat, threads=1)

    # --- damaged copy --------------------------------------------------------------------------
    rnd = random.Random(20261122)
    outline_pts = set()
    for g in communities.values():
        for p in getattr(g, "geoms", [g]):
            outline_pts.update(p.exterior.coords)
    dmg = [dict(f) for f in feats]
    touched = set()
    moved = 0
    for i in rnd.sample(range(len(dmg)), a.damage * 3):
        if moved >= a.damage:
            break
        ring = list(dmg[i]["geometry"]["coordinates"][0])
        k = rnd.randrange(len(ring) - 1)
        x, y = ring[k]
        if (x, y) in outline_pts:
            continue
        ang = rnd.uniform(0, 2 * np.pi)
        d = 3.0 / m_per_deg  # ≈ 3 m
        ring[k] = [x + d * np.cos(ang) / np.cos(np.radians(lat)), y + d * np.sin(ang)]
        if k == 0:
            ring[-1] = ring[0]
        geom = {"type": "Polygon", "coordinates": [ring] + dmg[i]["geometry"]["coordinates"][1:]}
        if not shapely.is_valid(shape(geom)):
            continue
        dmg[i] = {**dmg[i], "geometry": geom}
        touched.add(codes[i][:12])
        moved += 1
    deleted = rnd.sample(range(len(dmg)), max(1, a.damage // 8))
    for i in deleted:
        touched.add(codes[i][:12])
    dmg = [f for j, f in enumerate(dmg) if j not in set(deleted)]
    dpath = os.path.join(a.dir, "damaged-grids.geojson")
    with open(dpath, "w") as f:
        json.dump({"type": "FeatureCollection", "features": dmg}, f)
    ddb = os.path.join(a.dir, "damaged.sqlite")
    for s in ("", "-wal", "-shm"):
        if os.path.exists(ddb + s):
            os.remove(ddb + s)
    run("init", ddb, "--resources", RES)
    run("import-district", ddb, os.path.join(RES, "geo", "taizhou_districts.geojson"), "--code", "331003", "--admin")
    sj = os.path.join(a.dir, "clean-streets.geojson")
    run("export", db, "streets", sj)
    run("import", ddb, "streets", sj, "--admin")
    run("import", ddb, "communities", os.path.join(a.dir, "clean-communities.geojson"), "--admin")
    run("import", ddb, "grids", dpath, "--admin")
    _, dpolys, _, dcomm_of, dcommunities = data(a.dir, ddb, "damaged")
    t_geos_d, bad_geos_d = timed(lambda: geos_check(dpolys, dcomm_of, dcommunities, eps), 1)
    gdd = griddesk_check(ddb, 1)
    bad_gd_d = set(gdd["communities_with_errors"])

    res = {
        "machine": {"cpus": os.cpu_count(), "shapely": shapely.__version__, "geos": shapely.geos_version_string},
        "grids": int(len(polys)), "communities": len(communities),
        "clean": {
            "griddesk_s": gd["ms"] / 1e3, "griddesk_threads": gd["threads"],
            "griddesk_1_thread_s": gd1["ms"] / 1e3,
            "geos_s": t_geos, "geos_coverage_is_valid_only_s": t_cov,
            "ratio": t_geos / (gd["ms"] / 1e3), "ratio_1_thread": t_geos / (gd1["ms"] / 1e3),
            "griddesk_errors": gd["errors"], "geos_communities_flagged": len(bad_geos),
        },
        "damaged": {
            "moved_vertices": moved, "deleted_grids": len(deleted), "communities_damaged": len(touched),
            "griddesk_s": gdd["ms"] / 1e3, "geos_s": t_geos_d,
            "griddesk_flagged": len(bad_gd_d), "geos_flagged": len(bad_geos_d),
            "agree": bad_gd_d == bad_geos_d,
            "only_griddesk": sorted(bad_gd_d - bad_geos_d), "only_geos": sorted(bad_geos_d - bad_gd_d),
            "griddesk_rules": gdd["rules"],
        },
    }
    with open(os.path.join(a.dir, "topology_peer.json"), "w") as f:
        json.dump(res, f, indent=2)
    C, D = res["clean"], res["damaged"]
    print(f"whole-district topology check, {len(polys):,} grids in {len(communities):,} communities (clean)")
    print(f"  GridDesk ({C['griddesk_threads']} threads)        {C['griddesk_s']*1e3:8.1f} ms")
    print(f"  GridDesk (1 thread)          {C['griddesk_1_thread_s']*1e3:8.1f} ms")
    print(f"  GEOS validity + coverage_invalid_edges + per-community union = outline "
          f"{C['geos_s']*1e3:8.1f} ms  → {C['ratio']:.1f}x ({C['ratio_1_thread']:.1f}x single-threaded)")
    print(f"  (GEOS coverage_is_valid alone {C['geos_coverage_is_valid_only_s']*1e3:.1f} ms)")
    print(f"  problems: GridDesk {C['griddesk_errors']} errors, GEOS {C['geos_communities_flagged']} communities flagged")
    print(f"damaged copy: {D['moved_vertices']} vertices moved ≈3 m in one grid, {D['deleted_grids']} grids deleted, "
          f"{D['communities_damaged']} communities damaged")
    print(f"  GridDesk {D['griddesk_s']*1e3:.1f} ms flags {D['griddesk_flagged']} communities {D['griddesk_rules']}")
    print(f"  GEOS     {D['geos_s']*1e3:.1f} ms flags {D['geos_flagged']} communities; same set: {D['agree']}")
    if not D["agree"]:
        print(f"  only GridDesk: {D['only_griddesk']}; only GEOS: {D['only_geos']}", file=sys.stderr)


if __name__ == "__main__":
    main()
