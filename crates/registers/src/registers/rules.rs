//! The registers' rules (docs/registers.md): the vendor colour (§Vendor colour), the vending
//! zones' times (§Zone times), ID-number masking (§Personal data) and the move-car figures
//! (§Move-car figures). Each is defined here once; every screen, export and test uses these.

use super::model::{Colour, MoveCarReminder, MoveOutcome, VendingZone, Warning};
use crate::message::{Message, MessageCode as C};
use crate::Reason;
use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// The colour ladder: refused warnings within `window_days` before the moment asked about,
/// and the colour each count reaches (Huangyan: the 1st refusal yellow, the 2nd green, the 3rd
/// red).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Ladder {
    pub window_days: u32,
    /// `(refusals, colour)`, counts rising.
    pub steps: Vec<(u32, Colour)>,
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder {
            window_days: 365,
            steps: vec![(1, Colour::Yellow), (2, Colour::Green), (3, Colour::Red)],
        }
    }
}

impl Ladder {
    /// Checks a ladder someone set: a window of 1–3 650 days, at least one step, counts
    /// rising from 1, no step to "none".
    pub fn check(&self) -> Result<(), Reason> {
        let bad = |en: &str| Err(Message::new(C::LadderInvalid).en(en.to_string()));
        if self.window_days == 0 || self.window_days > 3650 {
            return bad("the window must be 1–3650 days");
        }
        if self.steps.is_empty() {
            return bad("the ladder needs at least one step");
        }
        let mut last = 0;
        for (n, c) in &self.steps {
            if *n <= last || *c == Colour::None {
                return bad("step counts must rise from 1 and each step needs a colour");
            }
            last = *n;
        }
        Ok(())
    }

    /// The colour of `refusals` refused warnings.
    pub fn colour_of(&self, refusals: u32) -> Colour {
        self.steps
            .iter()
            .rev()
            .find(|(n, _)| refusals >= *n)
            .map_or(Colour::None, |(_, c)| *c)
    }

    /// Refused warnings in the window ending at `at` (`at - window < w.at <= at`).
    pub fn refusals(&self, warnings: &[Warning], at: NaiveDateTime) -> u32 {
        let from = at - Duration::days(i64::from(self.window_days));
        warnings
            .iter()
            .filter(|w| w.refused && w.at > from && w.at <= at)
            .count() as u32
    }

    /// The colour of a vendor's record at `at`: the one definition (§Vendor colour).
    pub fn colour(&self, warnings: &[Warning], at: NaiveDateTime) -> Colour {
        self.colour_of(self.refusals(warnings, at))
    }
}

/// A zone's hours parsed.
fn span(zone: &VendingZone, s: &(String, String)) -> Result<(NaiveTime, NaiveTime), Reason> {
    let p = |t: &str| {
        NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| {
            Message::new(C::ZoneHoursInvalid)
                .text("zone", &zone.code)
                .text("value", t)
                .en(format!(
                    "vending zone `{}`: `{t}` is not a time HH:MM",
                    zone.code
                ))
        })
    };
    let (a, b) = (p(&s.0)?, p(&s.1)?);
    if a == b {
        return Err(Message::new(C::ZoneHoursInvalid)
            .text("zone", &zone.code)
            .text("value", format!("{}–{}", s.0, s.1))
            .en(format!(
                "vending zone `{}`: hours {}–{} are empty",
                zone.code, s.0, s.1
            )));
    }
    Ok((a, b))
}

/// Checks a zone's days and hours.
pub fn check_zone_times(zone: &VendingZone) -> Result<(), Reason> {
    if zone.days.is_empty() || zone.days.iter().any(|d| !(1..=7).contains(d)) {
        return Err(Message::new(C::ZoneDaysInvalid)
            .text("zone", &zone.code)
            .en(format!(
                "vending zone `{}`: days must be 1 (Monday) to 7 (Sunday), at least one",
                zone.code
            )));
    }
    if zone.hours.is_empty() {
        return Err(Message::new(C::ZoneHoursInvalid)
            .text("zone", &zone.code)
            .text("value", "")
            .en(format!("vending zone `{}` has no hours", zone.code)));
    }
    for s in &zone.hours {
        span(zone, s)?;
    }
    Ok(())
}

/// Whether vending is allowed in `zone` at `at` (§Zone times): the weekday is one of its days
/// and the time inside one of its spans; a span whose end is before its start runs from its
/// start on an allowed day to its end on the next day.
pub fn zone_open_at(zone: &VendingZone, at: NaiveDateTime) -> bool {
    let day = at.weekday().number_from_monday() as u8;
    let yesterday = if day == 1 { 7 } else { day - 1 };
    let t = at.time();
    zone.hours.iter().any(|s| match span(zone, s) {
        Ok((a, b)) if a < b => zone.days.contains(&day) && a <= t && t < b,
        Ok((a, b)) => {
            (zone.days.contains(&day) && t >= a) || (zone.days.contains(&yesterday) && t < b)
        }
        Err(_) => false,
    })
}

/// Whether a trade is allowed in a zone (no trades listed: any).
pub fn zone_allows_trade(zone: &VendingZone, trade: &str) -> bool {
    zone.trades.is_empty() || zone.trades.iter().any(|t| t.trim() == trade.trim())
}

/// An ID number with its middle hidden: the first 6 (the division) and the last 4 stay
/// (`330102199001011234` → `330102********1234`); a short one keeps only its last two.
pub fn mask_id_number(id: &str) -> String {
    let cs: Vec<char> = id.trim().chars().collect();
    let n = cs.len();
    if n >= 12 {
        let mut out: String = cs[..6].iter().collect();
        out.push_str(&"*".repeat(n - 10));
        out.extend(&cs[n - 4..]);
        out
    } else {
        crate::users::mask_phone(id)
    }
}

/// One month of move-car reminders (§Move-car figures).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MoveCarMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub reminders: u32,
    pub moved: u32,
    pub ticketed: u32,
    pub no_response: u32,
    /// moved / reminders (0 when there are none): the 移车率.
    pub moved_rate: f64,
}

/// Reminders by month, oldest first, with the moved rate: the one definition of 移车率.
pub fn move_car_months(reminders: &[MoveCarReminder]) -> Vec<MoveCarMonth> {
    let mut by: std::collections::BTreeMap<String, MoveCarMonth> = Default::default();
    for r in reminders {
        let key = r.at.format("%Y-%m").to_string();
        let m = by.entry(key.clone()).or_insert_with(|| MoveCarMonth {
            month: key,
            ..Default::default()
        });
        m.reminders += 1;
        match r.outcome {
            MoveOutcome::Moved => m.moved += 1,
            MoveOutcome::Ticketed => m.ticketed += 1,
            MoveOutcome::NoResponse => m.no_response += 1,
        }
    }
    by.into_values()
        .map(|mut m| {
            m.moved_rate = if m.reminders == 0 {
                0.0
            } else {
                f64::from(m.moved) / f64::from(m.reminders)
            };
            m
        })
        .collect()
}

/// A Chinese licence plate, checked loosely: a province character then 6 or 7 letters and
/// digits (new-energy plates have 8 characters in all). Returns it in upper case.
pub fn parse_plate(s: &str) -> Result<String, Reason> {
    let p: String = s
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '·' && *c != '-')
        .collect::<String>()
        .to_uppercase();
    let cs: Vec<char> = p.chars().collect();
    let ok = (cs.len() == 7 || cs.len() == 8)
        && !cs[0].is_ascii()
        && cs[1].is_ascii_uppercase()
        && cs[2..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '挂' | '学' | '警'));
    if ok {
        Ok(p)
    } else {
        Err(Message::new(C::PlateInvalid)
            .text("value", s.trim())
            .en(format!("`{}` is not a licence plate (浙J12345)", s.trim())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        // 2026-12-07 is a Monday.
        NaiveDate::from_ymd_opt(2026, 12, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn warning(at: NaiveDateTime, refused: bool) -> Warning {
        Warning {
            id: 0,
            vendor: 1,
            at,
            location: [0.0, 0.0],
            grid: None,
            inspector: "i".into(),
            matter: "占道经营".into(),
            refused,
            note: None,
        }
    }

    #[test]
    fn huangyan_ladder_yellow_green_red() {
        let l = Ladder::default();
        let mut w = vec![];
        assert_eq!(l.colour(&w, at(7, 12, 0)), Colour::None);
        w.push(warning(at(1, 9, 0), false));
        assert_eq!(
            l.colour(&w, at(7, 12, 0)),
            Colour::None,
            "complied: no colour"
        );
        w.push(warning(at(2, 9, 0), true));
        assert_eq!(l.colour(&w, at(7, 12, 0)), Colour::Yellow);
        w.push(warning(at(3, 9, 0), true));
        assert_eq!(l.colour(&w, at(7, 12, 0)), Colour::Green);
        w.push(warning(at(4, 9, 0), true));
        assert_eq!(l.colour(&w, at(7, 12, 0)), Colour::Red);
        // Before the third refusal it was green; a year later the window has emptied.
        assert_eq!(l.colour(&w, at(3, 10, 0)), Colour::Green);
        // A year on, only refusals after that moment a year ago count.
        assert_eq!(
            l.colour(&w, at(3, 10, 0) + Duration::days(365)),
            Colour::Yellow
        );
        assert_eq!(
            l.colour(&w, at(4, 9, 0) + Duration::days(365)),
            Colour::None
        );
        // A shorter window and another ladder.
        let l2 = Ladder {
            window_days: 3,
            steps: vec![(2, Colour::Red)],
        };
        assert_eq!(l2.colour(&w, at(5, 0, 0)), Colour::Red);
        assert_eq!(l2.colour(&w, at(6, 10, 0)), Colour::None);
    }

    #[test]
    fn ladders_are_checked() {
        assert!(Ladder::default().check().is_ok());
        let bad = |window_days, steps| Ladder { window_days, steps }.check().is_err();
        assert!(bad(0, vec![(1, Colour::Red)]));
        assert!(bad(30, vec![]));
        assert!(bad(30, vec![(2, Colour::Yellow), (2, Colour::Red)]));
        assert!(bad(30, vec![(1, Colour::None)]));
    }

    fn zone(days: Vec<u8>, hours: &[(&str, &str)]) -> VendingZone {
        VendingZone {
            code: "Z1".into(),
            name: "夜市".into(),
            ring: vec![],
            days,
            hours: hours
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            trades: vec!["烧烤".into()],
            capacity: None,
            note: None,
        }
    }

    #[test]
    fn zone_times_day_spans_and_overnight() {
        // Weekdays 07:00–09:00 (a breakfast point).
        let z = zone(vec![1, 2, 3, 4, 5], &[("07:00", "09:00")]);
        assert!(zone_open_at(&z, at(7, 7, 0)));
        assert!(!zone_open_at(&z, at(7, 9, 0)), "the end is outside");
        assert!(!zone_open_at(&z, at(12, 8, 0)), "Saturday");
        // Friday and Saturday night 18:00–02:00.
        let n = zone(vec![5, 6], &[("18:00", "02:00")]);
        assert!(zone_open_at(&n, at(11, 18, 0)), "Friday evening");
        assert!(
            zone_open_at(&n, at(12, 1, 59)),
            "Saturday small hours (Friday's night)"
        );
        assert!(
            zone_open_at(&n, at(13, 1, 0)),
            "Sunday small hours (Saturday's night)"
        );
        assert!(
            !zone_open_at(&n, at(14, 1, 0)),
            "Monday small hours: Sunday is not a day"
        );
        assert!(
            !zone_open_at(&n, at(11, 2, 0)),
            "Friday 02:00: Thursday is not a day"
        );
        assert!(zone_allows_trade(&n, "烧烤"));
        assert!(!zone_allows_trade(&n, "水果"));
        assert!(check_zone_times(&zone(vec![8], &[("07:00", "09:00")])).is_err());
        assert!(check_zone_times(&zone(vec![1], &[("07:00", "07:00")])).is_err());
        assert!(check_zone_times(&zone(vec![1], &[("7点", "09:00")])).is_err());
        assert!(check_zone_times(&zone(vec![1], &[])).is_err());
    }

    proptest! {
        /// An overnight span is the union of its two halves on consecutive days.
        #[test]
        fn overnight_span_is_two_halves(day in 1u32..28, h in 0u32..24, m in 0u32..60, start in 12u32..24, end in 0u32..12) {
            let s = (format!("{start:02}:00"), format!("{end:02}:00"));
            let all = zone(vec![1, 2, 3, 4, 5, 6, 7], &[(&s.0, &s.1)]);
            let t = NaiveDate::from_ymd_opt(2026, 11, day).unwrap().and_hms_opt(h, m, 0).unwrap();
            let evening = zone(vec![1, 2, 3, 4, 5, 6, 7], &[(&s.0, "23:59")]);
            let morning = zone(vec![1, 2, 3, 4, 5, 6, 7], &[("00:00", &s.1)]);
            let expected = (h >= start) || (h < end) ;
            prop_assert_eq!(zone_open_at(&all, t), expected);
            if end > 0 {
                prop_assert_eq!(zone_open_at(&all, t), zone_open_at(&evening, t) || zone_open_at(&morning, t) || (h == 23 && m == 59));
            }
        }
    }

    #[test]
    fn masking_and_plates() {
        assert_eq!(mask_id_number("330102199001011234"), "330102********1234");
        assert_eq!(mask_id_number("12345"), "***45");
        assert_eq!(parse_plate("浙J·12345"), Ok("浙J12345".into()));
        assert_eq!(parse_plate("浙jd12345"), Ok("浙JD12345".into()));
        assert!(parse_plate("J12345").is_err());
        assert!(parse_plate("浙123456").is_err());
    }

    #[test]
    fn move_car_months_and_rate() {
        let r = |m: u32, o| MoveCarReminder {
            id: 0,
            plate: "浙J12345".into(),
            place: "x".into(),
            location: [0.0, 0.0],
            grid: None,
            at: NaiveDate::from_ymd_opt(2026, m, 3)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            channel: "短信".into(),
            outcome: o,
            by: "a".into(),
        };
        let ms = move_car_months(&[
            r(11, MoveOutcome::Moved),
            r(11, MoveOutcome::Moved),
            r(11, MoveOutcome::Ticketed),
            r(12, MoveOutcome::NoResponse),
        ]);
        assert_eq!(ms.len(), 2);
        assert_eq!(
            (
                ms[0].month.as_str(),
                ms[0].reminders,
                ms[0].moved,
                ms[0].ticketed
            ),
            ("2026-11", 3, 2, 1)
        );
        assert!((ms[0].moved_rate - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!((ms[1].no_response, ms[1].moved_rate), (1, 0.0));
    }
}
