//! Grid planning on the [`Engine`] facade: previews (dry runs), guarded edits, undo/redo,
//! history, grids as of a date, snapping, the district check and settings.
//!
//! An applied edit, undo or redo patches the in-memory index from the rows it wrote
//! ([`SpatialIndex::apply_patch`](crate::index::SpatialIndex::apply_patch)) instead of reading
//! the store again — in place when no reader holds the index, else on a copy: the component and
//! case trees stay, the grid tree and positions are rebuilt, counts are adjusted for the moved
//! points only, and the bulk locator is rebuilt. Measured (`benches/planning.rs`): on the
//! 1 500-grid sample a full reload would also do, but on 50 000 grids / 1 000 000 cases a reload
//! takes seconds, so the patch is always used. `GRIDDESK_TIMING=1` prints its cost.

#[allow(unused_imports)]
use crate::ports::*;
use griddesk_planning::planning::history::PlanHistory;

use crate::code::{CommunityCode, ComponentCode, GridCode};
use crate::engine::{Engine, Loaded};
use crate::error::{Error, Result};
use crate::index::IndexPatch;
use crate::locate::GridLocator;
use crate::model::Grid;
use crate::planning::change::{ChangeSet, Edit};
use crate::planning::guard::{self, GuardReport, Problem};
use crate::planning::history::{self, EditMeta, EditSummary, GridHistory, RowSnap, Written};
use crate::planning::relocate::relocate;
use crate::planning::{build_change, PlanSettings, SnapHit};
use crate::store::{wkb_io, Store};
use crate::users::{Role, Session};
use chrono::NaiveDate;
use serde::Serialize;
use std::sync::Arc;

/// A dry run: what an edit would change and what the guard says about it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preview {
    pub change: ChangeSet,
    pub report: GuardReport,
    /// Components and cases that would move to another grid.
    pub relocated_components: usize,
    pub relocated_cases: usize,
}

/// An edit applied, undone or redone.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Applied {
    pub edit: EditSummary,
    /// Warnings the guard raised (area range…); errors would have refused the edit.
    pub warnings: Vec<Problem>,
}

impl Engine {
    /// The planning settings of this store.
    pub fn plan_settings(&self) -> Result<PlanSettings> {
        self.store().load_plan_settings()
    }

    /// Changes the planning settings.
    pub fn set_plan_settings(&self, by: &crate::users::Session, s: &PlanSettings) -> Result<()> {
        self.require_role(
            by,
            &[crate::users::Role::Planner, crate::users::Role::Admin],
            crate::error::Permission::EditPlanning,
        )?;
        let entry = crate::audit::AuditEntry::by(by, "settings.planning", "plan_setting")
            .before(self.plan_settings()?)
            .after(s);
        self.store().save_plan_settings(s, &entry)
    }

    /// What an edit would change, checked by the guard; nothing is written.
    pub fn plan_preview(&self, edit: &Edit) -> Result<Preview> {
        let settings = self.plan_settings()?;
        let l = self.loaded();
        let change = build_change(&l.index, edit, &settings)?;
        Ok(preview_of(&l, change, &settings))
    }

    /// Checks a change-set (a proposal, possibly adjusted) without writing anything.
    pub fn plan_check(&self, change: ChangeSet) -> Result<Preview> {
        let settings = self.plan_settings()?;
        Ok(preview_of(&self.loaded(), change, &settings))
    }

    /// Makes an edit: builds the change-set, checks it, and applies it in one transaction.
    /// A change breaking a hard rule fails with [`Error::TopologyRefused`] listing every problem.
    pub fn plan_apply(&self, by: &Session, edit: &Edit, meta: &EditMeta) -> Result<Applied> {
        let meta = &self.edit_meta(by, meta)?;
        let mut store = self.store();
        let settings = store.load_plan_settings()?;
        // The grids as stored, not as this process last read them (docs/trust.md, "Stale edits").
        let (l, _) = self.current_locked(&store)?;
        let change = build_change(&l.index, edit, &settings)?;
        let params = serde_json::to_value(edit).map_err(|e| Error::Internal(e.to_string()))?;
        self.apply_locked(&mut store, l, &change, &params, meta, &settings)
    }

    /// Applies a change-set made elsewhere (an accepted proposal), after checking it; `params`
    /// records what produced it.
    pub fn plan_apply_change(
        &self,
        by: &Session,
        change: &ChangeSet,
        params: &serde_json::Value,
        meta: &EditMeta,
    ) -> Result<Applied> {
        let meta = &self.edit_meta(by, meta)?;
        let mut store = self.store();
        let settings = store.load_plan_settings()?;
        // The grids as stored, not as this process last read them (docs/trust.md, "Stale edits").
        let (l, _) = self.current_locked(&store)?;
        self.apply_locked(&mut store, l, change, params, meta, &settings)
    }

    fn apply_locked(
        &self,
        store: &mut Store,
        l: Arc<Loaded>,
        change: &ChangeSet,
        params: &serde_json::Value,
        meta: &EditMeta,
        settings: &PlanSettings,
    ) -> Result<Applied> {
        if change.is_empty() {
            return Err(Error::Edit {
                op: crate::message::EditOp::Apply,
                reason: crate::message::Message::new(
                    crate::message::MessageCode::EditChangesNothing,
                )
                .en("it changes nothing"),
            });
        }
        let report = guard::check(&l.index, change, settings);
        if !report.is_ok() {
            return Err(Error::TopologyRefused(Box::new(report)));
        }
        let rel = relocate(&l.index, change);
        let written = PlanHistory::apply(store, &l.index, change, &rel, params, meta)?;
        self.refresh(store, l, &written)?;
        Ok(Applied {
            edit: written.summary,
            warnings: report.problems,
        })
    }

    /// Undoes the most recent applied edit (see [`history`] for the rules).
    pub fn plan_undo(&self, by: &Session, meta: &EditMeta) -> Result<Applied> {
        self.undo_redo(true, &self.edit_meta(by, meta)?)
    }

    /// Redoes the most recently undone edit.
    pub fn plan_redo(&self, by: &Session, meta: &EditMeta) -> Result<Applied> {
        self.undo_redo(false, &self.edit_meta(by, meta)?)
    }

    /// The record of an edit by `by`: the acting user, who must be an active planner (网格规划员)
    /// or administrator of this store, as its author (whatever `meta.author` says), with the
    /// caller's note and moment.
    fn edit_meta(&self, by: &Session, meta: &EditMeta) -> Result<EditMeta> {
        self.require_role(
            by,
            &[Role::Planner, Role::Admin],
            crate::error::Permission::EditPlanning,
        )?;
        let mut m = EditMeta::by_user(by)?;
        m.note = meta.note.clone();
        m.at = meta.at;
        Ok(m)
    }

    fn undo_redo(&self, undo: bool, meta: &EditMeta) -> Result<Applied> {
        let mut store = self.store();
        let (l, _) = self.current_locked(&store)?;
        let written = PlanHistory::undo_redo(&mut *store, undo, meta)?;
        self.refresh(&store, l, &written)?;
        Ok(Applied {
            edit: written.summary,
            warnings: vec![],
        })
    }

    /// The edit log, newest first.
    pub fn plan_log(&self, limit: usize) -> Result<Vec<EditSummary>> {
        PlanHistory::log(&*self.store(), limit)
    }

    /// The history of a grid: lineage and every edit touching it, with before/after geometry.
    pub fn plan_history(&self, code: &str) -> Result<GridHistory> {
        let (code, _) = GridCode::parse_or_migrate(code)?;
        PlanHistory::grid_history(&*self.store(), code)
    }

    /// The grids in force at the end of a past date.
    pub fn grids_as_of(&self, date: NaiveDate) -> Result<Vec<Grid>> {
        let store = self.store();
        let l = self.loaded();
        PlanHistory::grids_as_of(&*store, &l.index.grids, date)
    }

    /// The grids in force at the end of `date` as a GeoJSON feature collection for an overlay:
    /// only those meeting `bbox` (`[west, south, east, north]`) when one is given, at most `max`
    /// features; each with `code`, `seq`, `name` and `current` (still in force today).
    pub fn grids_as_of_overlay(
        &self,
        date: NaiveDate,
        bbox: Option<[f64; 4]>,
        max: usize,
    ) -> Result<GridsAsOf> {
        let grids = self.grids_as_of(date)?;
        let l = self.loaded();
        let meets = |g: &Grid| {
            let Some([w, s, e, n]) = bbox else {
                return true;
            };
            let cs = &g.polygon.exterior().0;
            cs.iter().any(|c| c.x >= w)
                && cs.iter().any(|c| c.x <= e)
                && cs.iter().any(|c| c.y >= s)
                && cs.iter().any(|c| c.y <= n)
        };
        let ring = |r: &geo_types::LineString<f64>| {
            serde_json::Value::Array(r.0.iter().map(|c| serde_json::json!([c.x, c.y])).collect())
        };
        let mut features = Vec::new();
        let mut total = 0;
        for g in grids.iter().filter(|g| meets(g)) {
            total += 1;
            if features.len() >= max {
                continue;
            }
            let code = g.code.to_string();
            let current = l.index.grid(&g.code).is_some_and(|c| c.is_active());
            let mut rings = vec![ring(g.polygon.exterior())];
            rings.extend(g.polygon.interiors().iter().map(ring));
            features.push(serde_json::json!({
                "type": "Feature",
                "properties": {
                    "code": code,
                    "seq": code.get(12..).unwrap_or_default(),
                    "name": g.name,
                    "current": current,
                },
                "geometry": { "type": "Polygon", "coordinates": rings },
            }));
        }
        Ok(GridsAsOf {
            date: date.to_string(),
            total,
            truncated: total > features.len(),
            grids: serde_json::json!({ "type": "FeatureCollection", "features": features }),
        })
    }

    /// The communities of the district by code, with their active unit grids.
    pub fn plan_communities(&self) -> Vec<CommunityItem> {
        let l = self.loaded();
        let mut counts = std::collections::HashMap::new();
        for g in l.index.grids.iter().filter(|g| g.is_active()) {
            *counts.entry(g.community()).or_insert(0usize) += 1;
        }
        let mut out: Vec<CommunityItem> = l
            .index
            .communities
            .iter()
            .map(|c| CommunityItem {
                code: c.code.to_string(),
                name: c.name.clone(),
                grids: counts.get(&c.code).copied().unwrap_or(0),
            })
            .collect();
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    /// The renumbering a community would get (old code → new code), checked; nothing written.
    pub fn renumber_preview(&self, community: &str) -> Result<Preview> {
        self.plan_preview(&Edit::Renumber {
            community: CommunityCode::parse(community)?,
        })
    }

    /// Snaps a point (see [`crate::planning::snap`]) to the grids and outlines and, when
    /// `basemap` says so, to a vector basemap's road centre lines and building outlines
    /// (docs/basemap.md, §Planning). A basemap that cannot be read adds nothing (the grids
    /// still snap).
    pub fn snap(
        &self,
        p: [f64; 2],
        tolerance_m: f64,
        basemap: Option<&crate::api::basemap::BasemapSnap>,
    ) -> Option<SnapHit> {
        let extra = match basemap {
            Some(b) => self
                .basemap_snap_lines(b, p, tolerance_m)
                .unwrap_or_else(|e| {
                    eprintln!("griddesk: basemap {} for snapping: {e}", b.id);
                    Vec::new()
                }),
            None => Vec::new(),
        };
        crate::planning::snap(&self.loaded().index, p, tolerance_m, &extra)
    }

    /// A proposed partition of a community into grids (a dry run; accept it with
    /// [`Engine::plan_apply_change`]).
    pub fn propose_grids(
        &self,
        community: &str,
        opts: &crate::planning::ProposalOptions,
    ) -> Result<crate::planning::Proposal> {
        let settings = self.plan_settings()?;
        let code = CommunityCode::parse(community)?;
        let loaded = self.loaded();
        // No road file given: the named basemap's roads are the preferred cuts.
        let with_roads;
        let opts = match &opts.basemap {
            Some(id) if opts.roads.is_empty() => {
                let bbox = loaded
                    .index
                    .communities
                    .iter()
                    .find(|c| c.code == code)
                    .and_then(|c| geo::BoundingRect::bounding_rect(&c.boundary))
                    .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]);
                with_roads = crate::planning::ProposalOptions {
                    roads: match bbox {
                        Some(b) => self.basemap_cut_roads(id, b)?,
                        None => Vec::new(),
                    },
                    ..opts.clone()
                };
                &with_roads
            }
            _ => opts,
        };
        crate::planning::propose::propose(&loaded.index, code, opts, &settings)
    }

    /// Every topology problem of the district, with geometry.
    pub fn check_district(&self) -> Result<GuardReport> {
        let settings = self.plan_settings()?;
        Ok(crate::planning::check_district(
            &self.loaded().index,
            &settings,
        ))
    }

    /// Puts the rows just written into the in-memory index: in place when no reader holds the
    /// current index (the usual case), else on a copy. Either way only the grid-dependent parts
    /// are rebuilt; a full reload would read the whole store again.
    fn refresh(&self, store: &Store, l: Arc<Loaded>, w: &Written) -> Result<()> {
        let t = std::time::Instant::now();
        let patch = patch_of(&l.index, &w.rows)?;
        drop(l);
        let mut in_place = false;
        let mut t_index = std::time::Duration::ZERO;
        self.update_loaded(|cur| {
            if let Some(loaded) = Arc::get_mut(cur) {
                in_place = true;
                loaded.index.apply_patch(patch);
                t_index = t.elapsed();
                loaded.locator = GridLocator::build(&loaded.index);
                // Grids changed: state derived from them (analytics columns, the case desk)
                // must not be reused.
                loaded.analytics = Default::default();
                loaded.generation = crate::engine::next_generation();
            } else {
                let index = cur.index.patched(patch);
                t_index = t.elapsed();
                let locator = GridLocator::build(&index);
                *cur = Arc::new(Loaded::new(index, locator));
            }
        });
        if std::env::var_os("GRIDDESK_TIMING").is_some() {
            eprintln!(
                "plan refresh ({}): index {:.1} ms, locator {:.1} ms",
                if in_place { "in place" } else { "copy" },
                t_index.as_secs_f64() * 1e3,
                (t.elapsed() - t_index).as_secs_f64() * 1e3
            );
        }
        // The zone index answers "who is responsible here" over the grids in force: rebuilt
        // on the new ones (and with the memberships the edit carried over).
        self.refresh_zones_from(store)
    }
}

fn preview_of(l: &Loaded, change: ChangeSet, settings: &PlanSettings) -> Preview {
    let report = guard::check(&l.index, &change, settings);
    let rel = relocate(&l.index, &change);
    Preview {
        change,
        report,
        relocated_components: rel.components.len(),
        relocated_cases: rel.cases.len(),
    }
}

fn patch_of(idx: &crate::index::SpatialIndex, rows: &[RowSnap]) -> Result<IndexPatch> {
    let mut p = IndexPatch::default();
    let grid_of_json = |d: &str| -> Result<Option<GridCode>> {
        let v: serde_json::Value =
            serde_json::from_str(d).map_err(|e| Error::Internal(e.to_string()))?;
        v.as_str().map(GridCode::parse).transpose()
    };
    for r in rows {
        match r.kind {
            "grid" => {
                let code = GridCode::parse(&r.key)?;
                let g = match (&r.data, &r.geom) {
                    (Some(d), Some(g)) => Some(history::grid_of(&r.key, d, g)?),
                    _ => None,
                };
                p.grids.push((code, g));
            }
            "community" => {
                let code = CommunityCode::parse(&r.key)?;
                if let (Some(c), Some(g)) = (idx.community(&code), &r.geom) {
                    let mut c = c.clone();
                    c.boundary = wkb_io::multi_polygon(g)?;
                    p.communities.push(c);
                }
            }
            "street" => {
                let code = crate::code::StreetCode::parse(&r.key)?;
                if let (Some(st), Some(g)) = (idx.street(&code), &r.geom) {
                    let mut st = st.clone();
                    st.boundary = wkb_io::multi_polygon(g)?;
                    p.streets.push(st);
                }
            }
            "component" => {
                if let Some(d) = &r.data {
                    p.component_grids
                        .push((ComponentCode::parse(&r.key)?, grid_of_json(d)?));
                }
            }
            "case" => {
                if let Some(d) = &r.data {
                    p.case_grids.push((r.key.clone(), grid_of_json(d)?));
                }
            }
            // Zone layers other than duty grids live in the zone index, refreshed separately.
            "zone_member" => {}
            _ => {
                if let Some((duty, grid)) = r.key.split_once('|') {
                    p.duty_members.push((
                        duty.to_string(),
                        GridCode::parse(grid)?,
                        r.data.is_some(),
                    ));
                }
            }
        }
    }
    Ok(p)
}

/// The grids in force at the end of a past date, as a GeoJSON feature collection for an overlay.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridsAsOf {
    pub date: String,
    /// Grids in force that day (inside the box when one was given).
    pub total: usize,
    /// Whether `grids` stops at the size bound.
    pub truncated: bool,
    /// Features with `code`, `name`, `seq` and `current` (still in force today, same code).
    #[cfg_attr(
        feature = "ts",
        ts(
            type = "import(\"geojson\").FeatureCollection<import(\"geojson\").Polygon, { code: string, seq: string, name: string, current: boolean }>"
        )
    )]
    pub grids: serde_json::Value,
}

/// A community to pick in the proposal and renumber panes.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CommunityItem {
    pub code: String,
    pub name: String,
    /// Active unit grids in it.
    pub grids: usize,
}
