//! A district's evaluation from the centre (`EvaluationStore`, through the rows of
//! `EvaluationRows`), side by side with a station's SQLite store holding the same district:
//! the same sample district, accounts and workflow histories written to both, then the same
//! evaluation input and the same evaluation tables for several periods, read outside and
//! inside a transaction. A second district in the centre, with the same case numbers and
//! logins but other histories, changes nothing of the first one's figures.

use crate::common;

use griddesk_analytics::analytics::evaluation::from_store::EvaluationStore;
use griddesk_analytics::analytics::evaluation::{evaluate, EvalInput, EvaluationConfig, Period};
use griddesk_caseloop::clock_store::CalendarStore;
use griddesk_caseloop::filing::{FilingCondition, FilingStandard};
use griddesk_caseloop::workflow::desk::Desk;
use griddesk_caseloop::CaseLoopStore;
use griddesk_core::clock::{calendar::china_2026, CalendarEdit, WorkCalendar};
use griddesk_core::code::DistrictCode;
use griddesk_core::users::NewUser;
use griddesk_sample::caseloop::{write_histories, CaseLoopSeed, Staff};
use griddesk_sample::{generate, SampleParams};
use griddesk_spatial::index::SpatialIndex;
use griddesk_store::{ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

/// The sample's departments, accounts and routing rules, as the engine writes them.
fn accounts(s: &dyn CaseLoopStore, seed: &CaseLoopSeed) -> griddesk_core::Result<()> {
    for d in &seed.departments {
        s.insert_department(d)?;
    }
    for u in &seed.users {
        let nu = NewUser {
            login: u.login.clone(),
            name: u.name.clone(),
            password: String::new(),
            roles: u.roles.clone(),
            department: u.department.clone(),
        };
        s.insert_user(&nu, &u.password, "2025-11-01 00:00:00")?;
    }
    for r in &seed.routing {
        s.insert_rule(r)?;
    }
    Ok(())
}

fn at(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a time")
}

fn periods() -> Vec<(&'static str, Period)> {
    vec![
        (
            "the whole sample year",
            Period {
                start: at(2025, 11, 1),
                end: at(2026, 11, 1),
            },
        ),
        ("March", Period::month(2026, 3).expect("a month")),
        ("October", Period::month(2026, 10).expect("a month")),
        (
            "a week",
            Period {
                start: at(2026, 6, 8),
                end: at(2026, 6, 15),
            },
        ),
    ]
}

/// Everything of an input that the figures are computed from.
fn same_input(what: &str, station: &EvalInput, centre: &EvalInput) {
    assert_eq!(centre.people, station.people, "{what}: the staff");
    assert_eq!(
        centre.departments, station.departments,
        "{what}: the departments"
    );
    assert_eq!(
        centre.grid_inspector, station.grid_inspector,
        "{what}: the grids' inspectors"
    );
    assert_eq!(
        centre.cases.len(),
        station.cases.len(),
        "{what}: the number of cases"
    );
    for (c, s) in centre.cases.iter().zip(&station.cases) {
        assert_eq!(c, s, "{what}: case {}", s.id);
    }
}

#[test]
fn a_districts_evaluation_is_the_stations() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_evaluation", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(80, 700)).expect("a district");
    assert_eq!(d.district.code.as_str(), "331003");
    let dc = d.district.code;
    let seed = d.case_loop.clone();
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    common::write_district(&mut station, &d);
    common::write_district(&mut centre, &d);

    // The city's standard and calendar on both sides.
    let standard = FilingStandard::default_for(&d.tables).expect("the shipped standard");
    let conditions: Vec<FilingCondition> = standard.conditions().cloned().collect();
    let days: Vec<CalendarEdit> = china_2026().into_iter().map(CalendarEdit::SetDay).collect();
    for s in [&station.db() as &dyn CaseLoopStore, &centre.district(dc)] {
        s.replace_conditions(&conditions).expect("the standard");
        s.apply_edits(&days).expect("the calendar");
    }
    accounts(&station.db(), &seed).expect("the station's accounts");
    centre
        .transaction(|tx| accounts(&tx.district(dc), &seed))
        .expect("the centre's accounts");

    // The sample's histories, worked out once from the station's index and desk and written
    // to both.
    let index = SpatialIndex::build(station.load().expect("the station's snapshot"));
    let desk = Desk::load(&station.db(), &index, 0).expect("the station's desk");
    let staff = Staff::new(&seed);
    station
        .transaction(|tx| write_histories(tx, &desk, &index, seed.seed, &staff))
        .expect("the station's histories");
    centre
        .transaction(|tx| write_histories(&tx.district(dc), &desk, &index, seed.seed, &staff))
        .expect("the centre's histories");
    let calendar: WorkCalendar = desk.calendar.clone();
    assert_eq!(
        centre
            .district(dc)
            .load_calendar()
            .expect("the centre's calendar"),
        calendar,
        "the same calendar on both sides"
    );

    // Another district with the same case numbers and logins and other histories.
    let other_code = DistrictCode::parse("331004").expect("code");
    let mut other = d.clone();
    other.district.code = other_code;
    other.streets.clear();
    other.communities.clear();
    other.grids.clear();
    other.duty_grids.clear();
    other.components.clear();
    for c in &mut other.cases {
        c.grid = None;
        c.component = None;
    }
    centre
        .write_model(&mut |w: &dyn ModelSink| {
            w.put_district(&other.district)?;
            for c in &other.cases {
                w.insert_case(c)?;
            }
            Ok(())
        })
        .expect("district B");
    centre
        .transaction(|tx| {
            let b = tx.district(other_code);
            accounts(&b, &seed)?;
            write_histories(&b, &desk, &index, seed.seed + 1, &staff)
        })
        .expect("district B's accounts and histories");

    let local = station.db();
    let remote = centre.district(dc);
    // The audit position: the centre draws its own numbers (not the station's), so the two
    // are compared by how they move: a new entry of the district moves both to its number,
    // one of another district moves neither.
    let (before_l, before_r) = (
        local.audit_position().expect("station"),
        remote.audit_position().expect("centre"),
    );
    assert!(before_l > 0 && before_r > 0, "histories were audited");
    let case = &d.cases[0];
    let note = |s: &dyn CaseLoopStore| {
        s.append_audit(
            &case.id,
            at(2026, 10, 30),
            "admin",
            "admin",
            "note",
            Some(case.status),
            case.status,
            Some("evaluation test"),
            None,
        )
        .expect("an audit entry")
    };
    note(&centre.district(other_code));
    assert_eq!(remote.audit_position().expect("centre"), before_r);
    let (seq_l, seq_r) = (note(&local), note(&remote));
    assert!(seq_l > before_l && seq_r > before_r);
    assert_eq!(local.audit_position().expect("station"), seq_l);
    assert_eq!(remote.audit_position().expect("centre"), seq_r);

    let cfg = EvaluationConfig::default();
    let mut seen_hung = false;
    let mut seen_extended = false;
    for (what, period) in periods() {
        let mine = local
            .input_from_store(&index, &calendar, &period)
            .expect("the station's input");
        let theirs = remote
            .input_from_store(&index, &calendar, &period)
            .expect("the centre's input");
        assert!(!mine.cases.is_empty(), "{what}: cases to evaluate");
        same_input(what, &mine, &theirs);
        let in_tx = centre
            .transaction(|tx| tx.district(dc).input_from_store(&index, &calendar, &period))
            .expect("the centre's input in a transaction");
        same_input(&format!("{what} (in a transaction)"), &mine, &in_tx);
        let (e_station, e_centre) = (
            evaluate(&mine, &period, &cfg),
            evaluate(&theirs, &period, &cfg),
        );
        assert!(
            e_station.tables.iter().any(|t| !t.rows.is_empty()),
            "{what}: rows to compare"
        );
        assert_eq!(e_centre, e_station, "{what}: the evaluation tables");
        seen_hung |= mine.cases.iter().any(|c| !c.hangups.is_empty());
        seen_extended |= mine.cases.iter().any(|c| c.handle.extended_to.is_some());
    }
    assert!(seen_hung, "an open hang-up was compared");
    assert!(seen_extended, "a moved deadline was compared");

    // The second district's own figures differ (other histories): the views did not mix.
    let whole = periods()[0].1;
    let b = centre
        .district(other_code)
        .input_from_store(&index, &calendar, &whole)
        .expect("district B's input");
    let a = remote
        .input_from_store(&index, &calendar, &whole)
        .expect("district A's input");
    assert_eq!(b.cases.len(), a.cases.len(), "the same case numbers");
    assert_ne!(b.cases, a.cases, "other histories, other figures");
    assert!(
        b.cases.iter().all(|c| c.grid.is_none()),
        "B's cases name no grid"
    );
}
