//! Property: any sequence of splits, merges, vertex moves, undos and redos keeps the grids of a
//! community an exact tiling with unique codes — checked by the guard's district check AND
//! independently (areas add up to the community's, no two grids intersect with positive area).
//! A refused or impossible step leaves the grids exactly as they were.
#![allow(clippy::unwrap_used)] // test helpers: a failure is a failed test

use crate::plan_fixture::*;
use geo::{Area, BooleanOps, Centroid};
use geo_types::{Coord, Polygon};
use griddesk::code::GridCode;
use griddesk::planning::{Edit, EditMeta};
use griddesk::validate::Severity;
use griddesk::Engine;
use proptest::prelude::*;
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
enum Step {
    Split {
        pick: usize,
        angle: f64,
        offset: f64,
    },
    Merge {
        pick: usize,
        nb: usize,
    },
    Move {
        pick: usize,
        dx: f64,
        dy: f64,
    },
    Undo,
    Redo,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<usize>(), 0.0..std::f64::consts::PI, -0.3..0.3f64)
            .prop_map(|(pick, angle, offset)| Step::Split { pick, angle, offset }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(pick, nb)| Step::Merge { pick, nb }),
        3 => (any::<usize>(), -0.35..0.35f64, -0.35..0.35f64)
            .prop_map(|(pick, dx, dy)| Step::Move { pick, dx, dy }),
        1 => Just(Step::Undo),
        1 => Just(Step::Redo),
    ]
}

fn key(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

fn ring(p: &Polygon<f64>) -> Vec<Coord<f64>> {
    let mut v = p.exterior().0.clone();
    v.pop();
    v
}

/// Other grids sharing an edge with grid `i`.
fn neighbours(grids: &[(GridCode, Polygon<f64>)], i: usize) -> Vec<usize> {
    let edges = |p: &Polygon<f64>| -> BTreeSet<((u64, u64), (u64, u64))> {
        let r = ring(p);
        (0..r.len())
            .map(|k| {
                let (a, b) = (key(r[k]), key(r[(k + 1) % r.len()]));
                (a.min(b), a.max(b))
            })
            .collect()
    };
    let mine = edges(&grids[i].1);
    (0..grids.len())
        .filter(|&j| j != i && !edges(&grids[j].1).is_disjoint(&mine))
        .collect()
}

fn run(e: &Engine, s: &Step) -> Result<(), griddesk::Error> {
    let c1 = community(1);
    let grids = active(e, c1);
    let m = EditMeta::by("proptest");
    let lattice = |c: Coord<f64>| {
        let o = v(0, 0);
        ((c.x - o.x) / 0.001, (c.y - o.y) / 0.0009)
    };
    match *s {
        Step::Split {
            pick,
            angle,
            offset,
        } => {
            let (code, p) = &grids[pick % grids.len()];
            let c = p.centroid().unwrap();
            let (cx, cy) = lattice(c.0);
            let (dx, dy) = (angle.cos(), angle.sin());
            let (ox, oy) = (cx - dy * offset, cy + dx * offset);
            e.plan_apply(
                &Edit::Split {
                    grid: *code,
                    line: vec![
                        at(ox - 3.0 * dx, oy - 3.0 * dy),
                        at(ox + 3.0 * dx, oy + 3.0 * dy),
                    ],
                },
                &m,
            )
            .map(|_| ())
        }
        Step::Merge { pick, nb } => {
            let i = pick % grids.len();
            let nbs = neighbours(&grids, i);
            if nbs.is_empty() {
                return Ok(());
            }
            let j = nbs[nb % nbs.len()];
            e.plan_apply(
                &Edit::Merge {
                    grids: vec![grids[i].0, grids[j].0],
                    attributes_from: None,
                },
                &m,
            )
            .map(|_| ())
        }
        Step::Move { pick, dx, dy } => {
            let l = e.loaded();
            let outline = &l.index.community(&c1).unwrap().boundary;
            let fixed: BTreeSet<(u64, u64)> = outline
                .0
                .iter()
                .flat_map(|p| p.exterior().0.iter().map(|c| key(*c)))
                .collect();
            let mut free: Vec<Coord<f64>> = grids
                .iter()
                .flat_map(|(_, p)| ring(p))
                .filter(|c| !fixed.contains(&key(*c)))
                .collect();
            free.sort_by_key(|c| key(*c));
            free.dedup_by_key(|c| key(*c));
            if free.is_empty() {
                return Ok(());
            }
            let vtx = free[pick % free.len()];
            let (x, y) = lattice(vtx);
            e.plan_apply(
                &Edit::MoveVertex {
                    from: [vtx.x, vtx.y],
                    to: at(x + dx, y + dy),
                },
                &m,
            )
            .map(|_| ())
        }
        Step::Undo => e.plan_undo(&m).map(|_| ()),
        Step::Redo => e.plan_redo(&m).map(|_| ()),
    }
}

/// Exact tiling checked without the guard: area sum and pairwise overlaps.
fn tiles(e: &Engine, c: griddesk::code::CommunityCode) -> Result<(), String> {
    let l = e.loaded();
    let whole = l.index.community(&c).unwrap().boundary.unsigned_area();
    let grids = active(e, c);
    let sum: f64 = grids.iter().map(|(_, p)| p.unsigned_area()).sum();
    if ((sum - whole) / whole).abs() > 1e-9 {
        return Err(format!("grid areas {sum} ≠ community area {whole}"));
    }
    for (i, (a, pa)) in grids.iter().enumerate() {
        for (b, pb) in &grids[i + 1..] {
            let x = pa.intersection(pb).unsigned_area();
            if x > whole * 1e-12 {
                return Err(format!("{a} and {b} overlap by {x}"));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn edits_keep_an_exact_tiling_with_unique_codes(steps in prop::collection::vec(step(), 1..10)) {
        let f = build();
        let e = &f.engine;
        for s in &steps {
            let before = active(e, community(1));
            let res = run(e, s);
            if res.is_err() {
                prop_assert_eq!(&active(e, community(1)), &before, "a failed {:?} changed the grids", s);
            }
            for c in [community(1), community(2)] {
                if let Err(why) = tiles(e, c) {
                    prop_assert!(false, "after {:?} ({:?}): {}", s, res, why);
                }
            }
            let errs: Vec<_> = e
                .check_district()
                .unwrap()
                .problems
                .into_iter()
                .filter(|p| p.severity == Severity::Error && p.community != Some(community(3)))
                .collect();
            prop_assert!(errs.is_empty(), "after {:?}: {:?}", s, errs);
            let l = e.loaded();
            let codes: Vec<GridCode> = l.index.grids.iter().map(|g| g.code).collect();
            let unique: BTreeSet<GridCode> = codes.iter().copied().collect();
            prop_assert_eq!(unique.len(), codes.len());
            // Every component is in the grid the index locates it in.
            for c in &l.index.components {
                let at = l.index.grid_at(c.location.x(), c.location.y()).map(|i| l.index.grids[i].code);
                prop_assert_eq!(c.grid, at);
            }
        }
    }
}
