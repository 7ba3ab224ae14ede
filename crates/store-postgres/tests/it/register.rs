//! A district's component register in the centre (`RegisterStore`), the same calls on a
//! station's SQLite store holding the same district: the same components, rewrites, history
//! (sealed in the centre) and next free codes.

use crate::common;

use griddesk_caseloop::register::{ComponentRecord, RegisterStore};
use griddesk_core::code::{ClassCode, DistrictCode};
use griddesk_core::model::ComponentState;
use griddesk_core::users::{Role, Session};
use griddesk_core::ErrorKind;
use griddesk_store::{AuditStore, ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

#[test]
fn the_register_reads_rewrites_and_numbers_as_at_the_station() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_register", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = griddesk_sample::generate(&griddesk_sample::SampleParams::benchmark(60, 50))
        .expect("a district");
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    common::write_district(&mut station, &d);
    common::write_district(&mut centre, &d);
    let local = station.db();
    let remote = centre.district(d.district.code);

    let k = &d.components[5];
    let code = k.code.as_str();
    assert_eq!(
        remote.read_component(code).expect("read"),
        local.read_component(code).expect("read")
    );
    assert_eq!(remote.read_component(code).expect("read").as_ref(), Some(k));
    assert_eq!(
        remote.read_component("3310030000000001").expect("none"),
        None
    );
    assert_eq!(
        centre
            .district(DistrictCode::parse("331004").expect("code"))
            .read_component(code)
            .expect("another district"),
        None,
        "a component is its district's"
    );

    // A rewrite and its history.
    let mut moved = k.clone();
    moved.state = ComponentState::Damaged;
    moved.owner = Some("新权属单位".into());
    moved.location = geo_types::Point::new(k.location.x() + 1e-5, k.location.y());
    let by = Session {
        login: "planner".into(),
        name: "规划员".into(),
        role: Role::Planner,
        department: None,
    };
    let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
        .and_then(|x| x.and_hms_opt(15, 30, 0))
        .expect("time");
    let before = ComponentRecord::of(k, Some("上水井盖".into()));
    let after = ComponentRecord::of(&moved, Some("上水井盖".into()));
    local.update_component(code, &moved).expect("station");
    local
        .write_history(
            code,
            at,
            &by,
            "move+state",
            Some(&before),
            Some(&after),
            Some("巡查"),
        )
        .expect("station history");
    centre
        .transaction(|tx| -> griddesk_core::Result<()> {
            let v = tx.district(d.district.code);
            v.update_component(code, &moved)?;
            v.write_history(
                code,
                at,
                &by,
                "move+state",
                Some(&before),
                Some(&after),
                Some("巡查"),
            )
        })
        .expect("centre");
    assert_eq!(
        remote.read_component(code).expect("read"),
        local.read_component(code).expect("read")
    );
    assert_eq!(remote.read_component(code).expect("read"), Some(moved));
    let strip = |v: Vec<griddesk_caseloop::register::ComponentChange>| {
        v.into_iter()
            .map(|c| griddesk_caseloop::register::ComponentChange { seq: 0, ..c })
            .collect::<Vec<_>>()
    };
    let h = strip(remote.component_history(code).expect("history"));
    assert_eq!(h, strip(local.component_history(code).expect("history")));
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].after.as_ref(), Some(&after));
    let check = remote.check_audit().expect("check");
    assert!(
        check.ok() && check.seals == 1,
        "the history row is sealed: {check:?}"
    );

    // Next free codes, and a class with none left.
    let classes: Vec<ClassCode> = d.components.iter().take(40).map(|c| c.class_code).collect();
    for class in classes
        .iter()
        .chain([ClassCode::parse("0199").expect("class")].iter())
    {
        assert_eq!(
            remote.next_code(d.district.code, *class).expect("next"),
            local.next_code(d.district.code, *class).expect("next"),
            "class {class}"
        );
    }
    let mut last = d.components[0].clone();
    last.code = griddesk_core::code::ComponentCode::from_parts(
        d.district.code,
        last.class_code.as_str(),
        999_999,
    )
    .expect("code");
    station
        .write_model(&mut |w: &dyn ModelSink| w.insert_component(&last))
        .expect("station");
    centre
        .write_model(&mut |w: &dyn ModelSink| w.insert_component(&last))
        .expect("centre");
    let (e1, e2) = (
        centre
            .district(d.district.code)
            .next_code(d.district.code, last.class_code)
            .expect_err("none left"),
        station
            .db()
            .next_code(d.district.code, last.class_code)
            .expect_err("none left"),
    );
    assert_eq!(e1.kind(), e2.kind());
    assert_eq!(e1.kind(), ErrorKind::InvalidInput);
}
