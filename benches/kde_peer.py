#!/usr/bin/env python3
"""Heatmap peer comparison for GridDesk, measured in one run on one machine.

Runs the GridDesk analytics bench (criterion, release), which exports the benchmark's 1 000 000
case positions (synthetic district, fixed seed, metres in the local projection), GridDesk's
1024 x 1024 density raster and the exact KDE on 200 sample cells to target/bench/kde/. Then times
the numpy/scipy binned-KDE reference on the SAME points and box:
  * numpy.histogram2d (nearest-cell binning) + scipy.ndimage.gaussian_filter (truncate 4 sigma);
  * numpy.histogram2d + scipy.signal.fftconvolve with the same Gaussian kernel.
and reports each one's error against the exact KDE (computed here with numpy on the sample
cells, and cross-checked with GridDesk's exact values). Prints a table and writes
target/bench/kde_peer.json.

Usage: python3 benches/kde_peer.py [--repeat 7] [--no-bench]
Needs: numpy, scipy (scripts/install-deps.sh --test).
"""
import argparse, json, os, statistics, subprocess, sys, time

import numpy as np
import scipy
from scipy import ndimage, signal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KDE = os.path.join(ROOT, "target", "bench", "kde")
CRIT = os.path.join(ROOT, "target", "criterion")


def timed(fn, repeat):
    ts, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def crit_ms(group, name):
    p = os.path.join(CRIT, group, name, "new", "estimates.json")
    with open(p) as f:
        e = json.load(f)
    return e["median"]["point_estimate"] / 1e6


def errors(raster, cells, exact, peak):
    got = np.array([raster[r, c] for c, r in cells])
    d = np.abs(got - exact)
    rel_mask = exact >= 0.01 * peak
    rel = d[rel_mask] / exact[rel_mask]
    return {"max_abs": float(d.max()), "max_abs_of_peak": float(d.max() / peak),
            "mean_rel": float(rel.mean()) if rel.size else 0.0, "max_rel": float(rel.max()) if rel.size else 0.0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-bench", action="store_true", help="reuse the last bench run's export and timings")
    a = ap.parse_args()
    if not a.no_bench:
        subprocess.run(["cargo", "bench", "-p", "griddesk", "--bench", "analytics", "--", "heatmap_1024_150m"],
                       cwd=ROOT, check=True)
    with open(os.path.join(KDE, "meta.json")) as f:
        meta = json.load(f)
    xy = np.fromfile(os.path.join(KDE, "points_xy_f32.bin"), dtype="<f4").reshape(-1, 2).astype(np.float64)
    W, H = meta["width"], meta["height"]
    x0, y0, x1, y1 = meta["box_m"]
    h = meta["bandwidth_m"]
    dx, dy = (x1 - x0) / W, (y1 - y0) / H
    ours = np.fromfile(os.path.join(KDE, "griddesk_density_f32.bin"), dtype="<f4").reshape(H, W)
    print(f"data: {len(xy):,} points, raster {W}x{H}, cell {dx:.1f} x {dy:.1f} m, bandwidth {h} m", file=sys.stderr)

    def hist():
        # Rows from north to south, like GridDesk's raster.
        c, _, _ = np.histogram2d(y1 - xy[:, 1], xy[:, 0] - x0, bins=(H, W), range=((0, y1 - y0), (0, x1 - x0)))
        return c

    scale = 1e6 / (dx * dy)

    def gauss():
        return ndimage.gaussian_filter(hist(), sigma=(h / dy, h / dx), truncate=meta["truncate"], mode="constant") * scale

    rx, ry = int(np.ceil(meta["truncate"] * h / dx)), int(np.ceil(meta["truncate"] * h / dy))
    kx = np.exp(-0.5 * (np.arange(-rx, rx + 1) * dx / h) ** 2); kx /= kx.sum()
    ky = np.exp(-0.5 * (np.arange(-ry, ry + 1) * dy / h) ** 2); ky /= ky.sum()
    k2 = np.outer(ky, kx)

    def fft():
        return signal.fftconvolve(hist(), k2, mode="same") * scale

    t_hist, _ = timed(hist, a.repeat)
    t_gauss, r_gauss = timed(gauss, a.repeat)
    t_fft, r_fft = timed(fft, a.repeat)

    cells = [(c, r) for c, r, _ in meta["exact_cells"]]
    gd_exact = np.array([v for _, _, v in meta["exact_cells"]])
    # Exact KDE recomputed independently here.
    ctr = np.array([[x0 + (c + 0.5) * dx, y1 - (r + 0.5) * dy] for c, r in cells])
    exact = np.empty(len(cells))
    for i, (cx, cy) in enumerate(ctr):
        d2 = (xy[:, 0] - cx) ** 2 + (xy[:, 1] - cy) ** 2
        exact[i] = np.exp(-0.5 * d2 / h**2).sum() / (2 * np.pi * h * h) * 1e6
    exact_agree = float(np.max(np.abs(exact - gd_exact) / np.maximum(exact, 1e-9)))
    peak = float(ours.max())

    t_gd_all = crit_ms("heatmap_1024_150m", "all_1m")
    t_gd_month = crit_ms("heatmap_1024_150m", "month")
    t_gd_cls = crit_ms("heatmap_1024_150m", "class_source")
    res = {
        "machine": {"cpus": os.cpu_count(), "numpy": np.__version__, "scipy": scipy.__version__},
        "points": int(len(xy)), "raster": [W, H], "bandwidth_m": h,
        "griddesk_ms": {"all_1m": t_gd_all, "month": t_gd_month, "class_source": t_gd_cls},
        "peer_ms": {"histogram2d_only": t_hist * 1e3, "histogram2d+gaussian_filter": t_gauss * 1e3,
                    "histogram2d+fftconvolve": t_fft * 1e3},
        "ratio_gaussian_filter_over_griddesk": t_gauss * 1e3 / t_gd_all,
        "ratio_fftconvolve_over_griddesk": t_fft * 1e3 / t_gd_all,
        "error_vs_exact": {"griddesk": errors(ours, cells, exact, peak),
                           "gaussian_filter": errors(r_gauss, cells, exact, peak),
                           "fftconvolve": errors(r_fft, cells, exact, peak)},
        "exact_kde_griddesk_vs_numpy_max_rel": exact_agree,
        "griddesk_vs_gaussian_filter_max_abs_of_peak": float(np.abs(ours - r_gauss).max() / peak),
    }
    os.makedirs(os.path.dirname(KDE), exist_ok=True)
    with open(os.path.join(ROOT, "target", "bench", "kde_peer.json"), "w") as f:
        json.dump(res, f, indent=2)
    E = res["error_vs_exact"]
    print(f"KDE heatmap {W}x{H}, {h:.0f} m, {len(xy):,} cases (error vs exact KDE on {len(cells)} cells: max |d| / peak, mean rel)")
    print(f"  GridDesk (linear binning + separable Gaussian)  {t_gd_all:7.1f} ms   {E['griddesk']['max_abs_of_peak']*100:.3f} %  {E['griddesk']['mean_rel']*100:.3f} %")
    print(f"    month filter {t_gd_month:.1f} ms, class+source filter {t_gd_cls:.1f} ms")
    print(f"  numpy histogram2d + gaussian_filter             {t_gauss*1e3:7.1f} ms   {E['gaussian_filter']['max_abs_of_peak']*100:.3f} %  {E['gaussian_filter']['mean_rel']*100:.3f} %   ratio {res['ratio_gaussian_filter_over_griddesk']:.1f}x")
    print(f"  numpy histogram2d + fftconvolve                 {t_fft*1e3:7.1f} ms   {E['fftconvolve']['max_abs_of_peak']*100:.3f} %  {E['fftconvolve']['mean_rel']*100:.3f} %   ratio {res['ratio_fftconvolve_over_griddesk']:.1f}x")
    print(f"  (histogram2d alone {t_hist*1e3:.1f} ms; exact KDE GridDesk vs numpy agree to {exact_agree:.1e})")


if __name__ == "__main__":
    main()
