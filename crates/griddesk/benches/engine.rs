//! Criterion benchmarks of the engine's whole jobs on the 50 000-grid benchmark district
//! (fixed seed): bulk point location, single-point lookup, and opening a store of
//! 50 000 grids + 1 000 000 cases with every index built.
//!
//! `cargo bench -p griddesk --bench engine`. The peer comparison (shapely/GEOS) is
//! `benches/peer.py` at the repository root.

use criterion::{criterion_group, criterion_main, Criterion};
use griddesk::locate::GridLocator;
use griddesk::sample::{generate, SampleParams};
use griddesk::store::Store;
use griddesk::Engine;
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite");
    let district = generate(&SampleParams::benchmark(50_000, 1_000_000)).expect("generate");
    let tables = district.tables.clone();
    {
        let mut store = Store::create(&path).expect("store");
        district.write_to_store(&mut store, &tables).expect("write");
    }
    let points: Vec<[f64; 2]> = district
        .cases
        .iter()
        .map(|c| [c.location.x(), c.location.y()])
        .collect();
    drop(district);

    let engine = Engine::open(&path).expect("open");
    let loaded = engine.loaded();
    let idx = &loaded.index;

    let mut g = c.benchmark_group("locate");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("1m_points_50k_grids", |b| {
        b.iter(|| black_box(loaded.locator.locate_many(idx, &points)))
    });
    g.bench_function("build_locator_50k_grids", |b| {
        b.iter(|| black_box(GridLocator::build(idx)))
    });
    g.bench_function("grid_at_single_point", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 7919) % points.len();
            black_box(idx.grid_at(points[i][0], points[i][1]))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("open");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("store_50k_grids_1m_cases", |b| {
        b.iter(|| black_box(Engine::open(&path).expect("open")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
