//! The street registers through the engine (docs/registers.md): roles, masking and the lookup
//! log; credit codes, grids and history; imports refused whole (CSV and XLSX); a notice to an
//! industry exported for administrators only; a vendor turning red; the hints a case's
//! dispatcher sees (frontage, red vendor, vending zone); admissions; move-car figures; photos.
#![allow(clippy::unwrap_used)] // test helpers: a failure is a failed test

use crate::common::{centre, district, session, t};
use griddesk::intake::{DuplicateParams, IntakeOutcome, IntakeRequest, OnDuplicate};
use griddesk::street::registers::rules::Ladder;
use griddesk::street::registers::*;
use griddesk::street::*;
use griddesk::users::{Role, Session};
use griddesk::workflow::photo::solid_png;
use griddesk::{Engine, ErrorKind, MessageCode as C};

fn shop(name: &str, at: [f64; 2], subclass: &str) -> ObjectEdit {
    ObjectEdit {
        kind: Some(ObjectKind::Shop),
        name: name.into(),
        address: format!("{name}门口"),
        location: at,
        subclass: Some(subclass.into()),
        legal_rep: Some("王小明".into()),
        phone: Some("13812345678".into()),
        id_number: Some("331003199001011234".into()),
        ..Default::default()
    }
}

fn near(p: [f64; 2], dx_m: f64, dy_m: f64) -> [f64; 2] {
    [
        p[0] + dx_m / (111_320.0 * p[1].to_radians().cos()),
        p[1] + dy_m / 110_574.0,
    ]
}

fn code_of(e: &griddesk::Error) -> Option<C> {
    match e {
        griddesk::Error::Invalid(r) => Some(r.message.code),
        _ => None,
    }
}

fn case_at(e: &Engine, by: &Session, p: [f64; 2], class: &str, at: &str) -> String {
    let req = IntakeRequest {
        description: Some("占道摆摊".into()),
        address: None,
        ..crate::common::report(at, p, class)
    };
    match e
        .intake(by, &req, &DuplicateParams::default(), &OnDuplicate::Proceed)
        .expect("report")
    {
        IntakeOutcome::Created { id, .. } => id,
        other => panic!("expected a new case, got {other:?}"),
    }
}

#[test]
fn roles_masking_and_the_lookup_log() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let dept = session(e, "sanitation", Role::Department);
    let chief = session(e, "chief", Role::Leader);
    let id = e
        .save_object(&insp, &shop("老王烧烤", centre(e), "H03"))
        .unwrap();

    // A department account keeps no register.
    let err = e
        .save_object(&dept, &shop("x", centre(e), "H03"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    assert_eq!(
        e.search_objects(&rec, &ObjectQuery::default())
            .unwrap()
            .total,
        1
    );

    let full = e.object_detail(&rec, id).unwrap();
    assert!(!full.masked);
    assert_eq!(full.object.phone.as_deref(), Some("13812345678"));
    assert_eq!(full.object.legal_rep.as_deref(), Some("王小明"));
    let masked = e.object_detail(&insp, id).unwrap();
    assert!(masked.masked);
    assert_eq!(masked.object.phone.as_deref(), Some("138****5678"));
    assert_eq!(masked.object.legal_rep.as_deref(), Some("王**"));
    assert_eq!(
        masked.object.id_number.as_deref(),
        Some("331003********1234")
    );
    // The history masks what the session may not see, too.
    let created = &masked.history[0];
    assert_eq!(created.action, "create");
    let phone = created.fields.iter().find(|f| f.0 == "phone").unwrap();
    assert_eq!(phone.2.as_deref(), Some("138****5678"));

    // Every look at a person's record is logged; the log is for administrators and leaders.
    e.vendors(&insp, "张").unwrap();
    let log = e.person_lookups(&chief, 10).unwrap();
    let seen: Vec<(&str, &str)> = log
        .iter()
        .map(|l| (l.by.as_str(), l.what.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("inspector", "vendor-search"),
            ("inspector", "object-masked"),
            ("reception", "object")
        ]
    );
    assert_eq!(
        e.person_lookups(&insp, 10).unwrap_err().kind(),
        ErrorKind::NotPermitted
    );
    // The inspector edits the record it sees masked: the masks it sends back do not replace
    // the stored values.
    let mut edit = shop("老王烧烤", centre(e), "H03");
    edit.id = Some(id);
    edit.phone = masked.object.phone.clone();
    edit.legal_rep = None;
    edit.note = Some("晚上营业".into());
    e.save_object(&insp, &edit).unwrap();
    let after = e.object_detail(&rec, id).unwrap().object;
    assert_eq!(
        (after.phone.as_deref(), after.legal_rep.as_deref()),
        (Some("13812345678"), Some("王小明"))
    );
    assert_eq!(after.note.as_deref(), Some("晚上营业"));
    let v = e
        .save_vendor(
            &insp,
            &VendorEdit {
                name: "张三丰".into(),
                phone: Some("13900001111".into()),
                trade: "水果".into(),
                ..Default::default()
            },
        )
        .unwrap();
    e.save_vendor(
        &insp,
        &VendorEdit {
            id: Some(v),
            name: "张**".into(),
            phone: Some("139****1111".into()),
            trade: "水果".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let vd = e.vendor_detail(&rec, v).unwrap().vendor;
    assert_eq!(
        (vd.name.as_str(), vd.phone.as_deref()),
        ("张三丰", Some("13900001111"))
    );
    let ov = e.register_overview(&insp).unwrap();
    assert!(ov.can_edit && !ov.can_verify && !ov.sees_personal && !ov.can_export_personal);
    assert_eq!(ov.objects, 1);
}

#[test]
fn credit_codes_grids_history_and_verification() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let c = centre(e);

    let mut bad = shop("平价超市", c, "F01");
    bad.credit_code = Some("91350100M000100Y44".into());
    let err = e.save_object(&insp, &bad).unwrap_err();
    assert_eq!(code_of(&err), Some(C::CreditCodeCheck));
    let mut outside = shop("远方小店", [c[0] + 3.0, c[1]], "F01");
    outside.credit_code = None;
    assert_eq!(
        code_of(&e.save_object(&insp, &outside).unwrap_err()),
        Some(C::OutsideDistrict)
    );
    let mut hand = shop("平价超市", c, "F01");
    hand.grid = Some("331003001001001".into());
    assert_eq!(
        code_of(&e.save_object(&insp, &hand).unwrap_err()),
        Some(C::GridReasonRequired)
    );
    assert_eq!(
        e.search_objects(&rec, &ObjectQuery::default())
            .unwrap()
            .total,
        0,
        "nothing stored"
    );

    let mut ok = shop("平价超市", c, "F01");
    ok.credit_code = Some("91350100m000100y43".into());
    let id = e.save_object(&insp, &ok).unwrap();
    let o = e.object_detail(&rec, id).unwrap();
    assert_eq!(o.object.credit_code.as_deref(), Some("91350100M000100Y43"));
    assert_eq!(
        o.object.grid,
        e.grid_at(c[0], c[1]).map(|g| g.to_string()),
        "the engine finds the grid"
    );
    assert_eq!(o.object.section.as_deref(), Some("F"));
    assert_eq!(o.object.collected_by.as_deref(), Some("inspector"));
    // The same credit code twice is refused.
    let mut twice = shop("另一家", c, "F01");
    twice.credit_code = Some("91350100M000100Y43".into());
    assert_eq!(
        e.save_object(&insp, &twice).unwrap_err().kind(),
        ErrorKind::Conflict
    );

    // A hand-set grid with its reason is kept, and the change is in the history.
    let other_grid = {
        let l = e.loaded();
        l.index
            .grids
            .iter()
            .find(|g| Some(g.code) != e.grid_at(c[0], c[1]))
            .unwrap()
            .code
            .to_string()
    };
    let mut moved = ok.clone();
    moved.id = Some(id);
    moved.grid = Some(other_grid.clone());
    moved.grid_reason = Some("门面朝向另一网格的道路".into());
    e.save_object(&insp, &moved).unwrap();
    assert_eq!(
        e.verify_object(&insp, id).unwrap_err().kind(),
        ErrorKind::NotPermitted
    );
    e.verify_object(&rec, id).unwrap();
    let o = e.object_detail(&rec, id).unwrap();
    assert_eq!(o.object.grid.as_deref(), Some(other_grid.as_str()));
    assert_eq!(
        o.object.grid_reason.as_deref(),
        Some("门面朝向另一网格的道路")
    );
    assert_eq!(o.object.verified_by.as_deref(), Some("reception"));
    let actions: Vec<&str> = o.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, vec!["create", "edit", "verify"]);
    let edit = &o.history[1];
    assert_eq!(edit.reason.as_deref(), Some("门面朝向另一网格的道路"));
    assert!(edit
        .fields
        .iter()
        .any(|f| f.0 == "grid" && f.2.as_deref() == Some(other_grid.as_str())));
    let q = ObjectQuery {
        text: "超市".into(),
        verified: Some(true),
        ..Default::default()
    };
    assert_eq!(e.search_objects(&rec, &q).unwrap().total, 1);
}

fn csv(dir: &std::path::Path, name: &str, rows: &[String]) -> std::path::PathBuf {
    let p = dir.join(name);
    let mut s = "名称*,地址*,经度*,纬度*,行业小类,统一社会信用代码,负责人,电话\n".to_string();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn imports_refuse_a_bad_file_whole_and_list_every_reject() {
    let d = district();
    let e = &d.engine;
    let rec = session(e, "reception", Role::Receptionist);
    let insp = session(e, "inspector", Role::Inspector);
    let dir = tempfile::tempdir().unwrap();
    let [x, y] = centre(e);
    let good = |i: usize| format!("商铺{i},劳动路{i}号,{x},{y},H01,,张三,1380000000{i}");
    let bad = csv(
        dir.path(),
        "bad.csv",
        &[
            good(1),
            format!("商铺2,劳动路2号,{x},{y},H01,91350100M000100Y44,,"),
            format!(",劳动路3号,{x},{y},,,,"),
            format!("商铺4,劳动路4号,{},{y},,,,", x + 3.0),
            format!("商铺5,劳动路5号,东经,{y},,,,"),
            format!("商铺6,劳动路6号,{x},{y},ZZ9,,,"),
            good(7),
        ],
    );
    assert_eq!(
        e.import_objects(&insp, &bad, true).unwrap_err().kind(),
        ErrorKind::NotPermitted
    );
    let r = e.import_objects(&rec, &bad, false).unwrap();
    assert_eq!(r.imported, 0);
    let where_: Vec<(String, Option<String>)> = r
        .rejects
        .kept()
        .iter()
        .map(|j| {
            (
                format!("{:?}", j.location.position),
                j.location.field.clone(),
            )
        })
        .collect();
    assert_eq!(
        where_,
        vec![
            ("Line(3)".into(), Some("credit_code".into())),
            ("Line(4)".into(), Some("name".into())),
            ("Line(5)".into(), Some("lon".into())),
            ("Line(6)".into(), Some("lon".into())),
            ("Line(7)".into(), Some("subclass".into())),
        ]
    );
    assert_eq!(
        e.search_objects(&rec, &ObjectQuery::default())
            .unwrap()
            .total,
        0,
        "nothing written"
    );

    let okp = csv(dir.path(), "ok.csv", &[good(1), good(2), good(3)]);
    let dry = e.import_objects(&rec, &okp, true).unwrap();
    assert_eq!((dry.valid, dry.imported), (3, 0));
    assert_eq!(
        e.search_objects(&rec, &ObjectQuery::default())
            .unwrap()
            .total,
        0
    );
    let r = e.import_objects(&rec, &okp, false).unwrap();
    assert_eq!(r.imported, 3);
    let all = e.search_objects(&rec, &ObjectQuery::default()).unwrap();
    assert_eq!(all.total, 3);
    assert!(all
        .rows
        .iter()
        .all(|o| o.section.as_deref() == Some("H") && o.grid.is_some()));
    let h = e.object_detail(&rec, all.rows[0].id).unwrap().history;
    assert_eq!(
        (h[0].action.as_str(), h[0].reason.as_deref()),
        ("import", Some(okp.to_str().unwrap()))
    );

    // XLSX, as offices keep these lists: a bad cell refuses the workbook, a good one imports.
    let header = ["名称", "地址", "经度", "纬度", "行业门类", "状态"];
    let row = |n: &str, sec: &str, st: &str| {
        vec![
            n.to_string(),
            format!("{n}地址"),
            x.to_string(),
            y.to_string(),
            sec.to_string(),
            st.to_string(),
        ]
    };
    let xb = dir.path().join("bad.xlsx");
    griddesk::io::sheet::write_sheet(
        &xb,
        "名单",
        &header,
        &[
            row("甲店", "F", "正常经营"),
            row("乙店", "U", "正常经营"),
            row("丙店", "F", "倒闭"),
        ],
    )
    .unwrap();
    let r = e.import_objects(&rec, &xb, false).unwrap();
    assert_eq!(r.imported, 0);
    let fields: Vec<_> = r
        .rejects
        .kept()
        .iter()
        .map(|j| {
            (
                format!("{:?}", j.location.position),
                j.location.field.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("Line(3)".to_string(), "section".to_string()),
            ("Line(4)".to_string(), "status".to_string())
        ]
    );
    let xg = dir.path().join("good.xlsx");
    griddesk::io::sheet::write_sheet(
        &xg,
        "名单",
        &header,
        &[
            row("甲店", "F", "正常经营"),
            row("丁店", "批发和零售业", "停业"),
        ],
    )
    .unwrap();
    assert_eq!(e.import_objects(&rec, &xg, false).unwrap().imported, 2);
    let q = ObjectQuery {
        section: Some("F".into()),
        ..Default::default()
    };
    assert_eq!(e.search_objects(&rec, &q).unwrap().total, 2);
    // A file that is not a table is refused at the file.
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, "PK not really").unwrap();
    assert!(matches!(
        e.import_objects(&rec, &junk, false),
        Err(griddesk::Error::ImportRejected { .. })
    ));
}

#[test]
fn a_notice_to_an_industry_is_exported_by_administrators_only() {
    let d = district();
    let e = &d.engine;
    let rec = session(e, "reception", Role::Receptionist);
    let disp = session(e, "dispatch", Role::Dispatcher);
    let admin = session(e, "admin", Role::Admin);
    let c = centre(e);
    let a = e.save_object(&rec, &shop("老王烧烤", c, "H03")).unwrap();
    let b = e
        .save_object(&rec, &shop("小李面馆", near(c, 30.0, 0.0), "H01"))
        .unwrap();
    e.save_object(&rec, &shop("平价超市", near(c, -30.0, 0.0), "F01"))
        .unwrap();
    let mut closed = shop("关门饭店", near(c, 0.0, 30.0), "H01");
    closed.status = Some(ObjectStatus::Closed);
    e.save_object(&rec, &closed).unwrap();

    let draft = NoticeDraft {
        title: "油烟整治提醒".into(),
        template: "{名称}（{地址}）：请{负责人}于{日期}前清洗油烟净化设备。".into(),
        target: Some(Target {
            kind: TargetKind::Section,
            key: "H".into(),
        }),
        channel: "短信".into(),
    };
    let p = e.preview_notice(&disp, &draft).unwrap();
    assert_eq!(p.total, 2, "operating section-H shops only");
    assert!(p.recipients[0]
        .text
        .starts_with("老王烧烤（老王烧烤门口）：请王小明于"));
    let n = e.send_notice(&disp, &draft).unwrap();
    assert_eq!(n.recipients, 2);
    assert_eq!(e.notices(&rec).unwrap()[0].id, n.id);
    // Each shop's record lists the notice.
    assert_eq!(e.object_detail(&rec, a).unwrap().deliveries[0].notice, n.id);
    assert_eq!(e.object_detail(&rec, b).unwrap().deliveries.len(), 1);
    let letters = e.notice_letters(&disp, n.id).unwrap();
    assert!(
        letters.iter().all(|l| l.phone.is_none()),
        "letters carry no phones"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sms.xlsx");
    let err = e.export_notice(&disp, n.id, &out).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotPermitted);
    assert!(!out.exists());
    assert_eq!(e.export_notice(&admin, n.id, &out).unwrap(), 2);
    let sheet = griddesk::io::sheet::read_sheet(&out).unwrap();
    assert_eq!(sheet.header[3], "手机号");
    assert_eq!(sheet.rows[0].1[1], "老王烧烤");
    assert_eq!(sheet.rows[0].1[3], "13812345678");
    let csvp = dir.path().join("sms.csv");
    e.export_notice(&admin, n.id, &csvp).unwrap();
    assert!(std::fs::read_to_string(&csvp).unwrap().contains("小李面馆"));
    // Nobody to send to, or no text: refused.
    let none = NoticeDraft {
        target: Some(Target {
            kind: TargetKind::Section,
            key: "T".into(),
        }),
        ..draft.clone()
    };
    assert_eq!(
        code_of(&e.send_notice(&disp, &none).unwrap_err()),
        Some(C::NoticeNoRecipients)
    );
    let empty = NoticeDraft {
        template: " ".into(),
        ..draft
    };
    assert_eq!(
        code_of(&e.send_notice(&disp, &empty).unwrap_err()),
        Some(C::NoticeEmpty)
    );
    assert_eq!(e.notices(&rec).unwrap().len(), 1);
}

#[test]
fn a_vendor_turns_red_after_three_refusals_and_the_ladder_is_data() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let admin = session(e, "admin", Role::Admin);
    let c = centre(e);
    let v = e
        .save_vendor(
            &insp,
            &VendorEdit {
                name: "张三".into(),
                phone: Some("13900001111".into()),
                trade: "烧烤".into(),
                usual_place: Some(c),
                ..Default::default()
            },
        )
        .unwrap();
    let warn = |refused| {
        e.add_warning(
            &insp,
            &WarningInput {
                vendor: v,
                at: None,
                location: c,
                matter: "占道经营".into(),
                refused,
                note: None,
            },
        )
        .unwrap()
    };
    assert_eq!(warn(false).colour, Colour::None, "complied");
    assert_eq!(warn(true).colour, Colour::Yellow);
    assert_eq!(warn(true).colour, Colour::Green);
    let red = warn(true);
    assert_eq!(
        (red.colour, red.refusals, red.warnings),
        (Colour::Red, 3, 4)
    );
    assert_eq!(
        red.phone.as_deref(),
        Some("139****1111"),
        "masked for the inspector"
    );
    let rows = e.vendors(&rec, "1390000").unwrap();
    assert_eq!(
        rows[0].phone.as_deref(),
        Some("13900001111"),
        "found by phone, in full at the desk"
    );
    let det = e.vendor_detail(&rec, v).unwrap();
    assert_eq!(det.warnings.len(), 4);
    assert_eq!(det.warnings[0].inspector, "inspector");
    assert_eq!(e.register_overview(&rec).unwrap().red_vendors, 1);

    // The ladder is the district's: four refusals for red.
    let ladder = Ladder {
        window_days: 90,
        steps: vec![(2, Colour::Yellow), (4, Colour::Red)],
    };
    assert_eq!(
        e.set_ladder(&insp, &ladder).unwrap_err().kind(),
        ErrorKind::NotPermitted
    );
    e.set_ladder(&admin, &ladder).unwrap();
    assert_eq!(e.vendors(&rec, "").unwrap()[0].colour, Colour::Yellow);
    let bad = Ladder {
        window_days: 0,
        ..ladder
    };
    assert_eq!(
        code_of(&e.set_ladder(&admin, &bad).unwrap_err()),
        Some(C::LadderInvalid)
    );
}

#[test]
fn a_case_shows_the_frontage_shop_a_red_vendor_and_an_open_vending_zone() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let admin = session(e, "admin", Role::Admin);
    let planner = crate::common::planner(e);
    let c = centre(e);
    let shop_id = e
        .save_object(&insp, &shop("老王烧烤", near(c, 0.0, 12.0), "H03"))
        .unwrap();
    e.set_frontage(
        &insp,
        shop_id,
        Some(vec![near(c, -15.0, 5.0), near(c, 15.0, 5.0)]),
    )
    .unwrap();
    let v = e
        .save_vendor(
            &insp,
            &VendorEdit {
                name: "李四".into(),
                trade: "烧烤".into(),
                usual_place: Some(near(c, 40.0, 0.0)),
                ..Default::default()
            },
        )
        .unwrap();
    for _ in 0..3 {
        e.add_warning(
            &insp,
            &WarningInput {
                vendor: v,
                at: Some(t("2026-12-01 20:00")),
                location: c,
                matter: "占道经营".into(),
                refused: true,
                note: None,
            },
        )
        .unwrap();
    }
    let ring = vec![
        near(c, -60.0, -60.0),
        near(c, 60.0, -60.0),
        near(c, 60.0, 60.0),
        near(c, -60.0, 60.0),
    ];
    let zone = VendingZone {
        code: "SD01".into(),
        name: "劳动路夜市".into(),
        ring,
        days: vec![5, 6],
        hours: vec![("18:00".into(), "02:00".into())],
        trades: vec!["烧烤".into(), "小吃".into()],
        capacity: Some(1),
        note: None,
    };
    assert_eq!(
        e.save_vending_zone(&insp, &zone).unwrap_err().kind(),
        ErrorKind::NotPermitted
    );
    e.save_vending_zone(&planner, &zone).unwrap();
    let adm = e.admit_vendor(&rec, "SD01", v, "").unwrap();
    e.admission_step(&rec, adm, AdmissionStatus::Filed, "A-01")
        .unwrap();

    let kinds = |id: &str| -> Vec<String> {
        e.case_street_hints(&rec, id)
            .unwrap()
            .iter()
            .map(|h| {
                serde_json::to_value(h).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    // Friday 2026-12-04 at 21:00: inside the zone's hours.
    let friday_night = case_at(e, &insp, c, "0501", "2026-12-04 21:00");
    assert_eq!(
        kinds(&friday_night),
        vec!["frontage", "red_vendor", "in_vending_zone"]
    );
    let h = e.case_street_hints(&rec, &friday_night).unwrap();
    match &h[2] {
        StreetHint::InVendingZone {
            zone_name,
            admitted,
            ..
        } => {
            assert_eq!(
                (zone_name.as_str(), admitted.clone()),
                ("劳动路夜市", vec!["李四".to_string()])
            );
        }
        other => panic!("{other:?}"),
    }
    match &h[0] {
        StreetHint::Frontage { object, .. } => assert_eq!(*object, shop_id),
        other => panic!("{other:?}"),
    }
    // The inspector sees the vendor's name masked, and the look is logged.
    match &e.case_street_hints(&insp, &friday_night).unwrap()[1] {
        StreetHint::RedVendor { name, .. } => assert_eq!(name, "李*"),
        other => panic!("{other:?}"),
    }
    let chief = session(e, "chief", Role::Leader);
    let log = e.person_lookups(&chief, 3).unwrap();
    assert_eq!(
        (log[0].by.as_str(), log[0].what.as_str()),
        ("inspector", "case-hints-masked")
    );
    // Saturday 01:00 is still Friday's night; Monday noon is not an allowed time.
    assert!(kinds(&case_at(
        e,
        &insp,
        near(c, 5.0, 0.0),
        "0501",
        "2026-12-05 01:00"
    ))
    .contains(&"in_vending_zone".to_string()));
    assert_eq!(
        kinds(&case_at(
            e,
            &insp,
            near(c, 5.0, 0.0),
            "0501",
            "2026-12-07 12:00"
        )),
        vec!["frontage", "red_vendor"]
    );
    // Another class on the frontage names the shop only.
    assert_eq!(
        kinds(&case_at(e, &insp, c, "0102", "2026-12-04 21:00")),
        vec!["frontage"]
    );
    // The shop's record counts the cases on its frontage.
    assert_eq!(
        e.object_detail(&rec, shop_id).unwrap().frontage_cases.len(),
        4
    );

    // Admissions: the zone is full, a trade it does not allow, steps out of order.
    let w = e
        .save_vendor(
            &insp,
            &VendorEdit {
                name: "王五".into(),
                trade: "水果".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        code_of(&e.admit_vendor(&rec, "SD01", w, "").unwrap_err()),
        Some(C::ZoneTradeRefused)
    );
    assert_eq!(
        code_of(&e.admit_vendor(&rec, "SD01", w, "小吃").unwrap_err()),
        Some(C::ZoneFull)
    );
    assert_eq!(
        code_of(
            &e.admission_step(&rec, adm, AdmissionStatus::Filed, "A-02")
                .unwrap_err()
        ),
        Some(C::AdmissionStep)
    );
    e.admission_step(&rec, adm, AdmissionStatus::Exited, "自愿退出")
        .unwrap();
    assert_eq!(
        code_of(
            &e.admission_step(&rec, adm, AdmissionStatus::Exited, "x")
                .unwrap_err()
        ),
        Some(C::AdmissionStep)
    );
    // With nobody admitted, the zone no longer flags the case.
    assert_eq!(kinds(&friday_night), vec!["frontage", "red_vendor"]);
    e.admit_vendor(&rec, "SD01", w, "小吃").unwrap();
    let zones = e.vending_zones(&insp).unwrap();
    assert_eq!(zones[0].admissions.len(), 1);
    assert_eq!(
        zones[0].admissions[0].1, "王*",
        "vendors' names masked for inspectors"
    );
    let bad = VendingZone {
        hours: vec![("7点".into(), "9点".into())],
        ..zone.clone()
    };
    assert_eq!(
        code_of(&e.save_vending_zone(&admin, &bad).unwrap_err()),
        Some(C::ZoneHoursInvalid)
    );
    let twisted = VendingZone {
        ring: vec![
            near(c, 0.0, 0.0),
            near(c, 50.0, 50.0),
            near(c, 50.0, 0.0),
            near(c, 0.0, 50.0),
        ],
        ..zone
    };
    assert_eq!(
        code_of(&e.save_vending_zone(&admin, &twisted).unwrap_err()),
        Some(C::VendingZoneShape)
    );
    // The register tile carries the zone, the frontage and the shop.
    let (z, x, y) = tile_of(near(c, 0.0, 12.0), 16);
    let tile = e.register_tile(z, x, y).unwrap();
    for layer in ["vending_zones", "frontages", "objects"] {
        assert!(
            tile.windows(layer.len()).any(|w| w == layer.as_bytes()),
            "{layer} in the tile"
        );
    }
}

fn tile_of(p: [f64; 2], z: u32) -> (u32, u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((p[0] + 180.0) / 360.0 * n).floor() as u32;
    let lat = p[1].to_radians();
    let y = ((1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (z, x, y)
}

#[test]
fn move_car_reminders_and_their_monthly_figures() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let c = centre(e);
    let input = |plate: &str, at: &str, outcome| MoveCarInput {
        plate: plate.into(),
        place: "劳动路口".into(),
        location: c,
        at: Some(t(at)),
        channel: "短信".into(),
        outcome,
    };
    assert_eq!(
        code_of(
            &e.add_move_car(
                &insp,
                &input("J12345", "2026-11-02 08:00", MoveOutcome::Moved)
            )
            .unwrap_err()
        ),
        Some(C::PlateInvalid)
    );
    for (at, o) in [
        ("2026-11-02 08:00", MoveOutcome::Moved),
        ("2026-11-03 08:00", MoveOutcome::Moved),
        ("2026-11-04 08:00", MoveOutcome::Ticketed),
        ("2026-12-01 08:00", MoveOutcome::NoResponse),
        ("2025-12-01 08:00", MoveOutcome::Moved),
    ] {
        e.add_move_car(&insp, &input("浙J·12345", at, o)).unwrap();
    }
    let y = e.move_car_year(&insp, 2026).unwrap();
    assert_eq!(y.months.len(), 2);
    assert_eq!(
        (
            y.months[0].month.as_str(),
            y.months[0].reminders,
            y.months[0].moved
        ),
        ("2026-11", 3, 2)
    );
    assert_eq!(
        (
            y.total.reminders,
            y.total.moved,
            y.total.ticketed,
            y.total.no_response
        ),
        (4, 2, 1, 1)
    );
    assert!((y.total.moved_rate - 0.5).abs() < 1e-12);
    assert_eq!(y.latest[0].plate, "浙J12345");
    assert_eq!(
        y.latest[0].grid,
        e.grid_at(c[0], c[1]).map(|g| g.to_string())
    );
}

#[test]
fn photos_are_images_and_vendors_photos_are_personal_data() {
    let d = district();
    let e = &d.engine;
    let insp = session(e, "inspector", Role::Inspector);
    let rec = session(e, "reception", Role::Receptionist);
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("face.png");
    std::fs::write(&png, solid_png(80, 60, [200, 150, 120])).unwrap();
    let fake = dir.path().join("fake.jpg");
    std::fs::write(&fake, "not an image at all").unwrap();
    let v = e
        .save_vendor(
            &insp,
            &VendorEdit {
                name: "赵六".into(),
                trade: "水果".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let o = e
        .save_object(&insp, &shop("老王烧烤", centre(e), "H03"))
        .unwrap();
    assert_eq!(
        e.add_register_photo(&insp, "vendor", v, &fake)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    let pv = e.add_register_photo(&insp, "vendor", v, &png).unwrap();
    let po = e.add_register_photo(&insp, "object", o, &png).unwrap();
    assert_eq!(e.register_photo(&rec, pv, true).unwrap().0, "image/png");
    assert_eq!(
        e.register_photo(&insp, pv, false).unwrap_err().kind(),
        ErrorKind::NotPermitted
    );
    assert!(e.vendor_detail(&insp, v).unwrap().photos.is_empty());
    assert_eq!(e.vendor_detail(&rec, v).unwrap().photos.len(), 1);
    assert_eq!(
        e.register_photo(&insp, po, false).unwrap().0,
        "image/png",
        "a shopfront is no person"
    );
    assert_eq!(e.object_detail(&insp, o).unwrap().photos.len(), 1);
}
