//! Field names, aliases and the record abstraction shared by the GeoJSON and CSV readers.

use crate::message::{Message, MessageCode as C, Reason};
use chrono::{NaiveDate, NaiveDateTime};
use geo_types::{MultiPolygon, Point};
use std::borrow::Cow;

/// A canonical field and the other names it may appear under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

impl Field {
    /// Whether a header or property key names this field (ASCII case-insensitive, trimmed;
    /// a unit in brackets at the end is ignored: `经度（°）`, `lon (deg)`).
    ///
    /// A trailing `*` (or `＊`), as the import templates mark required columns with, is
    /// ignored too: `街道编码*`.
    pub fn matches(&self, key: &str) -> bool {
        let k = strip_required(key);
        let hit = |k: &str| {
            k.eq_ignore_ascii_case(self.name)
                || self.aliases.iter().any(|a| k.eq_ignore_ascii_case(a))
        };
        hit(k) || strip_unit(k).is_some_and(hit)
    }

    /// The name and its aliases, for messages: `lon (lng, longitude, x, 经度)`.
    pub fn described(&self) -> String {
        if self.aliases.is_empty() {
            self.name.to_string()
        } else {
            format!("{} ({})", self.name, self.aliases.join(", "))
        }
    }
}

/// `街道编码*` → `街道编码`: a header trimmed, without the `*` that marks a required column.
pub fn strip_required(key: &str) -> &str {
    let k = key.trim();
    k.strip_suffix('*')
        .or_else(|| k.strip_suffix('＊'))
        .map_or(k, str::trim_end)
}

/// `经度（°）` → `经度`: a header without its trailing bracketed unit.
fn strip_unit(k: &str) -> Option<&str> {
    let open = if k.ends_with(')') {
        k.rfind('(')
    } else if k.ends_with('）') {
        k.rfind('（')
    } else {
        None
    }?;
    let head = k[..open].trim_end();
    (!head.is_empty()).then_some(head)
}

macro_rules! fields {
    ($($id:ident = $name:literal [$($alias:literal),*];)*) => {
        $(pub const $id: Field = Field { name: $name, aliases: &[$($alias),*] };)*
    };
}

fields! {
    STREET_CODE = "code" ["street_code", "街道编码", "街道代码", "编码", "代码"];
    COMMUNITY_CODE = "code" ["community_code", "社区编码", "社区代码", "编码", "代码"];
    GRID_CODE = "code" ["grid_code", "BGCODE", "BGID", "网格编码", "单元网格编码", "单元网格标识码", "编码"];
    DUTY_CODE = "code" ["duty_grid_code", "责任网格编码", "责任网格代码", "编码"];
    COMPONENT_CODE = "code" ["OBJCODE", "OBJID", "部件标识码", "部件编码", "部件代码", "标识码", "编码"];
    CASE_ID = "id" ["case_id", "TASKNUM", "任务号", "案件编号", "案件号", "编号"];
    NAME = "name" ["名称", "网格名称", "责任网格名称"];
    STREET_NAME = "name" ["名称", "网格名称", "责任网格名称", "街道名称", "街道（乡镇）名称"];
    COMMUNITY_NAME = "name" ["名称", "网格名称", "责任网格名称", "社区名称", "社区（村）名称"];
    LAND_USE = "land_use" ["用地类别"];
    LEVEL = "level" ["管理等级"];
    START_DATE = "start_date" ["ORDATE", "初始日期", "开始日期", "启用日期"];
    END_DATE = "end_date" ["终止日期", "结束日期", "停用日期"];
    INSPECTOR = "inspector" ["监督员", "信息采集员", "采集员"];
    MEMBERS = "grids" ["members", "单元网格", "单元网格编码", "包含网格"];
    CLASS_CODE = "class_code" ["类别编码", "类别代码", "小类编码", "小类代码"];
    OWNER = "owner" ["DEPTNAME2", "权属单位", "主管部门"];
    MAINTAINER = "maintainer" ["DEPTNAME3", "养护单位", "维护单位"];
    STATE = "state" ["OBJSTATE", "部件状态", "状态"];
    KIND = "kind" ["案件类型", "案件类别"];
    COMPONENT = "component" ["component_code", "部件编码", "部件标识码"];
    SOURCE = "source" ["案件来源", "来源"];
    REPORTED_AT = "reported_at" ["上报时间", "上报日期时间", "发现时间"];
    STATUS = "status" ["案件状态", "状态"];
    DESCRIPTION = "description" ["问题描述", "描述", "案件描述"];
    SAMPLE = "sample" [];
    LON = "lon" ["lng", "longitude", "x", "经度", "经度坐标"];
    LAT = "lat" ["latitude", "y", "纬度", "纬度坐标"];
    WKT = "wkt" ["geometry", "几何", "边界WKT", "边界"];
}

/// A problem found in one field (or the whole record when `field` is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub field: Option<&'static str>,
    pub message: Reason,
}

impl Problem {
    pub fn new(field: Option<&'static str>, message: Reason) -> Self {
        Problem { field, message }
    }
}

/// One input record (a GeoJSON feature or a CSV row).
pub trait Record {
    /// The trimmed text of a field; `None` when absent, empty or null; `Err` when the value is
    /// not text (a JSON object, invalid UTF-8…).
    fn text(&self, f: &Field) -> Result<Option<Cow<'_, str>>, Reason>;
    /// The record's point (GeoJSON `Point` geometry or CSV `lon`/`lat`).
    fn point(&self) -> Result<Point<f64>, Problem>;
    /// The record's polygonal geometry, validated (always at least one polygon); CSV and
    /// XLSX rows carry it as WKT in a `wkt` column.
    fn polygons(&self) -> Result<MultiPolygon<f64>, Problem>;
}

/// Collects problems while the fields of one record are read.
pub struct Check<'r, R: Record + ?Sized> {
    pub r: &'r R,
    pub problems: Vec<Problem>,
}

impl<'r, R: Record + ?Sized> Check<'r, R> {
    pub fn new(r: &'r R) -> Self {
        Check {
            r,
            problems: Vec::new(),
        }
    }

    pub fn bad(&mut self, f: &Field, message: Reason) {
        self.problems.push(Problem::new(Some(f.name), message));
    }

    /// An optional field.
    pub fn opt(&mut self, f: &Field) -> Option<Cow<'r, str>> {
        match self.r.text(f) {
            Ok(v) => v,
            Err(e) => {
                self.bad(f, e);
                None
            }
        }
    }

    /// A required field; records a problem when missing.
    pub fn req(&mut self, f: &Field) -> Option<Cow<'r, str>> {
        match self.r.text(f) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                self.bad(f, required_missing());
                None
            }
            Err(e) => {
                self.bad(f, e);
                None
            }
        }
    }

    /// An optional field parsed with `parse`; a parse failure is recorded with its message.
    pub fn opt_parse<T>(
        &mut self,
        f: &Field,
        parse: impl FnOnce(&str) -> Result<T, Reason>,
    ) -> Option<T> {
        let v = self.opt(f)?;
        parse(&v).map_err(|m| self.bad(f, m)).ok()
    }

    /// A required field parsed with `parse`.
    pub fn req_parse<T>(
        &mut self,
        f: &Field,
        parse: impl FnOnce(&str) -> Result<T, Reason>,
    ) -> Option<T> {
        let v = self.req(f)?;
        parse(&v).map_err(|m| self.bad(f, m)).ok()
    }

    /// Records a geometry problem.
    pub fn problem(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// The optional `sample` flag.
    pub fn sample(&mut self) -> bool {
        self.opt_parse(&SAMPLE, |s| {
            parse_bool(s).ok_or_else(|| {
                Message::new(C::NotTrueFalse)
                    .text("value", clip(s))
                    .en(format!("`{}` is not true or false", clip(s)))
            })
        })
        .unwrap_or(false)
    }

    /// Ends the check: the value if there were no problems.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<Problem>> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ if self.problems.is_empty() => Err(vec![Problem::new(
                None,
                Message::new(C::InvalidRecord).en("invalid record"),
            )]),
            _ => Err(self.problems),
        }
    }
}

/// "required field is missing or empty".
pub fn required_missing() -> Reason {
    Message::new(C::RequiredMissing).en("required field is missing or empty")
}

/// "value is not valid UTF-8".
pub fn not_utf8() -> Reason {
    Message::new(C::ValueNotUtf8).en("value is not valid UTF-8")
}

/// At most 40 characters of a value, for messages.
pub fn clip(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(40) {
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
        None => Cow::Borrowed(s),
    }
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "是" => Some(true),
        "false" | "0" | "no" | "否" => Some(false),
        _ => None,
    }
}

/// `YYYY-MM-DD`, `YYYYMMDD` or `YYYY/MM/DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y%m%d"))
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
        .ok()
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD HH:MM:SS` (fast path, the stored form), else the forms of
/// [`griddesk_core::dates::parse_datetime`].
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.trim().as_bytes();
    if b.len() == 19
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && b[16] == b':'
    {
        let date = NaiveDate::from_ymd_opt(
            digits(&b[0..4])? as i32,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
        )?;
        return date.and_hms_opt(
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
        );
    }
    griddesk_core::dates::parse_datetime(s).ok()
}

/// A longitude/latitude pair, checked for range.
pub fn check_lon_lat(lon: f64, lat: f64) -> Result<(), Reason> {
    if !lon.is_finite() || !lat.is_finite() {
        return Err(Message::new(C::CoordinateNotFinite)
            .text("lon", lon)
            .text("lat", lat)
            .en(format!("coordinate ({lon}, {lat}) is not a finite number")));
    }
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        if let Some(m) = looks_projected(lon, lat) {
            return Err(m);
        }
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(Message::new(C::LongitudeRange)
            .num("lon", lon)
            .en(format!("longitude {lon} is outside [-180, 180]")));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(Message::new(C::LatitudeRange)
            .num("lat", lat)
            .en(format!("latitude {lat} is outside [-90, 90]")));
    }
    Ok(())
}

/// Coordinates that cannot be lon/lat but look like projected metres over China: a northing
/// of 1 000–6 500 km, and an easting of 100–900 km (no zone prefix) or one with a 3-degree
/// zone number 25–45 (or a 6-degree one 13–23) in front. The message says so and names the
/// CGCS2000 CRS to try.
pub fn looks_projected(x: f64, y: f64) -> Option<Reason> {
    if !(1_000_000.0..=6_500_000.0).contains(&y) {
        return None;
    }
    let generic = || {
        Message::new(C::LooksProjected).num("x", x).num("y", y).en(format!(
            "coordinate ({x}, {y}) is not lon/lat but looks projected (metres); name the file's CRS \
             (e.g. --crs EPSG:4549; CGCS2000 3-degree Gauss-Kruger is EPSG:4513–4554), or give the file a `crs` member"
        ))
    };
    if (100_000.0..=900_000.0).contains(&x) {
        return Some(generic());
    }
    let zone = (x / 1e6).floor();
    let rest = x - zone * 1e6;
    if !(100_000.0..=900_000.0).contains(&rest) {
        return None;
    }
    let zone = zone as i64;
    if (25..=45).contains(&zone) {
        let epsg = 4513 + (zone - 25);
        Some(Message::new(C::LooksProjectedGk)
            .num("x", x)
            .num("y", y)
            .int("zone", zone)
            .text("epsg", epsg)
            .en(format!(
                "coordinate ({x}, {y}) is not lon/lat but looks like Gauss-Kruger metres with zone {zone} in the easting; \
                 if it is CGCS2000, name the CRS with --crs EPSG:{epsg}, or give the file a `crs` member"
            )))
    } else if (13..=23).contains(&zone) {
        Some(generic())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_fast_path_agrees_with_chrono() {
        for s in [
            "2025-03-01 08:05:09",
            "2025-03-01T23:59:59",
            "2024-02-29 00:00:00",
        ] {
            assert_eq!(
                parse_datetime(s),
                griddesk_core::dates::parse_datetime(s).ok(),
                "{s}"
            );
        }
        for s in [
            "2025-02-30 08:05:09",
            "2025-13-01 00:00:00",
            "2025-01-01 24:00:00",
            "20x5-01-01 00:00:00",
        ] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
        assert!(parse_datetime("2025-03-01 08:05").is_some());
    }

    #[test]
    fn projected_coordinates_are_named_as_such() {
        let m = check_lon_lat(40_500_123.0, 3_200_456.0).unwrap_err();
        assert_eq!(m.message.code, C::LooksProjectedGk);
        let t = m.to_string();
        assert!(t.contains("zone 40") && t.contains("EPSG:4528"), "{t}");
        let m = check_lon_lat(623_201.4, 3_170_018.9).unwrap_err();
        assert_eq!(m.message.code, C::LooksProjected);
        assert!(m.to_string().contains("--crs"));
        // Not projected-looking: the plain range message stays.
        assert_eq!(
            check_lon_lat(200.0, 30.0).unwrap_err().message.code,
            C::LongitudeRange
        );
        assert_eq!(
            check_lon_lat(120.0, 95.0).unwrap_err().message.code,
            C::LatitudeRange
        );
    }

    #[test]
    fn dates_and_aliases() {
        assert_eq!(parse_date("20250301"), NaiveDate::from_ymd_opt(2025, 3, 1));
        assert_eq!(
            parse_date("2025/03/01"),
            NaiveDate::from_ymd_opt(2025, 3, 1)
        );
        assert_eq!(parse_date("2025-13-01"), None);
        assert!(COMPONENT_CODE.matches("objcode"));
        assert!(LON.matches(" 经度 "));
        assert!(LON.matches("经度（°）") && LAT.matches("纬度 (deg)") && !LON.matches("(°)"));
        assert!(COMPONENT_CODE.matches("编码") && COMPONENT_CODE.matches("部件编码"));
        assert!(!LON.matches("lat"));
        assert!(STREET_CODE.matches("街道编码*") && LON.matches(" 经度（°） ＊ "));
        assert!(WKT.matches("边界wkt") && !WKT.matches("*"));
        assert_eq!(clip(&"x".repeat(50)).chars().count(), 41);
    }
}
