//! One overdue count and one evaluation, whichever command asks (docs/domain.md §4.6, §5): on the
//! sample store at one fixed moment, `case clocks`, `case list --overdue`, `analytics
//! grid-counts`, `analytics bulletin` and the engine agree; `analytics evaluate --db` prints the
//! app's evaluation of the store.

use crate::{griddesk, ok};
use griddesk::analytics::{BulletinSpec, CaseFilter};
use griddesk::store::parse_datetime;
use griddesk::Engine;

/// A number printed right before `word` in `text` (e.g. `12 overdue`).
fn number_before(text: &str, word: &str) -> usize {
    let i = text
        .find(word)
        .unwrap_or_else(|| panic!("`{word}` in: {text}"));
    text[..i]
        .trim_end()
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a number before `{word}` in: {text}"))
}

#[test]
fn every_command_shows_one_overdue_count_and_the_apps_evaluation() {
    let dir = tempfile::tempdir().expect("dir");
    let db_path = crate::sample_store(dir.path());
    let db = db_path.to_str().expect("path");
    let now = "2026-04-04 10:00:00";

    // The workflow's clocks and the case list's overdue filter.
    let clocks = ok(&griddesk(&["case", "clocks", db, "--now", now]), "clocks");
    let overdue_all = number_before(&clocks, "overdue");
    let open_all = number_before(&clocks, "open cases");
    assert!(overdue_all > 0 && overdue_all < open_all, "{clocks}");
    let listed = ok(
        &griddesk(&[
            "case",
            "list",
            db,
            "--overdue",
            "--now",
            now,
            "--limit",
            "1",
        ]),
        "list",
    );
    assert_eq!(
        number_before(&listed, "cases (from"),
        overdue_all,
        "case list --overdue: {listed}"
    );

    // March's reports: the bulletin and the per-grid table count the same overdue cases as
    // the engine, at the same moment.
    let e = Engine::open(&db_path).expect("open");
    let at = parse_datetime(now).expect("time");
    let march = CaseFilter {
        from: chrono::NaiveDate::from_ymd_opt(2026, 3, 1),
        to: chrono::NaiveDate::from_ymd_opt(2026, 3, 31),
        as_of: Some(at),
        ..Default::default()
    };
    let t = e.case_totals(&march).expect("totals");
    let ids = e.overdue_ids(at).expect("ids");
    assert_eq!(ids.len(), overdue_all);
    let html = dir.path().join("b.html");
    let printed = ok(
        &griddesk(&[
            "analytics",
            "bulletin",
            db,
            "--month",
            "2026-03",
            "--as-of",
            now,
            "-o",
            html.to_str().expect("path"),
        ]),
        "bulletin",
    );
    assert_eq!(
        number_before(&printed, "overdue"),
        t.overdue as usize,
        "{printed}"
    );
    assert_eq!(
        number_before(&printed, "open,"),
        t.open as usize,
        "{printed}"
    );
    let page = std::fs::read_to_string(&html).expect("bulletin file");
    assert!(
        page.contains(&format!("<b>{}</b>超期数（2026-04-04 10:00）", t.overdue)),
        "bulletin figure"
    );
    let expected_html = e
        .bulletin(&BulletinSpec {
            filter: march.clone(),
            period: "2026年3月".into(),
            as_of: at,
            heatmap_size: (900, 700),
        })
        .expect("bulletin");
    assert_eq!(page, expected_html, "the CLI writes the engine's bulletin");
    let grids = dir.path().join("g.json");
    ok(
        &griddesk(&[
            "analytics",
            "grid-counts",
            db,
            "--month",
            "2026-03",
            "--as-of",
            now,
            "-o",
            grids.to_str().expect("path"),
        ]),
        "grid-counts",
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&grids).expect("json")).expect("json");
    let per_grid: u64 = v["overdue"]
        .as_array()
        .expect("overdue array")
        .iter()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(
        per_grid,
        u64::from(t.overdue) - unlocated_overdue(&e, &march)
    );

    // The store's evaluation from the CLI is the app's.
    let out = dir.path().join("ev.json");
    ok(
        &griddesk(&[
            "analytics",
            "evaluate",
            "--db",
            db,
            "--month",
            "2026-03",
            "-o",
            out.to_str().expect("path"),
        ]),
        "evaluate --db",
    );
    let cli: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("json")).expect("json");
    let period = griddesk::analytics::evaluation::Period::month(2026, 3).expect("month");
    let app = serde_json::to_value(e.evaluate_period(&period).expect("evaluate")).expect("json");
    assert_eq!(cli, app);
    let printed = ok(
        &griddesk(&["analytics", "evaluate", "--db", db, "--month", "2026-03"]),
        "evaluate --db (print)",
    );
    assert!(
        printed.contains("区域评价（街道）") && printed.contains("专业部门评价"),
        "{printed}"
    );
}

/// Overdue cases of `f` in no active grid (they count in the totals, not per grid).
fn unlocated_overdue(e: &Engine, f: &CaseFilter) -> u64 {
    let (cols, rows) = e.select_cases(f).expect("select");
    let flags = e.overdue_flags(f.as_of.expect("as of")).expect("flags");
    rows.iter()
        .filter(|&&r| {
            let g = cols.grid[r as usize];
            flags[r as usize]
                && (g == griddesk::analytics::columns::NONE
                    || !cols.regions.grid_active[g as usize])
        })
        .count() as u64
}
