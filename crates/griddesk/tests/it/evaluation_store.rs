//! The evaluation built from the recorded case loop: eight cases driven through the workflow
//! in March 2026 with known timings (on time, late, extended, hung up, reworked, open and
//! overdue, a verified public report, cancelled after filing), the indicators asserted by hand.

use crate::common::{centre, district, session, t};
use griddesk::analytics::evaluation::{
    EvaluationConfig, Indicator as I, ObjectRef, Period, TableKind,
};
use griddesk::clock::TimeUnit;
use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
use griddesk::model::{CaseKind, CaseSource};
use griddesk::users::{Role, Session};
use griddesk::workflow::{photo::solid_png, Action, PhotoInput, PhotoPhase};
use griddesk::Engine;

fn photo(phase: PhotoPhase) -> Vec<PhotoInput> {
    vec![PhotoInput {
        phase,
        name: Some("p.png".into()),
        bytes: solid_png(32, 24, [90, 120, 30]),
    }]
}

/// A 暴露垃圾 report (class 0102, routed to D01): handling limit 4 工作时 to 2 工作日.
fn report(e: &Engine, by: &Session, source: CaseSource, at: &str) -> String {
    let req = IntakeRequest {
        source,
        kind: CaseKind::Event,
        class_code: Some("0102".into()),
        condition: None,
        location: Some(centre(e)),
        component: None,
        description: Some("暴露垃圾".into()),
        address: None,
        reporter: None,
        reporter_phone: None,
        photos: if source == CaseSource::Patrol {
            photo(PhotoPhase::Before)
        } else {
            vec![]
        },
        reported_at: t(at),
        urgency: None,
    };
    match e
        .intake(by, &req, &DuplicateParams::default(), &OnDuplicate::Proceed)
        .expect("intake")
    {
        IntakeOutcome::Created { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

struct Staff {
    insp: Session,
    rec: Session,
    lead: Session,
    disp: Session,
    dept: Session,
}

fn step(e: &Engine, id: &str, s: &Session, a: Action, at: &str) {
    e.apply(id, s, &a, t(at))
        .unwrap_or_else(|err| panic!("{id} {a:?} at {at}: {err}"));
}

/// Report → accept → file → dispatch (to D01), 10 minutes apart from `day 09:00`.
fn to_handling(e: &Engine, s: &Staff, day: &str) -> String {
    let id = report(e, &s.insp, CaseSource::Patrol, &format!("{day} 09:00"));
    step(
        e,
        &id,
        &s.rec,
        Action::Accept { note: None },
        &format!("{day} 09:10"),
    );
    step(
        e,
        &id,
        &s.lead,
        Action::File {
            condition: None,
            note: None,
        },
        &format!("{day} 09:20"),
    );
    step(
        e,
        &id,
        &s.disp,
        Action::Dispatch {
            department: "D01".into(),
            note: None,
        },
        &format!("{day} 09:30"),
    );
    id
}

/// Feedback at `fb`, check passed 20 minutes later, closed 20 minutes after that.
fn finish(e: &Engine, s: &Staff, id: &str, fb: &str) {
    let fb_t = t(fb);
    let at = |m: i64| {
        (fb_t + chrono::Duration::minutes(m))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    step(
        e,
        id,
        &s.dept,
        Action::Feedback {
            note: None,
            photos: photo(PhotoPhase::After),
        },
        fb,
    );
    step(e, id, &s.insp, Action::CheckPass { note: None }, &at(20));
    step(e, id, &s.lead, Action::Close { note: None }, &at(40));
}

struct World {
    _d: crate::common::District,
    ids: Vec<String>,
}

/// Cases a–h (module docs), in that order.
fn world() -> World {
    let d = district();
    let e = &d.engine;
    let s = Staff {
        insp: session(e, "inspector", Role::Inspector),
        rec: session(e, "reception", Role::Receptionist),
        lead: session(e, "leader", Role::ShiftLeader),
        disp: session(e, "dispatch", Role::Dispatcher),
        dept: session(e, "sanitation", Role::Department),
    };
    // a: handled within the hour.
    let a = to_handling(e, &s, "2026-03-02");
    finish(e, &s, &a, "2026-03-02 10:30");
    // b: handled ten working days later: late.
    let b = to_handling(e, &s, "2026-03-03");
    finish(e, &s, &b, "2026-03-17 10:00");
    // c: five working days, but 10 工作日 extension approved first: on time.
    let c = to_handling(e, &s, "2026-03-04");
    step(
        e,
        &c,
        &s.dept,
        Action::RequestExtension {
            amount: 10.0,
            unit: TimeUnit::WorkDay,
            reason: "需采购".into(),
        },
        "2026-03-04 10:00",
    );
    step(
        e,
        &c,
        &s.disp,
        Action::ApproveExtension {
            amount: None,
            note: None,
        },
        "2026-03-04 10:05",
    );
    finish(e, &s, &c, "2026-03-11 10:00");
    // d: hung up for 19 days, handled an hour after the restore: on time (hang-up excluded).
    let dd = to_handling(e, &s, "2026-03-05");
    step(
        e,
        &dd,
        &s.dept,
        Action::RequestHangUp {
            reason: "待拆迁".into(),
        },
        "2026-03-05 09:40",
    );
    step(
        e,
        &dd,
        &s.disp,
        Action::ApproveHangUp { note: None },
        "2026-03-05 09:45",
    );
    step(
        e,
        &dd,
        &s.disp,
        Action::Restore { note: None },
        "2026-03-24 09:00",
    );
    finish(e, &s, &dd, "2026-03-24 10:00");
    // e: check failed once, fixed the same morning: one rework, on time.
    let ee = to_handling(e, &s, "2026-03-06");
    step(
        e,
        &ee,
        &s.dept,
        Action::Feedback {
            note: None,
            photos: photo(PhotoPhase::After),
        },
        "2026-03-06 10:00",
    );
    step(
        e,
        &ee,
        &s.insp,
        Action::CheckFail {
            reason: "仍有残留".into(),
        },
        "2026-03-06 10:20",
    );
    finish(e, &s, &ee, "2026-03-06 11:00");
    // f: dispatched on 9 March and never handled: overdue at the end of March.
    let f = to_handling(e, &s, "2026-03-09");
    // g: a 12345 hotline report, verified by the inspector, then the whole loop on time.
    let g = report(e, &s.rec, CaseSource::Hotline12345, "2026-03-10 09:00");
    step(
        e,
        &g,
        &s.rec,
        Action::Accept { note: None },
        "2026-03-10 09:05",
    );
    step(
        e,
        &g,
        &s.rec,
        Action::SendVerify { note: None },
        "2026-03-10 09:10",
    );
    step(
        e,
        &g,
        &s.insp,
        Action::ConfirmVerified { note: None },
        "2026-03-10 09:40",
    );
    step(
        e,
        &g,
        &s.lead,
        Action::File {
            condition: None,
            note: None,
        },
        "2026-03-10 09:50",
    );
    step(
        e,
        &g,
        &s.disp,
        Action::Dispatch {
            department: "D01".into(),
            note: None,
        },
        "2026-03-10 10:00",
    );
    finish(e, &s, &g, "2026-03-10 11:00");
    // h: filed, then cancelled by the shift leader.
    let h = report(e, &s.insp, CaseSource::Patrol, "2026-03-11 09:00");
    step(
        e,
        &h,
        &s.rec,
        Action::Accept { note: None },
        "2026-03-11 09:10",
    );
    step(
        e,
        &h,
        &s.lead,
        Action::File {
            condition: None,
            note: None,
        },
        "2026-03-11 09:20",
    );
    step(
        e,
        &h,
        &s.lead,
        Action::Cancel {
            reason: "重复".into(),
        },
        "2026-03-11 09:30",
    );
    World {
        _d: d,
        ids: vec![a, b, c, dd, ee, f, g, h],
    }
}

fn march() -> Period {
    Period::month(2026, 3).expect("month")
}

#[test]
fn indicators_from_the_recorded_case_loop() {
    let w = world();
    let e = &w._d.engine;
    let id = |k: usize| w.ids[k].clone();
    let ev = e.evaluate_period(&march()).expect("evaluate");

    // District: the §5.1 base counts.
    let dt = ev.table(TableKind::District).expect("district");
    let row = &dt.rows[0];
    let n = |i| dt.count(row, i).expect("count");
    assert_eq!(n(I::Filed), 8, "a–h were all filed in March");
    assert_eq!(n(I::PublicVerified), 1, "g");
    assert_eq!(n(I::Closed), 6, "a b c d e g");
    assert_eq!(n(I::ClosedOnTime), 5, "b was late");
    assert_eq!(n(I::OverdueOpen), 1, "f");
    assert_eq!(n(I::DueClose), 7);
    assert_eq!(n(I::Handled), 6);
    assert_eq!(n(I::HandledOnTime), 5);
    assert_eq!(n(I::HandledLate), 1);
    assert_eq!(n(I::OverdueUnhandled), 1);
    assert_eq!(n(I::DueHandle), 7);
    assert_eq!(n(I::Rework), 1);
    assert_eq!(n(I::ReworkLoops), 1);
    assert_eq!(n(I::Extended), 1);
    assert_eq!(n(I::Hung), 1);
    assert_eq!(dt.rate(row, "closure_rate"), Some(6.0 / 7.0 * 100.0));
    assert_eq!(
        dt.rate(row, "on_time_closure_rate"),
        Some(5.0 / 7.0 * 100.0)
    );
    assert_eq!(dt.rate(row, "public_report_rate"), Some(12.5));

    // Drill-down: the very cases.
    let district = ObjectRef {
        table: TableKind::District,
        index: 0,
    };
    let mut want = vec![id(0), id(2), id(3), id(4), id(6)];
    want.sort();
    assert_eq!(
        e.evaluation_cases(&march(), district, I::ClosedOnTime)
            .unwrap(),
        want
    );
    assert_eq!(
        e.evaluation_cases(&march(), district, I::HandledLate)
            .unwrap(),
        vec![id(1)]
    );
    assert_eq!(
        e.evaluation_cases(&march(), district, I::Hung).unwrap(),
        vec![id(3)]
    );
    assert_eq!(
        e.evaluation_cases(&march(), district, I::OverdueUnhandled)
            .unwrap(),
        vec![id(5)]
    );

    // The department they all went to; the other one has nothing.
    let dep = ev.table(TableKind::Department).expect("department");
    let d01 = dep.row("环境卫生管理处").expect("D01 row");
    assert_eq!(dep.count(d01, I::Filed), Some(7), "h was never dispatched");
    assert_eq!(dep.count(d01, I::Handled), Some(6));
    assert_eq!(dep.count(d01, I::HandledOnTime), Some(5));
    assert_eq!(dep.rate(d01, "rework_rate"), Some(1.0 / 6.0 * 100.0));
    let d02 = dep.row("综合行政执法局").expect("D02 row");
    assert_eq!(d02.sample, 0);
    assert_eq!(d02.rank, None, "below the minimum sample");

    // Positions: each person by what they did.
    let who = |k: TableKind, login: &str, i: I| {
        let tb = ev.table(k).expect("table");
        let r = tb.row(login).unwrap_or_else(|| panic!("{login} in {k:?}"));
        tb.count(r, i).expect("count")
    };
    assert_eq!(who(TableKind::Inspector, "inspector", I::Reports), 7);
    assert_eq!(who(TableKind::Inspector, "inspector", I::ValidReports), 6);
    assert_eq!(who(TableKind::Inspector, "inspector", I::DueVerify), 1);
    assert_eq!(who(TableKind::Inspector, "inspector", I::VerifiedOnTime), 1);
    assert_eq!(who(TableKind::Inspector, "inspector", I::DueCheck), 6);
    assert_eq!(who(TableKind::Inspector, "inspector", I::CheckedOnTime), 6);
    assert_eq!(who(TableKind::Receptionist, "reception", I::Accepted), 8);
    assert_eq!(
        who(TableKind::Receptionist, "reception", I::DueVerifySend),
        1
    );
    assert_eq!(
        who(TableKind::Receptionist, "reception", I::VerifySentOnTime),
        1
    );
    assert_eq!(who(TableKind::ShiftLeader, "leader", I::FiledBy), 8);
    assert_eq!(who(TableKind::ShiftLeader, "leader", I::FiledOnTime), 8);
    assert_eq!(
        who(TableKind::ShiftLeader, "leader", I::CancelledAfterFiling),
        1
    );
    assert_eq!(who(TableKind::ShiftLeader, "leader", I::ClosedBy), 6);
    assert_eq!(who(TableKind::ShiftLeader, "leader", I::ClosedOnTimeBy), 6);
    assert_eq!(who(TableKind::Dispatcher, "dispatch", I::DueDispatch), 7);
    assert_eq!(who(TableKind::Dispatcher, "dispatch", I::Dispatched), 7);
    assert_eq!(who(TableKind::Dispatcher, "dispatch", I::DispatchRework), 1);
    assert_eq!(
        who(TableKind::Dispatcher, "dispatch", I::AccurateDispatch),
        6
    );

    // The duty grid of the place, its inspector (known from the duty grid only) and its
    // unit grid carry the same filed count; g counts as missed by that inspector.
    let l = e.loaded();
    let [x, y] = centre(e);
    let gcode = l.index.grids[l.index.grid_at(x, y).expect("grid")].code;
    let duty = l.index.duty_grid_of(&gcode).expect("duty grid").clone();
    drop(l);
    let dg = ev.table(TableKind::DutyGrid).expect("duty grid table");
    let drow = dg.row(&duty.code).expect("duty row");
    assert_eq!(dg.count(drow, I::Filed), Some(8));
    assert_eq!(dg.count(drow, I::Closed), Some(6));
    let gt = ev.table(TableKind::Grid).expect("grid table");
    assert_eq!(
        gt.count(gt.row(&gcode.to_string()).expect("grid row"), I::Filed),
        Some(8)
    );
    assert_eq!(who(TableKind::Inspector, &duty.inspector, I::AreaFiled), 8);
    assert_eq!(who(TableKind::Inspector, &duty.inspector, I::Missed), 1);
    let duty_ref = ObjectRef {
        table: TableKind::DutyGrid,
        index: drow.object.index,
    };
    assert_eq!(
        e.evaluation_cases(&march(), duty_ref, I::Rework).unwrap(),
        vec![id(4)]
    );

    // Nothing happens in February; in April only f... which was due in March.
    let feb = e.evaluate_period(&Period::month(2026, 2).unwrap()).unwrap();
    let frow = &feb.table(TableKind::District).unwrap().rows[0];
    assert!(frow.counts.iter().all(|&c| c == 0), "{:?}", frow.counts);
}

#[test]
fn the_stored_configuration_sets_weights_and_the_minimum_sample() {
    let w = world();
    let e = &w._d.engine;
    let ev = e.evaluate_period(&march()).unwrap();
    let row = &ev.table(TableKind::District).unwrap().rows[0];
    assert_eq!(row.rank, Some(1), "8 filed ≥ the default minimum of 5");
    e.set_evaluation_config(
        &crate::common::admin(e),
        &EvaluationConfig {
            min_sample: 9,
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let ev = e.evaluate_period(&march()).unwrap();
    let row = &ev.table(TableKind::District).unwrap().rows[0];
    assert_eq!(row.rank, None, "8 filed < 9");
    assert!(row.grade.is_some(), "still graded");

    // A workflow step after the first evaluation is seen by the next one.
    let dept = session(e, "sanitation", Role::Department);
    e.apply(
        &w.ids[5],
        &dept,
        &Action::Feedback {
            note: None,
            photos: photo(PhotoPhase::After),
        },
        t("2026-03-30 10:00"),
    )
    .unwrap();
    let ev = e.evaluate_period(&march()).unwrap();
    let dt = ev.table(TableKind::District).unwrap();
    assert_eq!(dt.count(&dt.rows[0], I::Handled), Some(7));
    assert_eq!(dt.count(&dt.rows[0], I::HandledLate), Some(2));
    assert_eq!(dt.count(&dt.rows[0], I::OverdueUnhandled), Some(0));
}
