//! A real district's first day (docs/setup.md): a store for a district of one's own (its outline
//! from the county outlines shipped with the app or from a file, its first administrator, no
//! demo accounts), the setup checklist that says what is there and what is missing, and the
//! auto-proposal of unit grids for every community at once, reviewed and then accepted as one
//! undoable edit.

use crate::audit::AuditEntry;
use crate::code::CommunityCode;
use crate::error::{Error, Result};
use crate::geodesy;
use crate::message::{Message, MessageCode};
use crate::planning::change::ChangeSet;
use crate::planning::guard::Problem;
use crate::planning::history::EditMeta;
use crate::planning::propose::{Balance, ProposalOptions};
use crate::users::{NewUser, Role, Session};
use crate::validate::Severity;
use crate::Engine;
use geo::BooleanOps;
use geo_types::MultiPolygon;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a new district's outline comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutlineSource {
    /// The county-level outlines shipped with the app (`resources/geo/counties.geojson`).
    Bundled,
    /// A GeoJSON file holding the district as a feature with its code (`gb`, `code` or
    /// `adcode`, as [`crate::io::read_district`] reads it).
    File { path: String },
}

/// What File ▸ New asks for a real district.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewDistrict {
    /// The 6-digit GB/T 2260 code.
    pub code: String,
    pub outline: OutlineSource,
    /// The first administrator (login, name, password; roles and department are ignored).
    pub admin: NewUser,
}

/// One step of the setup checklist (§ docs/setup.md "The checklist").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SetupStepKey {
    District,
    Streets,
    Communities,
    Grids,
    DutyGrids,
    Departments,
    Calendar,
    Components,
}

/// Which outline a planner draws on the map (§ docs/setup.md "Drawing streets and communities").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BoundaryKind {
    Street,
    Community,
}

/// A street or community drawn on the map.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DrawnBoundary {
    pub kind: BoundaryKind,
    /// The code (9 digits for a street, 12 for a community); by default the next free number
    /// in the district (a street) or in the street the outline lies in (a community).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub code: Option<String>,
    pub name: String,
    /// The outline, `[lon, lat]` points (closed or not).
    pub ring: Vec<[f64; 2]>,
}

/// A figure shown in a checklist step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SetupFigureKey {
    /// The district outline's area, km².
    DistrictAreaKm2,
    Streets,
    /// The area the streets cover, km² (the managed area; often the built-up area only).
    StreetsAreaKm2,
    /// Street area outside the district outline, m².
    StreetsOutsideM2,
    /// Area covered by more than one street, m².
    StreetsOverlapM2,
    Communities,
    /// Streets without any community.
    StreetsWithoutCommunities,
    /// Street area no community covers, m².
    CommunityGapM2,
    /// Area covered by more than one community, or outside its street, m².
    CommunityOverlapM2,
    Grids,
    CommunitiesWithoutGrids,
    /// Errors of the whole-district topology check (gaps, overlaps, parts outside…), not
    /// counting communities without grids.
    TopologyErrors,
    DutyGrids,
    /// Active unit grids in no duty grid.
    GridsWithoutDutyGrid,
    /// Active accounts holding the inspector role.
    Inspectors,
    /// People in the zones register (责任人).
    People,
    Departments,
    RoutingRules,
    /// Holidays and adjusted working days of the current year in the work calendar.
    CalendarDaysThisYear,
    /// Filing conditions with their time limits.
    TimeLimits,
    Components,
}

/// A figure and whether it is what keeps the step from being done.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetupFigure {
    pub key: SetupFigureKey,
    pub value: f64,
    pub problem: bool,
}

/// One step: done, or the figures that say what is missing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetupStep {
    pub key: SetupStepKey,
    pub done: bool,
    pub figures: Vec<SetupFigure>,
}

/// The setup checklist of the open store.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetupStatus {
    pub steps: Vec<SetupStep>,
    /// Every step done.
    pub done: bool,
    /// The store holds the generated sample district.
    pub sample: bool,
}

/// A proposal for one community within a [`DistrictProposal`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CommunityProposal {
    pub code: String,
    pub name: String,
    pub balance: Balance,
}

/// The auto-proposal for several communities at once, kept by the engine until it is accepted
/// ([`Engine::accept_district_proposal`]) or replaced.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DistrictProposal {
    /// Names this proposal when it is accepted.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub token: u64,
    pub communities: Vec<CommunityProposal>,
    /// Grids the proposal creates in all.
    pub grids: usize,
    /// Errors of the guard's check of the whole change (it cannot be accepted then).
    pub errors: Vec<Problem>,
    /// Warnings (grids outside the area range…).
    pub warnings: usize,
    /// The proposed grids, for the map's preview: a FeatureCollection of polygons with
    /// `code` and `area_m2`.
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").FeatureCollection"))]
    pub preview: serde_json::Value,
}

/// A proposal the engine holds for acceptance.
pub(crate) struct PendingProposal {
    token: u64,
    change: ChangeSet,
    communities: Vec<String>,
}

impl PendingProposal {
    pub(crate) fn token(&self) -> u64 {
        self.token
    }
}

/// Gaps and overlaps under this many m² are the slivers of two sources' rounding, not gaps.
const SLIVER_M2: f64 = 1.0;

fn area_multi(m: &MultiPolygon<f64>) -> f64 {
    m.0.iter().map(geodesy::area_m2).sum()
}

/// Union of polygons, pairwise (balanced) so that it stays fast for a few hundred parts.
fn union_all(parts: Vec<MultiPolygon<f64>>) -> MultiPolygon<f64> {
    let mut layer = parts;
    while layer.len() > 1 {
        layer = layer
            .par_chunks(2)
            .map(|c| match c {
                [a, b] => a.union(b),
                [a] => a.clone(),
                _ => MultiPolygon(vec![]),
            })
            .collect();
    }
    layer.pop().unwrap_or_else(|| MultiPolygon(vec![]))
}

/// Area covered more than once by `parts` (their areas' sum less their union's), and the
/// union.
fn overlap_and_union(parts: &[&MultiPolygon<f64>]) -> (f64, MultiPolygon<f64>) {
    let sum: f64 = parts.iter().map(|p| area_multi(p)).sum();
    let union = union_all(parts.iter().map(|p| (*p).clone()).collect());
    ((sum - area_multi(&union)).max(0.0), union)
}

/// Longest edge a drawn outline keeps, m: the auto-proposal triangulates an outline without
/// splitting its edges, so a community drawn as a few long edges would leave it too few
/// triangles to make unit grids of (§ docs/setup.md "Drawing streets and communities").
const DRAWN_EDGE_M: f64 = 50.0;

/// A ring (closed: first point repeated last) with points added along every edge longer than [`DRAWN_EDGE_M`]. The points
/// depend only on the edge's two ends, whichever way it runs: a street and a community drawn on
/// the same corners (snapped) get the same points, so their outlines still match vertex for
/// vertex.
fn densify(ring: &[geo_types::Coord<f64>]) -> Vec<geo_types::Coord<f64>> {
    let mut out = Vec::with_capacity(ring.len());
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        out.push(a);
        out.extend(crate::planning::geom::edge_points(a, b, DRAWN_EDGE_M));
    }
    if let Some(&last) = ring.last() {
        out.push(last);
    }
    out
}

/// Adds `more` to `into`, merging two changes of the same outline: several communities'
/// proposals insert points into the same street or neighbour outline (the points of a shared
/// edge are the same from both sides), and the merged outline has all of them.
fn merge_outline_changes<T, K: PartialEq>(
    into: &mut Vec<T>,
    more: Vec<T>,
    key: impl Fn(&T) -> K,
    parts: impl Fn(&mut T) -> (&MultiPolygon<f64>, &mut MultiPolygon<f64>),
) {
    for mut m in more {
        let k = key(&m);
        match into.iter_mut().find(|x| key(x) == k) {
            Some(existing) => {
                let other = parts(&mut m).1.clone();
                let (before, after) = parts(existing);
                *after = merge_multi(before, after, &other);
            }
            None => into.push(m),
        }
    }
}

fn merge_grid_changes(
    into: &mut Vec<crate::planning::change::GridChange>,
    more: Vec<crate::planning::change::GridChange>,
) {
    for m in more {
        match into.iter_mut().find(|x| x.code == m.code) {
            Some(existing) => {
                existing.after = merge_polygon(&existing.before, &existing.after, &m.after);
            }
            None => into.push(m),
        }
    }
}

fn merge_polygon(
    before: &geo_types::Polygon<f64>,
    a: &geo_types::Polygon<f64>,
    b: &geo_types::Polygon<f64>,
) -> geo_types::Polygon<f64> {
    use crate::planning::geom::merge_insertions;
    let ring = |r0: &geo_types::LineString<f64>,
                r1: &geo_types::LineString<f64>,
                r2: &geo_types::LineString<f64>| {
        geo_types::LineString(merge_insertions(&r0.0, &[&r1.0, &r2.0]))
    };
    let holes = before
        .interiors()
        .iter()
        .zip(a.interiors())
        .zip(b.interiors())
        .map(|((h0, h1), h2)| ring(h0, h1, h2))
        .collect();
    geo_types::Polygon::new(ring(before.exterior(), a.exterior(), b.exterior()), holes)
}

fn merge_multi(
    before: &MultiPolygon<f64>,
    a: &MultiPolygon<f64>,
    b: &MultiPolygon<f64>,
) -> MultiPolygon<f64> {
    MultiPolygon(
        before
            .0
            .iter()
            .zip(&a.0)
            .zip(&b.0)
            .map(|((p0, p1), p2)| merge_polygon(p0, p1, p2))
            .collect(),
    )
}

fn invalid(r: crate::Reason) -> Error {
    Error::Invalid(r)
}

fn outside_err(what: &str, code: &str, area: f64) -> Error {
    invalid(
        Message::new(MessageCode::BoundaryOutside)
            .text("what", what)
            .text("code", code)
            .int("area", area.round() as i64)
            .en(format!(
                "the drawn outline reaches {area:.0} m² outside {what} {code}"
            )),
    )
}

fn overlap_err(code: &str, area: f64) -> Error {
    invalid(
        Message::new(MessageCode::BoundaryOverlap)
            .text("code", code)
            .int("area", area.round() as i64)
            .en(format!("the drawn outline overlaps {code} by {area:.0} m²")),
    )
}

fn figure(key: SetupFigureKey, value: f64, problem: bool) -> SetupFigure {
    SetupFigure {
        key,
        // No "-0" for an empty area.
        value: value + 0.0,
        problem,
    }
}

fn step(key: SetupStepKey, figures: Vec<SetupFigure>, needs: bool) -> SetupStep {
    SetupStep {
        key,
        done: needs && !figures.iter().any(|f| f.problem),
        figures,
    }
}

impl Engine {
    /// Creates the store of a real district at `path` (which must not exist): the code
    /// tables from `resources/codes`, the district's outline, the shipped work calendar and
    /// filing standard, and the first administrator, who is signed in. Nothing of the sample.
    /// Crash-safe like [`Engine::open_or_seed`]: built under `<path>.seeding` and moved into
    /// place once complete.
    pub fn create_district(
        path: &Path,
        resources: &Path,
        nd: &NewDistrict,
    ) -> Result<(Self, Session)> {
        if path.exists() {
            return Err(Error::Invalid(
                Message::new(MessageCode::StoreExists)
                    .text("path", path.display())
                    .en(format!(
                        "{} already exists: choose another file name",
                        path.display()
                    )),
            ));
        }
        let admin = NewUser {
            roles: vec![Role::Admin],
            department: None,
            ..nd.admin.clone()
        };
        admin.validate()?;
        let outline: PathBuf = match &nd.outline {
            OutlineSource::Bundled => resources.join(crate::io::outlines::COUNTIES_FILE),
            OutlineSource::File { path } => PathBuf::from(path),
        };
        let code = crate::code::DistrictCode::parse(nd.code.trim())?;
        // Read before anything is created: a wrong code or file leaves no file behind.
        crate::io::read_district(&outline, code)?;
        let tables = crate::codetable::CodeTables::load_dir(&resources.join("codes"))?;
        let tmp = griddesk_store_sqlite::store::sibling(path, ".seeding");
        griddesk_store_sqlite::store::remove_store_files(&tmp);
        let made = Self::create(&tmp, &tables).and_then(|mut e| {
            e.set_setup("seeding")?;
            let entry = AuditEntry::engine("import.district", outline.display().to_string());
            e.import_district_unchecked(&outline, &code.to_string(), entry)?;
            // The first user: the case loop's defaults (calendar, filing standard) are
            // written with it.
            e.add_user(None, &admin)?;
            e.set_setup("complete")?;
            e.store().relocate(path)?;
            e.set_path(path);
            let session = e.sign_in(&admin.login, &admin.password, Role::Admin)?;
            Ok((e, session))
        });
        if made.is_err() {
            griddesk_store_sqlite::store::remove_store_files(&tmp);
        }
        made
    }

    /// The setup checklist: each step with what is there and what is missing.
    pub fn setup_status(&self) -> Result<SetupStatus> {
        self.setup_status_on(chrono::Local::now().date_naive())
    }

    /// [`Engine::setup_status`] as of `today` (the calendar step looks at its year).
    pub fn setup_status_on(&self, today: chrono::NaiveDate) -> Result<SetupStatus> {
        let l = self.loaded();
        let idx = &l.index;
        let mut steps = Vec::new();

        // The district outline.
        let district_area = idx.district.as_ref().map(|d| area_multi(&d.boundary));
        steps.push(step(
            SetupStepKey::District,
            vec![figure(
                SetupFigureKey::DistrictAreaKm2,
                district_area.unwrap_or(0.0) / 1e6,
                district_area.is_none(),
            )],
            true,
        ));

        // Streets: inside the district, not overlapping. They need not cover it: the managed
        // area is often the built-up area only (§ docs/setup.md).
        let streets: Vec<&MultiPolygon<f64>> = idx.streets.iter().map(|s| &s.boundary).collect();
        let (street_overlap, street_union) = overlap_and_union(&streets);
        let outside = match &idx.district {
            Some(d) if !streets.is_empty() => area_multi(&street_union.difference(&d.boundary)),
            _ => 0.0,
        };
        steps.push(step(
            SetupStepKey::Streets,
            vec![
                figure(
                    SetupFigureKey::Streets,
                    streets.len() as f64,
                    streets.is_empty(),
                ),
                figure(
                    SetupFigureKey::StreetsAreaKm2,
                    area_multi(&street_union) / 1e6,
                    false,
                ),
                figure(
                    SetupFigureKey::StreetsOutsideM2,
                    outside,
                    outside > SLIVER_M2,
                ),
                figure(
                    SetupFigureKey::StreetsOverlapM2,
                    street_overlap,
                    street_overlap > SLIVER_M2,
                ),
            ],
            true,
        ));

        // Communities: each street tiled by its communities.
        let mut by_street: BTreeMap<crate::code::StreetCode, Vec<&MultiPolygon<f64>>> =
            BTreeMap::new();
        for c in &idx.communities {
            by_street.entry(c.street()).or_default().push(&c.boundary);
        }
        let per_street: Vec<(f64, f64)> = idx
            .streets
            .par_iter()
            .filter_map(|s| {
                let comms = by_street.get(&s.code)?;
                let (overlap, union) = overlap_and_union(comms);
                let gap = area_multi(&s.boundary.difference(&union));
                let out = area_multi(&union.difference(&s.boundary));
                Some((gap, overlap + out))
            })
            .collect();
        let without = idx
            .streets
            .iter()
            .filter(|s| !by_street.contains_key(&s.code))
            .count();
        let gap: f64 = per_street.iter().map(|x| x.0).sum();
        let overlap: f64 = per_street.iter().map(|x| x.1).sum();
        steps.push(step(
            SetupStepKey::Communities,
            vec![
                figure(
                    SetupFigureKey::Communities,
                    idx.communities.len() as f64,
                    idx.communities.is_empty(),
                ),
                figure(
                    SetupFigureKey::StreetsWithoutCommunities,
                    without as f64,
                    without > 0,
                ),
                figure(SetupFigureKey::CommunityGapM2, gap, gap > SLIVER_M2),
                figure(
                    SetupFigureKey::CommunityOverlapM2,
                    overlap,
                    overlap > SLIVER_M2,
                ),
            ],
            true,
        ));

        // Unit grids: every community tiled, the district check clean.
        let active = idx.grids.iter().filter(|g| g.is_active()).count();
        let report = self.check_district()?;
        let empty = report
            .problems
            .iter()
            .filter(|p| p.detail.code == MessageCode::TopoCommunityEmpty)
            .count();
        let errors = report
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .filter(|p| p.detail.code != MessageCode::TopoCommunityEmpty)
            .count();
        steps.push(step(
            SetupStepKey::Grids,
            vec![
                figure(SetupFigureKey::Grids, active as f64, active == 0),
                figure(
                    SetupFigureKey::CommunitiesWithoutGrids,
                    empty as f64,
                    empty > 0,
                ),
                figure(SetupFigureKey::TopologyErrors, errors as f64, errors > 0),
            ],
            true,
        ));

        // Duty grids and the people on them.
        let in_duty: std::collections::HashSet<crate::code::GridCode> = idx
            .duty_grids
            .iter()
            .flat_map(|d| d.grids.iter().copied())
            .collect();
        let uncovered = idx
            .grids
            .iter()
            .filter(|g| g.is_active() && !in_duty.contains(&g.code))
            .count();
        let users = self.users()?;
        let inspectors = users
            .iter()
            .filter(|u| u.active && u.roles.contains(&Role::Inspector))
            .count();
        let people = self.zones().data.people.len();
        steps.push(step(
            SetupStepKey::DutyGrids,
            vec![
                figure(
                    SetupFigureKey::DutyGrids,
                    idx.duty_grids.len() as f64,
                    idx.duty_grids.is_empty(),
                ),
                figure(
                    SetupFigureKey::GridsWithoutDutyGrid,
                    uncovered as f64,
                    active > 0 && uncovered > 0,
                ),
                figure(
                    SetupFigureKey::Inspectors,
                    inspectors as f64,
                    inspectors == 0,
                ),
                figure(SetupFigureKey::People, people as f64, false),
            ],
            true,
        ));

        // Departments and the classes routed to them.
        let departments = self.departments()?.len();
        let rules = self.routing_rules()?.len();
        steps.push(step(
            SetupStepKey::Departments,
            vec![
                figure(
                    SetupFigureKey::Departments,
                    departments as f64,
                    departments == 0,
                ),
                figure(SetupFigureKey::RoutingRules, rules as f64, rules == 0),
            ],
            true,
        ));

        // The work calendar of this year and the time limits.
        let year = chrono::Datelike::year(&today);
        let days = self
            .calendar()?
            .days()
            .filter(|d| chrono::Datelike::year(&d.date) == year)
            .count();
        let limits = self.filing_standard()?.conditions().count();
        steps.push(step(
            SetupStepKey::Calendar,
            vec![
                figure(SetupFigureKey::CalendarDaysThisYear, days as f64, days == 0),
                figure(SetupFigureKey::TimeLimits, limits as f64, limits == 0),
            ],
            true,
        ));

        // Components.
        let components = idx.components.len();
        steps.push(step(
            SetupStepKey::Components,
            vec![figure(
                SetupFigureKey::Components,
                components as f64,
                components == 0,
            )],
            true,
        ));

        let done = steps.iter().all(|s| s.done);
        Ok(SetupStatus {
            steps,
            done,
            sample: idx.grids.iter().any(|g| g.sample),
        })
    }

    /// Proposes unit grids for several communities at once (§ docs/setup.md "Grids for every
    /// community"): by default every community without active grids. Nothing is written; the
    /// engine keeps the proposal until [`Engine::accept_district_proposal`] or the next call.
    pub fn propose_district(
        &self,
        communities: Option<&[String]>,
        opts: &ProposalOptions,
    ) -> Result<DistrictProposal> {
        let targets: Vec<CommunityCode> = match communities {
            Some(list) => list
                .iter()
                .map(|c| CommunityCode::parse(c.trim()))
                .collect::<Result<_>>()?,
            None => self
                .plan_communities()
                .into_iter()
                .filter(|c| c.grids == 0)
                .map(|c| CommunityCode::parse(&c.code))
                .collect::<Result<_>>()?,
        };
        if targets.is_empty() {
            return Err(Error::Invalid(
                Message::new(MessageCode::NoCommunityToPropose)
                    .en("every community already has unit grids: choose the communities to propose again"),
            ));
        }
        let settings = self.plan_settings()?;
        let l = self.loaded();
        let proposals: Vec<crate::planning::Proposal> = targets
            .par_iter()
            .map(|c| crate::planning::propose::propose(&l.index, *c, opts, &settings))
            .collect::<Result<_>>()?;
        let mut change = ChangeSet::new("proposal", targets[0]);
        let mut out = Vec::with_capacity(proposals.len());
        let mut features = Vec::new();
        for (c, p) in targets.iter().zip(proposals) {
            let name = l
                .index
                .community(c)
                .map(|x| x.name.clone())
                .unwrap_or_default();
            for g in &p.change.create {
                features.push(serde_json::json!({
                    "type": "Feature",
                    "properties": { "code": g.code.to_string(), "community": c.to_string(),
                        "area_m2": geodesy::area_m2(&g.polygon).round() },
                    "geometry": geojson::Geometry::from(&g.polygon),
                }));
            }
            let pc = p.change;
            change.retire.extend(pc.retire);
            change.create.extend(pc.create);
            change.rename.extend(pc.rename);
            merge_grid_changes(&mut change.modify, pc.modify);
            merge_outline_changes(
                &mut change.communities,
                pc.communities,
                |c| c.code,
                |c| (&c.before, &mut c.after),
            );
            merge_outline_changes(
                &mut change.streets,
                pc.streets,
                |c| c.code,
                |c| (&c.before, &mut c.after),
            );
            out.push(CommunityProposal {
                code: c.to_string(),
                name,
                balance: p.proposed,
            });
        }
        let report = crate::planning::guard::check(&l.index, &change, &settings);
        let (errors, warnings): (Vec<Problem>, Vec<Problem>) = report
            .problems
            .into_iter()
            .partition(|p| p.severity == Severity::Error);
        let token = crate::engine::next_generation();
        let dto = DistrictProposal {
            token,
            grids: change.create.len(),
            communities: out,
            errors,
            warnings: warnings.len(),
            preview: serde_json::json!({ "type": "FeatureCollection", "features": features }),
        };
        self.set_pending(Some(PendingProposal {
            token,
            communities: targets.iter().map(|c| c.to_string()).collect(),
            change,
        }));
        Ok(dto)
    }

    /// Accepts the proposal named by `token` as one undoable edit (checked again against the
    /// grids as stored now; numbered west→east, north→south in each community).
    pub fn accept_district_proposal(
        &self,
        by: &Session,
        token: u64,
        meta: &EditMeta,
    ) -> Result<crate::api::planning::Applied> {
        let pending = self.take_pending(token).ok_or_else(|| {
            Error::Invalid(
                Message::new(MessageCode::ProposalGone)
                    .en("this proposal is no longer there (another was made, or it was accepted): propose again"),
            )
        })?;
        let params = serde_json::json!({
            "op": "accept_district_proposal",
            "communities": pending.communities,
        });
        match self.plan_apply_change(by, &pending.change, &params, meta) {
            Ok(a) => Ok(a),
            Err(e) => {
                // Refused (a role, the guard): the same proposal may be accepted later.
                self.set_pending(Some(pending));
                Err(e)
            }
        }
    }

    /// Adds a street or community drawn on the map (planners and administrators), with the
    /// checks of an import of the same outline and these: a street lies in the district and
    /// overlaps no other street; a community lies in its street and overlaps no other
    /// community (slivers under 1 m² aside). Returns the code. Audited; one transaction.
    pub fn draw_boundary(&self, by: &Session, b: &DrawnBoundary) -> Result<String> {
        self.require_role(
            by,
            &[Role::Planner, Role::Admin],
            crate::error::Permission::ImportData,
        )?;
        let name = b.name.trim();
        if name.is_empty() {
            return Err(invalid(
                Message::new(MessageCode::BoundaryNeedsName).en("the drawn outline needs a name"),
            ));
        }
        let mut ring: Vec<geo_types::Coord<f64>> = b
            .ring
            .iter()
            .map(|p| geo_types::Coord { x: p[0], y: p[1] })
            .collect();
        if ring.first() != ring.last() {
            if let Some(f) = ring.first().copied() {
                ring.push(f);
            }
        }
        let polygon = geo_types::Polygon::new(geo_types::LineString(densify(&ring)), vec![]);
        if let Some((_, why)) = crate::planning::guard::invalid_reason(&polygon) {
            return Err(invalid(
                Message::new(MessageCode::InvalidPolygon)
                    .text("reason", &why)
                    .en(format!("the drawn outline is not a valid polygon: {why}")),
            ));
        }
        let shape = MultiPolygon(vec![polygon]);
        let l = self.loaded();
        let idx = &l.index;
        let area_of = |a: &MultiPolygon<f64>, b: &MultiPolygon<f64>| area_multi(&a.intersection(b));
        let outside = |within: &MultiPolygon<f64>| area_multi(&shape.difference(within));
        let code = match b.kind {
            BoundaryKind::Street => {
                let Some(d) = idx.district.as_ref() else {
                    return Err(invalid(
                        Message::new(MessageCode::NoDistrict)
                            .en("the store has no district outline"),
                    ));
                };
                let out = outside(&d.boundary);
                if out > SLIVER_M2 {
                    return Err(outside_err("district", &d.code.to_string(), out));
                }
                for other in &idx.streets {
                    let o = area_of(&shape, &other.boundary);
                    if o > SLIVER_M2 {
                        return Err(overlap_err(&other.code.to_string(), o));
                    }
                }
                let code = match &b.code {
                    Some(c) => crate::code::StreetCode::parse(c.trim())?,
                    None => {
                        let top = idx
                            .streets
                            .iter()
                            .filter_map(|s| s.code.as_str()[6..].parse::<u16>().ok())
                            .max()
                            .unwrap_or(0);
                        d.code.street(top + 1)?
                    }
                };
                if code.district() != d.code || idx.street(&code).is_some() {
                    return Err(Error::Duplicate {
                        what: "street",
                        key: code.to_string(),
                    });
                }
                let street = crate::model::Street {
                    code,
                    name: name.to_string(),
                    boundary: shape.clone(),
                    sample: false,
                };
                self.write_drawn(by, "draw.street", &code.to_string(), &|w| {
                    w.insert_street(&street)
                })?;
                code.to_string()
            }
            BoundaryKind::Community => {
                // Its street: the one named by the code, else the one it lies in.
                let street = match &b.code {
                    Some(c) => idx.street(&CommunityCode::parse(c.trim())?.street()),
                    None => idx
                        .streets
                        .iter()
                        .max_by(|a, b| {
                            area_of(&shape, &a.boundary).total_cmp(&area_of(&shape, &b.boundary))
                        })
                        .filter(|s| area_of(&shape, &s.boundary) > SLIVER_M2),
                };
                let Some(street) = street else {
                    return Err(invalid(Message::new(MessageCode::BoundaryNoStreet).en(
                        "the drawn community lies in no street: draw or import its street first",
                    )));
                };
                let out = outside(&street.boundary);
                if out > SLIVER_M2 {
                    return Err(outside_err("street", &street.code.to_string(), out));
                }
                for other in &idx.communities {
                    let o = area_of(&shape, &other.boundary);
                    if o > SLIVER_M2 {
                        return Err(overlap_err(&other.code.to_string(), o));
                    }
                }
                let code = match &b.code {
                    Some(c) => CommunityCode::parse(c.trim())?,
                    None => {
                        let top = idx
                            .communities
                            .iter()
                            .filter(|c| c.street() == street.code)
                            .filter_map(|c| c.code.as_str()[9..].parse::<u16>().ok())
                            .max()
                            .unwrap_or(0);
                        street.code.community(top + 1)?
                    }
                };
                if idx.community(&code).is_some() {
                    return Err(Error::Duplicate {
                        what: "community",
                        key: code.to_string(),
                    });
                }
                let community = crate::model::Community {
                    code,
                    name: name.to_string(),
                    boundary: shape.clone(),
                    sample: false,
                };
                self.write_drawn(by, "draw.community", &code.to_string(), &|w| {
                    w.insert_community(&community)
                })?;
                code.to_string()
            }
        };
        drop(l);
        self.reload()?;
        Ok(code)
    }

    /// Writes a drawn outline through the import's guard, audited.
    fn write_drawn(
        &self,
        by: &Session,
        action: &str,
        code: &str,
        f: &dyn Fn(&dyn griddesk_store::ModelSink) -> Result<()>,
    ) -> Result<()> {
        let guard = crate::engine::import_guard(&self.loaded().index, self.plan_settings()?);
        let mut audited = crate::engine::AuditedWrites {
            engine: self,
            entry: AuditEntry::by(by, action, code),
            guard: Some(&guard),
        };
        griddesk_store::ModelStore::write_model(&mut audited, &mut |w| f(w))
    }

    /// Drops a proposal made with [`Engine::propose_district`] (the review was cancelled).
    pub fn discard_district_proposal(&self) {
        self.set_pending(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::Coord;

    #[test]
    fn densified_edges_are_the_same_both_ways() {
        let a = Coord {
            x: 121.50,
            y: 28.54,
        };
        let b = Coord {
            x: 121.508,
            y: 28.546,
        };
        let fwd = densify(&[a, b]);
        let mut back = densify(&[b, a]);
        back.reverse();
        assert_eq!(
            fwd, back,
            "the same points, bit for bit, whichever way the edge runs"
        );
        assert!(fwd.len() >= 18, "{} points on a ~1 km edge", fwd.len());
        // Short edges are kept as they are.
        let c = Coord {
            x: 121.5001,
            y: 28.54,
        };
        assert_eq!(densify(&[a, c, a]), vec![a, c, a]);
    }
}
