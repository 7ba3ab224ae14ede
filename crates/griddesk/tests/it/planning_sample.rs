//! Grid planning on the shipped sample district (irregular, road-following grids): the district
//! passes the exact topology check, the generator's numbering is what renumbering gives, edits
//! on real grids keep the tiling, and the proposal balances workload when asked to.

use chrono::NaiveDate;
use geo::Centroid;
use griddesk::planning::{Edit, EditMeta, ProposalOptions};
use griddesk::validate::Severity;
use griddesk::Engine;
use std::path::{Path, PathBuf};

/// Edits stamped by a fixed clock, never by today's date.
fn edit_meta() -> EditMeta {
    EditMeta {
        at: NaiveDate::from_ymd_opt(2026, 11, 2).and_then(|d| d.and_hms_opt(9, 0, 0)),
        ..EditMeta::by("test")
    }
}

fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

fn seeded() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (e, fresh) =
        Engine::open_or_seed(&dir.path().join("s.sqlite"), &resources()).expect("seed");
    assert!(fresh);
    (dir, e)
}

fn errors(e: &Engine) -> Vec<griddesk::planning::Problem> {
    e.check_district()
        .expect("check")
        .problems
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect()
}

#[test]
fn sample_district_edits_numbering_and_proposal() {
    let (_dir, e) = seeded();
    assert!(errors(&e).is_empty(), "{:?}", errors(&e));
    let l = e.loaded();
    // The generator numbers west→east, north→south exactly as renumbering would.
    for c in l.index.communities.iter().take(5) {
        let p = e.renumber_preview(c.code.as_str()).expect("renumber");
        assert!(
            p.change.rename.is_empty(),
            "{}: {:?}",
            c.code,
            p.change.rename
        );
    }
    // The busiest community by cases.
    let mut load: std::collections::BTreeMap<_, usize> = Default::default();
    for c in &l.index.cases {
        if let Some(g) = c.grid {
            *load.entry(g.community()).or_default() += 1;
        }
    }
    let busiest = *load.iter().max_by_key(|x| x.1).expect("cases").0;
    // Split a grid of it through its centroid, then merge the halves back.
    let g = l
        .index
        .grids
        .iter()
        .find(|g| g.is_active() && g.code.community() == busiest)
        .expect("a grid")
        .clone();
    drop(l);
    let c = g.polygon.centroid().expect("centroid");
    let m = edit_meta();
    let split = e
        .plan_apply(
            &e.local_admin("test"),
            &Edit::Split {
                grid: g.code,
                line: vec![
                    [c.x() - 0.003, c.y() - 0.0005],
                    [c.x() + 0.003, c.y() + 0.0005],
                ],
            },
            &m,
        )
        .expect("split");
    let halves = split.edit.effect.created.clone();
    assert_eq!(halves.len(), 2);
    e.plan_apply(
        &e.local_admin("test"),
        &Edit::Merge {
            grids: halves,
            attributes_from: None,
        },
        &m,
    )
    .expect("merge");
    assert!(errors(&e).is_empty(), "{:?}", errors(&e));

    // Workload balance: weighting workload fully gives a more even workload than areas alone.
    let opts = |w: f64| ProposalOptions {
        workload_weight: Some(w),
        as_of: NaiveDate::from_ymd_opt(2026, 10, 31),
        ..Default::default()
    };
    let by_area = e
        .propose_grids(busiest.as_str(), &opts(0.0))
        .expect("propose");
    let by_load = e
        .propose_grids(busiest.as_str(), &opts(1.0))
        .expect("propose");
    assert!(by_area.report.is_ok(), "{:?}", by_area.report);
    assert!(by_load.report.is_ok(), "{:?}", by_load.report);
    assert!(
        by_load.proposed.workload_cv < by_area.proposed.workload_cv,
        "workload CV {} (weighted) vs {} (areas only)",
        by_load.proposed.workload_cv,
        by_area.proposed.workload_cv
    );
    assert!(by_area.proposed.area_cv < by_load.proposed.area_cv);
    // Equal areas when asked for areas; far more even workload than today's grids when asked
    // for workload.
    assert!(by_area.proposed.area_cv < 0.15, "{:?}", by_area.proposed);
    assert!(
        by_load.proposed.workload_cv < 0.5 * by_load.current.workload_cv,
        "{:?} vs current {:?}",
        by_load.proposed,
        by_load.current
    );
    let before = e.overview().grids;
    e.plan_apply_change(
        &e.local_admin("test"),
        &by_load.change,
        &serde_json::json!({"proposal": busiest}),
        &m,
    )
    .expect("accept");
    assert!(errors(&e).is_empty(), "{:?}", errors(&e));
    e.plan_undo(&e.local_admin("test"), &m).expect("undo");
    assert_eq!(e.overview().grids, before);
    assert!(errors(&e).is_empty(), "{:?}", errors(&e));
}

/// The zones of every layer answering at a point, as `layer → zone code`.
fn zones_at(e: &Engine, p: [f64; 2]) -> Vec<(String, Option<String>)> {
    e.who_is_here(None, p[0], p[1])
        .layers
        .into_iter()
        .map(|l| (l.layer, l.zone.map(|z| z.code)))
        .collect()
}

#[test]
fn zone_memberships_follow_a_split_and_its_undo() {
    let (_dir, e) = seeded();
    let l = e.loaded();
    // A grid that belongs to a zone in at least two layers.
    let (g, c) = l
        .index
        .grids
        .iter()
        .filter(|g| g.is_active())
        .find_map(|g| {
            let c = g.polygon.centroid()?;
            let z = zones_at(&e, [c.x(), c.y()]);
            (z.iter().filter(|(_, z)| z.is_some()).count() >= 2).then(|| (g.clone(), c))
        })
        .expect("a grid in two zone layers");
    drop(l);
    let before = zones_at(&e, [c.x(), c.y()]);
    let split = e
        .plan_apply(
            &e.local_admin("test"),
            &Edit::Split {
                grid: g.code,
                line: vec![
                    [c.x() - 0.003, c.y() - 0.0005],
                    [c.x() + 0.003, c.y() + 0.0005],
                ],
            },
            &edit_meta(),
        )
        .expect("split");
    assert_eq!(split.edit.effect.created.len(), 2);
    // Both halves answer with the old grid's zones, in every layer.
    for half in &split.edit.effect.created {
        let info = e.loaded().index.grid(half).expect("new grid").clone();
        let p = info.polygon.centroid().expect("centroid");
        let got = zones_at(&e, [p.x(), p.y()]);
        assert_eq!(got, before, "zones of {half}");
        assert_eq!(
            e.who_is_here(None, p.x(), p.y()).grid.map(|n| n.code),
            Some(half.to_string())
        );
    }
    // Undo puts the old grid back in its zones.
    e.plan_undo(&e.local_admin("test"), &edit_meta())
        .expect("undo");
    assert_eq!(zones_at(&e, [c.x(), c.y()]), before);
    assert_eq!(
        e.who_is_here(None, c.x(), c.y()).grid.map(|n| n.code),
        Some(g.code.to_string())
    );
}
