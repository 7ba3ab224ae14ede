//! `griddesk analytics …`: heatmap, per-grid counts, hotspots, trends, evaluation, bulletin and
//! load balance, each with the same filter flags, written as PNG / XLSX / CSV / JSON / HTML.

use anyhow::{bail, Context, Result};
use chrono::{Datelike, NaiveDate};
use clap::{Args, Subcommand};
use griddesk::analytics::choropleth::BreakMethod;
use griddesk::analytics::evaluation::{
    csv_in, drill, evaluate, EvaluationConfig, Indicator, ObjectRef, Period, TableKind,
};
use griddesk::analytics::heatmap::HeatmapParams;
use griddesk::analytics::hotspots::HotspotParams;
use griddesk::analytics::load::LoadParams;
use griddesk::analytics::report::{trend_svg, write_csv, write_xlsx, Sheet};
use griddesk::analytics::trends::Bucket;
use griddesk::analytics::{BulletinSpec, CaseFilter};
use griddesk::model::{CaseSource, CaseStatus};
use griddesk::Engine;
use std::path::{Path, PathBuf};

/// The filter flags every map command takes.
#[derive(Args, Clone, Default)]
pub struct FilterArgs {
    /// First report day (YYYY-MM-DD), inclusive.
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Last report day (YYYY-MM-DD), inclusive.
    #[arg(long)]
    to: Option<NaiveDate>,
    /// Whole month YYYY-MM (sets --from and --to).
    #[arg(long)]
    month: Option<String>,
    /// Class: event:0101, event:01, 0101, event or component (repeatable).
    #[arg(long = "class")]
    classes: Vec<String>,
    /// Case source key or Chinese label (repeatable).
    #[arg(long = "source")]
    sources: Vec<String>,
    /// Case status key or Chinese label (repeatable).
    #[arg(long = "status")]
    statuses: Vec<String>,
    /// Handling department (repeatable).
    #[arg(long = "department")]
    departments: Vec<String>,
    /// 9-digit street code (repeatable).
    #[arg(long = "street")]
    streets: Vec<String>,
    /// 12-digit community code (repeatable).
    #[arg(long = "community")]
    communities: Vec<String>,
    /// 15-digit grid code (repeatable).
    #[arg(long = "grid")]
    grids: Vec<String>,
    /// The moment open cases are judged overdue at, `YYYY-MM-DD HH:MM:SS` (default: now).
    #[arg(long = "as-of")]
    as_of: Option<String>,
}

fn month_range(m: &str) -> Result<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
        .with_context(|| format!("--month `{m}`: expected YYYY-MM"))?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .context("month out of range")?;
    Ok((first, next.pred_opt().context("month out of range")?))
}

impl FilterArgs {
    fn filter(&self) -> Result<CaseFilter> {
        let (mut from, mut to) = (self.from, self.to);
        if let Some(m) = &self.month {
            let (a, b) = month_range(m)?;
            from = Some(a);
            to = Some(b);
        }
        let sources = self
            .sources
            .iter()
            .map(|s| {
                CaseSource::parse(s).with_context(|| format!("--source `{s}`: not a case source"))
            })
            .collect::<Result<_>>()?;
        let statuses = self
            .statuses
            .iter()
            .map(|s| {
                CaseStatus::parse(s).with_context(|| format!("--status `{s}`: not a case status"))
            })
            .collect::<Result<_>>()?;
        Ok(CaseFilter {
            from,
            to,
            classes: self.classes.clone(),
            sources,
            statuses,
            departments: self.departments.clone(),
            streets: self.streets.clone(),
            communities: self.communities.clone(),
            grids: self.grids.clone(),
            as_of: self
                .as_of
                .as_deref()
                .map(griddesk::store::parse_datetime)
                .transpose()?,
        })
    }
}

#[derive(Subcommand)]
pub enum AnalyticsCmd {
    /// Kernel-density heatmap of the filtered cases: PNG (coloured) plus a JSON of corners and legend.
    Heatmap {
        db: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
        /// Output PNG; `<out>.json` gets the lon/lat corners, legend and cell size.
        #[arg(long, short)]
        out: PathBuf,
        #[arg(long, default_value_t = 1024)]
        width: usize,
        #[arg(long, default_value_t = 1024)]
        height: usize,
        /// Kernel bandwidth, metres.
        #[arg(long, default_value_t = 150.0)]
        bandwidth: f64,
        /// Box west,south,east,north in lon/lat (default: all cases plus 3 bandwidths).
        #[arg(long, value_delimiter = ',', num_args = 4)]
        bbox: Option<Vec<f64>>,
        /// Top of the colour scale, cases per km² (default: the raster's maximum).
        #[arg(long)]
        max: Option<f64>,
    },
    /// Per-grid counts, cases per hectare and overdue share (XLSX, CSV or JSON by extension).
    GridCounts {
        db: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, short)]
        out: PathBuf,
        /// quantile or jenks.
        #[arg(long, default_value = "quantile")]
        breaks: String,
        /// Number of legend classes.
        #[arg(long, default_value_t = 5)]
        legend_classes: usize,
    },
    /// Top grids and places, compared with the previous period of equal length.
    Hotspots {
        db: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, short)]
        out: PathBuf,
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Cell size of the place grouping, metres.
        #[arg(long, default_value_t = 100.0)]
        cell: f64,
    },
    /// Cases per day, week or month by class and source (XLSX, CSV, JSON or SVG).
    Trends {
        db: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, short)]
        out: PathBuf,
        /// day, week or month.
        #[arg(long, default_value = "day")]
        bucket: String,
        /// Major classes shown before "other".
        #[arg(long, default_value_t = 5)]
        top: usize,
    },
    /// SPEC §5 evaluation tables of a month from a folder of workflow CSVs (grids, people, cases).
    Evaluate {
        /// The store to evaluate: its recorded case loop, with the same code as the app.
        #[arg(long, conflicts_with = "input", required_unless_present_any = ["input", "print_config"])]
        db: Option<PathBuf>,
        /// Instead of a store: a folder with grids.csv, people.csv and cases.csv.
        #[arg(long)]
        input: Option<PathBuf>,
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        /// Weights, bands and grades as JSON (default: SPEC §5). `--print-config` shows the format.
        #[arg(long)]
        config: Option<PathBuf>,
        /// XLSX (all tables), CSV (one file per table: <stem>_<table>.csv) or JSON.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Print the case ids behind one number: TABLE:CODE:INDICATOR (e.g. grid:331003001001001:overdue_open).
        #[arg(long)]
        drill: Option<String>,
        /// Print the default configuration as JSON and exit.
        #[arg(long)]
        print_config: bool,
    },
    /// Monthly bulletin as one HTML page: key table by street, heatmap, trend chart.
    Bulletin {
        db: PathBuf,
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        #[arg(long, short)]
        out: PathBuf,
        /// The moment open cases are judged overdue at, `YYYY-MM-DD HH:MM:SS` (default: now).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Per-grid workload and grids far from the district median (XLSX, CSV or JSON).
    Load {
        db: PathBuf,
        #[arg(long, short)]
        out: PathBuf,
        /// Last day counted (default: the latest report day).
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Flag grids at ≥ factor × median or ≤ median / factor.
        #[arg(long, default_value_t = 2.0)]
        factor: f64,
        #[arg(long, default_value_t = 0.1)]
        component_weight: f64,
    },
}

fn ext(p: &Path) -> String {
    p.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Writes sheets by extension: one workbook, or one CSV per sheet (`<stem>_<n>.csv` after the first).
fn write_sheets(out: &Path, sheets: &[Sheet], json: impl FnOnce() -> Result<String>) -> Result<()> {
    match ext(out).as_str() {
        "xlsx" => write_xlsx(out, sheets)?,
        "csv" => {
            for (i, s) in sheets.iter().enumerate() {
                let p = if i == 0 {
                    out.to_path_buf()
                } else {
                    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("table");
                    out.with_file_name(format!("{stem}_{}.csv", i + 1))
                };
                write_csv(&p, s)?;
            }
        }
        "json" => std::fs::write(out, json()?)
            .with_context(|| format!("cannot write {}", out.display()))?,
        e => bail!(
            "{}: unknown output type `.{e}` (use .xlsx, .csv or .json)",
            out.display()
        ),
    }
    Ok(())
}

fn open(db: &Path) -> Result<Engine> {
    Engine::open(db).with_context(|| format!("cannot open store {}", db.display()))
}

pub fn run(cmd: AnalyticsCmd) -> Result<()> {
    match cmd {
        AnalyticsCmd::Heatmap {
            db,
            filter,
            out,
            width,
            height,
            bandwidth,
            bbox,
            max,
        } => {
            let e = open(&db)?;
            let p = HeatmapParams {
                width,
                height,
                bandwidth_m: bandwidth,
                bbox: bbox.map(|b| [b[0], b[1], b[2], b[3]]),
                ..Default::default()
            };
            let t = std::time::Instant::now();
            let hm = e.heatmap(&filter.filter()?, &p)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            std::fs::write(&out, hm.png(max)?)
                .with_context(|| format!("cannot write {}", out.display()))?;
            let meta = serde_json::json!({"heatmap": hm, "legend": hm.legend(max), "ms": ms});
            let jpath = out.with_extension("json");
            std::fs::write(&jpath, serde_json::to_string_pretty(&meta)?)?;
            println!(
                "{} cases, peak {:.1} cases/km², {:.1} ms → {} and {}",
                hm.cases,
                hm.max,
                ms,
                out.display(),
                jpath.display()
            );
        }
        AnalyticsCmd::GridCounts {
            db,
            filter,
            out,
            breaks,
            legend_classes,
        } => {
            let e = open(&db)?;
            let method = match breaks.as_str() {
                "quantile" => BreakMethod::Quantile,
                "jenks" => BreakMethod::Jenks,
                b => bail!("--breaks `{b}`: use quantile or jenks"),
            };
            let ch = e.grid_choropleth(&filter.filter()?, method, legend_classes)?;
            write_sheets(
                &out,
                &[Sheet::from_choropleth(&ch, &e.case_columns())],
                || Ok(serde_json::to_string(&ch)?),
            )?;
            println!(
                "{} cases in {} grids ({} outside any grid); breaks of counts {:?} → {}",
                ch.total,
                ch.cases.iter().filter(|&&c| c > 0).count(),
                ch.unlocated,
                ch.breaks_cases.bounds,
                out.display()
            );
        }
        AnalyticsCmd::Hotspots {
            db,
            filter,
            out,
            top,
            cell,
        } => {
            let e = open(&db)?;
            let h = e.hotspots(
                &filter.filter()?,
                &HotspotParams {
                    top,
                    cell_m: cell,
                    min_cases: None,
                },
            )?;
            write_sheets(&out, &Sheet::from_hotspots(&h), || {
                Ok(serde_json::to_string_pretty(&h)?)
            })?;
            println!(
                "{} hotspot grids, {} places (≥ {} cases per cell) → {}",
                h.grids.len(),
                h.places.len(),
                h.min_cases,
                out.display()
            );
        }
        AnalyticsCmd::Trends {
            db,
            filter,
            out,
            bucket,
            top,
        } => {
            let e = open(&db)?;
            let b = Bucket::parse(&bucket)
                .with_context(|| format!("--bucket `{bucket}`: use day, week or month"))?;
            let t = e.trends(&filter.filter()?, b, top)?;
            if ext(&out) == "svg" {
                std::fs::write(&out, trend_svg(&t, 960, 320))?;
            } else {
                write_sheets(&out, &[Sheet::from_trends(&t)], || {
                    Ok(serde_json::to_string_pretty(&t)?)
                })?;
            }
            println!(
                "{} buckets, {} cases → {}",
                t.starts.len(),
                t.total.iter().sum::<u32>(),
                out.display()
            );
        }
        AnalyticsCmd::Evaluate {
            db,
            input,
            month,
            config,
            out,
            drill: drill_spec,
            print_config,
        } => {
            if print_config {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&EvaluationConfig::default())?
                );
                return Ok(());
            }
            let (first, _) = month_range(&month)?;
            let period =
                Period::month(first.year(), first.month()).context("month out of range")?;
            let from_file = match &config {
                Some(p) => Some(EvaluationConfig::from_json(
                    &std::fs::read_to_string(p)?,
                    &p.display().to_string(),
                )?),
                None => None,
            };
            // A store is evaluated exactly as the app does (its own settings unless --config);
            // a CSV folder with the SPEC defaults unless --config.
            let (inp, cfg) = match (&db, &input) {
                (Some(db), _) => {
                    let e = open(db)?;
                    let cfg = match from_file {
                        Some(c) => c,
                        None => e.evaluation_config()?,
                    };
                    (e.evaluation_input(&period)?, cfg)
                }
                (None, Some(dir)) => (
                    std::sync::Arc::new(csv_in::load_dir(dir)?),
                    from_file.unwrap_or_default(),
                ),
                (None, None) => bail!("give a store (--db STORE) or a CSV folder (--input DIR)"),
            };
            let t = std::time::Instant::now();
            let ev = evaluate(&inp, &period, &cfg);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if let Some(spec) = drill_spec {
                let parts: Vec<&str> = spec.splitn(3, ':').collect();
                let [table, code, ind] = parts[..] else {
                    bail!("--drill `{spec}`: expected TABLE:CODE:INDICATOR");
                };
                let kind = TableKind::parse(table)
                    .with_context(|| format!("--drill: unknown table `{table}`"))?;
                let tab = ev.table(kind).context("table missing")?;
                let row = tab
                    .row(code)
                    .with_context(|| format!("--drill: no row `{code}` in {table}"))?;
                let ind = Indicator::ALL
                    .iter()
                    .copied()
                    .find(|i| i.key() == ind && tab.counts.contains(i))
                    .with_context(|| {
                        format!("--drill: `{ind}` is not a count of the {table} table")
                    })?;
                let ids = drill(
                    &inp,
                    &period,
                    ObjectRef {
                        table: kind,
                        index: row.object.index,
                    },
                    ind,
                );
                for id in &ids {
                    println!("{id}");
                }
                eprintln!("{} cases", ids.len());
                return Ok(());
            }
            let sheets = Sheet::from_evaluation(&ev);
            match &out {
                Some(o) if ext(o) == "csv" => {
                    let stem = o
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or("evaluation");
                    for (t, s) in ev.tables.iter().zip(&sheets) {
                        write_csv(&o.with_file_name(format!("{stem}_{}.csv", t.kind.key())), s)?;
                    }
                }
                Some(o) => write_sheets(o, &sheets, || Ok(serde_json::to_string_pretty(&ev)?))?,
                None => {
                    for t in &ev.tables {
                        println!("{}", t.title);
                        for r in &t.rows {
                            println!(
                                "  {:<16} {:<10} 样本 {:>6}  综合 {:>7}  {}  排名 {}",
                                r.code,
                                r.name,
                                r.sample,
                                r.composite.map_or("-".into(), |c| format!("{c:.2}")),
                                r.grade.as_deref().unwrap_or("-"),
                                r.rank.map_or("-".into(), |k| k.to_string())
                            );
                        }
                    }
                }
            }
            eprintln!("{} cases evaluated in {:.1} ms", inp.cases.len(), ms);
        }
        AnalyticsCmd::Bulletin {
            db,
            month,
            out,
            as_of,
        } => {
            let e = open(&db)?;
            let (first, last) = month_range(&month)?;
            let f = CaseFilter {
                from: Some(first),
                to: Some(last),
                ..Default::default()
            };
            let as_of = match &as_of {
                Some(t) => griddesk::store::parse_datetime(t)?,
                None => griddesk::analytics::now_minute(),
            };
            let html = e.bulletin(&BulletinSpec {
                filter: f.clone(),
                period: format!("{}年{}月", first.year(), first.month()),
                as_of,
                heatmap_size: (900, 700),
            })?;
            std::fs::write(&out, html)
                .with_context(|| format!("cannot write {}", out.display()))?;
            let t = e.case_totals(&CaseFilter {
                as_of: Some(as_of),
                ..f
            })?;
            println!(
                "bulletin {month}: {} cases, {} open, {} closed, {} overdue at {as_of} → {}",
                t.cases,
                t.open,
                t.closed,
                t.overdue,
                out.display()
            );
        }
        AnalyticsCmd::Load {
            db,
            out,
            as_of,
            months,
            factor,
            component_weight,
        } => {
            let e = open(&db)?;
            let cols = e.case_columns();
            let last = cols
                .day_span()
                .map(|(_, b)| griddesk::analytics::columns::day_date(b));
            let as_of = as_of.or(last).context("no cases: give --as-of")?;
            let lb = e.load_balance(&LoadParams {
                as_of,
                months,
                factor,
                component_weight,
                case_weight: 1.0,
            });
            write_sheets(&out, &[Sheet::from_load(&lb)], || {
                Ok(serde_json::to_string_pretty(&lb)?)
            })?;
            println!(
                "median workload {:.1}; {} grids high, {} low → {}",
                lb.median,
                lb.high,
                lb.low,
                out.display()
            );
        }
    }
    Ok(())
}
