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
//!
//! Departments are the distinct `department` values, sorted. Communities and streets come from
//! the grid codes. Every bad value is reported with its file, line and column.

use super::input::{EvalCase, EvalInput, Hangup, Person, Position, Stage};
use crate::analytics::columns::{ClassKey, Regions};
use crate::code::{ClassCode, GridCode};
use crate::error::{Error, Location, Position as FilePos, Result};
use crate::model::{CaseKind, CaseSource};
use chrono::NaiveDateTime;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

struct Table {
    file: String,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

fn read(dir: &Path, name: &str) -> Result<Table> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let bad = |line: u64, m: String| Error::Input {
        location: Location {
            file: name.into(),
            position: FilePos::Line(line),
            field: None,
        },
        message: m,
    };
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| bad(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = vec![];
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        rows.push((line, rec));
    }
    Ok(Table {
        file: name.into(),
        headers,
        rows,
    })
}

struct Row<'a> {
    t: &'a Table,
    line: u64,
    rec: &'a csv::StringRecord,
}

impl Row<'_> {
    fn err(&self, field: &str, m: impl Into<String>) -> Error {
        Error::Input {
            location: Location {
                file: self.t.file.clone(),
                position: FilePos::Line(self.line),
                field: Some(field.into()),
            },
            message: m.into(),
        }
    }
    fn get(&self, field: &str) -> Result<&str> {
        let i = self
            .t
            .headers
            .iter()
            .position(|h| h == field)
            .ok_or_else(|| self.err(field, "missing column"))?;
        Ok(self.rec.get(i).unwrap_or("").trim())
    }
    fn opt(&self, field: &str) -> Result<Option<&str>> {
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

/// Loads `grids.csv`, `people.csv` and `cases.csv` from `dir`.
pub fn load_dir(dir: &Path) -> Result<EvalInput> {
    let people_t = read(dir, "people.csv")?;
    let mut people = vec![];
    let mut person_pos: HashMap<String, u32> = HashMap::new();
    for (line, rec) in &people_t.rows {
        let r = Row {
            t: &people_t,
            line: *line,
            rec,
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
    for (line, rec) in &grids_t.rows {
        let r = Row {
            t: &grids_t,
            line: *line,
            rec,
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
        let i = cases_t.headers.iter().position(|h| h == "department");
        cases_t
            .rows
            .iter()
            .filter_map(|(_, r)| {
                i.and_then(|i| r.get(i))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            })
            .map(String::from)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let mut cases = Vec::with_capacity(cases_t.rows.len());
    for (line, rec) in &cases_t.rows {
        let r = Row {
            t: &cases_t,
            line: *line,
            rec,
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
        if let Some(from) = r.time("hung_from")? {
            c.hangups.push(Hangup {
                from,
                to: r.time("hung_to")?,
            });
        }
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
