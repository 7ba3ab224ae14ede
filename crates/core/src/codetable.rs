//! Component and event class tables (CJ/T 214-2007 by default), loaded from CSV files so that a
//! city can replace them without code changes.
//!
//! File format: a header `major_code,major_name,minor_code,minor_name`, then one row per minor
//! class; `minor_code` is the 4-digit class code (major + minor) and must start with `major_code`.

use crate::csvtable::CsvTable;
use crate::error::{Error, Location, Position, Result};
use crate::message::{Message, MessageCode as C};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One minor class (小类) with its major class (大类).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassEntry {
    pub major_code: String,
    pub major_name: String,
    /// 4-digit code (major + minor).
    pub code: String,
    pub name: String,
}

/// A class table: minor classes keyed by their 4-digit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassTable {
    entries: BTreeMap<String, ClassEntry>,
}

impl ClassTable {
    /// Loads a table from a CSV file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses a table from CSV text; `file` names the source in error messages.
    pub fn parse(file: &str, text: &str) -> Result<Self> {
        let t = CsvTable::parse(file, text)?;
        t.require(&["major_code", "major_name", "minor_code", "minor_name"])?;
        let mut entries = BTreeMap::new();
        for row in t.rows() {
            let e = ClassEntry {
                major_code: row.required("major_code")?.to_string(),
                major_name: row.required("major_name")?.to_string(),
                code: row.required("minor_code")?.to_string(),
                name: row.required("minor_name")?.to_string(),
            };
            if e.major_code.len() != 2 || !e.major_code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(row.err(
                    "major_code",
                    Message::new(C::MajorCodeInvalid)
                        .text("value", &e.major_code)
                        .en(format!("`{}` is not a 2-digit code", e.major_code)),
                ));
            }
            if e.code.len() != 4
                || !e.code.bytes().all(|b| b.is_ascii_digit())
                || !e.code.starts_with(&e.major_code)
            {
                return Err(row.err(
                    "minor_code",
                    Message::new(C::MinorCodeInvalid)
                        .text("value", &e.code)
                        .text("major", &e.major_code)
                        .en(format!(
                            "`{}` must be 4 digits starting with the major code {}",
                            e.code, e.major_code
                        )),
                ));
            }
            if entries.contains_key(&e.code) {
                return Err(row.err(
                    "minor_code",
                    Message::new(C::DuplicateClass)
                        .text("class", &e.code)
                        .en(format!("duplicate class code {}", e.code)),
                ));
            }
            entries.insert(e.code.clone(), e);
        }
        if entries.is_empty() {
            return Err(Error::Input {
                location: Location {
                    file: file.to_string(),
                    position: Position::Line(1),
                    field: None,
                },
                message: Message::new(C::TableNoClasses).en("the table has no classes"),
            });
        }
        Ok(Self { entries })
    }

    /// Builds a table from entries (later duplicates replace earlier ones).
    pub fn from_entries(entries: impl IntoIterator<Item = ClassEntry>) -> Self {
        Self {
            entries: entries.into_iter().map(|e| (e.code.clone(), e)).collect(),
        }
    }

    /// Looks up a 4-digit class code.
    pub fn get(&self, code: &str) -> Option<&ClassEntry> {
        self.entries.get(code)
    }

    /// All classes in code order.
    pub fn iter(&self) -> impl Iterator<Item = &ClassEntry> {
        self.entries.values()
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Distinct major classes `(code, name)` in code order.
    pub fn majors(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .entries
            .values()
            .map(|e| (e.major_code.clone(), e.major_name.clone()))
            .collect();
        v.dedup();
        v
    }
}

/// The two tables a district works with.
#[derive(Debug, Clone, Default)]
pub struct CodeTables {
    pub components: ClassTable,
    pub events: ClassTable,
}

impl CodeTables {
    /// Loads `components.csv`-style and `events.csv`-style files from `dir`
    /// (`components_cjt214_2007.csv`, `events_cjt214_2007.csv`).
    pub fn load_dir(dir: &Path) -> Result<Self> {
        Ok(Self {
            components: ClassTable::load(&dir.join("components_cjt214_2007.csv"))?,
            events: ClassTable::load(&dir.join("events_cjt214_2007.csv"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/codes")
    }

    #[test]
    fn loads_cjt214_tables() {
        let t = CodeTables::load_dir(&resources()).unwrap();
        assert_eq!(t.components.len(), 85);
        assert_eq!(t.components.get("0305").unwrap().name, "垃圾箱");
        assert_eq!(t.components.majors().len(), 6);
        assert_eq!(t.events.get("0102").unwrap().name, "暴露垃圾");
        assert_eq!(t.events.get("0505").unwrap().major_name, "街面秩序");
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let e = ClassTable::parse(
            "x.csv",
            "major_code,major_name,minor_code,minor_name\n01,a,0101,b\n01,a,0201,c\n",
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("x.csv, line 3, field `minor_code`"), "{msg}");
        let e = ClassTable::parse("y.csv", "major_code,minor_code\n01,0101\n").unwrap_err();
        assert!(e.to_string().contains("missing column `major_name`"), "{e}");
        let e = ClassTable::parse(
            "z.csv",
            "major_code,major_name,minor_code,minor_name\n01,a,0101,\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 2, field `minor_name`"), "{e}");
    }
}
