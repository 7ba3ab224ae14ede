//! Hand-worked examples (standard hours 08:00–12:00, 14:00–18:00 and the 2026 holiday table)
//! and properties of the working-time arithmetic.

use super::calendar::{china_2026, parse_calendar_csv, parse_office_hours};
use super::*;
use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn cal() -> &'static WorkCalendar {
    static CAL: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
    CAL.get_or_init(|| WorkCalendar::standard(china_2026()))
}

fn lim(amount: f64, unit: TimeUnit) -> TimeLimit {
    TimeLimit::new(amount, unit).unwrap()
}

#[test]
fn work_hours_within_a_day_and_across_lunch() {
    let c = cal();
    // Mon 2026-03-02 10:00 + 5 h: 10–12 (2 h), 14–17 (3 h).
    assert_eq!(
        c.deadline(t("2026-03-02 10:00"), lim(5.0, TimeUnit::WorkHour)),
        t("2026-03-02 17:00")
    );
    // Ending exactly at the end of the morning stays at 12:00, not 14:00.
    assert_eq!(
        c.deadline(t("2026-03-02 10:00"), lim(2.0, TimeUnit::WorkHour)),
        t("2026-03-02 12:00")
    );
    // Reported during lunch: the clock starts at 14:00.
    assert_eq!(
        c.deadline(t("2026-03-02 12:30"), lim(1.0, TimeUnit::WorkHour)),
        t("2026-03-02 15:00")
    );
    // Half an hour.
    assert_eq!(
        c.deadline(t("2026-03-02 11:45"), lim(0.5, TimeUnit::WorkHour)),
        t("2026-03-02 14:15")
    );
}

#[test]
fn work_hours_across_a_night_and_a_weekend() {
    let c = cal();
    // Mon 16:30 + 5 h: 1.5 h on Monday, 3.5 h on Tuesday morning.
    assert_eq!(
        c.deadline(t("2026-03-02 16:30"), lim(5.0, TimeUnit::WorkHour)),
        t("2026-03-03 11:30")
    );
    // Reported at night: counting starts at 08:00.
    assert_eq!(
        c.deadline(t("2026-03-02 23:10"), lim(1.0, TimeUnit::WorkHour)),
        t("2026-03-03 09:00")
    );
    // Fri 17:00 + 3 h: 1 h on Friday, 2 h on Monday.
    assert_eq!(
        c.deadline(t("2026-03-06 17:00"), lim(3.0, TimeUnit::WorkHour)),
        t("2026-03-09 10:00")
    );
    // Reported on Saturday.
    assert_eq!(
        c.deadline(t("2026-03-07 10:00"), lim(4.0, TimeUnit::WorkHour)),
        t("2026-03-09 12:00")
    );
}

#[test]
fn work_hours_across_holidays_and_adjusted_working_days() {
    let c = cal();
    // Wed 2026-09-30 16:00 + 4 h: 2 h that day, 国庆 1–7 Oct off, then Thu 8 Oct 08–10.
    assert_eq!(
        c.deadline(t("2026-09-30 16:00"), lim(4.0, TimeUnit::WorkHour)),
        t("2026-10-08 10:00")
    );
    // Sat 14 Feb 2026 is an adjusted working day before 春节.
    assert_eq!(
        c.deadline(t("2026-02-13 17:00"), lim(2.0, TimeUnit::WorkHour)),
        t("2026-02-14 09:00")
    );
    // From that Saturday afternoon across 春节 (15–23 Feb) to Tue 24 Feb.
    assert_eq!(
        c.deadline(t("2026-02-14 16:00"), lim(4.0, TimeUnit::WorkHour)),
        t("2026-02-24 10:00")
    );
    // Sun 4 Jan 2026 is a working day after 元旦 (1–3 Jan).
    assert_eq!(
        c.deadline(t("2025-12-31 17:00"), lim(3.0, TimeUnit::WorkHour)),
        t("2026-01-04 10:00")
    );
    // 清明 Sat 4 – Mon 6 Apr: Fri 09:00 to Tue 09:00 is 8 working hours = 1 working day.
    assert_eq!(
        c.used(
            t("2026-04-03 09:00"),
            t("2026-04-07 09:00"),
            TimeUnit::WorkHour
        ),
        8.0
    );
    assert_eq!(
        c.used(
            t("2026-04-03 09:00"),
            t("2026-04-07 09:00"),
            TimeUnit::WorkDay
        ),
        1.0
    );
    // Without the holiday table Monday 6 April counts.
    let plain = WorkCalendar::standard(Vec::new());
    assert_eq!(
        plain.used(
            t("2026-04-03 09:00"),
            t("2026-04-07 09:00"),
            TimeUnit::WorkHour
        ),
        16.0
    );
}

#[test]
fn work_days_urgent_hours_and_calendar_days() {
    let c = cal();
    // 1 工作日 from Friday 10:00: Fri 10–12, 14–18 (6 h), Mon 08–10 (2 h).
    assert_eq!(
        c.deadline(t("2026-03-06 10:00"), lim(1.0, TimeUnit::WorkDay)),
        t("2026-03-09 10:00")
    );
    // 15 工作日 across 劳动节 (1–5 May; Sat 9 May works): Thu 2026-04-30 09:00.
    // 7 h on 30 Apr, 14 full days (6–9 May with Saturday 9th, 11–15, 18–22 May), then the
    // last hour on Monday 25 May.
    assert_eq!(
        c.deadline(t("2026-04-30 09:00"), lim(15.0, TimeUnit::WorkDay)),
        t("2026-05-25 09:00")
    );
    // Urgent hours run through the night and the weekend.
    assert_eq!(
        c.deadline(t("2026-03-06 22:00"), lim(6.0, TimeUnit::UrgentHour)),
        t("2026-03-07 04:00")
    );
    assert_eq!(
        c.deadline(t("2026-09-30 10:00"), lim(3.0, TimeUnit::CalendarDay)),
        t("2026-10-03 10:00")
    );
    assert_eq!(
        c.used(
            t("2026-10-01 00:00"),
            t("2026-10-01 12:00"),
            TimeUnit::UrgentHour
        ),
        12.0
    );
    assert_eq!(
        c.used(
            t("2026-10-01 00:00"),
            t("2026-10-01 12:00"),
            TimeUnit::WorkHour
        ),
        0.0
    );
}

#[test]
fn hang_ups_stop_the_clock_and_extensions_extend_it() {
    let c = cal();
    let mut clock = StageClock {
        start: t("2026-03-02 09:00"),
        limit: lim(8.0, TimeUnit::WorkHour),
        extension_seconds: 0,
        hangs: vec![Interval {
            start: t("2026-03-02 11:00"),
            end: Some(t("2026-03-03 15:00")),
        }],
    };
    // 2 h before the hang-up, 6 h after Tue 15:00: Tue 15–18, Wed 08–11.
    assert_eq!(clock.deadline(c), Some(t("2026-03-04 11:00")));
    // An approved extension of 4 working hours: Wed 11–12, 14–17.
    clock.extension_seconds = 4 * 3600;
    assert_eq!(clock.deadline(c), Some(t("2026-03-04 17:00")));
    let s = clock.state(c, t("2026-03-04 12:00"));
    assert_eq!(s.used_seconds, (2 + 3 + 4) * 3600);
    assert_eq!(s.remaining_seconds, 3 * 3600);
    assert!(!s.overdue);
    // A hang-up still open: the clock is stopped and the remaining time frozen.
    clock.hangs.push(Interval {
        start: t("2026-03-04 12:00"),
        end: None,
    });
    let s = clock.state(c, t("2026-03-20 12:00"));
    assert_eq!(s.deadline, None);
    assert!(s.stopped);
    assert_eq!(s.remaining_seconds, 3 * 3600);
}

#[test]
fn overdue_multiple() {
    let c = cal();
    let clock = StageClock {
        start: t("2026-03-02 08:00"),
        limit: lim(4.0, TimeUnit::WorkHour),
        extension_seconds: 0,
        hangs: vec![],
    };
    assert_eq!(clock.deadline(c), Some(t("2026-03-02 12:00")));
    let s = clock.state(c, t("2026-03-02 18:00"));
    assert!(s.overdue);
    assert_eq!(s.used_seconds, 8 * 3600);
    assert_eq!(s.overdue_multiple, 1.0);
    assert_eq!(s.remaining_seconds, -4 * 3600);
    // Exactly at the deadline is on time.
    let s = clock.state(c, t("2026-03-02 12:00"));
    assert!(!s.overdue);
    assert_eq!(s.overdue_multiple, 0.0);
}

#[test]
fn office_hours_and_calendar_files_are_validated() {
    assert!(parse_office_hours("08:00-12:00,14:00-18:00").is_ok());
    assert!(parse_office_hours("08:30-12:00").is_ok());
    for bad in [
        "",
        "08:00",
        "12:00-08:00",
        "08:00-12:00,11:00-13:00",
        "25:00-26:00",
        "8-9",
    ] {
        assert!(parse_office_hours(bad).is_err(), "{bad}");
    }
    let days = china_2026();
    assert_eq!(days.len(), 39);
    let err = parse_calendar_csv(
        "c.csv",
        "date,kind\n2026-01-01,holiday\n2026-13-01,holiday\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("c.csv, line 3, field `date`"), "{err}");
    let err = parse_calendar_csv("c.csv", "date,kind\n2026-01-01,party\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("field `kind`"), "{err}");
    let err = parse_calendar_csv(
        "c.csv",
        "date,kind\n2026-01-01,holiday\n2026-01-01,workday\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("listed twice"), "{err}");
    // Other office hours: 09:00–17:00 is 8 h in one period.
    let c = WorkCalendar::new(parse_office_hours("09:00-17:00").unwrap(), days).unwrap();
    assert_eq!(
        c.deadline(t("2026-03-02 16:00"), lim(2.0, TimeUnit::WorkHour)),
        t("2026-03-03 10:00")
    );
}

/// Working seconds counted the slow way: day by day, period by period.
fn naive_working(c: &WorkCalendar, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
    let mut total = 0;
    let mut d = a.date();
    while d <= b.date() {
        if c.is_working_day(d) {
            for p in c.periods() {
                let ps = d.and_hms_opt(0, 0, 0).unwrap() + Duration::seconds(p.start.into());
                let pe = d.and_hms_opt(0, 0, 0).unwrap() + Duration::seconds(p.end.into());
                let (s, e) = (ps.max(a), pe.min(b));
                if s < e {
                    total += (e - s).num_seconds();
                }
            }
        }
        d = d.succ_opt().unwrap();
    }
    total
}

fn instant() -> impl Strategy<Value = NaiveDateTime> {
    // 2025-10-01 .. 2027-03-01, to the second.
    (0i64..(517 * 86_400)).prop_map(|s| {
        NaiveDate::from_ymd_opt(2025, 10, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + Duration::seconds(s)
    })
}

fn metric() -> impl Strategy<Value = Metric> {
    prop_oneof![Just(Metric::Working), Just(Metric::Natural)]
}

proptest! {
    #[test]
    fn working_clock_agrees_with_day_by_day_count(a in instant(), span in 0i64..(20 * 86_400)) {
        let c = cal();
        let b = a + Duration::seconds(span);
        prop_assert_eq!(c.working_seconds(a, b), naive_working(c, a, b));
    }

    #[test]
    fn deadline_is_the_inverse_of_used(start in instant(), secs in 1i64..(400 * 3600), m in metric()) {
        let c = cal();
        let d = c.advance(m, start, secs);
        prop_assert!(d >= start);
        prop_assert_eq!(c.measure(m, start, d), secs);
        // And the earliest such instant.
        prop_assert!(c.measure(m, start, d - Duration::seconds(1)) < secs);
    }

    #[test]
    fn deadline_is_monotone(a in instant(), b in instant(), s1 in 0i64..(200 * 3600), s2 in 0i64..(200 * 3600), m in metric()) {
        let c = cal();
        let (a, b) = (a.min(b), a.max(b));
        let (s1, s2) = (s1.min(s2), s1.max(s2));
        prop_assert!(c.advance(m, a, s1) <= c.advance(m, a, s2));
        prop_assert!(c.advance(m, a, s1) <= c.advance(m, b, s1));
    }

    #[test]
    fn used_is_additive(a in instant(), b in instant(), x in instant(), m in metric()) {
        let c = cal();
        prop_assert_eq!(c.measure(m, a, b) + c.measure(m, b, x), c.measure(m, a, x));
    }

    #[test]
    fn deadline_of_used_time_is_not_later(start in instant(), span in 0i64..(30 * 86_400), m in metric()) {
        let c = cal();
        let end = start + Duration::seconds(span);
        let used = c.measure(m, start, end);
        let d = c.advance(m, start, used);
        prop_assert!(d <= end);
        prop_assert_eq!(c.measure(m, d, end), 0);
    }

    #[test]
    fn hang_ups_are_excluded_exactly(
        start in instant(),
        secs in 1i64..(120 * 3600),
        gaps in proptest::collection::vec((0i64..(5 * 86_400), 1i64..(3 * 86_400)), 0..4),
        m in metric(),
    ) {
        let c = cal();
        let mut at = start;
        let mut hangs = Vec::new();
        for (gap, len) in gaps {
            let s = at + Duration::seconds(gap);
            let e = s + Duration::seconds(len);
            hangs.push(Interval { start: s, end: Some(e) });
            at = e;
        }
        let d = c.advance_excluding(m, start, secs, &hangs).unwrap();
        prop_assert_eq!(c.used_excluding(m, start, d, &hangs), secs);
        prop_assert!(c.used_excluding(m, start, d - Duration::seconds(1), &hangs) < secs);
        // Never earlier than without hang-ups.
        prop_assert!(d >= c.advance(m, start, secs));
    }
}
