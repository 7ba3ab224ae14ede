//! The `griddesk` binary as a user runs it, one test binary for every command family.

mod analytics;
mod centre;
mod centre_kill;
mod centre_load;
mod centre_sync;
mod city;
mod commands;
mod exchange;
mod figures;
mod kill_drills;
mod setup;
mod store;
mod street;
mod trust;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary under test.
pub fn griddesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_griddesk"))
        .args(args)
        .output()
        .expect("run griddesk")
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shipped resources folder (sample district, code tables).
pub fn resources() -> PathBuf {
    root().join("resources")
}

/// Everything the command printed, stdout then stderr.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// What the command printed, after asserting it succeeded.
pub fn ok(o: &Output, what: &str) -> String {
    let t = text(o);
    assert!(o.status.success(), "{what}: {t}");
    t
}

/// `griddesk init DIR/d.sqlite --sample` as a user runs it; the store's path.
pub fn sample_store(dir: &Path) -> PathBuf {
    let db = dir.join("d.sqlite");
    let res = resources();
    ok(
        &griddesk(&[
            "init",
            db.to_str().expect("path"),
            "--sample",
            "--resources",
            res.to_str().expect("path"),
        ]),
        "init",
    );
    db
}

/// A Linux machine without `/dev/full` is not one these tests run on: fail, never skip.
pub fn missing_dev_full() -> ! {
    panic!("/dev/full is missing: the full-disk test needs a Linux /dev")
}
