//! CSV reading: a header row resolved once to column positions, then rows read as byte records
//! in chunks and converted in parallel (the 1 000 000-case import path).
//!
//! **Streaming.** A file is read as it is converted, never whole: memory holds a chunk of rows,
//! the valid rows kept, and a bounded list of rejects, so a file of garbage costs the same
//! memory at 200 MB as at 2 MB (docs/exchange.md, "Large files").
//!
//! **Encoding.** A file whose first MiB is UTF-8 (with or without a BOM) is read as UTF-8;
//! otherwise as GB18030 (the superset of GBK, what Excel writes on a Chinese Windows) when that
//! MiB decodes as GB18030 without error, else as it is (its fields are then refused as not
//! UTF-8). `--encoding` ([`TextEncoding`]) overrides the guess.

use super::fields::{
    check_lon_lat, clip, not_utf8, required_missing, Field, Problem, Record, LAT, LON, WKT,
};
use super::records::Row;
use super::{Reject, TextEncoding};
use crate::error::Position;
use crate::message::{Geom, Message, MessageCode as C, Reason};
use csv::ByteRecord;
use geo_types::{Geometry, MultiPolygon, Point};
use rayon::prelude::*;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

/// Rows converted per parallel batch.
const CHUNK: usize = 4 * 1024;

/// Where the rows of a table (CSV or XLSX) carry their geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// No geometry (duty grids).
    None,
    /// `lon` and `lat` columns (components, cases).
    Point,
    /// A `wkt` column with a Polygon or MultiPolygon in lon/lat (streets, communities, grids).
    Polygon,
}

/// The columns of a file, resolved against a dataset's fields.
pub struct Columns {
    cols: Vec<(&'static str, usize)>,
    pub(crate) lon: Option<usize>,
    pub(crate) lat: Option<usize>,
    pub(crate) wkt: Option<usize>,
    pub(crate) width: usize,
}

impl Columns {
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.cols.iter().find(|(n, _)| *n == name).map(|&(_, i)| i)
    }

    /// Resolves a header row (CSV line 1, an XLSX sheet's first row) against a dataset's
    /// `fields`: every column that `required` names must be there, and the geometry's columns
    /// for `shape`. A reject of line 1 when not.
    pub(crate) fn resolve(
        file: &str,
        names: &[Cow<'_, str>],
        fields: &[Field],
        required: &[Field],
        shape: Shape,
    ) -> Result<Columns, Reject> {
        let header_err =
            |field: Option<&str>, m: Reason| Reject::new(file, Position::Line(1), field, m);
        if names.iter().all(|h| h.trim().is_empty()) {
            return Err(header_err(
                None,
                Message::new(C::CsvNoHeader).en("the file has no header row"),
            ));
        }
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
        let geometry: &[Field] = match shape {
            Shape::None => &[],
            Shape::Point => &[LON, LAT],
            Shape::Polygon => &[WKT],
        };
        let mut found = Vec::with_capacity(geometry.len());
        for f in geometry {
            found.push(resolve(f)?);
        }
        let mut missing: Vec<&str> = required
            .iter()
            .filter(|f| !cols.iter().any(|(n, _)| *n == f.name))
            .map(|f| f.name)
            .collect();
        missing.extend(
            geometry
                .iter()
                .zip(&found)
                .filter(|(_, c)| c.is_none())
                .map(|(f, _)| f.name),
        );
        if let Some(first) = missing.first() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let known = |n: &str| {
                fields.iter().any(|f| f.matches(n)) || geometry.iter().any(|f| f.matches(n))
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
            expected.extend(geometry.iter().map(Field::described));
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
        let at = |f: &Field| {
            geometry
                .iter()
                .zip(&found)
                .find(|(g, _)| g.name == f.name)
                .and_then(|(_, c)| *c)
        };
        Ok(Columns {
            cols,
            lon: at(&LON),
            lat: at(&LAT),
            wkt: at(&WKT),
            width: names.len(),
        })
    }
}

/// A number in a cell (`None`: empty), for field `f`.
pub(crate) fn number(s: Option<&str>, f: &Field) -> Result<f64, Problem> {
    let p = |m: Reason| Problem::new(Some(f.name), m);
    let s = s.ok_or_else(|| p(required_missing()))?;
    s.parse::<f64>().map_err(|_| {
        p(Message::new(C::NotANumber)
            .text("value", clip(s))
            .en(format!("`{}` is not a number", clip(s))))
    })
}

/// A row's point from its `lon` and `lat` cells, range-checked.
pub(crate) fn point(lon: Option<&str>, lat: Option<&str>) -> Result<Point<f64>, Problem> {
    let lon = number(lon, &LON)?;
    let lat = number(lat, &LAT)?;
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

/// A row's polygons from its `wkt` cell: a `POLYGON` or `MULTIPOLYGON` in lon/lat, checked
/// for range and validity (as GeoJSON polygons are), exteriors counter-clockwise.
pub(crate) fn wkt_polygons(s: Option<&str>) -> Result<MultiPolygon<f64>, Problem> {
    use geo::orient::{Direction, Orient};
    use geo::{CoordsIter, Validation};
    use wkt::TryFromWkt;
    let p = |m: Reason| Problem::new(Some(WKT.name), m);
    let s = s.ok_or_else(|| p(required_missing()))?;
    let g = Geometry::<f64>::try_from_wkt_str(s).map_err(|e| {
        p(Message::new(C::GeometryUnreadable).en(format!("`{}` is not WKT: {e}", clip(s))))
    })?;
    let mp = match g {
        Geometry::Polygon(poly) => MultiPolygon(vec![poly]),
        Geometry::MultiPolygon(m) if !m.0.is_empty() => m,
        Geometry::MultiPolygon(_) => {
            return Err(p(
                Message::new(C::MultipolygonEmpty).en("MULTIPOLYGON has no polygons")
            ))
        }
        other => {
            return Err(p(Message::new(C::ExpectedGeometry)
                .terms("expected", [Geom::Polygon, Geom::MultiPolygon])
                .term("found", Geom::of(&other))
                .en("expected a POLYGON or MULTIPOLYGON")))
        }
    };
    if mp.0.iter().any(|poly| poly.exterior().0.len() < 4) {
        return Err(p(Message::new(C::RingTooShort)
            .int(
                "count",
                mp.0.iter().map(|q| q.exterior().0.len()).min().unwrap_or(0),
            )
            .en("a polygon's ring needs at least 4 positions")));
    }
    for c in mp.coords_iter() {
        check_lon_lat(c.x, c.y).map_err(p)?;
    }
    if let Err(e) = mp.check_validation() {
        return Err(p(super::geojson_in::invalid_multipolygon(&e)));
    }
    Ok(mp.orient(Direction::Default))
}

/// One CSV row.
pub struct CsvRecord<'a> {
    rec: &'a ByteRecord,
    cols: &'a Columns,
}

impl CsvRecord<'_> {
    /// The trimmed text of a column; `None` when absent or blank.
    fn cell(&self, col: Option<usize>) -> Result<Option<&str>, Reason> {
        let Some(raw) = col.and_then(|i| self.rec.get(i)) else {
            return Ok(None);
        };
        let s = std::str::from_utf8(raw).map_err(|_| not_utf8())?.trim();
        Ok((!s.is_empty()).then_some(s))
    }
}

impl Record for CsvRecord<'_> {
    fn text(&self, f: &Field) -> Result<Option<Cow<'_, str>>, Reason> {
        Ok(self.cell(self.cols.find(f.name))?.map(Cow::Borrowed))
    }

    fn point(&self) -> Result<Point<f64>, Problem> {
        let lon = self
            .cell(self.cols.lon)
            .map_err(|m| Problem::new(Some(LON.name), m))?;
        let lat = self
            .cell(self.cols.lat)
            .map_err(|m| Problem::new(Some(LAT.name), m))?;
        point(lon, lat)
    }

    fn polygons(&self) -> Result<MultiPolygon<f64>, Problem> {
        let wkt = self
            .cell(self.cols.wkt)
            .map_err(|m| Problem::new(Some(WKT.name), m))?;
        wkt_polygons(wkt)
    }
}

/// How much of a file the encoding is guessed from.
const SNIFF: usize = 1 << 20;

/// The bytes of a CSV file as UTF-8, read as they are needed (see the module docs): a
/// byte-order mark dropped, GB18030 decoded when `encoding` says so or the start of the file
/// is not UTF-8.
pub fn utf8_reader<'a>(
    mut input: Box<dyn Read + 'a>,
    encoding: Option<TextEncoding>,
) -> std::io::Result<Box<dyn Read + 'a>> {
    let mut head = Vec::with_capacity(64 * 1024);
    (&mut input).take(SNIFF as u64).read_to_end(&mut head)?;
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let gbk = match encoding {
        Some(TextEncoding::Utf8) => false,
        Some(TextEncoding::Gbk) => true,
        None => {
            let body = &head[bom..];
            // The sniffed part may end inside a character: judge it up to its last line feed
            // when it has one.
            let whole = head.len() < SNIFF;
            let judged = match body.iter().rposition(|&b| b == b'\n') {
                Some(i) if !whole => &body[..=i],
                _ => body,
            };
            let utf8 = match std::str::from_utf8(judged) {
                Ok(_) => true,
                Err(e) => !whole && e.error_len().is_none(),
            };
            !utf8
                && encoding_rs::GB18030
                    .decode_without_bom_handling_and_without_replacement(judged)
                    .is_some()
        }
    };
    head.drain(..bom);
    let raw: Box<dyn Read + 'a> = Box::new(std::io::Cursor::new(head).chain(input));
    Ok(if gbk {
        Box::new(Decoding::new(raw))
    } else {
        raw
    })
}

/// GB18030 bytes read as UTF-8, decoded a buffer at a time (`encoding_rs`'s streaming
/// decoder; malformed sequences become U+FFFD, as the whole-file decoding did).
struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    done: bool,
}

impl<R: Read> Decoding<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            decoder: encoding_rs::GB18030.new_decoder_without_bom_handling(),
            input: vec![0; 32 * 1024],
            start: 0,
            end: 0,
            output: vec![0; 64 * 1024],
            out_start: 0,
            out_end: 0,
            eof: false,
            done: false,
        }
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = self.inner.read(&mut self.input)?;
                self.eof = self.end == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.start..self.end],
                &mut self.output,
                self.eof,
            );
            self.start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && self.start == self.end && result == encoding_rs::CoderResult::InputEmpty
            {
                self.done = true;
            }
        }
    }
}

/// A reader that notes where its line feeds are, for [`Lines`].
struct Feeds<R> {
    inner: R,
    at: u64,
    feeds: Rc<RefCell<VecDeque<u64>>>,
}

impl<R: Read> Read for Feeds<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut feeds = self.feeds.borrow_mut();
        for (i, _) in buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n') {
            feeds.push_back(self.at + i as u64);
        }
        self.at += n as u64;
        Ok(n)
    }
}

/// Line numbers of byte offsets asked in increasing order, from the line feeds a [`Feeds`]
/// saw: only the feeds ahead of the last offset asked are kept (the reader's read-ahead).
struct Lines {
    feeds: Rc<RefCell<VecDeque<u64>>>,
    passed: u64,
}

impl Lines {
    /// The 1-based line the byte at `offset` is on (as [`LineIndex::line_at`]).
    ///
    /// [`LineIndex::line_at`]: griddesk_core::csvtable::LineIndex::line_at
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut feeds = self.feeds.borrow_mut();
        while feeds.front().is_some_and(|&f| f < offset) {
            feeds.pop_front();
            self.passed += 1;
        }
        // On CRLF text the reader puts a record's start on the line feed that ends the line
        // before it: the record starts after that feed.
        let on_feed = feeds.front().is_some_and(|&f| f == offset);
        self.passed + u64::from(on_feed) + 1
    }

    fn line_of(&mut self, p: Option<&csv::Position>) -> u64 {
        p.map_or(0, |p| self.line_at(p.byte()))
    }
}

enum Item {
    Rec(ByteRecord, u64),
    Bad(u64, Reason),
}

/// Reads every row of a CSV file and converts it with `parse`, in file order. `fields` are the
/// dataset's fields, `required` those whose column must exist; `shape` says which columns hold
/// the geometry (`lon`/`lat`, `wkt`).
/// Each converted chunk goes through `sink`, which keeps what it returns (the valid rows: the
/// rejected ones are counted there, so a file of garbage is never held as rejects whole).
/// Rows before line `from` are read past, not converted (0: every row); they are converted on
/// every thread (`parallel`) or on the caller's alone.
#[allow(clippy::too_many_arguments)]
pub fn rows<T: Send>(
    file: &str,
    input: Box<dyn Read + '_>,
    encoding: Option<TextEncoding>,
    fields: &[Field],
    required: &[Field],
    shape: Shape,
    (from, parallel): (u64, bool),
    parse: &(dyn Fn(&CsvRecord<'_>) -> Result<T, Vec<Problem>> + Sync),
    sink: &mut dyn FnMut(Vec<Row<T>>) -> Vec<Row<T>>,
) -> Result<Vec<Row<T>>, Reject> {
    let text = utf8_reader(input, encoding).map_err(|e| {
        Reject::new(
            file,
            Position::File,
            None,
            Message::new(C::CsvHeaderUnreadable).en(format!("unreadable file: {e}")),
        )
    })?;
    let feeds = Rc::new(RefCell::new(VecDeque::new()));
    let mut lines = Lines {
        feeds: Rc::clone(&feeds),
        passed: 0,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(Feeds {
            inner: text,
            at: 0,
            feeds,
        });
    let headers = rdr
        .byte_headers()
        .map_err(|e| {
            Reject::new(
                file,
                Position::Line(1),
                None,
                Message::new(C::CsvHeaderUnreadable).en(format!("unreadable header row: {e}")),
            )
        })?
        .clone();
    let names: Vec<Cow<'_, str>> = headers.iter().map(String::from_utf8_lossy).collect();
    let cols = Columns::resolve(file, &names, fields, required, shape)?;

    let mut out = Vec::new();
    let mut chunk: Vec<Item> = Vec::with_capacity(CHUNK);
    // Records of the batch before, read into again instead of allocated anew.
    let mut spare: Vec<ByteRecord> = Vec::with_capacity(CHUNK);
    let mut last_error_at = None;
    loop {
        spare.extend(chunk.drain(..).filter_map(|item| match item {
            Item::Rec(rec, _) => Some(rec),
            Item::Bad(..) => None,
        }));
        let mut done = false;
        while chunk.len() < CHUNK {
            let mut rec = spare
                .pop()
                .unwrap_or_else(|| ByteRecord::with_capacity(256, cols.width));
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {
                    let line = lines.line_of(rec.position());
                    if line >= from {
                        chunk.push(Item::Rec(rec, line));
                    } else {
                        spare.push(rec);
                    }
                }
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
        let convert = |item: &Item| match item {
            Item::Bad(line, m) => Row {
                position: Position::Line(*line),
                result: Err(vec![Problem::new(None, m.clone())]),
            },
            Item::Rec(rec, line) => {
                let line = *line;
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
        };
        // One thread when the caller runs beside other work (a write), else all of them.
        let converted: Vec<Row<T>> = if parallel {
            chunk.par_iter().map(convert).collect()
        } else {
            chunk.iter().map(convert).collect()
        };
        out.extend(sink(converted));
        if done {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader that hands out at most `step` bytes a call, as a pipe or a slow disk may.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn read_all(bytes: &[u8], step: usize, enc: Option<TextEncoding>) -> Vec<u8> {
        let mut out = Vec::new();
        utf8_reader(Box::new(Trickle { bytes, step }), enc)
            .and_then(|mut r| r.read_to_end(&mut out))
            .expect("read");
        out
    }

    /// The line of every row, as `rows` reports it.
    fn lines_of(bytes: &[u8], step: usize) -> Vec<u64> {
        let rows = rows(
            "t.csv",
            Box::new(Trickle { bytes, step }),
            None,
            &[],
            &[],
            Shape::None,
            (0, true),
            &|_| Ok(()),
            &mut |c| c,
        )
        .expect("rows");
        rows.iter()
            .map(|r| match r.position {
                Position::Line(l) => l,
                _ => 0,
            })
            .collect()
    }

    #[test]
    fn gbk_decodes_the_same_whatever_the_reads_cut_and_the_start_decides_the_guess() {
        let text = "编号,名称,经度,纬度\r\n1,井盖破损（横街路）,121.26,28.65\r\n".repeat(50);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        for step in [1, 2, 3, 7, 4096] {
            assert_eq!(read_all(&gbk, step, None), text.as_bytes(), "step {step}");
            assert_eq!(
                read_all(&gbk, step, Some(TextEncoding::Gbk)),
                text.as_bytes()
            );
        }
        // UTF-8 with a BOM: the mark dropped, nothing decoded.
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(read_all(&bom, 5, None), text.as_bytes());
        // A UTF-8 file longer than what is sniffed, with a character across the sniff's end:
        // still UTF-8.
        let long = format!("{}\n{}", "a".repeat(SNIFF - 2), "横街路\n".repeat(10));
        assert_eq!(read_all(long.as_bytes(), 65536, None), long.as_bytes());
    }

    #[test]
    fn rows_are_numbered_by_line_on_lf_crlf_and_quoted_line_breaks() {
        let lf = "a,b\n1,2\n3,4\n\"x\ny\",5\n6,7\n";
        let crlf = lf.replace('\n', "\r\n");
        for step in [1, 3, 8192] {
            assert_eq!(
                lines_of(lf.as_bytes(), step),
                [2, 3, 4, 6],
                "lf, step {step}"
            );
            assert_eq!(
                lines_of(crlf.as_bytes(), step),
                [2, 3, 4, 6],
                "crlf, step {step}"
            );
        }
    }

    /// Garbage made up as it is read, counting what was taken.
    struct Endless {
        taken: Rc<std::cell::Cell<usize>>,
        limit: usize,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let at = self.taken.get();
            let n = buf.len().min(self.limit - at);
            for (i, b) in buf[..n].iter_mut().enumerate() {
                *b = if (at + i) % 40 == 39 {
                    b'\n'
                } else {
                    b"x,y;z"[(at + i) % 5]
                };
            }
            self.taken.set(at + n);
            Ok(n)
        }
    }

    #[test]
    fn a_large_file_is_converted_as_it_is_read_not_after() {
        let taken = Rc::new(std::cell::Cell::new(0));
        let input = Endless {
            taken: Rc::clone(&taken),
            limit: 16 << 20,
        };
        let mut seen_at: Vec<usize> = Vec::new();
        let mut rows_seen = 0usize;
        let kept = rows(
            "g.csv",
            Box::new(input),
            None,
            &[],
            &[],
            Shape::None,
            (0, true),
            &|_| Err::<(), _>(vec![Problem::new(None, required_missing())]),
            &mut |chunk| {
                seen_at.push(taken.get());
                rows_seen += chunk.len();
                Vec::new()
            },
        )
        .expect("rows");
        assert!(kept.is_empty());
        assert_eq!(
            rows_seen,
            (16usize << 20).div_ceil(40) - 1,
            "every row but the header"
        );
        // The first batch arrives after a few hundred KiB of 16 MiB, and no batch waits for
        // more than its rows plus the reader's buffers.
        assert!(
            seen_at[0] < SNIFF + (1 << 20),
            "first batch after {} bytes",
            seen_at[0]
        );
        let most = seen_at.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        assert!(most < 1 << 20, "a batch took {most} bytes");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Streamed line numbers agree with the whole-file index for any mix of line ends,
        /// blank-free rows and quoted breaks, whatever sizes the reads come in.
        #[test]
        fn streamed_lines_agree_with_the_whole_file_index(
            rows in proptest::collection::vec((0u8..3, "[a-z]{0,4}", any::<bool>()), 1..40),
            step in 1usize..64,
        ) {
            let mut text = String::from("a,b\n");
            for (end, word, quoted) in &rows {
                let field = if *quoted { format!("\"{word}\n{word}\"") } else { format!("w{word}") };
                text.push_str(&field);
                text.push_str(",1");
                text.push_str(match end { 0 => "\n", 1 => "\r\n", _ => "\r\n" });
            }
            let bytes = text.as_bytes();
            let index = griddesk_core::csvtable::LineIndex::new(bytes);
            let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(bytes);
            let mut expected = Vec::new();
            let mut rec = ByteRecord::new();
            while rdr.read_byte_record(&mut rec).unwrap_or(false) {
                expected.push(index.line_of(rec.position()));
            }
            prop_assert_eq!(lines_of(bytes, step), expected);
        }
    }
}
