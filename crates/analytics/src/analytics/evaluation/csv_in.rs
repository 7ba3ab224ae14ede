//! Reads an [`EvalInput`] from a folder of CSV files (test fixtures, and evaluation of exported
//! workflow data before the workflow tables exist):
//!
//! * `grids.csv`: `code,name,class,inspector` — 15-digit grid code, name, region class (1 = 一类区域,
//!   2 = 二类区域), id of the inspector who patrols it (may be empty);
//! * `people.csv`: `id,name,position` with position `inspector`, `receptionist`, `shift_leader`
//!   or `dispatcher`;
//! * `cases.csv`: one case per line, times as `YYYY-MM-DD HH:MM`, empty = none. Columns: `id,
//!   class` (`event:0101`), `source`, `grid`, `department`, `reported_at`, `reporter`,
//!   `public_verified` (0/1), `accept_by`, `accept_end`, then for each of the stages `vsend`,
//!   `verify`, `file`, `dispatch`, `csend`, `check`, `close`: `<stage>_by, <stage>_start,
//!   <stage>_end, <stage>_deadline`; for handling `handle_start, handle_end, handle_deadline,
//!   handle_extended_to`; then `hung_from, hung_to, reworks, extensions, returns, cancelled_at`.
//!   `hung_from` and `hung_to` hold every hang-up (挂账) of the handling, `;`-separated and
//!   paired in order (the last `hung_to` may be empty: still hung). An optional column
//!   `handle_metric` (`working`, the default, or `natural`) says how the handling limit runs.
//!
//! Hang-up time stops the handling clock in the limit's own metric (SPEC §4.6): a finished
//! hang-up moves the handling deadline on by the *working* time it covered (through the work
//! calendar), not by its wall-clock length — as the workflow's own bundle deadline does.
//!
//! Departments are the distinct `department` values, sorted. Communities and streets come from
//! the grid codes. Every bad value is reported with its file, line and column.

use super::input::{EvalCase, EvalInput, Hangup, Person, Position, Stage};
use crate::analytics::columns::{ClassKey, Regions};
use crate::clock::{Interval, Metric, WorkCalendar};
use crate::code::{ClassCode, GridCode};
use crate::csvtable::{CsvRow, CsvTable};
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use crate::model::{CaseKind, CaseSource};
use chrono::NaiveDateTime;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

fn read(dir: &Path, name: &str) -> Result<CsvTable> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    CsvTable::parse(name, &text)
}

/// A record whose columns must exist (the format names every column).
struct Row<'a> {
    t: &'a CsvTable,
    r: CsvRow<'a>,
}

impl<'a> Row<'a> {
    /// A bad value in `field`. These files are read by the CLI only (`griddesk analytics
    /// evaluate --input`), so the UI message stays generic; the English text says exactly what
    /// is wrong.
    fn err(&self, field: &str, m: impl Into<String>) -> Error {
        self.r
            .err(field, Message::new(C::ValueInvalid).en(m.into()))
    }
    fn get(&self, field: &str) -> Result<&'a str> {
        match self.t.col(field) {
            Some(_) => Ok(self.r.get(field)),
            None => Err(self.err(field, "missing column")),
        }
    }
    fn opt(&self, field: &str) -> Result<Option<&'a str>> {
        Ok(Some(self.get(field)?).filter(|s| !s.is_empty()))
    }
    fn time(&self, field: &str) -> Result<Option<NaiveDateTime>> {
        self.opt(field)?
            .map(|s| {
                NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                    .map_err(|_| self.err(field, format!("`{s}` is not a time YYYY-MM-DD HH:MM")))
            })
            .transpose()
    }
    fn hangups(&self) -> Result<Vec<Hangup>> {
        let list = |field: &str| -> Result<Vec<Option<NaiveDateTime>>> {
            let Some(v) = self.opt(field)? else {
                return Ok(vec![]);
            };
            v.split(';')
                .map(|s| {
                    let s = s.trim();
                    if s.is_empty() {
                        return Ok(None);
                    }
                    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                        .map(Some)
                        .map_err(|_| {
                            self.err(field, format!("`{s}` is not a time YYYY-MM-DD HH:MM"))
                        })
                })
                .collect()
        };
        let (from, to) = (list("hung_from")?, list("hung_to")?);
        if to.len() > from.len() {
            return Err(self.err("hung_to", "more hang-up ends than starts in hung_from"));
        }
        let mut out = Vec::with_capacity(from.len());
        for (i, f) in from.iter().enumerate() {
            let Some(f) = *f else {
                return Err(self.err("hung_from", format!("hang-up {} has no start", i + 1)));
            };
            let t = to.get(i).copied().flatten();
            if t.is_some_and(|t| t < f) {
                return Err(self.err(
                    "hung_to",
                    format!("hang-up {} ends before it starts", i + 1),
                ));
            }
            if t.is_none() && i + 1 < from.len() {
                return Err(self.err(
                    "hung_to",
                    format!("hang-up {} has no end, but a later one starts", i + 1),
                ));
            }
            out.push(Hangup { from: f, to: t });
        }
        Ok(out)
    }

    fn num(&self, field: &str) -> Result<u32> {
        match self.opt(field)? {
            None => Ok(0),
            Some(s) => s
                .parse()
                .map_err(|_| self.err(field, format!("`{s}` is not a count"))),
        }
    }
}

fn position(s: &str) -> Option<Position> {
    Position::ALL
        .into_iter()
        .find(|p| p.key() == s || p.zh() == s)
}

/// Loads `grids.csv`, `people.csv` and `cases.csv` from `dir`, with the standard work calendar
/// (08:00–12:00, 14:00–18:00 on weekdays).
pub fn load_dir(dir: &Path) -> Result<EvalInput> {
    load_dir_with(dir, &WorkCalendar::default())
}

/// The handling deadline in force once the finished hang-ups are taken out in the limit's
/// metric: the limit is `start → deadline` measured on `cal`, and the clock does not run while
/// hung (the workflow's bundle deadline, SPEC §4.6).
fn deadline_after_hangups(
    cal: &WorkCalendar,
    metric: Metric,
    start: NaiveDateTime,
    deadline: NaiveDateTime,
    finished: &[Hangup],
) -> Option<NaiveDateTime> {
    let limit = cal.measure(metric, start, deadline);
    let hangs: Vec<Interval> = finished
        .iter()
        .map(|h| Interval {
            start: h.from,
            end: h.to,
        })
        .collect();
    cal.advance_excluding(metric, start, limit, &hangs)
}

/// [`load_dir`] with a given work calendar.
pub fn load_dir_with(dir: &Path, cal: &WorkCalendar) -> Result<EvalInput> {
    let people_t = read(dir, "people.csv")?;
    let mut people = vec![];
    let mut person_pos: HashMap<String, u32> = HashMap::new();
    for rec in people_t.rows() {
        let r = Row {
            t: &people_t,
            r: rec,
        };
        let id = r.get("id")?.to_string();
        let p = position(r.get("position")?).ok_or_else(|| r.err("position", "not a position"))?;
        if person_pos.insert(id.clone(), people.len() as u32).is_some() {
            return Err(r.err("id", format!("person `{id}` appears twice")));
        }
        people.push(Person {
            id,
            name: r.get("name")?.to_string(),
            position: p,
        });
    }
    let person = |r: &Row<'_>, field: &str| -> Result<Option<u32>> {
        r.opt(field)?
            .map(|s| {
                person_pos
                    .get(s)
                    .copied()
                    .ok_or_else(|| r.err(field, format!("unknown person `{s}`")))
            })
            .transpose()
    };

    let grids_t = read(dir, "grids.csv")?;
    let mut grid_rows = vec![];
    for rec in grids_t.rows() {
        let r = Row {
            t: &grids_t,
            r: rec,
        };
        let code = GridCode::parse(r.get("code")?).map_err(|e| r.err("code", e.to_string()))?;
        let class: u8 = match r.get("class")? {
            "1" => 1,
            "2" | "" => 2,
            s => return Err(r.err("class", format!("`{s}`: region class is 1 or 2"))),
        };
        grid_rows.push((
            code,
            r.get("name")?.to_string(),
            class,
            person(&r, "inspector")?,
        ));
    }
    grid_rows.sort_by_key(|g| g.0);
    let communities: Vec<String> = grid_rows
        .iter()
        .map(|g| g.0.community().to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let streets: Vec<String> = grid_rows
        .iter()
        .map(|g| g.0.community().street().to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut regions = Regions {
        community_names: communities.clone(),
        street_names: streets.clone(),
        district_code: grid_rows.first().map(|g| g.0.as_str()[..6].to_string()),
        district_name: None,
        ..Default::default()
    };
    for (code, name, class, _) in &grid_rows {
        let c = communities
            .binary_search(&code.community().to_string())
            .unwrap_or(0) as u32;
        let s = streets
            .binary_search(&code.community().street().to_string())
            .unwrap_or(0) as u32;
        regions.push_grid(
            *code,
            name,
            true,
            10_000.0,
            [f64::NAN, f64::NAN],
            0,
            *class,
            c,
            s,
        );
    }
    regions.community_codes = communities;
    regions.street_codes = streets;
    let grid_inspector = grid_rows.iter().map(|g| g.3).collect();

    let cases_t = read(dir, "cases.csv")?;
    let departments: Vec<String> = {
        cases_t
            .rows()
            .filter_map(|r| r.opt("department"))
            .map(String::from)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let mut cases = Vec::with_capacity(cases_t.len());
    for rec in cases_t.rows() {
        let r = Row {
            t: &cases_t,
            r: rec,
        };
        let id = r.get("id")?;
        let class_s = r.get("class")?;
        let (kind, code) = class_s.split_once(':').unwrap_or(("event", class_s));
        let class = ClassKey {
            kind: CaseKind::parse(kind)
                .ok_or_else(|| r.err("class", format!("`{kind}` is not event/component")))?,
            code: ClassCode::parse(code).map_err(|e| r.err("class", e.to_string()))?,
        };
        let source = CaseSource::parse(r.get("source")?)
            .ok_or_else(|| r.err("source", "not a case source"))?;
        let reported = r
            .time("reported_at")?
            .ok_or_else(|| r.err("reported_at", "required"))?;
        let mut c = EvalCase::new(id, class, source, reported);
        c.grid = match r.opt("grid")? {
            None => None,
            Some(g) => {
                let code = GridCode::parse(g).map_err(|e| r.err("grid", e.to_string()))?;
                Some(
                    regions
                        .grid_index(&code)
                        .ok_or_else(|| r.err("grid", format!("grid `{g}` is not in grids.csv")))?,
                )
            }
        };
        c.department = r
            .opt("department")?
            .map(|d| departments.binary_search(&d.to_string()).unwrap_or(0) as u32);
        c.reporter = person(&r, "reporter")?;
        c.public_verified = matches!(r.get("public_verified")?, "1" | "true" | "是");
        c.accept = Stage {
            holder: person(&r, "accept_by")?,
            start: Some(reported),
            end: r.time("accept_end")?,
            deadline: None,
            extended_to: None,
            recorded_on_time: None,
        };
        let stage = |p: &str| -> Result<Stage> {
            Ok(Stage {
                holder: person(&r, &format!("{p}_by"))?,
                start: r.time(&format!("{p}_start"))?,
                end: r.time(&format!("{p}_end"))?,
                deadline: r.time(&format!("{p}_deadline"))?,
                extended_to: None,
                recorded_on_time: None,
            })
        };
        let optional = |s: Stage| (s.holder.is_some() || s.start.is_some()).then_some(s);
        c.verify_send = optional(stage("vsend")?);
        c.verify = optional(stage("verify")?);
        c.file = stage("file")?;
        c.dispatch = stage("dispatch")?;
        c.handle = Stage {
            holder: c.department,
            start: r.time("handle_start")?,
            end: r.time("handle_end")?,
            deadline: r.time("handle_deadline")?,
            extended_to: r.time("handle_extended_to")?,
            recorded_on_time: None,
        };
        c.check_send = optional(stage("csend")?);
        c.check = optional(stage("check")?);
        c.close = stage("close")?;
        let metric = match r.opt("handle_metric").unwrap_or(None) {
            None | Some("working" | "工作时") => Metric::Working,
            Some("natural" | "自然时") => Metric::Natural,
            Some(m) => {
                return Err(r.err(
                    "handle_metric",
                    format!("`{m}`: the handling metric is `working` or `natural`"),
                ))
            }
        };
        let hangups = r.hangups()?;
        c.hang_count = hangups.len() as u32;
        let (finished, open): (Vec<Hangup>, Vec<Hangup>) =
            hangups.into_iter().partition(|h| h.to.is_some());
        if let (Some(start), Some(d), false) = (
            c.handle.start,
            c.handle.effective_deadline(),
            finished.is_empty(),
        ) {
            let moved = deadline_after_hangups(cal, metric, start, d, &finished);
            if c.handle.extended_to.is_some() {
                c.handle.extended_to = moved;
            } else {
                c.handle.deadline = moved;
            }
        }
        // A hang-up still open stops the clock where it began: late_at judges it there.
        c.hangups = open;
        c.reworks = r.num("reworks")?;
        c.extensions = r.num("extensions")?;
        c.returns = r.num("returns")?;
        c.cancelled_at = r.time("cancelled_at")?;
        cases.push(c);
    }
    Ok(EvalInput::new(
        cases,
        regions,
        departments,
        people,
        grid_inspector,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::evaluation::{evaluate, EvaluationConfig, Indicator, Period, TableKind};

    const HEAD: &str = "id,class,source,grid,department,reported_at,reporter,public_verified,accept_by,accept_end,file_by,file_start,file_end,file_deadline,dispatch_by,dispatch_start,dispatch_end,dispatch_deadline,handle_start,handle_end,handle_deadline,handle_extended_to,close_by,close_start,close_end,close_deadline,hung_from,hung_to,reworks,extensions,returns,cancelled_at,vsend_by,vsend_start,vsend_end,vsend_deadline,verify_by,verify_start,verify_end,verify_deadline,csend_by,csend_start,csend_end,csend_deadline,check_by,check_start,check_end,check_deadline";

    /// One case per `(id, handle_start, handle_end, handle_deadline, hung_from, hung_to)`, filed
    /// and dispatched at the handling start, closed when handled.
    fn dir_with(cases: &[(&str, &str, &str, &str, &str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("tempdir");
        let w = |n: &str, t: String| std::fs::write(d.path().join(n), t).expect("write");
        w(
            "grids.csv",
            "code,name,class,inspector\n331003001001001,G1,1,J1\n".into(),
        );
        w(
            "people.csv",
            "id,name,position\nJ1,王,inspector\nZ1,赵,shift_leader\nP1,钱,dispatcher\n".into(),
        );
        let mut t = format!("{HEAD}\n");
        for (id, start, end, due, hf, ht) in cases {
            t += &format!(
                "{id},event:0101,patrol,331003001001001,市政处,{start},J1,0,,,Z1,{start},{start},,P1,{start},{start},,{start},{end},{due},,Z1,{end},{end},,{hf},{ht},0,0,0,,,,,,,,,,,,,,,,,\n"
            );
        }
        w("cases.csv", t);
        d
    }

    fn on_time(dir: &tempfile::TempDir, id: &str) -> bool {
        let inp = load_dir(dir.path()).expect("load");
        let c = inp.cases.iter().find(|c| &*c.id == id).expect("case");
        c.handle.on_time(&c.hangups) == Some(true)
    }

    #[test]
    fn hang_up_time_is_taken_out_in_working_time() {
        // Monday 2 March 2026, office hours 08–12 and 14–18.
        // HANG-1: limit 6 working hours from 08:00 → due 16:00. Hung 11:00–14:00 (3 h on the
        // wall, 1 working hour: the lunch break is not working time). The clock resumes at 14:00
        // with 3 h left → due 17:00; fed back 17:30 → late. The wall-clock rule
        // (17:30 − 3 h = 14:30 ≤ 16:00) called it on time.
        // HANG-2: limit 2 working hours from 08:00 → due 10:00. Hung 09:00–11:30 (2.5 h, all
        // working time); resumes 11:30 with 1 h left → 12:00 + 30 min after lunch = 14:30; fed
        // back 14:00 → on time. The wall-clock rule (14:00 − 2.5 h = 11:30 > 10:00) called it
        // late.
        let d = dir_with(&[
            (
                "HANG-1",
                "2026-03-02 08:00",
                "2026-03-02 17:30",
                "2026-03-02 16:00",
                "2026-03-02 11:00",
                "2026-03-02 14:00",
            ),
            (
                "HANG-2",
                "2026-03-02 08:00",
                "2026-03-02 14:00",
                "2026-03-02 10:00",
                "2026-03-02 09:00",
                "2026-03-02 11:30",
            ),
        ]);
        assert!(!on_time(&d, "HANG-1"));
        assert!(on_time(&d, "HANG-2"));
    }

    #[test]
    fn every_hang_up_counts_and_moves_the_deadline() {
        // Due 10:00 (2 working hours from 08:00); hung 08:30–09:00 and 09:30–10:30 (1.5 working
        // hours in all) → due 11:30. Fed back 11:20 → on time; with only the first hang-up
        // (the old one-hang-up format) it would have been due 10:30 and late.
        let d = dir_with(&[(
            "TWO",
            "2026-03-02 08:00",
            "2026-03-02 11:20",
            "2026-03-02 10:00",
            "2026-03-02 08:30;2026-03-02 09:30",
            "2026-03-02 09:00;2026-03-02 10:30",
        )]);
        assert!(on_time(&d, "TWO"));
        let inp = load_dir(d.path()).expect("load");
        assert_eq!(inp.cases[0].hang_count, 2);
        let p = Period::month(2026, 3).expect("month");
        let ev = evaluate(&inp, &p, &EvaluationConfig::default());
        let t = ev.table(TableKind::Department).expect("table");
        let row = &t.rows[0];
        assert_eq!(t.count(row, Indicator::Hung), Some(1));
        assert_eq!(t.count(row, Indicator::HandledOnTime), Some(1));
    }

    #[test]
    fn bad_hang_up_lists_name_the_field() {
        let d = dir_with(&[(
            "BAD",
            "2026-03-02 08:00",
            "2026-03-02 11:20",
            "2026-03-02 10:00",
            "2026-03-02 08:30;2026-03-02 09:30",
            "2026-03-02 08:00",
        )]);
        let e = load_dir(d.path()).expect_err("refused");
        let m = e.to_string();
        assert!(m.contains("hung_to") && m.contains("line 2"), "{m}");
    }
}
