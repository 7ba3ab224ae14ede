//! Trends: cases per day, week or month split by class (top-k + other) and by source; the
//! handling-time distribution and the on-time rate over time (from workflow clocks); and the
//! windows of the heatmap's time slider.

use super::columns::{day_date, day_number, CaseColumns};
use super::evaluation::{EvalCase, Hangup};
use crate::model::CaseSource;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Time bucket of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    #[default]
    Day,
    /// Monday to Sunday.
    Week,
    Month,
}

impl Bucket {
    /// Parses `day`, `week` or `month`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "day" | "日" => Some(Bucket::Day),
            "week" | "周" => Some(Bucket::Week),
            "month" | "月" => Some(Bucket::Month),
            _ => None,
        }
    }

    /// The first day of the bucket holding `d`.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => d,
            Bucket::Week => {
                d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
            }
            Bucket::Month => d.with_day(1).unwrap_or(d),
        }
    }

    /// The first day of the next bucket after the one starting at `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + chrono::Duration::days(1),
            Bucket::Week => start + chrono::Duration::days(7),
            Bucket::Month => start
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MAX),
        }
    }
}

/// Playback windows `[first, last]` covering `from..=to` bucket by bucket (clipped to the range).
pub fn windows(from: NaiveDate, to: NaiveDate, bucket: Bucket) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = vec![];
    let mut s = bucket.start_of(from);
    while s <= to {
        let n = bucket.next(s);
        out.push((s.max(from), (n - chrono::Duration::days(1)).min(to)));
        s = n;
    }
    out
}

/// One named series.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Series {
    /// `event:01`, a source key, or `other`.
    pub key: String,
    pub label: String,
    pub values: Vec<u32>,
}

/// Case counts over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Trends {
    pub bucket: Bucket,
    /// First day of each bucket.
    pub starts: Vec<NaiveDate>,
    pub total: Vec<u32>,
    /// The `top` major classes by total, then `other`.
    pub by_class: Vec<Series>,
    pub by_source: Vec<Series>,
}

/// Bucket index of each day in `[d0, d1]` (day numbers) and the bucket starts.
fn bucket_table(d0: i32, d1: i32, bucket: Bucket) -> (Vec<u32>, Vec<NaiveDate>) {
    let mut starts: Vec<NaiveDate> = vec![];
    let mut idx = Vec::with_capacity((d1 - d0 + 1).max(0) as usize);
    for d in d0..=d1 {
        let s = bucket.start_of(day_date(d));
        if starts.last() != Some(&s) {
            starts.push(s);
        }
        idx.push(starts.len() as u32 - 1);
    }
    (idx, starts)
}

/// Counts the rows (of `cols`, in day order) per bucket over `[from, to]` (default: the rows'
/// own span), split by major class (top `top`, then other) and by source.
pub fn trends(
    cols: &CaseColumns,
    rows: &[u32],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    bucket: Bucket,
    top: usize,
) -> Trends {
    let span = |r: Option<&u32>| r.map(|&r| cols.day[r as usize]);
    let d0 = from.map(day_number).or(span(rows.first())).unwrap_or(0);
    let d1 = to.map(day_number).or(span(rows.last())).unwrap_or(d0);
    let (idx, starts) = if d1 >= d0 {
        bucket_table(d0, d1, bucket)
    } else {
        (vec![], vec![])
    };
    let nb = starts.len();
    // Major class of each class index.
    let mut majors: Vec<String> = vec![];
    let mut major_pos: HashMap<String, usize> = HashMap::new();
    let major_of: Vec<usize> = cols
        .classes
        .iter()
        .map(|k| {
            let key = format!("{}:{}", k.kind.key(), k.code.major());
            *major_pos.entry(key.clone()).or_insert_with(|| {
                majors.push(key);
                majors.len() - 1
            })
        })
        .collect();
    let mut total = vec![0u32; nb];
    let mut by_major = vec![vec![0u32; nb]; majors.len()];
    let mut by_source = vec![vec![0u32; nb]; CaseSource::ALL.len()];
    for &r in rows {
        let r = r as usize;
        let d = cols.day[r];
        if d < d0 || d > d1 {
            continue;
        }
        let b = idx[(d - d0) as usize] as usize;
        total[b] += 1;
        by_major[major_of[cols.class[r] as usize]][b] += 1;
        by_source[cols.source[r] as usize][b] += 1;
    }
    let mut order: Vec<usize> = (0..majors.len()).collect();
    let sum = |v: &Vec<u32>| v.iter().map(|&x| u64::from(x)).sum::<u64>();
    order.sort_by(|&a, &b| {
        sum(&by_major[b])
            .cmp(&sum(&by_major[a]))
            .then(majors[a].cmp(&majors[b]))
    });
    let mut by_class: Vec<Series> = order
        .iter()
        .take(top)
        .filter(|&&m| sum(&by_major[m]) > 0)
        .map(|&m| Series {
            key: majors[m].clone(),
            label: cols.class_name(&majors[m]),
            values: by_major[m].clone(),
        })
        .collect();
    if order.len() > top {
        let mut other = vec![0u32; nb];
        for &m in &order[top..] {
            for (o, v) in other.iter_mut().zip(&by_major[m]) {
                *o += v;
            }
        }
        if other.iter().any(|&v| v > 0) {
            by_class.push(Series {
                key: "other".into(),
                label: "其他".into(),
                values: other,
            });
        }
    }
    let by_source = CaseSource::ALL
        .iter()
        .zip(by_source)
        .filter(|(_, v)| v.iter().any(|&x| x > 0))
        .map(|(s, values)| Series {
            key: s.key().into(),
            label: s.zh().into(),
            values,
        })
        .collect();
    Trends {
        bucket,
        starts,
        total,
        by_class,
        by_source,
    }
}

/// A histogram bin of handling time, hours `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HourBin {
    pub from_h: f64,
    /// `None` for the open last bin.
    pub to_h: Option<f64>,
    pub count: u32,
}

/// Handling time and on-time rate over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handling {
    pub bucket: Bucket,
    pub starts: Vec<NaiveDate>,
    /// Cases whose handling ended (feedback) in each bucket.
    pub handled: Vec<u32>,
    /// Of those, on time (hang-ups excluded, extensions included).
    pub on_time: Vec<u32>,
    /// `on_time / handled × 100`.
    pub on_time_rate: Vec<Option<f64>>,
    /// Distribution of the handling clock (dispatch to feedback, hung time excluded), hours.
    pub histogram: Vec<HourBin>,
    pub median_h: Option<f64>,
    pub p90_h: Option<f64>,
    pub mean_h: Option<f64>,
}

/// Default histogram edges in hours: 2 h, 4 h, 8 h, 1 d, 2 d, 3 d, 5 d, 10 d.
pub const HOUR_EDGES: [f64; 8] = [2.0, 4.0, 8.0, 24.0, 48.0, 72.0, 120.0, 240.0];

/// Handling figures of the cases whose handling ended in `[from, to]`.
pub fn handling(
    cases: &[EvalCase],
    from: NaiveDate,
    to: NaiveDate,
    bucket: Bucket,
    edges: &[f64],
) -> Handling {
    let (d0, d1) = (day_number(from), day_number(to));
    let (idx, starts) = if d1 >= d0 {
        bucket_table(d0, d1, bucket)
    } else {
        (vec![], vec![])
    };
    let nb = starts.len();
    let mut handled = vec![0u32; nb];
    let mut on_time = vec![0u32; nb];
    let mut hours: Vec<f64> = vec![];
    for c in cases {
        let (Some(s), Some(e)) = (c.handle.start, c.handle.end) else {
            continue;
        };
        let d = day_number(e.date());
        if d < d0 || d > d1 {
            continue;
        }
        let b = idx[(d - d0) as usize] as usize;
        handled[b] += 1;
        on_time[b] += u32::from(c.handle.on_time(&c.hangups) == Some(true));
        let hung =
            super::evaluation::input::hung_before(&c.hangups, e) - hung_before_start(&c.hangups, s);
        hours.push(((e - s) - hung).num_seconds() as f64 / 3600.0);
    }
    let mut histogram: Vec<HourBin> = Vec::with_capacity(edges.len() + 1);
    let mut lo = 0.0;
    for &hi in edges {
        histogram.push(HourBin {
            from_h: lo,
            to_h: Some(hi),
            count: 0,
        });
        lo = hi;
    }
    histogram.push(HourBin {
        from_h: lo,
        to_h: None,
        count: 0,
    });
    for &h in &hours {
        let k = edges.iter().position(|&e| h < e).unwrap_or(edges.len());
        histogram[k].count += 1;
    }
    hours.sort_by(f64::total_cmp);
    let q = |p: f64| (!hours.is_empty()).then(|| super::choropleth::quantile_sorted(&hours, p));
    Handling {
        bucket,
        on_time_rate: handled
            .iter()
            .zip(&on_time)
            .map(|(&h, &o)| (h > 0).then(|| f64::from(o) / f64::from(h) * 100.0))
            .collect(),
        starts,
        handled,
        on_time,
        histogram,
        median_h: q(0.5),
        p90_h: q(0.9),
        mean_h: (!hours.is_empty()).then(|| hours.iter().sum::<f64>() / hours.len() as f64),
    }
}

fn hung_before_start(h: &[Hangup], s: chrono::NaiveDateTime) -> chrono::Duration {
    super::evaluation::input::hung_before(h, s)
}

#[cfg(test)]
mod tests {
    use super::super::columns::tests::{date, regions, row};
    use super::super::evaluation::Stage;
    use super::*;
    use chrono::NaiveDateTime;

    #[test]
    fn windows_cover_the_range_clipped() {
        let w = windows(date("2026-03-04"), date("2026-03-20"), Bucket::Week);
        assert_eq!(w.first(), Some(&(date("2026-03-04"), date("2026-03-08"))));
        assert_eq!(w.last(), Some(&(date("2026-03-16"), date("2026-03-20"))));
        assert_eq!(w.len(), 3);
        let m = windows(date("2026-01-15"), date("2026-03-01"), Bucket::Month);
        assert_eq!(
            m,
            vec![
                (date("2026-01-15"), date("2026-01-31")),
                (date("2026-02-01"), date("2026-02-28")),
                (date("2026-03-01"), date("2026-03-01")),
            ]
        );
    }

    #[test]
    fn counts_per_week_by_class_and_source() {
        let mut rows = vec![];
        // 2026-03-02 is a Monday. Week 1: 4 cases; week 2: 2 cases.
        for (i, (d, class, src)) in [
            ("2026-03-02", "0101", CaseSource::Patrol),
            ("2026-03-03", "0102", CaseSource::Patrol),
            ("2026-03-08", "0201", CaseSource::Hotline12345),
            ("2026-03-08", "0301", CaseSource::Patrol),
            ("2026-03-09", "0101", CaseSource::VideoAi),
            ("2026-03-15", "0401", CaseSource::Patrol),
        ]
        .into_iter()
        .enumerate()
        {
            let mut r = row(&format!("c{i}"), d, class, 0);
            r.source = src;
            rows.push(r);
        }
        let cols = CaseColumns::from_rows(regions(), [121.26, 28.64], rows.into_iter());
        let sel: Vec<u32> = (0..6).collect();
        let t = trends(
            &cols,
            &sel,
            Some(date("2026-03-02")),
            Some(date("2026-03-22")),
            Bucket::Week,
            1,
        );
        assert_eq!(
            t.starts,
            vec![date("2026-03-02"), date("2026-03-09"), date("2026-03-16")]
        );
        assert_eq!(t.total, vec![4, 2, 0]);
        assert_eq!(t.by_class[0].key, "event:01");
        assert_eq!(t.by_class[0].values, vec![2, 1, 0]);
        assert_eq!(t.by_class[1].key, "other");
        assert_eq!(t.by_class[1].values, vec![2, 1, 0]);
        let patrol = t
            .by_source
            .iter()
            .find(|s| s.key == "patrol")
            .expect("patrol");
        assert_eq!(patrol.values, vec![3, 1, 0]);
        assert_eq!(t.by_source.len(), 3);
    }

    #[test]
    fn handling_time_excludes_hang_ups() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        let class = super::super::columns::ClassKey {
            kind: crate::model::CaseKind::Event,
            code: crate::code::ClassCode::parse("0101").expect("class"),
        };
        let mk = |id: &str, start: &str, end: &str, deadline: &str| {
            let mut c = EvalCase::new(id, class, CaseSource::Patrol, t(start));
            c.handle = Stage {
                holder: Some(0),
                start: Some(t(start)),
                end: Some(t(end)),
                deadline: Some(t(deadline)),
                extended_to: None,
                recorded_on_time: None,
            };
            c
        };
        let a = mk(
            "a",
            "2026-03-02 08:00",
            "2026-03-02 11:00",
            "2026-03-02 12:00",
        ); // 3 h, on time
        let mut b = mk(
            "b",
            "2026-03-02 08:00",
            "2026-03-05 08:00",
            "2026-03-03 08:00",
        ); // 72 h − 48 h hung
        b.hangups = vec![Hangup {
            from: t("2026-03-03 00:00"),
            to: Some(t("2026-03-05 00:00")),
        }];
        let c = mk(
            "c",
            "2026-03-09 08:00",
            "2026-03-10 20:00",
            "2026-03-10 08:00",
        ); // 36 h, late
        let h = handling(
            &[a, b, c],
            date("2026-03-01"),
            date("2026-03-31"),
            Bucket::Week,
            &HOUR_EDGES,
        );
        // Weeks start on Monday 23 Feb (1 March is a Sunday).
        assert_eq!(h.starts[1], date("2026-03-02"));
        assert_eq!(h.handled, vec![0, 2, 1, 0, 0, 0]);
        assert_eq!(h.on_time, vec![0, 2, 0, 0, 0, 0]);
        assert_eq!(h.on_time_rate[0], None);
        assert_eq!(h.on_time_rate[1], Some(100.0));
        assert_eq!(h.on_time_rate[2], Some(0.0));
        // 3 h → [2,4); 24 h → [24,48); 36 h → [24,48).
        let counts: Vec<u32> = h.histogram.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![0, 1, 0, 0, 2, 0, 0, 0, 0]);
        assert_eq!(h.median_h, Some(24.0));
    }
}
