//! `griddesk setup`: a real district from the bundled outlines to accepted grids, as a user
//! runs it without the window.

use super::{griddesk, ok, resources, text};

#[test]
fn a_district_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("huangyan.sqlite");
    let db = db.to_str().expect("path");
    let res = resources();
    let res = res.to_str().expect("path");
    let found = ok(
        &griddesk(&["setup", "counties", "台州 黄岩", "--resources", res]),
        "counties",
    );
    assert!(
        found.starts_with("331003\t黄岩区\t浙江省\t台州市"),
        "{found}"
    );

    // No password: refused, nothing created.
    let o = griddesk(&[
        "setup",
        "new",
        db,
        "--district",
        "331003",
        "--admin-login",
        "chief",
        "--resources",
        res,
    ]);
    assert!(!o.status.success());
    assert!(!dir.path().join("huangyan.sqlite").exists());
    let o = ok(
        &griddesk(&[
            "setup",
            "new",
            db,
            "--district",
            "331003",
            "--admin-login",
            "chief",
            "--password",
            "first-day-2026",
            "--resources",
            res,
        ]),
        "new",
    );
    assert!(o.contains("黄岩区 331003"), "{o}");

    // Not set up yet: the checklist says what is missing and exits 1.
    let o = griddesk(&["setup", "status", db]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("done district") && text(&o).contains("todo streets"),
        "{}",
        text(&o)
    );

    let sample = resources().join("sample");
    for (ds, f) in [
        ("streets", "streets.geojson"),
        ("communities", "communities.geojson"),
    ] {
        let path = sample.join(f);
        ok(
            &griddesk(&[
                "import",
                db,
                ds,
                path.to_str().expect("path"),
                "--as",
                "chief",
                "--password",
                "first-day-2026",
            ]),
            "import",
        );
    }
    let dry = ok(&griddesk(&["setup", "propose-all", db]), "propose-all");
    assert!(dry.contains("40 communities"), "{dry}");
    let applied = ok(
        &griddesk(&[
            "setup",
            "propose-all",
            db,
            "--apply",
            "--as",
            "chief",
            "--password",
            "first-day-2026",
        ]),
        "propose-all --apply",
    );
    assert!(applied.contains("accepted as edit #"), "{applied}");
    let status = text(&griddesk(&["setup", "status", db]));
    assert!(status.contains("done grids"), "{status}");

    // Templates by extension.
    let t = dir.path().join("streets.xlsx");
    ok(
        &griddesk(&["setup", "template", "streets", t.to_str().expect("path")]),
        "template",
    );
    assert_eq!(&std::fs::read(&t).expect("read")[..2], b"PK");
    let bad = griddesk(&[
        "setup",
        "template",
        "streets",
        dir.path().join("x.txt").to_str().expect("path"),
    ]);
    assert!(!bad.status.success());
}
