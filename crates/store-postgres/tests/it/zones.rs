//! A district's responsibility zones in the centre (`ZoneStore`), the same calls on a station's
//! SQLite store holding the same district: the sample's units, people, layers, zones and road
//! lines, then every write and read of the trait, refusals included, give the same answers and
//! leave the same tables; and a district's view that never reads or changes another
//! district's zones.

use crate::common;

use griddesk_core::code::{DistrictCode, GridCode};
use griddesk_sample::{generate, SampleParams};
use griddesk_store::{ModelSink, ModelStore};
use griddesk_store_postgres::Centre;
use griddesk_zones::zones::model::{
    LayerKind, Network, OrgUnit, Person, RoadClass, RoadLine, Role, UnitKind, ZoneLayer, DUTY_LAYER,
};
use griddesk_zones::zones::store::{OnConflict, ZoneStore};

fn unit(code: &str, parent: Option<&str>) -> OrgUnit {
    OrgUnit {
        code: code.into(),
        name: format!("单位 {code}"),
        kind: UnitKind::Squadron,
        parent: parent.map(Into::into),
        phone: Some(" ".into()),
    }
}

fn person(id: &str, unit: Option<&str>) -> Person {
    Person {
        id: id.into(),
        name: format!("人员 {id}"),
        role: Role::SectorChief,
        phone: Some("13800000000".into()),
        unit: unit.map(Into::into),
    }
}

fn layer(code: &str, kind: LayerKind, network: Network, order: i64) -> ZoneLayer {
    ZoneLayer {
        code: code.into(),
        name: format!("图层 {code}"),
        kind,
        network,
        order,
    }
}

fn road(code: &str, chief: Option<&str>, x: f64) -> RoadLine {
    RoadLine {
        code: code.into(),
        name: format!("道路 {code}"),
        class: RoadClass::Road,
        line: geo_types::LineString::from(vec![(x, 28.65), (x + 0.001, 28.651)]),
        length_m: 150.25,
        chief: chief.map(Into::into),
        unit: None,
    }
}

/// Every call of the trait, refusals included, each answer noted (an error by its kind and
/// text).
fn script(z: &dyn ZoneStore, grids: &[GridCode], duty: &str) -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! note {
        ($what:expr, $e:expr) => {
            out.push(match $e {
                Ok(v) => format!("{}: {:?}", $what, v),
                Err(e) => format!("{}: error {:?} {}", $what, e.kind(), e),
            })
        };
    }
    let (g0, g1, g2) = (grids[0], grids[1], grids[2]);
    // (A refused assignment names the taken grid first: outside a transaction the station's
    // store keeps the grids it added before the refusal, where each write of a district's
    // view is a transaction of its own and keeps none.)
    note!("unit", z.put_unit(&unit("U1", None)));
    note!("unit child", z.put_unit(&unit("U2", Some("U1"))));
    note!("unit own parent", z.put_unit(&unit("U3", Some("U3"))));
    note!("unit unknown parent", z.put_unit(&unit("U4", Some("NOPE"))));
    note!("unit again", z.put_unit(&unit("U1", None)));
    note!("person", z.put_person(&person("P1", Some("U1"))));
    note!("person 2", z.put_person(&person("P2", None)));
    note!(
        "person unknown unit",
        z.put_person(&person("P3", Some("NOPE")))
    );
    note!(
        "layer",
        z.put_layer(&layer("pq", LayerKind::Sector, Network::Management, 3))
    );
    note!(
        "layer 2",
        z.put_layer(&layer(
            "zf",
            LayerKind::Enforcement,
            Network::Enforcement,
            1
        ))
    );
    note!(
        "duty kind",
        z.put_layer(&layer("x", LayerKind::Duty, Network::Management, 0))
    );
    note!(
        "duty network",
        z.put_layer(&layer(DUTY_LAYER, LayerKind::Duty, Network::Enforcement, 0))
    );
    note!("layer exists", z.layer_exists("pq"));
    note!("layer missing", z.layer_exists("nope"));
    note!(
        "zone",
        z.put_zone(
            "pq",
            " A1 ",
            "片区一",
            Some("U1"),
            &["P1".into(), "P2".into()]
        )
    );
    note!("zone 2", z.put_zone("pq", "A2", "片区二", None, &[]));
    note!("zone no layer", z.put_zone("nope", "A3", "x", None, &[]));
    note!("zone no code", z.put_zone("pq", "  ", "x", None, &[]));
    note!(
        "zone twice",
        z.put_zone("pq", "A3", "x", None, &["P1".into(), "P1".into()])
    );
    note!(
        "zone unknown person",
        z.put_zone("pq", "A3", "x", None, &["NOPE".into()])
    );
    note!(
        "zone unknown unit",
        z.put_zone("pq", "A4", "x", Some("NOPE"), &[])
    );
    note!("zone exists", z.zone_exists("pq", "A1"));
    note!("zone missing", z.zone_exists("pq", "A9"));
    note!("duty exists", z.zone_exists(DUTY_LAYER, duty));
    note!(
        "assign",
        z.assign("pq", "A1", &[g0, g1], OnConflict::Refuse)
    );
    note!(
        "assign again",
        z.assign("pq", "A1", &[g1], OnConflict::Refuse)
    );
    note!(
        "assign refused",
        z.assign("pq", "A2", &[g1, g2], OnConflict::Refuse)
    );
    note!(
        "assign moved",
        z.assign("pq", "A2", &[g2, g1], OnConflict::Move)
    );
    note!(
        "assign no zone",
        z.assign("pq", "A9", &[g0], OnConflict::Move)
    );
    note!("zone of", z.zone_of("pq", &g1));
    note!("zone of none", z.zone_of("zf", &g1));
    note!("duty of", z.zone_of(DUTY_LAYER, &g0));
    note!("remove", z.remove_member("pq", &g0));
    note!("remove again", z.remove_member("pq", &g0));
    note!("unassign", z.unassign("pq", &[g1, g2, g0]));
    note!("unassign no layer", z.unassign("nope", &[g1]));
    note!(
        "assign back",
        z.assign("pq", "A1", &[g0, g2], OnConflict::Refuse)
    );
    note!("road", z.put_road(&road("R1", Some("P1"), 121.26)));
    note!("road again", z.put_road(&road("R1", Some("P2"), 121.27)));
    note!(
        "road unknown chief",
        z.put_road(&road("R2", Some("NOPE"), 121.2))
    );
    note!("delete road missing", z.delete_road("R9"));
    note!("link duty", z.link_duty(duty, Some("U2"), &["P2".into()]));
    note!("link duty missing", z.link_duty("NOPE", None, &[]));
    note!(
        "rename the inspector",
        z.put_person(&Person {
            name: "新名字".into(),
            ..person("P2", None)
        })
    );
    note!("delete person responsible", z.delete_person("P1"));
    note!("delete unit referred to", z.delete_unit("U1"));
    note!("delete unit missing", z.delete_unit("U9"));
    note!("delete layer duty", z.delete_layer(DUTY_LAYER));
    note!("delete zone", z.delete_zone("pq", "A2"));
    note!("delete zone missing", z.delete_zone("pq", "A2"));
    note!("delete layer", z.delete_layer("zf"));
    note!("delete layer missing", z.delete_layer("zf"));
    note!("delete road", z.delete_road("R1"));
    note!("delete person missing", z.delete_person("NOPE"));
    note!("load", z.load());
    out
}

#[test]
fn the_zones_read_and_write_as_at_the_station() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_zones", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(80, 40)).expect("a district");
    let dc = d.district.code;
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    common::write_district(&mut station, &d);
    common::write_district(&mut centre, &d);

    // The sample's zones, written at once: in a transaction on both sides.
    station
        .transaction(|tx| tx.write_sample(&d.zones))
        .expect("station");
    centre
        .transaction(|tx| tx.district(dc).write_sample(&d.zones))
        .expect("centre");
    let view = centre.district(dc);
    let loaded = view.load().expect("centre");
    assert_eq!(loaded, station.db().load().expect("station"));
    assert!(loaded
        .zones
        .iter()
        .any(|z| z.layer != DUTY_LAYER && !z.grids.is_empty()));
    assert!(loaded
        .zones
        .iter()
        .any(|z| z.layer == DUTY_LAYER && !z.grids.is_empty()));
    assert!(!loaded.roads.is_empty() && !loaded.people.is_empty());

    // Every call, outside a transaction (each write on its own, as at the station).
    // Grids of the two new layers the script makes (the sample's zones are in others).
    let grids: Vec<GridCode> = d.grids.iter().map(|g| g.code).take(3).collect();
    let duty = d.duty_grids[0].code.clone();
    let l = script(&station.db(), &grids, &duty);
    let r = script(&view, &grids, &duty);
    for (a, b) in l.iter().zip(&r) {
        assert_eq!(b, a);
    }
    assert_eq!(r.len(), l.len());
    assert!(
        r.iter()
            .any(|x| x.starts_with("assign refused: error Conflict")),
        "{r:#?}"
    );
    assert!(
        r.iter()
            .any(|x| x.starts_with("unit unknown parent: error InvalidInput")),
        "{r:#?}"
    );

    // Inside one transaction.
    let more = |z: &dyn ZoneStore| -> griddesk_core::Result<String> {
        z.put_layer(&layer("zd", LayerKind::Squadron, Network::Enforcement, 2))?;
        z.put_zone("zd", "Z1", "中队一", Some("U2"), &["P2".into()])?;
        let a = z.assign("zd", "Z1", &grids, OnConflict::Refuse)?;
        let n = z.unassign("zd", &grids[..1])?;
        Ok(format!("{a:?} {n} {:?}", z.load()?))
    };
    let l = station.transaction(|tx| more(tx)).expect("station");
    let r = centre
        .transaction(|tx| more(&tx.district(dc)))
        .expect("centre");
    assert_eq!(r, l);
    assert_eq!(
        view.load().expect("centre"),
        station.db().load().expect("station")
    );
}

#[test]
fn a_district_view_never_reads_or_changes_another_districts_zones() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_zones_districts", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(60, 40)).expect("a district");
    let (a, b) = (
        d.district.code,
        DistrictCode::parse("331004").expect("a district code"),
    );
    common::write_district(&mut centre, &d);
    let mut other = d.district.clone();
    other.code = b;
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&other))
        .expect("district B");
    let (va, vb) = (centre.district(a), centre.district(b));
    va.write_sample(&d.zones).expect("A's zones");
    let a_zones = va.load().expect("A's");
    // B holds units, people and layers under the same codes as A's.
    vb.write_sample(&griddesk_zones::zones::model::SampleZones {
        units: d.zones.units.clone(),
        people: d.zones.people.clone(),
        layers: d.zones.layers.clone(),
        zones: vec![],
        roads: vec![],
    })
    .expect("B's units, people and layers");
    let b_zones = vb.load().expect("B's");
    assert!(b_zones.zones.is_empty() && b_zones.roads.is_empty());
    assert_eq!(b_zones.units, a_zones.units);
    assert_eq!(va.load().expect("A's"), a_zones);

    // B's view: none of A's zones, duty grids, roads or memberships.
    let az = a_zones
        .zones
        .iter()
        .find(|z| z.layer != DUTY_LAYER && !z.grids.is_empty())
        .expect("a zone of A with grids");
    let duty = a_zones
        .zones
        .iter()
        .find(|z| z.layer == DUTY_LAYER && !z.grids.is_empty())
        .expect("a duty grid of A");
    assert!(!vb.zone_exists(&az.layer, &az.code).expect("B"));
    assert!(!vb.zone_exists(DUTY_LAYER, &duty.code).expect("B"));
    assert_eq!(vb.zone_of(&az.layer, &az.grids[0]).expect("B"), None);
    assert_eq!(vb.zone_of(DUTY_LAYER, &duty.grids[0]).expect("B"), None);
    // B's writes under A's codes change only B's rows, and those naming A's rows are refused.
    assert!(vb.delete_zone(&az.layer, &az.code).is_err());
    assert!(vb.delete_zone(DUTY_LAYER, &duty.code).is_err());
    assert!(vb
        .assign(&az.layer, &az.code, &az.grids, OnConflict::Move)
        .is_err());
    assert!(vb.link_duty(&duty.code, None, &[]).is_err());
    assert_eq!(
        vb.unassign(&az.layer, &az.grids).expect("nothing of B's"),
        0
    );
    assert_eq!(
        vb.remove_member(DUTY_LAYER, &duty.grids[0])
            .expect("nothing"),
        0
    );
    let road = &a_zones.roads[0];
    assert!(vb.delete_road(&road.code).is_err());
    let p = &a_zones.people[0];
    vb.put_person(&Person {
        name: "B 的人".into(),
        ..p.clone()
    })
    .expect("B's own person of that id");
    vb.delete_layer(&d.zones.layers[0].code)
        .expect("B's own layer");
    // A zone of B may not take a grid of A (the grid is A's).
    vb.put_layer(&layer("pq", LayerKind::Sector, Network::Management, 1))
        .expect("B's layer");
    vb.put_zone("pq", "B1", "B 片区", None, &[])
        .expect("B's zone");
    assert!(vb
        .assign("pq", "B1", &az.grids[..1], OnConflict::Refuse)
        .is_err());
    assert_eq!(va.load().expect("A's"), a_zones, "A is untouched");

    // B's station role, through A's view, finds nothing and changes nothing.
    let creds = centre.add_station(&b, None).expect("station B");
    let st = Centre::open(&creds.url()).expect("station B logs in");
    let theirs = st.district(a);
    let seen = theirs.load().expect("nothing");
    assert!(seen.units.is_empty() && seen.zones.is_empty() && seen.layers.is_empty());
    assert!(theirs.put_unit(&unit("X1", None)).is_err());
    assert!(theirs.delete_zone(&az.layer, &az.code).is_err());
    assert!(theirs
        .assign(&az.layer, &az.code, &az.grids, OnConflict::Move)
        .is_err());
    assert_eq!(
        theirs.unassign(&az.layer, &az.grids).map_err(|e| e.kind()),
        Err(griddesk_core::ErrorKind::NotFound)
    );
    assert_eq!(va.load().expect("A's"), a_zones, "A is untouched");
    // Its own view reads its own.
    assert_eq!(st.district(b).load().expect("B's").units, a_zones.units);
}
