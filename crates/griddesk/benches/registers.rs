//! Criterion benchmark of the street registers at 100 000 service objects (issue 15; goals:
//! register search < 50 ms and the per-grid counts layer < 50 ms), with a peer measured in the
//! same run: the same questions asked of the same store file in SQL (`LIKE` search with a
//! count, `GROUP BY grid`), what a register kept only in the database would do.
//!
//! * `registers/search_text`: a word in the name, address, credit code or sub-class name;
//! * `registers/search_filtered`: a word plus section, street and status filters;
//! * `registers/grid_counts`: objects per grid (the map layer), and filtered by section;
//! * `registers/register_tile`: the objects tile at z16 over the busiest grid;
//! * `peer/sqlite_like`, `peer/sqlite_group_by`: the SQL peers.
//!
//! `cargo bench -p griddesk --bench registers`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use griddesk::street::registers::ObjectQuery;
use griddesk::Engine;
use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

const OBJECTS: usize = 100_000;
const WORDS: [&str; 8] = [
    "超市", "烧烤", "面馆", "药店", "五金", "理发", "水果", "宾馆",
];
const SUBCLASSES: [&str; 8] = ["F01", "H03", "H01", "F07", "F05", "O01", "F03", "H05"];

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = common::district_store(dir.path(), 5_000);
    let e = Engine::open(&path).expect("open");
    let admin = e.local_admin("bench");
    // 100 000 objects at grid label points spread a few metres apart, imported as a file.
    let csv = dir.path().join("objects.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).expect("csv"));
        writeln!(f, "name,address,lon,lat,subclass").expect("csv");
        let l = e.loaded();
        // A benchmark district's grids are not clipped to the outline: keep those inside it.
        let pts: Vec<_> = {
            use geo::Contains;
            let d = l.index.district.as_ref().expect("district");
            l.index
                .grid_label_points
                .iter()
                .copied()
                .filter(|p| {
                    d.boundary.contains(&geo::Point::new(p.x() + 0.0002, p.y()))
                        && d.boundary.contains(p)
                })
                .collect()
        };
        for i in 0..OBJECTS {
            let p = pts[(i * 7919) % pts.len()];
            let k = i % WORDS.len();
            let dx = ((i / pts.len()) % 10) as f64 * 0.00002;
            writeln!(
                f,
                "第{i}号{}{},劳动路{}号,{},{},{}",
                ["永宁", "东城", "新华", "和合"][i % 4],
                WORDS[k],
                i % 900,
                p.x() + dx,
                p.y(),
                SUBCLASSES[k]
            )
            .expect("csv");
        }
    }
    let t = std::time::Instant::now();
    let r = e.import_objects(&admin, &csv, false).expect("import");
    assert_eq!(r.imported, OBJECTS, "{:?}", r.rejects.kept().first());
    eprintln!(
        "imported {OBJECTS} objects in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let street = e.loaded().index.streets[0].code.to_string();

    let text = ObjectQuery {
        text: "烧烤".into(),
        ..Default::default()
    };
    let filtered = ObjectQuery {
        text: "永宁".into(),
        section: Some("H".into()),
        area: Some(street.clone()),
        status: Some(griddesk::street::registers::ObjectStatus::Operating),
        ..Default::default()
    };
    let section = ObjectQuery {
        section: Some("F".into()),
        ..Default::default()
    };
    let _ = e.search_objects(&admin, &text).expect("warm");
    let mut g = c.benchmark_group("registers");
    g.sample_size(30).measurement_time(Duration::from_secs(8));
    g.bench_function("search_text", |b| {
        b.iter(|| black_box(e.search_objects(&admin, &text).expect("search").total))
    });
    g.bench_function("search_filtered", |b| {
        b.iter(|| black_box(e.search_objects(&admin, &filtered).expect("search").total))
    });
    g.bench_function("grid_counts", |b| {
        b.iter(|| {
            black_box(
                e.object_grid_counts(&admin, &ObjectQuery::default())
                    .expect("counts")
                    .len(),
            )
        })
    });
    g.bench_function("grid_counts_section", |b| {
        b.iter(|| {
            black_box(
                e.object_grid_counts(&admin, &section)
                    .expect("counts")
                    .len(),
            )
        })
    });
    let p = {
        let l = e.loaded();
        let d = l.index.district.as_ref().expect("district");
        use geo::Contains;
        *l.index
            .grid_label_points
            .iter()
            .find(|p| d.boundary.contains(*p))
            .expect("a grid inside")
    };
    let (z, x, y) = {
        let n = f64::from(1u32 << 16);
        let lat = p.y().to_radians();
        (
            16,
            ((p.x() + 180.0) / 360.0 * n) as u32,
            ((1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n) as u32,
        )
    };
    g.bench_function("register_tile", |b| {
        b.iter(|| black_box(e.register_tile(z, x, y).expect("tile").len()))
    });
    g.finish();

    // The peer: the same questions in SQL on the same file (a second, read-only connection).
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("peer connection");
    let mut g = c.benchmark_group("peer");
    g.sample_size(30).measurement_time(Duration::from_secs(8));
    g.bench_function("sqlite_like", |b| {
        b.iter(|| {
            let total: i64 = conn
                .query_row(
                    "SELECT count(*) FROM service_object WHERE name LIKE ?1 OR address LIKE ?1",
                    ["%烧烤%"],
                    |r| r.get(0),
                )
                .expect("count");
            let mut st = conn
                .prepare_cached(
                    "SELECT id, kind, name, address, lon, lat, grid, section, subclass, status
                     FROM service_object WHERE name LIKE ?1 OR address LIKE ?1 ORDER BY id LIMIT 200",
                )
                .expect("prepare");
            let rows = st
                .query_map(["%烧烤%"], |r| r.get::<_, i64>(0))
                .expect("query")
                .count();
            black_box((total, rows))
        })
    });
    g.bench_function("sqlite_group_by", |b| {
        b.iter(|| {
            let mut st = conn
                .prepare_cached("SELECT grid, count(*) FROM service_object GROUP BY grid")
                .expect("prepare");
            black_box(
                st.query_map([], |r| r.get::<_, i64>(1))
                    .expect("query")
                    .count(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
