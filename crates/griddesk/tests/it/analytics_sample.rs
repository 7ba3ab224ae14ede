//! Analytics over the shipped sample district through the engine facade: every view agrees with
//! the engine's own per-grid counts and with the other views for the same filter.

use chrono::NaiveDate;
use griddesk::analytics::choropleth::BreakMethod;
use griddesk::analytics::heatmap::HeatmapParams;
use griddesk::analytics::hotspots::HotspotParams;
use griddesk::analytics::load::LoadParams;
use griddesk::analytics::report::{bulletin_html, write_csv, write_xlsx, Bulletin, Sheet};
use griddesk::analytics::trends::Bucket;
use griddesk::analytics::CaseFilter;
use griddesk::model::{CaseSource, CaseStatus};
use griddesk::Engine;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

struct Seeded {
    dir: tempfile::TempDir,
    engine: Engine,
}

fn seeded() -> &'static Seeded {
    static S: OnceLock<Seeded> = OnceLock::new();
    S.get_or_init(|| {
        let dir = crate::common::shared_dir("analytics-sample");
        let (engine, _) =
            Engine::open_or_seed(&dir.path().join("griddesk.sqlite"), &resources()).expect("seed");
        Seeded { dir, engine }
    })
}

/// A private copy of the seeded store, for a test that changes what it reads (settings,
/// reloads): the shared engine stays as seeded whatever order the tests run in.
fn private_copy() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("copy.sqlite");
    rusqlite::Connection::open(seeded().dir.path().join("griddesk.sqlite"))
        .expect("open the seeded store")
        .backup(
            rusqlite::MAIN_DB,
            &path,
            None::<fn(rusqlite::backup::Progress)>,
        )
        .expect("copy the seeded store");
    let engine = Engine::open(&path).expect("open the copy");
    (dir, engine)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[test]
fn unfiltered_counts_equal_the_engine_grid_counts() {
    let e = &seeded().engine;
    // The shared store is as seeded, whichever tests ran before.
    assert_eq!(
        e.evaluation_config().expect("config"),
        griddesk::analytics::evaluation::EvaluationConfig::default()
    );
    let cols = e.case_columns();
    assert_eq!(cols.len(), e.overview().cases);
    let ch = e
        .grid_choropleth(&CaseFilter::default(), BreakMethod::Quantile, 5)
        .expect("choropleth");
    let l = e.loaded();
    let mut k = 0;
    for (i, g) in l.index.grids.iter().enumerate() {
        if g.is_active() {
            assert_eq!(ch.codes[k], g.code.to_string());
            assert_eq!(ch.cases[k], l.index.grid_counts[i].cases, "grid {}", g.code);
            k += 1;
        }
    }
    assert_eq!(ch.unlocated, l.index.uncounted_cases);
    assert!(ch.breaks_cases.bounds.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn date_class_and_region_filters_change_every_view_alike() {
    let e = &seeded().engine;
    let all = e.case_ids(&CaseFilter::default()).expect("all").len();
    let march = CaseFilter {
        from: Some(d("2026-03-01")),
        to: Some(d("2026-03-31")),
        ..Default::default()
    };
    let n_march = e.case_ids(&march).expect("march").len();
    assert!(n_march > 0 && n_march < all / 4, "{n_march} of {all}");
    let patrol = CaseFilter {
        sources: vec![CaseSource::Patrol],
        classes: vec!["event".into()],
        ..march.clone()
    };
    let n_patrol = e.case_ids(&patrol).expect("patrol").len();
    assert!(n_patrol > 0 && n_patrol < n_march);
    let street = e.case_columns().regions.street_codes[0].clone();
    let in_street = CaseFilter {
        streets: vec![street.clone()],
        ..march.clone()
    };
    let ids = e.case_ids(&in_street).expect("street");
    assert!(!ids.is_empty() && ids.len() < n_march);

    for f in [&march, &patrol, &in_street] {
        let n = e.case_ids(f).expect("ids").len();
        let hm = e
            .heatmap(
                f,
                &HeatmapParams {
                    width: 256,
                    height: 256,
                    ..Default::default()
                },
            )
            .expect("heatmap");
        assert_eq!(hm.cases, n);
        assert!(hm.max > 0.0);
        let ch = e
            .grid_choropleth(f, BreakMethod::Jenks, 5)
            .expect("choropleth");
        assert_eq!(
            ch.cases.iter().map(|&c| c as usize).sum::<usize>() + ch.unlocated,
            n
        );
        let t = e.trends(f, Bucket::Week, 3).expect("trends");
        assert_eq!(t.total.iter().map(|&c| c as usize).sum::<usize>(), n);
        let by_class: u32 = t
            .by_class
            .iter()
            .map(|s| s.values.iter().sum::<u32>())
            .sum();
        assert_eq!(by_class as usize, n);
        let h = e.hotspots(f, &HotspotParams::default()).expect("hotspots");
        assert_eq!(
            h.grids[0].cases.current,
            *ch.cases.iter().max().expect("grids")
        );
        assert!(
            h.grids[0].cases.previous.is_some(),
            "a closed date range has a previous period"
        );
        assert!(!h.places.is_empty());
    }
    // A street filter leaves no case outside that street's grids.
    let ch = e
        .grid_choropleth(&in_street, BreakMethod::Quantile, 5)
        .expect("choropleth");
    for (code, &n) in ch.codes.iter().zip(&ch.cases) {
        if n > 0 {
            assert!(code.starts_with(&street), "{code}");
        }
    }
    let closed = CaseFilter {
        statuses: vec![CaseStatus::Closed],
        ..Default::default()
    };
    let ch = e
        .grid_choropleth(&closed, BreakMethod::Quantile, 5)
        .expect("choropleth");
    assert_eq!(
        ch.overdue.iter().sum::<u32>(),
        0,
        "closed cases are never overdue"
    );
}

#[test]
fn evaluation_config_is_kept_in_the_store_and_windows_cover_the_filter() {
    // Its own store: the shared engine's settings are never changed.
    let (dir, engine) = private_copy();
    let e = &engine;
    let mut cfg = e.evaluation_config().expect("config");
    assert_eq!(
        cfg,
        griddesk::analytics::evaluation::EvaluationConfig::default()
    );
    cfg.min_sample = 12;
    cfg.region.w_public_report = 20.0;
    e.set_evaluation_config(&crate::common::admin(e), &cfg, None)
        .expect("save");
    assert_eq!(e.evaluation_config().expect("config"), cfg);
    let reopened = Engine::open(&dir.path().join("copy.sqlite")).expect("reopen");
    assert_eq!(reopened.evaluation_config().expect("config"), cfg);
    drop(reopened);
    let f = CaseFilter {
        from: Some(d("2026-03-04")),
        to: Some(d("2026-03-31")),
        ..Default::default()
    };
    let w = e.playback_windows(&f, Bucket::Week);
    assert_eq!(w.first(), Some(&(d("2026-03-04"), d("2026-03-08"))));
    assert_eq!(w.last(), Some(&(d("2026-03-30"), d("2026-03-31"))));
    let total: usize = w
        .iter()
        .map(|&(a, b)| {
            e.case_ids(&f.with_dates(Some(a), Some(b)))
                .expect("ids")
                .len()
        })
        .sum();
    assert_eq!(
        total,
        e.case_ids(&f).expect("ids").len(),
        "the windows partition the range"
    );
}

#[test]
fn reload_rebuilds_the_snapshot() {
    let (_dir, engine) = private_copy();
    let e = &engine;
    let a = e.case_columns();
    assert!(Arc::ptr_eq(&a, &e.case_columns()), "built once per state");
    e.reload().expect("reload");
    let b = e.case_columns();
    assert!(!Arc::ptr_eq(&a, &b));
    assert_eq!(a.len(), b.len());
}

#[test]
fn load_balance_and_reports() {
    let e = &seeded().engine;
    let lb = e.load_balance(&LoadParams::new(d("2026-10-31")));
    assert_eq!(lb.grids.len(), e.overview().grids);
    assert!(lb.median > 0.0 && lb.high > 0);
    let dir = tempfile::tempdir().expect("temp dir");
    let f = CaseFilter {
        from: Some(d("2026-03-01")),
        to: Some(d("2026-03-31")),
        ..Default::default()
    };
    let ch = e
        .grid_choropleth(&f, BreakMethod::Quantile, 5)
        .expect("choropleth");
    let sheet = Sheet::from_choropleth(&ch, &e.case_columns());
    let xlsx = dir.path().join("grids.xlsx");
    write_xlsx(&xlsx, &[sheet.clone(), Sheet::from_load(&lb)]).expect("xlsx");
    assert!(std::fs::metadata(&xlsx).expect("xlsx").len() > 1000);
    let csv = dir.path().join("grids.csv");
    write_csv(&csv, &sheet).expect("csv");
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with("\u{feff}网格编码,网格名称,案件数"));
    let hm = e
        .heatmap(
            &f,
            &HeatmapParams {
                width: 300,
                height: 300,
                ..Default::default()
            },
        )
        .expect("heatmap");
    let t = e.trends(&f, Bucket::Day, 4).expect("trends");
    let html = bulletin_html(&Bulletin {
        title: "黄岩区数字城管月度简报".into(),
        period: "2026年3月".into(),
        figures: vec![("案件数".into(), hm.cases.to_string())],
        tables: vec![sheet],
        heatmap: Some(&hm),
        trends: Some(&t),
    })
    .expect("bulletin");
    assert!(html.contains("data:image/png;base64,iVBORw0KGgo"));
    assert!(html.contains("<polyline"));
}
