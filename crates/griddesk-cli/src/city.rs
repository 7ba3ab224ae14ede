//! `griddesk city URL [--district CODE] [--month YYYY-MM] [--json]`: the city view of a centre
//! on the command line (docs/centre.md, "The city view"), through the same
//! [`griddesk::city::City`] functions as the app: statistics per district and for the whole
//! city, and the evaluation of a month across districts.

use anyhow::{Context, Result};
use chrono::Datelike;
use clap::Args;
use griddesk::analytics::evaluation::Period;
use griddesk::city::City;

#[derive(Args)]
pub struct CityArgs {
    /// The centre's connection string (a postgresql:// URL or key=value pairs); also
    /// GRIDDESK_CENTRE, which keeps a password off the command line.
    #[arg(env = "GRIDDESK_CENTRE")]
    url: String,
    /// Only this district (6-digit code); the whole city's row is left out.
    #[arg(long)]
    district: Option<String>,
    /// The month to evaluate (YYYY-MM; default: the month of the last case reported).
    #[arg(long)]
    month: Option<String>,
    /// Print JSON (`statistics`, `evaluation`) instead of tables.
    #[arg(long)]
    json: bool,
}

fn month_of(text: &str) -> Result<Period> {
    let (y, m) = text
        .trim()
        .split_once('-')
        .with_context(|| format!("--month `{text}` is not YYYY-MM"))?;
    let (y, m) = (
        y.parse::<i32>()
            .with_context(|| format!("--month `{text}`: year"))?,
        m.parse::<u32>()
            .with_context(|| format!("--month `{text}`: month"))?,
    );
    Period::month(y, m).with_context(|| format!("--month `{text}` is not a month"))
}

pub fn run(a: CityArgs) -> Result<()> {
    let city = City::open(&a.url)?;
    let o = city.overview();
    let at = griddesk::analytics::now_minute();
    let mut stats = city.statistics(at)?;
    if let Some(d) = &a.district {
        // A district the centre lacks is refused by name.
        city.figures(Some(d), at)?;
        stats.retain(|f| &f.code == d);
    }
    let period = match (&a.month, &o.last_day) {
        (Some(m), _) => Some(month_of(m)?),
        (None, Some(day)) => {
            let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")?;
            Period::month(d.year(), d.month())
        }
        (None, None) => None,
    };
    let mut evaluation = match &period {
        Some(p) => Some(city.evaluation(p)?),
        None => None,
    };
    if let (Some(t), Some(d)) = (evaluation.as_mut(), &a.district) {
        t.rows.retain(|r| &r.code == d);
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "centre": o.target,
                "as_of": at.format("%Y-%m-%d %H:%M:%S").to_string(),
                "statistics": stats,
                "evaluation": evaluation,
            }))?
        );
        return Ok(());
    }
    println!(
        "city centre {} — {} districts (open and overdue as of {})",
        o.target,
        o.districts.len(),
        at.format("%Y-%m-%d %H:%M")
    );
    println!(
        "{:<18} {:>7} {:>10} {:>8} {:>8} {:>8} {:>8} {:>9}",
        "district", "grids", "components", "cases", "open", "closed", "overdue", "closed %"
    );
    for f in &stats {
        let name = if f.code.is_empty() {
            "whole city".to_string()
        } else {
            format!("{} {}", f.code, f.name)
        };
        println!(
            "{:<18} {:>7} {:>10} {:>8} {:>8} {:>8} {:>8} {:>9}",
            name,
            f.grids,
            f.components,
            f.counts.cases,
            f.counts.open,
            f.counts.closed,
            f.counts.overdue,
            f.closed_share.map_or("-".into(), |v| format!("{v:.1}"))
        );
    }
    if let (Some(t), Some(p)) = (&evaluation, &period) {
        println!(
            "\nevaluation across districts, {}:",
            p.start.format("%Y-%m")
        );
        let heads: Vec<String> = t
            .counts
            .iter()
            .map(|i| i.zh().to_string())
            .chain(t.rates.iter().map(|r| format!("{}(%)", r.label)))
            .collect();
        println!("district\t{}\tcomposite\tgrade\trank", heads.join("\t"));
        for r in &t.rows {
            let values: Vec<String> = r
                .counts
                .iter()
                .map(u32::to_string)
                .chain(
                    r.rates
                        .iter()
                        .map(|v| v.map_or("-".into(), |x| format!("{x:.2}"))),
                )
                .collect();
            println!(
                "{} {}\t{}\t{}\t{}\t{}",
                r.code,
                r.name,
                values.join("\t"),
                r.composite.map_or("-".into(), |x| format!("{x:.2}")),
                r.grade.as_deref().unwrap_or("-"),
                r.rank.map_or("-".into(), |x| x.to_string())
            );
        }
    }
    Ok(())
}
