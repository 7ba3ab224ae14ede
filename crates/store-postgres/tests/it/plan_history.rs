//! A district's grid edits and their history in the centre (`PlanHistory`, `HistoryRows`),
//! the same calls on a station's SQLite store holding the same district: the same change-sets
//! applied (a split, then a merge of its halves), the same snapshots byte for byte, the same
//! log, grid history, grids as of a date, undo and redo, the same refusals; and a district's
//! view that never reads or changes another district's grids or edits.

use crate::common;

use chrono::{NaiveDate, NaiveDateTime};
use griddesk_core::code::{DistrictCode, GridCode};
use griddesk_core::model::Grid;
use griddesk_core::ErrorKind;
use griddesk_planning::planning::build_change;
use griddesk_planning::planning::change::{ChangeSet, Edit};
use griddesk_planning::planning::history::{
    EditMeta, EditState, EditSummary, GridHistory, HistoryRows, PlanHistory, Written,
};
use griddesk_planning::planning::relocate::relocate;
use griddesk_planning::planning::settings::PlanSettings;
use griddesk_sample::{generate, SampleDistrict, SampleParams};
use griddesk_spatial::index::SpatialIndex;
use griddesk_store::{AuditStore, ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

fn at(day: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, day)
        .and_then(|x| x.and_hms_opt(hour, 0, 0))
        .expect("a time")
}

fn meta(day: u32, hour: u32, note: &str) -> EditMeta {
    EditMeta {
        author: "planner 规划员".into(),
        note: Some(note.into()),
        at: Some(at(day, hour)),
    }
}

/// A split of the first grid a horizontal line through its middle cuts in two.
fn split(idx: &SpatialIndex, grids: &[Grid]) -> (Edit, ChangeSet) {
    for g in grids {
        let pts = &g.polygon.exterior().0;
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in pts {
            (x0, x1, y0, y1) = (x0.min(p.x), x1.max(p.x), y0.min(p.y), y1.max(p.y));
        }
        let y = (y0 + y1) / 2.0;
        let edit = Edit::Split {
            grid: g.code,
            line: vec![[x0 - 1e-4, y], [x1 + 1e-4, y]],
        };
        if let Ok(cs) = build_change(idx, &edit, &PlanSettings::default()) {
            if cs.create.len() == 2 {
                return (edit, cs);
            }
        }
    }
    panic!("no grid of the sample splits in two");
}

/// The summary without the store's own edit number.
fn summary(s: EditSummary) -> EditSummary {
    EditSummary { id: 0, ..s }
}

fn written(
    w: Written,
) -> (
    EditSummary,
    Vec<griddesk_planning::planning::history::RowSnap>,
) {
    (summary(w.summary), w.rows)
}

fn history(h: GridHistory) -> GridHistory {
    GridHistory {
        lineage: h
            .lineage
            .into_iter()
            .map(|l| griddesk_planning::planning::history::LineageLink { edit: 0, ..l })
            .collect(),
        edits: h
            .edits
            .into_iter()
            .map(|e| griddesk_planning::planning::history::HistoryEntry {
                edit: summary(e.edit),
                ..e
            })
            .collect(),
        ..h
    }
}

fn log(p: &dyn PlanHistory) -> Vec<EditSummary> {
    p.log(50)
        .expect("the log")
        .into_iter()
        .map(summary)
        .collect()
}

fn setup(
    database: &str,
) -> (
    std::sync::Arc<common::Cluster>,
    SampleDistrict,
    griddesk_store_sqlite::Store,
    Centre,
) {
    let cluster = common::cluster();
    let url = cluster.fresh_database(database, true);
    let mut centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(60, 40)).expect("a district");
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    common::write_district(&mut station, &d);
    common::write_district(&mut centre, &d);
    (cluster, d, station, centre)
}

fn index(station: &griddesk_store_sqlite::Store) -> SpatialIndex {
    SpatialIndex::build(station.load().expect("the station's snapshot"))
}

/// The district's grids as the centre holds them.
fn centre_grids(centre: &Centre, d: DistrictCode) -> Vec<Grid> {
    let mut s = centre.load(Some(&d)).expect("the centre's snapshot");
    assert_eq!(s.len(), 1);
    let mut g = s.remove(0).grids;
    g.sort_by_key(|g| g.code);
    g
}

fn station_grids(station: &griddesk_store_sqlite::Store) -> Vec<Grid> {
    let mut g = station.load().expect("snapshot").grids;
    g.sort_by_key(|g| g.code);
    g
}

#[test]
fn grid_edits_apply_undo_and_redo_as_at_the_station() {
    let (_cluster, d, mut station, centre) = setup("t_plan_history");
    let dc = d.district.code;
    let original = station_grids(&station);
    assert_eq!(centre_grids(&centre, dc), original);

    // A split.
    let idx = index(&station);
    let (edit, cs) = split(&idx, &d.grids);
    let rel = relocate(&idx, &cs);
    let params = serde_json::to_value(&edit).expect("the request");
    let m1 = meta(7, 10, "拆分");
    let l = PlanHistory::apply(&mut station, &idx, &cs, &rel, &params, &m1).expect("station");
    let mut view = centre.district(dc);
    let r = view.apply(&idx, &cs, &rel, &params, &m1).expect("centre");
    let (halves, split_of) = (
        cs.create.iter().map(|g| g.code).collect::<Vec<_>>(),
        cs.retire[0].code,
    );
    let (l, r) = (written(l), written(r));
    assert_eq!(
        r, l,
        "the same edit and the same rows, geometry byte for byte"
    );
    assert!(r.1.iter().any(|s| s.kind == "grid" && s.geom.is_some()));
    assert_eq!(centre_grids(&centre, dc), station_grids(&station));

    // The same change-set again: the grid it splits is retired now, on both sides.
    let e1 = PlanHistory::apply(&mut station, &idx, &cs, &rel, &params, &m1)
        .expect_err("stale at the station");
    let e2 = view
        .apply(&idx, &cs, &rel, &params, &m1)
        .expect_err("stale in the centre");
    assert_eq!(
        (e1.kind(), e2.kind()),
        (ErrorKind::Conflict, ErrorKind::Conflict)
    );
    assert_eq!(e2.to_string(), e1.to_string());

    // A merge of the two halves, on the index as it is now.
    let idx = index(&station);
    let merge = Edit::Merge {
        grids: halves.clone(),
        attributes_from: None,
    };
    let cs = build_change(&idx, &merge, &PlanSettings::default()).expect("a merge");
    let rel = relocate(&idx, &cs);
    let params = serde_json::to_value(&merge).expect("the request");
    let m2 = meta(8, 9, "合并");
    let l = PlanHistory::apply(&mut station, &idx, &cs, &rel, &params, &m2).expect("station");
    let r = view.apply(&idx, &cs, &rel, &params, &m2).expect("centre");
    assert_eq!(written(r), written(l));
    let merged = cs.create[0].code;
    assert_eq!(centre_grids(&centre, dc), station_grids(&station));

    // The log, a grid's history (its whole lineage), the grids as of a date.
    let logged = log(&view);
    assert_eq!(logged, log(&station));
    assert_eq!(logged.len(), 2);
    assert_eq!(logged[0].note.as_deref(), Some("合并"));
    for code in [split_of, halves[0], merged] {
        let h = history(view.grid_history(code).expect("history"));
        assert_eq!(
            h,
            history(PlanHistory::grid_history(&station, code).expect("history"))
        );
        assert_eq!(h.edits.len(), 2, "{code}");
    }
    let now = station_grids(&station);
    for day in [6, 7, 8] {
        let date = NaiveDate::from_ymd_opt(2026, 12, day).expect("a day");
        let a = view.grids_as_of(&now, date).expect("as of");
        assert_eq!(
            a,
            PlanHistory::grids_as_of(&station, &now, date).expect("as of"),
            "{date}"
        );
        if day == 6 {
            assert_eq!(
                a.len(),
                original.iter().filter(|g| g.end_date.is_none()).count()
            );
        }
    }

    // The snapshot rows the undo restores, read on both sides.
    let newest = view.log(1).expect("log")[0].id;
    let station_newest = PlanHistory::log(&station, 1).expect("log")[0].id;
    let before = view.snapshots(newest, "before").expect("rows");
    assert_eq!(
        before,
        station
            .db()
            .snapshots(station_newest, "before")
            .expect("rows")
    );
    assert!(!before.is_empty());
    let g = before
        .iter()
        .find(|s| s.kind == "grid")
        .expect("a grid row");
    assert_eq!(
        view.read_row("grid", &g.key).expect("now"),
        station.db().read_row("grid", &g.key).expect("now")
    );
    assert_eq!(
        summary(view.edit_summary(newest).expect("summary")),
        summary(station.db().edit_summary(station_newest).expect("summary"))
    );

    // Undo both, redo one, undo with nothing left, redo with nothing left.
    let m3 = meta(9, 9, "");
    for (undo, ok) in [(true, true), (true, true), (true, false), (false, true)] {
        let l = PlanHistory::undo_redo(&mut station, undo, &m3);
        let r = view.undo_redo(undo, &m3);
        match (l, r) {
            (Ok(l), Ok(r)) if ok => assert_eq!(written(r), written(l)),
            (Err(l), Err(r)) if !ok => {
                assert_eq!(r.kind(), l.kind());
                assert_eq!(r.to_string(), l.to_string());
            }
            (l, r) => panic!("undo {undo}: station {l:?}, centre {r:?}"),
        }
        assert_eq!(centre_grids(&centre, dc), station_grids(&station));
    }
    assert_eq!(log(&view), log(&station));
    assert_eq!(
        log(&view).iter().map(|s| s.state).collect::<Vec<_>>(),
        vec![EditState::Undone, EditState::Applied]
    );
    // A new edit discards what is left to redo.
    let idx = index(&station);
    let (edit, cs) = split(&idx, &d.grids[5..]);
    let rel = relocate(&idx, &cs);
    let params = serde_json::to_value(&edit).expect("the request");
    let m4 = meta(10, 9, "再拆分");
    let l = PlanHistory::apply(&mut station, &idx, &cs, &rel, &params, &m4).expect("station");
    let r = view.apply(&idx, &cs, &rel, &params, &m4).expect("centre");
    assert_eq!(written(r), written(l));
    assert_eq!(log(&view), log(&station));
    assert!(log(&view).iter().any(|s| s.state == EditState::Discarded));
    let e1 = PlanHistory::undo_redo(&mut station, false, &m4).expect_err("nothing to redo");
    let e2 = view.undo_redo(false, &m4).expect_err("nothing to redo");
    assert_eq!(e2.to_string(), e1.to_string());
    assert_eq!(centre_grids(&centre, dc), station_grids(&station));

    // Every edit and event is sealed in the district's chain; the edit's state is not sealed,
    // so undo and redo leave the chain whole.
    let check = view.check_audit().expect("check");
    assert!(check.ok(), "{check:?}");
    assert!(check.seals >= 6, "{check:?}");
}

#[test]
fn a_district_view_never_reads_or_changes_another_districts_grids_or_edits() {
    let (_cluster, d, station, mut centre) = setup("t_plan_history_districts");
    let (a, b) = (
        d.district.code,
        DistrictCode::parse("331004").expect("a district code"),
    );
    let mut other = d.district.clone();
    other.code = b;
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&other))
        .expect("district B");

    // A's edit.
    let idx = index(&station);
    let (edit, cs) = split(&idx, &d.grids);
    let rel = relocate(&idx, &cs);
    let params = serde_json::to_value(&edit).expect("the request");
    let mut va = centre.district(a);
    let done = va
        .apply(&idx, &cs, &rel, &params, &meta(7, 10, "A"))
        .expect("A's edit");
    let a_grids = centre_grids(&centre, a);
    let a_log = va.log(10).expect("A's log");
    let code: GridCode = cs.retire[0].code;

    // B sees none of it.
    let mut vb = centre.district(b);
    assert!(vb.log(10).expect("B's log").is_empty());
    assert!(vb.grid_history(code).expect("nothing").edits.is_empty());
    assert!(vb
        .snapshots(done.summary.id, "after")
        .expect("nothing")
        .is_empty());
    assert_eq!(
        vb.edit_summary(done.summary.id)
            .expect_err("not B's edit")
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(vb.read_row("grid", code.as_str()).expect("none").data, None);
    let before_day = NaiveDate::from_ymd_opt(2026, 12, 6).expect("a day");
    assert_eq!(
        vb.grids_as_of(&a_grids, before_day).expect("B's replay"),
        {
            let mut g: Vec<Grid> = a_grids
                .iter()
                .filter(|g| g.start_date <= before_day && g.end_date.is_none_or(|e| e > before_day))
                .cloned()
                .collect();
            g.sort_by_key(|g| g.code);
            g
        },
        "B replays none of A's edits"
    );
    assert_ne!(
        va.grids_as_of(&a_grids, before_day).expect("A's replay"),
        vb.grids_as_of(&a_grids, before_day).expect("B's replay")
    );
    // B can neither undo A's edit, nor apply A's change-set, nor restore A's rows.
    let e = vb
        .undo_redo(true, &meta(9, 9, "B"))
        .expect_err("nothing to undo in B");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let e = vb
        .apply(&idx, &cs, &rel, &params, &meta(9, 9, "B"))
        .expect_err("A's grids are not B's");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let row = va.read_row("grid", code.as_str()).expect("A's row");
    assert!(
        vb.write_row(&row).is_err(),
        "a grid of A cannot be made in B"
    );
    assert_eq!(centre_grids(&centre, a), a_grids);
    assert_eq!(va.log(10).expect("A's log"), a_log);

    // B's station role, through A's view, finds nothing and changes nothing.
    let creds = centre.add_station(&b, None).expect("station B");
    let st = Centre::open(&creds.url()).expect("station B logs in");
    let mut theirs = st.district(a);
    assert!(theirs.log(10).expect("nothing").is_empty());
    assert_eq!(
        theirs.read_row("grid", code.as_str()).expect("none").data,
        None
    );
    assert!(theirs.undo_redo(true, &meta(9, 9, "x")).is_err());
    assert!(theirs
        .apply(&idx, &cs, &rel, &params, &meta(9, 9, "x"))
        .is_err());
    assert!(theirs.write_row(&row).is_err());
    assert_eq!(centre_grids(&centre, a), a_grids);
    assert_eq!(va.log(10).expect("A's log"), a_log);
    // A's edit undoes in A.
    va.undo_redo(true, &meta(9, 9, "A")).expect("A undoes");
    assert_eq!(
        centre_grids(&centre, a),
        {
            let mut g = station_grids(&station);
            g.sort_by_key(|g| g.code);
            g
        },
        "undone, A holds what the station holds"
    );
    assert!(va.check_audit().expect("A's chain").ok());
}
