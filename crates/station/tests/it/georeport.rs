//! Open311 checked with a client GridDesk did not write: the PyPI package `georeport`, driven by
//! tests/it/georeport_client.py against a real station on a loopback port. The package has no
//! POST or token call, so the script sends those with `requests` (the HTTP library georeport
//! itself uses) and reads the answers with `xmltodict`, as georeport does.

use crate::common::*;
use griddesk_station::{serve, StationOptions};
use std::process::Command;

const INSTALL: &str = "run scripts/install-deps.sh --test (pip install 'georeport>=0.3,<0.4')";

fn python_has_georeport() -> bool {
    match Command::new("python3")
        .args(["-c", "import georeport, requests, xmltodict"])
        .output()
    {
        Ok(o) => o.status.success(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing("`python3`", INSTALL),
        Err(e) => panic!("cannot run python3: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_georeport_client_speaks_to_a_real_station() {
    if !python_has_georeport() {
        missing("the Python package `georeport`", INSTALL);
    }
    let d = district();
    let (lon, lat) = d.inside();
    let handle = serve(
        d.engine.clone(),
        "127.0.0.1:0".parse().expect("an address"),
        StationOptions::default(),
    )
    .await
    .expect("the station starts");
    let base = format!("http://{}/open311/v2", handle.local_addr());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/georeport_client.py");
    let args = [
        script.to_string(),
        base,
        d.key.clone(),
        d.jurisdiction(),
        format!("{lon:.7}"),
        format!("{lat:.7}"),
    ];
    let out = tokio::task::spawn_blocking(move || Command::new("python3").args(&args).output())
        .await
        .expect("the client ran")
        .expect("python3 runs");
    handle.shutdown().await.expect("the station stops");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}\n{stderr}");
    // What the client filed is in the store, once each.
    let filed = d
        .engine
        .station_cases(&Default::default(), None, 100)
        .expect("station cases");
    assert_eq!(filed.len(), 3, "{stdout}");
}
