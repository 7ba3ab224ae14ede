//! The centre store against a real PostgreSQL 15 + PostGIS 3 cluster (tests/common): the
//! migrations on a fresh database, the core tables written through the store traits and read
//! back for one district and for the whole city, and the station roles that row-level security
//! keeps to their own district.

use crate::common;

use griddesk_core::code::{ComponentCode, DistrictCode, GridCode};
use griddesk_core::model::{CaseSummary, Snapshot};
use griddesk_core::ErrorKind;
use griddesk_sample::{generate, SampleDistrict, SampleParams};
use griddesk_store::{CaseTexts, ModelSink, ModelStore};
use griddesk_store_postgres::{current_version, Centre, Code};

/// A small sample district (≈ 80 grids), generated once per test binary.
fn sample() -> &'static SampleDistrict {
    static S: std::sync::OnceLock<SampleDistrict> = std::sync::OnceLock::new();
    S.get_or_init(|| generate(&SampleParams::benchmark(80, 400)).expect("the sample generates"))
}

/// The sample moved to another district code (same shapes): a second district of the city.
fn rebadged(to: &str) -> SampleDistrict {
    let mut d = sample().clone();
    let swap = |s: &str| format!("{to}{}", &s[6..]);
    d.district.code = DistrictCode::parse(to).expect("district code");
    d.district.name = format!("第二区 {to}");
    for s in &mut d.streets {
        s.code = griddesk_core::code::StreetCode::parse(&swap(s.code.as_str())).expect("street");
    }
    for c in &mut d.communities {
        c.code =
            griddesk_core::code::CommunityCode::parse(&swap(c.code.as_str())).expect("community");
    }
    let grid = |g: &GridCode| GridCode::parse(&swap(g.as_str())).expect("grid");
    let comp = |k: &ComponentCode| ComponentCode::parse(&swap(k.as_str())).expect("component");
    for g in &mut d.grids {
        g.code = grid(&g.code);
    }
    for dg in &mut d.duty_grids {
        dg.grids = dg.grids.iter().map(grid).collect();
    }
    for k in &mut d.components {
        k.code = comp(&k.code);
        k.grid = k.grid.as_ref().map(grid);
    }
    for c in &mut d.cases {
        c.grid = c.grid.as_ref().map(grid);
        c.component = c.component.as_ref().map(comp);
    }
    d
}

/// Writes a district (code tables included) through the store traits, in one transaction.
fn write(centre: &mut impl ModelStore, d: &SampleDistrict) -> griddesk_core::Result<()> {
    common::write_district_with(centre, d, &|w| w.set_meta("sample", "true"))
}

/// The snapshot `s` holds exactly the district `d` (rows compared in key order).
fn assert_holds(s: &Snapshot, d: &SampleDistrict) {
    assert_eq!(s.district.as_ref(), Some(&d.district));
    assert_eq!(s.streets, d.streets);
    assert_eq!(s.communities, d.communities);
    let mut grids = d.grids.clone();
    grids.sort_by_key(|g| g.code);
    assert_eq!(s.grids.len(), grids.len());
    for (a, b) in s.grids.iter().zip(&grids) {
        assert_eq!(
            a, b,
            "unit grid {} (geometry included) reads back as written",
            b.code
        );
    }
    let mut duty = d.duty_grids.clone();
    duty.sort_by(|a, b| a.code.cmp(&b.code));
    for g in &mut duty {
        g.grids.sort();
    }
    assert_eq!(s.duty_grids, duty);
    let mut comps = d.components.clone();
    comps.sort_by_key(|k| k.code);
    assert_eq!(s.components, comps);
    let mut cases: Vec<CaseSummary> = d.cases.iter().map(CaseSummary::from).collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(s.cases, cases);
    for (got, want) in [
        (&s.code_tables.components, &d.tables.components),
        (&s.code_tables.events, &d.tables.events),
    ] {
        assert_eq!(got, want, "the shared code tables");
    }
}

#[test]
fn the_migrations_apply_to_a_fresh_database_and_again_change_nothing() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_migrate", true);
    let centre = Centre::init(&url).expect("migrations apply to a fresh database");
    assert_eq!(centre.schema_version().expect("version"), current_version());
    drop(centre);
    // Again: nothing to do, nothing fails.
    let centre = Centre::init(&url).expect("a second init is a no-op");
    assert_eq!(centre.schema_version().expect("version"), current_version());
    Centre::open(&url).expect("an up-to-date centre opens");

    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    // Every table but the shared ones carries the district key.
    let shared = [
        "calendar_day",
        "centre_schema",
        "code_class",
        "district",
        "filing_condition",
        "industry_subclass",
        "spatial_ref_sys",
        "time_limit",
    ];
    let tables: Vec<(String, bool)> = admin
        .query(
            "SELECT c.relname::text, EXISTS (SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attname = 'district' AND NOT a.attisdropped)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
            &[],
        )
        .expect("lists tables")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(tables.len() > 50, "the whole station schema: {tables:?}");
    for (t, owned) in &tables {
        assert_eq!(
            *owned,
            !shared.contains(&t.as_str()),
            "table {t}: a district key exactly on the district-owned tables"
        );
    }
    // Every geometry column is EPSG:4326 and has a GiST index.
    let geoms: Vec<(String, String, i32, bool)> = admin
        .query(
            "SELECT g.f_table_name::text, g.f_geometry_column::text, g.srid,
                    EXISTS (SELECT 1 FROM pg_index i
                              JOIN pg_class ic ON ic.oid = i.indexrelid
                              JOIN pg_am am ON am.oid = ic.relam
                              JOIN pg_attribute a ON a.attrelid = i.indrelid
                                                 AND a.attnum = ANY (i.indkey)
                             WHERE i.indrelid = (quote_ident(g.f_table_name))::regclass
                               AND am.amname = 'gist' AND a.attname = g.f_geometry_column)
               FROM geometry_columns g WHERE g.f_table_schema = 'public' ORDER BY 1, 2",
            &[],
        )
        .expect("lists geometry columns")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert!(geoms.len() >= 12, "{geoms:?}");
    for (t, c, srid, gist) in &geoms {
        assert_eq!(*srid, 4326, "{t}.{c} is in EPSG:4326");
        // plan_row keeps snapshots of edited rows: it is looked up by key, not by place.
        assert!(*gist || t == "plan_row", "{t}.{c} has a GiST index");
    }
    // Append-only stays append-only.
    admin
        .batch_execute(
            "INSERT INTO district (code, name, geom) VALUES ('331003', 'x',
                 ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4326));
             INSERT INTO audit_log (district, at, login, action, subject)
                 VALUES ('331003', now(), 'a', 'b', 'c');",
        )
        .expect("an audit row goes in");
    let e = admin
        .execute("DELETE FROM audit_log", &[])
        .expect_err("the audit log refuses deletes");
    assert!(e.to_string().contains("append-only") || format!("{e:?}").contains("append-only"));
    // A table a later migration added is covered like the first ones: policies and grants.
    let secured: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_policies WHERE tablename = 'station_phone_action'",
            &[],
        )
        .expect("counts")
        .get(0);
    assert_eq!(secured, 1, "station_phone_action has its station policy");
    // Every district gets its built-in duty layer.
    let layers: i64 = admin
        .query_one(
            "SELECT count(*) FROM zone_layer WHERE district = '331003' AND code = 'duty'",
            &[],
        )
        .expect("counts")
        .get(0);
    assert_eq!(layers, 1);
}

#[test]
fn a_newer_schema_an_empty_database_and_no_postgis_are_refused_clearly() {
    let cluster = common::cluster();
    let bare = cluster.fresh_database("t_refuse_bare", false);
    let e = Centre::init(&bare).expect_err("no PostGIS");
    assert_eq!(e.code(), Code::PostgisMissing);
    assert!(e.to_string().contains("CREATE EXTENSION postgis"), "{e}");

    let url = cluster.fresh_database("t_refuse", true);
    let e = Centre::open(&url).expect_err("not a centre yet");
    assert_eq!(e.code(), Code::NotACentre, "{e}");
    assert!(e.to_string().contains("griddesk centre init"), "{e}");

    Centre::init(&url).expect("init");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    admin
        .execute(
            "INSERT INTO centre_schema (version, file) VALUES (99, 'from the future')",
            &[],
        )
        .expect("a newer version");
    for e in [
        Centre::init(&url).expect_err("init refuses a newer schema"),
        Centre::open(&url).expect_err("open refuses a newer schema"),
    ] {
        assert_eq!(e.code(), Code::SchemaTooNew);
        assert!(e.to_string().contains("99"), "{e}");
    }

    let e = Centre::connect("postgresql://postgres@127.0.0.1:1/nowhere").expect_err("no server");
    assert_eq!(e.code(), Code::Connect);
    assert!(e.to_string().contains("127.0.0.1:1"), "{e}");
}

#[test]
fn a_district_written_through_the_store_traits_reads_back_whole() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_roundtrip", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = sample();
    write(&mut centre, d).expect("the sample district is written");

    let all = centre.load(None).expect("the city loads");
    assert_eq!(all.len(), 1);
    assert_holds(&all[0], d);
    let one = centre
        .load(Some(&d.district.code))
        .expect("one district loads");
    assert_holds(&one[0], d);
    assert_eq!(
        centre
            .meta(Some(&d.district.code), "sample")
            .expect("meta")
            .as_deref(),
        Some("true"),
        "meta goes to the district of the write"
    );
    assert_eq!(centre.meta(None, "sample").expect("meta"), None);

    // Case texts, through the trait, looked up inside the district.
    let ids: Vec<&str> = d.cases.iter().take(25).map(|c| c.id.as_str()).collect();
    let mut asked = ids.clone();
    asked.push("no-such-case");
    let texts = centre
        .district(d.district.code)
        .case_descriptions(&asked)
        .expect("descriptions");
    assert_eq!(texts.len(), asked.len());
    for (c, t) in d.cases.iter().zip(&texts).take(ids.len()) {
        assert_eq!(t, &c.description, "case {}", c.id);
    }
    assert_eq!(texts.last(), Some(&None));
}

#[test]
fn the_whole_city_holds_every_district_and_the_filter_picks_one() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_city", true);
    let mut centre = Centre::init(&url).expect("init");
    let a = sample();
    let b = rebadged("331004");
    write(&mut centre, &b).expect("district B");
    write(&mut centre, a).expect("district A");

    let city = centre.load(None).expect("the city");
    assert_eq!(city.len(), 2);
    assert_holds(&city[0], a);
    assert_holds(&city[1], &b);
    let codes: Vec<String> = centre
        .districts()
        .expect("districts")
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    assert_eq!(codes, ["331003", "331004"]);

    let only_b = centre.load(Some(&b.district.code)).expect("B alone");
    assert_eq!(only_b.len(), 1);
    assert_holds(&only_b[0], &b);

    let nowhere = DistrictCode::parse("110101").expect("code");
    let e = centre.load(Some(&nowhere)).expect_err("not in the centre");
    assert_eq!(e.code(), Code::UnknownDistrict);
    // The same case number at two stations is two cases.
    let id = a.cases[0].id.as_str();
    for (code, d) in [(a.district.code, a), (b.district.code, &b)] {
        let t = centre
            .district(code)
            .case_descriptions(&[id])
            .expect("description");
        assert_eq!(t[0], d.cases[0].description);
    }
}

#[test]
fn a_failed_write_leaves_nothing_and_names_the_duplicate() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_failed", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = sample();
    let e = centre
        .write_model(&mut |w: &dyn ModelSink| {
            w.put_district(&d.district)?;
            w.insert_street(&d.streets[0])?;
            w.insert_street(&d.streets[0])
        })
        .expect_err("a street twice");
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(e.to_string().contains(d.streets[0].code.as_str()), "{e}");
    assert!(
        centre.districts().expect("districts").is_empty(),
        "rolled back"
    );

    // A grid of a community that is not there: the foreign key refuses it, naming the grid.
    let e = centre
        .write_model(&mut |w: &dyn ModelSink| {
            w.put_district(&d.district)?;
            w.insert_grid(&d.grids[0])
        })
        .expect_err("a grid without its community");
    assert!(e.to_string().contains(d.grids[0].code.as_str()), "{e}");

    // A case outside every district, naming no grid or component: no district to file it in.
    let mut stray = d.cases[0].clone();
    stray.grid = None;
    stray.component = None;
    stray.location = geo_types::Point::new(0.0, 0.0);
    let e = centre
        .write_model(&mut |w: &dyn ModelSink| w.insert_case(&stray))
        .expect_err("a case of no district");
    assert!(e.to_string().contains(&stray.id), "{e}");
    assert!(e.to_string().contains("district"), "{e}");
    assert!(centre.load(None).expect("load").is_empty());
}

/// Connects as a station over TCP with its password, as a station would.
fn station(url: &str) -> Centre {
    Centre::open(url).expect("the station logs in with its credentials")
}

#[test]
fn a_station_role_reads_and_writes_its_own_district_only() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_rls", true);
    let mut centre = Centre::init(&url).expect("init");
    let a = sample();
    let b = rebadged("331004");
    write(&mut centre, a).expect("district A");
    write(&mut centre, &b).expect("district B");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    admin
        .batch_execute(
            "INSERT INTO meta (district, key, value) VALUES (NULL, 'city.name', '台州市');
             INSERT INTO calendar_day (date, kind, note) VALUES ('2026-10-01', 'holiday', '国庆');",
        )
        .expect("shared rows");

    let creds = centre
        .add_station(&a.district.code, None)
        .expect("station A");
    assert_eq!(creds.role, "t_rls_station_331003");
    assert_eq!(creds.port, cluster.port());
    assert_eq!(creds.host, "127.0.0.1");
    assert!(creds.password.len() >= 32);
    let st = station(&creds.url());
    assert_eq!(
        st.station_district().expect("which station"),
        Some(a.district.code)
    );

    // Through the store: the station's city is its own district; the shared rows are there.
    let seen = st.load(None).expect("the station loads what it may see");
    assert_eq!(seen.len(), 1);
    assert_holds(&seen[0], a);
    let e = st
        .load(Some(&b.district.code))
        .expect_err("district B is not there for station A");
    assert_eq!(e.code(), Code::UnknownDistrict);
    assert_eq!(
        st.meta(None, "city.name").expect("city meta").as_deref(),
        Some("台州市")
    );
    assert_eq!(
        st.meta(Some(&a.district.code), "sample")
            .expect("own meta")
            .as_deref(),
        Some("true")
    );
    assert!(st
        .district(b.district.code)
        .case_descriptions(&[b.cases[0].id.as_str()])
        .expect("asks")[0]
        .is_none());

    // Straight SQL, trying every way into district B.
    let mut raw = postgres::Client::connect(&creds.url(), postgres::NoTls).expect("connects");
    let count =
        |c: &mut postgres::Client, sql: &str| -> i64 { c.query_one(sql, &[]).expect(sql).get(0) };
    for t in [
        "district",
        "street",
        "community",
        "grid",
        "component",
        "cases",
        "duty_grid_member",
        "zone_layer",
        "meta",
    ] {
        assert_eq!(
            count(
                &mut raw,
                &format!(
                    "SELECT count(*) FROM {t} WHERE {} = '331004'",
                    if t == "district" { "code" } else { "district" }
                )
            ),
            0,
            "station A sees no {t} row of B"
        );
    }
    assert_eq!(
        count(&mut raw, "SELECT count(*) FROM cases"),
        a.cases.len() as i64
    );
    assert_eq!(
        count(&mut raw, "SELECT count(*) FROM calendar_day"),
        1,
        "shared calendar"
    );
    assert!(
        count(&mut raw, "SELECT count(*) FROM code_class") > 100,
        "shared code tables"
    );
    assert_eq!(count(&mut raw, "SELECT count(*) FROM centre_station"), 1);

    let b_case = b.cases[0].id.as_str();
    let b_comp = b.components[0].code.as_str();
    let n = raw
        .execute(
            "UPDATE cases SET status = 'closed' WHERE district = '331004'",
            &[],
        )
        .expect("an update that finds nothing");
    assert_eq!(n, 0, "B's cases cannot be updated");
    let n = raw
        .execute("DELETE FROM component WHERE district = '331004'", &[])
        .expect("a delete that finds nothing");
    assert_eq!(n, 0, "B's components cannot be deleted");
    let n = raw
        .execute(
            "DELETE FROM cases WHERE id = $1 AND district = '331004'",
            &[&b_case],
        )
        .expect("a delete that finds nothing");
    assert_eq!(n, 0);
    let refused = |r: Result<u64, postgres::Error>, what: &str| {
        let e = r.expect_err(what);
        assert_eq!(
            e.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{what}: {e:?}"
        );
    };
    refused(
        raw.execute(
            "INSERT INTO cases (district, id, kind, class_code, source, reported_at, status, geom)
             VALUES ('331004', 'planted', 'event', '0101', 'patrol', now(), 'reported',
                     ST_SetSRID(ST_MakePoint(121.2, 28.6), 4326))",
            &[],
        ),
        "inserting a case into B",
    );
    refused(
        raw.execute(
            "UPDATE cases SET district = '331004' WHERE id = $1",
            &[&a.cases[0].id],
        ),
        "moving an own case into B",
    );
    refused(
        raw.execute(
            "INSERT INTO meta (district, key, value) VALUES (NULL, 'city.name', 'x')",
            &[],
        ),
        "writing a shared (city) row",
    );
    for sql in [
        "UPDATE meta SET value = 'x' WHERE district IS NULL",
        "DELETE FROM meta WHERE district IS NULL",
    ] {
        assert_eq!(
            raw.execute(sql, &[]).expect(sql),
            0,
            "{sql}: the city's rows stay"
        );
    }
    refused(
        raw.execute("DELETE FROM code_class", &[]),
        "deleting the shared code tables",
    );
    refused(
        raw.execute(
            "INSERT INTO calendar_day (date, kind) VALUES ('2026-10-02', 'holiday')",
            &[],
        ),
        "writing the shared calendar",
    );
    refused(
        raw.execute(
            "INSERT INTO centre_station (role, district) VALUES (current_user, '331004')",
            &[],
        ),
        "making itself B's station",
    );

    // Through the store traits: writing into B is refused; into A it works.
    let mut st = st;
    let mut planted = b.cases[0].clone();
    planted.id = "planted-by-a".into();
    let e = st
        .write_model(&mut |w: &dyn ModelSink| w.insert_case(&planted))
        .expect_err("a case in B's grid");
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    let mut own = a.cases[0].clone();
    own.id = "new-at-a".into();
    st.write_model(&mut |w: &dyn ModelSink| w.insert_case(&own))
        .expect("station A files a case of its own");
    let e = st
        .write_model(&mut |w: &dyn ModelSink| w.put_code_tables(&a.tables))
        .expect_err("the code tables are the city's");
    assert!(e.to_string().contains("permission denied"), "{e}");

    // B is as it was.
    let after = centre.load(Some(&b.district.code)).expect("B");
    assert_holds(&after[0], &b);
    let still: i64 = admin
        .query_one(
            "SELECT count(*) FROM component WHERE district = '331004' AND code = $1",
            &[&b_comp],
        )
        .expect("count")
        .get(0);
    assert_eq!(still, 1);
    let a_cases: i64 = admin
        .query_one("SELECT count(*) FROM cases WHERE district = '331003'", &[])
        .expect("count")
        .get(0);
    assert_eq!(a_cases, a.cases.len() as i64 + 1);

    // A new password replaces the old one; a wrong one is refused.
    let again = centre.add_station(&a.district.code, None).expect("again");
    assert_eq!(again.role, creds.role);
    assert_ne!(again.password, creds.password);
    let e = Centre::open(&creds.url()).expect_err("the old password no longer works");
    assert_eq!(e.code(), Code::Connect);
    assert!(
        !e.to_string().contains(&creds.password),
        "no password in messages: {e}"
    );
    station(&again.url());

    let e = centre
        .add_station(&DistrictCode::parse("110101").expect("code"), None)
        .expect_err("a district not in the centre");
    assert_eq!(e.code(), Code::UnknownDistrict);
}

#[test]
fn the_generation_follows_every_other_writer_and_not_ones_own_commits() {
    use griddesk_store::Generation;
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_generation", true);
    let mut centre = Centre::init(&url).expect("init");
    let a = sample();
    let b = rebadged("331004");
    write(&mut centre, a).expect("district A");
    write(&mut centre, &b).expect("district B");
    let other = Centre::open(&url).expect("a second connection of the centre");
    let sa = station(&centre.add_station(&a.district.code, None).expect("A").url());
    let mut sb = station(&centre.add_station(&b.district.code, None).expect("B").url());
    let gen = |c: &Centre| c.external_generation().expect("generation");

    // Own commits: no change for the writer; every other connection that sees the rows moves.
    let (c0, o0, a0, b0) = (gen(&centre), gen(&other), gen(&sa), gen(&sb));
    let mut case = a.cases[1].clone();
    case.id = "gen-1".into();
    centre
        .write_model(&mut |w: &dyn ModelSink| w.insert_case(&case))
        .expect("a case in A");
    assert_eq!(gen(&centre), c0, "the centre's own commit");
    assert_ne!(gen(&other), o0, "another connection of the centre sees it");
    assert_ne!(gen(&sa), a0, "station A sees a change of its district");
    assert_eq!(gen(&sb), b0, "station B: not its district");

    // A station's commit: the centre and nobody of another district.
    let (c1, a1, b1) = (gen(&centre), gen(&sa), gen(&sb));
    let mut case = b.cases[1].clone();
    case.id = "gen-2".into();
    sb.write_model(&mut |w: &dyn ModelSink| w.insert_case(&case))
        .expect("station B files a case");
    assert_eq!(gen(&sb), b1, "station B's own commit");
    assert_ne!(gen(&centre), c1, "the centre follows station B");
    assert_eq!(gen(&sa), a1, "station A does not see B's change");

    // The city's shared rows concern every station; a rolled-back write changes nothing.
    let (a2, b2) = (gen(&sa), gen(&sb));
    centre
        .write_model(&mut |w: &dyn ModelSink| w.put_code_tables(&a.tables))
        .expect("the code tables again");
    assert_ne!(gen(&sa), a2);
    assert_ne!(gen(&sb), b2);
    let (c3, a3) = (gen(&centre), gen(&sa));
    let o3 = gen(&other);
    let e = other
        .transaction(|tx| -> griddesk_core::Result<()> {
            tx.insert_case(&a.cases[2])?; // a duplicate: the write fails and rolls back
            Ok(())
        })
        .expect_err("a duplicate case");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!((gen(&centre), gen(&sa), gen(&other)), (c3, a3, o3));

    // Inside a transaction, its own writes are not someone else's.
    let mut case = a.cases[3].clone();
    case.id = "gen-3".into();
    centre
        .transaction(|tx| -> griddesk_core::Result<()> {
            let before = tx.external_generation()?;
            tx.insert_case(&case)?;
            assert_eq!(tx.external_generation()?, before);
            Ok(())
        })
        .expect("a write");
    assert_eq!(gen(&centre), c3);
}

#[test]
fn a_city_server_runs_the_centre_under_an_owner_that_is_no_superuser() {
    // docs/centre.md, "Pointing GridDesk at a city's own PostgreSQL server", step by step.
    let cluster = common::cluster();
    let mut su = postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls)
        .expect("the superuser");
    for sql in [
        "DROP DATABASE IF EXISTS t_owned WITH (FORCE)",
        "DROP ROLE IF EXISTS t_owned_station_331003",
        "DROP ROLE IF EXISTS t_owned_station",
        "DROP ROLE IF EXISTS t_owner",
        "DROP ROLE IF EXISTS t_other",
        "CREATE ROLE t_owner LOGIN CREATEROLE PASSWORD 'owner-pass-2026'",
        "CREATE ROLE t_other LOGIN PASSWORD 'other-pass-2026'",
    ] {
        su.batch_execute(sql).expect(sql);
    }
    su.batch_execute("CREATE DATABASE t_owned OWNER t_owner")
        .expect("the database");
    let mut su_db = postgres::Client::connect(&cluster.url("t_owned"), postgres::NoTls)
        .expect("the superuser in the new database");
    su_db
        .batch_execute("CREATE EXTENSION postgis")
        .expect("PostGIS");
    let owner_url = format!(
        "postgresql://t_owner:owner-pass-2026@127.0.0.1:{}/t_owned",
        cluster.port()
    );
    let mut centre = Centre::init(&owner_url).expect("the owner runs the migrations");
    assert_eq!(centre.role().expect("role"), "t_owner");
    let a = sample();
    write(&mut centre, a).expect("the owner writes a district");
    let creds = centre
        .add_station(&a.district.code, None)
        .expect("the owner makes a station role");
    let st = station(&creds.url());
    let seen = st.load(None).expect("the station reads");
    assert_eq!(seen.len(), 1);
    assert_holds(&seen[0], a);
    let mut case = a.cases[0].clone();
    case.id = "by-station".into();
    let mut st = st;
    st.write_model(&mut |w: &dyn ModelSink| w.insert_case(&case))
        .expect("the station writes its district (the generation trigger runs as the owner)");
    // Another login of the same server may not even connect: the database is not PUBLIC's.
    let e = postgres::Client::connect(
        &format!(
            "postgresql://t_other:other-pass-2026@127.0.0.1:{}/t_owned",
            cluster.port()
        ),
        postgres::NoTls,
    )
    .err()
    .expect("a role that is neither the owner nor a station is refused");
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{e:?}"
    );
}

#[test]
fn the_centre_reads_back_what_a_station_store_reads_back() {
    // The same district written through the same trait calls into a station's SQLite store and
    // into the centre: the snapshots they give agree row for row.
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_parity", true);
    let mut centre = Centre::init(&url).expect("init");
    let d = sample();
    let mut station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    write(&mut station, d).expect("the station store");
    write(&mut centre, d).expect("the centre");
    let mut local = station.load().expect("the station's snapshot");
    let mut remote = centre
        .load(Some(&d.district.code))
        .expect("the centre's snapshot")
        .pop()
        .expect("one district");
    for s in [&mut local, &mut remote] {
        s.components.sort_by_key(|k| k.code);
        s.cases.sort_by(|a, b| a.id.cmp(&b.id));
    }
    assert_eq!(remote.district, local.district);
    assert_eq!(remote.streets, local.streets);
    assert_eq!(remote.communities, local.communities);
    assert_eq!(remote.grids, local.grids);
    assert_eq!(remote.duty_grids, local.duty_grids);
    assert_eq!(remote.components, local.components);
    assert_eq!(remote.cases, local.cases);
    assert_eq!(remote.code_tables.components, local.code_tables.components);
    assert_eq!(remote.code_tables.events, local.code_tables.events);
    let ids: Vec<&str> = d.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        centre
            .district(d.district.code)
            .case_descriptions(&ids)
            .expect("centre"),
        station.case_descriptions(&ids).expect("station")
    );
}
