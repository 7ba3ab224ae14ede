//! CSV reading: a header row resolved once to column positions, then rows read as byte records
//! in chunks and converted in parallel (the 1 000 000-case import path).
//!
//! **Encoding.** Valid UTF-8 (with or without a BOM) is read as UTF-8; anything else is read as
//! GB18030 (the superset of GBK, what Excel writes on a Chinese Windows) when it decodes
//! without error, else as it is (its fields are then refused as not UTF-8). `--encoding`
//! ([`TextEncoding`]) overrides the guess.

use super::fields::{
    check_lon_lat, clip, not_utf8, required_missing, Field, Problem, Record, LAT, LON,
};
use super::records::Row;
use super::{Reject, TextEncoding};
use crate::error::Position;
use crate::message::{Message, MessageCode as C, Reason};
use csv::ByteRecord;
use geo_types::{MultiPolygon, Point};
use rayon::prelude::*;
use std::borrow::Cow;

/// Rows converted per parallel batch.
const CHUNK: usize = 32 * 1024;

/// The columns of a file, resolved against a dataset's fields.
pub struct Columns {
    cols: Vec<(&'static str, usize)>,
    lon: Option<usize>,
    lat: Option<usize>,
    width: usize,
}

impl Columns {
    fn find(&self, name: &str) -> Option<usize> {
        self.cols.iter().find(|(n, _)| *n == name).map(|&(_, i)| i)
    }
}

/// One CSV row.
pub struct CsvRecord<'a> {
    rec: &'a ByteRecord,
    cols: &'a Columns,
}

impl CsvRecord<'_> {
    fn number(&self, col: Option<usize>, f: &Field) -> Result<f64, Problem> {
        let p = |m: Reason| Problem::new(Some(f.name), m);
        let raw = col.and_then(|i| self.rec.get(i)).unwrap_or_default();
        let s = std::str::from_utf8(raw).map_err(|_| p(not_utf8()))?.trim();
        if s.is_empty() {
            return Err(p(required_missing()));
        }
        s.parse::<f64>().map_err(|_| {
            p(Message::new(C::NotANumber)
                .text("value", clip(s))
                .en(format!("`{}` is not a number", clip(s))))
        })
    }
}

impl Record for CsvRecord<'_> {
    fn text(&self, f: &Field) -> Result<Option<Cow<'_, str>>, Reason> {
        let Some(raw) = self.cols.find(f.name).and_then(|i| self.rec.get(i)) else {
            return Ok(None);
        };
        let s = std::str::from_utf8(raw).map_err(|_| not_utf8())?.trim();
        Ok((!s.is_empty()).then_some(Cow::Borrowed(s)))
    }

    fn point(&self) -> Result<Point<f64>, Problem> {
        let lon = self.number(self.cols.lon, &LON)?;
        let lat = self.number(self.cols.lat, &LAT)?;
        check_lon_lat(lon, lat).map_err(|m| {
            let field = if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
                LON.name
            } else {
                LAT.name
            };
            Problem::new(Some(field), m)
        })?;
        Ok(Point::new(lon, lat))
    }

    fn polygons(&self) -> Result<MultiPolygon<f64>, Problem> {
        Err(Problem::new(
            None,
            Message::new(C::CsvNoPolygons).en("CSV rows carry no polygons; use GeoJSON"),
        ))
    }
}

/// The bytes of a CSV file as UTF-8 (see the module docs): `encoding` forces one, else it is
/// detected.
pub fn to_utf8(bytes: &[u8], encoding: Option<TextEncoding>) -> Cow<'_, [u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match encoding {
        Some(TextEncoding::Utf8) => Cow::Borrowed(bytes),
        Some(TextEncoding::Gbk) => {
            let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            cow_bytes(text)
        }
        None if std::str::from_utf8(bytes).is_ok() => Cow::Borrowed(bytes),
        None => {
            match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => cow_bytes(text),
                None => Cow::Borrowed(bytes),
            }
        }
    }
}

fn cow_bytes(text: Cow<'_, str>) -> Cow<'_, [u8]> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

enum Item {
    Rec(ByteRecord),
    Bad(u64, Reason),
}

/// Reads every row of a CSV file and converts it with `parse`, in file order. `fields` are the
/// dataset's fields, `required` those whose column must exist; `point` asks for `lon`/`lat`.
/// Each converted chunk goes through `sink`, which keeps what it returns (the valid rows: the
/// rejected ones are counted there, so a file of garbage is never held as rejects whole).
#[allow(clippy::too_many_arguments)]
pub fn rows<T: Send>(
    file: &str,
    bytes: &[u8],
    encoding: Option<TextEncoding>,
    fields: &[Field],
    required: &[Field],
    point: bool,
    parse: &(dyn Fn(&CsvRecord<'_>) -> Result<T, Vec<Problem>> + Sync),
    sink: &mut dyn FnMut(Vec<Row<T>>) -> Vec<Row<T>>,
) -> Result<Vec<Row<T>>, Reject> {
    let text = to_utf8(bytes, encoding);
    let bytes: &[u8] = &text;
    let lines = griddesk_core::csvtable::LineIndex::new(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let header_err =
        |field: Option<&str>, m: Reason| Reject::new(file, Position::Line(1), field, m);
    let headers = rdr
        .byte_headers()
        .map_err(|e| {
            header_err(
                None,
                Message::new(C::CsvHeaderUnreadable).en(format!("unreadable header row: {e}")),
            )
        })?
        .clone();
    if headers.is_empty()
        || headers
            .iter()
            .all(|h| h.iter().all(u8::is_ascii_whitespace))
    {
        return Err(header_err(
            None,
            Message::new(C::CsvNoHeader).en("the file has no header row"),
        ));
    }
    let names: Vec<Cow<'_, str>> = headers.iter().map(String::from_utf8_lossy).collect();
    let resolve = |f: &Field| -> Result<Option<usize>, Reject> {
        let hits: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| f.matches(n))
            .map(|(i, _)| i)
            .collect();
        match hits.as_slice() {
            [] => Ok(None),
            [i] => Ok(Some(*i)),
            [a, b, ..] => Err(header_err(
                Some(f.name),
                Message::new(C::CsvColumnsClash)
                    .text("a", clip(&names[*a]))
                    .text("b", clip(&names[*b]))
                    .text("field", f.name)
                    .en(format!(
                        "columns `{}` and `{}` both give `{}`",
                        clip(&names[*a]),
                        clip(&names[*b]),
                        f.name
                    )),
            )),
        }
    };
    let mut cols = Vec::new();
    for f in fields {
        if let Some(i) = resolve(f)? {
            cols.push((f.name, i));
        }
    }
    let (lon, lat) = if point {
        (resolve(&LON)?, resolve(&LAT)?)
    } else {
        (None, None)
    };
    let mut missing: Vec<&str> = required
        .iter()
        .filter(|f| !cols.iter().any(|(n, _)| *n == f.name))
        .map(|f| f.name)
        .collect();
    if point {
        missing.extend(
            [(lon, LON.name), (lat, LAT.name)]
                .iter()
                .filter(|(c, _)| c.is_none())
                .map(|(_, n)| *n),
        );
    }
    if let Some(first) = missing.first() {
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let known = |n: &str| {
            fields.iter().any(|f| f.matches(n)) || (point && (LON.matches(n) || LAT.matches(n)))
        };
        let unknown: Vec<String> = names
            .iter()
            .filter(|n| !n.trim().is_empty() && !known(n))
            .map(|n| clip(n.trim()).into_owned())
            .collect();
        if unknown.is_empty() {
            return Err(header_err(
                Some(first),
                Message::new(C::CsvMissingColumns)
                    .texts("columns", &missing)
                    .en(format!("missing column {list}")),
            ));
        }
        let mut expected: Vec<String> = fields.iter().map(Field::described).collect();
        if point {
            expected.extend([LON.described(), LAT.described()]);
        }
        let shown = unknown
            .iter()
            .map(|u| format!("`{u}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(header_err(
            Some(first),
            Message::new(C::CsvHeaderNotUnderstood)
                .texts("columns", &missing)
                .texts("unknown", &unknown)
                .texts("expected", &expected)
                .en(format!(
                    "missing column {list}: the header has columns GridDesk does not understand ({shown}); \
                     expected column names: {}",
                    expected.join("; ")
                )),
        ));
    }
    let cols = Columns {
        cols,
        lon,
        lat,
        width: headers.len(),
    };

    let mut out = Vec::new();
    let mut chunk: Vec<Item> = Vec::with_capacity(CHUNK);
    let mut last_error_at = None;
    loop {
        chunk.clear();
        let mut done = false;
        while chunk.len() < CHUNK {
            let mut rec = ByteRecord::new();
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => chunk.push(Item::Rec(rec)),
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    let line = lines.line_of(e.position());
                    let at = e.position().map(|p| p.byte());
                    // An error that does not move the reader forward would repeat forever.
                    let fatal = matches!(e.kind(), csv::ErrorKind::Io(_))
                        || at.is_none()
                        || at == last_error_at;
                    last_error_at = at;
                    chunk.push(Item::Bad(
                        line,
                        Message::new(C::CsvRowUnreadable).en(format!("unreadable row: {e}")),
                    ));
                    if fatal {
                        done = true;
                        break;
                    }
                }
            }
        }
        let converted: Vec<Row<T>> = chunk
            .par_iter()
            .map(|item| match item {
                Item::Bad(line, m) => Row {
                    position: Position::Line(*line),
                    result: Err(vec![Problem::new(None, m.clone())]),
                },
                Item::Rec(rec) => {
                    let line = lines.line_of(rec.position());
                    let r = CsvRecord { rec, cols: &cols };
                    let result = if rec.len() != cols.width {
                        Err(vec![Problem::new(
                            None,
                            Message::new(C::CsvRowWidth)
                                .int("count", rec.len())
                                .int("width", cols.width)
                                .en(format!(
                                    "row has {} fields, the header has {}",
                                    rec.len(),
                                    cols.width
                                )),
                        )])
                    } else {
                        parse(&r)
                    };
                    Row {
                        position: Position::Line(line),
                        result,
                    }
                }
            })
            .collect();
        out.extend(sink(converted));
        if done {
            break;
        }
    }
    Ok(out)
}
