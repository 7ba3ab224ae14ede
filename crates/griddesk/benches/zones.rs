//! Criterion benchmarks of responsibility zones on the 50 000-grid benchmark district (fixed
//! seed) with its generated zones (duty grids, squadron areas, sectors, enforcement grids and
//! road lines): "who is responsible here" at a point (target < 1 ms), the exact outline of a
//! sector, and rebuilding the zone index after an edit.
//!
//! `cargo bench -p griddesk --bench zones`. Measured on the 2-core CI kind of machine (shared
//! with other builds), medians: who-is-here 32 µs (the grid lookup alone 3.1 µs), the exact
//! outline of a 252-grid sector 0.43 ms, rebuilding the zone index from the store 0.56 s
//! (5 597 duty grids, 169 squadron areas, 294 sectors, 714 enforcement grids, 4 680 road
//! lines).

use criterion::{criterion_group, criterion_main, Criterion};
use griddesk::sample::{generate, SampleParams};
use griddesk::store::Store;
use griddesk::zones::{union_of_tiles, ROAD_SEARCH_M};
use griddesk::Engine;
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite");
    let district = generate(&SampleParams::benchmark(50_000, 20_000)).expect("generate");
    {
        let mut store = Store::create(&path).expect("store");
        district
            .write_to_store(&mut store, &district.tables)
            .expect("write");
    }
    // Query points: case locations (clustered like real clicks) and points on road lines.
    let mut points: Vec<[f64; 2]> = district
        .cases
        .iter()
        .map(|c| [c.location.x(), c.location.y()])
        .collect();
    points.extend(district.zones.roads.iter().map(|r| {
        let (a, b) = (r.line.0[0], r.line.0[1]);
        [(a.x + b.x) / 2.0, (a.y + b.y) / 2.0]
    }));
    let engine = Engine::open(&path).expect("open");
    let z = engine.zones();
    let layers = engine.zone_layers();
    eprintln!(
        "{} grids; layers {}; {} road lines; {} query points",
        engine.overview().grids,
        layers
            .iter()
            .map(|l| format!("{}: {} zones", l.layer.code, l.zones))
            .collect::<Vec<_>>()
            .join(", "),
        z.data.roads.len(),
        points.len()
    );

    let mut g = c.benchmark_group("zones");
    g.sample_size(50).measurement_time(Duration::from_secs(10));
    g.bench_function("who_is_here_50k_grids", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 7919) % points.len();
            black_box(z.who_is_here(points[i][0], points[i][1], ROAD_SEARCH_M))
        })
    });
    // For scale: the grid lookup alone, on the same points.
    g.bench_function("grid_at_only_50k_grids", |b| {
        let idx = &z.loaded().index;
        let mut i = 0;
        b.iter(|| {
            i = (i + 7919) % points.len();
            black_box(idx.grid_at(points[i][0], points[i][1]))
        })
    });
    // The largest sector's outline from scratch (the index caches it after the first call).
    let sectors = z.zones_of_layer("sector");
    let biggest = sectors
        .iter()
        .copied()
        .max_by_key(|&i| z.data.zones[i as usize].grids.len())
        .expect("sectors") as usize;
    let idx = &z.loaded().index;
    let polys: Vec<&geo_types::Polygon<f64>> = z.data.zones[biggest]
        .grids
        .iter()
        .filter_map(|g| idx.grid(g))
        .map(|g| &g.polygon)
        .collect();
    g.bench_function(format!("sector_outline_{}_grids", polys.len()), |b| {
        b.iter(|| black_box(union_of_tiles(polys.iter().copied())))
    });
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("refresh_zone_index", |b| {
        b.iter(|| engine.refresh_zones().expect("refresh"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
