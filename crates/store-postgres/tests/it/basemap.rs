//! A district's basemap records in the centre (`BasemapStore` on the `basemap` and
//! `basemap_place` tables of migration 1), the same calls on a station's SQLite store: the
//! same basemaps back, oldest first, field for field (keys, JSON text, the time); the same
//! place-search answers for every query, in the same order (exact, prefix, layer, length, and
//! every tie); the same refusals; outside and inside a transaction, and a failed transaction
//! keeps nothing. Another district's basemaps under the same ids are rows of their own, and a
//! station's role can neither read nor change another district's basemap rows.

use crate::common;

use griddesk_basemap::basemap::datum::Datum;
use griddesk_basemap::basemap::model::{
    BasemapInfo, PackageFormat, Place, TileFormat, VectorLayer,
};
use griddesk_basemap::basemap::store::BasemapStore;
use griddesk_core::code::DistrictCode;
use griddesk_core::ErrorKind;
use griddesk_sample::{generate, SampleParams};
use griddesk_store::{ModelSink, ModelStore};
use griddesk_store_postgres::Centre;

fn built(id: &str, seconds: u32) -> BasemapInfo {
    BasemapInfo {
        id: id.into(),
        name: "黄岩 街道图 (OSM)".into(),
        format: PackageFormat::Pmtiles,
        tile_format: TileFormat::Mvt,
        datum: Datum::Wgs84,
        min_zoom: 0,
        max_zoom: 15,
        bounds: Some([121.219_999_999_999_99, 28.600_000_420_169_213, 121.3, 28.68]),
        built: true,
        vector_layers: vec![
            VectorLayer {
                id: "roads".into(),
                geometry: Some("line".into()),
            },
            VectorLayer {
                id: "places".into(),
                geometry: None,
            },
        ],
        size_bytes: 1_234_567,
        source_file: "taizhou.osm.pbf".into(),
        attribution: Some("© OpenStreetMap contributors".into()),
        installed_at: format!("2026-05-04 08:00:{seconds:02}"),
        installed_by: "planner01".into(),
    }
}

fn raster(id: &str) -> BasemapInfo {
    BasemapInfo {
        id: id.into(),
        name: "GridDesk sample raster".into(),
        format: PackageFormat::Mbtiles,
        tile_format: TileFormat::Png,
        datum: Datum::Cgcs2000,
        min_zoom: 11,
        max_zoom: 14,
        bounds: None,
        built: false,
        vector_layers: Vec::new(),
        size_bytes: u64::MAX,
        source_file: "raster.mbtiles".into(),
        attribution: None,
        installed_at: "2026-05-04 23:59:59".into(),
        installed_by: "admin".into(),
    }
}

fn place(basemap: &str, name: &str, layer: &str, class: &str, lon: f64, lat: f64) -> Place {
    Place {
        name: name.into(),
        layer: layer.into(),
        class: class.into(),
        lon,
        lat,
        basemap: basemap.into(),
    }
}

/// A built basemap's names: exact, prefix and inner matches, one name in several layers and
/// places, Latin names in mixed case, names with spaces (the key has none).
fn places_one(id: &str) -> Vec<Place> {
    vec![
        place(id, "黄岩区", "places", "district", 121.26, 28.65),
        place(
            id,
            "黄岩",
            "places",
            "city",
            121.261_234_567_890_1,
            28.641_987,
        ),
        place(id, "黄岩公园", "pois", "park", 121.27, 28.64),
        place(id, "劳动北路", "roads", "primary", 121.262, 28.652),
        place(id, "劳动南路", "roads", "secondary", 121.262, 28.632),
        place(id, "Huangyan Road", "roads", "primary", 121.25, 28.6),
        place(id, "huangyan", "places", "town", 121.24, 28.61),
        place(id, "永宁江", "waterways", "river", 121.28, 28.66),
        place(id, "永宁江", "waterways", "river", 121.23, 28.66),
        place(id, "永宁江", "water", "river", 121.25, 28.66),
        place(id, "东 城 街道", "places", "suburb", 121.29, 28.65),
        place(id, "东城路", "roads", "tertiary", 121.29, 28.651),
    ]
}

/// A second built basemap of the same city: the same names at the same places (ties broken by
/// the basemap only), and one of its own.
fn places_two(id: &str) -> Vec<Place> {
    vec![
        place(
            id,
            "黄岩",
            "places",
            "city",
            121.261_234_567_890_1,
            28.641_987,
        ),
        place(id, "劳动北路", "roads", "primary", 121.262, 28.652),
        place(id, "九峰公园", "pois", "park", 121.28, 28.63),
    ]
}

const QUERIES: &[(&str, usize)] = &[
    ("黄岩", 10),
    ("黄岩", 1),
    ("huang yan", 10),
    ("HUANGYAN", 10),
    ("Road huangyan", 10),
    ("路", 10),
    ("路", 2),
    ("路", 0),
    ("路", usize::MAX),
    ("劳动 路", 10),
    ("永宁江", 10),
    ("东城", 10),
    ("街道 东", 10),
    ("公园", 10),
    ("", 10),
    ("   ", 10),
    ("无此地", 10),
];

/// Every read of the trait, as one comparable text.
fn reads(s: &dyn BasemapStore) -> griddesk_core::Result<Vec<String>> {
    let mut out = vec![format!("basemaps: {:?}", s.basemaps()?)];
    for (q, limit) in QUERIES {
        out.push(format!("{q:?} {limit}: {:?}", s.search_places(q, *limit)?));
    }
    Ok(out)
}

#[test]
fn basemap_records_read_and_write_as_at_the_station() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_basemap", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = generate(&SampleParams::benchmark(40, 10)).expect("a district");
    let a = d.district.code;
    let b = DistrictCode::parse("331004").expect("code");
    let mut other = d.district.clone();
    other.code = b;
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&d.district))
        .expect("district A");
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_district(&other))
        .expect("district B");
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    let remote = centre.district(a);

    // Empty on both sides.
    assert_eq!(
        reads(&remote).expect("centre"),
        reads(&station.db()).expect("station")
    );

    // Call for call, outside a transaction.
    let (one, two, three) = (
        built("bm-20260504080015-1", 15),
        raster("bm-20260504080015-2"),
        built("bm-20260504080015-3", 16),
    );
    let (p1, p3) = (places_one(&one.id), places_two(&three.id));
    for (info, places) in [(&one, &p1[..]), (&two, &[][..])] {
        station
            .db()
            .add_basemap(info, places)
            .expect("station adds");
        remote.add_basemap(info, places).expect("centre adds");
    }
    assert_eq!(
        reads(&remote).expect("centre"),
        reads(&station.db()).expect("station")
    );

    // The same id again: refused on both sides, as a storage failure, and nothing changes.
    let again = station.db().add_basemap(&one, &[]).expect_err("station");
    let again_r = remote.add_basemap(&one, &[]).expect_err("centre");
    assert_eq!(again_r.kind(), again.kind(), "{again_r} / {again}");
    assert_eq!(again_r.kind(), ErrorKind::Storage, "{again_r}");

    // Inside a transaction.
    station
        .transaction(|db| db.add_basemap(&three, &p3))
        .expect("station, in a transaction");
    centre
        .transaction(|tx| tx.district(a).add_basemap(&three, &p3))
        .expect("centre, in a transaction");
    let mine = reads(&station.db()).expect("station");
    assert_eq!(reads(&remote).expect("centre"), mine);
    assert_eq!(
        centre
            .transaction(|tx| reads(&tx.district(a)))
            .expect("centre, in a transaction"),
        mine
    );

    // What the comparison covers: the records come back as written, oldest first (the
    // size beyond the column's range kept as its largest value on both sides), and the
    // search's order: exact before prefix, places first, shorter first, then every tie.
    let mut two_back = two.clone();
    two_back.size_bytes = u64::try_from(i64::MAX).expect("fits");
    assert_eq!(
        remote.basemaps().expect("centre"),
        vec![one.clone(), two_back, three.clone()]
    );
    let found: Vec<(String, String, String)> = remote
        .search_places("黄岩", 10)
        .expect("search")
        .into_iter()
        .map(|p| (p.name, p.layer, p.basemap))
        .collect();
    let row = |n: &str, l: &str, b: &BasemapInfo| (n.to_string(), l.to_string(), b.id.clone());
    assert_eq!(
        found,
        vec![
            row("黄岩", "places", &one),
            row("黄岩", "places", &three),
            row("黄岩区", "places", &one),
            row("黄岩公园", "pois", &one),
        ]
    );
    let river: Vec<(String, f64)> = remote
        .search_places("永宁江", 10)
        .expect("search")
        .into_iter()
        .map(|p| (p.layer, p.lon))
        .collect();
    assert_eq!(
        river,
        vec![
            ("water".to_string(), 121.25),
            ("waterways".to_string(), 121.23),
            ("waterways".to_string(), 121.28)
        ]
    );
    let spaced = remote.search_places("街道 东", 10).expect("search");
    assert_eq!(spaced.len(), 1);
    assert_eq!(spaced[0].name, "东 城 街道");

    // Removing: an unknown id is no basemap on either side; a known one goes with its places.
    assert_eq!(
        remote.remove_basemap("bm-nothing").expect("centre"),
        station.db().remove_basemap("bm-nothing").expect("station")
    );
    assert!(!remote.remove_basemap("bm-nothing").expect("centre"));
    assert!(station.db().remove_basemap(&one.id).expect("station"));
    assert!(remote.remove_basemap(&one.id).expect("centre"));
    assert!(!remote.remove_basemap(&one.id).expect("gone"));
    let mine = reads(&station.db()).expect("station");
    assert_eq!(reads(&remote).expect("centre"), mine);
    assert!(remote
        .search_places("永宁江", 10)
        .expect("search")
        .is_empty());
    assert_eq!(remote.search_places("黄岩", 10).expect("search").len(), 1);

    // Added back (its places too) inside a transaction, and removed again inside one.
    station
        .transaction(|db| db.add_basemap(&one, &p1))
        .expect("station");
    centre
        .transaction(|tx| tx.district(a).add_basemap(&one, &p1))
        .expect("centre");
    assert_eq!(
        reads(&remote).expect("centre"),
        reads(&station.db()).expect("station")
    );
    assert_eq!(
        centre
            .transaction(|tx| tx.district(a).remove_basemap(&three.id))
            .expect("centre"),
        station
            .transaction(|db| db.remove_basemap(&three.id))
            .expect("station")
    );
    let mine = reads(&station.db()).expect("station");
    assert_eq!(reads(&remote).expect("centre"), mine);

    // A transaction that fails keeps none of its writes.
    let e = centre
        .transaction(|tx| -> griddesk_core::Result<()> {
            tx.district(a).add_basemap(&three, &p3)?;
            tx.district(a).remove_basemap(&one.id)?;
            Err(griddesk_core::Error::Internal("stop".into()))
        })
        .expect_err("rolled back");
    assert!(e.to_string().contains("stop"), "{e}");
    assert_eq!(reads(&remote).expect("A unchanged"), mine);
    // A time the centre cannot read as a date-time is refused before anything is written
    // (the station keeps any text; GridDesk writes `YYYY-MM-DD HH:MM:SS` only).
    let mut garbled = three.clone();
    garbled.installed_at = "yesterday".into();
    assert!(remote.add_basemap(&garbled, &p3).is_err());
    assert_eq!(reads(&remote).expect("A unchanged"), mine);

    // Another district: the same ids are its own rows.
    let remote_b = centre.district(b);
    let mut one_b = one.clone();
    one_b.name = "路桥 街道图".into();
    let p1_b: Vec<Place> = p1
        .iter()
        .map(|p| Place {
            lon: p.lon + 1.0,
            ..p.clone()
        })
        .collect();
    remote_b.add_basemap(&one_b, &p1_b).expect("district B");
    assert_eq!(reads(&remote).expect("A unchanged"), mine);
    let theirs = reads(&remote_b).expect("B");
    assert_ne!(theirs, mine);
    assert_eq!(remote_b.basemaps().expect("B"), vec![one_b.clone()]);

    // District B's station: it sees its own basemaps only and cannot change A's.
    let creds = centre.add_station(&b, None).expect("station B");
    let st = Centre::open(&creds.url()).expect("station B logs in");
    assert!(st.district(a).basemaps().expect("asks").is_empty());
    for (q, limit) in QUERIES {
        assert!(
            st.district(a)
                .search_places(q, *limit)
                .expect("asks")
                .is_empty(),
            "{q}"
        );
    }
    assert_eq!(reads(&st.district(b)).expect("its own"), theirs);
    assert!(!st
        .district(a)
        .remove_basemap(&two.id)
        .expect("finds nothing"));
    let e = st
        .district(a)
        .add_basemap(&three, &p3)
        .expect_err("a basemap into district A");
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    assert!(e.to_string().contains("row-level security"), "{e}");
    let mut raw = postgres::Client::connect(&creds.url(), postgres::NoTls).expect("connects");
    for (sql, n) in [
        ("SELECT count(*) FROM basemap", 1),
        (
            "SELECT count(*) FROM basemap_place",
            i64::try_from(p1_b.len()).expect("a count"),
        ),
    ] {
        let rows: i64 = raw.query_one(sql, &[]).expect(sql).get(0);
        assert_eq!(rows, n, "{sql}: B's rows only");
    }
    for sql in [
        "UPDATE basemap SET name = 'x' WHERE district = '331003'",
        "UPDATE basemap_place SET name = 'x' WHERE district = '331003'",
        "DELETE FROM basemap_place WHERE district = '331003'",
        "DELETE FROM basemap WHERE district = '331003'",
    ] {
        assert_eq!(raw.execute(sql, &[]).expect(sql), 0, "{sql}: finds nothing");
    }
    for sql in [
        "UPDATE basemap_place SET district = '331003' WHERE district = '331004'",
        "INSERT INTO basemap_place (district, basemap, name, key, layer, class, lon, lat)
         VALUES ('331003', 'bm-20260504080015-2', 'x', 'x', 'places', 'city', 0, 0)",
    ] {
        assert!(raw.execute(sql, &[]).is_err(), "{sql}: refused");
    }
    assert_eq!(reads(&remote).expect("A unchanged"), mine);
    assert_eq!(reads(&remote_b).expect("B unchanged"), theirs);
}
