//! `griddesk analytics …` as a user runs it: every subcommand writes its file.

use crate::{griddesk, ok, root};

#[test]
fn analytics_commands_have_help() {
    for sub in [
        "heatmap",
        "grid-counts",
        "hotspots",
        "trends",
        "evaluate",
        "bulletin",
        "load",
    ] {
        let t = ok(&griddesk(&["analytics", sub, "--help"]), sub);
        assert!(t.contains("Usage"), "{sub}");
    }
}

#[test]
fn analytics_on_the_sample_store() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("d.sqlite");
    let db = db.to_str().expect("path");
    let res = root().join("resources");
    ok(
        &griddesk(&[
            "init",
            db,
            "--sample",
            "--resources",
            res.to_str().expect("path"),
        ]),
        "init",
    );
    let out = |name: &str| dir.path().join(name).to_str().expect("path").to_string();
    let runs: Vec<Vec<String>> = vec![
        vec![
            "heatmap".into(),
            db.into(),
            "--month".into(),
            "2026-03".into(),
            "--width".into(),
            "256".into(),
            "--height".into(),
            "256".into(),
            "--out".into(),
            out("h.png"),
        ],
        vec![
            "grid-counts".into(),
            db.into(),
            "--month".into(),
            "2026-03".into(),
            "--class".into(),
            "event".into(),
            "--breaks".into(),
            "jenks".into(),
            "--out".into(),
            out("g.xlsx"),
        ],
        vec![
            "grid-counts".into(),
            db.into(),
            "--source".into(),
            "patrol".into(),
            "--out".into(),
            out("g.csv"),
        ],
        vec![
            "hotspots".into(),
            db.into(),
            "--month".into(),
            "2026-03".into(),
            "--out".into(),
            out("hot.json"),
        ],
        vec![
            "trends".into(),
            db.into(),
            "--bucket".into(),
            "month".into(),
            "--out".into(),
            out("t.svg"),
        ],
        vec!["load".into(), db.into(), "--out".into(), out("load.xlsx")],
        vec![
            "bulletin".into(),
            db.into(),
            "--month".into(),
            "2026-03".into(),
            "--out".into(),
            out("b.html"),
        ],
    ];
    for args in runs {
        let mut a = vec!["analytics"];
        a.extend(args.iter().map(String::as_str));
        ok(&griddesk(&a), &args[0]);
    }
    for f in [
        "h.png",
        "h.json",
        "g.xlsx",
        "g.csv",
        "hot.json",
        "t.svg",
        "load.xlsx",
        "b.html",
    ] {
        let len = std::fs::metadata(dir.path().join(f))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 100, "{f}: {len} bytes");
    }
    let png = std::fs::read(dir.path().join("h.png")).expect("png");
    assert_eq!(&png[1..4], b"PNG");
    let csv = std::fs::read_to_string(dir.path().join("g.csv")).expect("csv");
    assert!(csv.starts_with("\u{feff}网格编码"));
    let html = std::fs::read_to_string(dir.path().join("b.html")).expect("html");
    assert!(
        html.contains("黄岩区数字城管月度简报")
            && html.contains("<svg")
            && html.contains("image/png;base64")
    );
    // A bad filter names the flag.
    let o = griddesk(&[
        "analytics",
        "grid-counts",
        db,
        "--street",
        "999",
        "--out",
        &out("x.csv"),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("streets"));
}

#[test]
fn evaluate_the_fixture_and_drill_down() {
    let dir = tempfile::tempdir().expect("dir");
    let fixture = root().join("crates/griddesk/tests/fixtures/evaluation");
    let fx = fixture.to_str().expect("path");
    let xlsx = dir.path().join("e.xlsx");
    ok(
        &griddesk(&[
            "analytics",
            "evaluate",
            "--input",
            fx,
            "--month",
            "2026-03",
            "--out",
            xlsx.to_str().expect("path"),
        ]),
        "evaluate",
    );
    assert!(std::fs::metadata(&xlsx).expect("xlsx").len() > 1000);
    let csv = dir.path().join("e.csv");
    ok(
        &griddesk(&[
            "analytics",
            "evaluate",
            "--input",
            fx,
            "--month",
            "2026-03",
            "--out",
            csv.to_str().expect("path"),
        ]),
        "csv",
    );
    let grid = std::fs::read_to_string(dir.path().join("e_grid.csv")).expect("grid csv");
    assert!(grid.contains("331003002001001,西城网格一,40,"), "{grid}");
    let o = griddesk(&[
        "analytics",
        "evaluate",
        "--input",
        fx,
        "--month",
        "2026-03",
        "--drill",
        "department:市政处:handled_late",
    ]);
    let t = ok(&o, "drill");
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(stdout.lines().count(), 10, "{t}");
    assert!(stdout.lines().all(|l| l.starts_with("B02-")));
    let cfg = ok(
        &griddesk(&[
            "analytics",
            "evaluate",
            "--input",
            fx,
            "--month",
            "2026-03",
            "--print-config",
        ]),
        "config",
    );
    assert!(cfg.contains("\"min_sample\": 5"));
}
