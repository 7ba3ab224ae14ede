//! Criterion benchmarks of grid planning (fixed seeds):
//! * `guard`: validating one edit (a split, a vertex move) against the 50 000-grid district, and
//!   a whole dry run (building the split's change-set, then validating it);
//! * `district`: the whole-district topology check of 50 000 grids (the GEOS comparison is
//!   `benches/topology_peer.py` at the repository root);
//! * `apply`: an edit and its undo (two transactions, the in-memory index patched twice) against
//!   a full reload of the store, on the 50 000-grid / 1 000 000-case district and on the
//!   1 500-grid sample.
//!
//! `cargo bench -p griddesk --bench planning`.

use criterion::{criterion_group, criterion_main, Criterion};
use geo::Centroid;
use griddesk::planning::{build_change, check_district, guard, Edit, EditMeta, PlanSettings};
use griddesk::sample::{generate, SampleParams};
use griddesk::store::Store;
use griddesk::Engine;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn store_of(p: &SampleParams, path: &Path) -> Engine {
    let d = generate(p).expect("generate");
    let tables = d.tables.clone();
    let mut store = Store::create(path).expect("store");
    d.write_to_store(&mut store, &tables).expect("write");
    drop(store);
    Engine::open(path).expect("open")
}

/// A split of a grid in the middle of the district through its centre, and a move of one of
/// its vertices by half a metre toward the centre, both accepted by the guard.
fn edits(e: &Engine) -> (Edit, Edit) {
    let l = e.loaded();
    let idx = &l.index;
    let s = PlanSettings::default();
    for g in idx
        .grids
        .iter()
        .skip(idx.grids.len() / 2)
        .filter(|g| g.is_active())
    {
        let c = g.polygon.centroid().expect("centroid");
        let split = Edit::Split {
            grid: g.code,
            line: vec![
                [c.x() - 0.003, c.y() - 0.0002],
                [c.x() + 0.003, c.y() + 0.0002],
            ],
        };
        if !e.plan_preview(&split).is_ok_and(|p| p.report.is_ok()) {
            continue;
        }
        for v in &g.polygon.exterior().0 {
            let mv = Edit::MoveVertex {
                from: [v.x, v.y],
                to: [v.x + (c.x() - v.x) * 0.01, v.y + (c.y() - v.y) * 0.01],
            };
            if build_change(idx, &mv, &s).is_ok_and(|cs| guard::check(idx, &cs, &s).is_ok()) {
                return (split, mv);
            }
        }
    }
    panic!("no grid to edit")
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = store_of(
        &SampleParams::benchmark(50_000, 1_000_000),
        &dir.path().join("big.sqlite"),
    );
    let s = PlanSettings::default();
    let (split, mv) = edits(&big);
    {
        let l = big.loaded();
        let idx = &l.index;
        let cs_split = build_change(idx, &split, &s).expect("split");
        let cs_move = build_change(idx, &mv, &s).expect("move");
        let mut g = c.benchmark_group("guard");
        g.sample_size(50).measurement_time(Duration::from_secs(5));
        g.bench_function("validate_split_50k_grids", |b| {
            b.iter(|| black_box(guard::check(idx, &cs_split, &s)))
        });
        g.bench_function("validate_vertex_move_50k_grids", |b| {
            b.iter(|| black_box(guard::check(idx, &cs_move, &s)))
        });
        g.bench_function("dry_run_split_50k_grids", |b| {
            b.iter(|| {
                let cs = build_change(idx, &split, &s).expect("split");
                black_box(guard::check(idx, &cs, &s))
            })
        });
        g.finish();

        let mut g = c.benchmark_group("district");
        g.sample_size(10).measurement_time(Duration::from_secs(15));
        g.bench_function("check_50k_grids", |b| {
            b.iter(|| black_box(check_district(idx, &s)))
        });
        g.finish();
    }

    let meta = EditMeta::by("bench");
    let mut g = c.benchmark_group("apply");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("edit_and_undo_50k_grids_1m_cases", |b| {
        b.iter(|| {
            big.plan_apply(&big.local_admin("bench"), &mv, &meta)
                .expect("apply");
            big.plan_undo(&big.local_admin("bench"), &meta)
                .expect("undo");
        })
    });
    g.bench_function("reload_50k_grids_1m_cases", |b| {
        b.iter(|| big.reload().expect("reload"))
    });
    drop(big);
    let sample = store_of(&SampleParams::huangyan(), &dir.path().join("sample.sqlite"));
    let (_, mv) = edits(&sample);
    g.bench_function("edit_and_undo_sample_1500_grids", |b| {
        b.iter(|| {
            sample
                .plan_apply(&sample.local_admin("bench"), &mv, &meta)
                .expect("apply");
            sample
                .plan_undo(&sample.local_admin("bench"), &meta)
                .expect("undo");
        })
    });
    g.bench_function("reload_sample_1500_grids", |b| {
        b.iter(|| sample.reload().expect("reload"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
