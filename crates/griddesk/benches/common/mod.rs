//! What several benchmarks share.

use griddesk::sample::{generate, SampleDistrict, SampleParams};
use griddesk::store::Store;
use std::path::{Path, PathBuf};

/// A benchmark district of `grids` grids and no cases, written to `bench.sqlite` in `dir`.
pub fn district_store(dir: &Path, grids: usize) -> (PathBuf, SampleDistrict) {
    let path = dir.join("bench.sqlite");
    let district = generate(&SampleParams::benchmark(grids, 0)).expect("generate");
    let mut store = Store::create(&path).expect("store");
    district
        .write_to_store(&mut store, &district.tables)
        .expect("write");
    (path, district)
}
