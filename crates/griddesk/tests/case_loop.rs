//! The case loop through the engine: one case from report to closing with a rework, refusals
//! that change nothing, duplicates at intake, queues, clocks and the append-only audit.

use chrono::NaiveDateTime;
use griddesk::code::StreetCode;
use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
use griddesk::model::{CaseKind, CaseSource, CaseStatus};
use griddesk::routing::RoutingRule;
use griddesk::users::{Department, NewUser, Role, Session};
use griddesk::workflow::{photo::solid_png, Action, ActionKind, PhotoInput, PhotoPhase, Refusal};
use griddesk::{Engine, ErrorKind};

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

struct District {
    _dir: tempfile::TempDir,
    engine: Engine,
}

/// A small generated district with departments, routing and one user per role.
fn district() -> District {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.sqlite");
    let p = griddesk::sample::SampleParams {
        cases: 0,
        ..griddesk::sample::SampleParams::benchmark(120, 0)
    };
    let s = griddesk::sample::generate(&p).unwrap();
    let mut store = griddesk::store::Store::create(&path).unwrap();
    s.write_to_store(&mut store, &s.tables).unwrap();
    drop(store);
    let e = Engine::open(&path).unwrap();
    for (code, name) in [("D01", "环境卫生管理处"), ("D02", "综合行政执法局")] {
        e.add_department(
            None,
            &Department {
                code: code.into(),
                name: name.into(),
                active: true,
            },
        )
        .unwrap();
    }
    e.add_routing_rule(
        None,
        &RoutingRule {
            id: None,
            kind: None,
            class_code: None,
            area_class: None,
            street: None,
            department: "D02".into(),
        },
    )
    .unwrap();
    e.add_routing_rule(
        None,
        &RoutingRule {
            id: None,
            kind: Some(CaseKind::Event),
            class_code: Some("01".into()),
            area_class: None,
            street: None::<StreetCode>,
            department: "D01".into(),
        },
    )
    .unwrap();
    let admin = e
        .add_user(
            None,
            &NewUser {
                login: "admin".into(),
                name: "管理员".into(),
                password: "admin-pass".into(),
                roles: vec![Role::Admin],
                department: None,
            },
        )
        .unwrap();
    assert_eq!(admin.roles, vec![Role::Admin]);
    let admin = e.sign_in("admin", "admin-pass", Role::Admin).unwrap();
    for (login, role, dept) in [
        ("inspector", Role::Inspector, None),
        ("reception", Role::Receptionist, None),
        ("leader", Role::ShiftLeader, None),
        ("dispatch", Role::Dispatcher, None),
        ("sanitation", Role::Department, Some("D01")),
        ("enforcement", Role::Department, Some("D02")),
        ("chief", Role::Leader, None),
    ] {
        e.add_user(
            Some(&admin),
            &NewUser {
                login: login.into(),
                name: login.into(),
                password: format!("{login}-pass"),
                roles: vec![role],
                department: dept.map(str::to_string),
            },
        )
        .unwrap();
    }
    District {
        _dir: dir,
        engine: e,
    }
}

fn session(e: &Engine, login: &str, role: Role) -> Session {
    e.sign_in(login, &format!("{login}-pass"), role).unwrap()
}

fn centre(e: &Engine) -> [f64; 2] {
    let l = e.loaded();
    let i = l.index.grids.len() / 2;
    let p = l.index.grid_label_points[i];
    [p.x(), p.y()]
}

fn report(at: &str, at_point: [f64; 2], class: &str) -> IntakeRequest {
    IntakeRequest {
        source: CaseSource::Patrol,
        kind: CaseKind::Event,
        class_code: Some(class.into()),
        condition: None,
        location: Some(at_point),
        component: None,
        description: Some("路边暴露垃圾".into()),
        address: Some("横街路12号".into()),
        reporter: None,
        reporter_phone: None,
        photos: vec![PhotoInput {
            phase: PhotoPhase::Before,
            name: Some("before.png".into()),
            bytes: solid_png(64, 48, [120, 90, 30]),
        }],
        reported_at: t(at),
        urgency: None,
    }
}

fn after_photo() -> Vec<PhotoInput> {
    vec![PhotoInput {
        phase: PhotoPhase::After,
        name: Some("after.png".into()),
        bytes: solid_png(64, 48, [30, 160, 60]),
    }]
}

fn created(o: IntakeOutcome) -> String {
    match o {
        IntakeOutcome::Created { id, .. } => id,
        other => panic!("expected a new case, got {other:?}"),
    }
}

#[test]
fn one_case_from_report_to_closing_with_a_rework() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let lead = session(e, "leader", Role::ShiftLeader);
    let disp = session(e, "dispatch", Role::Dispatcher);
    let dept = session(e, "sanitation", Role::Department);
    let other = session(e, "enforcement", Role::Department);
    let before = e.overview().cases;

    let out = e
        .intake(
            &insp,
            &report("2026-03-02 09:10", centre(e), "0102"),
            &DuplicateParams::default(),
            &OnDuplicate::Check,
        )
        .unwrap();
    let IntakeOutcome::Created { id, placement, .. } = out else {
        panic!("{out:?}")
    };
    // Filled in by the engine, and the indexes know the case without a reload.
    assert!(
        placement.grid.is_some() && placement.street.is_some() && placement.community.is_some()
    );
    assert_eq!(placement.department.as_deref(), Some("D01"));
    assert_eq!(e.overview().cases, before + 1);
    assert_eq!(e.overview().open_cases, 1);
    assert!(e
        .queue(&rec, t("2026-03-02 09:15"))
        .unwrap()
        .iter()
        .any(|q| q.id == id));

    let step = |s: &Session, a: Action, at: &str| e.apply(&id, s, &a, t(at)).unwrap();
    step(&rec, Action::Accept { note: None }, "2026-03-02 09:20");
    step(
        &lead,
        Action::File {
            condition: None,
            note: None,
        },
        "2026-03-02 09:30",
    );
    // The department cannot act before dispatch; dispatch needs a department that exists.
    let err = e
        .apply(
            &id,
            &disp,
            &Action::Dispatch {
                department: "D99".into(),
                note: None,
            },
            t("2026-03-02 09:35"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused);
    assert!(matches!(
        err.refusal(),
        Some(Refusal::UnknownDepartment { .. })
    ));
    step(
        &disp,
        Action::Dispatch {
            department: "D01".into(),
            note: None,
        },
        "2026-03-02 09:40",
    );
    assert!(e
        .queue(&dept, t("2026-03-02 10:00"))
        .unwrap()
        .iter()
        .any(|q| q.id == id));
    assert!(e.queue(&other, t("2026-03-02 10:00")).unwrap().is_empty());

    // Feedback needs an after photo, and only the case's own department may give it.
    let err = e
        .apply(
            &id,
            &dept,
            &Action::Feedback {
                note: None,
                photos: vec![],
            },
            t("2026-03-02 11:00"),
        )
        .unwrap_err();
    assert!(
        matches!(err.refusal(), Some(Refusal::MissingInput { field, .. }) if field == "after_photo"),
        "{err}"
    );
    let err = e
        .apply(
            &id,
            &other,
            &Action::Feedback {
                note: None,
                photos: after_photo(),
            },
            t("2026-03-02 11:00"),
        )
        .unwrap_err();
    assert!(
        matches!(err.refusal(), Some(Refusal::NotYourDepartment { .. })),
        "{err}"
    );
    let fb = step(
        &dept,
        Action::Feedback {
            note: Some("已清理".into()),
            photos: after_photo(),
        },
        "2026-03-02 11:00",
    );
    assert_eq!(fb.photos.len(), 1);
    step(
        &insp,
        Action::CheckFail {
            reason: "仍有残留".into(),
        },
        "2026-03-02 14:30",
    );
    step(
        &dept,
        Action::Feedback {
            note: Some("再次清理".into()),
            photos: after_photo(),
        },
        "2026-03-02 16:00",
    );
    step(&insp, Action::CheckPass { note: None }, "2026-03-02 16:40");
    let done = step(&lead, Action::Close { note: None }, "2026-03-02 17:00");
    assert_eq!(done.to, CaseStatus::Closed);

    let detail = e
        .case_detail(&id, Some(&lead), t("2026-03-03 08:00"))
        .unwrap();
    assert_eq!(detail.status, CaseStatus::Closed);
    assert_eq!(detail.flow.rework_count, 1);
    assert!(detail.actions.is_empty());
    let actions: Vec<&str> = detail.audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "report",
            "accept",
            "file",
            "dispatch",
            "feedback",
            "check_fail",
            "feedback",
            "check_pass",
            "close"
        ]
    );
    assert_eq!(detail.audit[0].from_status, None);
    assert!(detail
        .audit
        .windows(2)
        .all(|w| w[0].to_status == w[1].from_status.unwrap()));
    assert_eq!(detail.photos.len(), 3);
    // Stage runs: accept, file, dispatch, handle ×2 (rework), check ×2, close; all ended.
    let stages: Vec<(&str, u32)> = detail
        .stages
        .iter()
        .map(|s| (s.stage.key(), s.round))
        .collect();
    assert_eq!(
        stages,
        [
            ("accept", 1),
            ("file", 1),
            ("dispatch", 1),
            ("handle", 1),
            ("check", 1),
            ("handle", 2),
            ("check", 2),
            ("close", 1)
        ]
    );
    assert!(detail
        .stages
        .iter()
        .all(|s| s.ended_at.is_some() && s.on_time.is_some()));
    // 暴露垃圾 in area A or B: 4 工作时 or 1 工作日; both handling runs were on time.
    assert!(detail
        .stages
        .iter()
        .filter(|s| s.stage.key() == "handle")
        .all(|s| s.on_time == Some(true)));
    assert_eq!(e.overview().open_cases, 0);
    // Closed cases are in no queue.
    for s in [&insp, &rec, &lead, &disp, &dept] {
        assert!(e
            .queue(s, t("2026-03-03 08:00"))
            .unwrap()
            .iter()
            .all(|q| q.id != id));
    }
    // The photo and its thumbnail can be fetched.
    let (mime, bytes) = e.case_photo(detail.photos[0].id).unwrap();
    assert_eq!(mime, "image/png");
    assert!(
        !bytes.is_empty()
            && !e
                .case_photo_thumbnail(detail.photos[0].id)
                .unwrap()
                .is_empty()
    );
}

#[test]
fn refused_transitions_change_nothing() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let disp = session(e, "dispatch", Role::Dispatcher);
    let id = created(
        e.intake(
            &insp,
            &report("2026-03-02 09:10", centre(e), "0504"),
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
        )
        .unwrap(),
    );
    let snap = |e: &Engine| {
        let d = e.case_detail(&id, None, t("2026-03-02 10:00")).unwrap();
        (d.status, d.flow, d.stages, d.audit.len(), d.photos.len())
    };
    let before = snap(e);
    let cases = [
        (&disp, Action::Accept { note: None }, "role_not_allowed"),
        (
            &rec,
            Action::Refuse {
                reason: "  ".into(),
            },
            "missing_input",
        ),
        (
            &rec,
            Action::File {
                condition: None,
                note: None,
            },
            "role_not_allowed",
        ),
        (
            &disp,
            Action::Dispatch {
                department: "D01".into(),
                note: None,
            },
            "wrong_status",
        ),
        (&insp, Action::CheckPass { note: None }, "wrong_status"),
        (
            &insp,
            Action::SelfHandle {
                note: None,
                photos: vec![],
            },
            "missing_input",
        ),
        (
            &insp,
            Action::SelfHandle {
                note: None,
                photos: vec![PhotoInput {
                    phase: PhotoPhase::After,
                    name: None,
                    bytes: b"garbage".to_vec(),
                }],
            },
            "invalid_input",
        ),
        (&rec, Action::Accept { note: None }, "invalid_input"), // before the report time
    ];
    for (s, a, expect) in cases {
        let at = if expect == "invalid_input" && matches!(a, Action::Accept { .. }) {
            t("2026-03-01 08:00")
        } else {
            t("2026-03-02 09:30")
        };
        let err = e.apply(&id, s, &a, at).unwrap_err();
        let r = serde_json::to_value(err.refusal().expect("a refusal")).unwrap();
        assert_eq!(r["refusal"], expect, "{a:?}: {err}");
        assert_eq!(snap(e), before, "{a:?} changed the case");
    }
    // A forged session is refused too.
    let forged = Session {
        login: "nobody".into(),
        name: "x".into(),
        role: Role::Receptionist,
        department: None,
    };
    let err = e
        .apply(
            &id,
            &forged,
            &Action::Accept { note: None },
            t("2026-03-02 09:30"),
        )
        .unwrap_err();
    assert!(matches!(err.refusal(), Some(Refusal::NotAuthorised { .. })));
    let wrong_role = Session {
        role: Role::ShiftLeader,
        ..rec.clone()
    };
    assert!(matches!(
        e.apply(
            &id,
            &wrong_role,
            &Action::Accept { note: None },
            t("2026-03-02 09:30")
        )
        .unwrap_err()
        .refusal(),
        Some(Refusal::NotAuthorised { .. })
    ));
    assert_eq!(snap(e), before);
    assert_eq!(
        e.available_actions(&id, &rec).unwrap(),
        vec![ActionKind::Accept, ActionKind::Refuse]
    );
}

#[test]
fn extension_hang_up_return_and_cancel_need_approval() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let lead = session(e, "leader", Role::ShiftLeader);
    let disp = session(e, "dispatch", Role::Dispatcher);
    let dept = session(e, "sanitation", Role::Department);
    let id = created(
        e.intake(
            &insp,
            &report("2026-03-02 09:00", centre(e), "0101"),
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
        )
        .unwrap(),
    );
    let ok = |s: &Session, a: Action, at: &str| e.apply(&id, s, &a, t(at)).unwrap();
    ok(&rec, Action::Accept { note: None }, "2026-03-02 09:10");
    ok(
        &lead,
        Action::File {
            condition: None,
            note: None,
        },
        "2026-03-02 09:20",
    );
    ok(
        &disp,
        Action::Dispatch {
            department: "D01".into(),
            note: None,
        },
        "2026-03-02 09:30",
    );
    let deadline0 = e
        .case_detail(&id, None, t("2026-03-02 10:00"))
        .unwrap()
        .clock
        .unwrap()
        .deadline
        .unwrap();
    // Extension: asked in the wrong clock is refused; in working days it is granted.
    let err = e
        .apply(
            &id,
            &dept,
            &Action::RequestExtension {
                amount: 2.0,
                unit: griddesk::clock::TimeUnit::CalendarDay,
                reason: "需审批".into(),
            },
            t("2026-03-02 10:00"),
        )
        .unwrap_err();
    assert!(
        matches!(err.refusal(), Some(Refusal::InvalidInput { field, .. }) if field == "unit"),
        "{err}"
    );
    ok(
        &dept,
        Action::RequestExtension {
            amount: 2.0,
            unit: griddesk::clock::TimeUnit::WorkDay,
            reason: "需审批".into(),
        },
        "2026-03-02 10:00",
    );
    // While a request waits the department cannot ask again or feed back.
    let err = e
        .apply(
            &id,
            &dept,
            &Action::RequestHangUp { reason: "x".into() },
            t("2026-03-02 10:05"),
        )
        .unwrap_err();
    assert!(matches!(
        err.refusal(),
        Some(Refusal::RequestPending { .. })
    ));
    assert!(e
        .queue(&disp, t("2026-03-02 10:10"))
        .unwrap()
        .iter()
        .any(|q| q.id == id && q.actions.contains(&ActionKind::ApproveExtension)));
    ok(
        &disp,
        Action::ApproveExtension {
            amount: None,
            note: None,
        },
        "2026-03-02 10:30",
    );
    let d1 = e.case_detail(&id, None, t("2026-03-02 11:00")).unwrap();
    assert_eq!(d1.flow.extension_count, 1);
    let deadline1 = d1.clock.unwrap().deadline.unwrap();
    let cal = e.calendar().unwrap();
    assert_eq!(cal.working_seconds(deadline0, deadline1), 2 * 8 * 3600);
    // Hang-up stops the clock; restoring moves the deadline by the working time it lasted.
    ok(
        &dept,
        Action::RequestHangUp {
            reason: "待规划".into(),
        },
        "2026-03-02 11:00",
    );
    ok(
        &disp,
        Action::ApproveHangUp { note: None },
        "2026-03-02 11:00",
    );
    let hung = e.case_detail(&id, None, t("2026-03-10 11:00")).unwrap();
    assert_eq!(hung.status, CaseStatus::Hung);
    assert!(hung.clock.unwrap().stopped && hung.clock.unwrap().deadline.is_none());
    ok(&disp, Action::Restore { note: None }, "2026-03-03 11:00");
    let restored = e.case_detail(&id, None, t("2026-03-03 11:00")).unwrap();
    assert_eq!(
        cal.working_seconds(deadline1, restored.clock.unwrap().deadline.unwrap()),
        8 * 3600
    );
    // Return: approved, the case goes back to dispatch with a new round.
    ok(
        &dept,
        Action::RequestReturn {
            reason: "非本部门职责".into(),
        },
        "2026-03-03 11:10",
    );
    ok(
        &disp,
        Action::ApproveReturn { note: None },
        "2026-03-03 11:20",
    );
    let back = e.case_detail(&id, None, t("2026-03-03 11:30")).unwrap();
    assert_eq!(
        (back.status, back.flow.return_count, back.flow.hangup_count),
        (CaseStatus::Filed, 1, 1)
    );
    // Cancel via approval: requested by the dispatcher, approved by the shift leader.
    ok(
        &disp,
        Action::RequestCancel {
            reason: "重复案件".into(),
        },
        "2026-03-03 11:40",
    );
    let err = e.apply(
        &id,
        &disp,
        &Action::Dispatch {
            department: "D02".into(),
            note: None,
        },
        t("2026-03-03 11:45"),
    );
    assert!(err.is_ok(), "dispatching lets the cancel request lapse");
    let st = e.case_detail(&id, None, t("2026-03-03 11:50")).unwrap();
    assert!(st.flow.request.is_none());
    assert_eq!(
        st.stages
            .iter()
            .filter(|s| s.stage.key() == "handle")
            .count(),
        2
    );
}

#[test]
fn duplicates_are_caught_at_intake_and_can_be_linked() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let p = centre(e);
    let first = created(
        e.intake(
            &insp,
            &report("2026-03-02 09:00", p, "0102"),
            &DuplicateParams::default(),
            &OnDuplicate::Check,
        )
        .unwrap(),
    );
    // 20 m away, an hour later: a duplicate.
    let near = [p[0] + 20.0 / (111_320.0 * p[1].to_radians().cos()), p[1]];
    let mut again = report("2026-03-02 10:00", near, "0102");
    again.source = CaseSource::Hotline12345;
    let out = e
        .intake(
            &rec,
            &again,
            &DuplicateParams::default(),
            &OnDuplicate::Check,
        )
        .unwrap();
    let IntakeOutcome::DuplicatesFound { candidates } = out else {
        panic!("{out:?}")
    };
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].id, first);
    assert!(
        (candidates[0].distance_m - 20.0).abs() < 0.5,
        "{}",
        candidates[0].distance_m
    );
    // Another class at the same place, or the same class 80 m away, is not a duplicate.
    let other_class = e
        .preview_intake(
            &rec,
            &report("2026-03-02 10:00", near, "0504"),
            &DuplicateParams::default(),
        )
        .unwrap();
    assert!(other_class.duplicates.is_empty());
    let far = [p[0], p[1] + 80.0 / 111_320.0];
    assert!(e
        .preview_intake(
            &rec,
            &report("2026-03-02 10:00", far, "0102"),
            &DuplicateParams::default()
        )
        .unwrap()
        .duplicates
        .is_empty());
    // Nor is an old one outside the time window.
    assert!(e
        .preview_intake(
            &rec,
            &report("2026-03-20 10:00", near, "0102"),
            &DuplicateParams::default()
        )
        .unwrap()
        .duplicates
        .is_empty());
    let cases = e.overview().cases;
    let linked = e
        .intake(
            &rec,
            &again,
            &DuplicateParams::default(),
            &OnDuplicate::LinkTo {
                case_id: first.clone(),
            },
        )
        .unwrap();
    assert!(matches!(linked, IntakeOutcome::Linked { ref original, .. } if original == &first));
    assert_eq!(e.overview().cases, cases, "linking makes no new case");
    let d1 = e.case_detail(&first, None, t("2026-03-02 11:00")).unwrap();
    assert_eq!(d1.flow.duplicate_count, 1);
    assert_eq!(d1.audit.last().unwrap().action, "duplicate_report");
    // Proceeding makes a new case.
    let second = created(
        e.intake(
            &rec,
            &again,
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
        )
        .unwrap(),
    );
    assert_ne!(second, first);
    // A case that left the loop is no longer a duplicate candidate.
    e.apply(
        &first,
        &rec,
        &Action::Refuse {
            reason: "不属于城管范围".into(),
        },
        t("2026-03-02 11:00"),
    )
    .unwrap();
    let cands = e
        .preview_intake(&rec, &again, &DuplicateParams::default())
        .unwrap()
        .duplicates;
    assert_eq!(
        cands.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [second.as_str()]
    );
}

#[test]
fn intake_is_validated_and_overdue_cases_show() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let dept = session(e, "sanitation", Role::Department);
    let p = centre(e);
    let mut bad = report("2026-03-02 09:00", p, "0102");
    bad.class_code = Some("0999".into());
    let err = e
        .intake(
            &insp,
            &bad,
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
        )
        .unwrap_err();
    assert!(
        matches!(err.refusal(), Some(Refusal::InvalidInput { field, .. }) if field == "class_code"),
        "{err}"
    );
    bad.class_code = None;
    assert!(
        matches!(e.intake(&insp, &bad, &DuplicateParams::default(), &OnDuplicate::Proceed).unwrap_err().refusal(), Some(Refusal::MissingInput { field, .. }) if field == "class_code")
    );
    let mut outside = report("2026-03-02 09:00", [p[0] + 3.0, p[1]], "0102");
    assert!(e
        .intake(
            &insp,
            &outside,
            &DuplicateParams::default(),
            &OnDuplicate::Proceed
        )
        .is_err());
    outside.location = Some(p);
    outside.source = CaseSource::QrCode;
    assert!(
        matches!(e.intake(&insp, &outside, &DuplicateParams::default(), &OnDuplicate::Proceed).unwrap_err().refusal(), Some(Refusal::MissingInput { field, .. }) if field == "component")
    );
    assert!(matches!(
        e.intake(
            &dept,
            &report("2026-03-02 09:00", p, "0102"),
            &DuplicateParams::default(),
            &OnDuplicate::Proceed
        )
        .unwrap_err()
        .refusal(),
        Some(Refusal::RoleNotAllowed { .. })
    ));
    // A component case: class and location from the register.
    let comp = e.loaded().index.components[0].clone();
    let mut by_comp = report("2026-03-02 09:00", p, "0102");
    by_comp.location = None;
    by_comp.class_code = None;
    by_comp.component = Some(comp.code.to_string());
    by_comp.source = CaseSource::QrCode;
    let pre = e
        .preview_intake(&insp, &by_comp, &DuplicateParams::default())
        .unwrap();
    assert_eq!(pre.kind, CaseKind::Component);
    assert_eq!(pre.class_code, comp.class_code.as_str());
    assert_eq!(pre.location, [comp.location.x(), comp.location.y()]);
    // An open case past its 受理 deadline is overdue, with its multiple.
    let id = created(
        e.intake(
            &insp,
            &report("2026-03-02 09:00", p, "0102"),
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
        )
        .unwrap(),
    );
    let clocks = e.case_clocks(t("2026-03-02 09:10")).unwrap();
    let c = clocks.iter().find(|c| c.id == id).unwrap();
    assert!(!c.clock.unwrap().overdue);
    let clocks = e.case_clocks(t("2026-03-03 09:00")).unwrap();
    let c = clocks.iter().find(|c| c.id == id).unwrap().clock.unwrap();
    assert!(c.overdue && c.overdue_multiple > 1.0, "{c:?}");
    let page = e
        .case_list(
            &griddesk::workflow::CaseFilter {
                overdue: Some(true),
                ..Default::default()
            },
            t("2026-03-03 09:00"),
        )
        .unwrap();
    assert!(page.rows.iter().any(|r| r.id == id));
    let page = e
        .case_list(
            &griddesk::workflow::CaseFilter {
                overdue: Some(true),
                ..Default::default()
            },
            t("2026-03-02 09:10"),
        )
        .unwrap();
    assert!(page.rows.iter().all(|r| r.id != id));
    let chief = session(e, "chief", Role::Leader);
    assert!(e
        .queue(&chief, t("2026-03-03 09:00"))
        .unwrap()
        .iter()
        .any(|q| q.id == id));
}

#[test]
fn sign_in_refusals_are_typed() {
    let d = district();
    let e = &d.engine;
    let r = |login: &str, pw: &str, role| {
        let err = e.sign_in(login, pw, role).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SignInRefused);
        err.to_string()
    };
    assert!(r("inspector", "nope-nope", Role::Inspector).contains("wrong login or password"));
    assert!(r("ghost", "whatever", Role::Inspector).contains("wrong login or password"));
    assert!(r("inspector", "inspector-pass", Role::Dispatcher).contains("does not hold"));
    let admin = e.sign_in("admin", "admin-pass", Role::Admin).unwrap();
    e.set_user_active(&admin, "inspector", false).unwrap();
    assert!(r("inspector", "inspector-pass", Role::Inspector).contains("disabled"));
    // Only administrators manage users.
    let disp = session(e, "dispatch", Role::Dispatcher);
    let nu = NewUser {
        login: "x1".into(),
        name: "x".into(),
        password: "secret1".into(),
        roles: vec![Role::Inspector],
        department: None,
    };
    assert_eq!(
        e.add_user(Some(&disp), &nu).unwrap_err().kind(),
        ErrorKind::Refused
    );
    assert_eq!(
        e.add_user(None, &nu).unwrap_err().kind(),
        ErrorKind::SignInRefused
    );
    e.add_user(Some(&admin), &nu).unwrap();
    assert!(e.sign_in("x1", "secret1", Role::Inspector).is_ok());
}

#[test]
fn the_audit_is_append_only() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let id = created(
        e.intake(
            &insp,
            &report("2026-03-02 09:00", centre(e), "0102"),
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
        )
        .unwrap(),
    );
    let conn = rusqlite::Connection::open(e.path()).unwrap();
    for sql in ["UPDATE case_audit SET note = 'x'", "DELETE FROM case_audit"] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{err}");
    }
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM case_audit WHERE case_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}
