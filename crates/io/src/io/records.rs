//! From records to model values: one parser per dataset, checks against the store's context
//! (the [`SpatialIndex`]), duplicate detection, grid assignment and writing.

use super::csv_in::Shape;
use super::fields::*;
use super::{csv_in, geojson_in, xlsx_in, Dataset, Format, Locate, Reject, Rejects};
use crate::code::{ClassCode, CommunityCode, ComponentCode, GridCode, StreetCode};
use crate::error::{Location, Position, Result};
use crate::geodesy;
use crate::index::SpatialIndex;
use crate::message::{Message, MessageCode as C, Reason};
use crate::model::*;
use geo::coordinate_position::CoordPos;
use geo::{CoordinatePosition, InteriorPoint};
use griddesk_store::ModelSink;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// One input record after conversion, with where it came from.
pub struct Row<T> {
    pub position: Position,
    pub result: std::result::Result<T, Vec<Problem>>,
}

/// Valid records of one dataset, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub enum Records {
    /// 街道.
    Streets(Vec<Street>),
    /// 社区.
    Communities(Vec<Community>),
    /// 单元网格 (area computed, legacy codes migrated).
    Grids(Vec<Grid>),
    /// 责任网格.
    DutyGrids(Vec<DutyGrid>),
    /// 部件 (grid set by [`Records::assign_grids`]).
    Components(Vec<Component>),
    /// 案件 (grid set by [`Records::assign_grids`]).
    Cases(Vec<Case>),
}

/// The outcome of reading a file: the valid records, the rejects, and how many legacy grid codes
/// were migrated (in valid records).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The valid records, in file order.
    pub records: Records,
    /// The problems: the first ones in file order, and their exact number.
    pub rejects: Rejects,
    /// Legacy 14-digit grid codes migrated in the valid records.
    pub migrated_codes: usize,
}

impl Records {
    /// Number of records.
    pub fn len(&self) -> usize {
        match self {
            Records::Streets(v) => v.len(),
            Records::Communities(v) => v.len(),
            Records::Grids(v) => v.len(),
            Records::DutyGrids(v) => v.len(),
            Records::Components(v) => v.len(),
            Records::Cases(v) => v.len(),
        }
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn empty(dataset: Dataset) -> Self {
        match dataset {
            Dataset::Streets => Records::Streets(vec![]),
            Dataset::Communities => Records::Communities(vec![]),
            Dataset::Grids => Records::Grids(vec![]),
            Dataset::DutyGrids => Records::DutyGrids(vec![]),
            Dataset::Components => Records::Components(vec![]),
            Dataset::Cases => Records::Cases(vec![]),
        }
    }

    /// Sets the grid of every component or case from its point; returns how many lie in no grid.
    pub fn assign_grids(&mut self, index: &SpatialIndex, locate: &Locate<'_>) -> usize {
        let code_at = |i: Option<usize>| i.and_then(|i| index.grids.get(i)).map(|g| g.code);
        match self {
            Records::Components(v) => {
                let pts: Vec<[f64; 2]> =
                    v.iter().map(|c| [c.location.x(), c.location.y()]).collect();
                let found = locate(&pts);
                for (c, g) in v
                    .iter_mut()
                    .zip(found.into_iter().chain(std::iter::repeat(None)))
                {
                    c.grid = code_at(g);
                }
                v.iter().filter(|c| c.grid.is_none()).count()
            }
            Records::Cases(v) => {
                let pts: Vec<[f64; 2]> =
                    v.iter().map(|c| [c.location.x(), c.location.y()]).collect();
                let found = locate(&pts);
                for (c, g) in v
                    .iter_mut()
                    .zip(found.into_iter().chain(std::iter::repeat(None)))
                {
                    c.grid = code_at(g);
                }
                v.iter().filter(|c| c.grid.is_none()).count()
            }
            _ => 0,
        }
    }

    /// Writes every record inside the caller's transaction; returns the number written.
    pub fn write(&self, w: &dyn ModelSink) -> Result<usize> {
        match self {
            Records::Streets(v) => v.iter().try_for_each(|x| w.insert_street(x)),
            Records::Communities(v) => v.iter().try_for_each(|x| w.insert_community(x)),
            Records::Grids(v) => v.iter().try_for_each(|x| w.insert_grid(x)),
            Records::DutyGrids(v) => v.iter().try_for_each(|x| w.insert_duty_grid(x)),
            Records::Components(v) => v.iter().try_for_each(|x| w.insert_component(x)),
            Records::Cases(v) => v.iter().try_for_each(|x| w.insert_case(x)),
        }?;
        Ok(self.len())
    }
}

/// The valid rows of a file (value, migrated codes) and the rejects of the others.
type Rows<T> = (Vec<Row<(T, u32)>>, Rejects);

type Parse<'a, T> = dyn Fn(&dyn Record) -> std::result::Result<(T, u32), Vec<Problem>> + Sync + 'a;

/// Converts every record of a file with `parse` (in parallel, in file order): the valid rows,
/// and the rejects of the others (bounded: a CSV file's are counted as it is read).
fn rows<T: Send>(
    file: &str,
    src: &Source<'_>,
    fields: &[Field],
    required: &[Field],
    shape: Shape,
    parse: &Parse<'_, T>,
) -> std::result::Result<Rows<T>, Reject> {
    let mut rejects = Rejects::new();
    let mut keep = |rows: Vec<Row<(T, u32)>>| -> Vec<Row<(T, u32)>> {
        let mut ok = Vec::with_capacity(rows.len());
        for row in rows {
            match row.result {
                Err(problems) => {
                    rejects.extend(problems.into_iter().map(|p| reject(file, row.position, p)))
                }
                Ok(_) => ok.push(row),
            }
        }
        ok
    };
    let (bytes, format, encoding) = match src {
        Source::Table(t) => {
            let all = t
                .records
                .par_iter()
                .map(|r| Row {
                    position: r.position,
                    result: parse(r),
                })
                .collect();
            let ok = keep(all);
            return Ok((ok, rejects));
        }
        Source::Bytes(b, f, e) => (Input::Bytes(b), *f, *e),
        Source::File(p, f, e) => (Input::File(p), *f, *e),
    };
    let io_reject = |path: &std::path::Path, e: std::io::Error| unreadable(file, path, &e);
    match format {
        Format::Shapefile | Format::GeoPackage => Err(Reject::new(
            file,
            Position::File,
            None,
            Message::new(C::InternalError).en("Shapefile and GeoPackage files are read as tables"),
        )),
        Format::Csv => {
            let input: Box<dyn std::io::Read + '_> = match bytes {
                Input::Bytes(b) => Box::new(b),
                Input::File(p) => Box::new(std::fs::File::open(p).map_err(|e| io_reject(p, e))?),
            };
            let ok = csv_in::rows(
                file,
                input,
                encoding,
                fields,
                required,
                shape,
                (0, true),
                &|r| parse(r),
                &mut |chunk| keep(chunk),
            )?;
            Ok((ok, rejects))
        }
        Format::Xlsx => {
            let all = match bytes {
                Input::Bytes(b) => xlsx_in::rows(file, b, fields, required, shape, parse)?,
                Input::File(p) => {
                    let b = std::fs::read(p).map_err(|e| io_reject(p, e))?;
                    xlsx_in::rows(file, &b, fields, required, shape, parse)?
                }
            };
            Ok((keep(all), rejects))
        }
        Format::GeoJson => {
            let owned;
            let bytes = match bytes {
                Input::Bytes(b) => b,
                Input::File(p) => {
                    owned = std::fs::read(p).map_err(|e| io_reject(p, e))?;
                    &owned[..]
                }
            };
            let features = geojson_in::features(file, bytes)?;
            let all = features
                .par_iter()
                .enumerate()
                .map(|(i, v)| Row {
                    position: Position::Feature(i),
                    result: geojson_in::FeatureRecord::new(v)
                        .map_err(|p| vec![p])
                        .and_then(|r| parse(&r)),
                })
                .collect();
            let ok = keep(all);
            Ok((ok, rejects))
        }
    }
}

/// A file of records that cannot be read, as a reject of the whole file.
pub(crate) fn unreadable(file: &str, path: &std::path::Path, e: &std::io::Error) -> Reject {
    Reject::new(
        file,
        Position::File,
        None,
        Message::new(C::IoError)
            .text("path", path.display())
            .term("reason", crate::message::IoKind::of(e))
            .en(format!("cannot read {}: {e}", path.display())),
    )
}

pub(crate) fn reject(file: &str, position: Position, p: Problem) -> Reject {
    Reject::new(file, position, p.field, p.message)
}

fn where_(p: Position) -> String {
    match p {
        Position::File => "the file".into(),
        Position::Line(l) => format!("line {l}"),
        Position::Feature(i) => format!("feature {i}"),
        Position::Record(i) => format!("record {i}"),
    }
}

/// Why a row is refused whose key an earlier row of the file has (at `first`).
pub(crate) fn duplicate_key(file: &str, key_field: &str, k: &str, first: Position) -> Reason {
    let at = Location {
        file: file.to_string(),
        position: first,
        field: None,
    };
    Message::new(C::DuplicateKey)
        .text("field", key_field)
        .text("key", clip(k))
        .nested("first", at.message())
        .en(format!(
            "duplicate {key_field} `{}` (first at {})",
            clip(k),
            where_(first)
        ))
}

/// Why a row is refused whose key the store already has.
pub(crate) fn key_exists(key_field: &str, k: &str) -> Reason {
    Message::new(C::KeyExists)
        .text("field", key_field)
        .text("key", clip(k))
        .en(format!(
            "{key_field} `{}` already exists in the store",
            clip(k)
        ))
}

/// Splits rows into values and rejects, refusing a key seen earlier in the file or already in
/// the store; `(rows, rejects)` as [`rows`] returns them.
fn finish<T>(
    file: &str,
    (rows, mut earlier): Rows<T>,
    key_field: &'static str,
    key: impl Fn(&T) -> &str,
    exists: impl Fn(&T) -> bool,
) -> (Vec<T>, Rejects, usize) {
    let mut dup: Vec<Option<Reason>> = vec![None; rows.len()];
    {
        let mut seen: HashMap<&str, Position> = HashMap::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let Ok((v, _)) = &row.result else { continue };
            let k = key(v);
            if let Some(first) = seen.get(k) {
                dup[i] = Some(duplicate_key(file, key_field, k, *first));
            } else if exists(v) {
                dup[i] = Some(key_exists(key_field, k));
            } else {
                seen.insert(k, row.position);
            }
        }
    }
    let mut values = Vec::with_capacity(rows.len());
    let mut rejects = Rejects::new();
    let mut migrated = 0usize;
    for (row, dup) in rows.into_iter().zip(dup) {
        match (row.result, dup) {
            (Ok((v, m)), None) => {
                migrated += m as usize;
                values.push(v);
            }
            (Ok(_), Some(msg)) => {
                rejects.push(Reject::new(file, row.position, Some(key_field), msg))
            }
            (Err(problems), _) => {
                rejects.extend(problems.into_iter().map(|p| reject(file, row.position, p)))
            }
        }
    }
    earlier.merge(rejects);
    (values, earlier, migrated)
}

/// Reads and validates a file of `dataset` against the store context in `index`. Pure: nothing
/// is written; components and cases have no grid yet (see [`Records::assign_grids`]).
pub fn read(
    file: &str,
    bytes: &[u8],
    format: Format,
    dataset: Dataset,
    index: &SpatialIndex,
) -> Parsed {
    read_source(file, &Source::Bytes(bytes, format, None), dataset, index)
}

/// Where records come from: a GeoJSON or CSV file's bytes (with the CSV's encoding, `None`:
/// detected), or a feature table read from a Shapefile, a GeoPackage or a GeoJSON file in
/// another CRS.
pub enum Source<'a> {
    Bytes(&'a [u8], Format, Option<super::TextEncoding>),
    /// A file read as it is converted (CSV), or whole (GeoJSON).
    File(&'a std::path::Path, Format, Option<super::TextEncoding>),
    Table(&'a super::table::Table),
}

/// Where a [`Source`]'s bytes are.
enum Input<'a> {
    Bytes(&'a [u8]),
    File(&'a std::path::Path),
}

/// [`read`] from any [`Source`].
pub fn read_source(file: &str, src: &Source<'_>, dataset: Dataset, index: &SpatialIndex) -> Parsed {
    let out = match dataset {
        Dataset::Streets => streets(file, src, index),
        Dataset::Communities => communities(file, src, index),
        Dataset::Grids => grids(file, src, index),
        Dataset::DutyGrids => duty_grids(file, src, index),
        Dataset::Components => components(file, src, index),
        Dataset::Cases => cases(file, src, index),
    };
    out.unwrap_or_else(|r| Parsed {
        records: Records::empty(dataset),
        rejects: std::iter::once(r).collect(),
        migrated_codes: 0,
    })
}

type Out = std::result::Result<Parsed, Reject>;

fn unsupported(file: &str, dataset: Dataset, src: &Source<'_>) -> Option<Reject> {
    let format = match src {
        Source::Bytes(_, f, _) | Source::File(_, f, _) => *f,
        Source::Table(_) => return None,
    };
    (!dataset.imports_from(format)).then(|| {
        let want = if dataset == Dataset::DutyGrids {
            "CSV, XLSX"
        } else {
            "GeoJSON, CSV, XLSX"
        };
        Reject::new(
            file,
            Position::File,
            None,
            Message::new(C::DatasetNeedsFormat)
                .term("dataset", dataset)
                .text("format", want)
                .en(format!("{dataset} must be imported from {want}")),
        )
    })
}

fn parsed(records: Records, (rejects, migrated_codes): (Rejects, usize)) -> Parsed {
    Parsed {
        records,
        rejects,
        migrated_codes,
    }
}

fn polygons<R: Record + ?Sized>(
    c: &mut super::fields::Check<'_, R>,
) -> Option<geo_types::MultiPolygon<f64>> {
    c.r.polygons().map_err(|p| c.problem(p)).ok()
}

fn code_err(e: crate::Error) -> Reason {
    let m = e.message();
    match e {
        crate::Error::InvalidCode { code, reason } => m.en(format!("`{}`: {reason}", clip(&code))),
        other => m.en(other.to_string()),
    }
}

fn no_district() -> Reason {
    Message::new(C::NoDistrict).en("the store has no district: import the district first")
}

fn streets(file: &str, src: &Source<'_>, index: &SpatialIndex) -> Out {
    if let Some(r) = unsupported(file, Dataset::Streets, src) {
        return Err(r);
    }
    let parse = |r: &dyn Record| {
        let mut c = Check::new(r);
        let code = c.req_parse(&STREET_CODE, |s| StreetCode::parse(s).map_err(code_err));
        if let Some(code) = code {
            match &index.district {
                None => c.bad(&STREET_CODE, no_district()),
                Some(d) if d.code != code.district() => c.bad(
                    &STREET_CODE,
                    Message::new(C::StreetNotInDistrict)
                        .text("street", code)
                        .text("district", d.code)
                        .en(format!("street {code} is not in district {}", d.code)),
                ),
                Some(_) => {}
            }
        }
        let name = c.req(&STREET_NAME).map(|s| s.into_owned());
        let boundary = polygons(&mut c);
        let sample = c.sample();
        let v = code
            .zip(name)
            .zip(boundary)
            .map(|((code, name), boundary)| {
                (
                    Street {
                        code,
                        name,
                        boundary,
                        sample,
                    },
                    0,
                )
            });
        c.finish(v)
    };
    let rows = rows(
        file,
        src,
        &[STREET_CODE, STREET_NAME, SAMPLE],
        &[STREET_CODE, STREET_NAME],
        Shape::Polygon,
        &parse,
    )?;
    let (v, rej, m) = finish(
        file,
        rows,
        "code",
        |s| s.code.as_str(),
        |s| index.street(&s.code).is_some(),
    );
    Ok(parsed(Records::Streets(v), (rej, m)))
}

fn communities(file: &str, src: &Source<'_>, index: &SpatialIndex) -> Out {
    if let Some(r) = unsupported(file, Dataset::Communities, src) {
        return Err(r);
    }
    let parse = |r: &dyn Record| {
        let mut c = Check::new(r);
        let code = c.req_parse(&COMMUNITY_CODE, |s| {
            CommunityCode::parse(s).map_err(code_err)
        });
        if let Some(code) = code {
            if index.street(&code.street()).is_none() {
                c.bad(
                    &COMMUNITY_CODE,
                    Message::new(C::StreetNotInStore)
                        .text("street", code.street())
                        .en(format!(
                            "street {} (the code's first 9 digits) is not in the store",
                            code.street()
                        )),
                );
            }
        }
        let name = c.req(&COMMUNITY_NAME).map(|s| s.into_owned());
        let boundary = polygons(&mut c);
        let sample = c.sample();
        let v = code
            .zip(name)
            .zip(boundary)
            .map(|((code, name), boundary)| {
                (
                    Community {
                        code,
                        name,
                        boundary,
                        sample,
                    },
                    0,
                )
            });
        c.finish(v)
    };
    let rows = rows(
        file,
        src,
        &[COMMUNITY_CODE, COMMUNITY_NAME, SAMPLE],
        &[COMMUNITY_CODE, COMMUNITY_NAME],
        Shape::Polygon,
        &parse,
    )?;
    let (v, rej, m) = finish(
        file,
        rows,
        "code",
        |s| s.code.as_str(),
        |s| index.community(&s.code).is_some(),
    );
    Ok(parsed(Records::Communities(v), (rej, m)))
}

fn date(s: &str) -> std::result::Result<chrono::NaiveDate, Reason> {
    parse_date(s).ok_or_else(|| {
        Message::new(C::NotADate)
            .text("value", clip(s))
            .en(format!("`{}` is not a date (YYYY-MM-DD)", clip(s)))
    })
}

fn grids(file: &str, src: &Source<'_>, index: &SpatialIndex) -> Out {
    if let Some(r) = unsupported(file, Dataset::Grids, src) {
        return Err(r);
    }
    let parse = |r: &dyn Record| {
        let mut c = Check::new(r);
        let code = c.req_parse(&GRID_CODE, |s| {
            GridCode::parse_or_migrate(s).map_err(code_err)
        });
        let community = code.and_then(|(g, _)| {
            let found = index.community(&g.community());
            if found.is_none() {
                c.bad(
                    &GRID_CODE,
                    Message::new(C::CommunityNotInStore)
                        .text("community", g.community())
                        .en(format!(
                            "community {} (the code's first 12 digits) is not in the store",
                            g.community()
                        )),
                );
            }
            found
        });
        let name = c.opt(&NAME).map(|s| s.into_owned()).unwrap_or_default();
        let land_use = c.opt(&LAND_USE).map(|s| s.into_owned());
        let level = c.opt(&LEVEL).map(|s| s.into_owned());
        let start_date = c.req_parse(&START_DATE, date);
        let end_date = c.opt_parse(&END_DATE, date);
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                c.bad(
                    &END_DATE,
                    Message::new(C::EndBeforeStart)
                        .text("end", e)
                        .text("start", s)
                        .en(format!("end date {e} is before start date {s}")),
                );
            }
        }
        let polygon = polygons(&mut c).and_then(|mut mp| {
            if mp.0.len() == 1 {
                mp.0.pop()
            } else {
                c.problem(Problem::new(
                    Some("geometry"),
                    Message::new(C::GridOnePolygon)
                        .int("count", mp.0.len())
                        .en(format!("a grid is one polygon, found {}", mp.0.len())),
                ));
                None
            }
        });
        if let (Some(p), Some(com)) = (&polygon, community) {
            let inside = p
                .interior_point()
                .is_some_and(|pt| com.boundary.coordinate_position(&pt.0) != CoordPos::Outside);
            if !inside {
                c.problem(Problem::new(
                    Some("geometry"),
                    Message::new(C::GridOutsideCommunity)
                        .text("community", com.code)
                        .en(format!("grid lies outside its community {}", com.code)),
                ));
            }
        }
        let sample = c.sample();
        let v =
            code.zip(start_date)
                .zip(polygon)
                .map(|(((code, migrated), start_date), polygon)| {
                    let area_m2 = geodesy::area_m2(&polygon);
                    (
                        Grid {
                            code,
                            name,
                            polygon,
                            area_m2,
                            land_use,
                            level,
                            start_date,
                            end_date,
                            sample,
                        },
                        u32::from(migrated),
                    )
                });
        c.finish(v)
    };
    let fields = [
        GRID_CODE, NAME, LAND_USE, LEVEL, START_DATE, END_DATE, SAMPLE,
    ];
    let rows = rows(
        file,
        src,
        &fields,
        &[GRID_CODE, START_DATE],
        Shape::Polygon,
        &parse,
    )?;
    let (v, rej, m) = finish(
        file,
        rows,
        "code",
        |g| g.code.as_str(),
        |g| index.grid(&g.code).is_some(),
    );
    Ok(parsed(Records::Grids(v), (rej, m)))
}

fn duty_grids(file: &str, src: &Source<'_>, index: &SpatialIndex) -> Out {
    if let Some(r) = unsupported(file, Dataset::DutyGrids, src) {
        return Err(r);
    }
    let parse = |r: &dyn Record| {
        let mut c = Check::new(r);
        let code = c.req(&DUTY_CODE).map(|s| s.into_owned());
        let name = c.req(&NAME).map(|s| s.into_owned());
        let inspector = c.req(&INSPECTOR).map(|s| s.into_owned());
        let mut grids = Vec::new();
        let mut migrated = 0;
        if let Some(list) = c.req(&MEMBERS) {
            for m in
                list.split(|ch: char| ch == ';' || ch == '；' || ch == '|' || ch.is_whitespace())
            {
                if m.is_empty() {
                    continue;
                }
                let g = match GridCode::parse_or_migrate(m) {
                    Ok((g, mig)) => {
                        migrated += u32::from(mig);
                        g
                    }
                    Err(e) => {
                        c.bad(&MEMBERS, code_err(e));
                        continue;
                    }
                };
                match index.grid(&g) {
                    None => c.bad(
                        &MEMBERS,
                        Message::new(C::GridNotInStore)
                            .text("grid", g)
                            .en(format!("unit grid {g} is not in the store")),
                    ),
                    Some(grid) if !grid.is_active() => c.bad(
                        &MEMBERS,
                        Message::new(C::GridRetired)
                            .text("grid", g)
                            .en(format!("unit grid {g} is retired")),
                    ),
                    Some(_) => {}
                }
                if let Some(d) = index.duty_grid_of(&g) {
                    c.bad(
                        &MEMBERS,
                        Message::new(C::GridInDutyGrid)
                            .text("grid", g)
                            .text("duty", clip(&d.code))
                            .en(format!(
                                "unit grid {g} already belongs to duty grid `{}`",
                                clip(&d.code)
                            )),
                    );
                }
                if grids.contains(&g) {
                    c.bad(
                        &MEMBERS,
                        Message::new(C::GridListedTwice)
                            .text("grid", g)
                            .en(format!("unit grid {g} is listed twice")),
                    );
                }
                grids.push(g);
            }
            if grids.is_empty() && c.problems.is_empty() {
                c.bad(
                    &MEMBERS,
                    Message::new(C::NoGridsListed).en("no unit grids listed"),
                );
            }
        }
        let v = code
            .zip(name)
            .zip(inspector)
            .map(|((code, name), inspector)| {
                (
                    DutyGrid {
                        code,
                        name,
                        inspector,
                        grids,
                    },
                    migrated,
                )
            });
        c.finish(v)
    };
    let fields = [DUTY_CODE, NAME, INSPECTOR, MEMBERS];
    let mut rows = rows(file, src, &fields, &fields, Shape::None, &parse)?;
    // A unit grid belongs to one duty grid: refuse later rows that claim a member again.
    let mut owner: HashMap<GridCode, Position> = HashMap::new();
    for row in &mut rows.0 {
        let Ok((d, _)) = &row.result else { continue };
        let clash: Vec<Problem> = d
            .grids
            .iter()
            .filter_map(|g| owner.get(g).map(|p| (g, p)))
            .map(|(g, p)| {
                Problem::new(
                    Some(MEMBERS.name),
                    Message::new(C::GridInEarlierDutyGrid)
                        .text("grid", g)
                        .nested(
                            "at",
                            Location {
                                file: file.to_string(),
                                position: *p,
                                field: None,
                            }
                            .message(),
                        )
                        .en(format!(
                            "unit grid {g} is already in the duty grid at {}",
                            where_(*p)
                        )),
                )
            })
            .collect();
        if clash.is_empty() {
            owner.extend(d.grids.iter().map(|g| (*g, row.position)));
        } else {
            row.result = Err(clash);
        }
    }
    let existing: HashSet<&str> = index.duty_grids.iter().map(|d| d.code.as_str()).collect();
    let (v, rej, m) = finish(
        file,
        rows,
        "code",
        |d| d.code.as_str(),
        |d| existing.contains(d.code.as_str()),
    );
    Ok(parsed(Records::DutyGrids(v), (rej, m)))
}

/// The columns of a components file, and those that must be there.
pub(crate) const COMPONENT_FIELDS: [Field; 6] =
    [COMPONENT_CODE, CLASS_CODE, OWNER, MAINTAINER, STATE, SAMPLE];
pub(crate) const COMPONENT_REQUIRED: [Field; 1] = [COMPONENT_CODE];

/// A components file's row as a component (no grid yet), checked against the store context.
pub(crate) fn component_row(
    index: &SpatialIndex,
) -> impl Fn(&dyn Record) -> std::result::Result<(Component, u32), Vec<Problem>> + Sync + '_ {
    let table = &index.code_tables.components;
    move |r: &dyn Record| {
        let mut c = Check::new(r);
        let code = c.req_parse(&COMPONENT_CODE, |s| {
            ComponentCode::parse(s).map_err(code_err)
        });
        if let Some(code) = code {
            if let Some(d) = &index.district {
                if code.district() != d.code {
                    c.bad(
                        &COMPONENT_CODE,
                        Message::new(C::ComponentNotInDistrict)
                            .text("component", code)
                            .text("district", d.code)
                            .en(format!("component {code} is not in district {}", d.code)),
                    );
                }
            }
            if table.get(code.class()).is_none() {
                c.bad(
                    &COMPONENT_CODE,
                    Message::new(C::ClassNotInTable)
                        .text("class", code.class())
                        .term("kind", CaseKind::Component)
                        .en(format!(
                            "class {} is not in the component code table",
                            code.class()
                        )),
                );
            }
        }
        let class = c.opt_parse(&CLASS_CODE, |s| ClassCode::parse(s).map_err(code_err));
        if let (Some(class), Some(code)) = (class, code) {
            if class != code.class_code() {
                c.bad(
                    &CLASS_CODE,
                    Message::new(C::ClassMismatch)
                        .text("class", class)
                        .text("expected", code.class())
                        .en(format!(
                            "class code {class} does not match the code's class {}",
                            code.class()
                        )),
                );
            }
        }
        let owner = c.opt(&OWNER).map(|s| s.into_owned());
        let maintainer = c.opt(&MAINTAINER).map(|s| s.into_owned());
        let state = c
            .opt_parse(&STATE, |s| {
                ComponentState::parse(s)
                    .ok_or_else(|| {
                        Message::new(C::NotAState)
                            .text("value", clip(s))
                            .en(format!("`{}` is not a state (intact, damaged, missing, occupied or 完好, 破损, 丢失, 占用)", clip(s)))
                    })
            })
            .unwrap_or(ComponentState::Intact);
        let location = r.point().map_err(|p| c.problem(p)).ok();
        let sample = c.sample();
        let v = code.zip(location).map(|(code, location)| {
            let class_code = code.class_code();
            (
                Component {
                    code,
                    class_code,
                    owner: owner.map(Into::into),
                    maintainer: maintainer.map(Into::into),
                    state,
                    location,
                    grid: None,
                    sample,
                },
                0,
            )
        });
        c.finish(v)
    }
}

fn components(file: &str, src: &Source<'_>, index: &SpatialIndex) -> Out {
    let parse = component_row(index);
    let rows = rows(
        file,
        src,
        &COMPONENT_FIELDS,
        &COMPONENT_REQUIRED,
        Shape::Point,
        &parse,
    )?;
    let existing: HashSet<ComponentCode> = index.components.iter().map(|c| c.code).collect();
    let (v, rej, m) = finish(
        file,
        rows,
        "code",
        |c| c.code.as_str(),
        |c| existing.contains(&c.code),
    );
    Ok(parsed(Records::Components(v), (rej, m)))
}

/// The columns of a cases file, and those that must be there.
pub(crate) const CASE_FIELDS: [Field; 9] = [
    CASE_ID,
    KIND,
    CLASS_CODE,
    COMPONENT,
    SOURCE,
    REPORTED_AT,
    STATUS,
    DESCRIPTION,
    SAMPLE,
];
pub(crate) const CASE_REQUIRED: [Field; 5] = [CASE_ID, KIND, CLASS_CODE, SOURCE, REPORTED_AT];

/// A cases file's row as a case (no grid yet), checked against the code tables.
pub(crate) fn case_row(
    index: &SpatialIndex,
) -> impl Fn(&dyn Record) -> std::result::Result<(Case, u32), Vec<Problem>> + Sync + '_ {
    let tables = &index.code_tables;
    move |r: &dyn Record| {
        let mut c = Check::new(r);
        let id = c.req(&CASE_ID).map(|s| s.into_owned());
        let kind = c.req_parse(&KIND, |s| {
            CaseKind::parse(s).ok_or_else(|| {
                Message::new(C::NotACaseKind)
                    .text("value", clip(s))
                    .en(format!(
                        "`{}` is not a case kind (event, component, 事件 or 部件)",
                        clip(s)
                    ))
            })
        });
        let class_code = c.req_parse(&CLASS_CODE, |s| ClassCode::parse(s).map_err(code_err));
        let component = c.opt_parse(&COMPONENT, |s| ComponentCode::parse(s).map_err(code_err));
        if let (Some(kind), Some(class)) = (kind, class_code) {
            let table = match kind {
                CaseKind::Component => &tables.components,
                CaseKind::Event => &tables.events,
            };
            if table.get(class.as_str()).is_none() {
                c.bad(
                    &CLASS_CODE,
                    Message::new(C::ClassNotInTable)
                        .text("class", class)
                        .term("kind", kind)
                        .en(format!(
                            "class {class} is not in the {} code table",
                            kind.key()
                        )),
                );
            }
            if let (CaseKind::Component, Some(comp)) = (kind, component) {
                if comp.class_code() != class {
                    c.bad(
                        &COMPONENT,
                        Message::new(C::ComponentClassMismatch)
                            .text("component", comp)
                            .text("class", comp.class())
                            .text("expected", class)
                            .en(format!(
                                "component {comp} is of class {}, not {class}",
                                comp.class()
                            )),
                    );
                }
            }
        }
        let source = c.req_parse(&SOURCE, |s| {
            CaseSource::parse(s).ok_or_else(|| {
                let keys: Vec<&str> = CaseSource::ALL.iter().map(|s| s.key()).collect();
                Message::new(C::NotASource)
                    .text("value", clip(s))
                    .en(format!(
                        "`{}` is not a case source ({} or the Chinese label)",
                        clip(s),
                        keys.join(", ")
                    ))
            })
        });
        let reported_at = c.req_parse(&REPORTED_AT, |s| {
            parse_datetime(s).ok_or_else(|| {
                Message::new(C::NotADatetime)
                    .text("value", clip(s))
                    .en(format!(
                        "`{}` is not a date-time (YYYY-MM-DD HH:MM:SS)",
                        clip(s)
                    ))
            })
        });
        let status = c
            .opt_parse(&STATUS, |s| {
                CaseStatus::parse(s).ok_or_else(|| {
                    Message::new(C::NotAStatus)
                        .text("value", clip(s))
                        .en(format!("`{}` is not a case status", clip(s)))
                })
            })
            .unwrap_or(CaseStatus::Reported);
        let description = c.opt(&DESCRIPTION).map(|s| s.into_owned());
        let location = r.point().map_err(|p| c.problem(p)).ok();
        let sample = c.sample();
        let v = id
            .zip(kind)
            .zip(class_code)
            .zip(source)
            .zip(reported_at)
            .zip(location)
            .map(
                |(((((id, kind), class_code), source), reported_at), location)| {
                    let case = Case {
                        id,
                        location,
                        kind,
                        class_code,
                        component,
                        source,
                        reported_at,
                        status,
                        description,
                        grid: None,
                        sample,
                    };
                    (case, 0)
                },
            );
        c.finish(v)
    }
}

fn cases(file: &str, src: &Source<'_>, index: &SpatialIndex) -> Out {
    let parse = case_row(index);
    let rows = rows(
        file,
        src,
        &CASE_FIELDS,
        &CASE_REQUIRED,
        Shape::Point,
        &parse,
    )?;
    let existing: HashSet<&str> = index.cases.iter().map(|c| &*c.id).collect();
    let (v, rej, m) = finish(
        file,
        rows,
        "id",
        |c| c.id.as_str(),
        |c| existing.contains(c.id.as_str()),
    );
    Ok(parsed(Records::Cases(v), (rej, m)))
}

#[cfg(test)]
mod tests {
    use super::super::csv_in;
    use super::super::fields::{Record, COMPONENT_CODE, OWNER};
    use super::super::TextEncoding;
    use super::*;
    use crate::message::MessageCode;

    /// GBK text as Excel on a Chinese Windows saves it (`编码,经度,纬度,权属单位`).
    fn gbk_csv() -> Vec<u8> {
        let mut b = Vec::new();
        // 编码 , 经度 , 纬度 , 权属单位
        b.extend([0xB1, 0xE0, 0xC2, 0xEB, b',', 0xBE, 0xAD, 0xB6, 0xC8, b',']);
        b.extend([
            0xCE, 0xB3, 0xB6, 0xC8, b',', 0xC8, 0xA8, 0xCA, 0xF4, 0xB5, 0xA5, 0xCE, 0xBB,
        ]);
        b.extend(b"\r\n3310030101000001,121.26,28.64,");
        // 城管局
        b.extend([0xB3, 0xC7, 0xB9, 0xDC, 0xBE, 0xD6]);
        b.extend(b"\r\n");
        b
    }

    type Owner = (String, Option<String>, f64);

    fn read_owner(bytes: &[u8], enc: Option<TextEncoding>) -> Result<Vec<Owner>, Reject> {
        let parse = |r: &csv_in::CsvRecord<'_>| -> std::result::Result<Owner, Vec<Problem>> {
            let code = r
                .text(&COMPONENT_CODE)
                .map_err(|m| vec![Problem::new(None, m)])?;
            let owner = r.text(&OWNER).map_err(|m| vec![Problem::new(None, m)])?;
            let p = r.point().map_err(|p| vec![p])?;
            Ok((
                code.unwrap_or_default().into_owned(),
                owner.map(|o| o.into_owned()),
                p.x(),
            ))
        };
        let rows = csv_in::rows(
            "f.csv",
            Box::new(bytes),
            enc,
            &[COMPONENT_CODE, OWNER],
            &[COMPONENT_CODE],
            Shape::Point,
            (0, true),
            &parse,
            &mut |c| c,
        )?;
        Ok(rows
            .into_iter()
            .map(|r| r.result.unwrap_or_else(|p| panic!("{p:?}")))
            .collect())
    }

    #[test]
    fn gbk_csv_is_detected_and_its_chinese_headers_understood() {
        let want = vec![(
            "3310030101000001".to_string(),
            Some("城管局".to_string()),
            121.26,
        )];
        assert_eq!(read_owner(&gbk_csv(), None).unwrap(), want);
        assert_eq!(
            read_owner(&gbk_csv(), Some(TextEncoding::Gbk)).unwrap(),
            want
        );
        // The same text in UTF-8 (with Excel's BOM) reads the same.
        let utf8 =
            "\u{FEFF}编码,经度（°）,纬度（°）,权属单位\r\n3310030101000001,121.26,28.64,城管局\r\n";
        assert_eq!(read_owner(utf8.as_bytes(), None).unwrap(), want);
        // Forced UTF-8 on GBK bytes: the header is not understood, and the message says which
        // columns were found and which names are expected.
        let r = read_owner(&gbk_csv(), Some(TextEncoding::Utf8)).unwrap_err();
        assert_eq!(r.detail.code, MessageCode::CsvHeaderNotUnderstood);
        assert!(
            r.message.contains("does not understand") && r.message.contains("经度"),
            "{}",
            r.message
        );
    }

    #[test]
    fn an_unknown_header_is_named_with_the_expected_names() {
        let r = read_owner(b"foo,bar,lat\n1,2,3\n", None).unwrap_err();
        assert_eq!(r.detail.code, MessageCode::CsvHeaderNotUnderstood);
        let m = &r.message;
        assert!(
            m.contains("missing column `code`, `lon`")
                && m.contains("`foo`, `bar`")
                && m.contains("code (OBJCODE, OBJID, 部件标识码, 部件编码")
                && m.contains("lon (lng, longitude, x, 经度"),
            "{m}"
        );
        // A header that has every column but lacks one keeps the plain message.
        let r = read_owner(b"code,lat\n1,3\n", None).unwrap_err();
        assert_eq!(r.detail.code, MessageCode::CsvMissingColumns);
    }

    #[test]
    fn a_projected_geojson_says_it_looks_projected() {
        let doc = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"3310030101000001"},"geometry":{"type":"Point","coordinates":[40623201.4,3170018.9]}}]}"#;
        let p = read(
            "p.geojson",
            doc.as_bytes(),
            Format::GeoJson,
            Dataset::Components,
            &SpatialIndex::default(),
        );
        let r = p
            .rejects
            .iter()
            .find(|r| r.location.field.as_deref() == Some("geometry"))
            .expect("a geometry reject");
        assert_eq!(r.detail.code, MessageCode::LooksProjectedGk);
        assert!(
            r.message.contains("zone 40") && r.message.contains("--crs EPSG:4528"),
            "{}",
            r.message
        );
        // A `crs` member names the CRS instead (as GDAL writes it).
        let named = doc.replacen(
            r#""features""#,
            r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4528"}},"features""#,
            1,
        );
        assert_eq!(
            geojson_in::crs_member("p.geojson", named.as_bytes()).unwrap(),
            crate::io::Crs::from_epsg(4528)
        );
        assert_eq!(
            geojson_in::crs_member("p.geojson", doc.as_bytes()).unwrap(),
            None
        );
        let b54 = named.replace("EPSG::4528", "EPSG::2437");
        assert!(geojson_in::crs_member("p.geojson", b54.as_bytes())
            .unwrap()
            .is_some_and(|c| c.old_datum().is_some()));
        let odd = named.replace("EPSG::4528", "EPSG::3857");
        assert!(geojson_in::crs_member("p.geojson", odd.as_bytes()).is_err());
    }

    /// 200 000 bad rows: the first 1 000 rejects are kept, in file order, and all are counted.
    #[test]
    fn rejects_of_a_garbage_file_are_bounded_and_counted_exactly() {
        let mut text = String::from("code,lon,lat\n");
        for i in 0..200_000 {
            text.push_str(&format!("garbage{i}\n"));
        }
        let p = read(
            "garbage.csv",
            text.as_bytes(),
            Format::Csv,
            Dataset::Components,
            &SpatialIndex::default(),
        );
        assert_eq!(p.rejects.total(), 200_000);
        assert_eq!(p.rejects.kept().len(), Rejects::KEEP);
        assert_eq!(p.rejects.more(), 200_000 - Rejects::KEEP);
        let lines: Vec<_> = p.rejects.iter().map(|r| r.location.position).collect();
        assert_eq!(lines.first(), Some(&Position::Line(2)));
        assert_eq!(lines.last(), Some(&Position::Line(1001)));
        assert!(p.records.is_empty());
        // Rejects of every kind stay in file order.
        let mut text = String::from("code,lon,lat\n");
        for i in 0..3000 {
            if i % 2 == 0 {
                text.push_str("3310030101000001,121.26,28.64\n");
            } else {
                text.push_str("bad\n");
            }
        }
        let p = read(
            "mixed.csv",
            text.as_bytes(),
            Format::Csv,
            Dataset::Components,
            &SpatialIndex::default(),
        );
        // 1 500 bad rows; the 1 500 good-looking ones are refused too (their class is not in
        // the empty code table).
        assert_eq!(p.rejects.total(), 1500 + 1500);
        let kept: Vec<u64> = p
            .rejects
            .iter()
            .map(|r| match r.location.position {
                Position::Line(l) => l,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(kept.len(), Rejects::KEEP);
        assert!(kept.windows(2).all(|w| w[0] <= w[1]), "file order");
        assert_eq!(kept[..3], [2, 3, 4]);
    }
}
