//! Sample district generator: determinism, counts, areas, exact tiling, numbering.

use griddesk::sample::{generate, SampleParams};
use std::time::Instant;

#[test]
#[ignore = "debug dump"]
fn dump_huangyan() {
    let t0 = Instant::now();
    let d = generate(&SampleParams::huangyan()).expect("sample data is valid");
    eprintln!("generated in {:?}", t0.elapsed());
    let mut s = String::from("{\"grids\":[");
    for (i, g) in d.grids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "[\"{}\",\"{}\",[",
            g.code,
            g.land_use.clone().unwrap_or_default()
        ));
        for (k, c) in g.polygon.exterior().0.iter().enumerate() {
            if k > 0 {
                s.push(',');
            }
            s.push_str(&format!("[{},{}]", c.x, c.y));
        }
        s.push_str("]]");
    }
    s.push_str("],\"comms\":[");
    for (i, c) in d.communities.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('[');
        for (pi, p) in c.boundary.0.iter().enumerate() {
            if pi > 0 {
                s.push(',');
            }
            s.push('[');
            for (k, c) in p.exterior().0.iter().enumerate() {
                if k > 0 {
                    s.push(',');
                }
                s.push_str(&format!("[{},{}]", c.x, c.y));
            }
            s.push(']');
        }
        s.push(']');
    }
    s.push_str("],\"streets\":[");
    for (i, c) in d.streets.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('[');
        for (pi, p) in c.boundary.0.iter().enumerate() {
            if pi > 0 {
                s.push(',');
            }
            s.push('[');
            for (k, c) in p.exterior().0.iter().enumerate() {
                if k > 0 {
                    s.push(',');
                }
                s.push_str(&format!("[{},{}]", c.x, c.y));
            }
            s.push(']');
        }
        s.push(']');
    }
    s.push_str("],\"cases\":[");
    for (i, c) in d.cases.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("[{},{}]", c.location.x(), c.location.y()));
    }
    s.push_str("],\"comps\":[");
    for (i, c) in d.components.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("[{},{}]", c.location.x(), c.location.y()));
    }
    s.push_str("]}");
    std::fs::write("/tmp/sample_dump.json", s).expect("sample data is valid");
    let areas: Vec<f64> = d.grids.iter().map(|g| g.area_m2).collect();
    let mut a = areas.clone();
    a.sort_by(f64::total_cmp);
    eprintln!(
        "grids {} comms {} streets {} duty {} comps {} cases {} area min {:.0} med {:.0} max {:.0}",
        d.grids.len(),
        d.communities.len(),
        d.streets.len(),
        d.duty_grids.len(),
        d.components.len(),
        d.cases.len(),
        a[0],
        a[a.len() / 2],
        a[a.len() - 1]
    );
    for s in &d.streets {
        let nc = d
            .communities
            .iter()
            .filter(|c| c.street() == s.code)
            .count();
        eprintln!(
            "{} {} communities {nc} parts {}",
            s.code,
            s.name,
            s.boundary.0.len()
        );
    }
    let mut lu: std::collections::BTreeMap<String, usize> = Default::default();
    for g in &d.grids {
        *lu.entry(g.land_use.clone().unwrap_or_default())
            .or_default() += 1;
    }
    eprintln!("land use {lu:?}");
    let mut st: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in &d.cases {
        *st.entry(c.status.zh()).or_default() += 1;
    }
    eprintln!("status {st:?}");
    let comp = d
        .cases
        .iter()
        .filter(|c| c.kind == griddesk::model::CaseKind::Component)
        .count();
    eprintln!("component cases {comp}");
    let sizes: Vec<usize> = d.duty_grids.iter().map(|g| g.grids.len()).collect();
    eprintln!(
        "duty grid sizes min {} max {} mean {:.1}",
        sizes.iter().min().expect("sample data is valid"),
        sizes.iter().max().expect("sample data is valid"),
        sizes.iter().sum::<usize>() as f64 / sizes.len() as f64
    );
    for p in &d.pois {
        eprint!("{}:{} ", p.kind, p.name);
    }
    eprintln!();
}

use geo::{BooleanOps, Contains, GeodesicArea};
use griddesk::codetable::CodeTables;
use griddesk::model::{CaseKind, CaseSource, Grid};
use griddesk::sample::{sequence_order, SampleDistrict, GRID_AREA_RANGE, ROW_BAND_M};
use griddesk::store::Store;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

fn huangyan() -> &'static SampleDistrict {
    static D: OnceLock<SampleDistrict> = OnceLock::new();
    D.get_or_init(|| {
        let t0 = Instant::now();
        let d = generate(&SampleParams::huangyan()).expect("huangyan sample generates");
        eprintln!("huangyan() generated in {:?}", t0.elapsed());
        d
    })
}

type Key = (u64, u64);
fn key(c: &geo::Coord<f64>) -> Key {
    (c.x.to_bits(), c.y.to_bits())
}

/// Checks that the grids tile their communities exactly; returns a description of the first
/// problem.
fn check_tiling(d: &SampleDistrict) -> Result<(), String> {
    let mut by_comm: BTreeMap<String, Vec<&Grid>> = BTreeMap::new();
    for g in &d.grids {
        by_comm
            .entry(g.code.community().to_string())
            .or_default()
            .push(g);
    }
    let comm_codes: BTreeSet<String> = d.communities.iter().map(|c| c.code.to_string()).collect();
    if by_comm.keys().cloned().collect::<BTreeSet<_>>() != comm_codes {
        return Err("grid prefixes do not match the community codes".into());
    }
    // Every directed edge once; an interior edge appears once in each direction.
    let mut edges: BTreeMap<(Key, Key), usize> = BTreeMap::new();
    for (i, g) in d.grids.iter().enumerate() {
        let cs = &g.polygon.exterior().0;
        if cs.first() != cs.last() || cs.len() < 4 {
            return Err(format!("grid {} ring not closed", g.code));
        }
        for w in cs.windows(2) {
            if edges.insert((key(&w[0]), key(&w[1])), i).is_some() {
                return Err(format!("grid {} repeats a directed edge: overlap", g.code));
            }
        }
    }
    let mut neighbours: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (&(a, b), &i) in &edges {
        if let Some(&j) = edges.get(&(b, a)) {
            neighbours.insert((i.min(j), i.max(j)));
        }
    }
    // Community = union of its grids: same area, same boundary edges.
    for c in &d.communities {
        let gs = &by_comm[c.code.as_str()];
        let sum: f64 = gs.iter().map(|g| g.area_m2).sum();
        let area = c.boundary.geodesic_area_unsigned();
        if (sum - area).abs() > area * 0.0005 {
            return Err(format!(
                "community {}: grids {sum} m² vs boundary {area} m²",
                c.code
            ));
        }
        let mut own: BTreeSet<(Key, Key)> = BTreeSet::new();
        for g in gs {
            for w in g.polygon.exterior().0.windows(2) {
                own.insert((key(&w[0]), key(&w[1])));
            }
        }
        let outer: BTreeSet<(Key, Key)> = own
            .iter()
            .copied()
            .filter(|&(a, b)| !own.contains(&(b, a)))
            .collect();
        let mut bnd: BTreeSet<(Key, Key)> = BTreeSet::new();
        for p in &c.boundary.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in ring.0.windows(2) {
                    bnd.insert((key(&w[0]), key(&w[1])));
                }
            }
        }
        if outer != bnd {
            return Err(format!(
                "community {} boundary is not the union of its grids",
                c.code
            ));
        }
    }
    // Neighbours do not overlap.
    for &(i, j) in &neighbours {
        let (a, b) = (&d.grids[i], &d.grids[j]);
        let inter = a.polygon.intersection(&b.polygon);
        let ia = inter.geodesic_area_unsigned();
        if ia > 0.01 {
            return Err(format!(
                "grids {} and {} overlap by {ia} m²",
                a.code, b.code
            ));
        }
    }
    // Street = union of its communities (area).
    for s in &d.streets {
        let sum: f64 = d
            .communities
            .iter()
            .filter(|c| c.street() == s.code)
            .map(|c| c.boundary.geodesic_area_unsigned())
            .sum();
        let area = s.boundary.geodesic_area_unsigned();
        if (sum - area).abs() > area * 0.0005 {
            return Err(format!(
                "street {}: communities {sum} m² vs boundary {area} m²",
                s.code
            ));
        }
    }
    Ok(())
}

fn check_numbering(d: &SampleDistrict) -> Result<(), String> {
    let mut by_comm: BTreeMap<String, Vec<&Grid>> = BTreeMap::new();
    for g in &d.grids {
        by_comm
            .entry(g.code.community().to_string())
            .or_default()
            .push(g);
    }
    let proj = griddesk::geodesy::LocalProjection::new(121.26, 28.64);
    for (c, mut gs) in by_comm {
        gs.sort_by_key(|g| g.code);
        for (q, g) in gs.iter().enumerate() {
            if g.code.sequence() as usize != q + 1 {
                return Err(format!("community {c}: sequence numbers are not 1..n"));
            }
        }
        let polys: Vec<&geo::Polygon<f64>> = gs.iter().map(|g| &g.polygon).collect();
        let order = sequence_order(&polys);
        if order != (0..gs.len()).collect::<Vec<_>>() {
            return Err(format!(
                "community {c}: numbering differs from the W→E, N→S order"
            ));
        }
        // Independent check: rows go north→south, west→east inside a row.
        use geo::Centroid;
        let cents: Vec<(f64, f64)> = polys
            .iter()
            .map(|p| {
                let c = p.centroid().expect("non-empty polygon");
                proj.forward(c.x(), c.y())
            })
            .collect();
        let top = cents.iter().map(|c| c.1).fold(f64::MIN, f64::max);
        for w in cents.windows(2) {
            let (ra, rb) = (
                ((top - w[0].1) / ROW_BAND_M).floor(),
                ((top - w[1].1) / ROW_BAND_M).floor(),
            );
            if rb < ra || (ra == rb && w[1].0 < w[0].0 - 0.01) {
                return Err(format!("community {c}: grid order is not W→E, N→S"));
            }
        }
    }
    Ok(())
}

#[test]
fn huangyan_counts_names_and_areas() {
    let d = huangyan();
    assert_eq!(d.district.code.as_str(), "331003");
    assert_eq!(d.district.name, "黄岩区");
    assert!(
        (1_450..=1_550).contains(&d.grids.len()),
        "{} grids",
        d.grids.len()
    );
    assert_eq!(d.communities.len(), 40);
    assert!((6..=8).contains(&d.streets.len()));
    assert_eq!(d.components.len(), 20_000);
    assert_eq!(d.cases.len(), 25_000);
    let real = [
        "东城街道",
        "西城街道",
        "南城街道",
        "北城街道",
        "新前街道",
        "澄江街道",
        "江口街道",
        "高桥街道",
    ];
    for s in &d.streets {
        assert!(real.contains(&s.name.as_str()), "{}", s.name);
        assert!(s.sample);
        let n: u32 = s.code.as_str()[6..].parse().expect("sample data is valid");
        assert!(
            (1..=99).contains(&n),
            "street code {} is not a 街道 code",
            s.code
        );
    }
    let poi_names: BTreeSet<&str> = d.pois.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(poi_names.len(), d.pois.len(), "POI names are unique");
    let names: BTreeSet<&str> = d.communities.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names.len(),
        d.communities.len(),
        "community names are unique"
    );
    assert!(d
        .communities
        .iter()
        .all(|c| c.sample && c.name.ends_with("社区")));
    let (lo, hi) = GRID_AREA_RANGE;
    let bad = d
        .grids
        .iter()
        .filter(|g| !(lo..=hi).contains(&g.area_m2))
        .count();
    assert_eq!(bad, 0, "grids outside {lo}–{hi} m²");
    for g in &d.grids {
        assert!(g.sample && g.end_date.is_none());
        assert_eq!(g.start_date.to_string(), "2024-01-01");
        assert!(g.land_use.is_some() && g.level.is_some());
        assert!(
            d.district.boundary.contains(&g.polygon),
            "grid {} outside the district outline",
            g.code
        );
    }
    let land: BTreeSet<&str> = d
        .grids
        .iter()
        .filter_map(|g| g.land_use.as_deref())
        .collect();
    for lu in ["居住", "商业", "水域", "绿地", "道路"] {
        assert!(land.contains(lu), "no {lu} grid");
    }
    // Duty grids: each grid in exactly one, 6–12 grids typical.
    let mut seen = BTreeSet::new();
    for dg in &d.duty_grids {
        assert!(
            !dg.grids.is_empty() && dg.grids.len() <= 14,
            "duty grid {} has {}",
            dg.code,
            dg.grids.len()
        );
        for g in &dg.grids {
            assert!(seen.insert(*g), "grid {g} in two duty grids");
        }
    }
    assert_eq!(seen.len(), d.grids.len());
    let mut areas: Vec<f64> = d.grids.iter().map(|g| g.area_m2).collect();
    areas.sort_by(f64::total_cmp);
    eprintln!(
        "grids {} areas min {:.0} median {:.0} max {:.0}; duty grids {}",
        areas.len(),
        areas[0],
        areas[areas.len() / 2],
        areas[areas.len() - 1],
        d.duty_grids.len()
    );
}

#[test]
fn huangyan_tiles_exactly_and_is_numbered_w_to_e_n_to_s() {
    let d = huangyan();
    check_tiling(d).expect("sample data is valid");
    check_numbering(d).expect("sample data is valid");
}

#[test]
fn generation_is_deterministic() {
    let p = SampleParams {
        seed: 7,
        ..SampleParams::benchmark(400, 3_000)
    };
    let (a, b) = (
        generate(&p).expect("sample data is valid"),
        generate(&p).expect("sample data is valid"),
    );
    assert_eq!(a.grids, b.grids);
    assert_eq!(a.communities, b.communities);
    assert_eq!(a.streets, b.streets);
    assert_eq!(a.duty_grids, b.duty_grids);
    assert_eq!(a.components, b.components);
    assert_eq!(a.cases, b.cases);
    assert_eq!(a.pois, b.pois);
    let c = generate(&SampleParams { seed: 8, ..p }).expect("sample data is valid");
    assert_ne!(
        a.grids, c.grids,
        "a different seed gives a different district"
    );
}

#[test]
fn components_lie_along_roads_inside_their_grid() {
    let d = huangyan();
    let tables = CodeTables::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/codes"),
    )
    .expect("sample data is valid");
    let grids: BTreeMap<_, _> = d.grids.iter().map(|g| (g.code, g)).collect();
    let mut codes = BTreeSet::new();
    let mut per_class: BTreeMap<String, usize> = BTreeMap::new();
    for c in &d.components {
        assert!(codes.insert(c.code), "duplicate {}", c.code);
        assert_eq!(c.code.as_str().len(), 16);
        assert_eq!(&c.code.as_str()[..6], "331003");
        assert_eq!(c.code.class_code(), c.class_code);
        assert!(tables.components.get(c.class_code.as_str()).is_some());
        let g = grids[&c.grid.expect("sample data is valid")];
        assert!(
            g.polygon.contains(&c.location),
            "component {} not strictly inside {}",
            c.code,
            g.code
        );
        *per_class.entry(c.class_code.to_string()).or_default() += 1;
    }
    let n = d.components.len() as f64;
    let covers: usize = per_class
        .iter()
        .filter(|(k, _)| k.as_str() <= "0114")
        .map(|x| x.1)
        .sum();
    assert!(covers as f64 / n > 0.25, "manhole covers are common");
    assert!(
        per_class.get("0118").copied().unwrap_or(0) as f64 / n > 0.05,
        "street lamps are common"
    );
    assert!(
        per_class.get("0601").copied().unwrap_or(0) < 20,
        "major hazards are rare"
    );
    let intact = d
        .components
        .iter()
        .filter(|c| c.state.zh() == "完好")
        .count() as f64
        / n;
    assert!((0.85..0.97).contains(&intact), "{intact}");
}

#[test]
fn cases_have_realistic_structure() {
    let d = huangyan();
    let grids: BTreeMap<_, _> = d.grids.iter().map(|g| (g.code, g)).collect();
    let comps: BTreeMap<_, _> = d.components.iter().map(|c| (c.code, c)).collect();
    let n = d.cases.len() as f64;
    let mut ids = BTreeSet::new();
    let mut src: BTreeMap<CaseSource, usize> = BTreeMap::new();
    let (mut night, mut day, mut comp_cases, mut ponding, mut ponding_wet) = (0, 0, 0, 0, 0);
    for c in &d.cases {
        assert!(ids.insert(c.id.clone()));
        assert!(c.id.len() == 12 && c.id.as_bytes()[4] == b'-', "{}", c.id);
        assert_eq!(&c.id[..4], c.reported_at.format("%Y").to_string());
        let g = grids[&c.grid.expect("sample data is valid")];
        assert!(
            g.polygon.contains(&c.location),
            "case {} not strictly inside {}",
            c.id,
            g.code
        );
        *src.entry(c.source).or_default() += 1;
        use chrono::{Datelike, Timelike};
        let h = c.reported_at.hour();
        if c.source == CaseSource::Patrol {
            if h < 6 {
                night += 1;
            } else if (8..11).contains(&h) {
                day += 1;
            }
        }
        if c.kind == CaseKind::Component {
            comp_cases += 1;
            let comp = comps[&c.component.expect("sample data is valid")];
            assert_eq!(comp.location, c.location);
            assert_eq!(comp.class_code, c.class_code);
        }
        if c.class_code.as_str() == "0406" {
            ponding += 1;
            if (6..=9).contains(&c.reported_at.month()) {
                ponding_wet += 1;
            }
        }
        assert!(c.reported_at.date() >= SampleParams::huangyan().period_start);
        assert!(c.reported_at.date() <= SampleParams::huangyan().period_end);
    }
    let share = |s: CaseSource| src.get(&s).copied().unwrap_or(0) as f64 / n;
    eprintln!(
        "sources: {:?}",
        src.iter().map(|(k, v)| (k.zh(), *v)).collect::<Vec<_>>()
    );
    assert!((0.66..0.74).contains(&share(CaseSource::Patrol)));
    assert!((0.17..0.23).contains(&share(CaseSource::VideoAi)));
    assert!((0.03..0.05).contains(&share(CaseSource::Hotline12345)));
    let cs = comp_cases as f64 / n;
    assert!((0.02..0.05).contains(&cs), "component share {cs}");
    assert!(
        night * 20 < day,
        "patrol cases at night {night} vs morning {day}"
    );
    assert!(
        ponding > 0 && ponding_wet * 10 > ponding * 7,
        "道路积水 {ponding_wet}/{ponding} in Jun–Sep"
    );
    // Old cases mostly closed, recent ones partly open.
    let cut = SampleParams::huangyan().period_end - chrono::Duration::days(60);
    let old: Vec<_> = d
        .cases
        .iter()
        .filter(|c| c.reported_at.date() < cut)
        .collect();
    let closed = old.iter().filter(|c| c.status.is_terminal()).count() as f64 / old.len() as f64;
    assert!(closed > 0.9, "{closed}");
    let recent_open = d
        .cases
        .iter()
        .filter(|c| {
            c.reported_at.date() > SampleParams::huangyan().period_end - chrono::Duration::days(3)
                && !c.status.is_terminal()
        })
        .count();
    assert!(recent_open > 0);
    // Hotspots: the busiest grids hold markets, schools, stations or commercial streets.
    let mut per_grid: BTreeMap<_, usize> = BTreeMap::new();
    for c in &d.cases {
        *per_grid
            .entry(c.grid.expect("sample data is valid"))
            .or_default() += 1;
    }
    let mut top: Vec<_> = per_grid.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let poi_grids: BTreeSet<_> = d.pois.iter().map(|p| p.grid).collect();
    let hits = top
        .iter()
        .take(10)
        .filter(|(g, _)| poi_grids.contains(g))
        .count();
    assert!(
        hits >= 7,
        "only {hits} of the 10 busiest grids are POI grids"
    );
}

#[test]
fn writes_to_store_in_one_transaction() {
    let p = SampleParams {
        seed: 3,
        ..SampleParams::benchmark(200, 500)
    };
    let d = generate(&p).expect("sample data is valid");
    let mut store = Store::in_memory().expect("sample data is valid");
    d.write_to_store(&mut store, &d.tables)
        .expect("sample data is valid");
    let snap = store.load().expect("sample data is valid");
    assert_eq!(snap.grids.len(), d.grids.len());
    assert_eq!(snap.communities.len(), d.communities.len());
    assert_eq!(snap.components.len(), d.components.len());
    assert_eq!(snap.cases.len(), d.cases.len());
    assert_eq!(snap.duty_grids.len(), d.duty_grids.len());
    assert_eq!(snap.code_tables.components.len(), d.tables.components.len());
    // A second write conflicts and leaves the store unchanged.
    assert!(d.write_to_store(&mut store, &d.tables).is_err());
    assert_eq!(
        store.load().expect("sample data is valid").cases.len(),
        d.cases.len()
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "slow in debug builds; run with --release")]
fn benchmark_size_generates() {
    let t0 = Instant::now();
    let d = generate(&SampleParams::benchmark(50_000, 1_000_000)).expect("sample data is valid");
    eprintln!(
        "benchmark(50 000, 1 000 000): {} grids, {} communities, {} streets, {} components, {} cases in {:?}",
        d.grids.len(),
        d.communities.len(),
        d.streets.len(),
        d.components.len(),
        d.cases.len(),
        t0.elapsed()
    );
    assert!(d.grids.len() >= 49_500);
    assert_eq!(d.cases.len(), 1_000_000);
    let (lo, hi) = GRID_AREA_RANGE;
    let ok = d
        .grids
        .iter()
        .filter(|g| (lo..=hi).contains(&g.area_m2))
        .count();
    assert!(ok * 100 >= d.grids.len() * 99);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn small_districts_tile_exactly(seed in 0u64..10_000, grids in 40usize..400, per_comm in 8usize..40, streets in 1usize..4) {
        let communities = (grids / per_comm).max(streets);
        let p = SampleParams { seed, grids, communities, streets, components: 200, cases: 200, ..SampleParams::benchmark(grids, 200) };
        let d = generate(&p).expect("sample data is valid");
        prop_assert!(d.grids.len() + 5 >= grids && d.grids.len() <= grids + 40, "{} grids for {}", d.grids.len(), grids);
        prop_assert_eq!(d.communities.len(), communities);
        if let Err(e) = check_tiling(&d) { prop_assert!(false, "{}", e); }
        if let Err(e) = check_numbering(&d) { prop_assert!(false, "{}", e); }
        let (lo, hi) = GRID_AREA_RANGE;
        let ok = d.grids.iter().filter(|g| (lo..=hi).contains(&g.area_m2)).count();
        prop_assert!(ok * 100 >= d.grids.len() * 99);
    }
}
