//! A deterministic synthetic district for analytics benchmarks: a lattice of unit grids of
//! `cell_m` metres and cases clustered around hotspots over a year, as columnar rows and as
//! evaluation input (fixed seed; seconds to build, unlike the full sample generator).

use crate::analytics::columns::{day_number, CaseColumns, CaseRow, ClassKey, Regions, NONE};
use crate::analytics::evaluation::{EvalCase, EvalInput, Hangup, Person, Position, Stage};
use crate::code::{ClassCode, GridCode};
use crate::geodesy::LocalProjection;
use crate::model::{CaseKind, CaseSource, CaseStatus};
use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Size of a synthetic district.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticParams {
    pub seed: u64,
    /// Grid columns and rows (grids = nx × ny).
    pub nx: usize,
    pub ny: usize,
    pub cell_m: f64,
    pub cases: usize,
    /// First report day; cases spread over 365 days.
    pub start: NaiveDate,
}

impl SyntheticParams {
    /// 250 × 200 = 50 000 grids of 110 m, 1 000 000 cases from 2025-11-01.
    pub fn benchmark() -> Self {
        Self {
            seed: 6,
            nx: 250,
            ny: 200,
            cell_m: 110.0,
            cases: 1_000_000,
            start: NaiveDate::from_ymd_opt(2025, 11, 1).expect("constant date"),
        }
    }
}

const CENTRE: [f64; 2] = [121.26, 28.64];
const COMMUNITY_CELLS: usize = 16;
const STREET_COMMUNITIES: usize = 4;

/// The regions of the lattice: grid `(i, j)` has index `j * nx + i`; communities are 16 × 16
/// blocks, streets 4 × 4 communities.
pub fn regions(p: &SyntheticParams) -> Regions {
    let proj = LocalProjection::new(CENTRE[0], CENTRE[1]);
    let (w, h) = (p.nx as f64 * p.cell_m, p.ny as f64 * p.cell_m);
    let cx = p.nx.div_ceil(COMMUNITY_CELLS);
    let cy = p.ny.div_ceil(COMMUNITY_CELLS);
    let sx = cx.div_ceil(STREET_COMMUNITIES);
    let mut r = Regions {
        district_code: Some("331003".into()),
        district_name: Some("合成区".into()),
        ..Default::default()
    };
    let street_of_comm =
        |ci: usize, cj: usize| (cj / STREET_COMMUNITIES) * sx + ci / STREET_COMMUNITIES;
    let n_streets = cy.div_ceil(STREET_COMMUNITIES) * sx;
    for s in 0..n_streets {
        r.street_codes.push(format!("331003{:03}", s + 1));
        r.street_names.push(format!("街道{}", s + 1));
    }
    let mut comm_seq = vec![0usize; n_streets];
    let mut comm_index = vec![0u32; cx * cy];
    for cj in 0..cy {
        for ci in 0..cx {
            let s = street_of_comm(ci, cj);
            comm_seq[s] += 1;
            comm_index[cj * cx + ci] = r.community_codes.len() as u32;
            r.community_codes
                .push(format!("331003{:03}{:03}", s + 1, comm_seq[s]));
            r.community_names
                .push(format!("社区{}-{}", s + 1, comm_seq[s]));
        }
    }
    let mut grid_seq = vec![0usize; cx * cy];
    for j in 0..p.ny {
        for i in 0..p.nx {
            let c = (j / COMMUNITY_CELLS) * cx + i / COMMUNITY_CELLS;
            grid_seq[c] += 1;
            let ci = comm_index[c];
            let code = format!("{}{:03}", r.community_codes[ci as usize], grid_seq[c]);
            let (lon, lat) = proj.inverse(
                (i as f64 + 0.5) * p.cell_m - w / 2.0,
                (j as f64 + 0.5) * p.cell_m - h / 2.0,
            );
            let s = street_of_comm(i / COMMUNITY_CELLS, j / COMMUNITY_CELLS);
            r.push_grid(
                GridCode::parse(&code).expect("lattice grid codes are 15 digits"),
                &format!("网格{}", j * p.nx + i),
                true,
                p.cell_m * p.cell_m,
                [lon, lat],
                ((i * 7 + j * 13) % 25) as u32,
                if (i + j) % 3 == 0 { 1 } else { 2 },
                ci,
                s as u32,
            );
        }
    }
    r
}

/// One synthetic case: position (metres), day offset, class, source, status, grid index.
struct Synth {
    x: f64,
    y: f64,
    day: i32,
    class: usize,
    source: usize,
    status: usize,
    grid: u32,
}

fn synth_cases(p: &SyntheticParams) -> Vec<Synth> {
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let (w, h) = (p.nx as f64 * p.cell_m, p.ny as f64 * p.cell_m);
    let hot: Vec<[f64; 3]> = (0..40)
        .map(|_| {
            [
                rng.gen_range(0.1..0.9) * w,
                rng.gen_range(0.1..0.9) * h,
                rng.gen_range(80.0..400.0),
            ]
        })
        .collect();
    (0..p.cases)
        .map(|_| {
            let (x, y) = if rng.gen_bool(0.55) {
                let c = hot[rng.gen_range(0..hot.len())];
                // Box–Muller around the hotspot.
                let (u, v): (f64, f64) = (rng.gen_range(1e-9..1.0), rng.gen_range(0.0..1.0));
                let r = c[2] * (-2.0 * u.ln()).sqrt();
                let a = std::f64::consts::TAU * v;
                (
                    (c[0] + r * a.cos()).clamp(0.0, w - 0.01),
                    (c[1] + r * a.sin()).clamp(0.0, h - 0.01),
                )
            } else {
                (rng.gen_range(0.0..w), rng.gen_range(0.0..h))
            };
            let (i, j) = ((x / p.cell_m) as usize, (y / p.cell_m) as usize);
            let r: f64 = rng.gen_range(0.0..1.0);
            Synth {
                x: x - w / 2.0,
                y: y - h / 2.0,
                day: rng.gen_range(0..365),
                class: (r * r * 30.0) as usize,
                source: if rng.gen_bool(0.85) {
                    0
                } else {
                    rng.gen_range(1..CaseSource::ALL.len())
                },
                status: if rng.gen_bool(0.9) {
                    9
                } else {
                    rng.gen_range(0..CaseStatus::ALL.len())
                },
                grid: (j.min(p.ny - 1) * p.nx + i.min(p.nx - 1)) as u32,
            }
        })
        .collect()
}

fn class_of(k: usize) -> ClassKey {
    let code = format!("{:02}{:02}", 1 + k / 6, 1 + k % 6);
    ClassKey {
        kind: if k % 5 == 4 {
            CaseKind::Component
        } else {
            CaseKind::Event
        },
        code: ClassCode::parse(&code).expect("4-digit class code"),
    }
}

/// The columnar snapshot of the synthetic district.
pub fn columns(p: &SyntheticParams) -> CaseColumns {
    let regions = regions(p);
    let proj = LocalProjection::new(CENTRE[0], CENTRE[1]);
    let d0 = day_number(p.start);
    let mut cases = synth_cases(p);
    cases.sort_by_key(|c| c.day);
    let rows = cases.into_iter().enumerate().map(|(n, c)| {
        let (lon, lat) = proj.inverse(c.x, c.y);
        CaseRow {
            id: format!("S{n:07}").into(),
            lon,
            lat,
            day: d0 + c.day,
            class: class_of(c.class),
            source: CaseSource::ALL[c.source],
            status: CaseStatus::ALL[c.status],
            grid: if c.grid == NONE { NONE } else { c.grid },
        }
    });
    CaseColumns::from_rows(regions, CENTRE, rows)
}

/// Evaluation input for the synthetic district: every case with a full workflow history,
/// 20 departments, 300 inspectors, 10 receptionists, 6 shift leaders, 8 dispatchers.
pub fn eval_input(p: &SyntheticParams) -> EvalInput {
    let regions = regions(p);
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed ^ 0x5eed);
    let mut people = vec![];
    for (pos, n) in [
        (Position::Inspector, 300),
        (Position::Receptionist, 10),
        (Position::ShiftLeader, 6),
        (Position::Dispatcher, 8),
    ] {
        for k in 0..n {
            people.push(Person {
                id: format!("{}{k:03}", pos.key()),
                name: format!("{}{k}", pos.zh()),
                position: pos,
            });
        }
    }
    let first = |pos: Position| people.iter().position(|x| x.position == pos).unwrap_or(0) as u32;
    let (ins0, rec0, sl0, dis0) = (
        first(Position::Inspector),
        first(Position::Receptionist),
        first(Position::ShiftLeader),
        first(Position::Dispatcher),
    );
    let grid_inspector: Vec<Option<u32>> = (0..regions.grid_count())
        .map(|g| Some(ins0 + (g % 300) as u32))
        .collect();
    let base = p.start.and_hms_opt(0, 0, 0).unwrap_or_default();
    let cases = synth_cases(p)
        .into_iter()
        .enumerate()
        .map(|(n, s)| {
            let t0 = base
                + Duration::days(i64::from(s.day))
                + Duration::minutes(rng.gen_range(420..1200));
            let source = CaseSource::ALL[s.source];
            let mut c = EvalCase::new(&format!("S{n:07}"), class_of(s.class), source, t0);
            c.grid = Some(s.grid);
            c.department = Some(rng.gen_range(0..20));
            let stage = |holder: u32, start, mins: i64, limit: i64| Stage {
                holder: Some(holder),
                start: Some(start),
                end: Some(start + Duration::minutes(mins)),
                deadline: Some(start + Duration::minutes(limit)),
                extended_to: None,
                recorded_on_time: None,
            };
            let public = source != CaseSource::Patrol;
            if !public {
                c.reporter = grid_inspector[s.grid as usize];
            }
            c.public_verified = public && rng.gen_bool(0.8);
            c.accept = stage(rec0 + rng.gen_range(0..10), t0, rng.gen_range(2..30), 30);
            let accepted = t0 + Duration::minutes(20);
            if public {
                c.verify_send = Some(stage(
                    rec0 + rng.gen_range(0..10),
                    accepted,
                    rng.gen_range(2..40),
                    30,
                ));
                c.verify = Some(stage(
                    grid_inspector[s.grid as usize].unwrap_or(ins0),
                    accepted,
                    rng.gen_range(10..90),
                    60,
                ));
            }
            let filed = accepted + Duration::minutes(60);
            c.file = stage(
                sl0 + rng.gen_range(0..6),
                accepted,
                rng.gen_range(10..80),
                60,
            );
            c.dispatch = stage(dis0 + rng.gen_range(0..8), filed, rng.gen_range(5..60), 30);
            let dispatched = filed + Duration::minutes(30);
            let limit = Duration::hours(rng.gen_range(4..72));
            let used =
                Duration::minutes((limit.num_minutes() as f64 * rng.gen_range(0.2..1.4)) as i64);
            let open = rng.gen_bool(0.04);
            c.handle = Stage {
                holder: c.department,
                start: Some(dispatched),
                end: (!open).then_some(dispatched + used),
                deadline: Some(dispatched + limit),
                extended_to: rng.gen_bool(0.02).then_some(dispatched + limit * 2),
                recorded_on_time: None,
            };
            c.extensions = u32::from(c.handle.extended_to.is_some());
            if rng.gen_bool(0.01) {
                c.hangups.push(Hangup {
                    from: dispatched + Duration::hours(1),
                    to: Some(dispatched + Duration::hours(25)),
                });
            }
            c.reworks = if rng.gen_bool(0.03) {
                rng.gen_range(1..3)
            } else {
                0
            };
            if let Some(h) = c.handle.end {
                c.check_send = Some(stage(
                    rec0 + rng.gen_range(0..10),
                    h,
                    rng.gen_range(2..40),
                    30,
                ));
                c.check = Some(stage(
                    grid_inspector[s.grid as usize].unwrap_or(ins0),
                    h,
                    rng.gen_range(10..200),
                    120,
                ));
                c.close = stage(
                    sl0 + rng.gen_range(0..6),
                    h + Duration::hours(3),
                    rng.gen_range(10..600),
                    480,
                );
            }
            if open && rng.gen_bool(0.2) {
                c.cancelled_at = Some(dispatched + Duration::hours(2));
            }
            c
        })
        .collect();
    EvalInput::new(
        cases,
        regions,
        (0..20).map(|d| format!("部门{d:02}")).collect(),
        people,
        grid_inspector,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_synthetic_district_is_consistent() {
        let p = SyntheticParams {
            nx: 40,
            ny: 30,
            cases: 5_000,
            ..SyntheticParams::benchmark()
        };
        let cols = columns(&p);
        assert_eq!(cols.len(), 5_000);
        assert_eq!(cols.regions.grid_count(), 1_200);
        // Codes unique, each grid inside its community and street.
        let mut codes: Vec<String> = cols
            .regions
            .grid_codes
            .iter()
            .map(|c| c.to_string())
            .collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 1_200);
        for g in 0..cols.regions.grid_count() {
            let code = cols.regions.grid_codes[g].to_string();
            assert!(code.starts_with(
                &cols.regions.community_codes[cols.regions.grid_community[g] as usize]
            ));
            assert!(
                code.starts_with(&cols.regions.street_codes[cols.regions.grid_street[g] as usize])
            );
        }
        // The grid column is the lattice cell of the point.
        for r in (0..cols.len()).step_by(97) {
            let i = ((f64::from(cols.x[r]) + 20.0 * p.cell_m) / p.cell_m) as usize;
            let j = ((f64::from(cols.y[r]) + 15.0 * p.cell_m) / p.cell_m) as usize;
            assert_eq!(cols.grid[r] as usize, j.min(29) * 40 + i.min(39));
        }
        let inp = eval_input(&SyntheticParams { cases: 2_000, ..p });
        assert_eq!(inp.cases.len(), 2_000);
    }
}
