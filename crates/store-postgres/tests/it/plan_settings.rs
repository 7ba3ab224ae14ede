//! A district's planning settings in the centre (`PlanSettingsStore`), as the station's store
//! keeps them: defaults, a round trip, a refused value that changes nothing; saved with a sealed
//! audit row; districts apart.

use crate::common;

use griddesk_core::audit::{AuditEntry, AuditQuery};
use griddesk_core::code::DistrictCode;
use griddesk_planning::planning::settings::{PlanSettings, PlanSettingsStore};
use griddesk_store::{AuditStore, ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

#[test]
fn settings_round_trip_per_district_with_their_audit_row() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_plan_settings", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = griddesk_sample::generate(&griddesk_sample::SampleParams::benchmark(40, 50))
        .expect("a district");
    let mut other = d.district.clone();
    other.code = DistrictCode::parse("331004").expect("code");
    centre
        .write_model(&mut |w: &dyn ModelSink| {
            w.put_district(&d.district)?;
            w.put_district(&other)
        })
        .expect("districts");
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    let audit = || AuditEntry::engine("settings.planning", "plan");

    let mut a = centre.district(d.district.code);
    assert_eq!(
        a.load_plan_settings().expect("defaults"),
        PlanSettings::default()
    );
    assert_eq!(
        a.load_plan_settings().expect("defaults"),
        station.load_plan_settings().expect("station defaults")
    );
    let mine = PlanSettings {
        min_area_m2: 3_000.0,
        max_area_m2: 40_000.0,
        target_area_m2: 12_000.0,
        tolerance_m: 0.25,
    };
    a.save_plan_settings(&mine, &audit()).expect("saved");
    station
        .save_plan_settings(&mine, &audit())
        .expect("saved at the station");
    assert_eq!(a.load_plan_settings().expect("load"), mine);
    assert_eq!(station.load_plan_settings().expect("load"), mine);
    let bad = PlanSettings {
        min_area_m2: 9e4,
        ..mine
    };
    let (e1, e2) = (
        a.save_plan_settings(&bad, &audit()).expect_err("refused"),
        station
            .save_plan_settings(&bad, &audit())
            .expect_err("refused"),
    );
    assert_eq!(e1.kind(), e2.kind());
    assert_eq!(a.load_plan_settings().expect("load"), mine);

    // One audit row, sealed; district B keeps the defaults and has no audit row.
    let log = a.audit_entries(&AuditQuery::default()).expect("audit");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "settings.planning");
    let check = a.check_audit().expect("check");
    assert!(check.ok() && check.seals == 1, "{check:?}");
    let b = centre.district(other.code);
    assert_eq!(b.load_plan_settings().expect("B"), PlanSettings::default());
    assert!(b
        .audit_entries(&AuditQuery::default())
        .expect("B")
        .is_empty());
}
