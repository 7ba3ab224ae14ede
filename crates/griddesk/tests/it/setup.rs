//! A real district's first day through the engine: a store created for a district from the
//! bundled outlines with its first administrator, the checklist step by step, the sample's
//! streets and communities imported, grids proposed for every community and accepted as one
//! undoable edit, a department with its classes.

use griddesk::code::GridCode;
use griddesk::io::{Dataset, ImportOptions};
use griddesk::planning::history::EditMeta;
use griddesk::planning::propose::ProposalOptions;
use griddesk::setup::{NewDistrict, OutlineSource, SetupStatus, SetupStepKey};
use griddesk::users::{Department, NewUser, Role};
use griddesk::{Engine, ErrorKind};
use std::path::PathBuf;

fn resources() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

fn new_district(code: &str) -> NewDistrict {
    NewDistrict {
        code: code.into(),
        outline: OutlineSource::Bundled,
        admin: NewUser {
            login: "chief".into(),
            name: "王主任".into(),
            password: "first-day-2026".into(),
            // Whatever the dialog sends, the first user is an administrator.
            roles: vec![Role::Inspector],
            department: None,
        },
    }
}

/// A day in the year of the shipped calendar.
fn day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")
}

fn done(s: &SetupStatus, k: SetupStepKey) -> bool {
    s.steps.iter().find(|x| x.key == k).is_some_and(|x| x.done)
}

#[test]
fn a_district_is_set_up_from_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huangyan.sqlite");
    let (e, admin) =
        Engine::create_district(&path, &resources(), &new_district("331003")).expect("create");
    assert!(path.exists(), "the store is in place");
    assert!(
        !dir.path().join("huangyan.sqlite.seeding").exists(),
        "no temporary store left"
    );
    assert_eq!(admin.role, Role::Admin);
    assert!(!e.needs_first_admin().expect("users"));
    assert!(
        e.demo_accounts().expect("demo").is_empty(),
        "no demo accounts in a real store"
    );
    let o = e.overview();
    assert_eq!(o.district_code.as_deref(), Some("331003"));
    assert_eq!(o.district_name.as_deref(), Some("黄岩区"));
    assert_eq!((o.streets, o.communities, o.grids), (0, 0, 0));
    assert!(!o.sample);

    let s = e.setup_status_on(day()).expect("status");
    assert!(done(&s, SetupStepKey::District));
    assert!(
        done(&s, SetupStepKey::Calendar),
        "the national calendar and limits are preloaded"
    );
    for k in [
        SetupStepKey::Streets,
        SetupStepKey::Communities,
        SetupStepKey::Grids,
        SetupStepKey::DutyGrids,
        SetupStepKey::Departments,
        SetupStepKey::Components,
    ] {
        assert!(!done(&s, k), "{k:?} is not done in an empty store");
    }
    assert!(!s.done && !s.sample);

    // Streets and communities (the sample's, which lie in Huangyan).
    let sample = resources().join("sample");
    for (ds, file) in [
        (Dataset::Streets, "streets.geojson"),
        (Dataset::Communities, "communities.geojson"),
    ] {
        e.import(&admin, &sample.join(file), ds, ImportOptions::default())
            .expect("import");
    }
    let s = e.setup_status_on(day()).expect("status");
    assert!(done(&s, SetupStepKey::Streets), "{s:?}");
    assert!(done(&s, SetupStepKey::Communities), "{s:?}");
    assert!(!done(&s, SetupStepKey::Grids));
    let without = s
        .steps
        .iter()
        .find(|x| x.key == SetupStepKey::Grids)
        .and_then(|x| {
            x.figures
                .iter()
                .find(|f| f.key == griddesk::setup::SetupFigureKey::CommunitiesWithoutGrids)
        })
        .map(|f| f.value);
    assert_eq!(without, Some(40.0));

    // Grids for every community: reviewed, then accepted as one step.
    let p = e
        .propose_district(None, &ProposalOptions::default())
        .expect("propose");
    assert_eq!(p.communities.len(), 40);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert!(p.grids > 40 * 5, "{} grids", p.grids);
    assert_eq!(
        p.preview["features"].as_array().map(Vec::len),
        Some(p.grids)
    );
    assert_eq!(e.overview().grids, 0, "a proposal writes nothing");
    let meta = EditMeta::default();
    let a = e
        .accept_district_proposal(&admin, p.token, &meta)
        .expect("accept");
    assert_eq!(a.edit.effect.created.len(), p.grids);
    assert_eq!(e.overview().grids, p.grids);
    // Accepted once: the token is used up.
    let again = e.accept_district_proposal(&admin, p.token, &meta);
    assert!(
        matches!(again, Err(ref x) if x.kind() == ErrorKind::InvalidInput),
        "{again:?}"
    );
    // Every community's grids are numbered from 001 up.
    for c in e.plan_communities() {
        let code = GridCode::parse(&format!("{}001", c.code)).expect("code");
        assert!(e.loaded().index.grid(&code).is_some(), "{} has 001", c.code);
    }
    let s = e.setup_status_on(day()).expect("status");
    assert!(done(&s, SetupStepKey::Grids), "{s:?}");
    // A second proposal has nothing to do.
    assert!(e
        .propose_district(None, &ProposalOptions::default())
        .is_err());

    // One undo takes the whole proposal back.
    e.plan_undo(&admin, &meta).expect("undo");
    assert_eq!(e.overview().grids, 0);
    e.plan_redo(&admin, &meta).expect("redo");
    assert_eq!(e.overview().grids, p.grids);

    // A department and the classes routed to it, all or nothing.
    let d = Department {
        code: "D01".into(),
        name: "环卫处".into(),
        active: true,
    };
    let bad = e.add_department_routed(&admin, &d, &["01".into(), "9".into()]);
    assert!(bad.is_err());
    assert!(
        e.departments().expect("departments").is_empty(),
        "nothing written"
    );
    e.add_department_routed(&admin, &d, &["01".into(), "0201".into()])
        .expect("department");
    assert_eq!(e.routing_rules().expect("rules").len(), 2);
    assert!(done(
        &e.setup_status_on(day()).expect("status"),
        SetupStepKey::Departments
    ));

    // The store opens again as it was.
    drop(e);
    let e = Engine::open(&path).expect("reopen");
    assert_eq!(e.overview().grids, p.grids);
}

#[test]
fn a_bad_district_leaves_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.sqlite");
    let r = Engine::create_district(&path, &resources(), &new_district("999999"));
    assert!(r.is_err());
    let mut short = new_district("331004");
    short.admin.password = "x".into();
    assert!(Engine::create_district(&path, &resources(), &short).is_err());
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "nothing created"
    );
    // An existing file is never overwritten.
    std::fs::write(&path, b"keep").expect("write");
    let r = Engine::create_district(&path, &resources(), &new_district("331004"));
    assert!(r.is_err());
    assert_eq!(std::fs::read(&path).expect("read"), b"keep");
}

#[test]
fn the_sample_is_not_asked_to_set_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (e, _) = Engine::open_or_seed(&dir.path().join("s.sqlite"), &resources()).expect("seed");
    let s = e.setup_status_on(day()).expect("status");
    assert!(s.sample);
    for k in [
        SetupStepKey::District,
        SetupStepKey::Streets,
        SetupStepKey::Communities,
        SetupStepKey::Grids,
        SetupStepKey::DutyGrids,
        SetupStepKey::Departments,
        SetupStepKey::Calendar,
        SetupStepKey::Components,
    ] {
        assert!(done(&s, k), "the sample's {k:?} step: {s:?}");
    }
}

#[test]
fn streets_and_communities_are_drawn_on_the_map() {
    use griddesk::setup::{BoundaryKind, DrawnBoundary};
    let dir = tempfile::tempdir().expect("tempdir");
    let (e, admin) = Engine::create_district(
        &dir.path().join("luqiao.sqlite"),
        &resources(),
        &new_district("331004"),
    )
    .expect("create");
    let rect = |x0: f64, y0: f64, x1: f64, y1: f64| vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
    let draw = |kind, code: Option<&str>, name: &str, ring| {
        e.draw_boundary(
            &admin,
            &DrawnBoundary {
                kind,
                code: code.map(str::to_string),
                name: name.into(),
                ring,
            },
        )
    };
    // A community before any street: refused.
    assert!(draw(
        BoundaryKind::Community,
        None,
        "甲",
        rect(121.50, 28.54, 121.504, 28.546)
    )
    .is_err());
    // A street reaching out of Luqiao: refused.
    assert!(draw(
        BoundaryKind::Street,
        None,
        "外",
        rect(121.20, 28.54, 121.30, 28.55)
    )
    .is_err());
    let street = draw(
        BoundaryKind::Street,
        None,
        "新桥街道",
        rect(121.50, 28.54, 121.508, 28.546),
    )
    .expect("street");
    assert_eq!(street, "331004001");
    // Overlapping the first street: refused.
    assert!(draw(
        BoundaryKind::Street,
        None,
        "叠",
        rect(121.506, 28.54, 121.51, 28.546)
    )
    .is_err());
    // Nameless: refused.
    assert!(draw(
        BoundaryKind::Community,
        None,
        " ",
        rect(121.50, 28.54, 121.504, 28.546)
    )
    .is_err());
    let west = draw(
        BoundaryKind::Community,
        None,
        "西社区",
        rect(121.50, 28.54, 121.504, 28.546),
    )
    .expect("community");
    assert_eq!(west, "331004001001");
    // Overlapping the west community, and sticking out of the street: refused.
    assert!(draw(
        BoundaryKind::Community,
        None,
        "叠",
        rect(121.503, 28.54, 121.508, 28.546)
    )
    .is_err());
    assert!(draw(
        BoundaryKind::Community,
        None,
        "出",
        rect(121.504, 28.54, 121.509, 28.546)
    )
    .is_err());
    // The rest of the street, its corners shared with the street and the west community.
    let east = draw(
        BoundaryKind::Community,
        None,
        "东社区",
        rect(121.504, 28.54, 121.508, 28.546),
    )
    .expect("community");
    assert_eq!(east, "331004001002");
    let s = e.setup_status_on(day()).expect("status");
    assert!(done(&s, SetupStepKey::Streets), "{s:?}");
    assert!(done(&s, SetupStepKey::Communities), "{s:?}");
    // The drawn district takes grids like an imported one.
    let p = e
        .propose_district(None, &ProposalOptions::default())
        .expect("propose");
    assert_eq!(p.communities.len(), 2);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    // About 52 ha in grids of about 1 ha: drawn outlines get points along their long edges, so
    // the proposal has triangles enough to cut.
    assert!(p.grids >= 40, "{} grids", p.grids);
    e.accept_district_proposal(&admin, p.token, &EditMeta::default())
        .expect("accept");
    assert!(done(
        &e.setup_status_on(day()).expect("status"),
        SetupStepKey::Grids
    ));
}

#[test]
fn coarse_imported_outlines_are_cut_into_grids() {
    // An office's file: a street and two communities drawn as plain rectangles (four long
    // edges each), imported as they are.
    let dir = tempfile::tempdir().expect("tempdir");
    let (e, admin) = Engine::create_district(
        &dir.path().join("luqiao.sqlite"),
        &resources(),
        &new_district("331004"),
    )
    .expect("create");
    let rect = |x0: f64, y0: f64, x1: f64, y1: f64| serde_json::json!({ "type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] });
    let fc = |features: Vec<serde_json::Value>| serde_json::json!({ "type": "FeatureCollection", "features": features });
    let feature = |code: &str, name: &str, g: serde_json::Value| serde_json::json!({ "type": "Feature", "properties": { "code": code, "name": name }, "geometry": g });
    let streets = dir.path().join("streets.geojson");
    std::fs::write(
        &streets,
        fc(vec![feature(
            "331004001",
            "新桥街道",
            rect(121.50, 28.54, 121.508, 28.546),
        )])
        .to_string(),
    )
    .expect("write");
    let communities = dir.path().join("communities.geojson");
    std::fs::write(
        &communities,
        fc(vec![
            feature(
                "331004001001",
                "西社区",
                rect(121.50, 28.54, 121.504, 28.546),
            ),
            feature(
                "331004001002",
                "东社区",
                rect(121.504, 28.54, 121.508, 28.546),
            ),
        ])
        .to_string(),
    )
    .expect("write");
    e.import(&admin, &streets, Dataset::Streets, ImportOptions::default())
        .expect("streets");
    e.import(
        &admin,
        &communities,
        Dataset::Communities,
        ImportOptions::default(),
    )
    .expect("communities");
    let p = e
        .propose_district(None, &ProposalOptions::default())
        .expect("propose");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    // About 52 ha: the long edges get points (the same from both communities on the shared
    // edge), so each community is cut into grids of about 1 ha, not two triangles' worth.
    for c in &p.communities {
        assert!(
            c.balance.grids >= 18,
            "{} got {} grids",
            c.code,
            c.balance.grids
        );
    }
    e.accept_district_proposal(&admin, p.token, &EditMeta::default())
        .expect("accept");
    let s = e.setup_status_on(day()).expect("status");
    assert!(done(&s, SetupStepKey::Grids), "{s:?}");
    assert!(done(&s, SetupStepKey::Communities), "{s:?}");
}
