//! A district's own tables in the centre — departments, users, roles, sign-ins
//! (`UsersStore`) and routing rules (`RoutingStore`) — run through the same script of calls on
//! a station's SQLite store and on each district of the centre: the transcripts must agree,
//! districts must not see each other, and a station reaches its own district only.

use crate::common;

use griddesk_caseloop::filing::AreaClass;
use griddesk_caseloop::routing::{RoutingRule, RoutingStore};
use griddesk_caseloop::users_store::UsersStore;
use griddesk_core::code::DistrictCode;
use griddesk_core::model::CaseKind;
use griddesk_core::users::{Department, NewUser, Role, RoleChange};
use griddesk_store::{ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

trait Desk: UsersStore + RoutingStore {}
impl<T: UsersStore + RoutingStore> Desk for T {}

/// What a call gave: its value, or the kind of its error (messages differ between backends
/// by design: the centre names the district).
fn out<T: std::fmt::Debug>(r: griddesk_core::Result<T>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("err {:?}", e.kind()),
    }
}

fn dept(code: &str, name: &str) -> Department {
    Department {
        code: code.into(),
        name: name.into(),
        active: true,
    }
}

fn user(login: &str, roles: &[Role], department: Option<&str>) -> NewUser {
    NewUser {
        login: login.into(),
        name: format!("用户{login}"),
        password: "not used by the store".into(),
        roles: roles.to_vec(),
        department: department.map(str::to_string),
    }
}

fn rule(
    kind: Option<CaseKind>,
    class: Option<&str>,
    area: Option<AreaClass>,
    dept: &str,
) -> RoutingRule {
    RoutingRule {
        id: None,
        kind,
        class_code: class.map(str::to_string),
        area_class: area,
        street: None,
        department: dept.into(),
    }
}

fn at(h: u32, m: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
        .and_then(|d| d.and_hms_opt(h, m, 0))
        .expect("a time")
}

/// The script: every call of both traits, the refusals included.
fn script(s: &dyn Desk) -> Vec<String> {
    let now = griddesk_core::dates::format_datetime(&at(9, 0));
    let mut t = vec![
        out(s.insert_department(&dept("D02", "环境卫生"))),
        out(s.insert_department(&dept("D05", "市政设施"))),
        out(s.insert_department(&dept("D02", "又一个"))),
        out(s.insert_department(&dept("bad code", "x"))),
        out(s.insert_department(&dept("D09", " "))),
        out(s.load_departments()),
        out(s.insert_user(
            &user("wang", &[Role::Department], Some("D02")),
            "$argon2id$a",
            &now,
        )),
        out(s.insert_user(
            &user("li", &[Role::Dispatcher, Role::Receptionist], None),
            "$argon2id$b",
            &now,
        )),
        out(s.insert_user(
            &user("zhao", &[Role::Department], Some("D99")),
            "$argon2id$c",
            &now,
        )),
        out(s.insert_user(&user("wang", &[Role::Leader], None), "$argon2id$d", &now)),
        out(s.load_users()),
        out(s.set_user_password("wang", "$argon2id$new")),
        out(s.set_user_password("nobody", "$argon2id$x")),
        out(s.set_user_active("li", false)),
        out(s.set_user_active("nobody", false)),
        out(s.set_user_roles(&RoleChange {
            login: "li".into(),
            roles: vec![Role::Leader, Role::Admin],
            department: None,
        })),
        out(s.set_user_roles(&RoleChange {
            login: "wang".into(),
            roles: vec![Role::Department],
            department: Some("D99".into()),
        })),
        out(s.set_user_roles(&RoleChange {
            login: "nobody".into(),
            roles: vec![Role::Leader],
            department: None,
        })),
        out(s.set_user_demo("li", true)),
        out(s.load_users()),
    ];
    for (m, reason) in [
        (1, Some("password")),
        (2, Some("password")),
        (3, Some("wait")),
        (4, None),
        (5, Some("password")),
        (6, Some("role")),
        (7, Some("wait")),
    ] {
        t.push(out(s.log_sign_in(
            at(10, m),
            "wang",
            Role::Department,
            reason,
        )));
    }
    t.push(out(s.failed_sign_ins("wang")));
    t.push(out(s.failed_sign_ins("li")));

    let first = s.insert_rule(&rule(Some(CaseKind::Event), Some("0101"), None, "D02"));
    t.push(out(first
        .as_ref()
        .map(|_| "an id")
        .map_err(|e| e.kind())
        .map_err(|k| griddesk_core::Error::Internal(format!("{k:?}")))));
    t.extend([
        out(s
            .insert_rule(&rule(Some(CaseKind::Event), Some("0101"), None, "D05"))
            .map(|_| ())),
        out(s
            .insert_rule(&rule(None, None, Some(AreaClass::A), "D99"))
            .map(|_| ())),
        out(s
            .insert_rule(&rule(None, Some("1"), None, "D02"))
            .map(|_| ())),
        out(s
            .insert_rule(&rule(None, None, Some(AreaClass::B), "D05"))
            .map(|_| ())),
    ]);
    let without_ids = |s: &dyn Desk| {
        out(s.load_routing().map(|r| {
            r.rules()
                .iter()
                .map(|x| RoutingRule {
                    id: None,
                    ..x.clone()
                })
                .collect::<Vec<_>>()
        }))
    };
    t.push(without_ids(s));
    if let Ok(id) = first {
        t.push(out(s.delete_rule(id)));
        t.push(out(s.delete_rule(id)));
    }
    t.push(without_ids(s));
    t
}

#[test]
fn users_and_routing_behave_as_at_a_station_in_every_district_apart() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_district", true);
    let mut centre = Centre::init(&url).expect("init");
    let station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    let expected = script(&station.db());
    assert!(
        expected.iter().any(|l| l.starts_with("err")),
        "{expected:#?}"
    );

    let d = griddesk_sample::generate(&griddesk_sample::SampleParams::benchmark(40, 50))
        .expect("a district");
    let mut other = d.district.clone();
    other.code = DistrictCode::parse("331004").expect("code");
    centre
        .write_model(&mut |w: &dyn ModelSink| {
            w.put_district(&d.district)?;
            w.put_district(&other)
        })
        .expect("two districts");
    let a = d.district.code;
    let b = other.code;
    assert_eq!(
        script(&centre.district(a)),
        expected,
        "district A, as a station"
    );
    // The same logins and codes in another district are other rows.
    assert_eq!(
        script(&centre.district(b)),
        expected,
        "district B, as a station"
    );

    // Inside one transaction, and rolled back with it.
    let r: griddesk_core::Result<()> = centre.transaction(|tx| {
        let v = tx.district(a);
        v.insert_department(&dept("D77", "临时"))?;
        assert_eq!(v.load_departments()?.len(), 3);
        Err(griddesk_core::Error::Internal("rolled back".into()))
    });
    assert!(r.is_err());
    assert_eq!(
        centre.district(a).load_departments().expect("depts").len(),
        2
    );

    // A station: its district's users and rules; another district's are not there for it.
    let creds = centre.add_station(&a, None).expect("station A");
    let st = Centre::open(&creds.url()).expect("station A logs in");
    let users = centre.district(a).load_users().expect("users of A");
    assert_eq!(st.district(a).load_users().expect("own users"), users);
    assert!(st
        .district(b)
        .load_users()
        .expect("B as seen from A")
        .is_empty());
    assert!(st.district(b).load_departments().expect("B").is_empty());
    assert!(st.district(b).load_routing().expect("B").rules().is_empty());
    for (what, r) in [
        (
            "a department in B",
            out(st.district(b).insert_department(&dept("D88", "渗透"))),
        ),
        (
            "a user in B",
            out(st.district(b).insert_user(
                &user("mole", &[Role::Admin], None),
                "$x",
                "2026-12-07 09:00:00",
            )),
        ),
        (
            "a rule in B",
            out(st
                .district(b)
                .insert_rule(&rule(None, None, None, "D02"))
                .map(|_| ())),
        ),
        (
            "a password in B",
            out(st.district(b).set_user_password("wang", "$stolen")),
        ),
        (
            "a sign-in in B",
            out(st
                .district(b)
                .log_sign_in(at(11, 0), "wang", Role::Department, None)),
        ),
    ] {
        assert!(r.starts_with("err"), "{what}: {r}");
    }
    // B is as the centre left it.
    let b_users = centre.district(b).load_users().expect("users of B");
    assert_eq!(b_users.len(), 2);
    assert!(b_users.iter().all(|(u, _)| u.login != "mole"));
    assert_eq!(
        b_users
            .iter()
            .find(|(u, _)| u.login == "wang")
            .map(|(_, p)| p.as_str()),
        Some("$argon2id$new")
    );
    // Station A changes its own district.
    st.district(a)
        .set_user_active("wang", false)
        .expect("station A disables its own user");
}
