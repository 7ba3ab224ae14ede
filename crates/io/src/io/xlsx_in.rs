//! XLSX reading: the first worksheet of a workbook as a table whose first row is the header,
//! resolved with the same names and aliases as a CSV header ([`Columns::resolve`]), every
//! later row handed to the same per-dataset parser as a CSV row.
//!
//! Rows are numbered as the worksheet numbers them (1-based, the header row is 1 when the sheet
//! starts at A1), as CSV lines are. Blank rows are skipped. A number cell reads as its shortest
//! decimal form, so a code Excel keeps as the number 331003001001 reads `331003001001` (not
//! `331003001001.0` or `3.31E+11`); a date cell reads `YYYY-MM-DD` in a date column
//! (`start_date`, `end_date`) when it has no time of day, else `YYYY-MM-DD HH:MM:SS`. Office
//! files are small: a workbook is read whole, not streamed.

use super::csv_in::{self, Columns, Shape};
use super::fields::{Field, Problem, Record, LAT, LON, WKT};
use super::records::Row;
use super::Reject;
use crate::error::Position;
use crate::message::{Message, MessageCode as C, Reason};
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDateTime;
use geo_types::{MultiPolygon, Point};
use rayon::prelude::*;
use std::borrow::Cow;

/// One cell as read.
enum Cell {
    Empty,
    Text(String),
    When(NaiveDateTime),
    Bad(Reason),
}

impl Cell {
    fn of(d: &Data) -> Cell {
        match d {
            Data::Empty => Cell::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(t.to_string())
                }
            }
            Data::Int(i) => Cell::Text(i.to_string()),
            // Rust writes floats without exponent and integral ones without `.0`.
            Data::Float(f) => Cell::Text(f.to_string()),
            Data::Bool(b) => Cell::Text(b.to_string()),
            Data::DateTime(dt) => match dt.as_datetime() {
                Some(t) if dt.is_datetime() => Cell::When(t),
                _ => Cell::Text(dt.as_f64().to_string()),
            },
            Data::Error(e) => Cell::Bad(
                Message::new(C::ValueNotText)
                    .en(format!("expected a value, found the cell error {e}")),
            ),
        }
    }
}

/// One worksheet row.
pub struct XlsxRecord<'a> {
    cells: &'a [Cell],
    cols: &'a Columns,
}

impl XlsxRecord<'_> {
    fn cell(&self, col: Option<usize>, f: &Field) -> Result<Option<Cow<'_, str>>, Reason> {
        let Some(c) = col.and_then(|i| self.cells.get(i)) else {
            return Ok(None);
        };
        Ok(match c {
            Cell::Empty => None,
            Cell::Text(s) => Some(Cow::Borrowed(s.as_str())),
            Cell::When(t) => {
                let midnight = t.time() == chrono::NaiveTime::MIN;
                Some(Cow::Owned(if midnight && f.name.ends_with("_date") {
                    t.format("%Y-%m-%d").to_string()
                } else {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                }))
            }
            Cell::Bad(m) => return Err(m.clone()),
        })
    }

    fn geometry_cell(
        &self,
        col: Option<usize>,
        f: &Field,
    ) -> Result<Option<Cow<'_, str>>, Problem> {
        self.cell(col, f).map_err(|m| Problem::new(Some(f.name), m))
    }
}

impl Record for XlsxRecord<'_> {
    fn text(&self, f: &Field) -> Result<Option<Cow<'_, str>>, Reason> {
        self.cell(self.cols.find(f.name), f)
    }

    fn point(&self) -> Result<Point<f64>, Problem> {
        let lon = self.geometry_cell(self.cols.lon, &LON)?;
        let lat = self.geometry_cell(self.cols.lat, &LAT)?;
        csv_in::point(lon.as_deref(), lat.as_deref())
    }

    fn polygons(&self) -> Result<MultiPolygon<f64>, Problem> {
        let wkt = self.geometry_cell(self.cols.wkt, &WKT)?;
        csv_in::wkt_polygons(wkt.as_deref())
    }
}

/// Converts one row to a value, or says what is wrong with it.
pub type Parse<'a, T> = dyn Fn(&dyn Record) -> Result<T, Vec<Problem>> + Sync + 'a;

/// A workbook that cannot be read, as a reject of the whole file.
fn unreadable(file: &str, why: impl std::fmt::Display) -> Reject {
    Reject::new(
        file,
        Position::File,
        None,
        Message::new(C::CsvHeaderUnreadable).en(format!("cannot read the workbook: {why}")),
    )
}

/// Reads the first worksheet of an XLSX workbook and converts every non-blank row after the
/// header with `parse` (in parallel, in sheet order). `fields`, `required` and `shape` as for
/// [`csv_in::rows`].
pub fn rows<T: Send>(
    file: &str,
    bytes: &[u8],
    fields: &[Field],
    required: &[Field],
    shape: Shape,
    parse: &Parse<'_, T>,
) -> Result<Vec<Row<T>>, Reject> {
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(file, e))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(unreadable(file, e)),
        None => return Err(unreadable(file, "the workbook has no worksheet")),
    };
    // The sheet's first used row is the header; rows are numbered from the sheet's top.
    let top = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let mut sheet = range
        .rows()
        .enumerate()
        .map(|(i, r)| (top + i as u64, r.iter().map(Cell::of).collect::<Vec<_>>()))
        .filter(|(_, cells)| cells.iter().any(|c| !matches!(c, Cell::Empty)));
    let Some((header_row, header)) = sheet.next() else {
        return Err(Reject::new(
            file,
            Position::Line(1),
            None,
            Message::new(C::CsvNoHeader).en("the worksheet has no header row"),
        ));
    };
    let names: Vec<Cow<'_, str>> = header
        .iter()
        .map(|c| match c {
            Cell::Text(s) => Cow::Owned(s.clone()),
            Cell::When(t) => Cow::Owned(t.to_string()),
            Cell::Empty | Cell::Bad(_) => Cow::Borrowed(""),
        })
        .collect();
    let cols = Columns::resolve(file, &names, fields, required, shape).map_err(|mut r| {
        r.location.position = Position::Line(header_row);
        r
    })?;
    let body: Vec<(u64, Vec<Cell>)> = sheet.collect();
    Ok(body
        .par_iter()
        .map(|(line, cells)| Row {
            position: Position::Line(*line),
            result: parse(&XlsxRecord { cells, cols: &cols }),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::templates::tests::Model;
    use super::super::Dataset;
    use crate::error::Position;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    use std::path::Path;

    /// A one-sheet workbook from rows of cells: text, or a number when it parses as one and
    /// `numbers` is set.
    fn workbook(path: &Path, rows: &[&[&str]], numbers: bool) {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v.parse::<f64>() {
                    Ok(x) if numbers && r > 0 => ws.write_number(r, c, x),
                    _ => ws.write_string(r, c, *v),
                }
                .expect("cell");
            }
        }
        wb.save(path).expect("save");
    }

    fn messages(p: &crate::io::Parsed) -> Vec<String> {
        p.rejects.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn a_bad_row_is_named_by_its_sheet_row_and_field() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("c.xlsx");
        workbook(
            &path,
            &[
                &["部件标识码*", "经度", "纬度", "部件状态"],
                &["3310030101900001", "121.2325", "28.6485", "完好"],
                &["3310030101900002", "121.2325", "95", "完好"],
                &["3310030101900003", "121.2325", "28.6485", "坏了"],
            ],
            false,
        );
        let m = Model::sample();
        let p = m.read(&path, Dataset::Components);
        assert_eq!(p.records.len(), 1, "{:?}", messages(&p));
        let at: Vec<_> = p
            .rejects
            .iter()
            .map(|r| (r.location.position, r.location.field.clone()))
            .collect();
        assert_eq!(
            at,
            [
                (Position::Line(3), Some("lat".to_string())),
                (Position::Line(4), Some("state".to_string()))
            ]
        );
        let all = messages(&p).join("\n");
        assert!(all.contains("c.xlsx, line 3, field `lat`"), "{all}");
        // A header the importer does not understand is refused at row 1.
        workbook(&path, &[&["foo", "经度", "纬度"], &["1", "2", "3"]], false);
        let p = m.read(&path, Dataset::Components);
        assert_eq!(p.rejects.total(), 1);
        let r = p.rejects.iter().next().expect("reject");
        assert_eq!(r.location.position, Position::Line(1));
        assert_eq!(r.location.field.as_deref(), Some("code"));
    }

    #[test]
    fn numeric_codes_read_as_their_digits_and_dates_as_cells_or_text() {
        let dir = tempfile::tempdir().expect("dir");
        // Codes stored as numbers, as Excel keeps a typed-in code.
        let path = dir.path().join("n.xlsx");
        workbook(
            &path,
            &[
                &["code", "class_code", "lon", "lat"],
                &["3310030101900001", "101", "121.2325", "28.6485"],
            ],
            true,
        );
        let m = Model::sample();
        let p = m.read(&path, Dataset::Components);
        // `101`: a 4-digit class typed as a number loses its leading zero; that is refused
        // by the class check, not read as `101.0`.
        let all = messages(&p).join("\n");
        assert!(all.contains("`101`") && !all.contains("101.0"), "{all}");
        workbook(
            &path,
            &[
                &["code", "lon", "lat"],
                &["3310030101900001", "121.2325", "28.6485"],
            ],
            true,
        );
        let p = m.read(&path, Dataset::Components);
        assert!(p.rejects.is_empty(), "{:?}", messages(&p));
        match &p.records {
            crate::io::Records::Components(v) => {
                assert_eq!(v[0].code.as_str(), "3310030101900001")
            }
            other => panic!("{other:?}"),
        }

        // A grid whose code is a number and whose start date is a date cell, a second one
        // with the date as text, then blank rows.
        let path = dir.path().join("g.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let wkt = |x: f64| {
            format!(
                "POLYGON(({x} 28.6482,{} 28.6482,{} 28.6484,{x} 28.6484,{x} 28.6482))",
                x + 0.0002,
                x + 0.0002
            )
        };
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let blank = Format::new().set_bold();
        for (c, h) in ["网格编码*", "开始日期*", "几何"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).expect("h");
        }
        ws.write_number(1, 0, 331003001001901.0).expect("n");
        let d = ExcelDateTime::from_ymd(2026, 1, 1).expect("d");
        ws.write_datetime_with_format(1, 1, &d, &date).expect("d");
        ws.write_string(1, 2, wkt(121.2322)).expect("w");
        ws.write_number(2, 0, 331003001001902.0).expect("n");
        ws.write_string(2, 1, "2026/01/02").expect("d");
        ws.write_string(2, 2, wkt(121.2325)).expect("w");
        // Formatted but empty cells at the end make rows calamine reports, all empty.
        ws.write_blank(6, 0, &blank).expect("b");
        ws.write_string(7, 2, "  ").expect("b");
        wb.save(&path).expect("save");
        let p = m.read(&path, Dataset::Grids);
        assert!(p.rejects.is_empty(), "{:?}", messages(&p));
        match &p.records {
            crate::io::Records::Grids(v) => {
                let got: Vec<_> = v
                    .iter()
                    .map(|g| (g.code.to_string(), g.start_date.to_string()))
                    .collect();
                assert_eq!(
                    got,
                    [
                        ("331003001001901".to_string(), "2026-01-01".to_string()),
                        ("331003001001902".to_string(), "2026-01-02".to_string())
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn streets_and_communities_come_with_wkt_into_a_district_outline() {
        let dir = tempfile::tempdir().expect("dir");
        let mut m = Model::district();
        let path = dir.path().join("s.xlsx");
        workbook(
            &path,
            &[
                &["街道编码*", "街道名称*", "边界WKT*"],
                &[
                    "331003001",
                    "西城街道",
                    "MULTIPOLYGON(((121.23 28.64,121.24 28.64,121.24 28.65,121.23 28.65,121.23 28.64)))",
                ],
                &["331003002", "东城街道", "POINT(121.25 28.64)"],
            ],
            false,
        );
        let p = m.read(&path, Dataset::Streets);
        assert_eq!(p.records.len(), 1);
        let r = p.rejects.iter().next().expect("reject");
        assert_eq!(r.location.position, Position::Line(3));
        assert_eq!(r.location.field.as_deref(), Some("wkt"));
        m.add(p.records);
        // The same in CSV, for communities.
        let csv = dir.path().join("c.csv");
        std::fs::write(
            &csv,
            "社区编码,社区名称,wkt\n331003001001,永宁社区,\"POLYGON((121.23 28.64,121.235 28.64,121.235 28.645,121.23 28.645,121.23 28.64))\"\n",
        )
        .expect("csv");
        let p = m.read(&csv, Dataset::Communities);
        assert!(p.rejects.is_empty(), "{:?}", messages(&p));
        m.add(p.records);
        assert_eq!((m.streets.len(), m.communities.len()), (1, 1));
        // Without the geometry column the header is refused.
        std::fs::write(&csv, "社区编码,社区名称\n331003001002,劳动社区\n").expect("csv");
        let p = m.read(&csv, Dataset::Communities);
        let all = messages(&p).join("\n");
        assert!(
            all.contains("line 1, field `wkt`: missing column `wkt`"),
            "{all}"
        );
    }
}
