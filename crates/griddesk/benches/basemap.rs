//! Criterion benchmark of basemaps (issue 14; goal: a basemap tile served in < 5 ms at p95),
//! with a peer measured in the same run: the same tiles kept in an MBTiles file (SQLite, what
//! most tile servers read; gzipped like the PMTiles copy) and served through the same engine call.
//!
//! The basemap is the sample generator's streets, river, land use and buildings for a
//! 5 000-grid district (≈ 50 km², tens of thousands of features), built once at start.
//!
//! * `basemap/build`: building that basemap's tiles (zooms 10–16) into a PMTiles file;
//! * `basemap/tile_pmtiles`: serving its tiles (z14–16, cycling through every tile);
//! * `peer/tile_mbtiles`: serving the same tiles from the MBTiles copy;
//! * printed once: p50/p95/max of serving every tile of z12–16 from each.
//!
//! `cargo bench -p griddesk --bench basemap`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use griddesk::basemaps::InstallOptions;
use griddesk::Engine;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95), at(1.0))
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, district) = common::district_store(dir.path(), 5_000);
    let features = griddesk::sample::basemap::features(&district, 7);
    let pm = dir.path().join("streets.pmtiles");
    let t = Instant::now();
    let stats = Engine::write_basemap(&features, "bench", &pm).expect("build");
    eprintln!(
        "basemap: {} features, {} tiles, {} bytes, built in {:.2} s",
        stats.features,
        stats.tiles,
        stats.bytes,
        t.elapsed().as_secs_f64()
    );
    let e = Engine::open(&path).expect("open");
    let admin = e.local_admin("bench");
    let b = e
        .install_basemap(&admin, &pm, &InstallOptions::default(), &|_| true)
        .expect("install");
    // Every tile address of z12–16 over the basemap's bounds that holds a tile.
    let bb = b.bounds.expect("bounds");
    let mut addresses = Vec::new();
    for z in 12u32..=16 {
        let lo = griddesk::tiles::TileAddress::containing(bb[0], bb[3], z);
        let hi = griddesk::tiles::TileAddress::containing(bb[2], bb[1], z);
        for x in lo.x..=hi.x {
            for y in lo.y..=hi.y {
                if e.basemap_tile(&b.id, z, x, y).expect("tile").is_some() {
                    addresses.push((z, x, y));
                }
            }
        }
    }
    // The MBTiles copy: the same tiles, TMS rows, written with SQLite.
    let mb = dir.path().join("streets.mbtiles");
    {
        let conn = rusqlite::Connection::open(&mb).expect("mbtiles");
        conn.execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT);
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
             CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
             INSERT INTO metadata VALUES ('name', 'bench'), ('format', 'pbf'),
                 ('minzoom', '12'), ('maxzoom', '16');",
        )
        .expect("mbtiles schema");
        conn.execute(
            "INSERT INTO metadata VALUES ('bounds', ?1)",
            [format!("{},{},{},{}", bb[0], bb[1], bb[2], bb[3])],
        )
        .expect("bounds");
        let tx = conn.unchecked_transaction().expect("tx");
        for &(z, x, y) in &addresses {
            let t = e.basemap_tile(&b.id, z, x, y).expect("tile").expect("tile");
            // Gzipped, as MBTiles vector tiles usually are (and as the PMTiles copy is).
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut gz, &t.bytes).expect("gzip");
            let gz = gz.finish().expect("gzip");
            tx.execute(
                "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![z, x, (1u32 << z) - 1 - y, gz],
            )
            .expect("insert");
        }
        tx.commit().expect("commit");
    }
    let m = e
        .install_basemap(&admin, &mb, &InstallOptions::default(), &|_| true)
        .expect("install mbtiles");
    for (name, id) in [("pmtiles", &b.id), ("mbtiles (peer)", &m.id)] {
        let mut ms = Vec::with_capacity(addresses.len());
        for &(z, x, y) in &addresses {
            let t = Instant::now();
            black_box(e.basemap_tile(id, z, x, y).expect("tile"));
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (p50, p95, max) = percentiles(ms);
        eprintln!(
            "serve {name}: {} tiles, p50 {p50:.3} ms, p95 {p95:.3} ms, max {max:.3} ms",
            addresses.len()
        );
    }
    let deep: Vec<_> = addresses.iter().copied().filter(|a| a.0 >= 14).collect();
    let mut g = c.benchmark_group("basemap");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("build", |bch| {
        let out = dir.path().join("again.pmtiles");
        bch.iter(|| Engine::write_basemap(&features, "bench", &out).expect("build"))
    });
    g.finish();
    let mut g = c.benchmark_group("basemap");
    let mut i = 0;
    g.bench_function("tile_pmtiles", |bch| {
        bch.iter(|| {
            let (z, x, y) = deep[i % deep.len()];
            i += 1;
            black_box(e.basemap_tile(&b.id, z, x, y).expect("tile"))
        })
    });
    g.finish();
    let mut g = c.benchmark_group("peer");
    let mut i = 0;
    g.bench_function("tile_mbtiles", |bch| {
        bch.iter(|| {
            let (z, x, y) = deep[i % deep.len()];
            i += 1;
            black_box(e.basemap_tile(&m.id, z, x, y).expect("tile"))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
