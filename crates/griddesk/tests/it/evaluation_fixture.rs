//! The evaluation of the 248-case fixture (`tests/fixtures/evaluation/`) against the table derived
//! by hand in its README: every count, rate, score, composite, grade and rank of every table.

use griddesk::analytics::evaluation::csv_in::load_dir;
use griddesk::analytics::evaluation::{
    drill, evaluate, EvaluationConfig, Indicator, Period, TableKind,
};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evaluation")
}

#[test]
fn fixture_matches_the_hand_derived_table() {
    let input = load_dir(&dir()).expect("fixture loads");
    assert_eq!(input.cases.len(), 248);
    let period = Period::month(2026, 3).expect("month");
    let ev = evaluate(&input, &period, &EvaluationConfig::default());
    let text = std::fs::read_to_string(dir().join("expected.csv")).expect("expected.csv");
    let mut checked = 0;
    let mut failures = vec![];
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (table, code, field, want) = (f[0], f[1], f[2], f[3]);
        let kind = TableKind::parse(table).unwrap_or_else(|| panic!("table {table}"));
        let t = ev.table(kind).expect("table present");
        let row = t.row(code).unwrap_or_else(|| panic!("{table} row {code}"));
        let got: Option<String> = match field {
            "composite" => row.composite.map(|v| format!("{v:.6}")),
            "grade" => row.grade.clone(),
            "rank" => row.rank.map(|r| r.to_string()),
            s if s.starts_with("score:") => t.score(row, &s[6..]).map(|v| format!("{v:.6}")),
            s if s.ends_with("_rate") => t.rate(row, s).map(|v| format!("{v:.6}")),
            s => {
                let ind = Indicator::ALL
                    .iter()
                    .copied()
                    .find(|i| i.key() == s && t.counts.contains(i))
                    .unwrap_or_else(|| panic!("{table}: no count column {s}"));
                t.count(row, ind).map(|v| v.to_string())
            }
        };
        let same = match (&got, want) {
            (None, "") => true,
            (Some(g), w) => match (g.parse::<f64>(), w.parse::<f64>()) {
                (Ok(a), Ok(b)) => (a - b).abs() < 5e-6,
                _ => g == w,
            },
            _ => false,
        };
        if !same {
            failures.push(format!(
                "{table} {code} {field}: want `{want}`, got {got:?}"
            ));
        }
        checked += 1;
    }
    assert_eq!(checked, 446);
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn drill_down_lists_the_cases_of_the_readme() {
    let input = load_dir(&dir()).expect("fixture loads");
    let period = Period::month(2026, 3).expect("month");
    let ev = evaluate(&input, &period, &EvaluationConfig::default());
    let grid = ev.table(TableKind::Grid).expect("grid");
    let g4 = grid.row("331003002001001").expect("G4");
    let mut ids = drill(&input, &period, g4.object, Indicator::OverdueOpen);
    ids.sort();
    assert_eq!(ids.len(), 20);
    assert!(ids.iter().all(|i| i.starts_with("B07-")));
    let g1 = grid.row("331003001001001").expect("G1");
    let late = drill(&input, &period, g1.object, Indicator::HandledLate);
    assert!(late
        .iter()
        .all(|i| i.starts_with("B02-") || i.starts_with("B10-")));
    assert_eq!(late.len(), 20);
    let z = ev.table(TableKind::ShiftLeader).expect("shift leader");
    let cancelled = drill(
        &input,
        &period,
        z.rows[0].object,
        Indicator::CancelledAfterFiling,
    );
    assert!(cancelled.iter().all(|i| i.starts_with("B09-")) && cancelled.len() == 10);
}

#[test]
fn bad_fixture_values_name_file_line_and_column() {
    let tmp = tempfile::tempdir().expect("dir");
    for f in ["grids.csv", "people.csv"] {
        std::fs::copy(dir().join(f), tmp.path().join(f)).expect("copy");
    }
    let text = std::fs::read_to_string(dir().join("cases.csv")).expect("cases");
    let broken = text.replacen("2026-03-01 10:00", "2026-03-01 1000", 1);
    std::fs::write(tmp.path().join("cases.csv"), broken).expect("write");
    let e = load_dir(tmp.path()).expect_err("refused");
    let m = e.to_string();
    assert!(
        m.contains("cases.csv") && m.contains("line 2") && m.contains("file_end"),
        "{m}"
    );
}
