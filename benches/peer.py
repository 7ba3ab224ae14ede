#!/usr/bin/env python3
"""Whole-job peer comparison for GridDesk, measured in one run on one machine.

Generates the benchmark district once (50 000 grids, 1 000 000 cases, fixed seed) with the
GridDesk CLI, then times:
  * point-in-grid assignment of 1 000 000 points: GridDesk (in memory, parallel) vs shapely 2's
    best form (STRtree over the points, queried with the prepared grid polygons,
    predicate="contains") and shapely's polygon-tree form;
  * opening the store and building every index (GridDesk);
  * importing the 1 000 000 cases from CSV with grid assignment (GridDesk, whole process, with
    its peak RSS from the OS) vs GDAL's ogr2ogr writing the same CSV into a GeoPackage with a
    spatial index (whole process, peak RSS), and Python's sqlite3 executemany of the same rows
    without any spatial work (a floor, not a peer doing the same job);
  * a newcomer's first start: `griddesk init STORE --sample` (whole process, peak RSS);
  * the window (release app under Xvfb, through tests/e2e/perf.mjs): launch to grids drawn on
    the sample district, warm launches and the first (cold) one, and the window's first start
    (no store yet: it creates and seeds the sample, then draws). Skipped, with the reason
    printed, when the release app, xvfb-run, node or tauri-driver is missing (--no-window skips it).
Prints a table and writes target/bench/peer.json.

Usage: python3 benches/peer.py [--grids 50000] [--cases 1000000] [--repeat 3] [--cli PATH]
                               [--app PATH] [--launches 8] [--first-starts 3] [--no-window]
Needs: a release build of the CLI (cargo build --release -p griddesk-cli), shapely>=2, numpy,
ogr2ogr (gdal-bin) and /usr/bin/time (peak RSS); for the window rows a release build of the app
(cd ui && npm run build; cargo build --release -p griddesk-app) and the end-to-end tools
(scripts/e2e-deps.sh).
"""
import argparse, csv, json, os, shutil, sqlite3, statistics, subprocess, sys, time

import numpy as np
import shapely

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "target", "release", "griddesk")


def peak(cmd):
    """Runs a whole process; returns (seconds, peak RSS in MB) as the OS measured them."""
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *map(str, cmd)], capture_output=True, text=True)
    secs = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{r.stderr}")
    return secs, int(r.stderr.strip().splitlines()[-1]) / 1024


def run(*args, capture=True):
    r = subprocess.run([CLI, *map(str, args)], capture_output=capture, text=True)
    if r.returncode != 0:
        sys.exit(f"griddesk {' '.join(map(str, args))} failed:\n{r.stderr}")
    return r.stdout


def timed(fn, repeat):
    ts = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def main():
    global CLI
    ap = argparse.ArgumentParser()
    ap.add_argument("--grids", type=int, default=50000)
    ap.add_argument("--cases", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--cli", default=CLI, help="the GridDesk CLI to measure (default: the release build)")
    ap.add_argument("--app", default=os.path.join(ROOT, "target", "release", "griddesk-app"),
                    help="the GridDesk window to measure (default: the release build)")
    ap.add_argument("--launches", type=int, default=8)
    ap.add_argument("--first-starts", type=int, default=3)
    ap.add_argument("--no-window", action="store_true", help="skip the window's launch rows")
    a = ap.parse_args()
    CLI = a.cli
    os.makedirs(a.dir, exist_ok=True)
    if not os.path.exists(CLI):
        subprocess.run(["cargo", "build", "--release", "-p", "griddesk-cli"], cwd=ROOT, check=True)
    db = os.path.join(a.dir, f"bench-{a.grids}-{a.cases}.sqlite")
    base = os.path.join(a.dir, f"bench-{a.grids}-0.sqlite")
    grids_json = os.path.join(a.dir, f"grids-{a.grids}.geojson")
    cases_csv = os.path.join(a.dir, f"cases-{a.grids}-{a.cases}.csv")
    if not os.path.exists(db):
        run("generate", "--grids", a.grids, "--cases", a.cases, "--db", db, "--resources", os.path.join(ROOT, "resources"))
    if not os.path.exists(base):
        run("generate", "--grids", a.grids, "--cases", 0, "--db", base, "--resources", os.path.join(ROOT, "resources"))
    if not os.path.exists(grids_json):
        run("export", db, "grids", grids_json)
    if not os.path.exists(cases_csv):
        run("export", db, "cases", cases_csv)

    # --- the data, loaded once, as each side wants it -------------------------------------------
    with open(grids_json) as f:
        fc = json.load(f)
    feats = [ft for ft in fc["features"] if not ft["properties"].get("end_date")]
    codes = np.array([ft["properties"]["code"] for ft in feats])
    polys = np.array([shapely.geometry.shape(ft["geometry"]) for ft in feats])
    with open(cases_csv, newline="") as f:
        r = csv.DictReader(f)
        xy = np.array([(float(row["lon"]), float(row["lat"])) for row in r])
    pts = shapely.points(xy)
    print(f"data: {len(polys)} grids, {len(pts)} points", file=sys.stderr)

    # --- shapely 2, best form: STRtree over points, queried with prepared polygons -------------
    def shapely_best():
        shapely.prepare(polys)
        tree = shapely.STRtree(pts)
        poly_idx, pt_idx = tree.query(polys, predicate="contains")
        shapely.destroy_prepared(polys)
        return len(pt_idx)

    def shapely_polytree():
        tree = shapely.STRtree(polys)
        pt_idx, poly_idx = tree.query(pts, predicate="within")
        return len(pt_idx)

    t_best, n_best = timed(shapely_best, a.repeat)
    t_ptree, n_ptree = timed(shapely_polytree, 1)
    gd = json.loads(run("bench", "locate", db, cases_csv, "--repeat", max(a.repeat, 5)))
    t_gd = gd["locate_ms"] / 1e3
    t_gd_build = gd["locator_build_ms"] / 1e3

    # --- open and import ------------------------------------------------------------------------
    opens = [json.loads(run("bench", "open", db))["ms"] / 1e3 for _ in range(a.repeat)]
    t_open = statistics.median(opens)
    imports, ogrs = [], []
    for i in range(a.repeat):
        tmp = os.path.join(a.dir, "import-target.sqlite")
        for s in ("", "-wal", "-shm"):
            if os.path.exists(tmp + s):
                os.remove(tmp + s)
        shutil.copy(base, tmp)
        imports.append(peak([CLI, "import", tmp, "cases", cases_csv, "--admin"]))
        gpkg = os.path.join(a.dir, "ogr-import.gpkg")
        if os.path.exists(gpkg):
            os.remove(gpkg)
        ogrs.append(peak(["ogr2ogr", "-f", "GPKG", gpkg, cases_csv, "-nln", "cases",
                          "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
                          "-a_srs", "EPSG:4326", "-lco", "SPATIAL_INDEX=YES", "-gt", "65536"]))
    t_import = statistics.median(t for t, _ in imports)
    rss_import = max(m for _, m in imports)
    t_ogr = statistics.median(t for t, _ in ogrs)
    rss_ogr = max(m for _, m in ogrs)

    def sqlite_floor():
        tmp = os.path.join(a.dir, "floor.sqlite")
        if os.path.exists(tmp):
            os.remove(tmp)
        c = sqlite3.connect(tmp)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("CREATE TABLE cases (id TEXT PRIMARY KEY, lon REAL, lat REAL, rest TEXT)")
        with open(cases_csv, newline="") as f:
            rows = ((r["id"], float(r["lon"]), float(r["lat"]), r.get("reported_at", "")) for r in csv.DictReader(f))
            c.executemany("INSERT INTO cases VALUES (?,?,?,?)", rows)
        c.commit()
        c.close()

    t_floor, _ = timed(sqlite_floor, 1)

    # --- a newcomer's first start: store creation and the sample district ----------------------
    inits = []
    for _ in range(a.repeat):
        store = os.path.join(a.dir, "first-start.sqlite")
        for s in ("", "-wal", "-shm"):
            if os.path.exists(store + s):
                os.remove(store + s)
        inits.append(peak([CLI, "init", store, "--sample", "--resources", os.path.join(ROOT, "resources")]))
    t_init = statistics.median(t for t, _ in inits)
    rss_init = max(m for _, m in inits)

    window = launch_rows(a, store)

    res = {
        "machine": {"cpus": os.cpu_count(), "shapely": shapely.__version__, "geos": shapely.geos_version_string},
        "grids": int(len(polys)), "points": int(len(pts)),
        "locate": {
            "griddesk_s": t_gd, "griddesk_build_s": t_gd_build, "griddesk_plain_rstar_s": gd["rstar_plain_ms"] / 1e3,
            "shapely_best_s": t_best, "shapely_polytree_s": t_ptree,
            "ratio_vs_shapely_best": t_best / t_gd,
            "ratio_vs_shapely_best_incl_build": t_best / (t_gd + t_gd_build),
            "found": {"griddesk": gd["found"], "shapely_best": int(n_best), "shapely_polytree": int(n_ptree)},
        },
        "open_s": t_open,
        "import": {"griddesk_s": t_import, "griddesk_peak_mb": rss_import,
                   "ogr2ogr_gpkg_s": t_ogr, "ogr2ogr_peak_mb": rss_ogr,
                   "ratio_vs_ogr2ogr": t_ogr / t_import, "python_sqlite_floor_s": t_floor},
        "first_start": {"griddesk_init_sample_s": t_init, "peak_mb": rss_init,
                        "runs_s": [t for t, _ in inits]},
        "window": window,
    }
    with open(os.path.join(a.dir, "peer.json"), "w") as f:
        json.dump(res, f, indent=2)
    L = res["locate"]
    print(f"assign {len(pts):,} points to {len(polys):,} grids")
    print(f"  GridDesk (parallel raster+R-tree)  {L['griddesk_s']*1e3:8.1f} ms  (+ {t_gd_build*1e3:.1f} ms one-off locator build)")
    print(f"  GridDesk plain rstar loop          {L['griddesk_plain_rstar_s']*1e3:8.1f} ms")
    print(f"  shapely best (points STRtree)      {t_best*1e3:8.1f} ms   ratio {L['ratio_vs_shapely_best']:.1f}x "
          f"({L['ratio_vs_shapely_best_incl_build']:.1f}x incl. build)")
    print(f"  shapely polygon STRtree            {t_ptree*1e3:8.1f} ms")
    print(f"  points found: {L['found']}")
    print(f"open store + all indexes             {t_open*1e3:8.1f} ms")
    print(f"import {len(pts):,} cases from CSV        {t_import:8.2f} s  peak {rss_import:.0f} MB")
    print(f"  ogr2ogr -> GeoPackage + index      {t_ogr:8.2f} s  peak {rss_ogr:.0f} MB   ratio {t_ogr / t_import:.1f}x")
    print(f"  python sqlite3 insert floor        {t_floor:8.2f} s")
    print(f"first start: init --sample           {t_init:8.2f} s  peak {rss_init:.0f} MB   "
          f"(runs {', '.join(f'{t:.2f}' for t, _ in inits)}; goal < 2 s)")
    if "skipped" in window:
        print(f"window rows skipped: {window['skipped']}")
    else:
        warm = window["warm_ms"]
        print(f"launch to grids drawn (warm)        {statistics.median(warm):8.0f} ms  "
              f"(range {min(warm)}–{max(warm)} of {len(warm)}; goal < 1 000 ms)")
        print(f"  first (cold) launch                {window['cold_ms']:8.0f} ms  (goal < 1 500 ms)")
        fs = window["first_start_ms"]
        if fs:
            print(f"window first start (seed + draw)    {statistics.median(fs):8.0f} ms  "
                  f"(range {min(fs)}–{max(fs)} of {len(fs)}; goal < 2 000 ms)")
    if L["found"]["griddesk"] != L["found"]["shapely_best"]:
        print("NOTE: counts differ: shapely 'contains' excludes points on grid boundaries; GridDesk assigns them", file=sys.stderr)


def launch_rows(a, store):
    """The window's rows through tests/e2e/perf.mjs, or why they were skipped."""
    if a.no_window:
        return {"skipped": "--no-window"}
    missing = [what for what, ok in (
        (f"release app {a.app} (cd ui && npm run build; cargo build --release -p griddesk-app)", os.path.exists(a.app)),
        ("xvfb-run", shutil.which("xvfb-run")), ("node", shutil.which("node")),
        ("tauri-driver (scripts/e2e-deps.sh)", shutil.which("tauri-driver")),
    ) if not ok]
    if missing:
        return {"skipped": "missing " + "; ".join(missing)}
    env = dict(os.environ, GRIDDESK_APP=a.app)
    r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "node",
                        os.path.join(ROOT, "tests", "e2e", "perf.mjs"), "--db", store,
                        "--launches", str(a.launches + 1), "--first-starts", str(a.first_starts),
                        "--steps", "0"], cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"tests/e2e/perf.mjs failed:\n{r.stderr[-3000:]}")
    out = json.loads(r.stdout)
    launches = out["launch_to_grids_ms"]
    # perf.mjs launches on the store first (the first of them is the session's first, cold
    # launch), then does the first starts.
    return {"cold_ms": launches[0], "warm_ms": launches[1:],
            "first_start_ms": out.get("first_start_to_grids_ms", []), "phases": out.get("launch_phases", [])}


if __name__ == "__main__":
    main()
