//! Criterion benchmark of a real district's first day (issue 20; goal: a district of 40
//! communities set up through the proposal in < 10 s of engine time):
//! * `setup/propose_40`: unit grids proposed for all 40 communities of the sample's streets at
//!   once (the review step; nothing written);
//! * `setup/whole_40`: the whole engine path from nothing — the store created for 黄岩区 from the
//!   bundled county outlines with its first administrator, 8 streets and 40 communities
//!   imported, grids proposed for every community and accepted as one edit.
//!
//! `cargo bench -p griddesk --bench setup`.

use criterion::{criterion_group, criterion_main, Criterion};
use griddesk::io::{Dataset, ImportOptions};
use griddesk::planning::history::EditMeta;
use griddesk::planning::propose::ProposalOptions;
use griddesk::setup::{NewDistrict, OutlineSource};
use griddesk::users::{NewUser, Role, Session};
use griddesk::Engine;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn resources() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../resources")
}

/// A new district's store with the sample's streets and communities, no grids.
fn district(path: &Path) -> (Engine, Session) {
    let nd = NewDistrict {
        code: "331003".into(),
        outline: OutlineSource::Bundled,
        admin: NewUser {
            login: "chief".into(),
            name: "主任".into(),
            password: "first-day-2026".into(),
            roles: vec![Role::Admin],
            department: None,
        },
    };
    let (e, s) = Engine::create_district(path, &resources(), &nd).expect("create");
    let dir = resources().join("sample");
    for (ds, f) in [
        (Dataset::Streets, "streets.geojson"),
        (Dataset::Communities, "communities.geojson"),
    ] {
        e.import(&s, &dir.join(f), ds, ImportOptions::default())
            .expect("import");
    }
    (e, s)
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (e, _) = district(&dir.path().join("base.sqlite"));
    let opts = ProposalOptions::default();
    let mut g = c.benchmark_group("setup");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("propose_40", |b| {
        b.iter(|| {
            let p = e.propose_district(None, &opts).expect("propose");
            assert_eq!(p.communities.len(), 40);
            black_box(p.grids)
        })
    });
    let mut n = 0;
    g.bench_function("whole_40", |b| {
        b.iter(|| {
            n += 1;
            let path = dir.path().join(format!("d{n}.sqlite"));
            let (e, s) = district(&path);
            let p = e.propose_district(None, &opts).expect("propose");
            let a = e
                .accept_district_proposal(&s, p.token, &EditMeta::default())
                .expect("accept");
            black_box(a.edit.effect.created.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
