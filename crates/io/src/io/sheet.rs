//! Plain tables in and out: the first worksheet of an XLSX workbook or a CSV file read as a
//! header and rows of text, and a header with rows written as CSV (UTF-8 with a byte-order mark,
//! which Excel and the districts' SMS platforms open as UTF-8) or XLSX. For the registers'
//! lists (service objects, notices), whose columns the reading crate resolves itself.
//!
//! Rows are numbered as the file numbers them: the CSV line (the header is line 1) or the
//! worksheet row, so a reject names the line a person sees. Blank rows are skipped.

use super::csv_in::utf8_reader;
use super::table::{atomic_write, cannot_read};
use crate::error::{Error, Position, Reject, Result};
use crate::message::{Message, MessageCode as C};
use std::path::Path;

/// A table read from a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    /// The file name as given (for rejects).
    pub file: String,
    /// Column names, trimmed, a trailing `*` (a template's "required") dropped.
    pub header: Vec<String>,
    /// `(line, cells)`; cells trimmed, as many as the header has (missing ones empty).
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Sheet {
    /// The index of the first column whose name is one of `names` (compared without regard to
    /// ASCII case).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    }
}

/// Which format a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

impl SheetFormat {
    /// From the file's extension (`.csv`, `.xlsx`).
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(SheetFormat::Csv),
            "xlsx" => Some(SheetFormat::Xlsx),
            _ => None,
        }
    }
}

fn file_reject(file: &str, m: Message, en: String) -> Box<Reject> {
    Box::new(Reject::new(file, Position::File, None, m.en(en)))
}

fn unknown_type(file: &str) -> Box<Reject> {
    file_reject(
        file,
        Message::new(C::UnknownFileType)
            .text("file", file)
            .text("expected", ".csv, .xlsx"),
        "unknown file type (expected .csv or .xlsx)".into(),
    )
}

/// Reads a CSV or XLSX file. The whole file fails (a reject at the file) when it cannot be
/// read, is not of its format, or has no header.
pub fn read_sheet(path: &Path) -> std::result::Result<Sheet, Box<Reject>> {
    let file = path.display().to_string();
    let mut sheet = match SheetFormat::from_path(path) {
        Some(SheetFormat::Csv) => read_csv(path, &file)?,
        Some(SheetFormat::Xlsx) => read_xlsx(path, &file)?,
        None => return Err(unknown_type(&file)),
    };
    if sheet.header.iter().all(String::is_empty) {
        return Err(file_reject(
            &file,
            Message::new(C::CsvMissingColumns).text("columns", "header"),
            "the file has no header row".into(),
        ));
    }
    let n = sheet.header.len();
    sheet
        .rows
        .retain(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    for (_, cells) in &mut sheet.rows {
        cells.resize(n, String::new());
    }
    Ok(sheet)
}

fn clean_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .trim_end_matches('*')
        .trim()
        .to_string()
}

fn read_csv(path: &Path, file: &str) -> std::result::Result<Sheet, Box<Reject>> {
    let unreadable = |e: std::io::Error| {
        Box::new(Reject::new(
            file,
            Position::File,
            None,
            cannot_read(file, &e),
        ))
    };
    let f = std::fs::File::open(path).map_err(unreadable)?;
    let input = utf8_reader(Box::new(std::io::BufReader::new(f)), None).map_err(unreadable)?;
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut sheet = Sheet {
        file: file.to_string(),
        ..Sheet::default()
    };
    for (i, rec) in rd.records().enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i as u64 + 1, |p| p.line());
        let rec = rec.map_err(|e| {
            Box::new(Reject::new(
                file,
                Position::Line(line),
                None,
                Message::new(C::InvalidRecord).en(format!("not CSV: {e}")),
            ))
        })?;
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if i == 0 {
            sheet.header = cells.iter().map(|c| clean_header(c)).collect();
        } else {
            sheet.rows.push((line, cells));
        }
    }
    Ok(sheet)
}

fn read_xlsx(path: &Path, file: &str) -> std::result::Result<Sheet, Box<Reject>> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook(path).map_err(|e| {
        file_reject(
            file,
            Message::new(C::InvalidRecord),
            format!("not an XLSX workbook: {e}"),
        )
    })?;
    let Some(Ok(range)) = wb.worksheet_range_at(0) else {
        return Err(file_reject(
            file,
            Message::new(C::InvalidRecord),
            "the workbook has no worksheet".into(),
        ));
    };
    let start_row = range.start().map_or(0, |(r, _)| r) as u64;
    let text = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(dt) => match dt.as_datetime() {
                Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
                Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => dt.as_f64().to_string(),
            },
            Data::Error(e) => format!("#{e:?}"),
        }
    };
    let mut sheet = Sheet {
        file: file.to_string(),
        ..Sheet::default()
    };
    for (i, row) in range.rows().enumerate() {
        let line = start_row + i as u64 + 1;
        let cells: Vec<String> = row.iter().map(text).collect();
        if i == 0 {
            sheet.header = cells.iter().map(|c| clean_header(c)).collect();
        } else {
            sheet.rows.push((line, cells));
        }
    }
    Ok(sheet)
}

/// Writes `header` and `rows` to `path` as CSV (UTF-8 with BOM) or XLSX (header bold, every
/// cell text so that numbers such as phone numbers keep their digits), replacing the file
/// only when the whole table is written.
pub fn write_sheet(path: &Path, title: &str, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let file = path.display().to_string();
    let bytes = match SheetFormat::from_path(path) {
        Some(SheetFormat::Csv) => {
            let mut out = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut out);
                let write_err = |e: csv::Error| {
                    Error::Invalid(
                        Message::new(C::ExportWriteFailed)
                            .en(format!("{file}: cannot write CSV: {e}")),
                    )
                };
                w.write_record(header).map_err(write_err)?;
                for r in rows {
                    w.write_record(r).map_err(write_err)?;
                }
                w.flush().map_err(|e| Error::io(path, e))?;
            }
            out
        }
        Some(SheetFormat::Xlsx) => xlsx_bytes(&file, title, header, rows)?,
        None => {
            return Err(Error::Invalid(
                Message::new(C::UnknownFileType)
                    .text("file", &file)
                    .text("expected", ".csv, .xlsx")
                    .en("unknown file type (expected .csv or .xlsx)"),
            ))
        }
    };
    atomic_write(path, &bytes)
}

fn xlsx_bytes(file: &str, title: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| {
        Error::Invalid(
            Message::new(C::ExportWriteFailed).en(format!("{file}: cannot write XLSX: {e}")),
        )
    };
    let mut wb = Workbook::new();
    let bold = super::templates::header_format();
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    // Sheet names are at most 31 characters and exclude []:*?/\.
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if !name.is_empty() {
        ws.set_name(&name).map_err(err)?;
    }
    for (c, h) in header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| Error::Internal("too many columns".into()))?;
        ws.write_string_with_format(0, col, *h, &bold)
            .map_err(err)?;
        ws.set_column_width(col, 16).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let line = u32::try_from(r + 1).map_err(|_| Error::Internal("too many rows".into()))?;
        for (c, v) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| Error::Internal("too many columns".into()))?;
            ws.write_string_with_format(line, col, v, &text)
                .map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// A `LINESTRING` in lon/lat WKT as `[lon, lat]` vertices (at least two distinct, in range).
pub fn parse_wkt_line(s: &str) -> std::result::Result<Vec<[f64; 2]>, crate::Reason> {
    use geo_types::Geometry;
    use wkt::TryFromWkt;
    let g = Geometry::<f64>::try_from_wkt_str(s.trim()).map_err(|e| {
        Message::new(C::GeometryUnreadable)
            .en(format!("`{}` is not WKT: {e}", super::table::short(s)))
    })?;
    let Geometry::LineString(l) = g else {
        return Err(Message::new(C::ExpectedGeometry)
            .terms("expected", [crate::message::Geom::Line])
            .term("found", crate::message::Geom::of(&g))
            .en("expected a LINESTRING"));
    };
    for c in &l.0 {
        super::check_lon_lat(c.x, c.y)?;
    }
    if l.0.len() < 2 || !l.0.windows(2).any(|w| w[0] != w[1]) {
        return Err(Message::new(C::RoadLineTooShort)
            .text("code", "")
            .en("a line needs at least two distinct points"));
    }
    Ok(l.0.iter().map(|c| [c.x, c.y]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_xlsx_round_trip_with_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        for ext in ["csv", "xlsx"] {
            let p = dir.path().join(format!("t.{ext}"));
            let rows = vec![
                vec!["黄岩商店".to_string(), "013812345678".to_string()],
                vec![String::new(), String::new()],
                vec!["二号".to_string(), "1".to_string()],
            ];
            write_sheet(&p, "名单", &["名称*", "电话"], &rows).unwrap();
            let s = read_sheet(&p).unwrap();
            assert_eq!(s.header, vec!["名称", "电话"]);
            // The blank row is skipped; the lines stay the file's.
            assert_eq!(s.rows.len(), 2, "{ext}");
            assert_eq!(s.rows[0], (2, rows[0].clone()), "{ext}");
            assert_eq!(s.rows[1].0, 4, "{ext}");
            assert_eq!(s.column(&["电话", "phone"]), Some(1));
        }
    }

    #[test]
    fn wkt_lines() {
        assert_eq!(
            parse_wkt_line("LINESTRING (121.1 28.6, 121.2 28.7)").unwrap(),
            vec![[121.1, 28.6], [121.2, 28.7]]
        );
        assert_eq!(
            parse_wkt_line("POINT (1 2)").unwrap_err().message.code,
            C::ExpectedGeometry
        );
        assert_eq!(
            parse_wkt_line("LINESTRING (1 2, 1 2)")
                .unwrap_err()
                .message
                .code,
            C::RoadLineTooShort
        );
        assert_eq!(
            parse_wkt_line("LINESTRING (1 2").unwrap_err().message.code,
            C::GeometryUnreadable
        );
    }

    #[test]
    fn unknown_and_broken_files_are_refused_at_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.doc");
        std::fs::write(&p, "x").unwrap();
        let r = read_sheet(&p).unwrap_err();
        assert_eq!(r.detail.code, C::UnknownFileType);
        let p = dir.path().join("t.xlsx");
        std::fs::write(&p, "not a zip").unwrap();
        assert_eq!(
            read_sheet(&p).unwrap_err().location.position,
            Position::File
        );
        assert!(write_sheet(&dir.path().join("t.pdf"), "x", &["a"], &[]).is_err());
    }
}
