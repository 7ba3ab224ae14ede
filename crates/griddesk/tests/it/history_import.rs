//! Bulk import of historical cases: rejects with file, line and field; nothing written on
//! rejects; progress; workflow records, clocks and evaluation runs for what is imported.

use crate::common::{centre, district, session, t};
use griddesk::io::ImportOptions;
use griddesk::users::Role;
use griddesk::workflow::CaseFilter;
use griddesk::ErrorKind;

#[test]
fn historical_cases_import_with_rejects_progress_and_clocks() {
    let d = district();
    let e = &d.engine;
    let admin = e
        .sign_in("admin", "admin-pass", Role::Admin)
        .expect("admin");
    let insp = session(e, "inspector", Role::Inspector);
    let p = centre(e);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.csv");
    let good = format!(
        "lon,lat,kind,class_code,source,reported_at,status,closed_at,department,description\n\
         {x},{y},event,0102,patrol,2026-01-05 09:00:00,closed,2026-01-05 11:00:00,D01,按时\n\
         {x},{y},事件,0504,12345热线,2026-01-06 09:00:00,closed,2026-01-09 09:00:00,,超期\n\
         {x},{y},event,0505,video_ai,2026-03-01 10:00:00,handling,,D02,\n\
         {x},{y},event,0101,public,2026-03-01 10:00:00,hung,,,\n",
        x = p[0],
        y = p[1]
    );
    let bad = format!(
        "{good}{x},{y},event,0999,patrol,2026-01-05 09:00:00,closed,,,\n\
         {x},north,event,0102,patrol,2026-01-05 09:00:00,closed,,,\n\
         {x},{y},event,0102,carrier pigeon,2026-01-05 09:00:00,closed,,,\n\
         {x},{y},event,0102,patrol,2026-01-05 09:00:00,closed,2026-01-04 09:00:00,,\n\
         {x},{y},event,0102,patrol,2026-01-05 09:00:00,closed,,D77,\n",
        x = p[0],
        y = p[1]
    );
    std::fs::write(&file, &bad).unwrap();
    let cases = e.overview().cases;
    let err = e
        .import_history(&admin, &file, ImportOptions::default(), &mut |_, _| {})
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.overview().cases, cases, "nothing written");
    let dry = e
        .import_history(
            &admin,
            &file,
            ImportOptions {
                valid_only: false,
                dry_run: true,
            },
            &mut |_, _| {},
        )
        .unwrap();
    let fields: Vec<(String, Option<String>)> = dry
        .rejects
        .iter()
        .map(|r| (r.location.to_string(), r.location.field.clone()))
        .collect();
    assert_eq!(
        fields
            .iter()
            .map(|f| f.1.as_deref().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["class_code", "lat", "source", "closed_at", "department"]
    );
    assert!(fields[0].0.contains("history.csv, line 6"), "{fields:?}");
    // Only administrators import.
    assert_eq!(
        e.import_history(&insp, &file, ImportOptions::default(), &mut |_, _| {})
            .unwrap_err()
            .kind(),
        ErrorKind::Refused
    );
    std::fs::write(&file, &good).unwrap();
    let mut calls = Vec::new();
    let r = e
        .import_history(
            &admin,
            &file,
            ImportOptions::default(),
            &mut |done, total| calls.push((done, total)),
        )
        .unwrap();
    assert_eq!(r.imported, 4);
    assert_eq!(calls.last(), Some(&(4, 4)));
    assert_eq!(e.overview().cases, cases + 4);
    let page = e
        .case_list(
            &crate::common::admin(e),
            &CaseFilter {
                from: Some(t("2026-01-01 00:00").date()),
                ..Default::default()
            },
            t("2026-03-02 12:00"),
        )
        .unwrap();
    assert_eq!(page.total, 4);
    // Closed cases carry a finished handling run judged on time or late.
    let closed: Vec<_> = page
        .rows
        .iter()
        .filter(|r| r.status == griddesk::model::CaseStatus::Closed)
        .collect();
    let on_time: Vec<Option<bool>> = closed
        .iter()
        .map(|r| {
            let d = e.case_detail(&r.id, None, t("2026-03-02 12:00")).unwrap();
            assert_eq!(d.audit.len(), 1);
            assert_eq!(d.audit[0].action, "import");
            d.stages
                .iter()
                .find(|s| s.stage.key() == "handle")
                .and_then(|s| s.on_time)
        })
        .collect();
    let mut on_time = on_time;
    on_time.sort();
    assert_eq!(
        on_time,
        [Some(false), Some(true)],
        "暴露垃圾 in 2 h is on time, 店外经营 in 3 days is late"
    );
    // Open cases run a clock from their report: the handling one is overdue by now, the hung
    // one is stopped.
    let clocks = e.case_clocks(t("2026-03-20 12:00")).unwrap();
    let open: Vec<_> = page
        .rows
        .iter()
        .filter(|r| !r.status.is_terminal())
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(open.len(), 2);
    for id in &open {
        let c = clocks
            .iter()
            .find(|c| &c.id == id)
            .expect("open case has a clock")
            .clock
            .expect("a running stage");
        assert!(c.overdue || c.stopped, "{c:?}");
    }
    assert!(clocks
        .iter()
        .filter(|c| open.contains(&c.id))
        .any(|c| c.clock.is_some_and(|k| k.stopped)));
}
