//! Checking a service object as a person or a file gives it (§Service objects in
//! docs/registers.md), and reading a register file (CSV or XLSX) into edits with every bad
//! row listed by line and column.

use super::credit::parse_credit_code;
use super::industry::{section_name, Subclass};
use super::model::{ObjectEdit, ObjectKind, ObjectStatus};
use crate::error::{Position, Reject};
use crate::io::sheet::Sheet;
use crate::message::{Message, MessageCode as C};
use crate::Reason;

/// Longest name or address kept.
pub const MAX_TEXT: usize = 200;

/// A fault of an edit: the field (the import column's English name) and what is wrong.
pub type Fault = (&'static str, Reason);

fn required(field: &'static str) -> Fault {
    (
        field,
        Message::new(C::RequiredMissing).en(format!("{field} is required")),
    )
}

fn too_long(field: &'static str) -> Fault {
    (
        field,
        Message::new(C::TooLong)
            .int("max", MAX_TEXT as i64)
            .en(format!("{field} is longer than {MAX_TEXT} characters")),
    )
}

/// Checks and normalises an edit: name and address given and not too long, the location in
/// range, section and sub-class known and agreeing, the credit code valid, a hand-set grid
/// with its reason. `subclasses` is the table in force.
pub fn check_object(e: &mut ObjectEdit, subclasses: &[Subclass]) -> Result<(), Fault> {
    e.name = e.name.trim().to_string();
    e.address = e.address.trim().to_string();
    if e.name.is_empty() {
        return Err(required("name"));
    }
    if e.address.is_empty() {
        return Err(required("address"));
    }
    if e.name.chars().count() > MAX_TEXT {
        return Err(too_long("name"));
    }
    if e.address.chars().count() > MAX_TEXT {
        return Err(too_long("address"));
    }
    let [lon, lat] = e.location;
    crate::io::check_lon_lat(lon, lat).map_err(|m| ("lon", m))?;
    let blank = |s: &mut Option<String>| {
        *s = s
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    };
    for f in [
        &mut e.section,
        &mut e.subclass,
        &mut e.credit_code,
        &mut e.legal_rep,
        &mut e.id_number,
        &mut e.contact,
        &mut e.phone,
        &mut e.licence,
        &mut e.note,
        &mut e.grid,
        &mut e.grid_reason,
        &mut e.reason,
    ] {
        blank(f);
    }
    if let Some(sec) = &e.section {
        // A letter, or the section's name.
        let letter = super::industry::SECTIONS
            .iter()
            .find(|(l, n)| l.eq_ignore_ascii_case(sec) || n == sec)
            .map(|(l, _)| *l);
        match letter {
            Some(l) if section_name(l).is_some() => e.section = Some(l.to_string()),
            _ => {
                return Err((
                    "section",
                    Message::new(C::IndustrySectionUnknown)
                        .text("section", sec)
                        .en(format!("`{sec}` is not a GB/T 4754-2017 section (A–T)")),
                ))
            }
        }
    }
    if let Some(sc) = &e.subclass {
        let Some(s) = subclasses.iter().find(|s| &s.code == sc || &s.name == sc) else {
            return Err((
                "subclass",
                Message::new(C::SubclassUnknown)
                    .text("value", sc)
                    .en(format!("`{sc}` is not in the sub-class table")),
            ));
        };
        match &e.section {
            Some(sec) if !sec.eq_ignore_ascii_case(&s.section) => {
                return Err((
                    "subclass",
                    Message::new(C::SubclassSection)
                        .text("value", &s.code)
                        .text("section", sec)
                        .en(format!(
                            "sub-class `{}` belongs to section {}, not {sec}",
                            s.code, s.section
                        )),
                ))
            }
            _ => e.section = Some(s.section.clone()),
        }
        e.subclass = Some(s.code.clone());
    }
    if let Some(c) = &e.credit_code {
        e.credit_code = Some(parse_credit_code(c).map_err(|m| ("credit_code", m))?);
    }
    if e.grid.is_some() && e.grid_reason.is_none() {
        return Err((
            "grid_reason",
            Message::new(C::GridReasonRequired).en(
                "a grid set by hand needs a reason (the engine finds the grid from the location)",
            ),
        ));
    }
    Ok(())
}

/// The columns of a register file: English name (also the template's header), aliases.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["名称", "商户名称", "单位名称", "店名"]),
    ("address", &["地址", "经营地址"]),
    ("kind", &["类型", "对象类型"]),
    ("lon", &["经度", "lng", "longitude", "x"]),
    ("lat", &["纬度", "latitude", "y"]),
    ("section", &["行业门类", "门类", "行业"]),
    ("subclass", &["行业小类", "小类"]),
    ("credit_code", &["统一社会信用代码", "信用代码"]),
    ("legal_rep", &["法定代表人", "负责人"]),
    ("id_number", &["身份证号", "证件号码"]),
    ("contact", &["联系人"]),
    ("phone", &["电话", "联系电话", "手机"]),
    ("licence", &["营业执照", "许可证号", "license"]),
    ("status", &["状态", "经营状态"]),
    ("collected_on", &["采集日期"]),
    ("grid", &["网格", "网格编码"]),
    ("grid_reason", &["网格调整原因"]),
    ("note", &["备注"]),
    ("frontage", &["门前三包路段", "责任路段"]),
];

/// A date as offices write it: `2026-12-07`, `2026/12/7`, `20261207`.
pub fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    let t = s.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(t, f).ok())
        .or_else(|| {
            t.get(..10)
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        })
}

/// Reads the rows of a register file into edits, each with its line; every bad row (and a
/// missing required column) is a reject naming file, line and column.
pub fn objects_from_sheet(
    sheet: &Sheet,
    subclasses: &[Subclass],
) -> (Vec<(u64, ObjectEdit)>, Vec<Reject>) {
    let col = |name: &str| {
        let aliases = COLUMNS
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[][..], |(_, a)| *a);
        let mut names = vec![name];
        names.extend_from_slice(aliases);
        sheet.column(&names)
    };
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|(n, _)| col(n)).collect();
    let mut rejects = vec![];
    for req in ["name", "address", "lon", "lat"] {
        if col(req).is_none() {
            rejects.push(Reject::new(
                &sheet.file,
                Position::File,
                Some(req),
                Message::new(C::CsvMissingColumns)
                    .text("columns", req)
                    .en(format!("the file has no `{req}` column")),
            ));
        }
    }
    if !rejects.is_empty() {
        return (vec![], rejects);
    }
    let mut out = vec![];
    for (line, cells) in &sheet.rows {
        let get = |name: &str| -> Option<String> {
            let i = COLUMNS.iter().position(|(n, _)| *n == name)?;
            cols[i]
                .and_then(|c| cells.get(c))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let reject = |field: &str, m: Reason| {
            Reject::new(&sheet.file, Position::Line(*line), Some(field), m)
        };
        let num = |name: &'static str| -> Result<f64, Reject> {
            let v = get(name).ok_or_else(|| reject(name, required(name).1))?;
            v.parse::<f64>().map_err(|_| {
                reject(
                    name,
                    Message::new(C::NotANumber)
                        .text("value", &v)
                        .en(format!("`{v}` is not a number")),
                )
            })
        };
        let row = (|| -> Result<ObjectEdit, Reject> {
            let lon = num("lon")?;
            let lat = num("lat")?;
            let kind = match get("kind") {
                None => None,
                Some(k) => Some(ObjectKind::parse(&k).ok_or_else(|| {
                    reject(
                        "kind",
                        Message::new(C::UnknownValue)
                            .text("value", &k)
                            .en(format!("`{k}` is not a kind of service object")),
                    )
                })?),
            };
            let status = match get("status") {
                None => None,
                Some(k) => Some(ObjectStatus::parse(&k).ok_or_else(|| {
                    reject(
                        "status",
                        Message::new(C::UnknownValue)
                            .text("value", &k)
                            .en(format!("`{k}` is not a status")),
                    )
                })?),
            };
            let collected_on = match get("collected_on") {
                None => None,
                Some(d) => Some(parse_day(&d).ok_or_else(|| {
                    reject(
                        "collected_on",
                        Message::new(C::UnknownValue)
                            .text("value", &d)
                            .en(format!("`{d}` is not a date (YYYY-MM-DD)")),
                    )
                })?),
            };
            let mut e = ObjectEdit {
                id: None,
                kind,
                name: get("name").unwrap_or_default(),
                address: get("address").unwrap_or_default(),
                location: [lon, lat],
                grid: get("grid"),
                grid_reason: get("grid_reason"),
                section: get("section"),
                subclass: get("subclass"),
                credit_code: get("credit_code"),
                legal_rep: get("legal_rep"),
                id_number: get("id_number"),
                contact: get("contact"),
                phone: get("phone"),
                licence: get("licence"),
                status,
                collected_on,
                note: get("note"),
                frontage: match get("frontage") {
                    None => None,
                    Some(w) => Some(
                        crate::io::sheet::parse_wkt_line(&w).map_err(|m| reject("frontage", m))?,
                    ),
                },
                reason: None,
            };
            check_object(&mut e, subclasses).map_err(|(f, m)| reject(f, m))?;
            Ok(e)
        })();
        match row {
            Ok(e) => out.push((*line, e)),
            Err(r) => rejects.push(r),
        }
    }
    (out, rejects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::industry::default_subclasses;

    fn edit() -> ObjectEdit {
        ObjectEdit {
            name: " 老王烧烤 ".into(),
            address: "劳动北路1号".into(),
            location: [121.26, 28.64],
            subclass: Some("H03".into()),
            credit_code: Some("91350100m000100y43".into()),
            ..Default::default()
        }
    }

    #[test]
    fn an_edit_is_normalised() {
        let mut e = edit();
        check_object(&mut e, &default_subclasses()).unwrap();
        assert_eq!(e.name, "老王烧烤");
        assert_eq!(
            e.section.as_deref(),
            Some("H"),
            "section from the sub-class"
        );
        assert_eq!(e.credit_code.as_deref(), Some("91350100M000100Y43"));
        let mut e = edit();
        e.subclass = Some("烧烤夜宵".into());
        e.section = Some("住宿和餐饮业".into());
        check_object(&mut e, &default_subclasses()).unwrap();
        assert_eq!(
            (e.subclass.as_deref(), e.section.as_deref()),
            (Some("H03"), Some("H"))
        );
    }

    #[test]
    fn each_fault_names_its_field() {
        let t = default_subclasses();
        let f = |m: fn(&mut ObjectEdit)| {
            let mut e = edit();
            m(&mut e);
            check_object(&mut e, &t).unwrap_err().0
        };
        assert_eq!(f(|e| e.name = " ".into()), "name");
        assert_eq!(f(|e| e.address = String::new()), "address");
        assert_eq!(f(|e| e.location = [200.0, 28.0]), "lon");
        assert_eq!(f(|e| e.subclass = Some("ZZ".into())), "subclass");
        assert_eq!(f(|e| e.section = Some("F".into())), "subclass");
        assert_eq!(
            f(|e| {
                e.subclass = None;
                e.section = Some("U".into())
            }),
            "section"
        );
        assert_eq!(
            f(|e| e.credit_code = Some("91350100M000100Y44".into())),
            "credit_code"
        );
        assert_eq!(
            f(|e| e.grid = Some("331003001001001".into())),
            "grid_reason"
        );
    }
}
