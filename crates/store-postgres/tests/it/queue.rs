//! A district's case list, open cases and task numbers in the centre (`QueueStore`,
//! `DeskStore`, `IntakeStore`), side by side with a station's SQLite
//! store holding the same district: every filter gives the same total and the same page, in
//! the same order; another district's cases never show.

use crate::common;

use chrono::NaiveDate;
use griddesk_caseloop::intake::IntakeStore;
use griddesk_caseloop::workflow::desk::DeskStore;
use griddesk_caseloop::workflow::queue::{CaseFilter, QueueStore};
use griddesk_core::model::{CaseKind, CaseSource, CaseStatus};
use griddesk_core::ErrorKind;
use griddesk_sample::{generate, SampleParams};
use griddesk_store::{ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

/// Workflow rows for a few cases (the case loop's own writes are not in the centre yet): the
/// same statements on both sides, `{d}` the district column's value where the centre has one.
fn flows(ids: &[&str], centre: bool) -> String {
    let (col, val) = if centre {
        ("district, ", "'331003', ")
    } else {
        ("", "")
    };
    let mut sql = format!(
        "INSERT INTO department ({col}code, name) VALUES ({val}'D02', '环境卫生');
         INSERT INTO case_photo ({col}id, case_id, phase, added_at, mime, width, height, bytes, thumb)
         VALUES ({val}7, '{}', 'before', '2026-01-02 03:04:05', 'image/png', 1, 1, {}, {});",
        ids[0],
        if centre { "'\\x0102'::bytea" } else { "X'0102'" },
        if centre { "'\\x03'::bytea" } else { "X'03'" },
    );
    for (i, id) in ids.iter().enumerate() {
        let supervised = if centre {
            if i % 2 == 0 {
                "true"
            } else {
                "false"
            }
        } else if i % 2 == 0 {
            "1"
        } else {
            "0"
        };
        sql.push_str(&format!(
            "INSERT INTO case_flow ({col}case_id, department, area_class, urgency, supervised,
                                    rework_count, updated_at)
             VALUES ({val}'{id}', 'D02', 'A', 'ordinary', {supervised}, {i}, '2026-01-01 00:00:00');
             INSERT INTO case_stage ({col}case_id, stage, round, started_at, limit_amount,
                                     limit_unit, deadline)
             VALUES ({val}'{id}', 'handle', 1, '2026-01-01 08:00:00', 2, 'work_day',
                     '2026-01-0{} 17:00:00');",
            i + 2
        ));
    }
    sql.push_str(&format!(
        "INSERT INTO case_hang ({col}case_id, stage_id, started_at)
         VALUES ({val}'{id}', (SELECT id FROM case_stage WHERE case_id = '{id}'),
                 '2026-01-03 09:00:00');",
        id = ids[1]
    ));
    sql
}

#[test]
fn the_case_list_filters_and_pages_as_at_the_station() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_queue", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(80, 600)).expect("a district");
    assert_eq!(d.district.code.as_str(), "331003");
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    common::write_district(&mut station, &d);
    common::write_district(&mut centre, &d);
    // A second district with the same case numbers: never in the first one's list.
    let mut other = d.clone();
    other.district.code = griddesk_core::code::DistrictCode::parse("331004").expect("code");
    other.streets.clear();
    other.communities.clear();
    other.grids.clear();
    other.components.clear();
    for c in &mut other.cases {
        c.grid = None;
        c.component = None;
    }
    centre
        .write_model(&mut |w: &dyn ModelSink| {
            w.put_district(&other.district)?;
            for c in &other.cases {
                w.insert_case(c)?;
            }
            Ok(())
        })
        .expect("district B");

    let ids: Vec<&str> = d.cases.iter().take(5).map(|c| c.id.as_str()).collect();
    station
        .conn()
        .execute_batch(&flows(&ids, false))
        .expect("flows at the station");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    admin
        .batch_execute(&flows(&ids, true))
        .expect("flows at the centre");

    let local = station.db();
    let remote = centre.district(d.district.code);
    let word: String = d
        .cases
        .iter()
        .find_map(|c| c.description.as_deref())
        .and_then(|t| t.chars().nth(2).map(|c| c.to_string()))
        .unwrap_or_else(|| "路".into());
    let grid_prefix = d.grids[3].code.as_str()[..12].to_string();
    let some_id = d.cases[17].id[5..].to_string();
    let base = CaseFilter::default;
    let filters: Vec<(&str, CaseFilter)> = vec![
        ("everything", base()),
        (
            "closed",
            CaseFilter {
                status: vec![CaseStatus::Closed],
                ..base()
            },
        ),
        (
            "reported or handling",
            CaseFilter {
                status: vec![CaseStatus::Reported, CaseStatus::Handling],
                ..base()
            },
        ),
        (
            "events",
            CaseFilter {
                kind: Some(CaseKind::Event),
                ..base()
            },
        ),
        (
            "major class 01",
            CaseFilter {
                class_code: Some("01".into()),
                ..base()
            },
        ),
        (
            "minor class",
            CaseFilter {
                class_code: Some(d.cases[0].class_code.as_str().into()),
                ..base()
            },
        ),
        (
            "patrol",
            CaseFilter {
                source: vec![CaseSource::Patrol],
                ..base()
            },
        ),
        (
            "a community's grids",
            CaseFilter {
                grid: Some(grid_prefix),
                ..base()
            },
        ),
        (
            "department",
            CaseFilter {
                department: Some("D02".into()),
                ..base()
            },
        ),
        (
            "supervised",
            CaseFilter {
                supervised: Some(true),
                ..base()
            },
        ),
        (
            "not supervised",
            CaseFilter {
                supervised: Some(false),
                ..base()
            },
        ),
        (
            "days",
            CaseFilter {
                from: NaiveDate::from_ymd_opt(2026, 1, 1),
                to: NaiveDate::from_ymd_opt(2026, 3, 31),
                ..base()
            },
        ),
        (
            "text in a number",
            CaseFilter {
                text: Some(some_id),
                ..base()
            },
        ),
        (
            "text in a description",
            CaseFilter {
                text: Some(word),
                ..base()
            },
        ),
        (
            "a page",
            CaseFilter {
                offset: 10,
                limit: 7,
                ..base()
            },
        ),
        (
            "past the end",
            CaseFilter {
                offset: 100_000,
                ..base()
            },
        ),
        (
            "a big page",
            CaseFilter {
                limit: 5000,
                ..base()
            },
        ),
    ];
    let mut nonempty = 0;
    for (what, f) in &filters {
        let want = local.case_rows(f, None).expect(what);
        let got = remote.case_rows(f, None).expect(what);
        assert_eq!(got, want, "{what}");
        nonempty += usize::from(want.0 > 0);
    }
    assert!(nonempty >= 14, "the filters find cases: {nonempty}");
    let big = remote.case_rows(&filters[16].1, None).expect("big");
    assert_eq!(big.1.len(), d.cases.len().min(1000));
    assert_eq!(big.0, d.cases.len());
    let dept = remote.case_rows(&filters[8].1, None).expect("dept");
    assert_eq!(dept.0, 5);
    assert!(dept
        .1
        .iter()
        .all(|r| r.deadline.is_some() && r.stage.is_some()));

    // The open cases with their flow, running stage and open hang-up, as the desk reads them.
    let open = |s: &dyn DeskStore| {
        let mut rows: Vec<String> = s
            .open_case_rows()
            .expect("open cases")
            .iter()
            .map(|r| format!("{r:?}"))
            .collect();
        rows.sort();
        rows
    };
    let want = open(&local);
    assert_eq!(open(&remote), want);
    assert!(want.len() > 20, "{}", want.len());
    assert!(want
        .iter()
        .any(|r| r.contains("hang_start: Some(\"2026-01-03 09:00:00\")")));
    assert!(want
        .iter()
        .any(|r| r.contains("deadline: Some(\"2026-01-0") && r.contains(" 17:00:00\")")));
    assert!(centre
        .district(other.district.code)
        .open_case_rows()
        .expect("B")
        .iter()
        .all(|r| r.stage.is_none()));

    // The next task number, per district, as the station finds it.
    for year in [2025, 2026, 2031] {
        assert_eq!(
            remote.next_id(year).expect("next"),
            local.next_id(year).expect("next"),
            "{year}"
        );
    }
    assert_eq!(remote.next_id(2031).expect("next"), "2031-0000001");
    let mut last = d.cases[0].clone();
    last.id = "2032-9999999".into();
    station
        .write_model(&mut |w: &dyn ModelSink| w.insert_case(&last))
        .expect("the last number at the station");
    centre
        .write_model(&mut |w: &dyn ModelSink| w.insert_case(&last))
        .expect("the last number at the centre");
    let (station_full, centre_full) = (
        station.db().next_id(2032).expect_err("no numbers left"),
        centre
            .district(d.district.code)
            .next_id(2032)
            .expect_err("no numbers left"),
    );
    assert_eq!(centre_full.kind(), station_full.kind());
    assert_eq!(centre_full.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        centre
            .district(other.district.code)
            .next_id(2032)
            .expect("B numbers on its own"),
        "2032-0000001"
    );
    let local = station.db();
    let remote = centre.district(d.district.code);

    // Overdue ids as the workflow judges them.
    let judged: Vec<&str> = d
        .cases
        .iter()
        .skip(3)
        .step_by(7)
        .map(|c| c.id.as_str())
        .collect();
    for o in [true, false] {
        let f = CaseFilter {
            overdue: Some(o),
            ..base()
        };
        assert_eq!(
            remote.case_rows(&f, Some((o, &judged))).expect("overdue"),
            local.case_rows(&f, Some((o, &judged))).expect("overdue"),
            "overdue {o}"
        );
    }

    // Photos by id, inside the district.
    assert_eq!(
        remote.photo(7).expect("photo"),
        local.photo(7).expect("photo")
    );
    assert_eq!(
        remote.photo_thumbnail(7).expect("thumb"),
        local.photo_thumbnail(7).expect("thumb")
    );
    for e in [
        remote.photo(8).expect_err("no photo 8"),
        local.photo(8).expect_err("no photo 8"),
        centre
            .district(other.district.code)
            .photo(7)
            .expect_err("photo 7 is A's"),
    ] {
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    }

    // District B's list holds B's cases only; inside a transaction the same.
    let b = centre
        .district(other.district.code)
        .case_rows(&base(), None)
        .expect("B");
    assert_eq!(b.0, other.cases.len());
    assert!(b
        .1
        .iter()
        .all(|r| r.grid.is_none() && r.department.is_none()));
    let in_tx = centre
        .transaction(|tx| tx.district(d.district.code).case_rows(&filters[0].1, None))
        .expect("in a transaction");
    assert_eq!(
        in_tx,
        local.case_rows(&filters[0].1, None).expect("station")
    );
}
