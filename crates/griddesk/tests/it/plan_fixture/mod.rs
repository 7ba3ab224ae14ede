//! A small synthetic district for the planning tests: one street of three communities on a
//! lattice of ≈ 100 m cells. Community 001 (4×4 cells) and 002 (3×4 cells) are tiled by one
//! grid per cell, sharing vertices exactly; community 003 (a 7×1 strip along their north side)
//! has no grids yet. One component and one case sit at every cell centre; the grids of 001
//! form one duty grid. [`build_irregular`] builds the same district on moved vertices ([`vi`]).
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // test fixture: a failure here is a broken test

use chrono::NaiveDate;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use griddesk::code::{ClassCode, CommunityCode, ComponentCode, DistrictCode, GridCode};
use griddesk::codetable::CodeTables;
use griddesk::model::*;
use griddesk::store::Store;
use griddesk::Engine;
use std::path::{Path, PathBuf};

pub const X0: f64 = 121_250.0;
pub const Y0: f64 = 28_630.0;

/// Lattice vertex (i, j): exactly the same bits wherever it is computed.
pub fn v(i: i32, j: i32) -> Coord<f64> {
    Coord {
        x: (X0 + f64::from(i)) / 1000.0,
        y: (Y0 * 10.0 / 9.0 + f64::from(j)) * 0.0009,
    }
}

/// Vertex (i, j) of the irregular variant of the fixture ([`build_irregular`]): the lattice
/// vertex moved by up to 0.2 cell east-west and north-south, by a fixed hash of (i, j). No edge
/// is then axis-parallel, no two grids are alike and every community outline is irregular; cases
/// and components stay inside their cells (they are ≥ 0.3 cell from every lattice edge).
pub fn vi(i: i32, j: i32) -> Coord<f64> {
    let h = |k: u32| {
        let mut x = (i as u32).wrapping_mul(0x9E37_79B1)
            ^ (j as u32).wrapping_mul(0x85EB_CA77)
            ^ k.wrapping_mul(0xC2B2_AE3D);
        x ^= x >> 15;
        x = x.wrapping_mul(0x2C1B_3C6D);
        x ^= x >> 12;
        x = x.wrapping_mul(0x297A_2D39);
        x ^= x >> 15;
        f64::from(x) / f64::from(u32::MAX) * 0.4 - 0.2
    };
    let p = at(f64::from(i) + h(1), f64::from(j) + h(2));
    Coord { x: p[0], y: p[1] }
}

/// A point at fractional lattice position.
pub fn at(x: f64, y: f64) -> [f64; 2] {
    let a = v(0, 0);
    [a.x + x * 0.001, a.y + y * 0.0009]
}

/// The ring around the lattice rectangle [i0, i1] × [j0, j1], counter-clockwise, every lattice
/// vertex on it included.
pub fn rect_ring(i0: i32, j0: i32, i1: i32, j1: i32) -> Vec<Coord<f64>> {
    rect_ring_of(v, i0, j0, i1, j1)
}

/// [`rect_ring`] through the vertices `vertex` gives (the lattice's or the irregular one's).
pub fn rect_ring_of(
    vertex: fn(i32, i32) -> Coord<f64>,
    i0: i32,
    j0: i32,
    i1: i32,
    j1: i32,
) -> Vec<Coord<f64>> {
    let mut r = Vec::new();
    for i in i0..i1 {
        r.push(vertex(i, j0));
    }
    for j in j0..j1 {
        r.push(vertex(i1, j));
    }
    for i in (i0 + 1..=i1).rev() {
        r.push(vertex(i, j1));
    }
    for j in (j0 + 1..=j1).rev() {
        r.push(vertex(i0, j));
    }
    r
}

pub fn poly(ring: Vec<Coord<f64>>) -> Polygon<f64> {
    let mut c = ring;
    c.push(c[0]);
    Polygon::new(LineString::new(c), vec![])
}

pub fn community(n: u16) -> CommunityCode {
    DistrictCode::parse("331003")
        .unwrap()
        .street(1)
        .unwrap()
        .community(n)
        .unwrap()
}

/// (community, first column, columns, first row, rows)
pub const TILED: [(u16, i32, i32, i32, i32); 2] = [(1, 0, 4, 0, 4), (2, 4, 3, 0, 4)];

/// The code of the grid of cell (i, j) in the fixture as built (W→E, N→S numbering).
pub fn cell_code(i: i32, j: i32) -> GridCode {
    for (c, i0, ni, j0, nj) in TILED {
        if (i0..i0 + ni).contains(&i) && (j0..j0 + nj).contains(&j) {
            let seq = (j0 + nj - 1 - j) * ni + (i - i0) + 1;
            return community(c).grid(seq as u16).unwrap();
        }
    }
    panic!("cell ({i}, {j}) has no grid")
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub engine: Engine,
}

fn tables() -> CodeTables {
    CodeTables::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/codes"))
        .expect("code tables")
}

pub fn build() -> Fixture {
    build_with(v)
}

/// The same district on the irregular vertices [`vi`].
pub fn build_irregular() -> Fixture {
    build_with(vi)
}

fn build_with(vertex: fn(i32, i32) -> Coord<f64>) -> Fixture {
    let rect_ring = |i0, j0, i1, j1| rect_ring_of(vertex, i0, j0, i1, j1);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.sqlite");
    let district = DistrictCode::parse("331003").unwrap();
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    {
        let mut store = Store::create(&path).expect("store");
        store
            .write(|w| {
                w.put_code_tables(&tables())?;
                w.put_district(&District {
                    code: district,
                    name: "黄岩区".into(),
                    boundary: MultiPolygon(vec![poly(rect_ring(-1, -1, 8, 6))]),
                })?;
                w.insert_street(&Street {
                    code: district.street(1)?,
                    name: "东城街道".into(),
                    boundary: MultiPolygon(vec![poly(rect_ring(0, 0, 7, 5))]),
                    sample: false,
                })?;
                for (n, name, ring) in [
                    (1, "东门社区", rect_ring(0, 0, 4, 4)),
                    (2, "西门社区", rect_ring(4, 0, 7, 4)),
                    (3, "北门社区", rect_ring(0, 4, 7, 5)),
                ] {
                    w.insert_community(&Community {
                        code: community(n),
                        name: name.into(),
                        boundary: MultiPolygon(vec![poly(ring)]),
                        sample: false,
                    })?;
                }
                let mut comp = 0u32;
                let mut duty = Vec::new();
                for (c, i0, ni, j0, nj) in TILED {
                    for j in j0..j0 + nj {
                        for i in i0..i0 + ni {
                            let code = cell_code(i, j);
                            let polygon = poly(rect_ring(i, j, i + 1, j + 1));
                            w.insert_grid(&Grid {
                                code,
                                name: format!("网格{}", code.sequence_str()),
                                area_m2: griddesk::geodesy::area_m2(&polygon),
                                polygon,
                                land_use: Some("居住".into()),
                                level: Some("一类区域".into()),
                                start_date: start,
                                end_date: None,
                                sample: false,
                            })?;
                            if c == 1 {
                                duty.push(code);
                            }
                            let centre = at(f64::from(i) + 0.5, f64::from(j) + 0.5);
                            comp += 1;
                            w.insert_component(&Component {
                                code: ComponentCode::from_parts(district, "0101", comp)?,
                                class_code: ClassCode::parse("0101")?,
                                owner: None,
                                maintainer: None,
                                state: ComponentState::Intact,
                                location: geo_types::Point::new(centre[0], centre[1]),
                                grid: Some(code),
                                sample: false,
                            })?;
                            let case_at = at(f64::from(i) + 0.3, f64::from(j) + 0.6);
                            w.insert_case(&Case {
                                id: format!("K{comp:04}"),
                                location: geo_types::Point::new(case_at[0], case_at[1]),
                                kind: CaseKind::Event,
                                class_code: ClassCode::parse("0101")?,
                                component: None,
                                source: CaseSource::Patrol,
                                reported_at: NaiveDate::from_ymd_opt(2026, 1, 5)
                                    .unwrap()
                                    .and_hms_opt(10, 0, 0)
                                    .unwrap(),
                                status: CaseStatus::Reported,
                                description: None,
                                grid: Some(code),
                                sample: false,
                            })?;
                        }
                    }
                }
                w.insert_duty_grid(&DutyGrid {
                    code: format!("{}01", community(1)),
                    name: "东门社区第1责任网格".into(),
                    inspector: "张三".into(),
                    grids: duty,
                })?;
                Ok(())
            })
            .expect("write fixture");
    }
    let engine = Engine::open(&path).expect("open");
    Fixture { dir, path, engine }
}

impl Fixture {
    /// A fresh copy of this fixture's store (SQLite backup), opened: quicker than building it
    /// again, for property tests that need a new district per case. The copy lives in memory
    /// (`/dev/shm`) where there is one: a property's hundreds of short-lived stores need no
    /// disk syncs, which took half its time.
    pub fn copy(&self) -> Fixture {
        let shm = std::path::Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::tempdir_in(shm).expect("temp dir")
        } else {
            tempfile::tempdir().expect("temp dir")
        };
        let path = dir.path().join("plan.sqlite");
        rusqlite::Connection::open(&self.path)
            .expect("open the fixture")
            .backup(
                rusqlite::MAIN_DB,
                &path,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .expect("copy the fixture");
        let engine = Engine::open(&path).expect("open");
        Fixture { dir, path, engine }
    }
}

/// Active grids of a community: (code, polygon).
pub fn active(e: &Engine, c: CommunityCode) -> Vec<(GridCode, Polygon<f64>)> {
    e.loaded()
        .index
        .grids
        .iter()
        .filter(|g| g.is_active() && g.code.community() == c)
        .map(|g| (g.code, g.polygon.clone()))
        .collect()
}
