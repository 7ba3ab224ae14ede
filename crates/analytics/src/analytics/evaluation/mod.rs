//! Performance evaluation (绩效评价, SPEC §5): region (district, street, community, grid),
//! department and position (监督员, 受理员, 值班长, 派遣员) tables with every counted indicator,
//! rate, score, composite value, grade A–E and rank, for one period.
//!
//! Pure functions over [`EvalInput`] (one [`EvalCase`] per case, with stage clocks and holders),
//! so the case workflow feeds it from its tables. Weights, bands and grades are data
//! ([`EvaluationConfig`], JSON). Every count drills down to its cases with [`drill`], which
//! replays the very rule that produced the count.

pub mod config;
pub mod csv_in;
pub mod from_store;
pub mod indicators;
pub mod input;
pub mod tables;

pub use config::{Band, BandOp, Bands, EvaluationConfig, FiledBasis, GradeBand, FIXED_RULES};
pub use indicators::Indicator;
pub use input::{EvalCase, EvalInput, Hangup, Period, Person, Position, Stage};
pub use tables::{
    drill, evaluate, evaluate_districts, EvalRow, EvalTable, Evaluation, ObjectRef, TableKind,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::columns::tests::regions;
    use crate::analytics::columns::ClassKey;
    use crate::code::ClassCode;
    use crate::model::{CaseKind, CaseSource};
    use chrono::NaiveDateTime;
    use proptest::prelude::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    fn class() -> ClassKey {
        ClassKey {
            kind: CaseKind::Event,
            code: ClassCode::parse("0101").expect("class"),
        }
    }

    fn st(holder: u32, start: &str, end: Option<&str>, deadline: &str) -> Stage {
        Stage {
            holder: Some(holder),
            start: Some(t(start)),
            end: end.map(t),
            deadline: Some(t(deadline)),
            extended_to: None,
            recorded_on_time: None,
        }
    }

    /// A patrol case in grid `grid`, filed 3 March, dispatched to department 0 with a deadline
    /// of 5 March 17:00, handled at `handled`, closed at `closed`.
    fn case(id: &str, grid: u32, handled: Option<&str>, closed: Option<&str>) -> EvalCase {
        let mut c = EvalCase::new(id, class(), CaseSource::Patrol, t("2026-03-02 09:00"));
        c.grid = Some(grid);
        c.department = Some(0);
        c.reporter = Some(0);
        c.accept = st(
            1,
            "2026-03-02 09:00",
            Some("2026-03-02 09:10"),
            "2026-03-02 10:00",
        );
        c.file = st(
            2,
            "2026-03-02 09:10",
            Some("2026-03-03 09:00"),
            "2026-03-03 10:00",
        );
        c.dispatch = st(
            3,
            "2026-03-03 09:00",
            Some("2026-03-03 09:30"),
            "2026-03-03 10:00",
        );
        c.handle = Stage {
            holder: Some(0),
            start: Some(t("2026-03-03 09:30")),
            end: handled.map(t),
            deadline: Some(t("2026-03-05 17:00")),
            extended_to: None,
            recorded_on_time: None,
        };
        c.close = st(
            2,
            handled.unwrap_or("2026-03-03 09:30"),
            closed,
            "2026-03-31 23:00",
        );
        c.close.start = handled.map(t);
        c
    }

    fn input(cases: Vec<EvalCase>) -> EvalInput {
        let r = regions();
        let n = r.grid_count();
        EvalInput::new(
            cases,
            r,
            vec!["环卫处".into(), "市政处".into()],
            vec![
                Person {
                    id: "J01".into(),
                    name: "监督员甲".into(),
                    position: Position::Inspector,
                },
                Person {
                    id: "S01".into(),
                    name: "受理员乙".into(),
                    position: Position::Receptionist,
                },
                Person {
                    id: "Z01".into(),
                    name: "值班长丙".into(),
                    position: Position::ShiftLeader,
                },
                Person {
                    id: "P01".into(),
                    name: "派遣员丁".into(),
                    position: Position::Dispatcher,
                },
            ],
            vec![Some(0); n],
        )
    }

    fn march() -> Period {
        Period::month(2026, 3).expect("month")
    }

    #[test]
    fn on_time_judgement_with_extension_and_hang_up() {
        // a: on time. b: late. c: late but extended beyond its end. d: late by 1 day but hung
        // 2 days. e: still open on 31 March, past its deadline → overdue open, due to close.
        let a = case("a", 0, Some("2026-03-05 16:00"), Some("2026-03-06 10:00"));
        let b = case("b", 0, Some("2026-03-07 16:00"), Some("2026-03-08 10:00"));
        let mut c = case("c", 0, Some("2026-03-07 16:00"), Some("2026-03-08 10:00"));
        c.handle.extended_to = Some(t("2026-03-09 17:00"));
        c.extensions = 1;
        let mut d = case("d", 0, Some("2026-03-06 17:00"), Some("2026-03-07 10:00"));
        d.hangups = vec![Hangup {
            from: t("2026-03-04 09:00"),
            to: Some(t("2026-03-06 09:00")),
        }];
        let e = case("e", 0, None, None);
        let inp = input(vec![a, b, c, d, e]);
        let ev = evaluate(&inp, &march(), &EvaluationConfig::default());
        let grid = ev.table(TableKind::Grid).expect("grid table");
        let row = &grid.rows[0];
        let n = |i| grid.count(row, i).expect("count");
        assert_eq!(n(Indicator::Filed), 5);
        assert_eq!(n(Indicator::Closed), 4);
        assert_eq!(n(Indicator::ClosedOnTime), 3, "a, c (extended), d (hung)");
        assert_eq!(n(Indicator::OverdueOpen), 1);
        assert_eq!(n(Indicator::DueClose), 5);
        assert_eq!(n(Indicator::Handled), 4);
        assert_eq!(n(Indicator::HandledLate), 1);
        assert_eq!(n(Indicator::Extended), 1);
        assert_eq!(n(Indicator::Hung), 1);
        assert_eq!(grid.rate(row, "closure_rate"), Some(80.0));
        assert_eq!(grid.rate(row, "on_time_closure_rate"), Some(60.0));
        let mut ids = drill(&inp, &march(), row.object, Indicator::ClosedOnTime);
        ids.sort();
        assert_eq!(
            ids,
            vec!["a".into(), "c".into(), "d".into()] as Vec<Box<str>>
        );
        // Grid 0 is 一类区域: 5 filed → 60; public-report rate 0 → 100; composite
        // (10·100 + 30·60 + 30·80 + 30·60) / 100 = 70 → C.
        assert_eq!(grid.score(row, "filed"), Some(60.0));
        assert_eq!(row.composite, Some(70.0));
        assert_eq!(row.grade.as_deref(), Some("C"));
        assert_eq!(row.rank, Some(1));
    }

    /// A case the inspector handled himself (自行处置) and a shift leader closed, never filed
    /// (like 2026-0003879: self-handled 2 March 08:26, closed 09:14).
    fn self_handled(id: &str) -> EvalCase {
        let mut c = EvalCase::new(id, class(), CaseSource::Patrol, t("2026-03-02 08:20"));
        c.grid = Some(0);
        c.reporter = Some(0);
        c.close = st(
            2,
            "2026-03-02 08:26",
            Some("2026-03-02 09:14"),
            "2026-03-03 08:26",
        );
        c
    }

    #[test]
    fn self_handled_cases_never_filed_stay_out_of_the_regions_closure_figures() {
        // SPEC §5.1: 应结案数 is over filed cases, 按期结案 = 按期处置 (§4.6). One filed case
        // closed on time, one self-handled case never filed.
        let a = case("a", 0, Some("2026-03-05 16:00"), Some("2026-03-06 10:00"));
        let inp = input(vec![a, self_handled("self")]);
        let ev = evaluate(&inp, &march(), &EvaluationConfig::default());
        for kind in [TableKind::Grid, TableKind::District] {
            let tab = ev.table(kind).expect("table");
            let row = &tab.rows[0];
            let n = |i| tab.count(row, i).expect("count");
            assert_eq!(n(Indicator::Filed), 1, "{kind:?}");
            assert_eq!(n(Indicator::DueClose), 1, "{kind:?}");
            assert_eq!(n(Indicator::Closed), 1, "{kind:?}");
            assert_eq!(n(Indicator::ClosedOnTime), 1, "{kind:?}");
            assert_eq!(tab.rate(row, "closure_rate"), Some(100.0));
            assert_eq!(tab.rate(row, "on_time_closure_rate"), Some(100.0));
        }
        // The district's closed count equals the departments' total.
        let dept = ev.table(TableKind::Department).expect("dept");
        let closed: u32 = dept
            .rows
            .iter()
            .map(|r| dept.count(r, Indicator::Closed).unwrap_or(0))
            .sum();
        let d = ev.table(TableKind::District).expect("district");
        assert_eq!(d.count(&d.rows[0], Indicator::Closed), Some(closed));
        // The shift leader did close it: it is his 结案.
        let z = ev.table(TableKind::ShiftLeader).expect("shift leaders");
        assert_eq!(z.count(&z.rows[0], Indicator::ClosedBy), Some(2));
        // The inspector reported it (not a valid report: never filed).
        let j = ev.table(TableKind::Inspector).expect("inspectors");
        assert_eq!(j.count(&j.rows[0], Indicator::Reports), Some(2));
        assert_eq!(j.count(&j.rows[0], Indicator::ValidReports), Some(1));
    }

    #[test]
    fn a_report_cancelled_after_its_month_is_not_a_valid_report() {
        // Like 2025-0001929: reported late November, filed and cancelled on 1 December.
        let mut c = EvalCase::new("x", class(), CaseSource::Patrol, t("2026-02-27 10:00"));
        c.grid = Some(0);
        c.reporter = Some(0);
        c.file = st(
            2,
            "2026-02-27 10:10",
            Some("2026-03-01 09:00"),
            "2026-03-01 10:00",
        );
        c.cancelled_at = Some(t("2026-03-01 09:30"));
        let inp = input(vec![c]);
        let feb = Period::month(2026, 2).expect("month");
        let ev = evaluate(&inp, &feb, &EvaluationConfig::default());
        let j = ev.table(TableKind::Inspector).expect("inspectors");
        let row = &j.rows[0];
        assert_eq!(j.count(row, Indicator::Reports), Some(1));
        assert_eq!(j.count(row, Indicator::ValidReports), Some(0));
    }

    #[test]
    fn a_city_chooses_what_the_regions_filed_bands_apply_to() {
        // 8 filed cases in grid 0; its street (一类区域) has 4 active grids.
        let cases: Vec<EvalCase> = (0..8)
            .map(|i| {
                case(
                    &format!("f{i}"),
                    0,
                    Some("2026-03-05 16:00"),
                    Some("2026-03-06 10:00"),
                )
            })
            .collect();
        let inp = input(cases);
        let street_score = |basis: FiledBasis| {
            let mut cfg = EvaluationConfig::default();
            cfg.region.filed_basis = basis;
            let ev = evaluate(&inp, &march(), &cfg);
            let t = ev.table(TableKind::Street).expect("streets");
            let row = t.row("331003001").expect("street");
            t.score(row, "filed")
        };
        // Per grid: 8 / 4 = 2 → < 3 → 90 (the default). Total: 8 → < 9 → 40.
        assert_eq!(street_score(FiledBasis::PerGrid), Some(90.0));
        assert_eq!(street_score(FiledBasis::Total), Some(40.0));
        // Stores whose settings predate the choice read the default.
        let mut old = serde_json::to_value(EvaluationConfig::default()).expect("json");
        old["region"]
            .as_object_mut()
            .expect("region")
            .remove("filed_basis");
        let back: EvaluationConfig = serde_json::from_value(old).expect("old settings");
        assert_eq!(back.region.filed_basis, FiledBasis::PerGrid);
    }

    #[test]
    fn rework_counts_cases_once_and_loops_each_time() {
        let mut a = case("a", 1, Some("2026-03-05 16:00"), Some("2026-03-06 10:00"));
        a.reworks = 3;
        let mut b = case("b", 1, Some("2026-03-05 16:00"), Some("2026-03-06 10:00"));
        b.reworks = 1;
        let c = case("c", 1, Some("2026-03-05 16:00"), Some("2026-03-06 10:00"));
        let d = case("d", 1, Some("2026-03-05 16:00"), Some("2026-03-06 10:00"));
        let inp = input(vec![a, b, c, d]);
        let ev = evaluate(&inp, &march(), &EvaluationConfig::default());
        let dept = ev.table(TableKind::Department).expect("dept");
        let row = dept.row("环卫处").expect("row");
        assert_eq!(dept.count(row, Indicator::Rework), Some(2));
        assert_eq!(dept.count(row, Indicator::ReworkLoops), Some(4));
        assert_eq!(dept.rate(row, "rework_rate"), Some(50.0));
        assert_eq!(dept.score(row, "rework"), Some(50.0));
        let disp = ev.table(TableKind::Dispatcher).expect("dispatcher");
        let p = &disp.rows[0];
        assert_eq!(disp.count(p, Indicator::AccurateDispatch), Some(2));
        assert_eq!(disp.rate(p, "accurate_dispatch_rate"), Some(50.0));
        assert_eq!(
            drill(&inp, &march(), row.object, Indicator::ReworkLoops).len(),
            2
        );
    }

    #[test]
    fn rows_below_the_minimum_sample_get_no_rank() {
        let mut cases = vec![];
        for i in 0..6 {
            cases.push(case(
                &format!("g0-{i}"),
                0,
                Some("2026-03-05 16:00"),
                Some("2026-03-06 10:00"),
            ));
        }
        for i in 0..4 {
            cases.push(case(
                &format!("g1-{i}"),
                1,
                Some("2026-03-07 16:00"),
                Some("2026-03-08 10:00"),
            ));
        }
        let inp = input(cases);
        let cfg = EvaluationConfig {
            min_sample: 5,
            ..Default::default()
        };
        let ev = evaluate(&inp, &march(), &cfg);
        let grid = ev.table(TableKind::Grid).expect("grid");
        assert_eq!(grid.rows[0].rank, Some(1));
        assert_eq!(grid.rows[1].sample, 4);
        assert!(grid.rows[1].composite.is_some(), "still scored");
        assert_eq!(grid.rows[1].rank, None, "but not ranked");
        // Empty grids: no composite rate parts except the banded count (0 filed → 100).
        assert_eq!(grid.rows[2].rank, None);
        let cfg = EvaluationConfig {
            min_sample: 4,
            ..Default::default()
        };
        let ev = evaluate(&inp, &march(), &cfg);
        assert_eq!(
            ev.table(TableKind::Grid).expect("grid").rows[1].rank,
            Some(2)
        );
    }

    #[test]
    fn public_reports_count_against_the_region_and_its_inspector() {
        let mut a = case("a", 0, Some("2026-03-05 16:00"), Some("2026-03-06 10:00"));
        a.source = CaseSource::Hotline12345;
        a.reporter = None;
        a.public_verified = true;
        a.verify = Some(st(
            0,
            "2026-03-02 09:10",
            Some("2026-03-02 09:40"),
            "2026-03-02 10:10",
        ));
        let b = case("b", 0, Some("2026-03-05 16:00"), Some("2026-03-06 10:00"));
        let inp = input(vec![a, b]);
        let ev = evaluate(&inp, &march(), &EvaluationConfig::default());
        let g = ev.table(TableKind::Grid).expect("grid");
        assert_eq!(g.rate(&g.rows[0], "public_report_rate"), Some(50.0));
        assert_eq!(g.score(&g.rows[0], "public_report"), Some(50.0));
        let ins = ev.table(TableKind::Inspector).expect("inspector");
        let r = &ins.rows[0];
        assert_eq!(ins.count(r, Indicator::Reports), Some(1));
        assert_eq!(ins.count(r, Indicator::Missed), Some(1));
        assert_eq!(ins.rate(r, "miss_rate"), Some(50.0));
        assert_eq!(ins.rate(r, "on_time_verify_rate"), Some(100.0));
        // 40·100 + 20·50 + 20·100, check rate absent → / 80 = 87.5
        assert_eq!(r.composite, Some(87.5));
        let street = ev.table(TableKind::Street).expect("street");
        assert_eq!(
            street.count(&street.rows[0], Indicator::PublicVerified),
            Some(1)
        );
    }

    fn arb_case(i: usize) -> impl Strategy<Value = EvalCase> {
        (
            0u32..8,
            0u32..5,
            0u32..40,
            prop::option::of(0i64..40),
            prop::option::of(0i64..10),
            0u32..3,
            any::<bool>(),
            prop::option::of(0i64..30),
        )
            .prop_map(
                move |(
                    grid,
                    dept,
                    file_day,
                    handle_after,
                    close_after,
                    reworks,
                    public,
                    cancel,
                )| {
                    let base = t("2026-02-15 09:00");
                    let day = |d: i64| base + chrono::Duration::hours(d * 20);
                    let mut c = EvalCase::new(
                        &format!("c{i}"),
                        class(),
                        CaseSource::Patrol,
                        day(i64::from(file_day)) - chrono::Duration::hours(2),
                    );
                    c.grid = Some(grid);
                    c.department = (dept < 2).then_some(dept);
                    c.reporter = Some(0);
                    c.public_verified = public;
                    let f = day(i64::from(file_day));
                    c.file = Stage {
                        holder: Some(2),
                        start: Some(f),
                        end: Some(f),
                        deadline: Some(f),
                        extended_to: None,
                        recorded_on_time: None,
                    };
                    c.dispatch = Stage {
                        holder: Some(3),
                        start: Some(f),
                        end: Some(f),
                        deadline: Some(f),
                        extended_to: None,
                        recorded_on_time: None,
                    };
                    c.handle = Stage {
                        holder: Some(0),
                        start: Some(f),
                        end: handle_after.map(|h| f + chrono::Duration::hours(h * 10)),
                        deadline: Some(f + chrono::Duration::hours(100)),
                        extended_to: None,
                        recorded_on_time: None,
                    };
                    if let (Some(h), Some(a)) = (c.handle.end, close_after) {
                        c.close = Stage {
                            holder: Some(2),
                            start: Some(h),
                            end: Some(h + chrono::Duration::hours(a * 5)),
                            deadline: Some(h + chrono::Duration::hours(24)),
                            extended_to: None,
                            recorded_on_time: None,
                        };
                    }
                    c.reworks = reworks;
                    c.cancelled_at = cancel
                        .filter(|_| c.close.end.is_none())
                        .map(|d| f + chrono::Duration::hours(d * 10));
                    c
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        #[test]
        fn every_count_drills_down_to_as_many_cases(cases in (0..60usize).prop_flat_map(|n| (0..n).map(arb_case).collect::<Vec<_>>())) {
            let inp = input(cases);
            let p = march();
            let ev = evaluate(&inp, &p, &EvaluationConfig::default());
            for table in &ev.tables {
                for row in &table.rows {
                    for (k, &ind) in table.counts.iter().enumerate() {
                        let ids = drill(&inp, &p, row.object, ind);
                        if ind == Indicator::ReworkLoops {
                            prop_assert!(ids.len() as u32 <= row.counts[k]);
                        } else {
                            prop_assert_eq!(ids.len() as u32, row.counts[k], "{:?} {} {:?}", table.kind, row.code, ind);
                        }
                    }
                    // Rates stay within 0–100 %.
                    for r in row.rates.iter().flatten() {
                        prop_assert!((0.0..=100.0).contains(r), "{:?} {} {r}", table.kind, row.code);
                    }
                }
            }
            // The district is the sum of its streets (every grid has a street here).
            let d = &ev.table(TableKind::District).expect("district").rows[0];
            let s = ev.table(TableKind::Street).expect("street");
            for k in 0..d.counts.len() {
                prop_assert_eq!(d.counts[k], s.rows.iter().map(|r| r.counts[k]).sum::<u32>());
            }
        }
    }
}
