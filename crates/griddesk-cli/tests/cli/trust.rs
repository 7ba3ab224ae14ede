//! Accounts, the audit and its check through the command line (issue 16).

use crate::{griddesk, ok, sample_store, text};

#[test]
fn passwords_accounts_and_the_audit_through_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sample_store(dir.path());
    let d = db.to_str().expect("path");

    // The sample's published accounts are marked; changing a password removes the mark.
    let list = ok(&griddesk(&["user", "list", d]), "user list");
    assert!(
        list.lines()
            .any(|l| l.starts_with("admin\t") && l.contains("(demo account)")),
        "{list}"
    );
    ok(
        &griddesk(&[
            "user",
            "passwd",
            d,
            "--as",
            "admin",
            "--password",
            "admin@2026",
            "--new-password",
            "a-better-one",
        ]),
        "passwd",
    );
    let list = ok(&griddesk(&["user", "list", d]), "user list");
    assert!(
        list.lines()
            .any(|l| l.starts_with("admin\t") && !l.contains("demo")),
        "{list}"
    );
    // The old password no longer signs in.
    let o = griddesk(&[
        "user",
        "disable",
        d,
        "inspector",
        "--as",
        "admin",
        "--password",
        "admin@2026",
    ]);
    assert!(!o.status.success(), "{}", text(&o));

    // Disabling an account, as the administrator with the new password; the last administrator
    // cannot be disabled.
    ok(
        &griddesk(&[
            "user",
            "disable",
            d,
            "inspector",
            "--as",
            "admin",
            "--password",
            "a-better-one",
        ]),
        "disable",
    );
    let o = griddesk(&["user", "disable", d, "admin", "--admin"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("last active administrator"),
        "{}",
        text(&o)
    );

    // The audit lists who did what, in which role.
    let audit = ok(
        &griddesk(&["audit", "list", d, "--admin", "--action", "user"]),
        "audit list",
    );
    let lines: Vec<&str> = audit.lines().collect();
    assert!(
        lines[0].contains("\tadmin\tadmin\tuser.disable\tinspector\t"),
        "{audit}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\tadmin\tadmin\tuser.password.change\tadmin\t")),
        "{audit}"
    );
    // Only administrators and leaders read it.
    let o = griddesk(&[
        "audit",
        "list",
        d,
        "--as",
        "receptionist",
        "--password",
        "receptionist@2026",
    ]);
    assert!(!o.status.success(), "{}", text(&o));

    // The chain is whole; then a script drops the trigger and rewrites a row.
    ok(&griddesk(&["audit", "check", d]), "audit check");
    ok(&griddesk(&["check", d]), "check");
    let c = rusqlite::Connection::open(&db).expect("open");
    c.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET login = 'someone-else' WHERE action = 'user.disable';",
    )
    .expect("tamper");
    drop(c);
    let o = griddesk(&["audit", "check", d]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("audit_log row") && text(&o).contains("after it was sealed"),
        "{}",
        text(&o)
    );
    let o = griddesk(&["check", d]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn an_empty_store_takes_an_administrator_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.sqlite");
    let d = db.to_str().expect("path");
    let res = crate::resources();
    ok(
        &griddesk(&["init", d, "--resources", res.to_str().expect("path")]),
        "init",
    );
    assert_eq!(ok(&griddesk(&["user", "list", d]), "list").trim(), "");
    let o = griddesk(&[
        "user",
        "add",
        d,
        "--login",
        "first",
        "--name",
        "第一",
        "--roles",
        "inspector",
        "--new-password",
        "first-pass",
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("must be an administrator"),
        "{}",
        text(&o)
    );
    ok(
        &griddesk(&[
            "user",
            "add",
            d,
            "--login",
            "first",
            "--name",
            "第一",
            "--roles",
            "admin",
            "--new-password",
            "first-pass",
        ]),
        "first admin",
    );
    // Later users need an administrator.
    let o = griddesk(&[
        "user",
        "add",
        d,
        "--login",
        "second",
        "--name",
        "第二",
        "--roles",
        "admin",
        "--new-password",
        "second-pass",
    ]);
    assert!(!o.status.success(), "{}", text(&o));
}
