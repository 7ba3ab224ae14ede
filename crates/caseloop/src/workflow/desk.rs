//! The workflow's in-memory state: calendar, filing standard, routing, departments, users, and
//! the open cases with their running stage clocks and a per-class R-tree of their locations.
//!
//! Built from the store on first use and kept in step by every write of the case loop, so that
//! intake (duplicate check) and the deadline recompute of all open cases never read the store.
//! A reload of the engine's indexes (an import) makes it rebuild the open cases.

use super::machine::RequestKind;
use crate::clock::{ClockState, Metric, TimeLimit, TimeUnit, WorkCalendar};
use crate::code::{ClassCode, GridCode};
use crate::error::{Error, Result};
use crate::filing::{FilingStandard, Stage};
use crate::index::SpatialIndex;
use crate::model::{CaseKind, CaseSource, CaseStatus};
use crate::routing::Routing;
use crate::users::{Department, User};
use chrono::NaiveDateTime;
use griddesk_core::dates::parse_datetime;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use std::collections::{BTreeMap, HashMap};

/// The running stage clock of an open case, reduced to what a recompute needs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunClock {
    pub stage: Stage,
    pub started: NaiveDateTime,
    /// Bundle deadline; `None` while hung.
    pub deadline: Option<NaiveDateTime>,
    /// Limit plus extensions, seconds of `metric`.
    pub limit_seconds: i64,
    pub metric: Metric,
    /// Start of the open hang-up.
    pub hang_start: Option<NaiveDateTime>,
    /// Closed hang-ups of this run, seconds of `metric`.
    pub hung_seconds: i64,
}

impl RunClock {
    /// The clock at `now`: O(1) with the calendar's prefix table.
    pub fn state(&self, cal: &WorkCalendar, now: NaiveDateTime) -> ClockState {
        let until = self.hang_start.map_or(now, |h| h.min(now));
        let used = cal.measure(self.metric, self.started, until).max(0) - self.hung_seconds;
        ClockState::from_parts(
            self.deadline,
            self.limit_seconds,
            used,
            self.hang_start.is_some(),
            self.metric,
        )
    }
}

/// An open case as the workflow keeps it in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCase {
    pub id: Box<str>,
    /// Position in the engine's `SpatialIndex::cases` (`u32::MAX` if unknown).
    pub pos: u32,
    pub kind: CaseKind,
    pub class: ClassCode,
    pub location: [f64; 2],
    pub reported_at: NaiveDateTime,
    pub source: CaseSource,
    pub status: CaseStatus,
    pub grid: Option<GridCode>,
    pub department: Option<Box<str>>,
    pub inspector: Option<Box<str>>,
    pub supervised: bool,
    pub request: Option<RequestKind>,
    pub run: Option<RunClock>,
}

impl OpenCase {
    /// Whether the case is overdue (超期) at `at`: its running stage clock has used more than its
    /// limit plus approved extensions, hang-ups excluded (SPEC §4.6). A case hung after its limit
    /// had run out stays overdue while hung. This is the one definition of overdue: the queue,
    /// the case list, the map, every count, table and bulletin use it.
    pub fn overdue_at(&self, cal: &WorkCalendar, at: NaiveDateTime) -> bool {
        self.run.as_ref().is_some_and(|r| r.state(cal, at).overdue)
    }
}

type Pt = GeomWithData<[f64; 2], u32>;

/// Open cases with an id map and a per-class R-tree.
#[derive(Debug, Default)]
pub struct OpenCases {
    slots: Vec<Option<OpenCase>>,
    free: Vec<u32>,
    by_id: HashMap<Box<str>, u32>,
    trees: HashMap<(CaseKind, ClassCode), RTree<Pt>>,
}

impl OpenCases {
    /// Number of open cases.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no case is open.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Every open case, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &OpenCase> {
        self.slots.iter().flatten()
    }

    /// An open case by task number.
    pub fn get(&self, id: &str) -> Option<&OpenCase> {
        self.by_id
            .get(id)
            .and_then(|&s| self.slots[s as usize].as_ref())
    }

    /// Adds (or replaces) an open case.
    pub fn insert(&mut self, c: OpenCase) {
        self.remove(&c.id);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.trees
            .entry((c.kind, c.class))
            .or_default()
            .insert(GeomWithData::new(c.location, slot));
        self.by_id.insert(c.id.clone(), slot);
        self.slots[slot as usize] = Some(c);
    }

    /// Records a case's position in the engine index.
    pub fn set_pos(&mut self, id: &str, pos: u32) {
        if let Some(&s) = self.by_id.get(id) {
            if let Some(c) = self.slots[s as usize].as_mut() {
                c.pos = pos;
            }
        }
    }

    /// Removes a case (it left the loop).
    pub fn remove(&mut self, id: &str) -> Option<OpenCase> {
        let slot = self.by_id.remove(id)?;
        let c = self.slots[slot as usize].take()?;
        if let Some(t) = self.trees.get_mut(&(c.kind, c.class)) {
            t.remove(&GeomWithData::new(c.location, slot));
        }
        self.free.push(slot);
        Some(c)
    }

    /// Replaces the record of a case after a transition: drops it if it left the loop.
    pub fn update(&mut self, c: OpenCase) {
        if c.status.is_terminal() {
            self.remove(&c.id);
        } else if let Some(&slot) = self.by_id.get(&*c.id) {
            self.slots[slot as usize] = Some(c);
        } else {
            self.insert(c);
        }
    }

    /// Open cases of a class within `radius_m` metres of a point, nearest first, with their
    /// distance (haversine).
    pub fn near(
        &self,
        kind: CaseKind,
        class: ClassCode,
        lon: f64,
        lat: f64,
        radius_m: f64,
    ) -> Vec<(&OpenCase, f64)> {
        use geo::{Distance, Haversine};
        let Some(t) = self.trees.get(&(kind, class)) else {
            return vec![];
        };
        let m_per_deg = crate::geodesy::EARTH_RADIUS_M.to_radians();
        let dlat = radius_m / m_per_deg * 1.01;
        let dlon = dlat / lat.to_radians().cos().abs().max(0.01);
        let env = AABB::from_corners([lon - dlon, lat - dlat], [lon + dlon, lat + dlat]);
        let here = geo_types::Point::new(lon, lat);
        let mut out: Vec<(&OpenCase, f64)> = t
            .locate_in_envelope(&env)
            .filter_map(|e| {
                let c = self.slots[e.data as usize].as_ref()?;
                let d =
                    Haversine.distance(here, geo_types::Point::new(c.location[0], c.location[1]));
                (d <= radius_m).then_some((c, d))
            })
            .collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
        out
    }
}

/// The workflow's in-memory state (module docs).
#[derive(Debug)]
pub struct Desk {
    pub calendar: WorkCalendar,
    pub standard: FilingStandard,
    pub routing: Routing,
    pub departments: BTreeMap<String, Department>,
    /// Users with their password hash, by login.
    pub users: BTreeMap<String, (User, String)>,
    pub open: OpenCases,
    /// Generation of the engine index the open cases match (see `Engine::with_desk`).
    pub loaded: u64,
}

impl Desk {
    /// Reads everything from the store; open cases are matched with their index positions.
    pub fn load(
        conn: &dyn crate::CaseLoopStore,
        index: &SpatialIndex,
        loaded: u64,
    ) -> Result<Self> {
        let calendar = conn.load_calendar()?;
        let mut d = Self {
            standard: conn.load_standard()?,
            routing: conn.load_routing()?,
            departments: conn
                .load_departments()?
                .into_iter()
                .map(|d| (d.code.clone(), d))
                .collect(),
            users: conn
                .load_users()?
                .into_iter()
                .map(|(u, h)| (u.login.clone(), (u, h)))
                .collect(),
            calendar,
            open: OpenCases::default(),
            loaded,
        };
        d.load_open(conn, index)?;
        Ok(d)
    }

    /// Re-reads calendar, standard, routing, departments and users (after an edit).
    pub fn refresh_tables(&mut self, conn: &dyn crate::CaseLoopStore) -> Result<()> {
        self.calendar = conn.load_calendar()?;
        self.standard = conn.load_standard()?;
        self.routing = conn.load_routing()?;
        self.departments = conn
            .load_departments()?
            .into_iter()
            .map(|d| (d.code.clone(), d))
            .collect();
        self.users = conn
            .load_users()?
            .into_iter()
            .map(|(u, h)| (u.login.clone(), (u, h)))
            .collect();
        Ok(())
    }

    /// Rebuilds the open cases from the store and the index.
    pub fn load_open(
        &mut self,
        conn: &dyn crate::CaseLoopStore,
        index: &SpatialIndex,
    ) -> Result<()> {
        let mut pos: HashMap<&str, u32> = HashMap::new();
        for (i, c) in index.cases.iter().enumerate() {
            if !c.status.is_terminal() {
                pos.insert(&c.id, i as u32);
            }
        }
        let mut open = OpenCases::default();
        for r in conn.open_case_rows()? {
            let id = r.id;
            let Some(&p) = pos.get(id.as_str()) else {
                continue;
            };
            let s = &index.cases[p as usize];
            let status = CaseStatus::parse(&r.status).unwrap_or(s.status);
            let run = match r.stage {
                Some(stage) => {
                    let unit = r.limit_unit.unwrap_or_default();
                    let unit = TimeUnit::parse(&unit).ok_or_else(|| {
                        Error::Internal(format!("case `{id}`: stored unit `{unit}`"))
                    })?;
                    let limit = TimeLimit {
                        amount: r.limit_amount.unwrap_or_default(),
                        unit,
                    };
                    let dt = |v: Option<String>| v.as_deref().map(parse_datetime).transpose();
                    Some(RunClock {
                        stage: Stage::parse(&stage).unwrap_or(Stage::Handle),
                        started: parse_datetime(r.started_at.as_deref().unwrap_or_default())?,
                        deadline: dt(r.deadline)?,
                        limit_seconds: limit.seconds(&self.calendar)
                            + r.extension_seconds.unwrap_or(0),
                        metric: unit.metric(),
                        hang_start: dt(r.hang_start)?,
                        hung_seconds: r.hung_seconds.unwrap_or(0),
                    })
                }
                None => None,
            };
            open.insert(OpenCase {
                pos: p,
                kind: s.kind,
                class: s.class_code,
                location: [s.location.x(), s.location.y()],
                reported_at: s.reported_at,
                source: s.source,
                status,
                grid: s.grid,
                department: r.department.map(Into::into),
                inspector: r.inspector.map(Into::into),
                supervised: r.supervised.unwrap_or(false),
                request: r.request.as_deref().and_then(RequestKind::parse),
                run,
                id: id.into_boxed_str(),
            });
        }
        self.open = open;
        Ok(())
    }

    /// Active department by code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.get(code).filter(|d| d.active)
    }

    /// The department whose name is `name` (a component's maintainer).
    pub fn department_named(&self, name: &str) -> Option<&Department> {
        let n = name.trim();
        self.departments.values().find(|d| d.active && d.name == n)
    }
}

/// One open case as the store keeps its flow and running stage (columns of `case_flow` and
/// `case_stage`; `None` where the case has no flow or no running stage).
#[derive(Debug, Clone, Default)]
pub struct OpenRow {
    pub id: String,
    pub status: String,
    pub department: Option<String>,
    pub inspector: Option<String>,
    pub supervised: Option<bool>,
    pub request: Option<String>,
    pub stage: Option<String>,
    pub started_at: Option<String>,
    pub limit_amount: Option<f64>,
    pub limit_unit: Option<String>,
    pub extension_seconds: Option<i64>,
    pub hung_seconds: Option<i64>,
    pub deadline: Option<String>,
    /// When the stage's open hang-up began.
    pub hang_start: Option<String>,
}

/// What the desk reads from the store besides the tables of the other case-loop modules.
pub trait DeskStore {
    /// Every case that is not closed, cancelled or refused, with its flow and running stage.
    fn open_case_rows(&self) -> Result<Vec<OpenRow>>;
}
