use crate::code::{ClassCode, ComponentCode};
use crate::error::{Error, Position, Result};
use crate::filing::{AreaClass, Stage, Urgency};
#[allow(unused_imports)]
use crate::intake::history::*;
use crate::io::{ImportOptions, Reject};
use crate::message::{Message, MessageCode as C, Reason};
use crate::model::{Case, CaseKind, CaseSource, CaseStatus};
#[allow(unused_imports)]
use crate::ports::*;
use crate::store::{parse_datetime, Writer};
use crate::users::{Role, Session};
use crate::workflow::apply::authorise;
use crate::workflow::machine::{ActionKind, Refusal};
use crate::workflow::record::Flow;
use crate::Engine;
use chrono::{Datelike, NaiveDateTime};
use std::collections::{HashMap, HashSet};
use std::path::Path;

impl Engine {
    /// Imports historical cases (module docs); `progress(done, total)` is called as rows are
    /// read and written. Administrators only.
    pub fn import_history(
        &self,
        by: &Session,
        path: &Path,
        opts: ImportOptions,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<HistoryReport> {
        let file = path.display().to_string();
        let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let report = self.with_desk(|store, desk, index| {
            authorise(desk, by).map_err(|r| Error::Refused {
                case: file.clone(),
                refusal: r,
            })?;
            if by.role != Role::Admin {
                return Err(Error::Refused {
                    case: file.clone(),
                    refusal: Refusal::RoleNotAllowed {
                        action: ActionKind::Import,
                        role: by.role,
                        allowed: vec![Role::Admin],
                    },
                });
            }
            let mut rdr = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(text.as_slice());
            let rej = |line: u64, field: Option<&str>, m: Reason| {
                Reject::new(&file, Position::Line(line), field, m)
            };
            let headers = rdr
                .headers()
                .map_err(|e| {
                    Error::Invalid(Message::new(C::CsvHeaderUnreadable).en(format!("{file}: {e}")))
                })?
                .clone();
            let col = |n: &str| headers.iter().position(|h| h == n);
            let mut rejects = crate::io::Rejects::new();
            for n in ["lon", "lat", "kind", "class_code", "source", "reported_at"] {
                if col(n).is_none() {
                    rejects.push(rej(
                        1,
                        Some(n),
                        Message::new(C::CsvMissingColumns)
                            .texts("columns", [n])
                            .en(format!("missing column `{n}`")),
                    ));
                }
            }
            rejects.refuse(&file)?;
            let records: Vec<csv::StringRecord> = rdr
                .records()
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| {
                    Error::Invalid(Message::new(C::CsvRowUnreadable).en(format!("{file}: {e}")))
                })?;
            let total = records.len();
            let mut rows: Vec<Row> = Vec::with_capacity(total);
            let mut seen: HashSet<String> = HashSet::new();
            for (n, rec) in records.iter().enumerate() {
                if n % 1000 == 0 {
                    progress(n / 2, total);
                }
                let line = rec.position().map_or(n as u64 + 2, |p| p.line());
                let get = |name: &str| -> Option<&str> {
                    col(name).and_then(|i| rec.get(i)).filter(|v| !v.is_empty())
                };
                let opt = |name: &str| get(name).map(str::to_string);
                let r = (|| -> std::result::Result<Row, Reject> {
                    let num = |name: &str| -> std::result::Result<f64, Reject> {
                        let v = get(name).unwrap_or_default();
                        v.parse::<f64>()
                            .ok()
                            .filter(|f| f.is_finite())
                            .ok_or_else(|| {
                                rej(
                                    line,
                                    Some(name),
                                    Message::new(C::NotANumber)
                                        .text("value", v)
                                        .en(format!("`{v}` is not a number")),
                                )
                            })
                    };
                    let location = [num("lon")?, num("lat")?];
                    let kind_s = get("kind").unwrap_or_default();
                    let kind = CaseKind::parse(kind_s).ok_or_else(|| {
                        rej(
                            line,
                            Some("kind"),
                            Message::new(C::NotACaseKind)
                                .text("value", kind_s)
                                .en(format!("`{kind_s}` is neither event nor component")),
                        )
                    })?;
                    let class_s = get("class_code").unwrap_or_default();
                    let class = ClassCode::parse(class_s)
                        .map_err(|e| rej(line, Some("class_code"), e.reason()))?;
                    let table = match kind {
                        CaseKind::Event => &index.code_tables.events,
                        CaseKind::Component => &index.code_tables.components,
                    };
                    if table.get(class.as_str()).is_none() {
                        return Err(rej(
                            line,
                            Some("class_code"),
                            Message::new(C::ClassNotInTable)
                                .text("class", class)
                                .term("kind", kind)
                                .en(format!("{class} is not in the {} code table", kind.zh())),
                        ));
                    }
                    let source_s = get("source").unwrap_or_default();
                    let source = CaseSource::parse(source_s).ok_or_else(|| {
                        rej(
                            line,
                            Some("source"),
                            Message::new(C::NotASource)
                                .text("value", source_s)
                                .en(format!("`{source_s}` is not a case source")),
                        )
                    })?;
                    let when = |name: &str| -> std::result::Result<Option<NaiveDateTime>, Reject> {
                        get(name)
                            .map(|v| {
                                parse_datetime(v).map_err(|e| rej(line, Some(name), e.reason()))
                            })
                            .transpose()
                    };
                    let reported_at = when("reported_at")?.ok_or_else(|| {
                        rej(
                            line,
                            Some("reported_at"),
                            Message::new(C::RequiredMissing).en("required value is empty"),
                        )
                    })?;
                    let status = match get("status") {
                        Some(s) => CaseStatus::parse(s).ok_or_else(|| {
                            rej(
                                line,
                                Some("status"),
                                Message::new(C::NotAStatus)
                                    .text("value", s)
                                    .en(format!("`{s}` is not a case status")),
                            )
                        })?,
                        None => CaseStatus::Closed,
                    };
                    let closed_at = when("closed_at")?;
                    if closed_at.is_some_and(|c| c < reported_at) {
                        return Err(rej(
                            line,
                            Some("closed_at"),
                            Message::new(C::ClosedBeforeReported).en("is before reported_at"),
                        ));
                    }
                    let component = get("component")
                        .map(|c| {
                            ComponentCode::parse(c)
                                .map_err(|e| rej(line, Some("component"), e.reason()))
                        })
                        .transpose()?;
                    let department = opt("department");
                    if let Some(d) = &department {
                        if desk.department(d).is_none() {
                            return Err(rej(
                                line,
                                Some("department"),
                                Message::new(C::RefusedUnknownDepartment)
                                    .text("code", d)
                                    .en(format!("department `{d}` does not exist")),
                            ));
                        }
                    }
                    let condition = opt("condition");
                    if let Some(c) = &condition {
                        if desk.standard.condition(kind, class.as_str(), c).is_none() {
                            return Err(rej(
                                line,
                                Some("condition"),
                                Message::new(C::NotAFilingCondition)
                                    .text("condition", c)
                                    .text("class", class)
                                    .en(format!(
                                        "`{c}` is not a filing condition of class {class}"
                                    )),
                            ));
                        }
                    }
                    let id = opt("id");
                    if let Some(i) = &id {
                        if !seen.insert(i.clone()) {
                            return Err(rej(
                                line,
                                Some("id"),
                                Message::new(C::KeyTwiceInFile)
                                    .text("field", "id")
                                    .text("key", i)
                                    .en(format!("task number `{i}` appears twice in the file")),
                            ));
                        }
                        if store.db().read_core(i).ok().flatten().is_some() {
                            return Err(rej(
                                line,
                                Some("id"),
                                Message::new(C::KeyExists)
                                    .text("field", "id")
                                    .text("key", i)
                                    .en(format!("case `{i}` already exists")),
                            ));
                        }
                    }
                    Ok(Row {
                        line,
                        id,
                        location,
                        kind,
                        class,
                        source,
                        reported_at,
                        status,
                        component,
                        description: opt("description"),
                        address: opt("address"),
                        reporter: opt("reporter"),
                        department,
                        closed_at,
                        condition,
                    })
                })();
                match r {
                    Ok(row) => rows.push(row),
                    Err(j) => rejects.push(j),
                }
            }
            if !opts.valid_only && !opts.dry_run {
                rejects.refuse(&file)?;
            }
            let pts: Vec<[f64; 2]> = rows.iter().map(|r| r.location).collect();
            let grids = crate::io::locate_points(index, &pts);
            let unlocated = grids.iter().filter(|g| g.is_none()).count();
            if opts.dry_run {
                progress(total, total);
                return Ok((
                    HistoryReport {
                        file: file.clone(),
                        imported: rows.len(),
                        rejects,
                        unlocated,
                        dry_run: true,
                    },
                    vec![],
                ));
            }
            let maintainers: HashMap<ComponentCode, &str> = index
                .components
                .iter()
                .filter_map(|c| Some((c.code, c.maintainer.as_deref()?)))
                .collect();
            let cal = &desk.calendar;
            let imported = store.transaction(|tx| {
                let mut next: HashMap<i32, u32> = HashMap::new();
                for (n, (r, g)) in rows.iter().zip(&grids).enumerate() {
                    if n % 1000 == 0 {
                        progress(total / 2 + n / 2, total);
                    }
                    let id = match &r.id {
                        Some(i) => i.clone(),
                        None => {
                            let y = r.reported_at.year();
                            let k = match next.get(&y) {
                                Some(k) => *k,
                                None => tx.next_id(y)?[5..].parse::<u32>().unwrap_or(1),
                            };
                            next.insert(y, k + 1);
                            format!("{y:04}-{k:07}")
                        }
                    };
                    let grid = g.map(|i| &index.grids[i]);
                    let community = grid.map(|g| g.community());
                    let street = community.map(|c| c.street());
                    let duty = grid.and_then(|g| index.duty_grid_of(&g.code));
                    let area = AreaClass::of_level(grid.and_then(|g| g.level.as_deref()));
                    let department = r.department.clone().or_else(|| {
                        r.component
                            .and_then(|c| maintainers.get(&c))
                            .and_then(|m| desk.department_named(m))
                            .map(|d| d.code.clone())
                            .or_else(|| {
                                desk.routing
                                    .route(r.kind, r.class.as_str(), area, street.as_ref())
                                    .map(str::to_string)
                            })
                    });
                    let case = Case {
                        id: id.clone(),
                        location: geo_types::Point::new(r.location[0], r.location[1]),
                        kind: r.kind,
                        class_code: r.class,
                        component: r.component,
                        source: r.source,
                        reported_at: r.reported_at,
                        status: r.status,
                        description: r.description.clone(),
                        grid: grid.map(|g| g.code),
                        sample: false,
                    };
                    Writer::on(tx).insert_case(&case).map_err(|e| {
                        Error::Invalid(e.message().en(format!("{file}, line {}: {e}", r.line)))
                    })?;
                    let cond =
                        desk.standard
                            .resolve(r.kind, r.class.as_str(), r.condition.as_deref());
                    let terminal = r.status.is_terminal();
                    let closed_at = if terminal {
                        r.closed_at.or(Some(r.reported_at))
                    } else {
                        None
                    };
                    let flow = Flow {
                        case_id: id.clone(),
                        street: street.map(|s| s.to_string()),
                        community: community.map(|c| c.to_string()),
                        duty_grid: duty.map(|d| d.code.clone()),
                        inspector: duty.map(|d| d.inspector.clone()),
                        department: department.clone(),
                        area_class: area,
                        condition: cond.map(|c| c.condition.clone()),
                        urgency: cond.map_or(Urgency::Ordinary, |c| c.urgency),
                        address: r.address.clone(),
                        reporter: r.reporter.clone(),
                        reporter_phone: None,
                        created_by: Some(by.login.clone()),
                        supervised: false,
                        rework_count: 0,
                        extension_count: 0,
                        hangup_count: 0,
                        return_count: 0,
                        duplicate_count: 0,
                        request: None,
                        closed_at,
                        updated_at: closed_at.unwrap_or(r.reported_at),
                    };
                    tx.write_flow(&flow)?;
                    // An open case gets the running clock of its current stage, from its report.
                    if let Some(stage) = crate::workflow::stage_of(r.status) {
                        let (limit, _) = desk.standard.limit(
                            r.kind,
                            r.class.as_str(),
                            flow.condition.as_deref(),
                            stage,
                            area,
                        );
                        let dep = (stage == Stage::Handle)
                            .then_some(department.as_deref())
                            .flatten();
                        let deadline = cal.deadline(r.reported_at, limit);
                        let run = tx.start_run(
                            &id,
                            &crate::workflow::record::StageRun::started(
                                0,
                                stage,
                                1,
                                dep,
                                r.reported_at,
                                limit,
                                deadline,
                            ),
                        )?;
                        if r.status == CaseStatus::Hung {
                            tx.start_hang(&id, run, r.reported_at, Some("历史导入"))?;
                            tx.set_run_clock(run, 0, 0, None)?;
                        }
                    }
                    if let (CaseStatus::Closed, Some(end)) = (r.status, r.closed_at) {
                        let (limit, _) = desk.standard.limit(
                            r.kind,
                            r.class.as_str(),
                            flow.condition.as_deref(),
                            Stage::Handle,
                            area,
                        );
                        let deadline = cal.deadline(r.reported_at, limit);
                        let run = tx.start_run(
                            &id,
                            &crate::workflow::record::StageRun::started(
                                0,
                                Stage::Handle,
                                1,
                                department.as_deref(),
                                r.reported_at,
                                limit,
                                deadline,
                            ),
                        )?;
                        let used = cal.measure(limit.unit.metric(), r.reported_at, end);
                        tx.end_run(
                            run,
                            end,
                            used,
                            used <= limit.seconds(cal),
                            ActionKind::Import.key(),
                            &by.login,
                        )?;
                    }
                    tx.append_audit(
                        &id,
                        closed_at.unwrap_or(r.reported_at),
                        &by.login,
                        by.role.key(),
                        ActionKind::Import.key(),
                        None,
                        r.status,
                        Some(&format!("{file}, line {}", r.line)),
                        None,
                    )?;
                }
                tx.record_audit(
                    &crate::audit::AuditEntry::by(by, "import.history", file.clone())
                        .after(serde_json::json!({ "cases": rows.len(), "unlocated": unlocated })),
                )?;
                Ok(rows.len())
            })?;
            progress(total, total);
            Ok((
                HistoryReport {
                    file: file.clone(),
                    imported,
                    rejects,
                    unlocated,
                    dry_run: false,
                },
                vec![],
            ))
        })?;
        if report.imported > 0 && !report.dry_run {
            self.reload()?;
        }
        Ok(report)
    }
}
