//! Tile encoding on a synthetic 50 000-grid district (fixed seed).
//!
//! The district is a jittered quad mesh of 250 × 200 cells of ~110 m around 121.26 E 28.64 N
//! (≈ 27.5 × 22 km), cut into 16 × 16-cell communities and 4 × 4-community streets, with
//! 300 000 cases (30 % around ten hotspots) and 100 000 components. Targets (issue 2): the densest
//! z14 tile in < 5 ms, a z10 overview tile in < 50 ms.
//!
//! Run: `cargo bench -p griddesk --bench tiles`.
//!
//! Figures (criterion median, 2-core shared VM under load average ≈ 4, so upper bounds):
//!
//! | tile                        | size    | time    | target  |
//! |-----------------------------|---------|---------|---------|
//! | densest z10 `10/856/426`    | 745 kB  | 30 ms   | < 50 ms |
//! | densest z12 `12/3428/1707`  | 243 kB  | 9.1 ms  | –       |
//! | densest z14 `14/13709/6829` | 74 kB   | 3.6 ms  | < 5 ms  |
//! | densest z16 `16/54857/27328`| 234 kB  | 11 ms   | –       |
//!
//! Most of the time goes to `mvt`'s per-tag string allocation and SipHash de-duplication. The
//! z10 tile carries one `case_counts` point per grid (≈ 50 000).

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use griddesk::code::{ClassCode, ComponentCode, DistrictCode};
use griddesk::geodesy::{area_m2, LocalProjection};
use griddesk::index::SpatialIndex;
use griddesk::model::*;
use griddesk::store::Snapshot;
use griddesk::tiles::{encode_tile, TileAddress};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const NX: usize = 250;
const NY: usize = 200;
const CELL_M: f64 = 110.0;
const COMMUNITY_CELLS: usize = 16;
const STREET_COMMUNITIES: usize = 4;
const CASES: usize = 300_000;
const COMPONENTS: usize = 100_000;

struct Mesh {
    v: Vec<Coord<f64>>,
}

impl Mesh {
    fn new(rng: &mut ChaCha8Rng) -> Self {
        let p = LocalProjection::new(121.26, 28.64);
        let (w, h) = (NX as f64 * CELL_M, NY as f64 * CELL_M);
        let mut v = Vec::with_capacity((NX + 1) * (NY + 1));
        for j in 0..=NY {
            for i in 0..=NX {
                let inner = i > 0 && j > 0 && i < NX && j < NY;
                let (dx, dy) = if inner {
                    (rng.gen_range(-0.3..0.3), rng.gen_range(-0.3..0.3))
                } else {
                    (0.0, 0.0)
                };
                let (lon, lat) = p.inverse(
                    (i as f64 + dx) * CELL_M - w / 2.0,
                    (j as f64 + dy) * CELL_M - h / 2.0,
                );
                v.push(Coord { x: lon, y: lat });
            }
        }
        Self { v }
    }
    fn at(&self, i: usize, j: usize) -> Coord<f64> {
        self.v[j * (NX + 1) + i]
    }
    /// The outline of cells `[i0, i1) × [j0, j1)`, counter-clockwise, through every lattice vertex.
    fn block(&self, i0: usize, i1: usize, j0: usize, j1: usize) -> Polygon<f64> {
        let mut r: Vec<Coord<f64>> = (i0..i1).map(|i| self.at(i, j0)).collect();
        r.extend((j0..j1).map(|j| self.at(i1, j)));
        r.extend((i0 + 1..=i1).rev().map(|i| self.at(i, j1)));
        r.extend((j0 + 1..=j1).rev().map(|j| self.at(i0, j)));
        r.push(self.at(i0, j0));
        Polygon::new(LineString(r), vec![])
    }
    /// A point inside cell (i, j) by bilinear interpolation of its corners.
    fn inside(&self, i: usize, j: usize, u: f64, w: f64) -> Point<f64> {
        let (a, b, c, d) = (
            self.at(i, j),
            self.at(i + 1, j),
            self.at(i + 1, j + 1),
            self.at(i, j + 1),
        );
        let x = (1.0 - w) * ((1.0 - u) * a.x + u * b.x) + w * ((1.0 - u) * d.x + u * c.x);
        let y = (1.0 - w) * ((1.0 - u) * a.y + u * b.y) + w * ((1.0 - u) * d.y + u * c.y);
        Point::new(x, y)
    }
}

fn district() -> SpatialIndex {
    let mut rng = ChaCha8Rng::seed_from_u64(20_240_601);
    let mesh = Mesh::new(&mut rng);
    let dcode: DistrictCode = "331003".parse().expect("district code");
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let (ncx, ncy) = (NX.div_ceil(COMMUNITY_CELLS), NY.div_ceil(COMMUNITY_CELLS));
    let (nsx, nsy) = (
        ncx.div_ceil(STREET_COMMUNITIES),
        ncy.div_ceil(STREET_COMMUNITIES),
    );
    let names = [
        "东城街道",
        "西城街道",
        "南城街道",
        "北城街道",
        "新前街道",
        "江口街道",
        "澄江街道",
        "高桥街道",
    ];
    let mut streets = vec![];
    let mut communities = vec![];
    let mut grids = vec![];
    // Grid code of each cell, row-major from the south-west.
    let mut cell_code = vec![None; NX * NY];
    for sy in 0..nsy {
        for sx in 0..nsx {
            let s_no = (sy * nsx + sx + 1) as u16;
            let scode = dcode.street(s_no).expect("street code");
            let (ci0, ci1) = (
                sx * STREET_COMMUNITIES,
                ((sx + 1) * STREET_COMMUNITIES).min(ncx),
            );
            let (cj0, cj1) = (
                sy * STREET_COMMUNITIES,
                ((sy + 1) * STREET_COMMUNITIES).min(ncy),
            );
            let cell = |c: usize, n: usize| (c * COMMUNITY_CELLS).min(n);
            let boundary = mesh.block(cell(ci0, NX), cell(ci1, NX), cell(cj0, NY), cell(cj1, NY));
            streets.push(Street {
                code: scode,
                name: format!("{}{}", names[(s_no as usize - 1) % names.len()], s_no),
                boundary: MultiPolygon(vec![boundary]),
                sample: true,
            });
            let mut c_no = 0u16;
            for cj in cj0..cj1 {
                for ci in ci0..ci1 {
                    c_no += 1;
                    let ccode = scode.community(c_no).expect("community code");
                    let (i0, i1) = (cell(ci, NX), cell(ci + 1, NX));
                    let (j0, j1) = (cell(cj, NY), cell(cj + 1, NY));
                    communities.push(Community {
                        code: ccode,
                        name: format!("社区{s_no}-{c_no}"),
                        boundary: MultiPolygon(vec![mesh.block(i0, i1, j0, j1)]),
                        sample: true,
                    });
                    let mut seq = 0u16;
                    // W→E, N→S sequence numbering.
                    for j in (j0..j1).rev() {
                        for i in i0..i1 {
                            seq += 1;
                            let code = ccode.grid(seq).expect("grid code");
                            let polygon = mesh.block(i, i + 1, j, j + 1);
                            cell_code[j * NX + i] = Some(code);
                            grids.push(Grid {
                                code,
                                name: format!("网格{seq:03}"),
                                area_m2: area_m2(&polygon),
                                polygon,
                                land_use: None,
                                level: None,
                                start_date: start,
                                end_date: None,
                                sample: true,
                            });
                        }
                    }
                }
            }
        }
    }
    grids.sort_by_key(|g| g.code);
    let hotspots: Vec<(f64, f64)> = (0..10)
        .map(|_| {
            (
                rng.gen_range(10.0..NX as f64 - 10.0),
                rng.gen_range(10.0..NY as f64 - 10.0),
            )
        })
        .collect();
    let pick_cell = |rng: &mut ChaCha8Rng, hot: bool| -> (usize, usize) {
        if hot {
            let (hx, hy) = hotspots[rng.gen_range(0..hotspots.len())];
            let n = |rng: &mut ChaCha8Rng| (0..4).map(|_| rng.gen_range(-1.5..1.5)).sum::<f64>();
            let i = (hx + n(rng)).clamp(0.0, NX as f64 - 1.0) as usize;
            let j = (hy + n(rng)).clamp(0.0, NY as f64 - 1.0) as usize;
            (i, j)
        } else {
            (rng.gen_range(0..NX), rng.gen_range(0..NY))
        }
    };
    let statuses = [
        CaseStatus::Closed,
        CaseStatus::Closed,
        CaseStatus::Closed,
        CaseStatus::Handling,
        CaseStatus::Filed,
    ];
    let sources = [
        CaseSource::Patrol,
        CaseSource::Hotline12345,
        CaseSource::Public,
        CaseSource::VideoAi,
    ];
    let class: ClassCode = "0102".parse().expect("class");
    let reported = start.and_hms_opt(9, 0, 0).expect("time");
    let cases: Vec<CaseSummary> = (0..CASES)
        .map(|n| {
            let hot = rng.gen_bool(0.3);
            let (i, j) = pick_cell(&mut rng, hot);
            CaseSummary {
                id: format!("2024{n:08}").into(),
                location: mesh.inside(i, j, rng.gen_range(0.05..0.95), rng.gen_range(0.05..0.95)),
                kind: CaseKind::Event,
                class_code: class,
                source: sources[n % sources.len()],
                status: statuses[n % statuses.len()],
                reported_at: reported,
                grid: cell_code[j * NX + i],
                component: None,
                sample: false,
            }
        })
        .collect();
    let states = ComponentState::ALL;
    let components: Vec<Component> = (0..COMPONENTS)
        .map(|n| {
            let (i, j) = pick_cell(&mut rng, false);
            let code =
                ComponentCode::from_parts(dcode, "0305", n as u32 + 1).expect("component code");
            Component {
                code,
                class_code: code.class_code(),
                owner: None,
                maintainer: None,
                state: states[n % states.len()],
                location: mesh.inside(i, j, rng.gen_range(0.0..1.0), rng.gen_range(0.0..1.0)),
                grid: cell_code[j * NX + i],
                sample: true,
            }
        })
        .collect();
    let outline = mesh.block(0, NX, 0, NY);
    SpatialIndex::build(Snapshot {
        district: Some(District {
            code: dcode,
            name: "黄岩区".into(),
            boundary: MultiPolygon(vec![outline]),
        }),
        streets,
        communities,
        grids,
        duty_grids: vec![],
        components,
        cases,
        code_tables: Default::default(),
    })
}

/// The tile at zoom `z` over the district with the largest encoding.
fn densest(idx: &SpatialIndex, z: u32) -> (TileAddress, usize) {
    let b = idx
        .district
        .as_ref()
        .and_then(|d| griddesk::index::bbox_of(&d.boundary))
        .expect("district");
    let nw = TileAddress::containing(b[0], b[3], z);
    let se = TileAddress::containing(b[2], b[1], z);
    (nw.x..=se.x)
        .flat_map(|x| (nw.y..=se.y).map(move |y| TileAddress { z, x, y }))
        .map(|t| {
            (
                t,
                encode_tile(idx, t.z, t.x, t.y)
                    .map(|b| b.len())
                    .unwrap_or(0),
            )
        })
        .max_by_key(|(_, n)| *n)
        .expect("tiles")
}

fn bench(c: &mut Criterion) {
    let idx = district();
    let mut g = c.benchmark_group("encode_tile");
    for z in [10, 12, 14, 16] {
        let (t, bytes) = densest(&idx, z);
        eprintln!("densest z{z} tile {}/{}/{}: {bytes} bytes", t.z, t.x, t.y);
        g.bench_function(format!("densest z{z}"), |b| {
            b.iter(|| encode_tile(black_box(&idx), t.z, t.x, t.y).expect("tile"))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
