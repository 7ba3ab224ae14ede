//! The components register and QR plates through the engine: codes, edits with history, plates
//! that scan back into an intake.

use crate::common::{district, session, t};
use griddesk::intake::{DuplicateParams, IntakeOutcome, OnDuplicate};
use griddesk::model::{CaseKind, CaseSource, ComponentState};
use griddesk::qr::PlateOptions;
use griddesk::register::{ComponentEdit, NewComponent};
use griddesk::users::Role;
use griddesk::ErrorKind;

#[test]
fn codes_edits_history_and_plates() {
    let d = district();
    let e = &d.engine;
    let admin = e.sign_in("admin", "admin-pass", Role::Admin).unwrap();
    let insp = session(e, "inspector", Role::Inspector);
    let disp = session(e, "dispatch", Role::Dispatcher);
    let l = e.loaded();
    let district = l.index.district.as_ref().unwrap().code;
    // The next free code follows the highest stored sequence of that district and class.
    let max_bins = l
        .index
        .components
        .iter()
        .filter(|c| c.class_code.as_str() == "0305")
        .map(|c| c.code.sequence())
        .max()
        .unwrap_or(0);
    let next = e.next_component_code("0305").unwrap();
    assert_eq!(next.district(), district);
    assert_eq!(next.class(), "0305");
    assert_eq!(next.sequence(), max_bins + 1);
    let p = l.index.grid_label_points[3];
    drop(l);
    let before = e.overview().components;
    let new = NewComponent {
        class_code: "0305".into(),
        location: [p.x(), p.y()],
        owner: Some("黄岩区环境卫生管理处".into()),
        maintainer: None,
        state: ComponentState::Intact,
        code: None,
        note: Some("新增".into()),
    };
    assert_eq!(
        e.create_component(&disp, &new, t("2026-03-01 09:00"))
            .unwrap_err()
            .kind(),
        ErrorKind::Refused
    );
    let c = e
        .create_component(&insp, &new, t("2026-03-01 09:00"))
        .unwrap();
    assert_eq!(c.code, next.to_string());
    assert_eq!(c.class_name.as_deref(), Some("垃圾箱"));
    assert!(c.grid.is_some());
    assert_eq!(
        e.overview().components,
        before + 1,
        "the index knows it without a reload"
    );
    assert_eq!(
        e.next_component_code("0305").unwrap().sequence(),
        next.sequence() + 1
    );
    // A taken code is refused.
    let dup = NewComponent {
        code: Some(c.code.clone()),
        ..new.clone()
    };
    assert_eq!(
        e.create_component(&insp, &dup, t("2026-03-01 09:00"))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    // Edit, state change and move are recorded with the record before and after.
    let moved = [p.x() + 0.0002, p.y()];
    let edit = ComponentEdit {
        maintainer: Some(Some("黄岩区环境卫生管理处".into())),
        state: Some(ComponentState::Damaged),
        location: Some(moved),
        note: Some("破损并移位".into()),
        ..Default::default()
    };
    let after = e
        .edit_component(&admin, &c.code, &edit, t("2026-03-05 10:00"))
        .unwrap();
    assert_eq!(after.state, ComponentState::Damaged);
    assert_eq!(e.component(&c.code).unwrap().location, moved);
    let h = e.component_history(&c.code).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].action, "create");
    assert_eq!(h[1].action, "edit+state+move");
    assert_eq!(h[1].before.as_ref().unwrap().state, ComponentState::Intact);
    assert_eq!(h[1].after.as_ref().unwrap().location, moved);
    // An edit that changes nothing records nothing.
    e.edit_component(
        &admin,
        &c.code,
        &ComponentEdit::default(),
        t("2026-03-06 10:00"),
    )
    .unwrap();
    assert_eq!(e.component_history(&c.code).unwrap().len(), 2);

    // QR: payload → image → scan → intake of a component case.
    let payload = e.component_payload(&c.code).unwrap();
    assert!(payload.starts_with(&format!("GD1|{}|", c.code)));
    let png = e.component_qr_png(&c.code, 6).unwrap();
    let scan = e.scan_image(&png, t("2026-03-07 09:00")).unwrap();
    assert_eq!(scan.component.code, c.code);
    assert!(scan.offset_m.unwrap() < 0.5);
    assert_eq!(scan.intake.source, CaseSource::QrCode);
    let out = e
        .intake(
            &insp,
            &scan.intake,
            &DuplicateParams::default(),
            &OnDuplicate::Check,
        )
        .unwrap();
    let IntakeOutcome::Created { id, .. } = out else {
        panic!("{out:?}")
    };
    let detail = e.case_detail(&id, None, t("2026-03-07 09:30")).unwrap();
    assert_eq!(detail.kind, CaseKind::Component);
    assert_eq!(detail.component.as_deref(), Some(c.code.as_str()));
    // A pasted payload works the same; garbage and unknown codes are refused.
    assert_eq!(
        e.scan_text(&format!("  {payload}\n"), t("2026-03-07 09:00"))
            .unwrap()
            .component
            .code,
        c.code
    );
    assert!(e.scan_text("hello", t("2026-03-07 09:00")).is_err());
    assert_eq!(
        e.scan_text(
            &format!("GD1|{}9|1|1", &c.code[..15]),
            t("2026-03-07 09:00")
        )
        .unwrap_err()
        .kind(),
        ErrorKind::NotFound
    );
    // Plate sheets for a selection.
    let codes: Vec<String> = e
        .loaded()
        .index
        .components
        .iter()
        .take(5)
        .map(|c| c.code.to_string())
        .collect();
    let pages = e.plate_sheet_png(&codes, &PlateOptions::default()).unwrap();
    assert_eq!(pages.len(), 1);
    let pdf = e.plate_sheet_pdf(&codes, &PlateOptions::default()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(e
        .plate_sheet_png(&["3310039999000001".to_string()], &PlateOptions::default())
        .is_err());
}
