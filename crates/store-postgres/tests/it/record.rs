//! A district's workflow records in the centre (`CaseRecords`), the same calls on a station's
//! SQLite store holding the same district: the same flows, stage runs, hang-ups, audit trails
//! (sealed in the centre), statuses and photos, step by step and written at once; and a
//! district's view that never reads or writes another district's records.

use crate::common;

use chrono::{NaiveDate, NaiveDateTime};
use griddesk_caseloop::clock_store::CalendarStore;
use griddesk_caseloop::filing::store::FilingStore;
use griddesk_caseloop::filing::{AreaClass, Stage, Urgency};
use griddesk_caseloop::users_store::UsersStore;
use griddesk_caseloop::workflow::machine::RequestKind;
use griddesk_caseloop::workflow::photo::{PhotoPhase, Prepared};
use griddesk_caseloop::workflow::record::{
    AuditEntry, CaseRecords, Flow, HangRecord, History, PendingRequest, StageRun,
};
use griddesk_caseloop::CaseLoopStore;
use griddesk_core::clock::{Interval, TimeLimit, TimeUnit};
use griddesk_core::code::DistrictCode;
use griddesk_core::model::CaseStatus;
use griddesk_core::users::Department;
use griddesk_core::ErrorKind;
use griddesk_sample::{generate, SampleDistrict, SampleParams};
use griddesk_store::{AuditStore, ModelSink, ModelStore};
use griddesk_store_postgres::Centre;
use std::collections::HashMap;

fn code(s: &str) -> DistrictCode {
    DistrictCode::parse(s).expect("a district code")
}

fn at(day: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, day)
        .and_then(|d| d.and_hms_opt(hour, 7, 9))
        .expect("a time")
}

fn department(code: &str) -> Department {
    Department {
        code: code.into(),
        name: format!("部门 {code}"),
        active: true,
    }
}

/// A history of `runs` stage runs (every third with a hang-up, the last one running) and
/// `runs * 2` audit rows; `tag` makes two histories of the same case differ.
fn history(id: &str, runs: usize, tag: &str) -> History {
    let limit = TimeLimit {
        amount: 2.0,
        unit: TimeUnit::WorkHour,
    };
    let mut h = History {
        flow: Flow {
            case_id: id.into(),
            street: Some("331003001".into()),
            community: None,
            duty_grid: None,
            inspector: Some(format!("inspector{tag}")),
            department: Some("D01".into()),
            area_class: AreaClass::A,
            condition: Some("条件 1".into()),
            urgency: Urgency::Ordinary,
            address: Some(format!("地址 {tag}")),
            reporter: None,
            reporter_phone: None,
            created_by: Some("inspector".into()),
            supervised: true,
            rework_count: 1,
            extension_count: 0,
            hangup_count: (runs / 3) as u32,
            return_count: 0,
            duplicate_count: 0,
            request: None,
            closed_at: Some(at(20, 17)),
            updated_at: at(20, 17),
        },
        runs: Vec::new(),
        audit: Vec::new(),
    };
    for k in 0..runs {
        let day = 1 + (k % 27) as u32;
        let last = k + 1 == runs;
        h.runs.push((
            StageRun {
                id: 0,
                stage: [Stage::Accept, Stage::Handle, Stage::Check][k % 3],
                round: 1 + (k / 3) as u32,
                department: (k % 3 == 1).then(|| "D01".to_string()),
                started_at: at(day, 8),
                limit,
                extension_seconds: (k as i64) * 60,
                hung_seconds: 0,
                deadline: (!last).then(|| at(day, 10)),
                ended_at: (!last).then(|| at(day, 9)),
                used_seconds: (!last).then_some(3600),
                on_time: (!last).then_some(k % 2 == 0),
                outcome: (!last).then(|| "file".to_string()),
                ended_by: (!last).then(|| "shiftleader".to_string()),
            },
            if k % 3 == 2 {
                vec![HangRecord {
                    interval: Interval {
                        start: at(day, 9),
                        end: (!last).then(|| at(day, 11)),
                    },
                    reason: Some(format!("挂账 {tag}")),
                }]
            } else {
                Vec::new()
            },
        ));
        for j in 0..2 {
            h.audit.push(AuditEntry {
                seq: 0,
                case_id: id.into(),
                at: at(day, 8 + j),
                actor: "inspector".into(),
                role: "inspector".into(),
                action: "report".into(),
                from_status: (j == 1).then_some(CaseStatus::Reported),
                to_status: CaseStatus::Accepted,
                note: (j == 0).then(|| format!("第 {k} 步 {tag}")),
                detail: (k == 4).then(|| serde_json::json!({ "department": "D01", "tag": tag })),
            });
        }
    }
    h
}

/// What the calls answered, with the store's own numbers (stage, photo ids, audit numbers)
/// replaced by the order they were first seen in: each side draws its own.
#[derive(Default)]
struct Transcript {
    ids: [HashMap<i64, usize>; 3],
    lines: Vec<String>,
}

const RUN: usize = 0;
const PHOTO: usize = 1;
const SEQ: usize = 2;

impl Transcript {
    fn id(&mut self, kind: usize, id: i64) -> usize {
        let n = self.ids[kind].len();
        *self.ids[kind].entry(id).or_insert(n)
    }
    fn push(&mut self, what: &str, v: impl std::fmt::Debug) {
        self.lines.push(format!("{what}: {v:?}"));
    }
    fn runs(&mut self, what: &str, runs: Vec<StageRun>) {
        let runs: Vec<StageRun> = runs
            .into_iter()
            .map(|r| StageRun {
                id: self.id(RUN, r.id) as i64,
                ..r
            })
            .collect();
        self.push(what, runs);
    }
    fn audit(&mut self, what: &str, a: Vec<AuditEntry>) {
        let a: Vec<AuditEntry> = a
            .into_iter()
            .map(|e| AuditEntry {
                seq: self.id(SEQ, e.seq) as i64,
                ..e
            })
            .collect();
        self.push(what, a);
    }
    /// Everything the reads give of case `id`.
    fn read(&mut self, db: &dyn CaseRecords, id: &str) -> griddesk_core::Result<()> {
        self.push("core", db.read_core(id)?);
        self.push("flow", db.read_flow(id)?);
        let runs = db.runs(id)?;
        for r in &runs {
            let n = self.id(RUN, r.id);
            self.push(&format!("hangs of run {n}"), db.hangs(r.id)?);
        }
        self.runs("runs", runs);
        let running = db.running(id)?.into_iter().collect();
        self.runs("running", running);
        for s in [Stage::Accept, Stage::Handle, Stage::Check] {
            self.push(&format!("rounds {s:?}"), db.rounds(id, s)?);
        }
        let a = db.audit(id)?;
        self.audit("audit", a);
        let photos: Vec<_> = db
            .photos(id)?
            .into_iter()
            .map(|p| {
                let n = self.id(PHOTO, p.id);
                (
                    n, p.phase, p.added_at, p.added_by, p.name, p.mime, p.width, p.height, p.size,
                )
            })
            .collect();
        self.push("photos", photos);
        Ok(())
    }
}

fn photo(phase: PhotoPhase, n: u8) -> Prepared {
    Prepared {
        phase,
        name: Some(format!("现场 {n}.png")),
        mime: "image/png",
        width: 640 + u32::from(n),
        height: 480,
        bytes: vec![n; 100 + usize::from(n)],
        thumb: vec![n; 10],
    }
}

/// The workflow's single steps for `h` on case `h.flow.case_id`, every answer noted.
fn steps(db: &dyn CaseRecords, h: &History, t: &mut Transcript) -> griddesk_core::Result<()> {
    let id = h.flow.case_id.as_str();
    t.read(db, id)?;
    for (r, hangs) in &h.runs {
        let started = StageRun::started(
            0,
            r.stage,
            r.round,
            r.department.as_deref(),
            r.started_at,
            r.limit,
            r.started_at,
        );
        let run = db.start_run(id, &started)?;
        let n = t.id(RUN, run);
        t.push("started", n);
        let running = db.running(id)?.into_iter().collect();
        t.runs("running", running);
        for g in hangs {
            db.start_hang(id, run, g.interval.start, g.reason.as_deref())?;
            t.push("hung", db.hangs(run)?);
            if let Some(end) = g.interval.end {
                db.end_hang(run, end)?;
                t.push("resumed", db.hangs(run)?);
            }
        }
        db.set_run_clock(run, r.extension_seconds, r.hung_seconds, r.deadline)?;
        if let (Some(end), Some(used), Some(on_time), Some(outcome), Some(by)) = (
            r.ended_at,
            r.used_seconds,
            r.on_time,
            r.outcome.as_deref(),
            r.ended_by.as_deref(),
        ) {
            db.end_run(run, end, used, on_time, outcome, by)?;
        }
        t.push("rounds", db.rounds(id, r.stage)?);
    }
    for a in &h.audit {
        let seq = db.append_audit(
            id,
            a.at,
            &a.actor,
            &a.role,
            &a.action,
            a.from_status,
            a.to_status,
            a.note.as_deref(),
            a.detail.as_ref(),
        )?;
        let n = t.id(SEQ, seq);
        t.push("appended", n);
    }
    db.write_flow(&h.flow)?;
    t.push("flow", db.read_flow(id)?);
    // Written again (a request waiting, not supervised): the row is replaced.
    let mut again = h.flow.clone();
    again.supervised = false;
    again.extension_count = 3;
    again.request = Some(PendingRequest {
        kind: RequestKind::Extension,
        by: "D01-worker".into(),
        at: at(21, 9),
        reason: "材料未到".into(),
        seconds: Some(7200),
        amount: Some(2.0),
        unit: Some(TimeUnit::WorkHour),
    });
    again.closed_at = None;
    again.updated_at = at(21, 9);
    db.write_flow(&again)?;
    t.push("flow again", db.read_flow(id)?);
    db.set_status(id, CaseStatus::Handling)?;
    let ids = db.insert_photos(
        id,
        &[photo(PhotoPhase::Before, 1), photo(PhotoPhase::After, 2)],
        at(21, 10),
        "inspector",
    )?;
    let ns: Vec<usize> = ids.into_iter().map(|p| t.id(PHOTO, p)).collect();
    t.push("photos stored", ns);
    t.read(db, id)
}

/// A district with a station's store and the centre holding it, departments D01 on both.
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
    assert_eq!(d.district.code.as_str(), "331003");
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    common::write_district(&mut station, &d);
    common::write_district(&mut centre, &d);
    station
        .db()
        .insert_department(&department("D01"))
        .expect("station department");
    centre
        .district(d.district.code)
        .insert_department(&department("D01"))
        .expect("centre department");
    (cluster, d, station, centre)
}

#[test]
fn the_workflow_records_read_and_write_as_at_the_station() {
    let (_cluster, d, mut station, centre) = setup("t_record");
    let dc = d.district.code;
    let (centre_days, centre_conditions) = (
        centre.calendar_day_count().expect("days"),
        centre.condition_count().expect("conditions"),
    );
    let ids: Vec<&str> = d.cases.iter().take(6).map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 6);

    // Step by step outside a transaction: each write commits on its own.
    let h0 = history(ids[0], 7, "a");
    let (mut l, mut r) = (Transcript::default(), Transcript::default());
    steps(&station.db(), &h0, &mut l).expect("station");
    steps(&centre.district(dc), &h0, &mut r).expect("centre");
    assert_eq!(r.lines, l.lines);

    // Step by step inside one transaction.
    let h1 = history(ids[1], 5, "b");
    let (mut l, mut r) = (Transcript::default(), Transcript::default());
    station
        .transaction(|tx| steps(tx, &h1, &mut l))
        .expect("station");
    centre
        .transaction(|tx| steps(&tx.district(dc), &h1, &mut r))
        .expect("centre");
    assert_eq!(r.lines, l.lines);
    assert!(
        r.lines.iter().any(|x| x.starts_with("hung: [Interval")),
        "the hang-ups are in the transcript"
    );

    // Whole histories at once, in a transaction and on the view; and the same histories
    // written at once read back as written step by step.
    let bulk = [
        history(ids[2], 40, "c"),
        history(ids[3], 1, "d"),
        history(ids[4], 7, "e"),
    ];
    station
        .transaction(|tx| tx.write_case_histories(&bulk[..2]))
        .expect("station");
    station
        .db()
        .write_case_histories(&bulk[2..])
        .expect("station");
    centre
        .transaction(|tx| tx.district(dc).write_case_histories(&bulk[..2]))
        .expect("centre");
    centre
        .district(dc)
        .write_case_histories(&bulk[2..])
        .expect("centre");
    let (mut l, mut r) = (Transcript::default(), Transcript::default());
    for id in &ids[2..5] {
        l.read(&station.db(), id).expect("station");
        r.read(&centre.district(dc), id).expect("centre");
    }
    assert_eq!(r.lines, l.lines);
    let remote = centre.district(dc);
    let (runs, audit) = (
        remote.runs(ids[2]).expect("runs"),
        remote.audit(ids[2]).expect("audit"),
    );
    assert_eq!((runs.len(), audit.len()), (40, 80));
    assert_eq!(
        runs.iter()
            .map(|x| remote.hangs(x.id).expect("hangs").len())
            .sum::<usize>(),
        13
    );
    assert!(runs.windows(2).all(|w| w[0].id < w[1].id));
    assert!(audit.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(audit[8].note.as_deref(), Some("第 4 步 c"));
    assert_eq!(
        audit[8].detail,
        Some(serde_json::json!({ "department": "D01", "tag": "c" }))
    );
    assert_eq!(
        remote.running(ids[2]).expect("running").map(|x| x.stage),
        Some(Stage::Accept)
    );

    // A department that does not exist is refused by name on both sides, and nothing of the
    // batch stays.
    let mut bad = history(ids[5], 2, "f");
    bad.flow.department = Some("D99".into());
    let mut before = Transcript::default();
    before.read(&remote, ids[5]).expect("before");
    let e_station = station
        .transaction(|tx| tx.write_case_histories(std::slice::from_ref(&bad)))
        .expect_err("station refuses");
    let e_tx = centre
        .transaction(|tx| {
            tx.district(dc)
                .write_case_histories(std::slice::from_ref(&bad))
        })
        .expect_err("centre refuses");
    let e_view = remote
        .write_case_histories(std::slice::from_ref(&bad))
        .expect_err("centre refuses");
    let e_flow = remote.write_flow(&bad.flow).expect_err("centre refuses");
    for e in [&e_station, &e_tx, &e_view, &e_flow] {
        assert!(
            matches!(e, griddesk_core::Error::NotFound { what: "department", key } if key == "D99"),
            "{e:?}"
        );
    }
    let mut after = Transcript::default();
    after.read(&remote, ids[5]).expect("after");
    assert_eq!(after.lines, before.lines);
    assert!(remote.runs(ids[5]).expect("runs").is_empty());

    // A case the district does not hold: nothing to read, and no run may start for it.
    let ghost = "G-0000-0000001";
    assert_eq!(remote.read_core(ghost).expect("none"), None);
    assert_eq!(remote.read_flow(ghost).expect("none"), None);
    let run = StageRun::started(
        0,
        Stage::Accept,
        1,
        None,
        at(2, 8),
        h0.runs[0].0.limit,
        at(2, 9),
    );
    assert!(
        remote.start_run(ghost, &run).is_err(),
        "the centre refuses a run of a case the district does not hold"
    );
    assert!(remote.runs(ghost).expect("none").is_empty());

    // Both views are the whole store the case loop is handed (`CaseLoopStore`): the case
    // records with the district's users, routing, desk, intake, register and case texts, and
    // the city's calendar and filing standards read through the view.
    fn handed(s: &dyn CaseLoopStore, id: &str) -> griddesk_core::Result<String> {
        Ok(format!(
            "{:?} {:?} {} {}",
            s.read_core(id)?,
            s.case_descriptions(&[id])?,
            s.calendar_day_count()?,
            s.condition_count()?
        ))
    }
    let outside = handed(&remote, ids[0]).expect("the view outside a transaction");
    centre
        .transaction(|tx| -> griddesk_core::Result<()> {
            let v = tx.district(dc);
            assert_eq!(handed(&v, ids[0])?, outside);
            assert_eq!(v.calendar_day_count()?, centre_days);
            assert_eq!(v.condition_count()?, centre_conditions);
            Ok(())
        })
        .expect("the view inside a transaction");
    assert_eq!(
        remote.read_core(ids[0]).expect("core"),
        station.db().read_core(ids[0]).expect("core")
    );

    // Every audit row the calls added is sealed in the district's chain.
    let check = remote.check_audit().expect("check");
    assert!(check.ok(), "{check:?}");
    assert!(check.seals >= 3, "{check:?}");
}

#[test]
fn a_district_view_never_reads_or_writes_another_districts_records() {
    let (_cluster, d, _station, mut centre) = setup("t_record_districts");
    let (a, b) = (d.district.code, code("331004"));
    // District B holds the same case numbers.
    let mut other = d.clone();
    other.district.code = b;
    centre
        .write_model(&mut |w: &dyn ModelSink| {
            w.put_district(&other.district)?;
            for c in &other.cases {
                let mut c = c.clone();
                c.grid = None;
                c.component = None;
                w.insert_case(&c)?;
            }
            Ok(())
        })
        .expect("district B");
    centre
        .district(b)
        .insert_department(&department("D01"))
        .expect("B's department");
    let only_b = "331004-ONLY";
    centre
        .write_model(&mut |w: &dyn ModelSink| {
            let mut c = other.cases[0].clone();
            c.id = only_b.into();
            c.grid = None;
            c.component = None;
            w.put_district(&other.district)?;
            w.insert_case(&c)
        })
        .expect("a case only B holds");

    let id = d.cases[0].id.as_str();
    let (va, vb) = (centre.district(a), centre.district(b));
    vb.write_case_histories(&[history(id, 4, "B")])
        .expect("B's history");
    vb.insert_photos(id, &[photo(PhotoPhase::Before, 9)], at(3, 8), "b-inspector")
        .expect("B's photo");
    vb.set_status(id, CaseStatus::Cancelled)
        .expect("B's status");
    let snapshot = |c: &Centre| {
        let mut t = Transcript::default();
        t.read(&c.district(b), id).expect("B reads");
        t.read(&c.district(b), only_b).expect("B reads");
        t.lines
    };
    let b_before = snapshot(&centre);
    let b_runs = vb.runs(id).expect("B's runs");
    let b_stage = b_runs[1].id;
    let b_hung = b_runs[2].id;

    // A sees none of B's records under the same case number.
    assert_eq!(va.runs(id).expect("A's runs"), vec![]);
    assert_eq!(va.audit(id).expect("A's audit"), vec![]);
    assert_eq!(va.photos(id).expect("A's photos"), vec![]);
    assert_eq!(va.read_flow(id).expect("A's flow"), None);
    assert_eq!(va.running(id).expect("A's running"), None);
    assert_eq!(va.rounds(id, Stage::Handle).expect("A's rounds"), 0);
    assert_eq!(va.hangs(b_hung).expect("A sees no hang-up of B"), vec![]);
    assert_eq!(
        va.read_core(id).expect("A's case").map(|c| c.status),
        Some(d.cases[0].status),
        "A's case keeps its own status"
    );
    assert_eq!(va.read_core(only_b).expect("not A's"), None);

    // A's writes with B's ids change nothing of B's; those that would make a row in B, or
    // hang on a run of B, are refused.
    va.end_run(b_stage, at(9, 9), 1, true, "file", "a-leader")
        .expect("nothing to end in A");
    va.set_run_clock(b_stage, 999, 999, None)
        .expect("nothing to set in A");
    va.end_hang(b_hung, at(9, 9))
        .expect("nothing to resume in A");
    va.set_status(only_b, CaseStatus::Closed)
        .expect("nothing to set in A");
    assert!(va.start_hang(id, b_stage, at(9, 9), None).is_err());
    let run = b_runs[0].clone();
    assert!(va.start_run(only_b, &run).is_err());
    let mut f = history(only_b, 1, "A").flow;
    f.department = None;
    assert!(va.write_flow(&f).is_err());
    assert!(va
        .insert_photos(only_b, &[photo(PhotoPhase::After, 3)], at(9, 9), "a")
        .is_err());
    assert!(va.write_case_histories(&[history(only_b, 2, "A")]).is_err());
    // A case number is a station's own: an audit row under a number only B holds is A's own
    // row (the trail has no key to the case, as at the station), and B's trail is untouched.
    va.append_audit(
        only_b,
        at(9, 9),
        "a",
        "inspector",
        "report",
        None,
        CaseStatus::Reported,
        None,
        None,
    )
    .expect("A's own audit row");
    assert_eq!(va.audit(only_b).expect("A's trail").len(), 1);
    assert_eq!(snapshot(&centre), b_before);

    // A's own history under the same number stays A's, and B's is unchanged.
    va.write_case_histories(&[history(id, 3, "A")])
        .expect("A's history");
    assert_eq!(va.runs(id).expect("A's runs").len(), 3);
    assert!(va
        .audit(id)
        .expect("A's audit")
        .iter()
        .all(|e| e.note.as_deref().is_none_or(|n| n.ends_with(" A"))));
    assert_eq!(snapshot(&centre), b_before);

    // A's station, logged in with its own role, may not reach B's records through B's view.
    let creds = centre.add_station(&a, None).expect("station A");
    let st = Centre::open(&creds.url()).expect("station A logs in");
    let theirs = st.district(b);
    assert_eq!(theirs.runs(id).expect("nothing"), vec![]);
    assert_eq!(theirs.audit(id).expect("nothing"), vec![]);
    assert_eq!(theirs.read_core(id).expect("nothing"), None);
    assert!(theirs.write_case_histories(&[history(id, 1, "x")]).is_err());
    assert!(theirs.start_run(id, &run).is_err());
    theirs
        .end_run(b_stage, at(9, 9), 1, true, "file", "x")
        .expect("finds nothing");
    theirs
        .set_status(id, CaseStatus::Closed)
        .expect("finds nothing");
    assert!(theirs
        .append_audit(
            id,
            at(9, 9),
            "x",
            "inspector",
            "report",
            None,
            CaseStatus::Reported,
            None,
            None
        )
        .is_err());
    let e = theirs.write_flow(&f).expect_err("refused");
    assert_ne!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(snapshot(&centre), b_before);
    // Through its own view it reads the city's filing standards and may not change them.
    let mine = st.district(a);
    assert_eq!(
        mine.condition_count().expect("reads"),
        centre.condition_count().expect("reads")
    );
    let one: Vec<griddesk_caseloop::filing::FilingCondition> =
        griddesk_caseloop::filing::FilingStandard::default_for(&d.tables)
            .expect("the shipped standard")
            .conditions()
            .take(1)
            .cloned()
            .collect();
    assert_eq!(one.len(), 1);
    let e = mine
        .replace_conditions(&one)
        .expect_err("a station may not change the city's standards");
    assert!(e.to_string().contains("permission denied"), "{e}");
    assert_eq!(
        mine.condition_count().expect("reads"),
        centre.condition_count().expect("reads")
    );
    // Its own district's records it reads as the centre does.
    assert_eq!(mine.runs(id).expect("A's"), va.runs(id).expect("A's"));
    assert!(mine.check_audit().expect("A's chain").ok());
    assert!(vb.check_audit().expect("B's chain").ok());
}
