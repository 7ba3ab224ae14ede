//! Deterministic generator of a realistic sample district (Huangyan, 黄岩区, 331003).
//!
//! Everything below the district level is invented and flagged `sample: true`; the district
//! outline is the real one (`resources/geo/taizhou_districts.geojson`, feature `gb = 156331003`)
//! and the street names are real Huangyan street offices.
//!
//! * **Unit grids** follow a generated irregular road network: Voronoi cells of a jittered, warped
//!   seed lattice with continuous curving arterials and a river (see [`tiling`](self) notes in
//!   the source). Shared edges use the very same vertex values, so grids tile exactly.
//! * **Communities** are contiguous clusters of grids, **streets** contiguous clusters of
//!   communities; their boundaries are the union of their grids by edge cancellation.
//! * **Numbering**: streets `001…` (GB/T 10114: 001–099 are 街道), communities `001…` within a
//!   street, grids `001…` within a community numbered west→east then north→south by
//!   [`sequence_order`] (rows are bands of [`ROW_BAND_M`] metres of the grids' centroids).
//! * **Components** sit along roads (grid edges), a few metres into one grid.
//! * **Cases** cluster at markets, schools, stations and commercial streets, follow day, week
//!   and season rhythms and the source mix of Huangyan (SPEC §4.3, §6).
//!
//! Same seed → bit-identical output on every machine: no hash-map iteration, parallel work only
//! per item with ordered collection, and coordinates computed from basic IEEE operations only
//! (see `detmath`). The stored `area_m2` is the geodesic area from [`crate::geodesy::area_m2`].

pub mod basemap;
pub mod caseloop;
mod cases;
mod components;
mod names;
pub mod registers;
mod tiling;
mod zones;

pub use zones::SampleZones;

use crate::code::{CommunityCode, DistrictCode, GridCode};
use crate::codetable::{ClassTable, CodeTables};
use crate::error::{Error, Result};
use crate::model::{Case, Community, Component, District, DutyGrid, Grid, Street};
use crate::store::Store;
use crate::zones::ZoneStore;
use chrono::NaiveDate;
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use griddesk_planning::planning::detmath::{self, hash, unit, Proj};
use griddesk_planning::planning::regions;
use rayon::prelude::*;
use std::path::PathBuf;

pub use griddesk_planning::planning::order::ROW_BAND_M;

/// Permitted unit-grid area range, m².
pub const GRID_AREA_RANGE: (f64, f64) = (5_000.0, 20_000.0);

const DISTRICT_CODE: &str = "331003";
const DISTRICT_GB: &str = "156331003";
/// Centre of the local projection: Huangyan's built-up core.
const CORE_LON: f64 = 121.26;
const CORE_LAT: f64 = 28.64;
/// Commercial centre, metres from the projection centre.
const COMMERCIAL_CENTRE: [f64; 2] = [-350.0, 250.0];
const OUTLINE: &str = include_str!("../../../../resources/geo/taizhou_districts.geojson");
const COMPONENTS_CSV: &str = include_str!("../../../../resources/codes/components_cjt214_2007.csv");
const EVENTS_CSV: &str = include_str!("../../../../resources/codes/events_cjt214_2007.csv");

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleParams {
    /// Random seed: the same seed gives bit-identical output.
    pub seed: u64,
    /// Number of unit grids aimed for (the result is within a few of it).
    pub grids: usize,
    /// Number of communities.
    pub communities: usize,
    /// Number of streets (街道), at most 99.
    pub streets: usize,
    /// Number of components.
    pub components: usize,
    /// Number of cases.
    pub cases: usize,
    /// Keep the core inside the real district outline (a 250 m margin); off for benchmark sizes,
    /// where the core may extend beyond it.
    pub clip_to_outline: bool,
    /// First day of the case period.
    pub period_start: NaiveDate,
    /// Last day of the case period (inclusive); open cases are those reported shortly before.
    pub period_end: NaiveDate,
    /// Directory of code tables (`CodeTables::load_dir`); `None` = the CJ/T 214-2007 tables
    /// shipped in `resources/codes`, compiled in.
    pub codes_dir: Option<PathBuf>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("constant calendar date is valid")
}

impl SampleParams {
    /// The shipped sample: ~1 500 grids, 40 communities, 8 streets, ~20 000 components and
    /// ~25 000 cases from 2025-11-01 to 2026-10-31.
    pub fn huangyan() -> Self {
        Self {
            seed: 20_251_101,
            grids: 1_500,
            communities: 40,
            streets: 8,
            components: 20_000,
            cases: 25_000,
            clip_to_outline: true,
            period_start: date(2025, 11, 1),
            period_end: date(2026, 10, 31),
            codes_dir: None,
        }
    }

    /// A benchmark district with `grids` unit grids and `cases` cases (≈ 37 grids per community,
    /// ≈ 13 components per grid); not limited to the real outline.
    pub fn benchmark(grids: usize, cases: usize) -> Self {
        let communities = (grids / 37).max(1);
        Self {
            grids,
            communities,
            streets: (communities / 6).clamp(1, 99),
            components: grids * 13,
            cases,
            clip_to_outline: false,
            ..Self::huangyan()
        }
    }
}

/// A point of interest placed by the generator (case hotspots, land use).
#[derive(Debug, Clone, PartialEq)]
pub struct SamplePoi {
    /// `market`, `school`, `station`, `commercial_street`, `hospital` or `park`.
    pub kind: &'static str,
    /// Invented name, e.g. `永宁菜市场`.
    pub name: String,
    pub location: Point<f64>,
    /// The unit grid it lies in.
    pub grid: GridCode,
}

/// The generated district.
#[derive(Debug, Clone)]
pub struct SampleDistrict {
    pub district: District,
    pub streets: Vec<Street>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    pub duty_grids: Vec<DutyGrid>,
    pub components: Vec<Component>,
    pub cases: Vec<Case>,
    /// Named places used as case hotspots.
    pub pois: Vec<SamplePoi>,
    /// Units, people, zone layers, zones and road lines ([`SampleZones`]).
    pub zones: SampleZones,
    /// The code tables the components and cases refer to.
    pub tables: CodeTables,
    /// Departments, users and routing of the case loop (histories are made when loading).
    pub case_loop: caseloop::CaseLoopSeed,
}

impl SampleDistrict {
    /// Writes everything, code tables included, in one transaction.
    pub fn write_to_store(&self, store: &mut Store, tables: &CodeTables) -> Result<()> {
        store.write(|w| {
            w.put_code_tables(tables)?;
            w.put_district(&self.district)?;
            for s in &self.streets {
                w.insert_street(s)?;
            }
            for c in &self.communities {
                w.insert_community(c)?;
            }
            for g in &self.grids {
                w.insert_grid(g)?;
            }
            for d in &self.duty_grids {
                w.insert_duty_grid(d)?;
            }
            for c in &self.components {
                w.insert_component(c)?;
            }
            for c in &self.cases {
                w.insert_case(c)?;
            }
            w.db().write_sample(&self.zones)?;
            w.set_meta("sample", "true")?;
            Ok(())
        })
    }
}

/// Cell-level facts shared by the component and case generators.
pub struct World<'a> {
    pub tiling: &'a tiling::Tiling,
    pub proj: Proj,
    pub grid_codes: Vec<GridCode>,
    /// Land use per cell.
    pub land_use: Vec<&'static str>,
    /// Cell of each POI, parallel to the POI list.
    pub poi_cells: Vec<usize>,
    /// POI index of each cell (`u32::MAX` for none).
    pub poi_of_cell: Vec<u32>,
    pub pois: &'a [SamplePoi],
    pub district: DistrictCode,
    /// Street cluster of each cell, indexing `street_names`.
    pub street_of_cell: Vec<u32>,
    pub street_names: Vec<String>,
}

pub use griddesk_planning::planning::order::{ring_centroid, sequence_order};

fn load_outline() -> Result<MultiPolygon<f64>> {
    let gj: geojson::GeoJson = OUTLINE
        .parse()
        .map_err(|e| Error::Internal(format!("district outline: {e}")))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        return Err(Error::Internal(
            "district outline: not a FeatureCollection".into(),
        ));
    };
    let f = fc
        .features
        .into_iter()
        .find(|f| f.property("gb").and_then(|v| v.as_str()) == Some(DISTRICT_GB))
        .ok_or_else(|| {
            Error::Internal(format!(
                "district outline: no feature with gb {DISTRICT_GB}"
            ))
        })?;
    let g = f
        .geometry
        .ok_or_else(|| Error::Internal("district outline: feature has no geometry".into()))?;
    let geom: geo_types::Geometry<f64> = g
        .try_into()
        .map_err(|e: geojson::Error| Error::Internal(format!("district outline: {e}")))?;
    match geom {
        geo_types::Geometry::MultiPolygon(mp) => Ok(mp),
        geo_types::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        _ => Err(Error::Internal("district outline: not a polygon".into())),
    }
}

fn tables_for(p: &SampleParams) -> Result<CodeTables> {
    match &p.codes_dir {
        Some(dir) => CodeTables::load_dir(dir),
        None => Ok(CodeTables {
            components: ClassTable::parse("components_cjt214_2007.csv", COMPONENTS_CSV)?,
            events: ClassTable::parse("events_cjt214_2007.csv", EVENTS_CSV)?,
        }),
    }
}

/// Generates the sample district described by `p` (deterministic for `p.seed`).
pub fn generate(p: &SampleParams) -> Result<SampleDistrict> {
    if p.streets == 0 || p.streets > 99 {
        return Err(Error::Internal(format!(
            "{} streets: a sample needs 1–99 streets (街道 codes 001–099)",
            p.streets
        )));
    }
    if p.communities < p.streets || p.communities > p.grids {
        return Err(Error::Internal("need streets ≤ communities ≤ grids".into()));
    }
    if p.period_end < p.period_start {
        return Err(Error::Internal(
            "the case period ends before it starts".into(),
        ));
    }
    let tables = tables_for(p)?;
    let outline = load_outline()?;
    let proj = Proj::new(CORE_LON, CORE_LAT);
    let district_code = DistrictCode::parse(DISTRICT_CODE)?;
    let clip = p.clip_to_outline.then(|| {
        let rings: Vec<Vec<[f64; 2]>> = outline
            .0
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .map(|ls| ls.0.iter().map(|c| [c.x, c.y]).collect())
            .collect();
        tiling::outline_from_lonlat(&proj, &rings, 250.0)
    });
    let tiling = tiling::build(&tiling::TilingParams {
        seed: p.seed,
        target: p.grids,
        min_area: GRID_AREA_RANGE.0,
        max_area: GRID_AREA_RANGE.1,
        outline: clip,
        centre: COMMERCIAL_CENTRE,
    })?;
    let n = tiling.cells.len();
    let verts_ll: Vec<Coord<f64>> = tiling
        .verts
        .iter()
        .map(|&v| {
            let ll = proj.inv(v);
            Coord { x: ll[0], y: ll[1] }
        })
        .collect();
    let polys: Vec<Polygon<f64>> = tiling
        .cells
        .iter()
        .map(|c| {
            let mut cs: Vec<Coord<f64>> = c.ring.iter().map(|&v| verts_ll[v as usize]).collect();
            cs.push(cs[0]);
            Polygon::new(LineString::new(cs), vec![])
        })
        .collect();
    let cent_m: Vec<[f64; 2]> = tiling
        .cells
        .iter()
        .map(|c| {
            let ls: LineString<f64> = c
                .ring
                .iter()
                .chain(std::iter::once(&c.ring[0]))
                .map(|&v| {
                    let q = tiling.verts[v as usize];
                    Coord { x: q[0], y: q[1] }
                })
                .collect();
            ring_centroid(&ls)
        })
        .collect();
    let adj: Vec<Vec<u32>> = tiling
        .cells
        .iter()
        .map(|c| {
            let mut v: Vec<u32> = c
                .nbs
                .iter()
                .copied()
                .filter(|&x| x != tiling::NONE)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let areas_m: Vec<f64> = tiling.cells.iter().map(|c| c.area).collect();

    // Communities, then streets as clusters of communities.
    let comm_of = regions::cluster(&adj, &cent_m, &areas_m, p.communities);
    let nc = p.communities.min(n);
    let mut c_pos = vec![[0.0f64; 3]; nc];
    for i in 0..n {
        let a = &mut c_pos[comm_of[i] as usize];
        a[0] += cent_m[i][0] * areas_m[i];
        a[1] += cent_m[i][1] * areas_m[i];
        a[2] += areas_m[i];
    }
    let c_cent: Vec<[f64; 2]> = c_pos.iter().map(|a| [a[0] / a[2], a[1] / a[2]]).collect();
    let c_area: Vec<f64> = c_pos.iter().map(|a| a[2]).collect();
    let mut c_adj: Vec<Vec<u32>> = vec![Vec::new(); nc];
    for i in 0..n {
        for &j in &adj[i] {
            let (a, b) = (comm_of[i], comm_of[j as usize]);
            if a != b {
                c_adj[a as usize].push(b);
            }
        }
    }
    for v in &mut c_adj {
        v.sort_unstable();
        v.dedup();
    }
    let street_of_comm = regions::cluster(&c_adj, &c_cent, &c_area, p.streets);
    let ns = p.streets.min(nc);

    // Street names and numbers: real names matched to their usual position around the old town.
    let mut s_pos = vec![[0.0f64; 3]; ns];
    for c in 0..nc {
        let a = &mut s_pos[street_of_comm[c] as usize];
        a[0] += c_cent[c][0] * c_area[c];
        a[1] += c_cent[c][1] * c_area[c];
        a[2] += c_area[c];
    }
    let s_cent: Vec<[f64; 2]> = s_pos.iter().map(|a| [a[0] / a[2], a[1] / a[2]]).collect();
    let street_number = name_streets(&s_cent, &tiling, &cent_m);
    // street_number[s] = (number 1.., name)
    let mut streets_sorted: Vec<usize> = (0..ns).collect();
    streets_sorted.sort_by_key(|&s| street_number[s].0);

    // Communities numbered within their street: rows of 600 m, west→east.
    let mut comm_number = vec![0u16; nc];
    for s in 0..ns {
        let mut members: Vec<usize> = (0..nc)
            .filter(|&c| street_of_comm[c] as usize == s)
            .collect();
        let top = members
            .iter()
            .map(|&c| c_cent[c][1])
            .fold(f64::NEG_INFINITY, f64::max);
        members.sort_by(|&a, &b| {
            let ra = ((top - c_cent[a][1]) / 600.0).floor() as i64;
            let rb = ((top - c_cent[b][1]) / 600.0).floor() as i64;
            ra.cmp(&rb).then(c_cent[a][0].total_cmp(&c_cent[b][0]))
        });
        for (q, &c) in members.iter().enumerate() {
            comm_number[c] = (q + 1) as u16;
        }
    }
    let mut comm_codes = Vec::with_capacity(nc);
    for c in 0..nc {
        let s = street_of_comm[c] as usize;
        let sc = district_code.street(street_number[s].0)?;
        comm_codes.push(sc.community(comm_number[c])?);
    }
    // Community names: in code order, from the list.
    let mut comm_by_code: Vec<usize> = (0..nc).collect();
    comm_by_code.sort_by_key(|&c| comm_codes[c]);
    let mut comm_name = vec![String::new(); nc];
    for (q, &c) in comm_by_code.iter().enumerate() {
        comm_name[c] = format!("{}社区", names::community_base(q));
    }

    // Grid numbering within communities.
    let mut grid_codes: Vec<Option<GridCode>> = vec![None; n];
    let mut members_of: Vec<Vec<usize>> = vec![Vec::new(); nc];
    for i in 0..n {
        members_of[comm_of[i] as usize].push(i);
    }
    for c in 0..nc {
        let ms = &members_of[c];
        if ms.len() > 999 {
            return Err(Error::Internal(format!(
                "community with {} grids exceeds the 3-digit sequence",
                ms.len()
            )));
        }
        let ps: Vec<&Polygon<f64>> = ms.iter().map(|&i| &polys[i]).collect();
        for (q, k) in sequence_order(&ps).into_iter().enumerate() {
            grid_codes[ms[k]] = Some(comm_codes[c].grid((q + 1) as u16)?);
        }
    }
    let grid_codes: Vec<GridCode> = grid_codes
        .into_iter()
        .map(|g| g.ok_or_else(|| Error::Internal("a grid was left without a community".into())))
        .collect::<Result<_>>()?;

    // POIs and land use.
    let rho_max = tiling.rho_max;
    let (pois, poi_cells) = place_pois(
        p.seed,
        &tiling,
        &cent_m,
        &comm_name,
        &comm_of,
        &grid_codes,
        &proj,
    );
    let land_use = land_uses(p.seed, &tiling, &cent_m, &pois, &poi_cells);

    let start_date = date(2024, 1, 1);
    let geo_areas: Vec<f64> = polys.par_iter().map(crate::geodesy::area_m2).collect();
    let mut grids: Vec<Grid> = (0..n)
        .map(|i| {
            let cell = &tiling.cells[i];
            let core = cell.rho < 0.55 * rho_max || land_use[i] == "商业";
            Grid {
                code: grid_codes[i],
                name: format!(
                    "{}{}号网格",
                    comm_name[comm_of[i] as usize],
                    grid_codes[i].sequence_str()
                ),
                polygon: polys[i].clone(),
                area_m2: geo_areas[i],
                land_use: Some(land_use[i].to_string()),
                level: Some(if core { "一类区域" } else { "二类区域" }.to_string()),
                start_date,
                end_date: None,
                sample: true,
            }
        })
        .collect();

    // Boundaries by edge cancellation.
    let communities: Vec<Community> = comm_by_code
        .iter()
        .map(|&c| Community {
            code: comm_codes[c],
            name: comm_name[c].clone(),
            boundary: regions::union_boundary(
                members_of[c]
                    .iter()
                    .map(|&i| tiling.cells[i].ring.as_slice()),
                &tiling.verts,
                &verts_ll,
            ),
            sample: true,
        })
        .collect();
    let streets: Vec<Street> = streets_sorted
        .iter()
        .map(|&s| -> Result<Street> {
            Ok(Street {
                code: district_code.street(street_number[s].0)?,
                name: street_number[s].1.clone(),
                boundary: regions::union_boundary(
                    (0..n)
                        .filter(|&i| street_of_comm[comm_of[i] as usize] as usize == s)
                        .map(|i| tiling.cells[i].ring.as_slice()),
                    &tiling.verts,
                    &verts_ll,
                ),
                sample: true,
            })
        })
        .collect::<Result<_>>()?;

    let duty_grids = duty_grids(
        p.seed,
        &members_of,
        &comm_by_code,
        &comm_codes,
        &comm_name,
        &adj,
        &cent_m,
        &areas_m,
        &grid_codes,
    );

    let sample_zones = zones::generate(
        &zones::Cells {
            seed: p.seed,
            tiling: &tiling,
            verts_ll: &verts_ll,
            cent_m: &cent_m,
            areas_m: &areas_m,
            adj: &adj,
            grid_codes: &grid_codes,
            comm_of: &comm_of,
            comm_adj: &c_adj,
            comm_cent: &c_cent,
            comm_area: &c_area,
            comm_name: &comm_name,
        },
        &duty_grids,
    );

    let street_of_cell: Vec<u32> = (0..n)
        .map(|i| street_of_comm[comm_of[i] as usize])
        .collect();
    let mut poi_of_cell = vec![u32::MAX; n];
    for (q, &c) in poi_cells.iter().enumerate() {
        if poi_of_cell[c] == u32::MAX {
            poi_of_cell[c] = q as u32;
        }
    }
    let world = World {
        tiling: &tiling,
        proj,
        grid_codes: grid_codes.clone(),
        land_use,
        poi_cells,
        poi_of_cell,
        pois: &pois,
        district: district_code,
        street_of_cell,
        street_names: street_number.iter().map(|s| s.1.clone()).collect(),
    };
    let (components, comp_cells) = components::generate(p, &world, &tables)?;
    let cases = cases::generate(p, &world, &tables, &components, &comp_cells)?;

    grids.sort_by_key(|g| g.code);
    let mut d = SampleDistrict {
        district: District {
            code: district_code,
            name: "黄岩区".into(),
            boundary: outline,
        },
        streets,
        communities,
        grids,
        duty_grids,
        components,
        cases,
        pois,
        zones: sample_zones,
        tables,
        case_loop: caseloop::CaseLoopSeed {
            seed: p.seed,
            departments: vec![],
            users: vec![],
            routing: vec![],
        },
    };
    d.case_loop = caseloop::seed(p, &d)?;
    Ok(d)
}

/// Assigns real street names (and numbers 1..) to street clusters; extra clusters get
/// `样例第N街道`.
fn name_streets(
    s_cent: &[[f64; 2]],
    tiling: &tiling::Tiling,
    cent_m: &[[f64; 2]],
) -> Vec<(u16, String)> {
    let ns = s_cent.len();
    let _ = (tiling, cent_m);
    let origin = COMMERCIAL_CENTRE;
    let rmax = s_cent
        .iter()
        .map(|c| ((c[0] - origin[0]).powi(2) + (c[1] - origin[1]).powi(2)).sqrt())
        .fold(1.0f64, f64::max);
    let mut out: Vec<Option<(u16, String)>> = vec![None; ns];
    let named = names::STREETS.len().min(ns);
    // Greedy: best (cluster, name) pair first.
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (s, c) in s_cent.iter().enumerate() {
        let d = [c[0] - origin[0], c[1] - origin[1]];
        let r = (d[0] * d[0] + d[1] * d[1]).sqrt();
        for (q, &(_, deg, rel)) in names::STREETS
            .iter()
            .take(named.max(if ns <= 8 { ns } else { 8 }))
            .enumerate()
        {
            let (sn, cs) = detmath::sincos(deg.to_radians());
            let dirn = if r > 1e-9 {
                (d[0] * cs + d[1] * sn) / r
            } else {
                0.0
            };
            let cost = (1.0 - dirn) + 1.5 * (r / rmax - rel).abs();
            pairs.push((cost, s, q));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used = vec![false; names::STREETS.len()];
    let mut assigned = 0;
    for (_, s, q) in pairs {
        if assigned == named {
            break;
        }
        if out[s].is_none() && !used[q] {
            used[q] = true;
            out[s] = Some(((q + 1) as u16, names::STREETS[q].0.to_string()));
            assigned += 1;
        }
    }
    let mut next = names::STREETS.len() as u16 + 1;
    let mut taken: Vec<u16> = out.iter().flatten().map(|x| x.0).collect();
    taken.sort_unstable();
    // Fill the unused real numbers first (small districts), then continue.
    let mut free: Vec<u16> = (1..=names::STREETS.len() as u16)
        .filter(|k| !taken.contains(k))
        .collect();
    free.reverse();
    out.into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                let k = if ns <= names::STREETS.len() {
                    free.pop().unwrap_or(next)
                } else {
                    next
                };
                if k == next {
                    next += 1;
                }
                (k, format!("样例第{k}街道"))
            })
        })
        .collect()
}

fn place_pois(
    seed: u64,
    tiling: &tiling::Tiling,
    cent_m: &[[f64; 2]],
    comm_name: &[String],
    comm_of: &[u32],
    grid_codes: &[GridCode],
    proj: &Proj,
) -> (Vec<SamplePoi>, Vec<usize>) {
    let n = tiling.cells.len();
    let land: Vec<usize> = (0..n).filter(|&i| !tiling.cells[i].water).collect();
    let base = |i: usize| {
        comm_name[comm_of[i] as usize]
            .trim_end_matches("社区")
            .to_string()
    };
    // (kind, count, min separation m, max relative radius, fixed names)
    let scale = n as f64 / 1_500.0;
    let specs: [(&'static str, usize, f64, f64, &[&str]); 6] = [
        (
            "station",
            (2.0 + (scale - 1.0).max(0.0) * 0.3).round() as usize,
            1_500.0,
            0.9,
            &["黄岩客运总站", "黄岩汽车西站"],
        ),
        (
            "market",
            ((8.0 * scale).round() as usize).max(3),
            450.0,
            0.85,
            &["东门菜市场", "劳动路菜市场", "天长路农贸市场"],
        ),
        (
            "school",
            ((12.0 * scale).round() as usize).max(4),
            350.0,
            0.9,
            &["城关中学", "东城小学", "实验小学", "北城中学"],
        ),
        (
            "commercial_street",
            ((3.0 * scale).round() as usize).max(2),
            500.0,
            0.45,
            &["劳动路步行街", "天长路商业街", "东门商业街"],
        ),
        (
            "hospital",
            ((3.0 * scale).round() as usize).max(1),
            900.0,
            0.7,
            &["黄岩区第一人民医院", "黄岩区中医院"],
        ),
        (
            "park",
            ((3.0 * scale).round() as usize).max(1),
            900.0,
            0.9,
            &["九峰公园", "永宁公园"],
        ),
    ];
    let mut pois = Vec::new();
    let mut cells = Vec::new();
    for (kn, (kind, count, sep, rel, fixed)) in specs.into_iter().enumerate() {
        let mut cand: Vec<usize> = land
            .iter()
            .copied()
            .filter(|&i| tiling.cells[i].rho <= rel * tiling.rho_max)
            .filter(|&i| {
                kind != "commercial_street"
                    || (0..tiling.cells[i].ring.len()).any(|k| tiling.is_arterial(i, k))
            })
            .collect();
        cand.sort_by_key(|&i| hash(&[seed, 4242, kn as u64, i as u64]));
        if kind == "commercial_street" || kind == "market" {
            // Busiest places lie near the commercial centre.
            cand.sort_by(|&a, &b| {
                let da =
                    dist(cent_m[a], COMMERCIAL_CENTRE) * (0.6 + unit(hash(&[seed, 5, a as u64])));
                let db =
                    dist(cent_m[b], COMMERCIAL_CENTRE) * (0.6 + unit(hash(&[seed, 5, b as u64])));
                da.total_cmp(&db).then(a.cmp(&b))
            });
        }
        let mut mine: Vec<usize> = Vec::new();
        for i in cand {
            if mine.len() >= count {
                break;
            }
            if cells.contains(&i) || mine.iter().any(|&j| dist(cent_m[i], cent_m[j]) < sep) {
                continue;
            }
            mine.push(i);
        }
        for (q, &i) in mine.iter().enumerate() {
            let name = match fixed.get(q) {
                Some(f) => (*f).to_string(),
                None => match kind {
                    "station" => format!("{}公交首末站", base(i)),
                    "market" => format!("{}菜市场", base(i)),
                    "school" => format!("{}{}", base(i), if q % 2 == 0 { "小学" } else { "中学" }),
                    "commercial_street" => format!("{}商业街", base(i)),
                    "hospital" => format!("{}社区卫生服务中心", base(i)),
                    _ => format!("{}公园", base(i)),
                },
            };
            let mut name = name;
            while pois.iter().any(|p: &SamplePoi| p.name == name) {
                name = format!("新{name}");
            }
            let ll = proj.inv(tiling.cells[i].seed);
            pois.push(SamplePoi {
                kind,
                name,
                location: Point::new(ll[0], ll[1]),
                grid: grid_codes[i],
            });
            cells.push(i);
        }
    }
    (pois, cells)
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])).sqrt()
}

fn land_uses(
    seed: u64,
    tiling: &tiling::Tiling,
    cent_m: &[[f64; 2]],
    pois: &[SamplePoi],
    poi_cells: &[usize],
) -> Vec<&'static str> {
    let n = tiling.cells.len();
    let mut lu: Vec<&'static str> = (0..n)
        .map(|i| {
            let c = &tiling.cells[i];
            let h = unit(hash(&[seed, 909, i as u64]));
            if c.water {
                "水域"
            } else if dist(cent_m[i], COMMERCIAL_CENTRE) < 420.0 {
                "商业"
            } else if c.art_row.is_some() && c.art_col.is_some() && h < 0.12 {
                "道路"
            } else if c.rho > 0.72 * tiling.rho_max && cent_m[i][0] > 600.0 && h < 0.45 {
                "工业"
            } else if h < 0.04 {
                "绿地"
            } else if h < 0.08 {
                "公共服务"
            } else {
                "居住"
            }
        })
        .collect();
    for (poi, &i) in pois.iter().zip(poi_cells) {
        let kind = match poi.kind {
            "market" | "commercial_street" => "商业",
            "school" => "教育",
            "hospital" => "公共服务",
            "station" => "交通",
            _ => "绿地",
        };
        lu[i] = kind;
        if poi.kind == "park" || poi.kind == "commercial_street" {
            for &nb in &tiling.cells[i].nbs {
                if nb != tiling::NONE && !tiling.cells[nb as usize].water {
                    lu[nb as usize] = kind;
                }
            }
        }
    }
    lu
}

#[allow(clippy::too_many_arguments)]
fn duty_grids(
    seed: u64,
    members_of: &[Vec<usize>],
    comm_by_code: &[usize],
    comm_codes: &[CommunityCode],
    comm_name: &[String],
    adj: &[Vec<u32>],
    cent_m: &[[f64; 2]],
    areas: &[f64],
    grid_codes: &[GridCode],
) -> Vec<DutyGrid> {
    let mut out = Vec::new();
    for &c in comm_by_code {
        let ms = &members_of[c];
        let local: std::collections::BTreeMap<usize, u32> =
            ms.iter().enumerate().map(|(q, &i)| (i, q as u32)).collect();
        let sub_adj: Vec<Vec<u32>> = ms
            .iter()
            .map(|&i| {
                adj[i]
                    .iter()
                    .filter_map(|j| local.get(&(*j as usize)).copied())
                    .collect()
            })
            .collect();
        let pos: Vec<[f64; 2]> = ms.iter().map(|&i| cent_m[i]).collect();
        let w: Vec<f64> = ms.iter().map(|&i| areas[i]).collect();
        let total: f64 = w.iter().sum();
        // ≈ 180 000 m² per inspector (SPEC §1.1), but no more than about ten grids each.
        let k = ((total / 180_000.0).round() as usize)
            .max(ms.len().div_ceil(10))
            .max(1)
            .min(ms.len());
        let lab = regions::cluster(&sub_adj, &pos, &w, k);
        let mut groups: Vec<Vec<GridCode>> = vec![Vec::new(); k];
        for (q, &i) in ms.iter().enumerate() {
            groups[lab[q] as usize].push(grid_codes[i]);
        }
        let mut groups: Vec<Vec<GridCode>> = groups.into_iter().filter(|g| !g.is_empty()).collect();
        for g in &mut groups {
            g.sort();
        }
        groups.sort();
        for (q, g) in groups.into_iter().enumerate() {
            let code = format!("{}{:02}", comm_codes[c], q + 1);
            out.push(DutyGrid {
                name: format!("{}第{}责任网格", comm_name[c], q + 1),
                inspector: names::person(hash(&[seed, 31337, out.len() as u64])),
                code,
                grids: g,
            });
        }
    }
    out
}
