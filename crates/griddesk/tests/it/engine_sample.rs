//! The shipped sample district through the engine facade, as the app uses it on first start.

use griddesk::io::{Dataset, ImportOptions};
use griddesk::{Engine, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

struct Seeded {
    _dir: tempfile::TempDir,
    engine: Engine,
}

fn seeded() -> &'static Seeded {
    static S: OnceLock<Seeded> = OnceLock::new();
    S.get_or_init(|| {
        let dir = crate::common::shared_dir("engine-sample");
        let (engine, fresh) =
            Engine::open_or_seed(&dir.path().join("griddesk.sqlite"), &resources()).expect("seed");
        assert!(fresh, "a new store must be seeded");
        Seeded { _dir: dir, engine }
    })
}

#[test]
fn first_start_loads_the_sample_district() {
    let o = seeded().engine.overview();
    assert_eq!(o.district_code.as_deref(), Some("331003"));
    assert_eq!(o.district_name.as_deref(), Some("黄岩区"));
    assert!((6..=8).contains(&o.streets), "{o:?}");
    assert!((35..=45).contains(&o.communities), "{o:?}");
    assert!((1400..=1600).contains(&o.grids), "{o:?}");
    assert!(o.components >= 18_000 && o.cases >= 22_000, "{o:?}");
    assert!(o.sample);
    let b = o.bbox.expect("bbox");
    assert!(
        b[0] < 121.26 && b[2] > 121.26 && b[1] < 28.64 && b[3] > 28.64,
        "{b:?}"
    );
    // Reopening does not seed again.
    let path = seeded().engine.path().to_path_buf();
    let (again, fresh) = Engine::open_or_seed(&path, &resources()).expect("reopen");
    assert!(!fresh);
    assert_eq!(again.overview().grids, o.grids);
}

#[test]
fn every_grid_is_found_at_its_label_point_and_described() {
    let e = &seeded().engine;
    let l = e.loaded();
    for (i, g) in l.index.grids.iter().enumerate().step_by(37) {
        let p = l.index.grid_label_points[i];
        assert_eq!(e.grid_at(p.x(), p.y()), Some(g.code));
        let info = e.grid_info(g.code.as_str()).expect("info");
        assert_eq!(info.code, g.code.as_str());
        assert_eq!(info.seq.len(), 3);
        assert!(
            info.community_name.is_some() && info.street_name.is_some(),
            "{info:?}"
        );
        assert!((5_000.0..=20_000.0).contains(&info.area_m2), "{info:?}");
        assert!(
            info.duty_grid.is_some(),
            "every sample grid has an inspector: {info:?}"
        );
    }
    assert_eq!(
        e.grid_info("331003999999001").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        e.grid_info("12x").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn grid_counts_match_the_records() {
    let e = &seeded().engine;
    let l = e.loaded();
    let g = &l.index.grids[l.index.grids.len() / 2];
    let info = e.grid_info(g.code.as_str()).expect("info");
    let comps = l
        .index
        .components
        .iter()
        .filter(|c| c.grid == Some(g.code))
        .count();
    let cases = l
        .index
        .cases
        .iter()
        .filter(|c| c.grid == Some(g.code))
        .count();
    assert_eq!((info.components, info.cases), (comps, cases));
    let total: usize = e.stats().streets.iter().map(|s| s.cases).sum();
    assert_eq!(total + e.stats().unlocated_cases, e.overview().cases);
}

#[test]
fn search_finds_grids_components_and_communities() {
    let e = &seeded().engine;
    let l = e.loaded();
    let g = &l.index.grids[100];
    let hits = e.search(g.code.as_str(), 5);
    assert_eq!(
        hits.first().map(|h| (h.kind, h.code.as_str())),
        Some(("grid", g.code.as_str()))
    );
    let partial = &g.code.as_str()[..13];
    assert!(e
        .search(partial, 50)
        .iter()
        .any(|h| h.code == g.code.as_str()));
    let c = &l.index.components[5];
    assert_eq!(
        e.search(c.code.as_str(), 3).first().map(|h| h.kind),
        Some("component")
    );
    let comm = &l.index.communities[3];
    let hits = e.search(&comm.name, 5);
    assert!(
        hits.iter()
            .any(|h| h.kind == "community" && h.code == comm.code.as_str()),
        "{hits:?}"
    );
    assert!(e.search("   ", 5).is_empty());
}

#[test]
fn tiles_cover_the_district_and_bad_addresses_fail() {
    let e = &seeded().engine;
    let l = e.loaded();
    let p = l.index.grid_label_points[0];
    let n = 2f64.powi(14);
    let x = ((p.x() + 180.0) / 360.0 * n) as u32;
    let lat = p.y().to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
    let t = e.tile(14, x, y).expect("tile");
    assert!(
        t.len() > 1000,
        "a z14 tile over the core holds grids: {} bytes",
        t.len()
    );
    assert_eq!(e.tile(3, 8, 0).unwrap_err().kind(), ErrorKind::BadTile);
    assert_eq!(e.tile(40, 0, 0).unwrap_err().kind(), ErrorKind::BadTile);
}

#[test]
fn sample_grids_are_topologically_valid() {
    let findings = seeded().engine.validate(&Default::default());
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == griddesk::validate::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn export_then_import_into_a_fresh_store_round_trips() {
    let e = &seeded().engine;
    let dir = tempfile::tempdir().expect("dir");
    let tables =
        griddesk::codetable::CodeTables::load_dir(&resources().join("codes")).expect("tables");
    let fresh = Engine::create(&dir.path().join("copy.sqlite"), &tables).expect("create");
    let fresh_by = crate::common::admin(&fresh);
    fresh
        .import_district(
            &fresh_by,
            &resources().join("geo/taizhou_districts.geojson"),
            "331003",
        )
        .expect("district");
    for (ds, name) in [
        (Dataset::Streets, "s.geojson"),
        (Dataset::Communities, "c.geojson"),
        (Dataset::Grids, "g.geojson"),
        (Dataset::DutyGrids, "d.csv"),
        (Dataset::Components, "k.csv"),
        (Dataset::Cases, "cases.geojson"),
    ] {
        let p = dir.path().join(name);
        let n = e.export(&p, ds).expect("export");
        let r = fresh
            .import(&fresh_by, &p, ds, ImportOptions::default())
            .expect("import");
        assert_eq!(r.imported, n, "{ds}");
    }
    let (a, b) = (e.loaded(), fresh.loaded());
    assert_eq!(a.index.grids, b.index.grids);
    assert_eq!(a.index.components, b.index.components);
    assert_eq!(a.index.cases, b.index.cases);
    assert_eq!(e.stats(), fresh.stats());
}

#[test]
fn shipped_sample_is_the_generators_output() {
    // resources/sample must be reproducible: regenerate with the default seed and compare files.
    let s = griddesk::sample::generate(&griddesk::sample::SampleParams {
        codes_dir: Some(resources().join("codes")),
        ..griddesk::sample::SampleParams::huangyan()
    })
    .expect("generate");
    let shipped = seeded().engine.loaded();
    assert_eq!(s.grids.len(), shipped.index.grids.len());
    for (a, b) in s.grids.iter().zip(&shipped.index.grids) {
        assert_eq!(a.code, b.code);
        assert_eq!(
            a.polygon, b.polygon,
            "grid {} differs from the shipped file",
            a.code
        );
    }
    assert_eq!(s.cases.len(), shipped.index.cases.len());
}

#[test]
fn shipped_sample_zones_are_the_generators_output_and_cover_the_district() {
    let s = griddesk::sample::generate(&griddesk::sample::SampleParams {
        codes_dir: Some(resources().join("codes")),
        ..griddesk::sample::SampleParams::huangyan()
    })
    .expect("generate");
    let e = &seeded().engine;
    let z = e.zones();
    assert_eq!(z.data.units, {
        let mut u = s.zones.units.clone();
        u.sort_by(|a, b| a.code.cmp(&b.code));
        u
    });
    assert_eq!(z.data.people, {
        let mut p = s.zones.people.clone();
        p.sort_by(|a, b| a.id.cmp(&b.id));
        p
    });
    for want in &s.zones.zones {
        let i = z
            .zone_index(&want.layer, &want.code)
            .unwrap_or_else(|| panic!("zone {}/{} not loaded", want.layer, want.code));
        let got = &z.data.zones[i];
        assert_eq!(
            (&got.name, &got.unit, &got.people),
            (&want.name, &want.unit, &want.people)
        );
        assert_eq!(got.grids, want.grids, "{}/{}", want.layer, want.code);
    }
    assert_eq!(z.data.roads.len(), s.zones.roads.len());
    for (a, b) in z.data.roads.iter().zip(&s.zones.roads) {
        assert_eq!(
            (&a.code, &a.name, a.class, &a.chief),
            (&b.code, &b.name, b.class, &b.chief)
        );
        assert_eq!(
            a.line, b.line,
            "road line {} differs from the shipped file",
            a.code
        );
    }
    // Two networks over the same grids: every grid has a zone in every layer, and the
    // enforcement grids differ from the duty grids.
    let layers = e.zone_layers();
    assert_eq!(layers.len(), 4);
    assert!(layers.iter().all(|l| l.unassigned_grids == 0), "{layers:?}");
    let l = e.loaded();
    for i in (0..l.index.grids.len()).step_by(53) {
        let p = l.index.grid_label_points[i];
        let here = e.who_is_here(None, p.x(), p.y());
        assert_eq!(here.layers.len(), 4);
        for a in &here.layers {
            let zone = a.zone.as_ref().expect("every layer answers");
            assert!(!zone.people.is_empty() && zone.unit.is_some(), "{zone:?}");
        }
        for r in &here.roads {
            assert!(r.distance_m <= griddesk::zones::ROAD_SEARCH_M);
        }
    }
    // On a road line, the line and its chief answer.
    for road in z.data.roads.iter().step_by(7) {
        let (a, b) = (road.line.0[0], road.line.0[1]);
        let here = e.who_is_here(None, (a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        let found = here
            .roads
            .iter()
            .find(|r| r.code == road.code)
            .unwrap_or_else(|| panic!("{} not found on itself", road.code));
        assert!(found.distance_m < 0.01);
        assert_eq!(
            found.chief.as_ref().and_then(|c| c.id.as_ref()),
            road.chief.as_ref()
        );
    }
    let duty = e.zones_in_layer(None, "duty").expect("duty");
    let enf = e.zones_in_layer(None, "enforcement").expect("enforcement");
    assert!(enf.len() < duty.len() && enf.len() >= 15, "{}", enf.len());
}

#[test]
fn shipped_case_loop_seed_is_the_generators_output() {
    let s = griddesk::sample::generate(&griddesk::sample::SampleParams {
        codes_dir: Some(resources().join("codes")),
        ..griddesk::sample::SampleParams::huangyan()
    })
    .expect("generate");
    let shipped =
        std::fs::read_to_string(resources().join("sample/case_loop.json")).expect("case_loop.json");
    assert_eq!(
        shipped,
        griddesk::sample::caseloop::seed_json(&s.case_loop).unwrap(),
        "resources/sample/case_loop.json is stale: regenerate the sample"
    );
}

#[test]
fn sample_demo_accounts_sign_in_and_see_their_queues() {
    use griddesk::sample::caseloop::DEMO_ACCOUNTS;
    let e = &seeded().engine;
    let now = griddesk::store::parse_datetime("2026-10-31 17:00:00").unwrap();
    for (login, password, role) in DEMO_ACCOUNTS {
        let s = e
            .sign_in(login, password, *role)
            .unwrap_or_else(|err| panic!("{login}: {err}"));
        let q = e.queue(&s, now).unwrap();
        // Administrators and planners have no case queue.
        if !matches!(
            role,
            griddesk::users::Role::Admin | griddesk::users::Role::Planner
        ) {
            assert!(!q.is_empty(), "{login} has an empty queue");
        }
    }
    // Other staff accounts exist but have no password yet.
    let users = e.users().unwrap();
    assert!(users.len() > DEMO_ACCOUNTS.len());
    assert!(e
        .sign_in("receptionist.2", "", griddesk::users::Role::Receptionist)
        .is_err());
}

#[test]
fn sample_histories_follow_the_rules_and_carry_evaluation_data() {
    use griddesk::model::CaseStatus;
    use griddesk::workflow::machine::{roles_for, statuses_for, target, ActionKind};
    let e = &seeded().engine;
    let conn = rusqlite::Connection::open(e.path()).unwrap();
    // Every sample case has a workflow record and a timeline ending in its status.
    let missing: i64 = conn
        .query_row("SELECT count(*) FROM cases c LEFT JOIN case_flow f ON f.case_id = c.id WHERE f.case_id IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(missing, 0);
    let mut st = conn
        .prepare("SELECT a.case_id, a.role, a.action, a.from_status, a.to_status, c.status FROM case_audit a JOIN cases c ON c.id = a.case_id ORDER BY a.case_id, a.seq")
        .unwrap();
    let mut rows = st.query([]).unwrap();
    let mut last: Option<(String, String, String)> = None;
    let mut checked = 0;
    let check_end = |l: &Option<(String, String, String)>| {
        if let Some((id, to, status)) = l {
            assert_eq!(
                to, status,
                "case {id}: the timeline ends in {to}, the case is {status}"
            );
        }
    };
    while let Some(r) = rows.next().unwrap() {
        let id: String = r.get(0).unwrap();
        let role: String = r.get(1).unwrap();
        let action: String = r.get(2).unwrap();
        let from: Option<String> = r.get(3).unwrap();
        let to: String = r.get(4).unwrap();
        let status: String = r.get(5).unwrap();
        if last.as_ref().is_some_and(|l| l.0 != id) {
            check_end(&last);
        }
        let kind = ActionKind::parse(&action).unwrap();
        let role = griddesk::users::Role::parse(&role).unwrap();
        assert!(
            roles_for(kind).contains(&role),
            "case {id}: {action} by {role:?}"
        );
        if let Some(from) = from {
            let from = CaseStatus::parse(&from).unwrap();
            assert!(
                statuses_for(kind).contains(&from),
                "case {id}: {action} from {from:?}"
            );
            assert_eq!(target(kind, from).key(), to, "case {id}: {action}");
            assert_eq!(
                last.as_ref().map(|l| l.1.as_str()),
                Some(from.key()),
                "case {id}: chain"
            );
        }
        last = Some((id, to, status));
        checked += 1;
    }
    check_end(&last);
    assert!(checked > 100_000, "{checked} audit entries");
    // Most handling runs end on time, some late; reworks, extensions, hang-ups, returns and
    // supervision all occur; open cases sit in every open state.
    let (runs, on_time): (i64, i64) = conn
        .query_row("SELECT count(*), sum(on_time) FROM case_stage WHERE stage = 'handle' AND ended_at IS NOT NULL", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let share = on_time as f64 / runs as f64;
    assert!(
        (0.8..0.97).contains(&share),
        "on-time handling share {share}"
    );
    for col in [
        "rework_count",
        "extension_count",
        "hangup_count",
        "return_count",
        "supervised",
    ] {
        let n: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM case_flow WHERE {col} > 0"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(n > 20, "{col}: {n}");
    }
    let o = e.overview();
    let now = griddesk::store::parse_datetime("2026-10-31 12:00:00").unwrap();
    let clocks = e.case_clocks(now).unwrap();
    assert_eq!(clocks.len(), o.open_cases);
    for s in CaseStatus::ALL.iter().filter(|s| !s.is_terminal()) {
        assert!(
            clocks.iter().any(|c| c.status == *s),
            "no open sample case is {s:?}"
        );
    }
    assert!(clocks.iter().any(|c| c.clock.is_some_and(|k| k.overdue)));
    assert!(clocks
        .iter()
        .any(|c| c.clock.is_some_and(|k| !k.overdue && !k.stopped)));
    // The repeat finder finds recurring problems in the sample.
    let places = e.find_repeats(&Default::default());
    assert!(!places.is_empty());
    assert!(places.windows(2).all(|w| w[0].count >= w[1].count));
    assert!(places.iter().all(|p| p.count >= 3));
}

#[test]
fn the_sample_has_its_street_registers() {
    use griddesk::street::registers::{Colour, ObjectQuery};
    let e = &seeded().engine;
    let admin = e.local_admin("test");
    let o = e.register_overview(&admin).expect("overview");
    assert!(o.objects > 1_500, "{} objects", o.objects);
    assert!(o.with_frontage > 800, "{} frontages", o.with_frontage);
    assert_eq!(o.zones, 2);
    assert!(o.vendors >= 30 && o.notices == 2, "{o:?}");
    // Every object lies in a grid of the sample, and the shops line the streets.
    let all = e
        .search_objects(
            &admin,
            &ObjectQuery {
                limit: Some(5000),
                ..Default::default()
            },
        )
        .expect("search");
    assert_eq!(all.total, o.objects);
    let in_grid = all.rows.iter().filter(|r| r.grid.is_some()).count();
    assert!(
        in_grid * 100 >= all.total * 95,
        "{in_grid} of {} in a grid",
        all.total
    );
    let colours: Vec<Colour> = e
        .vendors(&admin, "")
        .expect("vendors")
        .iter()
        .map(|v| v.colour)
        .collect();
    for c in [Colour::Yellow, Colour::Green, Colour::Red] {
        assert!(colours.contains(&c), "{c:?} among {colours:?}");
    }
    let y = e.move_car_year(&admin, 2026).expect("move-car");
    assert!(
        y.total.reminders > 400 && y.total.moved_rate > 0.5,
        "{:?}",
        y.total
    );
    assert!(e
        .vending_zones(&admin)
        .expect("zones")
        .iter()
        .all(|z| !z.admissions.is_empty()));
}
