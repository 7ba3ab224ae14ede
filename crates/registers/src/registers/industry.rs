//! Industries (§Industries in docs/registers.md): the 20 sections (门类) A–T of GB/T 4754-2017,
//! fixed by the standard, and the city's own sub-classes under them, which are data: the
//! default table ships in `data/subclasses.csv` and a district replaces it by importing its own.

use crate::message::{Message, MessageCode as C};
use crate::Reason;
use serde::{Deserialize, Serialize};

/// The sections of GB/T 4754-2017 (国民经济行业分类), letter and name.
pub const SECTIONS: [(&str, &str); 20] = [
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
];

/// The name of section `letter`.
pub fn section_name(letter: &str) -> Option<&'static str> {
    SECTIONS
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(letter.trim()))
        .map(|(_, n)| *n)
}

/// One of the city's sub-classes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Subclass {
    /// The city's code, unique in the table.
    pub code: String,
    /// The GB/T 4754 section letter it belongs to.
    pub section: String,
    pub name: String,
}

/// The default sub-class table.
pub const DEFAULT_SUBCLASSES: &str = include_str!("../../data/subclasses.csv");

/// Reads a sub-class table (CSV rows `code,section,name` after a header): every row checked,
/// codes unique; the first fault with its line.
pub fn parse_subclasses(rows: &[(u64, Vec<String>)]) -> Result<Vec<Subclass>, (u64, Reason)> {
    let mut out: Vec<Subclass> = Vec::with_capacity(rows.len());
    let mut seen = std::collections::HashSet::new();
    for (line, cells) in rows {
        let cell = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or("");
        let (code, section, name) = (cell(0), cell(1).to_ascii_uppercase(), cell(2));
        if code.is_empty() || name.is_empty() {
            return Err((
                *line,
                Message::new(C::RequiredMissing).en("code and name are required"),
            ));
        }
        if section_name(&section).is_none() {
            return Err((
                *line,
                Message::new(C::IndustrySectionUnknown)
                    .text("section", &section)
                    .en(format!("`{section}` is not a GB/T 4754-2017 section (A–T)")),
            ));
        }
        if !seen.insert(code.to_string()) {
            return Err((
                *line,
                Message::new(C::AlreadyExists)
                    .with("thing", crate::message::thing("subclass"))
                    .text("key", code)
                    .en(format!("sub-class `{code}` appears twice")),
            ));
        }
        out.push(Subclass {
            code: code.to_string(),
            section,
            name: name.to_string(),
        });
    }
    Ok(out)
}

/// The default table, parsed.
pub fn default_subclasses() -> Vec<Subclass> {
    let rows: Vec<(u64, Vec<String>)> = DEFAULT_SUBCLASSES
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, l.split(',').map(str::to_string).collect()))
        .collect();
    parse_subclasses(&rows).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_sections_and_a_valid_default_table() {
        assert_eq!(SECTIONS.len(), 20);
        assert_eq!(section_name("h"), Some("住宿和餐饮业"));
        assert_eq!(section_name("U"), None);
        let d = default_subclasses();
        assert!(d.len() >= 40, "{}", d.len());
        assert!(d.iter().all(|s| section_name(&s.section).is_some()));
    }

    #[test]
    fn bad_tables_name_the_line() {
        let rows = |v: &[&[&str]]| -> Vec<(u64, Vec<String>)> {
            v.iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 2, r.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
        let e = parse_subclasses(&rows(&[&["H01", "H", "餐馆"], &["X1", "Z", "?"]])).unwrap_err();
        assert_eq!((e.0, e.1.message.code), (3, C::IndustrySectionUnknown));
        let e = parse_subclasses(&rows(&[&["H01", "H", "餐馆"], &["H01", "H", "x"]])).unwrap_err();
        assert_eq!((e.0, e.1.message.code), (3, C::AlreadyExists));
        let e = parse_subclasses(&rows(&[&["", "H", "x"]])).unwrap_err();
        assert_eq!(e.1.message.code, C::RequiredMissing);
    }
}
