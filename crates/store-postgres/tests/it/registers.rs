//! A district's street registers in the centre (`RegistersStore`), the same calls on a
//! station's SQLite store holding the same district: objects and their history, vendors and
//! warnings, vending zones and admissions, the colour ladder, notices and deliveries,
//! move-car reminders, photos and person lookups give the same answers (ids included: each
//! side numbers from 1 in a fresh store); and a district's view that never reads or changes
//! another district's registers.

use crate::common;

use chrono::{NaiveDate, NaiveDateTime};
use griddesk_core::code::DistrictCode;
use griddesk_registers::registers::industry::Subclass;
use griddesk_registers::registers::model::Colour;
use griddesk_registers::registers::model::{
    Admission, AdmissionStatus, MoveCarReminder, MoveOutcome, Notice, ObjectKind, ObjectStatus,
    ServiceObject, Target, TargetKind, VendingZone, Vendor, Warning,
};
use griddesk_registers::registers::rules::Ladder;
use griddesk_registers::registers::store::{HistoryRow, NewPhoto, PersonLookup, RegistersStore};
use griddesk_sample::{generate, SampleParams};
use griddesk_store::{AuditStore, ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

fn at(day: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, day)
        .and_then(|x| x.and_hms_opt(hour, 5, 0))
        .expect("a time")
}

fn object(name: &str, credit: Option<&str>) -> ServiceObject {
    ServiceObject {
        id: 0,
        kind: ObjectKind::Shop,
        name: name.into(),
        address: format!("{name} 地址"),
        location: [121.2612345, 28.6512345],
        grid: Some("331003001001001".into()),
        grid_reason: None,
        section: Some("H".into()),
        subclass: Some("H621".into()),
        credit_code: credit.map(Into::into),
        legal_rep: Some("张三".into()),
        id_number: None,
        contact: None,
        phone: Some("0576-1234567".into()),
        licence: None,
        status: ObjectStatus::Operating,
        collected_by: Some("inspector".into()),
        collected_on: NaiveDate::from_ymd_opt(2026, 12, 1),
        verified_by: None,
        verified_at: None,
        frontage: Some(vec![[121.26, 28.65], [121.2601, 28.6501]]),
        note: None,
    }
}

fn vendor(name: &str) -> Vendor {
    Vendor {
        id: 0,
        name: name.into(),
        phone: None,
        id_number: Some("33100319800101001X".into()),
        trade: "水果".into(),
        usual_place: Some([121.262, 28.652]),
        note: Some("早市".into()),
        created_at: at(2, 8),
        created_by: "inspector".into(),
    }
}

/// The registers without the warnings' ids: the centre numbers those in commit order
/// (migration 4), unique and ascending but not 1, 2, 3 as the station does.
fn registers(
    s: &dyn RegistersStore,
) -> griddesk_core::Result<griddesk_registers::registers::RegisterData> {
    let mut r = s.load_registers()?;
    for w in &mut r.warnings {
        w.id = 0;
    }
    Ok(r)
}

/// Every call of the trait, each answer noted (an error by its kind and text).
fn script(s: &dyn RegistersStore) -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! note {
        ($what:expr, $e:expr) => {
            out.push(match &$e {
                Ok(v) => format!("{}: {:?}", $what, v),
                Err(e) => format!("{}: error {:?} {}", $what, e.kind(), e),
            })
        };
    }
    note!("empty", registers(s));
    let o1 = s.put_object(&object("一号店", Some("91331003MA2AAAAA1X")));
    let o2 = s.put_object(&object("二号店", None));
    note!("object", o1);
    note!("object 2", o2);
    let (o1, o2) = (o1.unwrap_or(0), o2.unwrap_or(0));
    let mut changed = object("一号店（改名）", Some("91331003MA2AAAAA1X"));
    changed.id = o1;
    changed.status = ObjectStatus::Suspended;
    changed.verified_at = Some(at(3, 9));
    changed.frontage = None;
    note!("object replaced", s.put_object(&changed));
    for (i, action) in ["create", "edit"].into_iter().enumerate() {
        note!(
            "history",
            s.add_object_history(&HistoryRow {
                object: o1,
                at: at(3, 9 + i as u32),
                by: "inspector".into(),
                action: action.into(),
                reason: (i == 1).then(|| "核实".to_string()),
                before: (i == 1).then(|| serde_json::json!({ "name": "一号店" })),
                after: Some(serde_json::json!({ "name": "一号店（改名）", "n": i })),
            })
        );
    }
    note!("history of", s.object_history(o1));
    note!("history of none", s.object_history(o2));
    let v1 = s.put_vendor(&vendor("李四"));
    note!("vendor", v1);
    let v1 = v1.unwrap_or(0);
    note!(
        "vendor replaced",
        s.put_vendor(&Vendor {
            id: v1,
            phone: Some("13900000000".into()),
            usual_place: None,
            ..vendor("李四")
        })
    );
    for (i, refused) in [false, true].into_iter().enumerate() {
        let w = s.add_warning(&Warning {
            id: 0,
            vendor: v1,
            at: at(4, 10 - i as u32),
            location: [121.263, 28.653],
            grid: None,
            inspector: "inspector".into(),
            matter: "占道经营".into(),
            refused,
            note: None,
        });
        note!("warning", w.map(|id| id > 0));
    }
    let zone = VendingZone {
        code: "Z01".into(),
        name: "夜市".into(),
        ring: vec![
            [121.26, 28.65],
            [121.27, 28.65],
            [121.27, 28.66],
            [121.26, 28.65],
        ],
        days: vec![5, 6, 7],
        hours: vec![("18:00".into(), "23:00".into())],
        trades: vec!["小吃".into()],
        capacity: Some(40),
        note: None,
    };
    note!("zone", s.put_vending_zone(&zone));
    note!(
        "zone 2",
        s.put_vending_zone(&VendingZone {
            code: "Z02".into(),
            capacity: None,
            ..zone.clone()
        })
    );
    let adm = Admission {
        id: 0,
        zone: "Z01".into(),
        vendor: v1,
        trade: "小吃".into(),
        status: AdmissionStatus::Admitted,
        admitted_at: at(5, 9),
        admitted_by: "leader".into(),
        stall: Some("A-3".into()),
        filed_at: None,
        exited_at: None,
        exit_reason: None,
    };
    let a1 = s.put_admission(&adm);
    note!("admission", a1);
    note!(
        "admission 2",
        s.put_admission(&Admission {
            zone: "Z02".into(),
            ..adm.clone()
        })
    );
    note!(
        "admission filed",
        s.put_admission(&Admission {
            id: a1.unwrap_or(0),
            status: AdmissionStatus::Filed,
            filed_at: Some(at(6, 9)),
            ..adm.clone()
        })
    );
    note!("zone deleted", s.delete_vending_zone("Z02"));
    note!("zone deleted again", s.delete_vending_zone("Z02"));
    note!(
        "ladder",
        s.put_ladder(&Ladder {
            window_days: 60,
            steps: vec![(1, Colour::Yellow), (3, Colour::Red)],
        })
    );
    let notice = |title: &str| Notice {
        id: 0,
        title: title.into(),
        template: "{name}：请于周五前整改。".into(),
        target: Target {
            kind: TargetKind::Grid,
            key: "331003001001001".into(),
        },
        channel: "短信".into(),
        created_at: at(7, 9),
        created_by: "leader".into(),
        recipients: 0,
    };
    let n1 = s.add_notice(
        &notice("整改通知"),
        &[
            (o1, "一号店：请于周五前整改。".into()),
            (o2, "二号店：请于周五前整改。".into()),
        ],
    );
    note!("notice", n1);
    note!(
        "notice 2",
        s.add_notice(&notice("第二次"), &[(o2, "二号店：再次通知。".into())])
    );
    note!("notices", s.notices());
    note!(
        "deliveries of",
        s.deliveries(n1.as_ref().ok().copied(), None)
    );
    note!("deliveries to", s.deliveries(None, Some(o2)));
    note!("deliveries all", s.deliveries(None, None));
    for (i, outcome) in [MoveOutcome::Moved, MoveOutcome::NoResponse]
        .into_iter()
        .enumerate()
    {
        note!(
            "move car",
            s.add_move_car(&MoveCarReminder {
                id: 0,
                plate: format!("浙J·1234{i}"),
                place: "人民路".into(),
                location: [121.264, 28.654],
                grid: None,
                at: at(8, 9 + i as u32),
                channel: "电话".into(),
                outcome,
                by: "inspector".into(),
            })
        );
    }
    note!("move cars", s.move_cars(at(8, 0), at(8, 10)));
    note!("move cars all", s.move_cars(at(1, 0), at(20, 0)));
    let photo = |owner: &'static str, id: i64, n: u8| NewPhoto {
        owner,
        owner_id: id,
        mime: "image/jpeg".into(),
        width: 800,
        height: 600,
        bytes: vec![n; 64],
        thumb: vec![n; 8],
        at: at(9, 9),
        by: "inspector".into(),
    };
    let p1 = s.add_register_photo(&photo("object", o1, 1));
    note!("photo", p1);
    note!("photo 2", s.add_register_photo(&photo("vendor", v1, 2)));
    note!("photos", s.register_photos("object", o1));
    note!("photos none", s.register_photos("vendor", o1));
    note!(
        "photo bytes",
        s.register_photo_bytes(p1.as_ref().copied().unwrap_or(0), false)
    );
    note!(
        "photo thumb",
        s.register_photo_bytes(p1.as_ref().copied().unwrap_or(0), true)
    );
    note!("photo missing", s.register_photo_bytes(999, true));
    for (i, what) in ["vendor", "object", "export"].into_iter().enumerate() {
        note!(
            "lookup",
            s.log_person_lookup(&PersonLookup {
                at: at(10, 9 + i as u32),
                by: "leader".into(),
                role: "leader".into(),
                what: what.into(),
                key: format!("{i}"),
            })
        );
    }
    note!("lookups", s.person_lookups(2));
    note!("everything", registers(s));
    // Refusals last (the centre draws no id for them, the station none either).
    note!(
        "same credit code",
        s.put_object(&object("三号店", Some("91331003MA2AAAAA1X")))
    );
    note!("after", registers(s));
    out
}

fn setup(
    name: &str,
) -> (
    std::sync::Arc<common::Cluster>,
    griddesk_sample::SampleDistrict,
    Centre,
) {
    let cluster = common::cluster();
    let url = cluster.fresh_database(name, true);
    let mut centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(40, 10)).expect("a district");
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&d.district))
        .expect("the district");
    (cluster, d, centre)
}

#[test]
fn the_registers_read_and_write_as_at_the_station() {
    let (_cluster, d, centre) = setup("t_registers");
    let dc = d.district.code;
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    station
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&d.district))
        .expect("the district");

    // Outside a transaction: each write on its own.
    let view = centre.district(dc);
    let l = script(&station.db());
    let r = script(&view);
    for (a, b) in l.iter().zip(&r) {
        assert_eq!(b, a);
    }
    assert_eq!(r.len(), l.len());
    assert!(
        r.iter()
            .any(|x| x.starts_with("same credit code: error Conflict")),
        "{r:#?}"
    );
    assert!(r.iter().any(|x| x.contains("占道经营")));
    // The sealed rows (history, warnings, lookups) are sealed in the district's chain.
    let check = view.check_audit().expect("check");
    assert!(check.ok() && check.seals >= 7, "{check:?}");

    // Inside one transaction; the city's sub-classes replaced by the centre.
    let subclasses = vec![
        Subclass {
            code: "H621".into(),
            section: "H".into(),
            name: "正餐服务".into(),
        },
        Subclass {
            code: "F523".into(),
            section: "F".into(),
            name: "水果零售".into(),
        },
    ];
    let more = |s: &dyn RegistersStore| -> griddesk_core::Result<String> {
        s.put_subclasses(&subclasses)?;
        let id = s.put_vendor(&vendor("王五"))?;
        let w = s.add_warning(&Warning {
            id: 0,
            vendor: id,
            at: at(11, 9),
            location: [121.2, 28.6],
            grid: None,
            inspector: "inspector".into(),
            matter: "流动摊贩".into(),
            refused: false,
            note: None,
        })?;
        Ok(format!("{id} {} {:?}", w > 0, registers(s)?))
    };
    let l = station.transaction(|tx| more(tx)).expect("station");
    let r = centre
        .transaction(|tx| more(&tx.district(dc)))
        .expect("centre");
    assert_eq!(r, l);
    assert_eq!(
        view.load_registers().expect("centre").subclasses,
        subclasses
    );
    assert_eq!(
        format!("{:?}", registers(&view).expect("centre")),
        format!("{:?}", registers(&station.db()).expect("station"))
    );
    let ws = view.load_registers().expect("centre").warnings;
    let mut ids: Vec<i64> = ws.iter().map(|w| w.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "the centre's warning ids are unique: {ws:?}");
    // A warning of a vendor the district lacks is refused on both sides (the station names
    // it a missing department; the kind is the same).
    let w = Warning {
        id: 0,
        vendor: 999,
        at: at(12, 9),
        location: [121.2, 28.6],
        grid: None,
        inspector: "inspector".into(),
        matter: "x".into(),
        refused: false,
        note: None,
    };
    let e1 = station.db().add_warning(&w).expect_err("station");
    let e2 = view.add_warning(&w).expect_err("centre");
    assert_eq!(e2.kind(), e1.kind());
    assert!(e2.to_string().contains("vendor"), "{e2}");
}

#[test]
fn a_district_view_never_reads_or_changes_another_districts_registers() {
    let (_cluster, d, mut centre) = setup("t_registers_districts");
    let (a, b) = (
        d.district.code,
        DistrictCode::parse("331004").expect("a district code"),
    );
    let mut other = d.district.clone();
    other.code = b;
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&other))
        .expect("district B");
    let (va, vb) = (centre.district(a), centre.district(b));
    let _ = script(&va);
    let a_regs = format!("{:?}", va.load_registers().expect("A's"));
    let a_notices = va.notices().expect("A's");
    let a_object = va.load_registers().expect("A's").objects[0].clone();
    let a_vendor = va.load_registers().expect("A's").vendors[0].id;
    let a_photo = va
        .register_photos("object", a_object.id)
        .expect("A's photos")[0]
        .id;

    // B sees nothing of A's.
    let seen = vb.load_registers().expect("B's");
    assert!(seen.objects.is_empty() && seen.vendors.is_empty() && seen.warnings.is_empty());
    assert!(seen.zones.is_empty() && seen.admissions.is_empty());
    assert_eq!(seen.ladder, Ladder::default());
    assert!(vb.notices().expect("B").is_empty());
    assert!(vb.deliveries(None, None).expect("B").is_empty());
    assert!(vb.object_history(a_object.id).expect("B").is_empty());
    assert!(vb.move_cars(at(1, 0), at(30, 0)).expect("B").is_empty());
    assert!(vb
        .register_photos("object", a_object.id)
        .expect("B")
        .is_empty());
    assert_eq!(vb.register_photo_bytes(a_photo, false).expect("B"), None);
    assert!(vb.person_lookups(10).expect("B").is_empty());
    // B's writes naming A's rows are refused or make B's own rows; A is unchanged.
    assert!(vb
        .add_object_history(&HistoryRow {
            object: a_object.id,
            at: at(12, 9),
            by: "b".into(),
            action: "edit".into(),
            reason: None,
            before: None,
            after: None,
        })
        .is_err());
    assert!(vb
        .add_warning(&Warning {
            id: 0,
            vendor: a_vendor,
            at: at(12, 9),
            location: [121.2, 28.6],
            grid: None,
            inspector: "b".into(),
            matter: "x".into(),
            refused: false,
            note: None,
        })
        .is_err());
    assert!(vb
        .add_notice(&a_notices[0], &[(a_object.id, "x".into())])
        .is_err());
    assert_eq!(vb.delete_vending_zone("Z01").expect("nothing of B's"), 0);
    vb.put_ladder(&Ladder {
        window_days: 7,
        steps: vec![],
    })
    .expect("B's own ladder");
    let mut b_copy = a_object.clone();
    b_copy.credit_code = None;
    b_copy.name = "B 的店".into();
    let b_id = vb.put_object(&b_copy).expect("B's own object under A's id");
    assert_eq!(b_id, a_object.id, "ids are the district's own");
    assert_eq!(
        format!("{:?}", va.load_registers().expect("A's")),
        a_regs,
        "A is untouched"
    );

    // B's station role, through A's view, finds nothing and changes nothing.
    let creds = centre.add_station(&b, None).expect("station B");
    let st = Centre::open(&creds.url()).expect("station B logs in");
    let theirs = st.district(a);
    assert!(theirs.load_registers().expect("nothing").objects.is_empty());
    assert!(theirs.put_object(&object("x", None)).is_err());
    assert!(theirs.put_vendor(&vendor("x")).is_err());
    assert!(theirs
        .log_person_lookup(&PersonLookup {
            at: at(12, 9),
            by: "x".into(),
            role: "x".into(),
            what: "x".into(),
            key: "x".into(),
        })
        .is_err());
    assert_eq!(
        theirs.register_photo_bytes(a_photo, true).expect("none"),
        None
    );
    // Its own view reads the city's sub-classes and may not replace them.
    assert!(st.district(b).put_subclasses(&[]).is_err());
    assert_eq!(
        format!("{:?}", va.load_registers().expect("A's")),
        a_regs,
        "A is untouched"
    );
    assert!(va.check_audit().expect("A's chain").ok());
    assert!(vb.check_audit().expect("B's chain").ok());
}
