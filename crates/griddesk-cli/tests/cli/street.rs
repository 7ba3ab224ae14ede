//! `griddesk street …` as a user runs it on the sample: the template written and imported, a
//! bad file refused whole with its rejects, search, a notice exported by the administrator,
//! vendors and the move-car figures.

use crate::{griddesk, ok, sample_store, text};

#[test]
fn the_street_register_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = sample_store(dir.path());
    let db = db.to_str().expect("path");
    let tpl = dir.path().join("模板.xlsx");
    ok(
        &griddesk(&["street", "template", db, tpl.to_str().expect("path")]),
        "template",
    );
    let before = ok(
        &griddesk(&["street", "search", db, "--admin", "示例便利店"]),
        "search",
    );
    assert!(before.contains("0 of 0"), "{before}");
    // The template's example row imports as it is.
    let out = ok(
        &griddesk(&[
            "street",
            "import",
            db,
            "--admin",
            tpl.to_str().expect("path"),
        ]),
        "import",
    );
    assert!(out.contains("imported 1 service objects"), "{out}");
    let found = ok(
        &griddesk(&["street", "search", db, "--admin", "示例便利店"]),
        "search",
    );
    assert!(
        found.contains("示例路1号") && found.contains("1 of 1"),
        "{found}"
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "名称,地址,经度,纬度,统一社会信用代码\n甲店,某路1号,121.26,28.64,\n乙店,某路2号,121.26,28.64,91350100M000100Y44\n").expect("csv");
    let o = griddesk(&[
        "street",
        "import",
        db,
        "--admin",
        bad.to_str().expect("path"),
    ]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(
        t.contains("line 3") && t.contains("credit_code") && t.contains("nothing was imported"),
        "{t}"
    );
    let still = ok(
        &griddesk(&["street", "search", db, "--admin", "甲店"]),
        "search",
    );
    assert!(still.contains("0 of 0"), "{still}");

    let sms = dir.path().join("sms.xlsx");
    let n = ok(
        &griddesk(&[
            "street",
            "notice",
            db,
            "--admin",
            "油烟提醒",
            "{名称}：请清洗油烟净化设备。",
            "--to",
            "section",
            "--key",
            "H",
            "--export",
            sms.to_str().expect("path"),
        ]),
        "notice",
    );
    assert!(n.contains("recipients to"), "{n}");
    assert!(std::fs::read(&sms).expect("xlsx").starts_with(b"PK"));
    let v = ok(&griddesk(&["street", "vendors", db, "--admin"]), "vendors");
    assert!(v.contains("红") && v.contains("黄"), "{v}");
    let m = ok(
        &griddesk(&["street", "move-car", db, "--admin", "2026"]),
        "move-car",
    );
    assert!(m.contains("2026-03") && m.contains('%'), "{m}");
}
