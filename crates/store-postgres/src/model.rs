//! The core tables: the district and its streets, communities, unit grids, duty grids,
//! components and cases, the code tables and `meta`. Written through `griddesk_store::
//! ModelSink` on a [`CentreTx`]; read back per district, for one district or the whole city,
//! through [`Centre::districts`] and [`Centre::load`]. Geometry crosses as WKB
//! (`ST_GeomFromWKB` / `ST_AsBinary`, encoded and decoded by `griddesk_io`'s WKB module).

use crate::centre::{Centre, CentreTx};
use crate::error::{Error, Result};
use geo_types::Geometry;
use griddesk_core::code::{
    ClassCode, CommunityCode, ComponentCode, DistrictCode, GridCode, StreetCode,
};
use griddesk_core::codetable::{ClassEntry, ClassTable, CodeTables};
use griddesk_core::model::{
    Case, CaseKind, CaseSource, CaseStatus, CaseSummary, Community, Component, ComponentState,
    District, DutyGrid, Grid, Snapshot, Street,
};
use griddesk_io::io::wkb_io;
use std::collections::BTreeMap;
use std::sync::Arc;

fn wkb(what: &'static str, key: &str, g: Geometry<f64>) -> Result<Vec<u8>> {
    wkb_io::to_wkb(&g).map_err(|e| Error::Geometry {
        what,
        key: key.to_string(),
        reason: e.to_string(),
    })
}

fn corrupt(what: &'static str, key: &str, e: impl std::fmt::Display) -> Error {
    Error::Corrupt {
        what,
        key: key.to_string(),
        reason: e.to_string(),
    }
}

impl CentreTx<'_> {
    /// Inserts or replaces a district (code, name, outline).
    pub fn put_district(&self, d: &District) -> Result<()> {
        let code = d.code.as_str();
        let geom = wkb("district", code, Geometry::MultiPolygon(d.boundary.clone()))?;
        self.exec(
            "INSERT INTO district (code, name, geom)
             VALUES ($1::text, $2, ST_Multi(ST_GeomFromWKB($3, 4326)))
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, geom = excluded.geom",
            &[&code, &d.name, &geom],
            || format!("writing district `{code}`"),
            None,
        )?;
        self.district.set(Some(d.code));
        Ok(())
    }

    /// Replaces the shared CJ/T 214 code tables.
    pub fn put_code_tables(&self, t: &CodeTables) -> Result<()> {
        self.exec(
            "DELETE FROM code_class",
            &[],
            || "replacing the code tables".into(),
            None,
        )?;
        for (kind, table) in [("component", &t.components), ("event", &t.events)] {
            for e in table.iter() {
                self.exec(
                    "INSERT INTO code_class (kind, code, name, major_code, major_name)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[&kind, &e.code, &e.name, &e.major_code, &e.major_name],
                    || format!("writing {kind} class `{}`", e.code),
                    Some(("code table class", &e.code)),
                )?;
            }
        }
        Ok(())
    }

    /// Sets a metadata value of the write's district (the city's own when the write names no
    /// district).
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        let district = self.district.get();
        let district = district.as_ref().map(DistrictCode::as_str);
        self.exec(
            "INSERT INTO meta (district, key, value) VALUES ($1::text, $2, $3)
             ON CONFLICT (district, key) DO UPDATE SET value = excluded.value",
            &[&district, &key, &value],
            || format!("setting meta `{key}`"),
            None,
        )?;
        Ok(())
    }

    pub fn insert_street(&self, s: &Street) -> Result<()> {
        let code = s.code.as_str();
        let district = s.code.district();
        self.note_district(district);
        let geom = wkb("street", code, Geometry::MultiPolygon(s.boundary.clone()))?;
        self.exec(
            "INSERT INTO street (district, code, name, geom, sample)
             VALUES ($1::text, $2, $3, ST_Multi(ST_GeomFromWKB($4, 4326)), $5)",
            &[&district.as_str(), &code, &s.name, &geom, &s.sample],
            || format!("writing street `{code}`"),
            Some(("street", code)),
        )?;
        Ok(())
    }

    pub fn insert_community(&self, c: &Community) -> Result<()> {
        let code = c.code.as_str();
        let district = c.street().district();
        self.note_district(district);
        let geom = wkb(
            "community",
            code,
            Geometry::MultiPolygon(c.boundary.clone()),
        )?;
        self.exec(
            "INSERT INTO community (district, code, street, name, geom, sample)
             VALUES ($1::text, $2, $3, $4, ST_Multi(ST_GeomFromWKB($5, 4326)), $6)",
            &[
                &district.as_str(),
                &code,
                &c.street().as_str(),
                &c.name,
                &geom,
                &c.sample,
            ],
            || format!("writing community `{code}`"),
            Some(("community", code)),
        )?;
        Ok(())
    }

    pub fn insert_grid(&self, g: &Grid) -> Result<()> {
        let code = g.code.as_str();
        let district = g.community().street().district();
        self.note_district(district);
        let geom = wkb("grid", code, Geometry::Polygon(g.polygon.clone()))?;
        self.exec(
            "INSERT INTO grid (district, code, community, name, geom, area_m2, land_use, level,
                               start_date, end_date, sample)
             VALUES ($1::text, $2, $3, $4, ST_GeomFromWKB($5, 4326), $6, $7, $8, $9, $10, $11)",
            &[
                &district.as_str(),
                &code,
                &g.community().as_str(),
                &g.name,
                &geom,
                &g.area_m2,
                &g.land_use,
                &g.level,
                &g.start_date,
                &g.end_date,
                &g.sample,
            ],
            || format!("writing unit grid `{code}`"),
            Some(("grid", code)),
        )?;
        Ok(())
    }

    /// Inserts a duty grid with its member unit grids; its district is its grids' (or, for one
    /// without grids, the write's).
    pub fn insert_duty_grid(&self, d: &DutyGrid) -> Result<()> {
        let district = match d.grids.first() {
            Some(g) => g.community().street().district(),
            None => self.district.get().ok_or_else(|| Error::NoDistrict {
                what: "duty grid",
                key: d.code.clone(),
            })?,
        };
        self.note_district(district);
        self.exec(
            "INSERT INTO duty_grid (district, code, name, inspector) VALUES ($1::text, $2, $3, $4)",
            &[&district.as_str(), &d.code, &d.name, &d.inspector],
            || format!("writing duty grid `{}`", d.code),
            Some(("duty grid", &d.code)),
        )?;
        for g in &d.grids {
            self.exec(
                "INSERT INTO duty_grid_member (district, duty_grid, grid) VALUES ($1::text, $2, $3)",
                &[&district.as_str(), &d.code, &g.as_str()],
                || format!("writing unit grid `{g}` of duty grid `{}`", d.code),
                Some(("duty grid member", g.as_str())),
            )?;
        }
        Ok(())
    }

    pub fn insert_component(&self, c: &Component) -> Result<()> {
        let code = c.code.as_str();
        let district = c.code.district();
        self.note_district(district);
        let geom = wkb("component", code, Geometry::Point(c.location))?;
        self.exec(
            "INSERT INTO component (district, code, class_code, owner, maintainer, state, geom,
                                    grid, sample)
             VALUES ($1::text, $2, $3, $4, $5, $6, ST_GeomFromWKB($7, 4326), $8, $9)",
            &[
                &district.as_str(),
                &code,
                &c.class_code.as_str(),
                &c.owner.as_deref(),
                &c.maintainer.as_deref(),
                &c.state.key(),
                &geom,
                &c.grid.as_ref().map(GridCode::as_str),
                &c.sample,
            ],
            || format!("writing component `{code}`"),
            Some(("component", code)),
        )?;
        Ok(())
    }

    /// The district of a case: its unit grid's, else its component's, else the write's, else
    /// the one whose outline covers it.
    fn case_district(&self, c: &Case) -> Result<DistrictCode> {
        if let Some(g) = &c.grid {
            return Ok(g.community().street().district());
        }
        if let Some(k) = &c.component {
            return Ok(k.district());
        }
        if let Some(d) = self.district.get() {
            return Ok(d);
        }
        let rows = self.query(
            "SELECT code::text FROM district
              WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
              ORDER BY code LIMIT 1",
            &[&c.location.x(), &c.location.y()],
            || format!("finding the district of case `{}`", c.id),
        )?;
        let code: String = rows
            .first()
            .map(|r| r.get(0))
            .ok_or_else(|| Error::NoDistrict {
                what: "case",
                key: c.id.clone(),
            })?;
        DistrictCode::parse(&code).map_err(|e| corrupt("district", &code, e))
    }

    pub fn insert_case(&self, c: &Case) -> Result<()> {
        let district = self.case_district(c)?;
        self.note_district(district);
        let geom = wkb("case", &c.id, Geometry::Point(c.location))?;
        self.exec(
            "INSERT INTO cases (district, id, kind, class_code, component, source, reported_at,
                                status, description, geom, grid, sample)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, ST_GeomFromWKB($10, 4326), $11,
                     $12)",
            &[
                &district.as_str(),
                &c.id,
                &c.kind.key(),
                &c.class_code.as_str(),
                &c.component.as_ref().map(ComponentCode::as_str),
                &c.source.key(),
                &c.reported_at,
                &c.status.key(),
                &c.description,
                &geom,
                &c.grid.as_ref().map(GridCode::as_str),
                &c.sample,
            ],
            || format!("writing case `{}` of district {district}", c.id),
            Some(("case", &c.id)),
        )?;
        Ok(())
    }
}

impl griddesk_store::ModelSink for CentreTx<'_> {
    fn put_district(&self, d: &District) -> griddesk_core::Result<()> {
        Ok(CentreTx::put_district(self, d)?)
    }
    fn put_code_tables(&self, t: &CodeTables) -> griddesk_core::Result<()> {
        Ok(CentreTx::put_code_tables(self, t)?)
    }
    fn set_meta(&self, key: &str, value: &str) -> griddesk_core::Result<()> {
        Ok(CentreTx::set_meta(self, key, value)?)
    }
    fn insert_street(&self, s: &Street) -> griddesk_core::Result<()> {
        Ok(CentreTx::insert_street(self, s)?)
    }
    fn insert_community(&self, c: &Community) -> griddesk_core::Result<()> {
        Ok(CentreTx::insert_community(self, c)?)
    }
    fn insert_grid(&self, g: &Grid) -> griddesk_core::Result<()> {
        Ok(CentreTx::insert_grid(self, g)?)
    }
    fn insert_duty_grid(&self, d: &DutyGrid) -> griddesk_core::Result<()> {
        Ok(CentreTx::insert_duty_grid(self, d)?)
    }
    fn insert_component(&self, c: &Component) -> griddesk_core::Result<()> {
        Ok(CentreTx::insert_component(self, c)?)
    }
    fn insert_case(&self, c: &Case) -> griddesk_core::Result<()> {
        Ok(CentreTx::insert_case(self, c)?)
    }
}

impl griddesk_store::ModelStore for Centre {
    fn write_model(
        &mut self,
        f: &mut dyn FnMut(&dyn griddesk_store::ModelSink) -> griddesk_core::Result<()>,
    ) -> griddesk_core::Result<()> {
        self.transaction(|tx| f(tx))
    }
}

/// The centre seen from one district ([`Centre::district`]): what is keyed by a station's own
/// numbers (case numbers, routing rule ids…) is looked up and written inside that district.
/// Outside a transaction each write commits on its own, as the station's store does outside
/// one; [`CentreTx::district`] is the same inside a transaction.
#[derive(Debug, Clone, Copy)]
pub struct DistrictScope<'a> {
    pub(crate) centre: &'a Centre,
    pub(crate) district: DistrictCode,
}

/// One district inside a transaction ([`CentreTx::district`]).
pub struct DistrictTx<'t, 'a> {
    pub(crate) tx: &'t CentreTx<'a>,
    pub(crate) district: DistrictCode,
}

impl<'a> CentreTx<'a> {
    /// This transaction seen from one district.
    pub fn district(&self, district: DistrictCode) -> DistrictTx<'_, 'a> {
        DistrictTx { tx: self, district }
    }
}

impl Centre {
    /// The centre seen from one district, for what is keyed by a station's own numbers.
    pub fn district(&self, district: DistrictCode) -> DistrictScope<'_> {
        DistrictScope {
            centre: self,
            district,
        }
    }

    /// Every district this connection may see, by code (a station's role: its own).
    pub fn districts(&self) -> Result<Vec<District>> {
        self.with(|c| {
            let rows = c
                .query(
                    "SELECT code::text, name, ST_AsBinary(geom) FROM district ORDER BY code",
                    &[],
                )
                .map_err(|e| Error::of(e, "reading the districts", None))?;
            rows.iter().map(district_of).collect()
        })
    }

    /// The shared CJ/T 214 code tables.
    pub fn code_tables(&self) -> Result<CodeTables> {
        self.with(|c| {
            let rows = c
                .query(
                    "SELECT kind, code, name, major_code, major_name FROM code_class
                      ORDER BY kind, code",
                    &[],
                )
                .map_err(|e| Error::of(e, "reading the code tables", None))?;
            let (mut comp, mut ev) = (Vec::new(), Vec::new());
            for r in &rows {
                let e = ClassEntry {
                    code: r.get(1),
                    name: r.get(2),
                    major_code: r.get(3),
                    major_name: r.get(4),
                };
                if r.get::<_, &str>(0) == "component" {
                    comp.push(e);
                } else {
                    ev.push(e);
                }
            }
            Ok(CodeTables {
                components: ClassTable::from_entries(comp),
                events: ClassTable::from_entries(ev),
            })
        })
    }

    /// A metadata value: of `district`, or the city's own (`None`).
    pub fn meta(&self, district: Option<&DistrictCode>, key: &str) -> Result<Option<String>> {
        let district = district.map(DistrictCode::as_str);
        self.with(|c| {
            Ok(c.query_opt(
                "SELECT value FROM meta WHERE district IS NOT DISTINCT FROM $1::text AND key = $2",
                &[&district, &key],
            )
            .map_err(|e| Error::of(e, format!("reading meta `{key}`"), None))?
            .map(|r| r.get(0)))
        })
    }

    /// Everything the in-memory indexes are built from, one [`Snapshot`] per district in code
    /// order: of the district `only`, or of every district this connection may see (the
    /// whole city for the centre's own role). Rows are in key order.
    pub fn load(&self, only: Option<&DistrictCode>) -> Result<Vec<Snapshot>> {
        let only = only.map(DistrictCode::as_str);
        let code_tables = self.code_tables()?;
        self.with(|c| {
            let read = |c: &mut postgres::Client, what: &str, sql: &str| {
                c.query(sql, &[&only])
                    .map_err(|e| Error::of(e, format!("reading the {what}"), None))
            };
            let mut by: BTreeMap<String, Snapshot> = BTreeMap::new();
            for r in &read(
                c,
                "districts",
                "SELECT code::text, name, ST_AsBinary(geom) FROM district
                  WHERE $1::text IS NULL OR code = $1::text ORDER BY code",
            )? {
                let d = district_of(r)?;
                by.insert(
                    d.code.as_str().to_string(),
                    Snapshot {
                        district: Some(d),
                        code_tables: code_tables.clone(),
                        ..Snapshot::default()
                    },
                );
            }
            if only.is_some() && by.is_empty() {
                return Err(Error::UnknownDistrict(only.unwrap_or_default().to_string()));
            }

            for r in &read(
                c,
                "streets",
                "SELECT district::text, code, name, ST_AsBinary(geom), sample FROM street
                  WHERE $1::text IS NULL OR district = $1::text ORDER BY district, code",
            )? {
                let code: String = r.get(1);
                let s = Street {
                    code: StreetCode::parse(&code).map_err(|e| corrupt("street", &code, e))?,
                    name: r.get(2),
                    boundary: wkb_io::multi_polygon(r.get(3))
                        .map_err(|e| corrupt("street", &code, e))?,
                    sample: r.get(4),
                };
                snapshot(&mut by, r.get(0), "street", &code)?
                    .streets
                    .push(s);
            }
            for r in &read(
                c,
                "communities",
                "SELECT district::text, code, name, ST_AsBinary(geom), sample FROM community
                  WHERE $1::text IS NULL OR district = $1::text ORDER BY district, code",
            )? {
                let code: String = r.get(1);
                let s = Community {
                    code: CommunityCode::parse(&code)
                        .map_err(|e| corrupt("community", &code, e))?,
                    name: r.get(2),
                    boundary: wkb_io::multi_polygon(r.get(3))
                        .map_err(|e| corrupt("community", &code, e))?,
                    sample: r.get(4),
                };
                snapshot(&mut by, r.get(0), "community", &code)?
                    .communities
                    .push(s);
            }
            for r in &read(
                c,
                "unit grids",
                "SELECT district::text, code, name, ST_AsBinary(geom), area_m2, land_use, level,
                        start_date, end_date, sample
                   FROM grid WHERE $1::text IS NULL OR district = $1::text
                  ORDER BY district, code",
            )? {
                let code: String = r.get(1);
                let g = Grid {
                    code: GridCode::parse(&code).map_err(|e| corrupt("grid", &code, e))?,
                    name: r.get(2),
                    polygon: wkb_io::polygon(r.get(3)).map_err(|e| corrupt("grid", &code, e))?,
                    area_m2: r.get(4),
                    land_use: r.get(5),
                    level: r.get(6),
                    start_date: r.get(7),
                    end_date: r.get(8),
                    sample: r.get(9),
                };
                snapshot(&mut by, r.get(0), "grid", &code)?.grids.push(g);
            }
            for r in &read(
                c,
                "duty grids",
                "SELECT d.district::text, d.code, d.name, d.inspector, m.grid
                   FROM duty_grid d
                   LEFT JOIN duty_grid_member m ON m.district = d.district AND m.duty_grid = d.code
                  WHERE $1::text IS NULL OR d.district = $1::text
                  ORDER BY d.district, d.code, m.grid",
            )? {
                let code: String = r.get(1);
                let s = snapshot(&mut by, r.get(0), "duty grid", &code)?;
                if s.duty_grids.last().is_none_or(|d| d.code != code) {
                    s.duty_grids.push(DutyGrid {
                        code: code.clone(),
                        name: r.get(2),
                        inspector: r.get(3),
                        grids: vec![],
                    });
                }
                if let Some(g) = r.get::<_, Option<&str>>(4) {
                    let g = GridCode::parse(g).map_err(|e| corrupt("duty grid", &code, e))?;
                    if let Some(d) = s.duty_grids.last_mut() {
                        d.grids.push(g);
                    }
                }
            }
            // Owners and maintainers are a few hundred units over many thousands of rows: each
            // name is kept once and shared, as the station's loader does.
            let mut names: std::collections::HashMap<String, Arc<str>> = Default::default();
            let mut shared = |s: Option<&str>| -> Option<Arc<str>> {
                let s = s?;
                Some(
                    names
                        .entry(s.to_string())
                        .or_insert_with(|| Arc::from(s))
                        .clone(),
                )
            };
            for r in &read(
                c,
                "components",
                "SELECT district::text, code, class_code, owner, maintainer, state,
                        ST_AsBinary(geom), grid, sample
                   FROM component WHERE $1::text IS NULL OR district = $1::text
                  ORDER BY district, code",
            )? {
                let code: String = r.get(1);
                let bad = |e: &dyn std::fmt::Display| corrupt("component", &code, e);
                let state: &str = r.get(5);
                let k = Component {
                    code: ComponentCode::parse(&code).map_err(|e| bad(&e))?,
                    class_code: ClassCode::parse(r.get(2)).map_err(|e| bad(&e))?,
                    owner: shared(r.get(3)),
                    maintainer: shared(r.get(4)),
                    state: ComponentState::parse(state)
                        .ok_or_else(|| bad(&format!("state `{state}`")))?,
                    location: wkb_io::point(r.get(6)).map_err(|e| bad(&e))?,
                    grid: r
                        .get::<_, Option<&str>>(7)
                        .map(GridCode::parse)
                        .transpose()
                        .map_err(|e| bad(&e))?,
                    sample: r.get(8),
                };
                snapshot(&mut by, r.get(0), "component", &code)?
                    .components
                    .push(k);
            }
            for r in &read(
                c,
                "cases",
                "SELECT district::text, id, kind, class_code, source, reported_at, status,
                        ST_AsBinary(geom), grid, component, sample
                   FROM cases WHERE $1::text IS NULL OR district = $1::text
                  ORDER BY district, id",
            )? {
                let id: String = r.get(1);
                let bad = |e: &dyn std::fmt::Display| corrupt("case", &id, e);
                let (kind, source, status): (&str, &str, &str) = (r.get(2), r.get(4), r.get(6));
                let c = CaseSummary {
                    kind: CaseKind::parse(kind).ok_or_else(|| bad(&format!("kind `{kind}`")))?,
                    class_code: ClassCode::parse(r.get(3)).map_err(|e| bad(&e))?,
                    source: CaseSource::parse(source)
                        .ok_or_else(|| bad(&format!("source `{source}`")))?,
                    reported_at: r.get(5),
                    status: CaseStatus::parse(status)
                        .ok_or_else(|| bad(&format!("status `{status}`")))?,
                    location: wkb_io::point(r.get(7)).map_err(|e| bad(&e))?,
                    grid: r
                        .get::<_, Option<&str>>(8)
                        .map(GridCode::parse)
                        .transpose()
                        .map_err(|e| bad(&e))?,
                    component: r
                        .get::<_, Option<&str>>(9)
                        .map(ComponentCode::parse)
                        .transpose()
                        .map_err(|e| bad(&e))?,
                    sample: r.get(10),
                    id: id.clone().into_boxed_str(),
                };
                snapshot(&mut by, r.get(0), "case", &id)?.cases.push(c);
            }
            Ok(by.into_values().collect())
        })
    }
}

/// The snapshot of `district` in `by`: a row of a district that was not read is damage (or a
/// policy that lets rows be seen without their district).
fn snapshot<'a>(
    by: &'a mut BTreeMap<String, Snapshot>,
    district: &str,
    what: &'static str,
    key: &str,
) -> Result<&'a mut Snapshot> {
    by.get_mut(district).ok_or_else(|| {
        corrupt(
            what,
            key,
            format!("its district {district} is not readable"),
        )
    })
}

fn district_of(r: &postgres::Row) -> Result<District> {
    let code: String = r.get(0);
    Ok(District {
        code: DistrictCode::parse(&code).map_err(|e| corrupt("district", &code, e))?,
        name: r.get(1),
        boundary: wkb_io::multi_polygon(r.get(2)).map_err(|e| corrupt("district", &code, e))?,
    })
}

fn case_descriptions(
    c: &mut impl postgres::GenericClient,
    district: &DistrictCode,
    ids: &[&str],
) -> Result<Vec<Option<String>>> {
    let district = district.as_str();
    let list: Vec<&str> = ids.to_vec();
    let found: std::collections::HashMap<String, Option<String>> = c
        .query(
            "SELECT id, description FROM cases WHERE district = $1::text AND id = ANY($2)",
            &[&district, &list],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("reading case descriptions of district {district}"),
                None,
            )
        })?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(ids
        .iter()
        .map(|id| found.get(*id).cloned().flatten())
        .collect())
}

impl griddesk_store::CaseTexts for DistrictScope<'_> {
    fn case_descriptions(&self, ids: &[&str]) -> griddesk_core::Result<Vec<Option<String>>> {
        Ok(self
            .centre
            .with(|c| case_descriptions(c, &self.district, ids))?)
    }
}

/// Inside the caller's transaction.
impl griddesk_store::CaseTexts for DistrictTx<'_, '_> {
    fn case_descriptions(&self, ids: &[&str]) -> griddesk_core::Result<Vec<Option<String>>> {
        Ok(case_descriptions(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
            ids,
        )?)
    }
}
