//! Point datasets (cases, components) imported from CSV without holding their rows: the file
//! is read twice, never whole (docs/exchange.md, "Large files").
//!
//! 1. **Check**, with the store free: every row is converted and checked, keys are checked
//!    against the file and the store, points are located (to count those in no grid). What
//!    is kept is the reject list (bounded), each key with the position of its first row, and
//!    the valid rows of the file's first [`KEEP`] rows.
//! 2. **Write**, only when the check allows it (no reject, or `--valid-only`), inside one
//!    transaction: the kept rows, then — for a longer file — the file read again from the
//!    first row not kept, each batch of rows converted, located and inserted. A row is
//!    written when it is the first of its key that the check kept; a file that changed
//!    between the two readings is refused and nothing is written.
//!
//! Memory holds at most [`KEEP`] rows, three batches of [`SEND_BATCH`] rows, the reject list
//! and the keys (about 50 bytes each, [`SeenKeys`]), whatever the file's size; a file of up to
//! [`KEEP`] rows is read once.

use super::csv_in;
use super::fields::{Field, Problem, Record};
use super::keys::SeenKeys;
use super::records::{self, Records};
use super::{Dataset, ImportOptions, ImportReport, Locate, Reject, TextEncoding};
use crate::error::{Error, Position, Rejects, Result};
use crate::index::SpatialIndex;
use crate::message::{Message, MessageCode as C};
use crate::model::{Case, Component};
use griddesk_store::ModelStore;
use std::collections::HashSet;
use std::path::Path;

/// Imports a cases or components CSV file in two streamed passes; `None` for other datasets
/// (read whole by [`super::records`]).
#[allow(clippy::too_many_arguments)]
pub fn import_csv(
    store: &mut dyn ModelStore,
    index: &SpatialIndex,
    path: &Path,
    file: &str,
    encoding: Option<TextEncoding>,
    dataset: Dataset,
    opts: ImportOptions,
    locate: &Locate<'_>,
) -> Option<Result<ImportReport>> {
    import_csv_keeping(
        store, index, path, file, encoding, dataset, opts, locate, KEEP,
    )
}

/// [`import_csv`] keeping at most `keep` rows from the check.
#[allow(clippy::too_many_arguments)]
fn import_csv_keeping(
    store: &mut dyn ModelStore,
    index: &SpatialIndex,
    path: &Path,
    file: &str,
    encoding: Option<TextEncoding>,
    dataset: Dataset,
    opts: ImportOptions,
    locate: &Locate<'_>,
    keep: usize,
) -> Option<Result<ImportReport>> {
    let run = Run {
        keep,
        index,
        path,
        file,
        encoding,
        dataset,
        opts,
        locate,
    };
    match dataset {
        Dataset::Cases => {
            let existing: HashSet<&str> = index.cases.iter().map(|c| &*c.id).collect();
            Some(run.go(
                store,
                &Kind {
                    fields: &records::CASE_FIELDS,
                    required: &records::CASE_REQUIRED,
                    parse: &records::case_row(index),
                    key_field: "id",
                    key: |c: &Case| c.id.as_str(),
                    exists: &|c: &Case| existing.contains(c.id.as_str()),
                    wrap: Records::Cases,
                    point: |c: &Case| [c.location.x(), c.location.y()],
                },
            ))
        }
        Dataset::Components => {
            let existing: HashSet<crate::code::ComponentCode> =
                index.components.iter().map(|c| c.code).collect();
            Some(run.go(
                store,
                &Kind {
                    fields: &records::COMPONENT_FIELDS,
                    required: &records::COMPONENT_REQUIRED,
                    parse: &records::component_row(index),
                    key_field: "code",
                    key: |c: &Component| c.code.as_str(),
                    exists: &|c: &Component| existing.contains(&c.code),
                    wrap: Records::Components,
                    point: |c: &Component| [c.location.x(), c.location.y()],
                },
            ))
        }
        _ => None,
    }
}

/// Rows kept from the check for the write: a file this long is read once. Longer files are read
/// again while the rows are written, and reading converts rows faster than SQLite inserts them,
/// so more kept rows save no time, only hold memory (§ docs/exchange.md "Large files").
pub const KEEP: usize = 64 * 1024;

/// Rows handed from the reading thread to the writing one at a time (at most two such batches
/// wait in between).
const SEND_BATCH: usize = 4 * 1024;

/// Points located per call: enough for the locator's sorted bulk path.
const LOCATE_BATCH: usize = 64 * 1024;

type Parse<'a, T> = dyn Fn(&dyn Record) -> std::result::Result<(T, u32), Vec<Problem>> + Sync + 'a;

/// What differs between the point datasets.
struct Kind<'a, T> {
    fields: &'a [Field],
    required: &'a [Field],
    parse: &'a Parse<'a, T>,
    key_field: &'static str,
    key: fn(&T) -> &str,
    exists: &'a (dyn Fn(&T) -> bool + Sync),
    wrap: fn(Vec<T>) -> Records,
    point: fn(&T) -> [f64; 2],
}

struct Run<'a> {
    keep: usize,
    index: &'a SpatialIndex,
    path: &'a Path,
    file: &'a str,
    encoding: Option<TextEncoding>,
    dataset: Dataset,
    opts: ImportOptions,
    locate: &'a Locate<'a>,
}

impl Run<'_> {
    /// Reads the file once more, handing each batch of converted rows to `each`.
    fn read<T: Send>(
        &self,
        kind: &Kind<'_, T>,
        from: (u64, bool),
        each: &mut dyn FnMut(Vec<records::Row<(T, u32)>>),
    ) -> std::result::Result<(), Reject> {
        let input = std::fs::File::open(self.path)
            .map_err(|e| records::unreadable(self.file, self.path, &e))?;
        csv_in::rows(
            self.file,
            Box::new(std::io::BufReader::with_capacity(256 * 1024, input)),
            self.encoding,
            kind.fields,
            kind.required,
            csv_in::Shape::Point,
            from,
            &|r| (kind.parse)(r),
            &mut |chunk| {
                each(chunk);
                Vec::new()
            },
        )
        .map(|_| ())
    }

    fn go<T: Send>(&self, store: &mut dyn ModelStore, kind: &Kind<'_, T>) -> Result<ImportReport> {
        // GRIDDESK_TIMING=1 prints how long each reading takes.
        let timing = std::env::var_os("GRIDDESK_TIMING").is_some();
        let t0 = std::time::Instant::now();
        // 1. Check.
        let mut rejects = Rejects::new();
        // Keys with the line of their first row, compactly (a million of them on a large file).
        let mut first = SeenKeys::default();
        let (mut valid, mut migrated, mut unlocated) = (0usize, 0usize, 0usize);
        // The valid rows of the file's start, and the line of the first row not kept.
        let mut kept: Vec<T> = Vec::new();
        let mut rest_from: Option<u64> = None;
        let mut seen_rows = 0usize;
        let mut points: Vec<[f64; 2]> = Vec::new();
        let checked = self.read(kind, (0, true), &mut |chunk| {
            let mut ok = Vec::with_capacity(chunk.len());
            // How many of this batch's valid rows come before the first row not kept.
            let mut keep_ok = if rest_from.is_none() { usize::MAX } else { 0 };
            for row in chunk {
                if rest_from.is_none() && seen_rows == self.keep {
                    rest_from = Some(match row.position {
                        Position::Line(l) => l,
                        _ => 0,
                    });
                    keep_ok = ok.len();
                }
                seen_rows += 1;
                match row.result {
                    Err(problems) => rejects.extend(
                        problems
                            .into_iter()
                            .map(|p| records::reject(self.file, row.position, p)),
                    ),
                    Ok((v, m)) => {
                        let k = (kind.key)(&v);
                        let refused = match first.get(k) {
                            Some(at) => {
                                Some(records::duplicate_key(self.file, kind.key_field, k, at))
                            }
                            None if (kind.exists)(&v) => {
                                Some(records::key_exists(kind.key_field, k))
                            }
                            None => None,
                        };
                        if let Some(why) = refused {
                            let at = row.position;
                            rejects.push(Reject::new(self.file, at, Some(kind.key_field), why));
                        } else {
                            first.insert(k, row.position);
                            migrated += m as usize;
                            ok.push(v);
                        }
                    }
                }
            }
            valid += ok.len();
            if self.opts.dry_run {
                // A dry run reports how many lie in no grid; a write counts them as it goes.
                points.extend(ok.iter().map(kind.point));
                if points.len() >= LOCATE_BATCH {
                    unlocated += (self.locate)(&points)
                        .iter()
                        .filter(|g| g.is_none())
                        .count();
                    points.clear();
                }
            }
            if keep_ok > 0 {
                kept.extend(ok.into_iter().take(keep_ok));
            }
        });
        if !points.is_empty() {
            unlocated += (self.locate)(&points)
                .iter()
                .filter(|g| g.is_none())
                .count();
        }
        if let Err(r) = checked {
            rejects.push(r);
        }
        if !self.opts.valid_only && !self.opts.dry_run {
            rejects.refuse(self.file)?;
        }
        let mut report = ImportReport {
            file: self.file.to_string(),
            dataset: self.dataset,
            imported: valid,
            migrated_codes: migrated,
            unlocated,
            rejects,
            dry_run: self.opts.dry_run,
        };
        if self.opts.dry_run {
            return Ok(report);
        }
        if timing {
            eprintln!("import check: {:.0} ms", t0.elapsed().as_secs_f64() * 1e3);
        }
        // 2. Write: the kept rows, then the rest of the file read again, in one transaction.
        let mut written = 0usize;
        let this = self;
        let mut failed: Option<Error> = None;
        let mut read_again: Option<Reject> = None;
        let mut kept = Some(kept);
        let mut unlocated = 0usize;
        let table = match this.dataset {
            Dataset::Components => griddesk_store::BulkTable::Components,
            _ => griddesk_store::BulkTable::Cases,
        };
        store.write_model(&mut |w| {
            w.expect_rows(table, valid)?;
            // Locates a batch, counts those in no grid, writes it.
            let mut put = |rows: Vec<T>| -> Result<()> {
                let mut batch = (kind.wrap)(rows);
                unlocated += batch.assign_grids(this.index, this.locate);
                written += batch.write(w)?;
                Ok(())
            };
            if let Some(kept) = kept.take() {
                put(kept)?;
            }
            if timing {
                eprintln!("import kept rows written: {:.0} ms", t0.elapsed().as_secs_f64() * 1e3);
            }
            let Some(from) = rest_from else {
                return Ok(());
            };
            // The file is read and converted on a second thread while this one writes: the
            // conversion hides behind the inserts (at most two batches wait in between).
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<T>>(2);
            let first = &first;
            let res = std::thread::scope(|scope| {
                let reader = scope.spawn(move || {
                    let mut pending: Vec<T> = Vec::new();
                    // One converting thread: the other core inserts.
                    let res = this.read(kind, (from, false), &mut |chunk| {
                        pending.extend(chunk.into_iter().filter_map(|row| {
                            let (v, _) = row.result.ok()?;
                            (first.get((kind.key)(&v)) == Some(row.position)).then_some(v)
                        }));
                        if pending.len() >= SEND_BATCH {
                            // A closed channel means the writer failed: stop sending.
                            let _ = tx.send(std::mem::take(&mut pending));
                        }
                    });
                    if !pending.is_empty() {
                        let _ = tx.send(pending);
                    }
                    if timing {
                        eprintln!("import read again: {:.0} ms", t0.elapsed().as_secs_f64() * 1e3);
                    }
                    res
                });
                for batch in rx.iter() {
                    if failed.is_none() {
                        if let Err(e) = put(batch) {
                            failed = Some(e);
                        }
                    }
                }
                reader.join().unwrap_or_else(|_| {
                    Err(Reject::new(
                        this.file,
                        Position::File,
                        None,
                        Message::new(C::InternalError).en("the reading thread failed"),
                    ))
                })
            });
            if let Err(r) = res {
                read_again = Some(r);
            }
            if let Some(e) = failed.take() {
                return Err(e);
            }
            if read_again.is_some() || written != valid {
                return Err(Error::Invalid(
                    Message::new(C::FileChangedDuringImport)
                        .text("file", this.file)
                        .en(format!(
                            "{} changed while it was being imported: nothing was written; import it again",
                            this.file
                        )),
                ));
            }
            Ok(())
        })?;
        if timing {
            eprintln!("import written: {:.0} ms", t0.elapsed().as_secs_f64() * 1e3);
        }
        report.unlocated = unlocated;
        report.imported = written;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Community, District, DutyGrid, Grid, Snapshot, Street};
    use std::cell::RefCell;

    /// A store that keeps what is written, and may change the file just before its write.
    struct Kept<'a> {
        cases: RefCell<Vec<Case>>,
        before_write: Option<&'a dyn Fn()>,
    }

    impl griddesk_store::ModelSink for Kept<'_> {
        fn put_district(&self, _: &District) -> Result<()> {
            Ok(())
        }
        fn put_code_tables(&self, _: &crate::codetable::CodeTables) -> Result<()> {
            Ok(())
        }
        fn set_meta(&self, _: &str, _: &str) -> Result<()> {
            Ok(())
        }
        fn insert_street(&self, _: &Street) -> Result<()> {
            Ok(())
        }
        fn insert_community(&self, _: &Community) -> Result<()> {
            Ok(())
        }
        fn insert_grid(&self, _: &Grid) -> Result<()> {
            Ok(())
        }
        fn insert_duty_grid(&self, _: &DutyGrid) -> Result<()> {
            Ok(())
        }
        fn insert_component(&self, _: &Component) -> Result<()> {
            Ok(())
        }
        fn insert_case(&self, c: &Case) -> Result<()> {
            self.cases.borrow_mut().push(c.clone());
            Ok(())
        }
    }

    impl ModelStore for Kept<'_> {
        fn write_model(
            &mut self,
            f: &mut dyn FnMut(&dyn griddesk_store::ModelSink) -> Result<()>,
        ) -> Result<()> {
            if let Some(change) = self.before_write {
                change();
            }
            // A transaction: what `f` wrote stays only when it succeeds.
            let r = f(&*self);
            if r.is_err() {
                self.cases.borrow_mut().clear();
            }
            r
        }
    }

    fn index() -> SpatialIndex {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/codes");
        SpatialIndex::build(Snapshot {
            code_tables: crate::codetable::CodeTables::load_dir(&dir).expect("code tables"),
            ..Default::default()
        })
    }

    fn row(id: &str) -> String {
        format!("{id},event,0102,hotline_12319,2026-03-02 09:00:00,121.26,28.65\n")
    }

    const HEADER: &str = "id,kind,class_code,source,reported_at,lon,lat\n";

    fn run(
        store: &mut Kept<'_>,
        path: &Path,
        opts: ImportOptions,
        keep: usize,
    ) -> Result<ImportReport> {
        let idx = index();
        import_csv_keeping(
            store,
            &idx,
            path,
            "cases.csv",
            None,
            Dataset::Cases,
            opts,
            &|pts| vec![None; pts.len()],
            keep,
        )
        .expect("cases stream")
    }

    #[test]
    fn valid_only_writes_the_first_row_of_each_key_and_nothing_that_was_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("cases.csv");
        let text = format!(
            "{HEADER}{}{}{}x4,event,9999,hotline_12319,2026-03-02 09:00:00,121.26,28.65\n{}",
            row("a1"),
            row("a2"),
            row("a1"),
            row("a3")
        );
        std::fs::write(&path, text).expect("write");
        // Kept whole from the check, or read again after the first row or two.
        for keep in [KEEP, 0, 1, 2] {
            let mut store = Kept {
                cases: RefCell::new(vec![]),
                before_write: None,
            };
            // Without --valid-only: refused, nothing written.
            let err = run(&mut store, &path, ImportOptions::default(), keep).unwrap_err();
            assert!(
                matches!(err, Error::ImportRejected { count: 2, .. }),
                "{err}"
            );
            assert!(store.cases.borrow().is_empty());
            let valid_only = ImportOptions {
                valid_only: true,
                ..Default::default()
            };
            let report = run(&mut store, &path, valid_only, keep).expect("valid only");
            let ids: Vec<String> = store.cases.borrow().iter().map(|c| c.id.clone()).collect();
            assert_eq!(ids, ["a1", "a2", "a3"], "keep {keep}");
            assert_eq!(report.imported, 3);
            assert_eq!(report.unlocated, 3);
            assert_eq!(report.rejects.total(), 2);
            // A dry run says the same and writes nothing.
            let dry = ImportOptions {
                dry_run: true,
                ..Default::default()
            };
            store.cases.borrow_mut().clear();
            let report = run(&mut store, &path, dry, keep).expect("dry run");
            assert_eq!((report.imported, report.unlocated), (3, 3));
            assert!(store.cases.borrow().is_empty());
        }
    }

    #[test]
    fn a_file_changed_between_check_and_write_writes_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("cases.csv");
        std::fs::write(&path, format!("{HEADER}{}{}", row("b1"), row("b2"))).expect("write");
        let change = || {
            let _ = std::fs::write(&path, format!("{HEADER}{}", row("b1")));
        };
        let mut store = Kept {
            cases: RefCell::new(vec![]),
            before_write: Some(&change),
        };
        // Read again after the first row: the change is found, nothing is written.
        let err = run(&mut store, &path, ImportOptions::default(), 1).unwrap_err();
        assert_eq!(err.message().code, C::FileChangedDuringImport, "{err}");
        assert!(store.cases.borrow().is_empty());
        // Kept whole: what was checked is what is written.
        std::fs::write(&path, format!("{HEADER}{}{}", row("b1"), row("b2"))).expect("write");
        let report = run(&mut store, &path, ImportOptions::default(), KEEP).expect("kept");
        assert_eq!(report.imported, 2);
        assert_eq!(store.cases.borrow().len(), 2);
    }
}
