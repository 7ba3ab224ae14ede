//! `griddesk analytics …` as a user runs it: every subcommand writes its file.

use crate::{griddesk, ok, root};
use chrono::NaiveDate;
use griddesk::analytics::choropleth::BreakMethod;
use griddesk::analytics::columns::day_date;
use griddesk::analytics::hotspots::HotspotParams;
use griddesk::analytics::load::{LoadFlag, LoadParams};
use griddesk::analytics::trends::Bucket;
use griddesk::analytics::CaseFilter;
use griddesk::model::{CaseSource, CaseStatus};
use griddesk::Engine;
use std::path::Path;

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

/// The cells of one worksheet of an XLSX file, row by row (header row first), as text.
fn xlsx_sheet(path: &Path, n: usize) -> Vec<Vec<String>> {
    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }
    /// The text of every `<t>` element in `xml`, joined.
    fn texts(xml: &str) -> String {
        let mut out = String::new();
        let mut rest = xml;
        while let Some(i) = rest.find("<t") {
            rest = &rest[i + 2..];
            if !(rest.starts_with('>') || rest.starts_with(' ')) {
                continue; // another element, e.g. <tr
            }
            let open = rest.find('>').expect("xml");
            if rest[..open].ends_with('/') {
                rest = &rest[open + 1..];
                continue;
            }
            let close = rest.find("</t>").expect("xml");
            out.push_str(&unescape(&rest[open + 1..close]));
            rest = &rest[close + 4..];
        }
        out
    }
    let attr = |el: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let i = el.find(&key)? + key.len();
        Some(el[i..i + el[i..].find('"')?].to_string())
    };
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("xlsx")).expect("zip");
    let mut read = |name: &str| -> Option<String> {
        let mut f = zip.by_name(name).ok()?;
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).expect("utf-8 xml");
        Some(s)
    };
    let shared: Vec<String> = read("xl/sharedStrings.xml")
        .unwrap_or_default()
        .split("<si>")
        .skip(1)
        .map(|si| texts(&si[..si.find("</si>").expect("xml")]))
        .collect();
    let sheet = read(&format!("xl/worksheets/sheet{n}.xml")).expect("worksheet");
    let mut rows = Vec::new();
    for row in sheet.split("<row ").skip(1) {
        let row = &row[..row.find("</row>").unwrap_or(row.len())];
        let mut cells: Vec<String> = Vec::new();
        for c in row.split("<c ").skip(1) {
            let head = &c[..c.find('>').expect("xml")];
            if head.ends_with('/') {
                continue; // an empty, styled cell
            }
            let r = attr(&format!(" {head}"), "r").expect("cell reference");
            let col = r
                .bytes()
                .take_while(u8::is_ascii_uppercase)
                .fold(0usize, |a, b| a * 26 + usize::from(b - b'A' + 1))
                - 1;
            let body = &c[head.len() + 1..c.find("</c>").expect("xml")];
            let v = body
                .find("<v>")
                .map(|i| unescape(&body[i + 3..body.find("</v>").expect("xml")]));
            let value = match attr(&format!(" {head}"), "t").as_deref() {
                Some("s") => shared[v.expect("value").parse::<usize>().expect("index")].clone(),
                Some("inlineStr") => texts(body),
                _ => v.unwrap_or_default(),
            };
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = value;
        }
        rows.push(cells);
    }
    rows
}

/// The CSV rows of a file the CLI wrote (UTF-8 with BOM), header row first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).expect("csv");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "{}: BOM", path.display());
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.expect("csv").iter().map(str::to_string).collect())
        .collect()
}

/// The number shown in the bulletin's figure box labelled `label`.
fn figure(html: &str, label: &str) -> String {
    let end = html
        .find(&format!("</b>{label}</div>"))
        .unwrap_or_else(|| panic!("no figure {label}"));
    let start = html[..end].rfind("<b>").expect("figure") + 3;
    html[start..end].to_string()
}

/// The rows (`<td>` texts) of the bulletin table under heading `title`.
fn html_table(html: &str, title: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("<h2>{title}</h2>"))
        .unwrap_or_else(|| panic!("no table {title}"));
    let table = &html[start..start + html[start..].find("</table>").expect("table")];
    table
        .split("<tr>")
        .skip(2) // before the table, the header row
        .map(|tr| {
            tr.split("<td")
                .skip(1)
                .map(|td| {
                    let from = td.find('>').expect("td") + 1;
                    td[from..td.find("</td>").expect("td")].to_string()
                })
                .collect()
        })
        .collect()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[test]
fn analytics_on_the_sample_store() {
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::sample_store(dir.path());
    let db = db.to_str().expect("path");
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

    // The engine's own figures for the same store and filters: every file must agree.
    let e = Engine::open(Path::new(db)).expect("open the store in-process");
    let march = CaseFilter {
        from: Some(date("2026-03-01")),
        to: Some(date("2026-03-31")),
        ..Default::default()
    };
    let n_march = e.case_ids(&march).expect("ids").len();
    assert!(n_march > 100, "{n_march} cases in March");

    // Heatmap: a 256 × 256 PNG, and its JSON counts March's cases.
    let png = std::fs::read(dir.path().join("h.png")).expect("png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    assert_eq!((be(&png[16..20]), be(&png[20..24])), (256, 256));
    let hj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("h.json")).expect("json"))
            .expect("json");
    assert_eq!(
        hj["heatmap"]["cases"].as_u64(),
        Some(n_march as u64),
        "{hj}"
    );
    assert_eq!(hj["heatmap"]["width"].as_u64(), Some(256));
    assert!(hj["heatmap"]["max"].as_f64().expect("max") > 0.0);
    assert!(
        hj["legend"].as_array().is_some_and(|l| l.len() >= 2),
        "{hj}"
    );

    // Per-grid counts, XLSX: March's events; one row per grid with cases, as the engine counts.
    let headers = [
        "网格编码",
        "网格名称",
        "案件数",
        "每公顷案件数",
        "超期案件数",
        "超期占比(%)",
    ];
    let check_counts = |rows: &[Vec<String>], f: &CaseFilter, what: &str| {
        assert_eq!(rows[0], headers, "{what}: headers");
        let ch = e
            .grid_choropleth(f, BreakMethod::Quantile, 5)
            .expect("choropleth");
        let want: Vec<(String, u32)> = ch
            .codes
            .iter()
            .zip(&ch.cases)
            .filter(|(_, &n)| n > 0)
            .map(|(c, &n)| (c.clone(), n))
            .collect();
        let got: Vec<(String, u32)> = rows[1..]
            .iter()
            .map(|r| (r[0].clone(), r[2].parse().expect("count")))
            .collect();
        assert!(want.len() > 10, "{what}: {} grids with cases", want.len());
        assert_eq!(got, want, "{what}: grids and counts");
        assert!(rows[1..].iter().all(|r| !r[1].is_empty()), "{what}: names");
        let n = e.case_ids(f).expect("ids").len();
        assert_eq!(
            got.iter().map(|(_, n)| *n as usize).sum::<usize>() + ch.unlocated,
            n,
            "{what}: every filtered case counted once"
        );
        assert!(n > 0, "{what}: no cases");
    };
    let events = CaseFilter {
        classes: vec!["event".into()],
        ..march.clone()
    };
    check_counts(
        &xlsx_sheet(&dir.path().join("g.xlsx"), 1),
        &events,
        "g.xlsx",
    );
    assert!(e.case_ids(&events).expect("ids").len() < n_march);
    let patrol = CaseFilter {
        sources: vec![CaseSource::Patrol],
        ..Default::default()
    };
    check_counts(&csv_rows(&dir.path().join("g.csv")), &patrol, "g.csv");

    // Hotspots: the busiest grids of March with their counts, compared with February.
    let hot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("hot.json")).expect("json"))
            .expect("json");
    let h = e
        .hotspots(
            &march,
            &HotspotParams {
                top: 10,
                cell_m: 100.0,
                min_cases: None,
            },
        )
        .expect("hotspots");
    let grids = hot["grids"].as_array().expect("grids");
    assert_eq!(grids.len(), h.grids.len());
    assert_eq!(grids.len(), 10);
    for (g, w) in grids.iter().zip(&h.grids) {
        assert_eq!(g["code"].as_str(), Some(w.code.as_str()));
        assert_eq!(
            g["cases"]["current"].as_u64(),
            Some(u64::from(w.cases.current))
        );
        assert_eq!(
            g["cases"]["previous"].as_u64(),
            w.cases.previous.map(u64::from)
        );
    }
    let ch = e
        .grid_choropleth(&march, BreakMethod::Quantile, 5)
        .expect("choropleth");
    assert_eq!(
        grids[0]["cases"]["current"].as_u64(),
        ch.cases.iter().max().map(|&n| u64::from(n)),
        "the first hotspot is the busiest grid"
    );
    assert_eq!(
        hot["places"].as_array().expect("places").len(),
        h.places.len()
    );
    let prev = march.previous_period().expect("a closed range");
    assert_eq!(
        (prev.from, prev.to),
        (Some(date("2026-01-29")), Some(date("2026-02-28")))
    );
    assert_eq!(
        hot["previous_period"],
        serde_json::json!(["2026-01-29", "2026-02-28"])
    );

    // Trends by month: the chart has the total and one line per class, a point per month.
    let svg = std::fs::read_to_string(dir.path().join("t.svg")).expect("svg");
    let t = e
        .trends(&CaseFilter::default(), Bucket::Month, 5)
        .expect("trends");
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    let lines: Vec<&str> = svg.split("<polyline").skip(1).collect();
    assert_eq!(lines.len(), 1 + t.by_class.len());
    for l in &lines {
        let pts = &l[l.find("points=\"").expect("points") + 8..];
        let pts = &pts[..pts.find('"').expect("points")];
        assert_eq!(pts.split(' ').count(), t.starts.len(), "{pts}");
    }
    assert!(t.starts.len() >= 6, "{:?}", t.starts);
    assert_eq!(
        t.total.iter().map(|&n| n as usize).sum::<usize>(),
        e.overview().cases
    );
    assert!(svg.contains(">合计</text>"));

    // Load: every active grid with its cases and components over the 12 months to the last
    // report day, flagged as the engine flags it.
    let cols = e.case_columns();
    let last = cols.day_span().map(|(_, b)| day_date(b)).expect("cases");
    let lb = e.load_balance(&LoadParams::new(last));
    let rows = xlsx_sheet(&dir.path().join("load.xlsx"), 1);
    assert_eq!(
        rows[0],
        [
            "网格编码",
            "网格名称",
            "案件数",
            "部件数",
            "工作量",
            "与中位数之比",
            "标记"
        ]
    );
    assert_eq!(rows.len() - 1, lb.grids.len());
    assert_eq!(lb.grids.len(), e.overview().grids);
    for (r, g) in rows[1..].iter().zip(&lb.grids) {
        assert_eq!(r[0], g.code);
        assert_eq!(r[2].parse::<u32>().expect("cases"), g.cases);
        assert_eq!(r[3].parse::<u32>().expect("components"), g.components);
        let flag = match g.flag {
            LoadFlag::High => "偏高",
            LoadFlag::Low => "偏低",
            LoadFlag::Normal => "",
        };
        assert_eq!(r.get(6).map_or("", String::as_str), flag, "{}", g.code);
    }
    assert_eq!(
        rows[1..]
            .iter()
            .filter(|r| r.get(6).is_some_and(|f| f == "偏高"))
            .count(),
        lb.high
    );
    assert!(lb.high > 0);

    // Bulletin: the key figures and the per-street table of March, counted here from the
    // per-grid counts (a different path through the engine).
    let html = std::fs::read_to_string(dir.path().join("b.html")).expect("html");
    assert!(html.contains("<h1>黄岩区数字城管月度简报</h1>"));
    assert!(html.contains("统计期：2026年3月"));
    // The previous period is the 31 days before March.
    let n_feb = e.case_ids(&prev).expect("ids").len();
    assert_eq!(figure(&html, "案件数"), n_march.to_string());
    assert_eq!(figure(&html, "上期案件数"), n_feb.to_string());
    assert_eq!(
        figure(&html, "环比(%)"),
        format!(
            "{:+.1}",
            (n_march as f64 - n_feb as f64) / n_feb as f64 * 100.0
        )
    );
    let open: Vec<CaseStatus> = CaseStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    let per_street = |f: &CaseFilter| {
        let ch = e
            .grid_choropleth(f, BreakMethod::Quantile, 5)
            .expect("choropleth");
        let mut m = std::collections::BTreeMap::<String, u32>::new();
        for (c, &n) in ch.codes.iter().zip(&ch.cases) {
            *m.entry(c[..9].to_string()).or_default() += n;
        }
        m
    };
    let all = per_street(&march);
    let open_n = per_street(&CaseFilter {
        statuses: open,
        ..march.clone()
    });
    let table = html_table(&html, "街道案件统计");
    assert_eq!(table.len(), e.overview().streets);
    for r in &table {
        assert_eq!(r.len(), 8, "{r:?}");
        let n: u32 = r[2].parse().expect("cases");
        assert_eq!(n, all[&r[0]], "street {}", r[0]);
        assert_eq!(
            r[3].parse::<u32>().expect("open"),
            open_n[&r[0]],
            "street {}",
            r[0]
        );
        let late: u32 = r[5].parse().expect("overdue");
        assert!(late <= open_n[&r[0]], "{r:?}");
    }
    assert_eq!(
        table
            .iter()
            .map(|r| r[2].parse::<usize>().expect("n"))
            .sum::<usize>(),
        all.values().map(|&n| n as usize).sum::<usize>()
    );
    assert!(html.contains("data:image/png;base64,iVBORw0KGgo"));
    assert!(html.contains(&format!("{n_march} 件案件。")));
    assert!(html.contains("<svg") && html.contains("<polyline"));

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
