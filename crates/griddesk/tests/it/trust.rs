//! Trust (issue 16) through the engine: every change audited and sealed, a check that finds
//! tampering, user management with at least one administrator, demo accounts with random salts,
//! personal data masked by role with every full look recorded, read-only opening, and a first
//! start that is never left half-done.

use crate::common::{admin, centre, district, session, t};
use griddesk::audit::{AuditBreak, AuditQuery};
use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
use griddesk::model::{CaseKind, CaseSource};
use griddesk::users::{NewUser, Role, RoleChange};
use griddesk::{Engine, ErrorKind};

fn entries(e: &Engine, action: &str) -> Vec<griddesk::audit::AuditEntry> {
    e.audit_entries(
        &admin(e),
        &AuditQuery {
            action: Some(action.into()),
            ..Default::default()
        },
    )
    .expect("audit")
}

fn hotline(at: &str, p: [f64; 2]) -> IntakeRequest {
    IntakeRequest {
        source: CaseSource::Hotline12319,
        kind: CaseKind::Event,
        class_code: Some("0102".into()),
        condition: None,
        location: Some(p),
        component: None,
        description: Some("垃圾满溢".into()),
        address: Some("横街路12号".into()),
        reporter: Some("王小明".into()),
        reporter_phone: Some("13812345678".into()),
        photos: vec![],
        reported_at: t(at),
        urgency: None,
    }
}

#[test]
fn settings_users_and_calendar_changes_are_audited_with_before_and_after() {
    let d = district();
    let e = &d.engine;
    let a = admin(e);

    // Evaluation weights: before and after.
    let mut cfg = e.evaluation_config().unwrap();
    let old = cfg.clone();
    cfg.region.w_closure += 1.0;
    e.set_evaluation_config(&a, &cfg, Some(&old)).unwrap();
    let rows = entries(e, "settings");
    let row = rows
        .iter()
        .find(|r| r.action == "settings.evaluation")
        .expect("evaluation audited");
    assert_eq!(row.login, "admin");
    assert_eq!(row.role, Some(Role::Admin));
    assert_eq!(row.before, Some(serde_json::to_value(&old).unwrap()));
    assert_eq!(row.after, Some(serde_json::to_value(&cfg).unwrap()));

    // The calendar: the day as it was, and the edit.
    let day = griddesk::clock::CalendarDay {
        date: chrono::NaiveDate::from_ymd_opt(2026, 10, 9).unwrap(),
        kind: griddesk::clock::DayKind::Holiday,
        note: "test".into(),
    };
    e.edit_calendar(&a, &[griddesk::clock::CalendarEdit::SetDay(day)])
        .unwrap();
    let cal = entries(e, "calendar");
    assert_eq!(cal.len(), 1);
    assert_eq!(cal[0].subject, "2026-10-09");
    assert!(cal[0].after.is_some() && cal[0].before.is_some());

    // Users: create, roles, disable — each with who did it.
    let u = e
        .add_user(
            Some(&a),
            &NewUser {
                login: "zhang".into(),
                name: "张三".into(),
                password: "zhang-pass".into(),
                roles: vec![Role::Inspector],
                department: None,
            },
        )
        .unwrap();
    assert!(!u.demo);
    e.set_user_roles(
        &a,
        &RoleChange {
            login: "zhang".into(),
            roles: vec![Role::Inspector, Role::Receptionist],
            department: None,
        },
    )
    .unwrap();
    e.set_user_active(&a, "zhang", false).unwrap();
    let users: Vec<String> = entries(e, "user")
        .iter()
        .filter(|r| r.subject == "zhang")
        .map(|r| r.action.clone())
        .collect();
    assert_eq!(users, ["user.disable", "user.roles", "user.create"]);
    assert_eq!(
        e.sign_in("zhang", "zhang-pass", Role::Inspector)
            .unwrap_err()
            .kind(),
        ErrorKind::SignInRefused
    );

    // Nobody else reads the audit.
    let insp = session(e, "inspector", Role::Inspector);
    assert_eq!(
        e.audit_entries(&insp, &AuditQuery::default())
            .unwrap_err()
            .kind(),
        ErrorKind::NotPermitted
    );
    // And the chain over all of it is whole.
    let c = e.check_audit().unwrap();
    assert!(c.ok(), "{c:?}");
    assert!(c.seals > 5);
}

#[test]
fn zone_edits_and_imports_are_audited() {
    let d = district();
    let e = &d.engine;
    let a = admin(e);
    let layer = "test".to_string();
    let kinds = e.zone_layers();
    e.put_zone_layer(
        &a,
        &griddesk::zones::ZoneLayer {
            code: layer.clone(),
            name: "测试图层".into(),
            kind: griddesk::zones::LayerKind::Custom,
            network: kinds[0].layer.network,
            order: 99,
        },
    )
    .unwrap();
    let grids: Vec<String> = e.loaded().index.grids[..3]
        .iter()
        .map(|g| g.code.to_string())
        .collect();
    e.put_zone(
        &a,
        &griddesk::zones::ZoneEdit {
            layer: layer.clone(),
            code: "T1".into(),
            name: "测试片区".into(),
            grids: Some(grids.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    e.unassign_grids(&a, &layer, &grids[..1]).unwrap();
    let z = entries(e, "zone");
    assert_eq!(z.len(), 3, "{z:?}");
    assert_eq!(z[0].action, "zone.unassign");
    assert_eq!(z[1].action, "zone.put");
    assert_eq!(z[2].action, "zone.layer.put");
    assert_eq!(z[1].subject, format!("{layer}/T1"));
    assert!(z[1].before.is_none(), "a new zone has nothing before");

    // A CSV import of components: one row naming the file and what it wrote.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("c.csv");
    let [lon, lat] = crate::common::centre(e);
    let code = format!(
        "{}0101999001",
        e.loaded().index.district.as_ref().unwrap().code
    );
    std::fs::write(&csv, format!("code,lon,lat\n{code},{lon},{lat}\n")).unwrap();
    let r = e
        .import(
            &a,
            &csv,
            griddesk::io::Dataset::Components,
            Default::default(),
        )
        .unwrap();
    assert_eq!(r.imported, 1);
    let imp = entries(e, "import");
    assert_eq!(imp.len(), 1);
    assert_eq!(imp[0].subject, csv.display().to_string());
    assert_eq!(imp[0].after.as_ref().unwrap()["components"], 1);
    assert_eq!(imp[0].after.as_ref().unwrap()["dataset"], "components");
    assert!(e.check_audit().unwrap().ok());
}

#[test]
fn tampering_with_any_audit_table_is_found_by_the_check() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let out = e
        .intake(
            &insp,
            &hotline("2026-03-02 09:10", centre(e)),
            &DuplicateParams::default(),
            &OnDuplicate::Check,
        )
        .ok();
    // An inspector may not take hotline reports; the refusal is fine, a sign-in is logged.
    drop(out);
    let path = e.path().to_path_buf();
    assert!(Engine::check_store(&path).unwrap().ok());
    // A script with the file drops the append-only trigger and rewrites a sign-in.
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("UPDATE sign_in_log SET login = 'forged' WHERE seq = 1")
        .unwrap();
    drop(c);
    let report = Engine::check_store(&path).unwrap();
    assert!(!report.ok());
    let audit = report.audit.unwrap();
    assert_eq!(
        audit.breaks,
        vec![AuditBreak::Changed {
            table: "sign_in_log".into(),
            first: 1,
            last: 1
        }]
    );
    // The case audit's own trigger is no protection either once dropped — but the seal is.
    let c = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM case_audit", [], |r| r.get(0))
        .unwrap();
    if n > 0 {
        c.execute_batch(
            "DROP TRIGGER case_audit_no_update; UPDATE case_audit SET actor = 'x' WHERE seq = 1",
        )
        .unwrap();
        drop(c);
        let breaks = Engine::check_store(&path).unwrap().audit.unwrap().breaks;
        assert!(breaks
            .iter()
            .any(|b| matches!(b, AuditBreak::Changed { table, first, .. } if table == "case_audit" && *first <= 1)));
    }
}

#[test]
fn the_last_administrator_stays_and_the_first_user_must_be_one() {
    let d = district();
    let e = &d.engine;
    let a = session(e, "admin", Role::Admin);
    let last = e.set_user_active(&a, "admin", false).unwrap_err();
    assert_eq!(last.message().code.key(), "last-administrator");
    let last = e
        .set_user_roles(
            &a,
            &RoleChange {
                login: "admin".into(),
                roles: vec![Role::Leader],
                department: None,
            },
        )
        .unwrap_err();
    assert_eq!(last.message().code.key(), "last-administrator");
    // An inspector manages nobody.
    let insp = session(e, "inspector", Role::Inspector);
    assert!(e.set_user_active(&insp, "reception", false).is_err());
    assert!(e.set_password(&insp, "reception", "new-pass-1").is_err());
    // Changing one's own password works and the old one stops working.
    e.set_password(&insp, "inspector", "new-pass-1").unwrap();
    assert!(e
        .sign_in("inspector", "inspector-pass", Role::Inspector)
        .is_err());
    e.sign_in("inspector", "new-pass-1", Role::Inspector)
        .unwrap();

    // An empty store's first user must be an administrator.
    let dir = tempfile::tempdir().unwrap();
    let tables = griddesk::codetable::CodeTables::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/codes"),
    )
    .unwrap();
    let empty = Engine::create(&dir.path().join("e.sqlite"), &tables).unwrap();
    assert!(empty.needs_first_admin().unwrap());
    assert!(empty.demo_accounts().unwrap().is_empty());
    let nu = |roles| NewUser {
        login: "first".into(),
        name: "第一".into(),
        password: "first-pass".into(),
        roles,
        department: None,
    };
    let err = empty
        .add_user(None, &nu(vec![Role::Inspector]))
        .unwrap_err();
    assert_eq!(err.message().code.key(), "first-user-admin");
    empty.add_user(None, &nu(vec![Role::Admin])).unwrap();
    assert!(!empty.needs_first_admin().unwrap());
    // Its creation is recorded as the user's own.
    let s = empty.sign_in("first", "first-pass", Role::Admin).unwrap();
    let rows = empty.audit_entries(&s, &AuditQuery::default()).unwrap();
    assert_eq!(rows[0].action, "user.create");
    assert_eq!(rows[0].login, "first");
}

#[test]
fn reporters_are_masked_for_roles_that_do_not_call_them_and_every_full_look_is_recorded() {
    let d = district();
    let e = &d.engine;
    let rec = session(e, "reception", Role::Receptionist);
    let insp = session(e, "inspector", Role::Inspector);
    let IntakeOutcome::Created { id, .. } = e
        .intake(
            &rec,
            &hotline("2026-03-02 09:10", centre(e)),
            &DuplicateParams::default(),
            &OnDuplicate::Check,
        )
        .unwrap()
    else {
        panic!("not created")
    };
    let now = t("2026-03-02 10:00");
    let full = e.case_detail(&id, Some(&rec), now).unwrap();
    assert_eq!(full.flow.reporter.as_deref(), Some("王小明"));
    assert_eq!(full.flow.reporter_phone.as_deref(), Some("13812345678"));
    let masked = e.case_detail(&id, Some(&insp), now).unwrap();
    assert_eq!(masked.flow.reporter.as_deref(), Some("王**"));
    assert_eq!(masked.flow.reporter_phone.as_deref(), Some("138****5678"));
    let nobody = e.case_detail(&id, None, now).unwrap();
    assert_eq!(nobody.flow.reporter_phone.as_deref(), Some("138****5678"));
    // Only the full look was recorded: who, as what, which case.
    let looks = entries(e, "view");
    assert_eq!(looks.len(), 1);
    assert_eq!(looks[0].login, "reception");
    assert_eq!(looks[0].role, Some(Role::Receptionist));
    assert_eq!(looks[0].subject, id);

    // The case list and photos need a signed-in user who exists in this store.
    let ghost = griddesk::users::Session {
        login: "ghost".into(),
        name: "ghost".into(),
        role: Role::Admin,
        department: None,
    };
    assert!(e.case_list(&ghost, &Default::default(), now).is_err());
    assert!(e.case_list(&insp, &Default::default(), now).is_ok());
    assert!(e.case_photo_thumbnail(&ghost, 1).is_err());
}

#[test]
fn staff_phones_are_masked_for_roles_that_do_not_need_them() {
    let d = district();
    let e = &d.engine;
    let a = admin(e);
    e.put_person(
        &a,
        &griddesk::zones::Person {
            id: "P1".into(),
            name: "李四".into(),
            role: griddesk::zones::Role::Inspector,
            phone: Some("13900001111".into()),
            unit: None,
        },
    )
    .unwrap();
    let phone = |p: Vec<griddesk::zones::PersonRef>| {
        p.into_iter()
            .find(|p| p.id.as_deref() == Some("P1"))
            .and_then(|p| p.phone)
    };
    assert_eq!(phone(e.people(Some(&a))).as_deref(), Some("13900001111"));
    let insp = session(e, "inspector", Role::Inspector);
    assert_eq!(phone(e.people(Some(&insp))).as_deref(), Some("139****1111"));
    assert_eq!(phone(e.people(None)).as_deref(), Some("139****1111"));
}

#[test]
fn a_store_opened_read_only_refuses_every_write_and_is_not_changed() {
    let d = district();
    let path = d.engine.path().to_path_buf();
    drop(d.engine);
    let before = std::fs::read(&path).unwrap();
    let e = Engine::open_read_only(&path).unwrap();
    assert!(e.is_read_only());
    // Sign-in works (it cannot be recorded), reading works, writing is refused.
    let a = e.sign_in("admin", "admin-pass", Role::Admin).unwrap();
    assert!(e.overview().grids > 0);
    let err = e.set_user_active(&a, "inspector", false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreReadOnly);
    assert_eq!(err.message().code.key(), "store-read-only");
    drop(e);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is untouched"
    );
}

#[test]
fn a_foreign_or_empty_file_is_refused_without_being_changed() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        Engine::open(&empty).unwrap_err().kind(),
        ErrorKind::StoreCorrupt
    );
    assert_eq!(std::fs::read(&empty).unwrap(), b"");
    assert!(!dir.path().join("empty.sqlite-wal").exists());

    let foreign = dir.path().join("other.sqlite");
    let c = rusqlite::Connection::open(&foreign).unwrap();
    c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(c);
    let before = std::fs::read(&foreign).unwrap();
    assert_eq!(
        Engine::open(&foreign).unwrap_err().kind(),
        ErrorKind::StoreCorrupt
    );
    let after = std::fs::read(&foreign).unwrap();
    // Bytes 18–19 of the header are 1 (rollback journal), 2 after a switch to WAL.
    assert_eq!(after[18..20], [1, 1], "not switched to WAL");
    assert_eq!(after, before);
}

#[test]
fn an_interrupted_first_start_is_refused_and_a_new_one_starts_over() {
    let dir = tempfile::tempdir().unwrap();
    let res = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources");
    // A store whose setup began but did not finish (what a kill during seeding leaves when the
    // seeding happened in place).
    let half = dir.path().join("half.sqlite");
    {
        let tables = griddesk::codetable::CodeTables::load_dir(&res.join("codes")).unwrap();
        let mut s = griddesk::store::Store::create(&half).unwrap();
        s.write(|w| w.set_meta("setup", "seeding")).unwrap();
        drop(tables);
    }
    let err = Engine::open(&half).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreIncomplete, "{err}");
    assert_eq!(Engine::check_store(&half).unwrap().setup, "seeding");

    // A first start leaves the temporary file nowhere and the store complete.
    let path = dir.path().join("d.sqlite");
    std::fs::write(dir.path().join("d.sqlite.seeding"), b"leftover of a kill").unwrap();
    let (e, seeded) = Engine::open_or_seed(&path, &res).unwrap();
    assert!(seeded);
    assert!(!dir.path().join("d.sqlite.seeding").exists());
    assert_eq!(e.path(), path.as_path());
    let check = Engine::check_store(&path).unwrap();
    assert!(check.ok(), "{check:?}");
    assert_eq!(check.setup, "complete");
    // The demo accounts are marked and salted at random: two seeds differ.
    let demo = e.demo_accounts().unwrap();
    assert_eq!(demo.len(), griddesk::sample::caseloop::DEMO_ACCOUNTS.len());
    let a = e.sign_in("admin", "admin@2026", Role::Admin).unwrap();
    e.set_password(&a, "admin", "changed-1").unwrap();
    assert!(!e.demo_accounts().unwrap().iter().any(|(l, _)| l == "admin"));
    drop(e);
    let other = dir.path().join("d2.sqlite");
    Engine::open_or_seed(&other, &res).unwrap();
    let hash = |p: &std::path::Path| -> String {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row(
                "SELECT password FROM app_user WHERE login = 'inspector'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_ne!(hash(&path), hash(&other), "random salts");
}

#[test]
fn an_edit_based_on_values_another_process_changed_is_refused() {
    use griddesk::register::ComponentEdit;
    let d = district();
    let e = &d.engine;
    let a = admin(e);
    let code = e.loaded().index.components[0].code.to_string();
    let seen = e.component(&code).unwrap();
    // Another process (a second engine on the same file: the CLI, another window) changes it.
    let other = Engine::open(e.path()).unwrap();
    let a2 = other.sign_in("admin", "admin-pass", Role::Admin).unwrap();
    other
        .edit_component(
            &a2,
            &code,
            &ComponentEdit {
                owner: Some(Some("别处改的单位".into())),
                ..Default::default()
            },
            t("2026-03-05 10:00"),
        )
        .unwrap();
    // This window's form still shows what it opened with: saving it is refused, not applied.
    let stale = ComponentEdit {
        owner: Some(seen.owner.clone()),
        maintainer: Some(Some("本窗口的养护单位".into())),
        expected: Some(seen.clone()),
        ..Default::default()
    };
    let err = e
        .edit_component(&a, &code, &stale, t("2026-03-05 10:01"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert_eq!(err.message().code.key(), "component-changed-since");
    // Without `expected`, the history's "before" is what is really stored, not what this
    // engine's index last saw.
    e.edit_component(
        &a,
        &code,
        &ComponentEdit {
            state: Some(griddesk::model::ComponentState::Damaged),
            ..Default::default()
        },
        t("2026-03-05 10:02"),
    )
    .unwrap();
    let h = e.component_history(&code).unwrap();
    let last = h.last().unwrap();
    assert_eq!(
        last.before.as_ref().unwrap().owner.as_deref(),
        Some("别处改的单位")
    );
    assert_eq!(
        last.after.as_ref().unwrap().owner.as_deref(),
        Some("别处改的单位"),
        "the other process's value survives"
    );
    assert_eq!(last.role, Some(Role::Admin));
}

/// The settings forms (evaluation, time limits, the calendar) send what they showed; another
/// process's change in between refuses the save and leaves that change in place.
#[test]
fn settings_saved_from_a_form_another_process_changed_since_are_refused() {
    use griddesk::clock::{CalendarDay, CalendarEdit, DayKind, TimeLimit, TimeUnit};
    use griddesk::filing::{AreaClass, Stage};
    use griddesk::message::Thing;
    use griddesk::workflow::LimitEdit;
    let d = district();
    let e = &d.engine;
    let a = admin(e);
    let other = Engine::open(e.path()).unwrap();
    let a2 = other.sign_in("admin", "admin-pass", Role::Admin).unwrap();
    let refused = |err: griddesk::Error, thing: Thing| {
        assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
        let m = err.message();
        assert_eq!(m.code.key(), "changed-since");
        assert_eq!(
            serde_json::to_value(&m.params["thing"]).unwrap()["term"],
            format!("thing.{}", thing.key())
        );
    };

    // Evaluation: this window opened the configuration, the other process saved another.
    let seen = e.evaluation_config().unwrap();
    let mut theirs = seen.clone();
    theirs.min_sample += 3;
    other
        .set_evaluation_config(&a2, &theirs, Some(&seen))
        .unwrap();
    let mut mine = seen.clone();
    mine.region.w_closure += 1.0;
    refused(
        e.set_evaluation_config(&a, &mine, Some(&seen)).unwrap_err(),
        Thing::EvaluationSettings,
    );
    assert_eq!(e.evaluation_config().unwrap(), theirs, "theirs stays");
    // Reopened, the form shows theirs and saves.
    e.set_evaluation_config(&a, &mine, Some(&theirs)).unwrap();
    assert_eq!(other.evaluation_config().unwrap(), mine);

    // A time limit: the form showed the limit as it was.
    let std = e.filing_standard().unwrap();
    let cond = std.conditions_of(CaseKind::Event, "0102")[0].clone();
    let shown = cond.limit(Stage::Handle, AreaClass::B).unwrap();
    let edit = |limit: TimeLimit, seen: Option<TimeLimit>| LimitEdit {
        kind: CaseKind::Event,
        class_code: "0102".into(),
        condition: cond.condition.clone(),
        stage: Stage::Handle,
        area_class: AreaClass::B,
        limit,
        seen,
    };
    let days = |n: f64| TimeLimit {
        amount: n,
        unit: TimeUnit::WorkDay,
    };
    other
        .set_time_limit(&a2, &edit(days(7.0), Some(shown)))
        .unwrap();
    refused(
        e.set_time_limit(&a, &edit(days(3.0), Some(shown)))
            .unwrap_err(),
        Thing::TimeLimit,
    );
    let now = e.filing_standard().unwrap();
    let c = now.conditions_of(CaseKind::Event, "0102")[0];
    assert_eq!(c.limit(Stage::Handle, AreaClass::B), Some(days(7.0)));
    assert!(!c.is_default, "a changed condition is the centre's own");
    // Only that slot changed.
    assert_eq!(
        c.limit(Stage::Handle, AreaClass::A),
        cond.limit(Stage::Handle, AreaClass::A)
    );
    // A limit that is not positive is refused; nothing changes.
    let err = e
        .set_time_limit(&a, &edit(days(0.0), Some(days(7.0))))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let out = e
        .set_time_limit(&a, &edit(days(3.0), Some(days(7.0))))
        .unwrap();
    assert_eq!(out[0].limit(Stage::Handle, AreaClass::B), Some(days(3.0)));

    // The calendar: this window's list showed no entry for the date; the other process added one.
    let date = chrono::NaiveDate::from_ymd_opt(2026, 10, 9).unwrap();
    let day = |kind, note: &str| CalendarDay {
        date,
        kind,
        note: note.into(),
    };
    other
        .edit_calendar_day(
            &a2,
            &CalendarEdit::SetDay(day(DayKind::Holiday, "他们的")),
            None,
        )
        .unwrap();
    refused(
        e.edit_calendar_day(
            &a,
            &CalendarEdit::SetDay(day(DayKind::Workday, "我的")),
            None,
        )
        .unwrap_err(),
        Thing::CalendarDay,
    );
    refused(
        e.edit_calendar_day(&a, &CalendarEdit::ClearDay { date }, None)
            .unwrap_err(),
        Thing::CalendarDay,
    );
    let cal = e.calendar().unwrap();
    assert_eq!(
        cal.days().find(|x| x.date == date).map(|x| x.note.as_str()),
        Some("他们的")
    );
    let theirs = day(DayKind::Holiday, "他们的");
    e.edit_calendar_day(&a, &CalendarEdit::ClearDay { date }, Some(&theirs))
        .unwrap();
    assert!(other.calendar().unwrap().days().all(|x| x.date != date));
}

/// A case action is checked against the case as stored: a step another process took a moment
/// ago is not taken twice.
#[test]
fn a_case_step_another_process_took_is_not_taken_again() {
    use griddesk::workflow::Action;
    let d = district();
    let e = &d.engine;
    let rec = session(e, "reception", Role::Receptionist);
    let IntakeOutcome::Created { id, .. } = e
        .intake(
            &rec,
            &hotline("2026-03-02 09:10", centre(e)),
            &DuplicateParams::default(),
            &OnDuplicate::Check,
        )
        .unwrap()
    else {
        panic!("not created")
    };
    let other = Engine::open(e.path()).unwrap();
    let rec2 = session(&other, "reception", Role::Receptionist);
    other
        .apply(
            &id,
            &rec2,
            &Action::Accept { note: None },
            t("2026-03-02 09:20"),
        )
        .unwrap();
    let err = e
        .apply(
            &id,
            &rec,
            &Action::Accept { note: None },
            t("2026-03-02 09:21"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    let detail = e
        .case_detail(&id, Some(&rec), t("2026-03-02 10:00"))
        .unwrap();
    let accepts = detail.audit.iter().filter(|h| h.action == "accept").count();
    assert_eq!(accepts, 1, "accepted once");
}

/// Zone edits read the store as it is before they check and record: the "before" of the audit
/// row is another process's value, not this engine's older copy, even right after it (inside
/// the periodic check's interval).
#[test]
fn a_zone_edit_records_what_another_process_left_as_its_before() {
    use griddesk::zones::model::{OrgUnit, UnitKind};
    let d = district();
    let e = &d.engine;
    let a = admin(e);
    let unit = |name: &str| OrgUnit {
        code: "U-TEST".into(),
        name: name.into(),
        kind: UnitKind::Department,
        parent: None,
        phone: None,
    };
    e.put_unit(&a, &unit("本窗口建的")).unwrap();
    let other = Engine::open(e.path()).unwrap();
    let a2 = other.sign_in("admin", "admin-pass", Role::Admin).unwrap();
    other.put_unit(&a2, &unit("别处改的")).unwrap();
    e.put_unit(&a, &unit("本窗口再改")).unwrap();
    let rows = entries(e, "zone");
    let last = rows
        .iter()
        .find(|r| r.action == "zone.unit.put")
        .expect("audited");
    assert_eq!(last.after.as_ref().unwrap()["name"], "本窗口再改");
    assert_eq!(
        last.before.as_ref().unwrap()["name"],
        "别处改的",
        "the before is what the other process stored"
    );
}

#[test]
fn a_grid_import_goes_through_the_topology_guard() {
    let d = district();
    let e = &d.engine;
    let a = admin(e);
    let (code, ring) = {
        let l = e.loaded();
        let g = &l.index.grids[0];
        let community = g.code.to_string()[..12].to_string();
        // A new code in the same community, drawn over half of an existing grid.
        let used: std::collections::HashSet<String> =
            l.index.grids.iter().map(|g| g.code.to_string()).collect();
        let code = (1..999)
            .map(|n| format!("{community}{n:03}"))
            .find(|c| !used.contains(c))
            .unwrap();
        let r = g.polygon.exterior();
        let (minx, miny, maxx, maxy) = r.0.iter().fold(
            (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
            |(a, b, c, d), p| (a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y)),
        );
        let (cx, cy) = ((minx + maxx) / 2.0, (miny + maxy) / 2.0);
        let ring = vec![[minx, miny], [cx, miny], [cx, cy], [minx, cy], [minx, miny]];
        (code, ring)
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grids.geojson");
    let fc = serde_json::json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": { "code": code, "start_date": "2026-01-01" },
            "geometry": { "type": "Polygon", "coordinates": [ring] }
        }]
    });
    std::fs::write(&file, fc.to_string()).unwrap();
    let before = e.overview().grids;
    let err = e
        .import(&a, &file, griddesk::io::Dataset::Grids, Default::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TopologyRefused, "{err}");
    let griddesk::Error::TopologyRefused(report) = &err else {
        unreachable!()
    };
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.rule.id() == "overlap" && p.grids.iter().any(|g| g.to_string() == code)),
        "{report:?}"
    );
    assert_eq!(e.overview().grids, before, "nothing written");
    assert!(
        entries(e, "import").is_empty(),
        "no audit row for a refused import"
    );
}

#[test]
fn damage_that_opening_does_not_read_is_found_by_the_quick_check() {
    let d = district();
    let path = d.engine.path().to_path_buf();
    drop(d.engine);
    // Break the root page of an index no view reads at open (the case audit's).
    let (page, size): (i64, i64) = {
        let c = rusqlite::Connection::open(&path).unwrap();
        let page = c
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'case_audit_case'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let size = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        (page, size)
    };
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.seek(SeekFrom::Start(((page - 1) * size) as u64)).unwrap();
        f.write_all(&[0x77; 16]).unwrap();
    }
    let e = Engine::open(&path).expect("the map's tables are intact: it opens");
    let found = e.quick_check().unwrap();
    assert_ne!(found, "ok");
    assert!(!Engine::check_store(&path).unwrap().ok());
}
