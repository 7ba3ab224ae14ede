//! The case loop of the sample district: departments, users (one demo account per role, with a
//! password; the other staff accounts have none until an administrator sets one), routing
//! rules, and a workflow history for every sample case, consistent with its status: most
//! closed on time, some late, with reworks, extensions, hang-ups, returns, supervision, and a
//! few open in each state. Written to `resources/sample/case_loop.json` (all but the histories,
//! which are generated again from the cases when the sample is loaded, deterministically).

use super::{names, SampleDistrict, SampleParams};
use crate::clock::{Interval, StageClock, TimeLimit};
use crate::error::{Error, Result};
use crate::filing::Stage;
use crate::index::SpatialIndex;
use crate::model::{CaseKind, CaseSource, CaseStatus};
use crate::routing::RoutingRule;
use crate::users::{hash_with_salt, Department, Role};
use crate::workflow::machine::{roles_for, statuses_for, target, ActionKind};
use crate::workflow::record::{AuditEntry, Flow, HangRecord, History, StageRun};
use crate::workflow::{stage_of, Desk};
use chrono::NaiveDateTime;
use griddesk_planning::planning::detmath::{hash, unit};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The demo accounts of the sample store: login, password, role.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role)] = &[
    ("admin", "admin@2026", Role::Admin),
    ("inspector", "inspector@2026", Role::Inspector),
    ("receptionist", "receptionist@2026", Role::Receptionist),
    ("shiftleader", "shiftleader@2026", Role::ShiftLeader),
    ("dispatcher", "dispatcher@2026", Role::Dispatcher),
    ("department", "department@2026", Role::Department),
    ("leader", "leader@2026", Role::Leader),
    ("planner", "planner@2026", Role::Planner),
];

/// The department the demo 专业部门 account belongs to (环境卫生管理处: most event cases).
pub const DEMO_DEPARTMENT: &str = "D02";

/// A staff account of the sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleUser {
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub department: Option<String>,
    /// argon2id PHC string, or `!` for an account without a password.
    pub password: String,
}

/// Departments, users and routing of the sample, and the seed of its histories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseLoopSeed {
    pub seed: u64,
    pub departments: Vec<Department>,
    pub users: Vec<SampleUser>,
    pub routing: Vec<RoutingRule>,
}

pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("D01", "黄岩区综合行政执法局"),
    ("D02", "黄岩区环境卫生管理处"),
    ("D03", "黄岩区市政园林中心"),
    ("D04", "黄岩区园林绿化养护公司"),
    ("D05", "黄岩区路灯管理所"),
    ("D06", "台州市黄岩自来水有限公司"),
    ("D07", "台州市黄岩燃气有限公司"),
    ("D08", "国网台州市黄岩区供电公司"),
    ("D09", "中国电信黄岩分公司"),
    ("D10", "中国联通黄岩分公司"),
    ("D11", "中国移动黄岩分公司"),
    ("D12", "华数传媒黄岩分公司"),
    ("D13", "台州市公安局黄岩分局交警大队"),
    ("D14", "台州市公安局黄岩分局"),
    ("D15", "黄岩区河道管理所"),
    ("D16", "黄岩区交通运输局"),
    ("D17", "台州市黄岩公交有限公司"),
    ("D18", "黄岩区消防救援大队"),
    ("D19", "黄岩区应急管理局"),
    ("D20", "中国邮政黄岩分公司"),
    ("D21", "黄岩区大数据发展中心"),
    ("D22", "施工单位"),
];

/// Event routing: class pattern → department.
pub const EVENT_ROUTES: &[(&str, &str)] = &[
    ("01", "D02"),
    ("0101", "D01"),
    ("0105", "D15"),
    ("0106", "D04"),
    ("0110", "D03"),
    ("0111", "D15"),
    ("0114", "D15"),
    ("0116", "D01"),
    ("0118", "D01"),
    ("02", "D01"),
    ("03", "D01"),
    ("0305", "D03"),
    ("04", "D03"),
    ("0402", "D06"),
    ("0403", "D07"),
    ("0408", "D08"),
    ("0409", "D14"),
    ("0499", "D19"),
    ("05", "D01"),
    ("0502", "D14"),
    ("0505", "D13"),
    ("0509", "D13"),
];

/// Event classes handled by the street office of the case's street.
pub const STREET_CLASSES: &[&str] = &["0199", "0507", "0511", "0513", "0599"];

pub fn salt(seed: u64, login: &str) -> [u8; 16] {
    let h1 = hash(&[seed, 0x5A17, login.len() as u64]);
    let h2 = login.bytes().fold(h1, |h, b| hash(&[h, u64::from(b)]));
    let mut s = [0u8; 16];
    s[..8].copy_from_slice(&h1.to_le_bytes());
    s[8..].copy_from_slice(&h2.to_le_bytes());
    s
}

/// Departments, users and routing for a generated district (deterministic for `p.seed`).
pub fn seed(p: &SampleParams, d: &SampleDistrict) -> Result<CaseLoopSeed> {
    let mut departments: Vec<Department> = DEPARTMENTS
        .iter()
        .map(|(c, n)| Department {
            code: c.to_string(),
            name: n.to_string(),
            active: true,
        })
        .collect();
    for s in &d.streets {
        departments.push(Department {
            code: format!("S{}", s.code),
            name: format!("{}办事处", s.name),
            active: true,
        });
    }
    let mut routing = vec![RoutingRule {
        id: None,
        kind: None,
        class_code: None,
        area_class: None,
        street: None,
        department: "D01".into(),
    }];
    routing.push(RoutingRule {
        id: None,
        kind: Some(CaseKind::Component),
        class_code: None,
        area_class: None,
        street: None,
        department: "D03".into(),
    });
    for (class, dept) in EVENT_ROUTES {
        routing.push(RoutingRule {
            id: None,
            kind: Some(CaseKind::Event),
            class_code: Some(class.to_string()),
            area_class: None,
            street: None,
            department: dept.to_string(),
        });
    }
    for s in &d.streets {
        for class in STREET_CLASSES {
            routing.push(RoutingRule {
                id: None,
                kind: Some(CaseKind::Event),
                class_code: Some(class.to_string()),
                area_class: None,
                street: Some(s.code),
                department: format!("S{}", s.code),
            });
        }
    }
    let pw = |login: &str| -> Result<String> {
        match DEMO_ACCOUNTS.iter().find(|a| a.0 == login) {
            Some((_, password, _)) => hash_with_salt(password, &salt(p.seed, login)),
            None => Ok("!".into()),
        }
    };
    let mut users = Vec::new();
    let mut user =
        |login: String, name: String, role: Role, department: Option<String>| -> Result<()> {
            users.push(SampleUser {
                password: pw(&login)?,
                login,
                name,
                roles: vec![role],
                department,
            });
            Ok(())
        };
    user("admin".into(), "系统管理员".into(), Role::Admin, None)?;
    // One account per duty-grid inspector; the first is the demo inspector.
    let mut inspectors: Vec<&str> = Vec::new();
    for g in &d.duty_grids {
        if !inspectors.contains(&g.inspector.as_str()) {
            inspectors.push(&g.inspector);
        }
    }
    for (i, name) in inspectors.iter().enumerate() {
        let login = if i == 0 {
            "inspector".to_string()
        } else {
            format!("inspector.{:03}", i + 1)
        };
        user(login, name.to_string(), Role::Inspector, None)?;
    }
    for (role, base, n) in [
        (Role::Receptionist, "receptionist", 3),
        (Role::ShiftLeader, "shiftleader", 3),
        (Role::Dispatcher, "dispatcher", 3),
        (Role::Leader, "leader", 2),
        (Role::Planner, "planner", 2),
    ] {
        for k in 1..=n {
            let login = if k == 1 {
                base.to_string()
            } else {
                format!("{base}.{k}")
            };
            let name = names::person(hash(&[p.seed, 0x57AF, role as u64, k]));
            user(login, name, role, None)?;
        }
    }
    for dep in &departments {
        let login = if dep.code == DEMO_DEPARTMENT {
            "department".to_string()
        } else {
            format!("dept.{}", dep.code.to_ascii_lowercase())
        };
        let name = format!("{}经办人", dep.name);
        user(login, name, Role::Department, Some(dep.code.clone()))?;
    }
    Ok(CaseLoopSeed {
        seed: p.seed,
        departments,
        users,
        routing,
    })
}

/// One step of a generated history.
pub struct Step {
    pub kind: ActionKind,
    pub role: Role,
    /// Delay after the previous step as a fraction of the running stage's limit (negative:
    /// an absolute number of working seconds).
    pub delay: f64,
}

/// Plans the actions that lead a case of `source` to `status` (module docs).
pub fn plan(status: CaseStatus, source: CaseSource, h: u64) -> Vec<(ActionKind, Role)> {
    use ActionKind as K;
    use Role::*;
    let u = |k: u64| unit(hash(&[h, k]));
    let public = !matches!(
        source,
        CaseSource::Patrol | CaseSource::VideoAi | CaseSource::Sensor
    );
    let mut v: Vec<(ActionKind, Role)> = Vec::new();
    let accept = |v: &mut Vec<(ActionKind, Role)>| {
        v.push((K::Accept, Receptionist));
        if public && u(1) < 0.6 {
            v.push((K::SendVerify, Receptionist));
            v.push((K::ConfirmVerified, Inspector));
        }
    };
    let dispatch = |v: &mut Vec<(ActionKind, Role)>| {
        accept(v);
        v.push((K::File, ShiftLeader));
        if u(9) < 0.03 {
            v.push((K::Supervise, Leader));
        }
        v.push((K::Dispatch, Dispatcher));
        if u(2) < 0.03 {
            v.push((K::RequestReturn, Department));
            v.push((K::ApproveReturn, Dispatcher));
            v.push((K::Dispatch, Dispatcher));
        }
        if u(3) < 0.025 {
            v.push((K::RequestExtension, Department));
            v.push((K::ApproveExtension, Dispatcher));
        }
    };
    let handled = |v: &mut Vec<(ActionKind, Role)>| {
        dispatch(v);
        if u(4) < 0.012 {
            v.push((K::RequestHangUp, Department));
            v.push((K::ApproveHangUp, Dispatcher));
            v.push((K::Restore, Dispatcher));
        }
        v.push((K::Feedback, Department));
        if u(5) < 0.05 {
            v.push((K::CheckFail, Inspector));
            v.push((K::Feedback, Department));
        }
    };
    match status {
        CaseStatus::Reported => {}
        CaseStatus::NotAccepted => v.push((K::Refuse, Receptionist)),
        CaseStatus::SelfHandled => v.push((K::SelfHandle, Inspector)),
        CaseStatus::Accepted => {
            v.push((K::Accept, Receptionist));
            if public && u(1) < 0.3 {
                v.push((K::SendVerify, Receptionist));
                v.push((K::ConfirmVerified, Inspector));
            }
        }
        CaseStatus::Verifying => {
            v.push((K::Accept, Receptionist));
            v.push((K::SendVerify, Receptionist));
        }
        CaseStatus::Cancelled => {
            v.push((K::Accept, Receptionist));
            let r = u(6);
            if public && r < 0.5 {
                v.push((K::SendVerify, Receptionist));
                v.push((K::VerifyNotFound, Inspector));
            } else if r < 0.75 {
                v.push((K::Cancel, ShiftLeader));
            } else {
                v.push((K::File, ShiftLeader));
                v.push((K::RequestCancel, Dispatcher));
                v.push((K::ApproveCancel, ShiftLeader));
            }
        }
        CaseStatus::Filed => {
            accept(&mut v);
            v.push((K::File, ShiftLeader));
        }
        CaseStatus::Handling => {
            dispatch(&mut v);
            if u(7) < 0.15 {
                v.push((K::Feedback, Department));
                v.push((K::CheckFail, Inspector));
            }
        }
        CaseStatus::Hung => {
            dispatch(&mut v);
            v.push((K::RequestHangUp, Department));
            v.push((K::ApproveHangUp, Dispatcher));
        }
        CaseStatus::Checking => handled(&mut v),
        CaseStatus::ToClose => {
            handled(&mut v);
            v.push((K::CheckPass, Inspector));
        }
        CaseStatus::Closed => {
            if source == CaseSource::Patrol && u(8) < 0.06 {
                v.push((K::SelfHandle, Inspector));
            } else {
                handled(&mut v);
                v.push((K::CheckPass, Inspector));
            }
            v.push((K::Close, ShiftLeader));
        }
    }
    v
}

/// Staff logins by role (from the seed), to pick actors.
pub struct Staff {
    pub by_role: BTreeMap<Role, Vec<String>>,
    pub inspector_of: BTreeMap<String, String>,
    pub department_user: BTreeMap<String, String>,
}

impl Staff {
    pub fn new(seed: &CaseLoopSeed) -> Self {
        let mut by_role: BTreeMap<Role, Vec<String>> = BTreeMap::new();
        let mut inspector_of = BTreeMap::new();
        let mut department_user = BTreeMap::new();
        for u in &seed.users {
            for r in &u.roles {
                by_role.entry(*r).or_default().push(u.login.clone());
            }
            if u.roles.contains(&Role::Inspector) {
                inspector_of
                    .entry(u.name.clone())
                    .or_insert_with(|| u.login.clone());
            }
            if let (true, Some(d)) = (u.roles.contains(&Role::Department), &u.department) {
                department_user.insert(d.clone(), u.login.clone());
            }
        }
        Self {
            by_role,
            inspector_of,
            department_user,
        }
    }

    fn pick(&self, role: Role, h: u64) -> String {
        self.by_role
            .get(&role)
            .filter(|v| !v.is_empty())
            .map(|v| v[(h % v.len() as u64) as usize].clone())
            .unwrap_or_else(|| role.key().to_string())
    }
}

/// The running run of a history being written.
pub struct Run {
    /// Index of the run in the history being worked out.
    pub id: usize,
    pub started: NaiveDateTime,
    pub limit: TimeLimit,
    pub extension: i64,
    pub hung: i64,
    pub hangs: Vec<Interval>,
    pub deadline: Option<NaiveDateTime>,
}

/// Writes a workflow history for every sample case of the index, in the caller's transaction:
/// the histories are worked out in parallel, a block of cases at a time, and each is written
/// in multi-row statements ([`griddesk_caseloop::CaseLoopStore::write_case_histories`]), in case
/// order, so ids and sequence numbers do not depend on the threads.
pub fn write_histories(
    tx: &dyn griddesk_caseloop::CaseLoopStore,
    desk: &Desk,
    index: &SpatialIndex,
    seed: u64,
    staff: &Staff,
) -> Result<()> {
    use rayon::prelude::*;
    let comps: BTreeMap<&str, &crate::model::Component> = index
        .components
        .iter()
        .map(|c| (c.code.as_str(), c))
        .collect();
    const BLOCK: usize = 2048;
    let cases: Vec<(usize, &crate::model::CaseSummary)> = index
        .cases
        .iter()
        .enumerate()
        .filter(|(_, c)| c.sample)
        .collect();
    for block in cases.chunks(BLOCK) {
        // The descriptions (the report's note) are kept in the store only.
        let ids: Vec<&str> = block.iter().map(|(_, c)| &*c.id).collect();
        let notes = tx.case_descriptions(&ids)?;
        let histories = block
            .par_iter()
            .zip(notes)
            .map(|(&(n, c), note)| history(desk, index, &comps, seed, staff, (n, c, note)))
            .collect::<Result<Vec<History>>>()?;
        tx.write_case_histories(&histories)?;
    }
    Ok(())
}

/// The workflow history of sample case `c` (the `n`th of the index, reported with `note`),
/// consistent with its status.
fn history(
    desk: &Desk,
    index: &SpatialIndex,
    comps: &BTreeMap<&str, &crate::model::Component>,
    seed: u64,
    staff: &Staff,
    (n, c, note): (usize, &crate::model::CaseSummary, Option<String>),
) -> Result<History> {
    let cal = &desk.calendar;
    let mut runs: Vec<(StageRun, Vec<HangRecord>)> = Vec::new();
    let mut audit: Vec<AuditEntry> = Vec::new();
    {
        let h = hash(&[seed, 0x4157, n as u64]);
        let comp = c
            .component
            .as_ref()
            .and_then(|k| comps.get(k.as_str()).copied());
        let p = crate::intake::place::place(
            index,
            desk,
            c.kind,
            c.class_code.as_str(),
            [c.location.x(), c.location.y()],
            comp,
        );
        let cond = desk.standard.resolve(c.kind, c.class_code.as_str(), None);
        let mut flow = Flow {
            case_id: c.id.to_string(),
            street: p.street.clone(),
            community: p.community.clone(),
            duty_grid: p.duty_grid.clone(),
            inspector: p.inspector.clone(),
            department: p.department.clone(),
            area_class: p.area_class,
            condition: None,
            urgency: cond.map_or(crate::filing::Urgency::Ordinary, |c| c.urgency),
            address: None,
            reporter: None,
            reporter_phone: None,
            created_by: None,
            supervised: false,
            rework_count: 0,
            extension_count: 0,
            hangup_count: 0,
            return_count: 0,
            duplicate_count: 0,
            request: None,
            closed_at: None,
            updated_at: c.reported_at,
        };
        let inspector = p
            .inspector
            .as_ref()
            .and_then(|i| staff.inspector_of.get(i))
            .cloned()
            .unwrap_or_else(|| staff.pick(Role::Inspector, h));
        let reporter = match c.source {
            CaseSource::Patrol => (inspector.clone(), Role::Inspector),
            CaseSource::Leader => (staff.pick(Role::Leader, h), Role::Leader),
            _ => (staff.pick(Role::Receptionist, h), Role::Receptionist),
        };
        flow.created_by = Some(reporter.0.clone());
        let steps = plan(c.status, c.source, h);
        // Late steps: about 7 % of stage runs end after their deadline.
        let late = |k: u64| unit(hash(&[h, 0x1A7E, k])) < 0.07;
        let mut at = c.reported_at;
        let mut status = CaseStatus::Reported;
        let mut rounds: BTreeMap<Stage, u32> = BTreeMap::new();
        let start = |runs: &mut Vec<(StageRun, Vec<HangRecord>)>,
                     stage: Stage,
                     at: NaiveDateTime,
                     flow: &Flow,
                     rounds: &mut BTreeMap<Stage, u32>|
         -> Run {
            let (limit, _) = desk.standard.limit(
                c.kind,
                c.class_code.as_str(),
                flow.condition.as_deref(),
                stage,
                flow.area_class,
            );
            let round = rounds.entry(stage).or_insert(0);
            *round += 1;
            let deadline = cal.deadline(at, limit);
            let dep = (stage == Stage::Handle)
                .then_some(flow.department.as_deref())
                .flatten();
            runs.push((
                StageRun::started(0, stage, *round, dep, at, limit, deadline),
                Vec::new(),
            ));
            Run {
                id: runs.len() - 1,
                started: at,
                limit,
                extension: 0,
                hung: 0,
                hangs: Vec::new(),
                deadline: Some(deadline),
            }
        };
        audit.push(AuditEntry {
            seq: 0,
            case_id: flow.case_id.clone(),
            at,
            actor: reporter.0.clone(),
            role: reporter.1.key().to_string(),
            action: ActionKind::Report.key().to_string(),
            from_status: None,
            to_status: CaseStatus::Reported,
            note,
            detail: None,
        });
        let mut run = Some(start(&mut runs, Stage::Accept, at, &flow, &mut rounds));
        for (k, (kind, role)) in steps.iter().enumerate() {
            let k = k as u64;
            if !statuses_for(*kind).contains(&status) || !roles_for(*kind).contains(role) {
                return Err(Error::Internal(format!(
                    "sample history of case {}: {} by {} from {}",
                    flow.case_id,
                    kind.key(),
                    role.key(),
                    status.key()
                )));
            }
            // When the step happens: a share of the running stage's limit.
            let step = Step {
                kind: *kind,
                role: *role,
                delay: match kind {
                    ActionKind::ApproveExtension
                    | ActionKind::ApproveHangUp
                    | ActionKind::ApproveReturn
                    | ActionKind::ApproveCancel
                    | ActionKind::Supervise => -(1800.0 + 5400.0 * unit(hash(&[h, 0xA, k]))),
                    ActionKind::Restore => {
                        -(8.0 * 3600.0 * (3.0 + 12.0 * unit(hash(&[h, 0xB, k]))))
                    }
                    ActionKind::RequestExtension
                    | ActionKind::RequestHangUp
                    | ActionKind::RequestReturn
                    | ActionKind::RequestCancel => 0.1 + 0.3 * unit(hash(&[h, 0xC, k])),
                    _ if late(k) => 1.05 + 1.5 * unit(hash(&[h, 0xD, k])),
                    _ => 0.05 + 0.85 * unit(hash(&[h, 0xE, k])),
                },
            };
            let metric = run
                .as_ref()
                .map_or(crate::clock::Metric::Working, |r| r.limit.unit.metric());
            let secs = if step.delay < 0.0 {
                (-step.delay) as i64
            } else {
                let limit = run
                    .as_ref()
                    .map_or(3600, |r| r.limit.seconds(cal) + r.extension);
                (step.delay * limit as f64) as i64
            };
            at = cal.advance(metric, at, secs.max(60));
            let to = target(step.kind, status);
            let who = match step.role {
                Role::Inspector => inspector.clone(),
                Role::Department => flow_department_user(staff, &flow.department, h),
                r => staff.pick(r, hash(&[h, k])),
            };
            let mut note: Option<String> = None;
            match step.kind {
                ActionKind::Dispatch => {
                    flow.department = p.department.clone().or(Some("D01".into()));
                }
                ActionKind::File => {
                    flow.condition = cond.map(|c| c.condition.clone());
                }
                ActionKind::ApproveReturn => flow.return_count += 1,
                ActionKind::CheckFail => {
                    flow.rework_count += 1;
                    note = Some("现场复核未处置到位".into());
                }
                ActionKind::Supervise => {
                    flow.supervised = true;
                    note = Some("请加快处置".into());
                }
                ActionKind::Refuse => note = Some("不属于城管受理范围".into()),
                ActionKind::VerifyNotFound => note = Some("现场核实无此问题".into()),
                ActionKind::Cancel | ActionKind::RequestCancel => note = Some("重复上报".into()),
                ActionKind::RequestReturn => note = Some("非本单位职责".into()),
                ActionKind::RequestHangUp => note = Some("需纳入年度计划解决".into()),
                ActionKind::RequestExtension => note = Some("需协调相关单位".into()),
                ActionKind::ApproveExtension => {
                    flow.extension_count += 1;
                    if let Some(r) = run.as_mut() {
                        r.extension += r.limit.seconds(cal) / 2 + 3600;
                        r.deadline = StageClock {
                            start: r.started,
                            limit: r.limit,
                            extension_seconds: r.extension,
                            hangs: r.hangs.clone(),
                        }
                        .deadline(cal);
                        set_clock(&mut runs, r);
                    }
                }
                ActionKind::ApproveHangUp => {
                    flow.hangup_count += 1;
                    if let Some(r) = run.as_mut() {
                        let interval = Interval {
                            start: at,
                            end: None,
                        };
                        runs[r.id].1.push(HangRecord {
                            interval,
                            reason: Some("需纳入年度计划解决".into()),
                        });
                        r.hangs.push(interval);
                        r.deadline = None;
                        set_clock(&mut runs, r);
                    }
                }
                ActionKind::Restore => {
                    if let Some(r) = run.as_mut() {
                        for g in runs[r.id].1.iter_mut().filter(|g| g.interval.end.is_none()) {
                            g.interval.end = Some(at);
                        }
                        if let Some(hg) = r.hangs.last_mut() {
                            r.hung += cal.measure(r.limit.unit.metric(), hg.start, at).max(0);
                            hg.end = Some(at);
                        }
                        r.deadline = StageClock {
                            start: r.started,
                            limit: r.limit,
                            extension_seconds: r.extension,
                            hangs: r.hangs.clone(),
                        }
                        .deadline(cal);
                        set_clock(&mut runs, r);
                    }
                }
                _ => {}
            }
            if stage_of(status) != stage_of(to) {
                if let Some(r) = run.take() {
                    let used = cal.measure(r.limit.unit.metric(), r.started, at).max(0) - r.hung;
                    let on_time = used <= r.limit.seconds(cal) + r.extension;
                    let ended = &mut runs[r.id].0;
                    ended.ended_at = Some(at);
                    ended.used_seconds = Some(used);
                    ended.on_time = Some(on_time);
                    ended.outcome = Some(step.kind.key().to_string());
                    ended.ended_by = Some(who.clone());
                }
                if let Some(s) = stage_of(to) {
                    run = Some(start(&mut runs, s, at, &flow, &mut rounds));
                }
            }
            audit.push(AuditEntry {
                seq: 0,
                case_id: flow.case_id.clone(),
                at,
                actor: who,
                role: step.role.key().to_string(),
                action: step.kind.key().to_string(),
                from_status: Some(status),
                to_status: to,
                note,
                detail: None,
            });
            status = to;
        }
        if status != c.status {
            return Err(Error::Internal(format!(
                "sample history of case {} ends in {} instead of {}",
                flow.case_id,
                status.key(),
                c.status.key()
            )));
        }
        if status.is_terminal() {
            flow.closed_at = Some(at);
        }
        flow.updated_at = at;
        Ok(History { flow, runs, audit })
    }
}

/// Copies a running run's clock into its row.
fn set_clock(runs: &mut [(StageRun, Vec<HangRecord>)], r: &Run) {
    let row = &mut runs[r.id].0;
    row.extension_seconds = r.extension;
    row.hung_seconds = r.hung;
    row.deadline = r.deadline;
}

pub fn flow_department_user(staff: &Staff, department: &Option<String>, h: u64) -> String {
    department
        .as_ref()
        .and_then(|d| staff.department_user.get(d))
        .cloned()
        .unwrap_or_else(|| staff.pick(Role::Department, h))
}

/// The seed as written to `resources/sample/case_loop.json`.
pub fn seed_json(seed: &CaseLoopSeed) -> Result<String> {
    serde_json::to_string_pretty(seed).map_err(|e| Error::Internal(format!("case loop seed: {e}")))
}
