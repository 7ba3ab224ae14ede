//! The city's filing standards in the centre (`FilingStore`), against a real cluster, side by
//! side with the station's SQLite store: the same calls give the same standard on both.

use crate::common;

use griddesk_caseloop::filing::store::FilingStore;
use griddesk_caseloop::filing::{FilingCondition, FilingStandard};
use griddesk_core::codetable::CodeTables;
use griddesk_core::ErrorKind;
use griddesk_store::ModelSink;
use griddesk_store_postgres::Centre;

fn tables() -> CodeTables {
    CodeTables::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/codes"),
    )
    .expect("the shipped code tables")
}

fn conditions(s: &FilingStandard) -> Vec<FilingCondition> {
    s.conditions().cloned().collect()
}

#[test]
fn the_filing_standard_is_the_citys_and_matches_the_stations_store() {
    let cluster = common::cluster();
    let url = cluster.fresh_database("t_filing", true);
    let mut centre = Centre::init(&url).expect("init");
    let station = griddesk_store_sqlite::Store::in_memory().expect("a station store");
    let local = station.db();

    assert_eq!(centre.condition_count().expect("count"), 0);
    assert_eq!(
        centre.load_standard().expect("empty").conditions().count(),
        0
    );

    let default = FilingStandard::default_for(&tables()).expect("the shipped standard");
    let all = conditions(&default);
    assert!(all.len() > 100);
    centre
        .replace_conditions(&all)
        .expect("the default standard");
    local
        .replace_conditions(&all)
        .expect("the same at the station");
    assert_eq!(centre.condition_count().expect("count"), all.len() as i64);
    let loaded = conditions(&centre.load_standard().expect("load"));
    assert_eq!(loaded, all, "read back as written, limits in order");
    assert_eq!(loaded, conditions(&local.load_standard().expect("station")));

    // One class replaced: a condition dropped, one changed; every other class stays.
    let class = (all[0].kind, all[0].class_code.clone());
    let mut mine: Vec<FilingCondition> = all
        .iter()
        .filter(|c| (c.kind, c.class_code.clone()) == class)
        .cloned()
        .collect();
    assert!(!mine.is_empty());
    mine[0].filing = format!("{}（本市）", mine[0].filing);
    mine[0].is_default = false;
    mine[0].limits[0].limit.amount *= 2.0;
    let dropped = if mine.len() > 1 { mine.pop() } else { None };
    centre.replace_conditions(&mine).expect("one class");
    local
        .replace_conditions(&mine)
        .expect("one class at the station");
    let after = conditions(&centre.load_standard().expect("load"));
    assert_eq!(after, conditions(&local.load_standard().expect("station")));
    assert_eq!(after.len(), all.len() - usize::from(dropped.is_some()));
    assert!(after.contains(&mine[0]));
    if let Some(d) = &dropped {
        assert!(!after.contains(d));
    }
    let others = |v: &[FilingCondition]| -> Vec<FilingCondition> {
        v.iter()
            .filter(|c| (c.kind, c.class_code.clone()) != class)
            .cloned()
            .collect()
    };
    assert_eq!(others(&after), others(&all));

    // A bad condition, or one twice: refused, and nothing of the batch is kept.
    let mut bad = mine.clone();
    bad[0].class_code = "12".into();
    let e = centre
        .replace_conditions(&bad)
        .expect_err("a 2-digit class");
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    let mut twice = mine.clone();
    twice.push(mine[0].clone());
    let e = centre.replace_conditions(&twice).expect_err("twice");
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(e.to_string().contains(&mine[0].class_code), "{e}");
    assert_eq!(conditions(&centre.load_standard().expect("load")), after);

    // Every station reads it; none may change it.
    let d = griddesk_sample::generate(&griddesk_sample::SampleParams::benchmark(40, 50))
        .expect("a small district");
    griddesk_store::ModelStore::write_model(&mut centre, &mut |w: &dyn ModelSink| {
        w.put_district(&d.district)
    })
    .expect("a district");
    let creds = centre.add_station(&d.district.code, None).expect("station");
    let st = Centre::open(&creds.url()).expect("the station logs in");
    assert_eq!(
        conditions(&st.load_standard().expect("the station reads")),
        after
    );
    let e = st
        .replace_conditions(&mine)
        .expect_err("a station may not change the city's standard");
    assert!(e.to_string().contains("permission denied"), "{e}");
    assert_eq!(conditions(&centre.load_standard().expect("load")), after);
}
