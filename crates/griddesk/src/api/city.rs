//! The city view of a centre (docs/centre.md, "The city view"): a read-only look at every
//! district a PostgreSQL/PostGIS centre holds, built from the same pieces as a station's
//! [`Engine`](crate::Engine): each district's snapshot becomes the in-memory indexes
//! ([`Loaded`]: spatial index and grid locator) the station builds from its own store, and the
//! whole city one more of them over every district's rows. The vector tiles, the heatmap, the
//! case figures and the evaluation are the station's functions run on those indexes and on the
//! district views of the centre (`griddesk-store-postgres`), so a district's figures at the
//! city are its station's figures by construction, not by a second definition.

use crate::analytics::columns::CaseColumns;
use crate::analytics::evaluation::from_store::EvaluationStore;
use crate::analytics::evaluation::{
    evaluate_districts, EvalInput, EvalTable, EvaluationConfig, Period,
};
use crate::analytics::heatmap::{Heatmap, HeatmapParams};
use crate::analytics::summary::{self, Counts};
use crate::api::analytics::{columns_of, EVALUATION_CONFIG_KEY};
use crate::code::DistrictCode;
use crate::error::{Error, Result};
use crate::index::SpatialIndex;
use crate::locate::GridLocator;
use crate::message::{Message, MessageCode};
use crate::model::{CaseSummary, District, Snapshot};
use crate::tiles::TilePart;
use crate::workflow::Desk;
use chrono::NaiveDateTime;
use griddesk_spatial::Loaded;
use griddesk_store_postgres::Centre;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

/// One district of the city as a station would hold it in memory.
struct Part {
    district: District,
    loaded: Arc<Loaded>,
    /// The district's case loop as its station's desk reads it (calendar, open cases with
    /// their stage clocks): the overdue judgement (SPEC §4.6) is the station's.
    desk: Desk,
}

/// A centre opened for its city view. Read-only: nothing here writes to the centre.
pub struct City {
    target: String,
    centre: Mutex<Centre>,
    parts: Vec<Part>,
    /// Every district's rows in one index (the map of the whole city).
    whole: Arc<Loaded>,
    /// Evaluation inputs already read, by district and period.
    inputs: Mutex<Vec<(String, Period, Arc<EvalInput>)>>,
}

impl std::fmt::Debug for City {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("City")
            .field("target", &self.target)
            .field("districts", &self.parts.len())
            .finish()
    }
}

/// A district as the picker lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CityDistrict {
    pub code: String,
    pub name: String,
    /// `[west, south, east, north]` of its active unit grids, else of its outline.
    pub bbox: Option<[f64; 4]>,
}

/// What the city view shows before anything is picked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CityOverview {
    /// Where the centre is (its connection string without the password).
    pub target: String,
    pub districts: Vec<CityDistrict>,
    /// `[west, south, east, north]` of every district.
    pub bbox: Option<[f64; 4]>,
    /// The days (`YYYY-MM-DD`) of the first and the last case reported in the city.
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    /// Every district's outline for the map, simplified to about 50 m: a FeatureCollection of
    /// multipolygons with `code` and `name`.
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").FeatureCollection"))]
    pub outlines: serde_json::Value,
    /// Changes with every opening: keeps the map from reusing another centre's tiles.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub generation: u64,
}

/// One row of the city's statistics: a district, or the whole city (`code` empty).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CityFigures {
    pub code: String,
    pub name: String,
    /// Active unit grids.
    pub grids: u32,
    pub components: u32,
    /// Cases, open, closed and overdue (at `as_of`): the analytics summary's definitions.
    pub counts: Counts,
    /// 已结案占比 (%), `None` without cases.
    pub closed_share: Option<f64>,
}

/// Maps a centre's failure to a typed error naming the centre.
pub(crate) fn centre_error(e: griddesk_store_postgres::Error) -> Error {
    use griddesk_store_postgres::Error as E;
    match &e {
        E::Connect { target, .. } => Error::Invalid(
            Message::new(MessageCode::CentreUnreachable)
                .text("target", target)
                .en(e.to_string()),
        ),
        E::SchemaTooNew { found, supported } => Error::Invalid(
            Message::new(MessageCode::CentreSchema)
                .text("target", "")
                .int("found", *found)
                .int("supported", *supported)
                .en(e.to_string()),
        ),
        E::NotACentre {
            database,
            found,
            supported,
        } => Error::Invalid(
            Message::new(MessageCode::CentreSchema)
                .text("target", database)
                .int("found", *found)
                .int("supported", *supported)
                .en(e.to_string()),
        ),
        _ => e.into(),
    }
}

/// `[west, south, east, north]` of the active unit grids of an index.
fn grids_bbox(index: &SpatialIndex) -> Option<[f64; 4]> {
    let mut coords = index
        .grids
        .iter()
        .filter(|g| g.is_active())
        .flat_map(|g| g.polygon.exterior().coords());
    let first = coords.next()?;
    Some(coords.fold([first.x, first.y, first.x, first.y], |b, c| {
        [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)]
    }))
}

fn union(a: Option<[f64; 4]>, b: Option<[f64; 4]>) -> Option<[f64; 4]> {
    match (a, b) {
        (Some(a), Some(b)) => Some([
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]),
        (a, None) => a,
        (None, b) => b,
    }
}

/// A case's name in the city: its district's code, a slash and the district's own task number
/// (`331003/2026-0000123`); a task number alone is unique only within its district.
pub fn city_case_id(district: &DistrictCode, id: &str) -> Box<str> {
    format!("{district}/{id}").into()
}

fn loaded_of(snapshot: Snapshot) -> Arc<Loaded> {
    let index = SpatialIndex::build(snapshot);
    let locator = GridLocator::build(&index);
    Arc::new(Loaded::new(index, locator))
}

impl City {
    /// Opens the centre at `url` (a `postgresql://` URL or libpq's `key=value` pairs) and reads
    /// every district the connection may see (a station's role: its own) into memory. A centre
    /// that cannot be reached is [`MessageCode::CentreUnreachable`], a database that is not a
    /// centre of this build's schema [`MessageCode::CentreSchema`].
    pub fn open(url: &str) -> Result<Self> {
        let centre = Centre::open(url).map_err(centre_error)?;
        let target = centre.target().to_string();
        let snapshots = centre.load(None).map_err(centre_error)?;
        let mut whole = Snapshot::default();
        let mut parts = Vec::with_capacity(snapshots.len());
        for s in snapshots {
            let Some(district) = s.district.clone() else {
                return Err(Error::Internal(
                    "the centre handed over a snapshot without its district".into(),
                ));
            };
            whole.code_tables = s.code_tables.clone();
            whole.streets.extend(s.streets.iter().cloned());
            whole.communities.extend(s.communities.iter().cloned());
            whole.grids.extend(s.grids.iter().cloned());
            whole.duty_grids.extend(s.duty_grids.iter().cloned());
            whole.components.extend(s.components.iter().cloned());
            // A district numbers its own cases: in the city a case is named with its district.
            whole.cases.extend(s.cases.iter().map(|c| CaseSummary {
                id: city_case_id(&district.code, &c.id),
                ..c.clone()
            }));
            let loaded = loaded_of(s);
            let view = centre.district(district.code);
            let desk = Desk::load(&view, &loaded.index, loaded.generation)?;
            parts.push(Part {
                district,
                loaded,
                desk,
            });
        }
        Ok(Self {
            target,
            centre: Mutex::new(centre),
            parts,
            whole: loaded_of(whole),
            inputs: Mutex::default(),
        })
    }

    fn centre(&self) -> MutexGuard<'_, Centre> {
        match self.centre.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Where the centre is, without the password.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The part of `district`, or [`Error::NotFound`] naming it.
    fn part(&self, district: &str) -> Result<&Part> {
        self.parts
            .iter()
            .find(|p| p.district.code.as_str() == district)
            .ok_or_else(|| Error::NotFound {
                what: "district",
                key: district.to_string(),
            })
    }

    /// The indexes of one district, or of the whole city (`None`).
    fn loaded(&self, district: Option<&str>) -> Result<&Arc<Loaded>> {
        match district {
            Some(d) => Ok(&self.part(d)?.loaded),
            None => Ok(&self.whole),
        }
    }

    /// The districts in code order, and where the city lies.
    pub fn overview(&self) -> CityOverview {
        let districts: Vec<CityDistrict> = self
            .parts
            .iter()
            .map(|p| CityDistrict {
                code: p.district.code.to_string(),
                name: p.district.name.clone(),
                bbox: grids_bbox(&p.loaded.index)
                    .or_else(|| crate::index::bbox_of(&p.district.boundary)),
            })
            .collect();
        // The whole city: every district's outline (a district's grids may cover its core only).
        let bbox = self.parts.iter().fold(None, |b, p| {
            let own =
                crate::index::bbox_of(&p.district.boundary).or_else(|| grids_bbox(&p.loaded.index));
            union(b, own)
        });
        let days = self.whole.index.cases.iter().map(|c| c.reported_at.date());
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        CityOverview {
            target: self.target.clone(),
            districts,
            bbox,
            first_day: day(days.clone().min()),
            last_day: day(days.max()),
            outlines: self.outlines(),
            generation: self.whole.generation,
        }
    }

    /// The districts' outlines as GeoJSON (see [`CityOverview::outlines`]).
    fn outlines(&self) -> serde_json::Value {
        use geo::Simplify;
        let features: Vec<serde_json::Value> = self
            .parts
            .iter()
            .map(|p| {
                let outline = p.district.boundary.simplify(0.0005);
                let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&outline));
                serde_json::json!({
                    "type": "Feature",
                    "properties": { "code": p.district.code.as_str(), "name": p.district.name },
                    "geometry": geometry,
                })
            })
            .collect();
        serde_json::json!({ "type": "FeatureCollection", "features": features })
    }

    /// One part of vector tile `z/x/y` of the whole city: every district's grids, components
    /// and cases, encoded by the station's tile code.
    pub fn tile_part(&self, z: u32, x: u32, y: u32, part: TilePart) -> Result<Vec<u8>> {
        crate::tiles::encode_tile_part(&self.whole.index, z, x, y, part)
    }

    /// The case columns of one district or of the whole city.
    pub fn case_columns(&self, district: Option<&str>) -> Result<Arc<CaseColumns>> {
        Ok(columns_of(self.loaded(district)?))
    }

    /// The open cases of `district` overdue at `at`: its station's judgement
    /// (`Engine::overdue_ids`).
    fn overdue_ids(part: &Part, at: NaiveDateTime) -> HashSet<Box<str>> {
        let cal = &part.desk.calendar;
        part.desk
            .open
            .iter()
            .filter(|c| c.overdue_at(cal, at))
            .map(|c| c.id.clone())
            .collect()
    }

    /// Whether each row of the case columns of `district` (or of the whole city, whose case
    /// ids carry their district: [`city_case_id`]) is overdue at `at`.
    fn overdue_flags(&self, district: Option<&str>, at: NaiveDateTime) -> Result<Vec<bool>> {
        match district {
            Some(d) => {
                let p = self.part(d)?;
                Ok(columns_of(&p.loaded).flags_of(&Self::overdue_ids(p, at)))
            }
            None => {
                let ids: HashSet<Box<str>> = self
                    .parts
                    .iter()
                    .flat_map(|p| {
                        Self::overdue_ids(p, at)
                            .into_iter()
                            .map(|id| city_case_id(&p.district.code, &id))
                    })
                    .collect();
                Ok(columns_of(&self.whole).flags_of(&ids))
            }
        }
    }

    /// The statistics of one district or of the whole city (`None`) at `as_of`: active grids,
    /// components, and the analytics summary's totals of every case.
    pub fn figures(&self, district: Option<&str>, as_of: NaiveDateTime) -> Result<CityFigures> {
        let loaded = self.loaded(district)?;
        let cols = columns_of(loaded);
        let rows: Vec<u32> = (0..cols.ids.len() as u32).collect();
        let flags = self.overdue_flags(district, as_of)?;
        let counts = summary::totals(&cols, &rows, &flags);
        let (code, name) = match district {
            Some(d) => {
                let p = self.part(d)?;
                (p.district.code.to_string(), p.district.name.clone())
            }
            None => (String::new(), String::new()),
        };
        Ok(CityFigures {
            code,
            name,
            grids: loaded.index.grids.iter().filter(|g| g.is_active()).count() as u32,
            components: loaded.index.components.len() as u32,
            counts,
            closed_share: counts.closed_share(),
        })
    }

    /// Every district's statistics in code order, then the whole city's.
    pub fn statistics(&self, as_of: NaiveDateTime) -> Result<Vec<CityFigures>> {
        let mut rows = self
            .parts
            .iter()
            .map(|p| self.figures(Some(p.district.code.as_str()), as_of))
            .collect::<Result<Vec<_>>>()?;
        rows.push(self.figures(None, as_of)?);
        Ok(rows)
    }

    /// Kernel-density heatmap of every case of one district or of the whole city.
    pub fn heatmap(&self, district: Option<&str>, p: &HeatmapParams) -> Result<Heatmap> {
        let cols = self.case_columns(district)?;
        let rows: Vec<u32> = (0..cols.ids.len() as u32).collect();
        Heatmap::compute(&cols, &rows, p)
    }

    /// The evaluation input of `district` for `period`, read from its view of the centre as
    /// its station reads its own (`Engine::evaluation_input`); kept once read.
    pub fn evaluation_input(&self, district: &str, period: &Period) -> Result<Arc<EvalInput>> {
        let part = self.part(district)?;
        let cached = self.inputs.lock().ok().and_then(|m| {
            m.iter()
                .find(|(d, p, _)| d == district && p == period)
                .map(|(_, _, i)| Arc::clone(i))
        });
        if let Some(i) = cached {
            return Ok(i);
        }
        let input = {
            let centre = self.centre();
            let view = centre.district(part.district.code);
            Arc::new(view.input_from_store(&part.loaded.index, &part.desk.calendar, period)?)
        };
        if let Ok(mut m) = self.inputs.lock() {
            m.push((district.to_string(), *period, Arc::clone(&input)));
        }
        Ok(input)
    }

    /// The evaluation weights, bands and grades the city keeps (its own metadata), else the
    /// SPEC's defaults.
    pub fn evaluation_config(&self) -> Result<EvaluationConfig> {
        match self
            .centre()
            .meta(None, EVALUATION_CONFIG_KEY)
            .map_err(centre_error)?
        {
            Some(text) => EvaluationConfig::from_json(&text, EVALUATION_CONFIG_KEY),
            None => Ok(EvaluationConfig::default()),
        }
    }

    /// The evaluation of `period` across districts (SPEC §5): one row per district, counted
    /// as its station counts its own district row, ranked among the districts with the city's
    /// configuration.
    pub fn evaluation(&self, period: &Period) -> Result<EvalTable> {
        let inputs = self
            .parts
            .iter()
            .map(|p| self.evaluation_input(p.district.code.as_str(), period))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&EvalInput> = inputs.iter().map(|i| i.as_ref()).collect();
        Ok(evaluate_districts(
            &refs,
            period,
            &self.evaluation_config()?,
        ))
    }
}

#[cfg(test)]
mod tests {
    //! Against a real PostgreSQL 15 + PostGIS 3 cluster started by `scripts/centre.sh` in a
    //! temporary folder (stopped by the guard's `Drop`, a failing test included), holding two
    //! districts loaded from real station stores: the sample district (331003) as a station's
    //! first start makes it, and a second one (331002) made from the sample's first street.
    use super::*;
    use crate::analytics::evaluation::{Indicator, TableKind};
    use crate::analytics::filter::CaseFilter;
    use crate::code::{CommunityCode, GridCode, StreetCode};
    use crate::model::Case;
    use crate::Engine;
    use geo::Translate;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    struct Cluster {
        _tmp: tempfile::TempDir,
        dir: PathBuf,
        port: u16,
    }

    fn centre_sh(args: &[&str]) -> std::process::Output {
        Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/centre.sh"))
            .args(args)
            .output()
            .expect("bash runs scripts/centre.sh")
    }

    impl Cluster {
        fn start() -> Self {
            let tmp = tempfile::Builder::new()
                .prefix("gdcity")
                .tempdir_in("/tmp")
                .expect("a temporary folder");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
                    .expect("opening the folder to the server's user");
            }
            let dir = tmp.path().join("pg");
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free loopback port")
                .port();
            let out = centre_sh(&[
                "init",
                dir.to_str().expect("UTF-8 path"),
                "--port",
                &port.to_string(),
                "--bare",
            ]);
            let c = Cluster {
                _tmp: tmp,
                dir,
                port,
            };
            assert!(
                out.status.success(),
                "scripts/centre.sh init failed (bash scripts/install-deps.sh --test installs PostgreSQL):\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            c
        }

        fn url(&self) -> String {
            format!(
                "postgresql://postgres@/griddesk?host={}&port={}",
                self.dir.display(),
                self.port
            )
        }
    }

    impl Drop for Cluster {
        fn drop(&mut self) {
            let _ = centre_sh(&["stop", self.dir.to_str().unwrap_or_default()]);
        }
    }

    fn resources() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
    }

    fn swap(code: &str) -> String {
        format!("331002{}", &code[6..])
    }

    /// A second station's store, district 331002: the sample's first street with its
    /// communities, active grids and their cases (the same task numbers as the sample's: a
    /// district numbers its own cases), moved 0.35° east.
    fn second_station(sample: &Engine, path: &Path) -> Engine {
        let l = sample.loaded();
        let idx = &l.index;
        let district = idx.district.clone().expect("the sample has its district");
        let street = idx.streets.first().expect("a street").clone();
        let dx = 0.35;
        let communities: Vec<_> = idx
            .communities
            .iter()
            .filter(|c| c.street() == street.code)
            .cloned()
            .collect();
        let grids: Vec<_> = idx
            .grids
            .iter()
            .filter(|g| g.is_active() && g.code.community().street() == street.code)
            .cloned()
            .collect();
        let in_street: HashSet<String> = grids.iter().map(|g| g.code.to_string()).collect();
        let cases: Vec<_> = idx
            .cases
            .iter()
            .filter(|c| {
                c.grid
                    .as_ref()
                    .is_some_and(|g| in_street.contains(g.as_str()))
            })
            .cloned()
            .collect();
        assert!(
            grids.len() > 5 && cases.len() > 20,
            "{} {}",
            grids.len(),
            cases.len()
        );
        let e = Engine::create(path, &idx.code_tables).expect("a new station store");
        e.store()
            .write(|w| {
                w.put_district(&District {
                    code: DistrictCode::parse("331002")?,
                    name: "椒江区".into(),
                    boundary: district.boundary.translate(dx, 0.0),
                })?;
                w.insert_street(&crate::model::Street {
                    code: StreetCode::parse(&swap(street.code.as_str()))?,
                    boundary: street.boundary.translate(dx, 0.0),
                    ..street.clone()
                })?;
                for c in &communities {
                    w.insert_community(&crate::model::Community {
                        code: CommunityCode::parse(&swap(c.code.as_str()))?,
                        boundary: c.boundary.translate(dx, 0.0),
                        ..c.clone()
                    })?;
                }
                for g in &grids {
                    w.insert_grid(&crate::model::Grid {
                        code: GridCode::parse(&swap(g.code.as_str()))?,
                        polygon: g.polygon.translate(dx, 0.0),
                        ..g.clone()
                    })?;
                }
                for c in &cases {
                    w.insert_case(&Case {
                        id: c.id.to_string(),
                        location: c.location.translate(dx, 0.0),
                        kind: c.kind,
                        class_code: c.class_code,
                        component: None,
                        source: c.source,
                        reported_at: c.reported_at,
                        status: c.status,
                        description: None,
                        grid: c
                            .grid
                            .as_ref()
                            .map(|g| GridCode::parse(&swap(g.as_str())))
                            .transpose()?,
                        sample: c.sample,
                    })?;
                }
                Ok(())
            })
            .expect("the second district written");
        drop(e);
        Engine::open(path).expect("the second station opens")
    }

    fn load(url: &str, e: &Engine) {
        let centre = Centre::open(url).expect("the centre opens");
        let code = e.loaded().index.district.as_ref().expect("a district").code;
        let db = e.store();
        centre
            .transaction(|w| w.load_district(&code, &db.db()))
            .expect("the district loads into the centre");
    }

    /// The z/x/y tile holding lon/lat.
    fn tile_at(z: u32, lon: f64, lat: f64) -> (u32, u32) {
        let n = f64::from(1u32 << z);
        let x = ((lon + 180.0) / 360.0 * n) as u32;
        let r = lat.to_radians();
        let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
        (x, y)
    }

    fn has(bytes: &[u8], code: &str) -> bool {
        bytes.windows(code.len()).any(|w| w == code.as_bytes())
    }

    #[test]
    fn a_city_shows_every_district_as_its_station_does() {
        let cluster = Cluster::start();
        let url = cluster.url();
        Centre::init(&url).expect("the centre's schema");
        let tmp = tempfile::tempdir().expect("a folder");
        let (sample, _) = Engine::open_or_seed(&tmp.path().join("sample.sqlite"), &resources())
            .expect("the sample station seeds");
        let second = second_station(&sample, &tmp.path().join("jiaojiang.sqlite"));
        load(&url, &sample);
        load(&url, &second);

        let city = City::open(&url).expect("the city opens");
        let o = city.overview();
        let codes: Vec<&str> = o.districts.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["331002", "331003"]);
        assert_eq!(o.districts[0].name, "椒江区");
        assert!(o.bbox.is_some() && o.districts.iter().all(|d| d.bbox.is_some()));
        let outlines = o.outlines["features"].as_array().expect("features");
        assert_eq!(outlines.len(), 2);
        assert_eq!(outlines[1]["properties"]["code"], "331003");
        assert_eq!(outlines[1]["geometry"]["type"], "MultiPolygon");

        // Statistics: each district's equal to its station's own (the same moment), the city's
        // the sum of its districts'.
        let at = crate::api::analytics::now_minute();
        let stats = city.statistics(at).expect("statistics");
        assert_eq!(stats.len(), 3);
        for (station, row) in [(&second, &stats[0]), (&sample, &stats[1])] {
            let own = station
                .case_totals(&CaseFilter {
                    as_of: Some(at),
                    ..CaseFilter::default()
                })
                .expect("the station's totals");
            assert_eq!(row.counts, own, "district {}", row.code);
            let l = station.loaded();
            assert_eq!(
                row.grids as usize,
                l.index.grids.iter().filter(|g| g.is_active()).count()
            );
            assert_eq!(row.components as usize, l.index.components.len());
        }
        assert!(stats[1].counts.overdue > 0, "{:?}", stats[1]);
        assert!(stats[0].counts.open > 0, "{:?}", stats[0]);
        let total = &stats[2];
        assert_eq!(total.code, "");
        let sum = |f: fn(&CityFigures) -> u32| f(&stats[0]) + f(&stats[1]);
        assert_eq!(total.counts.cases, sum(|r| r.counts.cases));
        assert_eq!(total.counts.open, sum(|r| r.counts.open));
        assert_eq!(total.counts.closed, sum(|r| r.counts.closed));
        assert_eq!(total.counts.overdue, sum(|r| r.counts.overdue));
        assert_eq!(total.grids, sum(|r| r.grids));
        assert_eq!(total.components, sum(|r| r.components));

        // The evaluation across districts: each district's row counts and rates as its
        // station's own district table does, for the sample's last month with cases.
        let last = sample
            .loaded()
            .index
            .cases
            .iter()
            .map(|c| c.reported_at)
            .max()
            .expect("cases");
        use chrono::Datelike;
        let mut months = vec![];
        let (mut y, mut m) = (last.year(), last.month());
        for _ in 0..3 {
            months.push(Period::month(y, m).expect("a month"));
            (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        }
        for period in &months {
            let table = city.evaluation(period).expect("the city's evaluation");
            assert_eq!(table.kind, TableKind::District);
            assert_eq!(table.rows.len(), 2);
            for station in [&sample, &second] {
                let ev = station
                    .evaluate_period(period)
                    .expect("the station's evaluation");
                let own = ev.table(TableKind::District).expect("district table");
                let own_row = &own.rows[0];
                let row = table.row(&own_row.code).expect("the district's row");
                assert_eq!(row.counts, own_row.counts, "{} {period:?}", own_row.code);
                assert_eq!(row.rates, own_row.rates, "{} {period:?}", own_row.code);
            }
        }
        let table = city.evaluation(&months[1]).expect("the city's evaluation");
        let filed = |code: &str| {
            table
                .count(table.row(code).expect("row"), Indicator::Filed)
                .expect("filed")
        };
        assert!(filed("331003") > 0);
        assert!(table.rows.iter().any(|r| r.rank == Some(1)));

        // Tiles: the city's tile at each district's grid holds that grid; the sample station's
        // own tile at the second district's grid does not.
        for station in [&sample, &second] {
            let l = station.loaded();
            let g = l
                .index
                .grids
                .iter()
                .find(|g| g.is_active())
                .expect("a grid");
            let c = geo::Centroid::centroid(&g.polygon).expect("a centroid");
            let (x, y) = tile_at(15, c.x(), c.y());
            let tile = city
                .tile_part(15, x, y, TilePart::Features)
                .expect("the city's tile");
            assert!(
                has(&tile, g.code.as_str()),
                "grid {} in its city tile",
                g.code
            );
            if std::ptr::eq(station, &second) {
                let own = sample
                    .tile_part(15, x, y, TilePart::Features)
                    .expect("tile");
                assert!(!has(&own, g.code.as_str()));
            }
        }

        // The heatmap of one district covers its cases only.
        let p = HeatmapParams {
            width: 64,
            height: 64,
            ..HeatmapParams::default()
        };
        let h2 = city.heatmap(Some("331002"), &p).expect("heatmap");
        let hall = city.heatmap(None, &p).expect("heatmap");
        assert_eq!(h2.cases as u32, stats[0].counts.cases);
        assert_eq!(hall.cases as u32, total.counts.cases);

        // Typed refusals: a district the centre does not hold.
        let e = city
            .figures(Some("339999"), at)
            .expect_err("unknown district");
        assert!(
            matches!(e, Error::NotFound { what: "district", ref key } if key == "339999"),
            "{e}"
        );
        assert_eq!(e.kind(), crate::ErrorKind::NotFound);
    }

    #[test]
    fn a_centre_that_cannot_be_reached_is_named() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let e = City::open(&format!(
            "postgresql://postgres:secret@127.0.0.1:{port}/griddesk?connect_timeout=3"
        ))
        .expect_err("nothing listens there");
        let m = e.message();
        assert_eq!(m.code, MessageCode::CentreUnreachable, "{e}");
        let text = format!("{e} {m:?}");
        assert!(
            text.contains(&format!("127.0.0.1:{port}/griddesk")),
            "{text}"
        );
        assert!(!text.contains("secret"), "{text}");
        let e = City::open("not a connection string").expect_err("refused");
        assert_eq!(e.message().code, MessageCode::CentreUnreachable);
    }
}
