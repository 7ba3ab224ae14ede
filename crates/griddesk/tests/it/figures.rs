//! One definition per figure (docs/domain.md §4.4, §4.6, §5.1): the same cases at the same moment
//! are counted the same way by the workflow's clocks, the case list, the overdue ids, the
//! summary tables, the per-grid map values, the bulletin and the evaluation.
//!
//! Four cases, driven through the workflow of the small test district:
//! * `late_hung`: dispatched, its handling limit runs out, then hung (like 2025-0000543) —
//!   overdue while hung;
//! * `hung_in_time`: hung 30 minutes after dispatch (like 2026-0004163) — not overdue, its clock
//!   is stopped;
//! * `self_handled`: self-handled by the inspector, never closed (like 2026-0004073) — open, and
//!   overdue once its closing limit has run out;
//! * `closed`: the whole loop — closed, neither open nor overdue.

use crate::common::{centre, district, session, t};
use griddesk::analytics::summary::GroupBy;
use griddesk::analytics::{BulletinSpec, CaseFilter};
use griddesk::clock::Metric;
use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
use griddesk::model::{CaseKind, CaseSource, CaseStatus};
use griddesk::users::{Role, Session};
use griddesk::workflow::{photo::solid_png, Action, PhotoInput, PhotoPhase};
use griddesk::Engine;
use std::collections::BTreeSet;

fn photo(phase: PhotoPhase) -> Vec<PhotoInput> {
    vec![PhotoInput {
        phase,
        name: Some("p.png".into()),
        bytes: solid_png(32, 24, [90, 120, 30]),
    }]
}

fn report(e: &Engine, who: &Session, at: &str, shift: f64) -> String {
    let c = centre(e);
    let req = IntakeRequest {
        source: CaseSource::Patrol,
        kind: CaseKind::Event,
        class_code: Some("0101".into()),
        condition: None,
        location: Some([c[0] + shift, c[1]]),
        component: None,
        description: Some("暴露垃圾".into()),
        address: None,
        reporter: None,
        reporter_phone: None,
        photos: photo(PhotoPhase::Before),
        reported_at: t(at),
        urgency: None,
    };
    match e
        .intake(
            who,
            &req,
            &DuplicateParams::default(),
            &OnDuplicate::Proceed,
        )
        .expect("intake")
    {
        IntakeOutcome::Created { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn one_case_is_counted_the_same_way_everywhere() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let lead = session(e, "leader", Role::ShiftLeader);
    let disp = session(e, "dispatch", Role::Dispatcher);
    let dept = session(e, "sanitation", Role::Department);
    let act = |id: &str, s: &Session, a: Action, at: &str| {
        e.apply(id, s, &a, t(at)).expect("workflow step");
    };
    let to_handling = |id: &str| {
        act(id, &rec, Action::Accept { note: None }, "2026-03-02 09:10");
        act(
            id,
            &lead,
            Action::File {
                condition: None,
                note: None,
            },
            "2026-03-02 09:20",
        );
        act(
            id,
            &disp,
            Action::Dispatch {
                department: "D01".into(),
                note: None,
            },
            "2026-03-02 09:30",
        );
    };
    let hang = |id: &str, at: &str| {
        act(
            id,
            &dept,
            Action::RequestHangUp {
                reason: "待协调".into(),
            },
            at,
        );
        act(id, &disp, Action::ApproveHangUp { note: None }, at);
    };

    let late_hung = report(e, &insp, "2026-03-02 09:00", 0.0);
    to_handling(&late_hung);
    // Hang it up one working hour after its handling deadline.
    let due = e
        .case_detail(&late_hung, None, t("2026-03-02 09:31"))
        .expect("detail")
        .clock
        .and_then(|k| k.deadline)
        .expect("deadline");
    let cal = e.calendar().expect("calendar");
    let hung_at = cal.advance(Metric::Working, due, 3600);
    let hung_at_s = hung_at.format("%Y-%m-%d %H:%M").to_string();
    hang(&late_hung, &hung_at_s);

    let hung_in_time = report(e, &insp, "2026-03-02 09:00", 0.0004);
    to_handling(&hung_in_time);
    hang(&hung_in_time, "2026-03-02 10:00");

    let self_handled = report(e, &insp, "2026-03-02 09:00", 0.0008);
    act(
        &self_handled,
        &insp,
        Action::SelfHandle {
            note: None,
            photos: photo(PhotoPhase::After),
        },
        "2026-03-02 09:05",
    );

    let closed = report(e, &insp, "2026-03-02 09:00", 0.0012);
    to_handling(&closed);
    act(
        &closed,
        &dept,
        Action::Feedback {
            note: None,
            photos: photo(PhotoPhase::After),
        },
        "2026-03-02 11:00",
    );
    act(
        &closed,
        &insp,
        Action::CheckPass { note: None },
        "2026-03-02 11:30",
    );
    act(
        &closed,
        &lead,
        Action::Close { note: None },
        "2026-03-02 12:00",
    );

    // The moment: well after every limit, and after the hang-up of `late_hung`.
    let now = t("2026-03-31 10:00");
    assert!(hung_at < now);
    let expect_overdue: BTreeSet<String> = [late_hung.clone(), self_handled.clone()].into();
    let expect_open: BTreeSet<String> = [
        late_hung.clone(),
        hung_in_time.clone(),
        self_handled.clone(),
    ]
    .into();

    // 1. The workflow's clocks.
    let clocks = e.case_clocks(now).expect("clocks");
    let by_clock: BTreeSet<String> = clocks
        .iter()
        .filter(|c| c.clock.is_some_and(|k| k.overdue))
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(by_clock, expect_overdue, "case clocks");
    let open_ids: BTreeSet<String> = clocks.iter().map(|c| c.id.clone()).collect();
    assert_eq!(open_ids, expect_open, "open cases");
    let hung = clocks
        .iter()
        .find(|c| c.id == hung_in_time)
        .and_then(|c| c.clock)
        .expect("clock");
    assert!(hung.stopped && !hung.overdue);
    assert_eq!(e.overdue_count(now).expect("count"), (3, 2));

    // 2. The overdue ids behind every analytics view.
    let ids: BTreeSet<String> = e
        .overdue_ids(now)
        .expect("ids")
        .into_iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(ids, expect_overdue, "overdue ids");

    // 2b. The map's case points (the overlay the window draws red).
    let bbox = e.grids_bbox().expect("grids");
    let wide = [bbox[0] - 0.1, bbox[1] - 0.1, bbox[2] + 0.1, bbox[3] + 0.1];
    let points = e.case_points(wide, now, 1000).expect("points");
    let red: BTreeSet<String> = points
        .iter()
        .filter(|p| p.overdue)
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(red, expect_overdue, "map case points");
    assert_eq!(points.len(), 3, "the open cases are on the map");

    // 3. The case list's overdue filter (`griddesk case list --overdue`).
    let page = e
        .case_list(
            &crate::common::admin(e),
            &griddesk::workflow::CaseFilter {
                overdue: Some(true),
                ..Default::default()
            },
            now,
        )
        .expect("list");
    let listed: BTreeSet<String> = page.rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(listed, expect_overdue, "case list --overdue");
    let not = e
        .case_list(
            &crate::common::admin(e),
            &griddesk::workflow::CaseFilter {
                overdue: Some(false),
                ..Default::default()
            },
            now,
        )
        .expect("list");
    assert_eq!(not.total, 2, "hung_in_time and closed");

    // 4. The summary tables (app table, exports, bulletins) and the per-grid values.
    let f = CaseFilter {
        from: Some(t("2026-03-01 00:00").date()),
        to: Some(t("2026-03-31 00:00").date()),
        as_of: Some(now),
        ..Default::default()
    };
    let tot = e.case_totals(&f).expect("totals");
    assert_eq!(
        (tot.cases, tot.open, tot.closed, tot.overdue),
        (4, 3, 1, 2),
        "summary totals"
    );
    for by in [GroupBy::Street, GroupBy::Community] {
        let rows = e.case_summary(&f, by).expect("summary");
        let sum = |g: fn(&griddesk::analytics::summary::SummaryRow) -> u32| -> u32 {
            rows.iter().map(g).sum()
        };
        assert_eq!(sum(|r| r.overdue), 2, "{by:?}");
        assert_eq!(sum(|r| r.open), 3, "{by:?}");
        assert_eq!(sum(|r| r.closed), 1, "{by:?}");
    }
    let ch = e
        .grid_choropleth(&f, Default::default(), 5)
        .expect("choropleth");
    assert_eq!(ch.overdue.iter().sum::<u32>(), 2, "per-grid overdue");

    // 5. The bulletin (the app's and the CLI's are this one function).
    let html = e
        .bulletin(&BulletinSpec {
            filter: f.clone(),
            period: "2026年3月".into(),
            as_of: now,
            heatmap_size: (64, 64),
        })
        .expect("bulletin");
    // A key figure is `<div class="fig"><b>VALUE</b>LABEL</div>`.
    let figure = |label: &str| -> String {
        let end = html
            .find(&format!("</b>{label}</div>"))
            .unwrap_or_else(|| panic!("figure {label} in the bulletin"));
        let start = html[..end].rfind("<b>").expect("value") + 3;
        html[start..end].to_string()
    };
    assert_eq!(figure("超期数（2026-03-31 10:00）"), "2");
    assert_eq!(figure("未结案数"), "3");
    assert_eq!(figure("已结案数"), "1");
    // The month's evaluation: three filed cases, one closed (on time), the self-handled case in
    // no §5.1 figure.
    assert_eq!(figure("立案数"), "3");
    // The share of reports closed is named 已结案占比, never 结案占比 or 结案率 (§5.1's rate).
    assert_eq!(
        html.matches("结案占比").count(),
        html.matches("已结案占比").count()
    );
    // 结案率 = 结案数 / 应结案数 = closed / (closed + overdue open filed cases) = 1 / 2: the
    // late hung case is due to close (its deadline fell in March, hung after it ran out); the
    // one hung in time is not; the self-handled one was never filed.
    assert_eq!(figure("结案率(%)"), "50.00");

    // 6. The evaluation: the closed case is the one 结案; the self-handled one is not filed.
    let ev = e
        .evaluate_period(&griddesk::analytics::evaluation::Period::month(2026, 3).expect("month"))
        .expect("evaluation");
    let dist = ev
        .table(griddesk::analytics::evaluation::TableKind::District)
        .expect("district");
    let row = &dist.rows[0];
    use griddesk::analytics::evaluation::Indicator as I;
    assert_eq!(dist.count(row, I::Filed), Some(3));
    assert_eq!(dist.count(row, I::Closed), Some(1));
    let dept_t = ev
        .table(griddesk::analytics::evaluation::TableKind::Department)
        .expect("departments");
    let dept_closed: u32 = dept_t
        .rows
        .iter()
        .map(|r| dept_t.count(r, I::Closed).unwrap_or(0))
        .sum();
    assert_eq!(dist.count(row, I::Closed), Some(dept_closed));
    let status = |id: &str| e.case_detail(id, None, now).expect("detail").status;
    assert_eq!(status(&self_handled), CaseStatus::SelfHandled);
    assert_eq!(status(&closed), CaseStatus::Closed);
}

/// The case list and the statistics select by one date rule (`dates::day_bounds`): the last day
/// counts to midnight in both. A case reported at 23:30 on 31 March is in March for the case
/// list's day range and for the summary's, and in neither when the range ends on the 30th.
#[test]
fn the_case_list_and_the_statistics_share_one_date_rule() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let late = report(e, &insp, "2026-03-31 23:30", 0.0);
    let now = t("2026-04-01 08:00");
    let day = |s: &str| Some(t(&format!("{s} 00:00")).date());
    for (to, inside) in [("2026-03-31", true), ("2026-03-30", false)] {
        let page = e
            .case_list(
                &crate::common::admin(e),
                &griddesk::workflow::CaseFilter {
                    from: day("2026-03-01"),
                    to: day(to),
                    ..Default::default()
                },
                now,
            )
            .expect("list");
        let listed = page.rows.iter().any(|r| r.id == late);
        let counted = e
            .case_totals(&CaseFilter {
                from: day("2026-03-01"),
                to: day(to),
                as_of: Some(now),
                ..Default::default()
            })
            .expect("totals")
            .cases;
        assert_eq!(listed, inside, "case list to {to}");
        assert_eq!(counted == 1, inside, "summary to {to}: {counted} cases");
    }
}
