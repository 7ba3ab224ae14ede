//! The one reader of the small CSV tables that configure the engine (code tables, the holiday
//! calendar, the filing standard, the evaluation's CSV input): UTF-8 with or without a BOM, a
//! header row, cells trimmed, and every problem reported as [`Error::Input`] naming the file,
//! the line and the column. (Imports of grids, components and cases have their own record
//! reader with field aliases and reject lists: `io::csv_in`.)

use crate::error::{Error, Location, Position, Result};
use crate::message::{Message, MessageCode as C, Reason};

/// Line numbers of a text from byte offsets: 1 + the line feeds before the offset. The `csv`
/// crate's own line count falls one behind on CRLF files (what Excel writes), so every reader
/// here numbers lines with this instead.
#[derive(Debug, Clone)]
pub struct LineIndex {
    feeds: Vec<usize>,
}

impl LineIndex {
    /// The line feeds of `bytes`.
    pub fn new(bytes: &[u8]) -> Self {
        Self {
            feeds: bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The 1-based line the byte at `offset` is on.
    pub fn line_at(&self, offset: u64) -> u64 {
        let mut before = self.feeds.partition_point(|&f| (f as u64) < offset);
        // On CRLF text the reader puts a record's start on the line feed that ends the line
        // before it: the record starts after that feed.
        if self.feeds.get(before).is_some_and(|&f| f as u64 == offset) {
            before += 1;
        }
        before as u64 + 1
    }

    /// The line of a `csv` position (0 without one).
    pub fn line_of(&self, p: Option<&csv::Position>) -> u64 {
        p.map_or(0, |p| self.line_at(p.byte()))
    }
}

/// A parsed CSV table: its header and its records with their line numbers.
#[derive(Debug, Clone)]
pub struct CsvTable {
    file: String,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl CsvTable {
    /// Parses `text`; `file` names the source in every error. Rows must have as many cells as
    /// the header.
    pub fn parse(file: &str, text: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut r = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = r
            .headers()
            .map_err(|e| {
                input_error(
                    file,
                    1,
                    None,
                    Message::new(C::CsvHeaderUnreadable).en(e.to_string()),
                )
            })?
            .iter()
            .map(str::to_string)
            .collect();
        let lines = LineIndex::new(text.as_bytes());
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| {
                input_error(
                    file,
                    lines.line_of(e.position()),
                    None,
                    Message::new(C::CsvRowUnreadable).en(e.to_string()),
                )
            })?;
            rows.push((lines.line_of(rec.position()), rec));
        }
        Ok(Self {
            file: file.to_string(),
            headers,
            rows,
        })
    }

    /// Reads and parses a file (named by its path in errors).
    pub fn read(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// The file name given to [`Self::parse`].
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The position of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Refuses a table that lacks one of `names` (line 1, naming the first missing column).
    pub fn require(&self, names: &[&str]) -> Result<()> {
        match names.iter().find(|n| self.col(n).is_none()) {
            Some(n) => Err(input_error(
                &self.file,
                1,
                Some(n),
                Message::new(C::CsvMissingColumns)
                    .texts("columns", [n])
                    .en(format!("missing column `{n}`")),
            )),
            None => Ok(()),
        }
    }

    /// The records in file order.
    pub fn rows(&self) -> impl Iterator<Item = CsvRow<'_>> {
        self.rows.iter().map(move |(line, rec)| CsvRow {
            table: self,
            line: *line,
            rec,
        })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One record of a [`CsvTable`].
#[derive(Debug, Clone, Copy)]
pub struct CsvRow<'a> {
    table: &'a CsvTable,
    line: u64,
    rec: &'a csv::StringRecord,
}

impl<'a> CsvRow<'a> {
    /// The record's line in the file.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The (trimmed) cell of a column; empty when the column or the cell is absent.
    pub fn get(&self, name: &str) -> &'a str {
        self.table
            .col(name)
            .and_then(|i| self.rec.get(i))
            .unwrap_or_default()
    }

    /// The cell of a column, `None` when absent or empty.
    pub fn opt(&self, name: &str) -> Option<&'a str> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    /// The cell of a column that must have a value.
    pub fn required(&self, name: &str) -> Result<&'a str> {
        self.opt(name).ok_or_else(|| {
            self.err(
                name,
                Message::new(C::RequiredMissing).en("required value is empty"),
            )
        })
    }

    /// An error in one cell of this record.
    pub fn err(&self, field: &str, reason: Reason) -> Error {
        input_error(&self.table.file, self.line, Some(field), reason)
    }

    /// An error in the record as a whole.
    pub fn err_record(&self, reason: Reason) -> Error {
        input_error(&self.table.file, self.line, None, reason)
    }
}

fn input_error(file: &str, line: u64, field: Option<&str>, message: Reason) -> Error {
    Error::Input {
        location: Location {
            file: file.to_string(),
            position: Position::Line(line),
            field: field.map(str::to_string),
        },
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_files_number_their_lines_like_lf_files() {
        for text in [
            "a,b\n1,x\n2,\n",
            "a,b\r\n1,x\r\n2,\r\n",
            "a,b\r\n\"1\r\n1\",x\r\n2,\r\n",
        ] {
            let t = CsvTable::parse("t.csv", text).expect("table");
            let rows: Vec<CsvRow<'_>> = t.rows().collect();
            assert_eq!(rows[0].line(), 2, "{text:?}");
            let last = if text.contains("\"1") { 4 } else { 3 };
            assert_eq!(rows[1].line(), last, "{text:?}");
        }
    }

    #[test]
    fn cells_lines_and_errors_name_file_line_and_column() {
        let t = CsvTable::parse("t.csv", "\u{feff}a, b\n 1 ,x\n2,\n").expect("table");
        assert_eq!(t.len(), 2);
        let rows: Vec<CsvRow<'_>> = t.rows().collect();
        assert_eq!((rows[0].get("a"), rows[0].get("b")), ("1", "x"));
        assert_eq!(rows[1].line(), 3);
        assert_eq!(rows[1].opt("b"), None);
        let e = rows[1].required("b").expect_err("empty");
        assert_eq!(
            e.to_string(),
            "t.csv, line 3, field `b`: required value is empty"
        );
        let e = t.require(&["a", "c"]).expect_err("missing");
        assert_eq!(
            e.to_string(),
            "t.csv, line 1, field `c`: missing column `c`"
        );
        let e = CsvTable::parse("u.csv", "a,b\n1\n").expect_err("ragged");
        assert!(e.to_string().starts_with("u.csv, line 2"), "{e}");
    }
}

/// A text cell as a spreadsheet will not run it: a cell starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return is a formula to Excel and WPS (CSV injection), so it gets a leading `'`,
/// which they show as text. Numbers (`-12.5`) are left as they are.
pub fn spreadsheet_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && s.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Writes one CSV record with every cell made [`spreadsheet_safe`].
pub fn write_safe_record<W: std::io::Write, I, S>(
    w: &mut csv::Writer<W>,
    cells: I,
) -> csv::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let cells: Vec<String> = cells
        .into_iter()
        .map(|c| spreadsheet_safe(c.as_ref()).into_owned())
        .collect();
    w.write_record(&cells)
}

#[cfg(test)]
mod spreadsheet_tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        assert_eq!(
            spreadsheet_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(spreadsheet_safe("+86 138"), "'+86 138");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-1+2"), "'-1+2");
        assert_eq!(spreadsheet_safe("-12.5"), "-12.5");
        assert_eq!(spreadsheet_safe("暴露垃圾"), "暴露垃圾");
        let mut w = csv::Writer::from_writer(vec![]);
        write_safe_record(&mut w, ["=1+2", "3"]).unwrap_or_default();
        let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        assert_eq!(text, "'=1+2,3\n");
    }
}
