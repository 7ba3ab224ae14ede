//! [`Engine`] methods for files in other formats and CRSs (Shapefile, GeoPackage, GeoJSON in
//! Gauss-Krüger or GCJ-02).

#[allow(unused_imports)]
use crate::ports::*;

use crate::error::Result;
use crate::io::{Dataset, ImportOptions, ImportReport, SourceOptions, TargetOptions};
use crate::Engine;
use std::path::Path;

impl Engine {
    /// [`Engine::import`] reading the file with `source` options (CRS, Shapefile encoding):
    /// Shapefile, GeoPackage, GeoJSON in any supported CRS, or CSV.
    pub fn import_from(
        &self,
        by: &crate::users::Session,
        path: &Path,
        dataset: Dataset,
        opts: ImportOptions,
        source: &SourceOptions,
    ) -> Result<ImportReport> {
        let report = self.import_from_only(by, path, dataset, opts, source)?;
        if !opts.dry_run && report.imported > 0 {
            self.reload()?;
        }
        Ok(report)
    }

    /// [`Engine::import_from`] without refreshing the indexes (one-shot jobs).
    pub fn import_from_only(
        &self,
        by: &crate::users::Session,
        path: &Path,
        dataset: Dataset,
        opts: ImportOptions,
        source: &SourceOptions,
    ) -> Result<ImportReport> {
        self.require_import(by, dataset)?;
        let l = self.loaded();
        let guard = crate::engine::import_guard(&l.index, self.plan_settings()?);
        let mut audited = crate::engine::AuditedWrites {
            engine: self,
            entry: crate::engine::import_entry(Some(by), path, dataset),
            guard: Some(&guard),
        };
        crate::io::import_file_from(
            &mut audited,
            &l.index,
            path,
            dataset,
            opts,
            source,
            &|pts| {
                l.locator
                    .locate_many(&l.index, pts)
                    .into_iter()
                    .map(|g| g.map(|g| g as usize))
                    .collect()
            },
        )
    }

    /// [`Engine::export`] in a chosen CRS and Shapefile encoding.
    pub fn export_to(
        &self,
        path: &Path,
        dataset: Dataset,
        target: &TargetOptions,
    ) -> Result<usize> {
        crate::io::export_file_to(
            &self.loaded().index,
            &crate::engine::StoreTexts(self),
            path,
            dataset,
            target,
        )
    }
}
