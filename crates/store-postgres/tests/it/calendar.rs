//! The city's work calendar in the centre (`CalendarStore`), against a real cluster: what the
//! station's SQLite store does with it, and that it is the city's — every station reads it,
//! none may change it.

use crate::common;

use chrono::NaiveDate;
use griddesk_caseloop::clock_store::{CalendarEdit, CalendarStore};
use griddesk_core::clock::calendar::{parse_office_hours, CalendarDay, DayKind};
use griddesk_sample::{generate, SampleParams};
use griddesk_store::ModelSink;
use griddesk_store_postgres::Centre;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a calendar date")
}

fn set(date: NaiveDate, kind: DayKind, note: &str) -> CalendarEdit {
    CalendarEdit::SetDay(CalendarDay {
        date,
        kind,
        note: note.into(),
    })
}

#[test]
fn the_calendar_is_the_citys_set_cleared_and_read_back() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_calendar", true);
    let centre = Centre::init(&url).expect("init");

    // Nothing stored: the standard calendar (Monday to Friday, standard office hours).
    assert_eq!(centre.calendar_day_count().expect("count"), 0);
    let empty = centre.load_calendar().expect("load");
    let national_day = day(2026, 10, 1); // a Thursday
    let adjusted = day(2026, 10, 10); // a Saturday
    assert!(empty.is_working_day(national_day));
    assert!(!empty.is_working_day(adjusted));

    centre
        .apply_edits(&[
            set(national_day, DayKind::Holiday, "国庆节"),
            set(day(2026, 10, 2), DayKind::Holiday, "国庆节"),
            set(adjusted, DayKind::Workday, "调休上班"),
            CalendarEdit::SetOfficeHours {
                periods: parse_office_hours("08:30-12:00,13:30-17:30").expect("hours"),
            },
        ])
        .expect("edits");
    assert_eq!(centre.calendar_day_count().expect("count"), 3);
    let cal = centre.load_calendar().expect("load");
    assert!(!cal.is_working_day(national_day));
    assert!(cal.is_working_day(adjusted));
    assert_eq!(
        cal.periods(),
        parse_office_hours("08:30-12:00,13:30-17:30")
            .expect("hours")
            .as_slice()
    );
    let days: Vec<(NaiveDate, DayKind, String)> = cal
        .days()
        .map(|d| (d.date, d.kind, d.note.clone()))
        .collect();
    assert_eq!(
        days[0],
        (national_day, DayKind::Holiday, "国庆节".to_string())
    );

    // A day set again is replaced; a cleared day follows the weekday rule again.
    centre
        .apply_edits(&[
            set(national_day, DayKind::Holiday, "国庆节（改）"),
            CalendarEdit::ClearDay { date: adjusted },
        ])
        .expect("edits");
    let cal = centre.load_calendar().expect("load");
    assert_eq!(centre.calendar_day_count().expect("count"), 2);
    assert!(!cal.is_working_day(adjusted));
    assert_eq!(
        cal.days().next().map(|d| d.note.as_str()),
        Some("国庆节（改）")
    );

    // Bad office hours: refused, and nothing of the same batch is kept.
    let e = centre
        .apply_edits(&[
            set(day(2026, 12, 31), DayKind::Holiday, "不该留下"),
            CalendarEdit::SetOfficeHours { periods: vec![] },
        ])
        .expect_err("no office periods");
    assert_ne!(e.kind(), griddesk_core::ErrorKind::Storage, "{e}");
    assert_eq!(centre.calendar_day_count().expect("count"), 2);
    assert_eq!(
        centre.load_calendar().expect("load").periods(),
        cal.periods()
    );

    // Inside a transaction: its own edits are seen before the commit, and a failure undoes them.
    let r: griddesk_core::Result<()> = centre.transaction(|tx| {
        tx.apply_edits(&[set(day(2027, 1, 1), DayKind::Holiday, "元旦")])?;
        assert_eq!(tx.calendar_day_count()?, 3);
        assert!(!tx.load_calendar()?.is_working_day(day(2027, 1, 1)));
        Err(griddesk_core::Error::Internal("changed my mind".into()))
    });
    assert!(r.is_err());
    assert_eq!(centre.calendar_day_count().expect("count"), 2);

    // Every station reads the city's calendar; none may change it.
    let mut centre = centre;
    let d = generate(&SampleParams::benchmark(40, 50)).expect("a small district");
    griddesk_store::ModelStore::write_model(&mut centre, &mut |w: &dyn ModelSink| {
        w.put_district(&d.district)
    })
    .expect("a district");
    let creds = centre.add_station(&d.district.code, None).expect("station");
    let st = Centre::open(&creds.url()).expect("the station logs in");
    let seen = st.load_calendar().expect("the station reads the calendar");
    assert_eq!(
        seen.days().cloned().collect::<Vec<_>>(),
        cal.days().cloned().collect::<Vec<_>>()
    );
    assert_eq!(seen.periods(), cal.periods());
    for edit in [
        set(day(2026, 10, 3), DayKind::Holiday, "x"),
        CalendarEdit::ClearDay { date: national_day },
        CalendarEdit::SetOfficeHours {
            periods: parse_office_hours("09:00-17:00").expect("hours"),
        },
    ] {
        let e = st
            .apply_edits(std::slice::from_ref(&edit))
            .expect_err("a station may not change the city's calendar");
        assert!(
            e.to_string().contains("permission denied")
                || e.to_string().contains("row-level security"),
            "{edit:?}: {e}"
        );
    }
    assert_eq!(centre.calendar_day_count().expect("count"), 2);
}
