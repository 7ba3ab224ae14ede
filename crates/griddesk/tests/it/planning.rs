//! Grid planning through the engine on the synthetic fixture district: every edit operation,
//! every refusal kind with its geometry, codes, history, grids as of a date, undo/redo across
//! reopening the store, snapping, and the in-memory index kept equal to a fresh load.
#![allow(clippy::unwrap_used)] // test helpers: a failure is a failed test

use crate::plan_fixture::*;
use chrono::NaiveDate;
use geo::{Area, BooleanOps, Length};
use geo_types::{Geometry, Polygon};
use griddesk::code::GridCode;
use griddesk::planning::change::{ChangeSet, GridChange, NewGrid};
use griddesk::planning::snap::{SnapKind, SnapLayer};
use griddesk::planning::{Edit, EditMeta, EditState, Rule};
use griddesk::{Engine, Error, ErrorKind};

fn meta(day: u32) -> EditMeta {
    EditMeta {
        author: "规划员".into(),
        note: Some(format!("day {day}")),
        at: Some(
            NaiveDate::from_ymd_opt(2026, 3, day)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        ),
    }
}

fn refused(e: Error) -> griddesk::planning::GuardReport {
    match e {
        Error::TopologyRefused(r) => *r,
        other => panic!("expected a topology refusal, got {other}"),
    }
}

/// The grids of a community tile it: areas add up and no two overlap (independent of the
/// guard's chain test).
fn assert_tiles(e: &Engine, c: griddesk::code::CommunityCode) {
    let l = e.loaded();
    let outline = &l.index.community(&c).unwrap().boundary;
    let grids = active(e, c);
    let sum: f64 = grids.iter().map(|(_, p)| p.unsigned_area()).sum();
    let whole = outline.unsigned_area();
    assert!(
        ((sum - whole) / whole).abs() < 1e-9,
        "areas {sum} vs {whole}"
    );
    for (i, (a, pa)) in grids.iter().enumerate() {
        for (b, pb) in &grids[i + 1..] {
            let x = pa.intersection(pb).unsigned_area();
            assert!(x < whole * 1e-12, "{a} and {b} overlap by {x}");
        }
    }
}

fn errors(e: &Engine) -> Vec<griddesk::planning::Problem> {
    e.check_district()
        .unwrap()
        .problems
        .into_iter()
        .filter(|p| p.severity == griddesk::validate::Severity::Error)
        .collect()
}

#[test]
fn the_fixture_is_clean_except_the_empty_community() {
    let f = build();
    let errs = errors(&f.engine);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].rule, Rule::Gap);
    assert_eq!(errs[0].community, Some(community(3)));
    assert!(matches!(errs[0].geometry, Some(Geometry::MultiPolygon(_))));
    assert_tiles(&f.engine, community(1));
}

#[test]
fn split_retires_the_grid_and_creates_two_with_new_codes() {
    let f = build();
    let e = &f.engine;
    let g = cell_code(1, 1);
    // A line crossing the cell diagonally, overshooting both sides.
    let edit = Edit::Split {
        grid: g,
        line: vec![at(0.9, 0.8), at(2.1, 2.3)],
    };
    let p = e.plan_preview(&edit).unwrap();
    assert!(p.report.is_ok(), "{:?}", p.report);
    assert_eq!(p.change.retire.len(), 1);
    assert_eq!(p.change.create.len(), 2);
    // The cut meets two shared edges mid-edge: the neighbours there gain the vertices.
    assert_eq!(p.change.modify.len(), 2, "{:?}", p.change.modify);
    assert_eq!(e.plan_log(10).unwrap().len(), 0, "a preview writes nothing");
    let applied = e
        .plan_apply(&crate::common::planner(e), &edit, &meta(1))
        .unwrap();
    let new: Vec<GridCode> = applied.edit.effect.created.clone();
    assert_eq!(
        new.iter().map(|c| c.sequence()).collect::<Vec<_>>(),
        vec![17, 18]
    );
    let l = e.loaded();
    let old = l.index.grid(&g).unwrap();
    assert_eq!(old.end_date, NaiveDate::from_ymd_opt(2026, 3, 1));
    for c in &new {
        let ng = l.index.grid(c).unwrap();
        assert_eq!(ng.start_date, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(ng.land_use.as_deref(), Some("居住"));
        assert_eq!(
            l.index.duty_grid_of(c).map(|d| d.inspector.as_str()),
            Some("张三")
        );
    }
    assert!(l.index.duty_grid_of(&g).is_none());
    // The component at the cell centre lies on the cut line's side it belongs to.
    let comp = l
        .index
        .components
        .iter()
        .find(|c| {
            let p = at(1.5, 1.5);
            (c.location.x() - p[0]).abs() < 1e-12 && (c.location.y() - p[1]).abs() < 1e-12
        })
        .unwrap();
    assert!(new.contains(&comp.grid.unwrap()));
    // New codes go west→east: 017 is the north-west piece, 018 the south-east one.
    let se = at(1.9, 1.1);
    assert_eq!(e.grid_at(se[0], se[1]), Some(new[1]));
    assert_tiles(e, community(1));
    assert!(errors(e).iter().all(|p| p.community == Some(community(3))));
}

#[test]
fn merge_takes_the_largest_or_the_chosen_attributes() {
    let f = build();
    let e = &f.engine;
    let (a, b) = (cell_code(0, 0), cell_code(1, 0));
    let p = e
        .plan_preview(&Edit::Merge {
            grids: vec![a, b],
            attributes_from: Some(b),
        })
        .unwrap();
    assert!(p.report.is_ok());
    assert_eq!(p.change.create[0].predecessors[0], b);
    let merged = &p.change.create[0].polygon;
    // The shared edge is gone: 2 cells → 6 outline vertices.
    assert_eq!(merged.exterior().0.len(), 7);
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::Merge {
            grids: vec![a, b],
            attributes_from: None,
        },
        &meta(2),
    )
    .unwrap();
    assert_tiles(e, community(1));
    // Not adjacent: refused as an edit that cannot be formed.
    let err = e
        .plan_preview(&Edit::Merge {
            grids: vec![cell_code(0, 3), cell_code(3, 3)],
            attributes_from: None,
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("separate areas"), "{err}");
}

#[test]
fn moving_a_shared_vertex_moves_it_in_every_grid() {
    let f = build();
    let e = &f.engine;
    let from = v(2, 2);
    // Within the tolerance of the vertex.
    let near = [from.x + 1e-6, from.y];
    let p = e
        .plan_preview(&Edit::MoveVertex {
            from: near,
            to: at(2.2, 2.1),
        })
        .unwrap();
    assert_eq!(p.change.modify.len(), 4);
    assert!(p.report.is_ok(), "{:?}", p.report);
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::MoveVertex {
            from: near,
            to: at(2.2, 2.1),
        },
        &meta(3),
    )
    .unwrap();
    assert_tiles(e, community(1));
}

#[test]
fn a_vertex_on_the_community_boundary_is_fixed() {
    let f = build();
    let from = v(4, 2);
    let err = f
        .engine
        .plan_preview(&Edit::MoveVertex {
            from: [from.x, from.y],
            to: at(4.3, 2.0),
        })
        .unwrap_err();
    assert!(matches!(err, Error::Edit { .. }), "{err}");
    assert!(err.to_string().contains("community boundary"), "{err}");
}

#[test]
fn refusal_overlap_carries_the_overlap_polygon() {
    let f = build();
    let e = &f.engine;
    let cell_area = e.loaded().index.grid(&cell_code(1, 1)).unwrap().area_m2;
    // Drag the shared vertex (1,1) through the opposite cell to (2.5,2.5): the four grids around
    // it fold over their neighbours.
    let from = v(1, 1);
    let err = e
        .plan_apply(
            &crate::common::planner(e),
            &Edit::MoveVertex {
                from: [from.x, from.y],
                to: at(2.5, 2.5),
            },
            &meta(4),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TopologyRefused);
    let rep = refused(err);
    // Every overlap of the moved grids, worked out by hand (and with shapely) in lattice units:
    // (cell a, cell b, overlap area in cells, bounds [x0, y0, x1, y1]).
    let third = 1.0 / 3.0;
    type Overlap = ((i32, i32), (i32, i32), f64, [f64; 4]);
    let expected: [Overlap; 13] = [
        (
            (0, 0),
            (1, 1),
            1.0 / 6.0,
            [1.0 + 2.0 * third, 1.0 + 2.0 * third, 2.5, 2.5],
        ),
        (
            (0, 0),
            (1, 2),
            1.0 / 30.0,
            [1.0 + 2.0 * third, 2.0, 2.0, 2.2],
        ),
        (
            (0, 0),
            (2, 1),
            1.0 / 30.0,
            [2.0, 1.0 + 2.0 * third, 2.2, 2.0],
        ),
        ((0, 0), (2, 2), 0.1, [2.0, 2.0, 2.5, 2.5]),
        ((0, 1), (1, 1), 1.0 / 6.0, [1.0, 2.0, 2.5, 2.5]),
        ((0, 1), (1, 2), 2.0 / 15.0, [1.0, 2.0, 2.0, 2.0 + third]),
        ((0, 1), (2, 2), 1.0 / 30.0, [2.0, 2.2, 2.5, 2.5]),
        ((1, 0), (1, 1), 1.0 / 6.0, [2.0, 1.0, 2.5, 2.5]),
        ((1, 0), (2, 1), 2.0 / 15.0, [2.0, 1.0, 2.0 + third, 2.0]),
        ((1, 0), (2, 2), 1.0 / 30.0, [2.2, 2.0, 2.5, 2.5]),
        ((1, 1), (1, 2), 1.0 / 6.0, [1.0, 2.0, 2.0, 2.0 + third]),
        ((1, 1), (2, 1), 1.0 / 6.0, [2.0, 1.0, 2.0 + third, 2.0]),
        ((1, 1), (2, 2), 1.0 / 6.0, [2.0, 2.0, 2.5, 2.5]),
    ];
    let overlaps: Vec<_> = rep
        .problems
        .iter()
        .filter(|p| p.rule == Rule::Overlap)
        .collect();
    assert_eq!(overlaps.len(), expected.len(), "{:#?}", rep.problems);
    // Lattice coordinates of a lon/lat point (the inverse of `at`).
    let origin = v(0, 0);
    let lattice = |c: geo_types::Coord<f64>| ((c.x - origin.x) / 0.001, (c.y - origin.y) / 0.0009);
    for (a, b, cells, bounds) in expected {
        let pair = [cell_code(a.0, a.1), cell_code(b.0, b.1)];
        let p = overlaps
            .iter()
            .find(|p| {
                p.grids.len() == 2 && p.grids.contains(&pair[0]) && p.grids.contains(&pair[1])
            })
            .unwrap_or_else(|| panic!("no overlap of cells {a:?} and {b:?}: {overlaps:#?}"));
        assert_eq!(p.severity, griddesk::validate::Severity::Error);
        // The area, as a share of a cell (the guard's metres and the geodesic cell area agree
        // to ≈ 0.2 %; the nearest other share, 2/15 against 1/6, is 20 % away).
        let area = p.area_m2.unwrap();
        assert!(
            (area / cell_area - cells).abs() < 5e-3 * cells,
            "cells {a:?}/{b:?}: {area} m² is {} cells, expected {cells}",
            area / cell_area
        );
        // The polygon drawn in red is the overlap itself: where it lies and how big it is.
        let Some(Geometry::MultiPolygon(mp)) = &p.geometry else {
            panic!("cells {a:?}/{b:?}: no overlap polygon: {:?}", p.geometry)
        };
        let in_lattice = geo_types::MultiPolygon(
            mp.0.iter()
                .map(|poly| {
                    Polygon::new(
                        poly.exterior()
                            .0
                            .iter()
                            .map(|c| {
                                let (x, y) = lattice(*c);
                                geo_types::Coord { x, y }
                            })
                            .collect(),
                        vec![],
                    )
                })
                .collect(),
        );
        assert!(
            (in_lattice.unsigned_area() - cells).abs() < 1e-6,
            "cells {a:?}/{b:?}: polygon area {} cells, expected {cells}",
            in_lattice.unsigned_area()
        );
        let r = geo::BoundingRect::bounding_rect(&in_lattice).unwrap();
        let got = [r.min().x, r.min().y, r.max().x, r.max().y];
        assert!(
            got.iter().zip(&bounds).all(|(g, w)| (g - w).abs() < 1e-6),
            "cells {a:?}/{b:?}: overlap bounds {got:?}, expected {bounds:?}"
        );
        assert!(
            p.message.contains(&pair[0].to_string()) && p.message.contains(&pair[1].to_string()),
            "{}",
            p.message
        );
    }
    // Nothing was written.
    assert_eq!(e.plan_log(5).unwrap().len(), 0);
    assert_tiles(e, community(1));
}

#[test]
fn refusal_overlap_from_a_folded_grid() {
    let f = build();
    let e = &f.engine;
    // Drag the junction (2,2) past the far corner of cell (1,1): that grid stays a simple
    // polygon but turns inside out, and covers cell (0,0), which does not share the vertex.
    let j = v(2, 2);
    let rep = refused(
        e.plan_apply(
            &crate::common::planner(e),
            &Edit::MoveVertex {
                from: [j.x, j.y],
                to: at(0.5, 0.5),
            },
            &meta(5),
        )
        .unwrap_err(),
    );
    let ov: Vec<_> = rep
        .problems
        .iter()
        .filter(|p| p.rule == Rule::Overlap)
        .collect();
    assert!(!ov.is_empty(), "{rep:?}");
    assert!(
        ov.iter()
            .any(|p| p.grids.contains(&cell_code(0, 0)) && p.area_m2.unwrap() > 100.0),
        "{ov:?}"
    );
    assert_tiles(e, community(1));
}

/// The refusal speaks in codes: the error's message is `topology-refused` with counts and rule
/// terms, each overlap problem `topo-overlap` with both grid codes and the area in m², so the UI
/// can say it in Chinese (issue 11, item 6).
#[test]
fn refusal_overlap_is_a_message_with_grid_codes_and_area() {
    use griddesk::message::{MessageCode, Param};
    let f = build();
    let e = &f.engine;
    let j = v(2, 2);
    let err = e
        .plan_apply(
            &crate::common::planner(e),
            &Edit::MoveVertex {
                from: [j.x, j.y],
                to: at(0.5, 0.5),
            },
            &meta(5),
        )
        .unwrap_err();
    let m = err.message();
    assert_eq!(m.code, MessageCode::TopologyRefused);
    assert!(
        matches!(m.param("errors"), Some(Param::Int(n)) if *n > 0),
        "{m:?}"
    );
    match m.param("rules") {
        Some(Param::List(rules)) => {
            assert!(
                rules.contains(&Param::Term("rule.overlap".into())),
                "{rules:?}"
            )
        }
        other => panic!("rules: {other:?}"),
    }
    let rep = refused(err);
    let ov = rep
        .problems
        .iter()
        .find(|p| p.rule == Rule::Overlap && p.grids.contains(&cell_code(0, 0)))
        .expect("an overlap with cell (0, 0)");
    let d = &ov.detail;
    assert_eq!(d.code, MessageCode::TopoOverlap);
    let text = |k: &str| match d.param(k) {
        Some(Param::Text(t)) => t.clone(),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(text("grid"), ov.grids[0].to_string());
    assert_eq!(text("other"), ov.grids[1].to_string());
    assert_eq!(d.param("area"), ov.area_m2.map(Param::Area).as_ref());
    // The English sentence for logs and the CLI is unchanged.
    assert!(ov.message.contains("would overlap grid"), "{}", ov.message);
    let json = serde_json::to_value(ov).unwrap();
    assert_eq!(json["detail"]["code"], "topo-overlap");
    assert!(json["detail"]["params"]["area"]["area"].as_f64().unwrap() > 100.0);
}

#[test]
fn refusal_gap_carries_the_uncovered_polygon() {
    let f = build();
    let e = &f.engine;
    let junction = v(2, 2);
    let rep = refused(
        e.plan_apply(
            &crate::common::planner(e),
            &Edit::DeleteVertex {
                at: [junction.x, junction.y],
            },
            &meta(5),
        )
        .unwrap_err(),
    );
    let gap = rep
        .problems
        .iter()
        .find(|p| p.rule == Rule::Gap)
        .unwrap_or_else(|| panic!("{rep:?}"));
    // Four cells lose their shared corner: the diamond between their other corners (two
    // cells' worth) is uncovered.
    let a = gap.area_m2.unwrap();
    assert!((19_000.0..20_000.0).contains(&a), "{a}");
    assert!(matches!(gap.geometry, Some(Geometry::Polygon(_))));
}

#[test]
fn refusal_outside_community_and_invalid_polygon() {
    let f = build();
    let e = &f.engine;
    // A grid drawn in the empty community that pokes out of it to the north (outside every
    // community), and one that reaches down over a grid of community 001.
    let add = |ring: Vec<[f64; 2]>| Edit::AddGrid {
        ring,
        community: Some(community(3)),
        name: None,
        land_use: None,
        level: None,
    };
    let rep = refused(
        e.plan_apply(
            &crate::common::planner(e),
            &add(vec![at(0.2, 4.0), at(0.8, 4.0), at(0.8, 5.4), at(0.2, 5.4)]),
            &meta(6),
        )
        .unwrap_err(),
    );
    let out = rep
        .problems
        .iter()
        .find(|p| p.rule == Rule::OutsideCommunity)
        .unwrap_or_else(|| panic!("{rep:?}"));
    let a = out.area_m2.unwrap();
    assert!((2_200.0..2_500.0).contains(&a), "{a}");
    let rep = refused(
        e.plan_apply(
            &crate::common::planner(e),
            &add(vec![at(0.2, 3.6), at(0.8, 3.6), at(0.8, 5.0), at(0.2, 5.0)]),
            &meta(6),
        )
        .unwrap_err(),
    );
    let rules: Vec<Rule> = rep.problems.iter().map(|p| p.rule).collect();
    assert!(rules.contains(&Rule::OutsideCommunity), "{rules:?}");
    let ov = rep
        .problems
        .iter()
        .find(|p| p.rule == Rule::Overlap)
        .unwrap();
    assert!(ov.grids.contains(&cell_code(0, 3)), "{ov:?}");
    // A bow-tie.
    let rep = refused(
        e.plan_apply(
            &crate::common::planner(e),
            &Edit::AddGrid {
                ring: vec![at(0.0, 4.0), at(1.0, 5.0), at(1.0, 4.0), at(0.0, 5.0)],
                community: Some(community(3)),
                name: None,
                land_use: None,
                level: None,
            },
            &meta(6),
        )
        .unwrap_err(),
    );
    assert_eq!(rep.problems[0].rule, Rule::InvalidPolygon, "{rep:?}");
}

#[test]
fn refusal_edge_mismatch_and_codes_from_a_handmade_change() {
    let f = build();
    let e = &f.engine;
    let l = e.loaded();
    let g = cell_code(1, 1);
    let before = l.index.grid(&g).unwrap().polygon.clone();
    // Add a vertex on the shared edge in one grid only: a T-junction.
    let mut ring = rect_ring(1, 1, 2, 2);
    let mid = at(1.5, 1.0);
    ring.insert(
        1,
        geo_types::Coord {
            x: mid[0],
            y: mid[1],
        },
    );
    let mut cs = ChangeSet::new("handmade", community(1));
    cs.modify.push(GridChange {
        code: g,
        before,
        after: poly(ring),
    });
    let p = e.plan_check(cs.clone()).unwrap();
    let mm = p
        .report
        .problems
        .iter()
        .find(|p| p.rule == Rule::EdgeMismatch)
        .unwrap_or_else(|| panic!("{:?}", p.report));
    assert!(matches!(mm.geometry, Some(Geometry::MultiLineString(_))));
    assert!(mm.grids.contains(&g));
    // A new grid under a code already in use.
    let mut cs2 = ChangeSet::new("handmade", community(3));
    let polygon: Polygon<f64> = poly(rect_ring(0, 4, 1, 5));
    cs2.create.push(NewGrid {
        code: cell_code(0, 0),
        name: "x".into(),
        area_m2: 1.0,
        polygon,
        land_use: None,
        level: None,
        predecessors: vec![],
    });
    let p = e.plan_check(cs2.clone()).unwrap();
    assert!(
        p.report.problems.iter().any(|p| p.rule == Rule::Code),
        "{:?}",
        p.report
    );
    // A grid whose code names a community that does not exist.
    let mut cs3 = ChangeSet::new("handmade", community(9));
    cs3.create.push(NewGrid {
        code: community(9).grid(1).unwrap(),
        ..cs2.create[0].clone()
    });
    let p = e.plan_check(cs3).unwrap();
    assert!(
        p.report
            .problems
            .iter()
            .any(|p| p.rule == Rule::UnknownCommunity),
        "{:?}",
        p.report
    );
    let err = e
        .plan_apply_change(
            &crate::common::planner(e),
            &cs2,
            &serde_json::json!({"op": "handmade"}),
            &meta(7),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TopologyRefused);
}

#[test]
fn inserting_on_a_community_boundary_updates_the_outline_and_the_other_side() {
    let f = build();
    let e = &f.engine;
    let p = e
        .plan_preview(&Edit::InsertVertex { at: at(4.0, 1.5) })
        .unwrap();
    assert!(p.report.is_ok(), "{:?}", p.report);
    assert_eq!(p.change.modify.len(), 2);
    let comms: Vec<String> = p
        .change
        .communities
        .iter()
        .map(|c| c.code.to_string())
        .collect();
    assert_eq!(
        comms,
        vec![community(1).to_string(), community(2).to_string()]
    );
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::InsertVertex { at: at(4.0, 1.5) },
        &meta(8),
    )
    .unwrap();
    assert_tiles(e, community(1));
    assert_tiles(e, community(2));
    // Still fixed: the new outline vertex cannot be moved.
    assert!(e
        .plan_preview(&Edit::MoveVertex {
            from: at(4.0, 1.5),
            to: at(4.2, 1.5)
        })
        .is_err());
}

#[test]
fn a_vertex_on_the_street_outline_goes_into_the_street_too() {
    let f = build();
    let e = &f.engine;
    let p = e
        .plan_preview(&Edit::InsertVertex { at: at(0.0, 1.5) })
        .unwrap();
    assert_eq!(p.change.communities.len(), 1);
    assert_eq!(p.change.streets.len(), 1);
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::InsertVertex { at: at(0.0, 1.5) },
        &meta(8),
    )
    .unwrap();
    let rep = e.check_district().unwrap();
    assert!(
        rep.problems.iter().all(|p| p.rule != Rule::StreetCoverage),
        "{rep:?}"
    );
    e.plan_undo(&crate::common::planner(e), &meta(9)).unwrap();
    assert!(e
        .check_district()
        .unwrap()
        .problems
        .iter()
        .all(|p| p.rule != Rule::StreetCoverage));
}

#[test]
fn reshape_replaces_the_shared_section_in_both_grids() {
    let f = build();
    let e = &f.engine;
    let (g, nb) = (cell_code(1, 1), cell_code(2, 1));
    let edit = Edit::Reshape {
        grid: g,
        path: vec![at(2.0, 1.0), at(2.3, 1.5), at(2.0, 2.0)],
    };
    let p = e.plan_preview(&edit).unwrap();
    assert!(p.report.is_ok(), "{:?}", p.report);
    let codes: Vec<GridCode> = p.change.modify.iter().map(|m| m.code).collect();
    assert_eq!(codes, vec![g, nb]);
    let grown = &p.change.modify[0];
    assert!(grown.after.unsigned_area() > grown.before.unsigned_area());
    e.plan_apply(&crate::common::planner(e), &edit, &meta(9))
        .unwrap();
    assert_tiles(e, community(1));
    // A section on the community boundary is fixed.
    let err = e
        .plan_preview(&Edit::Reshape {
            grid: cell_code(0, 0),
            path: vec![at(0.0, 0.0), at(0.5, -0.3), at(1.0, 0.0)],
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("single neighbouring grid"),
        "{err}"
    );
}

#[test]
fn drawn_grids_snap_and_fill_the_empty_community() {
    let f = build();
    let e = &f.engine;
    let wobble = 0.000_001; // ≈ 0.1 m, within the 0.5 m tolerance
    let first = Edit::AddGrid {
        ring: vec![
            at(0.0, 4.0),
            at(3.0 + wobble, 4.0),
            at(3.0, 5.0 - wobble),
            at(0.0, 5.0),
        ],
        community: None,
        name: Some("北门一号".into()),
        land_use: None,
        level: None,
    };
    let a = e
        .plan_apply(&crate::common::planner(e), &first, &meta(10))
        .unwrap();
    let code = a.edit.effect.created[0];
    assert_eq!(code.community(), community(3));
    let g = e.loaded().index.grid(&code).unwrap().clone();
    // Snapped to the lattice, with the lattice vertices along its edges: 3 + 1 + 3 + 1 = 8.
    assert_eq!(g.polygon.exterior().0.len(), 9);
    assert_eq!(g.name, "北门一号");
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::AddGrid {
            ring: vec![at(3.0, 4.0), at(7.0, 4.0), at(7.0, 5.0), at(3.0, 5.0)],
            community: None,
            name: None,
            land_use: None,
            level: None,
        },
        &meta(10),
    )
    .unwrap();
    assert!(errors(e).is_empty(), "{:?}", errors(e));
    assert_tiles(e, community(3));
}

#[test]
fn renumber_restores_west_east_north_south_order_skipping_retired_codes() {
    let f = build();
    let e = &f.engine;
    let p = e.renumber_preview(&community(1).to_string()).unwrap();
    assert!(
        p.change.rename.is_empty(),
        "the fixture is numbered in order"
    );
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::Merge {
            grids: vec![cell_code(0, 3), cell_code(1, 3)],
            attributes_from: None,
        },
        &meta(11),
    )
    .unwrap();
    let p = e.renumber_preview(&community(1).to_string()).unwrap();
    assert!(p.report.is_ok(), "{:?}", p.report);
    // 001 and 002 are retired: the merged grid (017, north-west) becomes 003, and so on.
    let first = p
        .change
        .rename
        .iter()
        .find(|r| r.from.sequence() == 17)
        .unwrap();
    assert_eq!(first.to.sequence(), 3);
    let a = e
        .plan_apply(
            &crate::common::planner(e),
            &Edit::Renumber {
                community: community(1),
            },
            &meta(12),
        )
        .unwrap();
    assert!(!a.edit.effect.renamed.is_empty());
    let seqs: Vec<u16> = active(e, community(1))
        .iter()
        .map(|g| g.0.sequence())
        .collect();
    assert_eq!(seqs, (3..=17).collect::<Vec<u16>>());
    // Components follow their grid's new code.
    let l = e.loaded();
    for c in &l.index.components {
        let g = c.grid.unwrap();
        assert!(l.index.grid(&g).unwrap().is_active());
        assert_eq!(
            l.index
                .grid_at(c.location.x(), c.location.y())
                .map(|i| l.index.grids[i].code),
            Some(g)
        );
    }
    assert_tiles(e, community(1));
    // And the numbering is now in order.
    assert!(e
        .renumber_preview(&community(1).to_string())
        .unwrap()
        .change
        .rename
        .is_empty());
    // Undo the renumbering: the old codes come back.
    e.plan_undo(&crate::common::planner(e), &meta(13)).unwrap();
    assert!(e
        .loaded()
        .index
        .grid(&community(1).grid(17).unwrap())
        .unwrap()
        .is_active());
}

#[test]
fn history_follows_lineage_and_as_of_replays_the_past() {
    let f = build();
    let e = &f.engine;
    let g = cell_code(2, 2);
    let s = e
        .plan_apply(
            &crate::common::planner(e),
            &Edit::Split {
                grid: g,
                line: vec![at(2.5, 1.9), at(2.5, 3.1)],
            },
            &meta(14),
        )
        .unwrap();
    let halves = s.edit.effect.created.clone();
    let m = e
        .plan_apply(
            &crate::common::planner(e),
            &Edit::Merge {
                grids: vec![halves[1], cell_code(3, 2)],
                attributes_from: None,
            },
            &meta(20),
        )
        .unwrap();
    let merged = m.edit.effect.created[0];
    let h = e.plan_history(merged.as_str()).unwrap();
    assert!(h.lineage_codes.contains(&g.to_string()));
    assert_eq!(h.edits.len(), 2);
    assert_eq!(h.edits[0].edit.operation, "split");
    // The engine records the signed-in planner, not what the caller's `EditMeta` says.
    assert_eq!(h.edits[0].edit.author, "t-planner t-planner");
    let split_g = h.edits[0].grids.iter().find(|v| v.code == g).unwrap();
    assert!(split_g.before.is_some() && split_g.after.is_some());
    assert_eq!(split_g.end_date_after.as_deref(), Some("2026-03-14"));
    // As of the 13th: the original 16 grids; the 15th: the split; the 20th: split and merge.
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let in_c1 = |v: Vec<griddesk::model::Grid>| -> Vec<GridCode> {
        v.into_iter()
            .map(|g| g.code)
            .filter(|c| c.community() == community(1))
            .collect()
    };
    let orig: Vec<GridCode> = (1..=16).map(|s| community(1).grid(s).unwrap()).collect();
    assert_eq!(in_c1(e.grids_as_of(day(13)).unwrap()), orig);
    let mid = in_c1(e.grids_as_of(day(15)).unwrap());
    assert_eq!(mid.len(), 17);
    assert!(!mid.contains(&g) && mid.contains(&halves[0]) && mid.contains(&halves[1]));
    assert_eq!(in_c1(e.grids_as_of(day(20)).unwrap()).len(), 16);
    assert!(in_c1(e.grids_as_of(day(20)).unwrap()).contains(&merged));
    // Before the grids started: nothing.
    assert!(e
        .grids_as_of(NaiveDate::from_ymd_opt(2023, 6, 1).unwrap())
        .unwrap()
        .is_empty());
    // An undone merge (undone on the 25th) was still in force on the 21st.
    e.plan_undo(
        &crate::common::planner(e),
        &EditMeta {
            at: Some(day(25).and_hms_opt(8, 0, 0).unwrap()),
            ..meta(25)
        },
    )
    .unwrap();
    assert!(in_c1(e.grids_as_of(day(21)).unwrap()).contains(&merged));
    assert!(!in_c1(e.grids_as_of(day(25)).unwrap()).contains(&merged));
}

#[test]
fn undo_and_redo_survive_reopening_the_store() {
    let f = build();
    let before: Vec<(GridCode, Polygon<f64>)> = active(&f.engine, community(1));
    let g = cell_code(1, 2);
    f.engine
        .plan_apply(
            &crate::common::planner(&f.engine),
            &Edit::Split {
                grid: g,
                line: vec![at(0.9, 2.5), at(2.1, 2.5)],
            },
            &meta(15),
        )
        .unwrap();
    let after = active(&f.engine, community(1));
    drop(f.engine);
    let e = Engine::open(&f.path).unwrap();
    assert_eq!(active(&e, community(1)), after);
    let u = e.plan_undo(&crate::common::planner(&e), &meta(16)).unwrap();
    assert_eq!(u.edit.state, EditState::Undone);
    assert_eq!(active(&e, community(1)), before);
    // Cases and components are back in the original grid.
    let l = e.loaded();
    assert!(l.index.cases.iter().all(|c| c.grid.is_some_and(|g| l
        .index
        .grid(&g)
        .unwrap()
        .is_active())));
    drop(l);
    drop(e);
    let e = Engine::open(&f.path).unwrap();
    assert_eq!(active(&e, community(1)), before);
    let r = e.plan_redo(&crate::common::planner(&e), &meta(17)).unwrap();
    assert_eq!(r.edit.state, EditState::Applied);
    assert_eq!(active(&e, community(1)), after);
    assert_eq!(
        e.plan_redo(&crate::common::planner(&e), &meta(17))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    // A new edit after an undo discards the redo stack.
    e.plan_undo(&crate::common::planner(&e), &meta(18)).unwrap();
    e.plan_apply(
        &crate::common::planner(&e),
        &Edit::InsertVertex { at: at(2.5, 1.0) },
        &meta(18),
    )
    .unwrap();
    assert_eq!(
        e.plan_redo(&crate::common::planner(&e), &meta(18))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    let log = e.plan_log(10).unwrap();
    assert_eq!(log[1].state, EditState::Discarded);
}

#[test]
fn undo_is_refused_when_a_row_changed_outside_planning() {
    let f = build();
    let g = cell_code(3, 3);
    f.engine
        .plan_apply(
            &crate::common::planner(&f.engine),
            &Edit::Merge {
                grids: vec![g, cell_code(3, 2)],
                attributes_from: None,
            },
            &meta(19),
        )
        .unwrap();
    drop(f.engine);
    {
        let c = rusqlite::Connection::open(&f.path).unwrap();
        c.execute(
            "UPDATE grid SET name = 'renamed by hand' WHERE end_date IS NULL AND code LIKE '331003001001%' AND code > '331003001001016'",
            [],
        )
        .unwrap();
    }
    let e = Engine::open(&f.path).unwrap();
    let before = active(&e, community(1));
    let err = e
        .plan_undo(&crate::common::planner(&e), &meta(20))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("changed outside"), "{err}");
    assert_eq!(active(&e, community(1)), before);
}

#[test]
fn the_patched_index_equals_a_fresh_load() {
    let f = build();
    let e = &f.engine;
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::Split {
            grid: cell_code(0, 1),
            line: vec![at(0.2, 0.9), at(0.7, 2.1)],
        },
        &meta(21),
    )
    .unwrap();
    // A reader holding the index meanwhile: this edit patches a copy, the others in place.
    let reader = e.loaded();
    let seen = reader.index.grids.clone();
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::InsertVertex { at: at(4.0, 2.5) },
        &meta(21),
    )
    .unwrap();
    assert_eq!(reader.index.grids, seen, "the reader's view is untouched");
    assert_ne!(e.loaded().index.grids, seen);
    drop(reader);
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::InsertVertex { at: at(0.0, 2.5) },
        &meta(21),
    )
    .unwrap();
    e.plan_apply(
        &crate::common::planner(e),
        &Edit::InsertVertex { at: at(5.5, 0.0) },
        &meta(21),
    )
    .unwrap();
    e.plan_undo(&crate::common::planner(e), &meta(22)).unwrap();
    let patched = e.loaded();
    let fresh = Engine::open(&f.path).unwrap();
    let fresh = fresh.loaded();
    assert_eq!(patched.index.grids, fresh.index.grids);
    assert_eq!(patched.index.communities, fresh.index.communities);
    assert_eq!(patched.index.streets, fresh.index.streets);
    assert_eq!(patched.index.components, fresh.index.components);
    assert_eq!(patched.index.cases, fresh.index.cases);
    assert_eq!(patched.index.duty_grids, fresh.index.duty_grids);
    assert_eq!(patched.index.grid_counts, fresh.index.grid_counts);
    assert_eq!(patched.index.uncounted_cases, fresh.index.uncounted_cases);
    for i in 0..patched.index.grids.len() {
        let p = patched.index.grid_label_points[i];
        assert_eq!(
            patched.index.grid_at(p.x(), p.y()),
            fresh.index.grid_at(p.x(), p.y())
        );
    }
}

#[test]
fn snapping_prefers_vertices_then_edges() {
    let f = build();
    let e = &f.engine;
    let c = v(2, 2);
    let hit = e.snap([c.x + 0.000_002, c.y], 1.0, None).unwrap();
    assert_eq!(hit.kind, SnapKind::Vertex);
    assert_eq!(hit.point, [c.x, c.y]);
    assert!(hit.distance_m > 0.1 && hit.distance_m < 0.3);
    let m = at(2.5, 2.0);
    let hit = e.snap([m[0], m[1] + 0.000_003], 1.0, None).unwrap();
    assert_eq!(hit.kind, SnapKind::Edge);
    assert_eq!(hit.layer, SnapLayer::Grid);
    assert!((hit.point[1] - m[1]).abs() < 1e-12);
    assert!(e.snap(at(2.5, 2.5), 1.0, None).is_none());
    let road = geo_types::LineString::from(vec![
        (at(2.5, 2.4)[0], at(2.5, 2.4)[1]),
        (at(2.6, 2.6)[0], at(2.6, 2.6)[1]),
    ]);
    let hit = griddesk::planning::snap(
        &e.loaded().index,
        at(2.5, 2.4),
        1.0,
        &[(SnapLayer::Road, road)],
    )
    .unwrap();
    assert_eq!(hit.layer, SnapLayer::Road);
}

#[test]
fn settings_bound_the_area_warning() {
    let f = build();
    let e = &f.engine;
    let mut s = e.plan_settings().unwrap();
    s.max_area_m2 = 15_000.0;
    e.set_plan_settings(&crate::common::planner(e), &s).unwrap();
    let p = e
        .plan_preview(&Edit::Merge {
            grids: vec![cell_code(0, 0), cell_code(0, 1)],
            attributes_from: None,
        })
        .unwrap();
    assert!(p.report.is_ok());
    assert!(p.report.problems.iter().any(|p| p.rule == Rule::AreaRange));
    drop(f.engine);
    let e = Engine::open(&f.path).unwrap();
    assert_eq!(e.plan_settings().unwrap().max_area_m2, 15_000.0);
}

#[test]
fn a_proposal_tiles_the_community_exactly_and_is_one_undoable_step() {
    let f = build();
    let e = &f.engine;
    let before = active(e, community(1));
    let opts = griddesk::planning::ProposalOptions {
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30),
        ..Default::default()
    };
    let p = e.propose_grids(&community(1).to_string(), &opts).unwrap();
    assert!(p.report.is_ok(), "{:?}", p.report);
    assert_eq!(p.change.retire.len(), 16);
    // ≈ 156 000 m² at 10 000 m² a grid.
    assert!((14..=18).contains(&p.grids.len()), "{}", p.grids.len());
    assert!(p.grids.iter().all(|g| g.code.sequence() > 16));
    assert!(p.proposed.area_cv < 0.35, "{:?}", p.proposed);
    assert_eq!(p.grids.iter().map(|g| g.components).sum::<usize>(), 16);
    assert_eq!(p.current.grids, 16);
    let a = e
        .plan_apply_change(
            &crate::common::planner(e),
            &p.change,
            &serde_json::to_value(&opts).unwrap(),
            &meta(23),
        )
        .unwrap();
    assert_eq!(a.edit.operation, "proposal");
    assert_tiles(e, community(1));
    assert!(
        errors(e).iter().all(|p| p.community == Some(community(3))),
        "{:?}",
        errors(e)
    );
    // Attributes and the duty grid come from the retired grids.
    let l = e.loaded();
    for g in &p.change.create {
        assert_eq!(
            l.index.grid(&g.code).unwrap().land_use.as_deref(),
            Some("居住")
        );
        assert!(l.index.duty_grid_of(&g.code).is_some());
        assert!(!g.predecessors.is_empty());
    }
    drop(l);
    e.plan_undo(&crate::common::planner(e), &meta(24)).unwrap();
    assert_eq!(active(e, community(1)), before);
}

#[test]
fn a_proposal_follows_road_lines() {
    let f = build();
    let e = &f.engine;
    let road = vec![at(-0.5, 2.3), at(2.0, 2.45), at(4.5, 2.3)];
    let opts = griddesk::planning::ProposalOptions {
        roads: vec![road.clone()],
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30),
        ..Default::default()
    };
    let p = e.propose_grids(&community(1).to_string(), &opts).unwrap();
    assert!(p.report.is_ok(), "{:?}", p.report);
    // The road meets the outline mid-edge on both sides: the outline gains those vertices, and
    // so does community 002 and its grid across the east edge.
    assert_eq!(
        p.change.communities.len(),
        2,
        "{:?}",
        p.change
            .communities
            .iter()
            .map(|c| c.code)
            .collect::<Vec<_>>()
    );
    assert_eq!(p.change.modify.len(), 1);
    let line = geo_types::MultiLineString::new(vec![geo_types::LineString::from(
        road.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>(),
    )]);
    for g in &p.change.create {
        // The stretch of road inside the grid (not on its edge) is nil.
        let inside = geo_types::MultiPolygon(vec![g.polygon.clone()]).clip(&line, false);
        let len: f64 = inside.0.iter().map(|l| geo::Haversine.length(l)).sum();
        assert!(len < 0.01, "grid {} straddles the road for {len} m", g.code);
    }
    e.plan_apply_change(
        &crate::common::planner(e),
        &p.change,
        &serde_json::to_value(&opts).unwrap(),
        &meta(25),
    )
    .unwrap();
    assert_tiles(e, community(1));
    assert_tiles(e, community(2));
    assert!(
        errors(e).iter().all(|p| p.community == Some(community(3))),
        "{:?}",
        errors(e)
    );
}

/// The engine itself refuses a grid edit by a signed-in user who is not a planner or an
/// administrator, and records the acting user as author whatever the caller's `EditMeta` says.
#[test]
fn grid_edits_are_refused_to_other_roles_by_the_engine() {
    let f = build();
    let e = &f.engine;
    let inspector =
        crate::common::user_with_role(e, "t-inspector", griddesk::users::Role::Inspector);
    let forged = EditMeta {
        author: "t-planner 规划员".into(),
        ..meta(1)
    };
    let edit = Edit::Merge {
        grids: vec![cell_code(0, 0), cell_code(1, 0)],
        attributes_from: None,
    };
    let err = e.plan_apply(&inspector, &edit, &forged).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted, "{err}");
    assert!(e.plan_log(5).unwrap().is_empty(), "nothing was written");
    let err = e.plan_undo(&inspector, &forged).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted, "{err}");
}
