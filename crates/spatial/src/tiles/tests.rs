//! Tiles from a small hand-made district, decoded with the independent decoder in `decode.rs`,
//! and a property test that snapping never opens slivers between neighbouring grids.

use super::address::TileAddress;
use super::decode::{area2, decode, Decoded, Feat, Kind};
use super::rings::{Clipper, TilePoint};
use super::*;
use crate::code::{ClassCode, CommunityCode, ComponentCode, DistrictCode, GridCode, StreetCode};
use crate::geodesy::{area_m2, LocalProjection};
use crate::index::SpatialIndex;
use crate::model::Snapshot;
use crate::model::*;
use chrono::NaiveDate;
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use std::collections::{BTreeMap, HashMap};

const LON0: f64 = 121.26;
const LAT0: f64 = 28.64;

fn proj() -> LocalProjection {
    LocalProjection::new(LON0, LAT0)
}

/// A ring from local metres (east, north) around the test centre.
fn ring_m(pts: &[(f64, f64)]) -> LineString<f64> {
    let p = proj();
    let mut v: Vec<Coord<f64>> = pts
        .iter()
        .map(|&(x, y)| {
            let (lon, lat) = p.inverse(x, y);
            Coord { x: lon, y: lat }
        })
        .collect();
    v.push(v[0]);
    LineString(v)
}

fn poly_m(pts: &[(f64, f64)]) -> Polygon<f64> {
    Polygon::new(ring_m(pts), vec![])
}

fn pt_m(x: f64, y: f64) -> Point<f64> {
    let (lon, lat) = proj().inverse(x, y);
    Point::new(lon, lat)
}

fn code<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap_or_else(|e| panic!("{s}: {e:?}"))
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}

fn grid(c: &str, name: &str, p: Polygon<f64>, retired: bool) -> Grid {
    Grid {
        code: code(c),
        name: name.into(),
        area_m2: area_m2(&p),
        polygon: p,
        land_use: None,
        level: None,
        start_date: date(),
        end_date: retired.then(date),
        sample: false,
    }
}

fn case(id: &str, at: Point<f64>, grid: Option<&str>, status: CaseStatus) -> CaseSummary {
    CaseSummary {
        id: id.into(),
        location: at,
        kind: CaseKind::Event,
        class_code: code::<ClassCode>("0102"),
        source: CaseSource::Hotline12345,
        status,
        reported_at: date().and_hms_opt(8, 0, 0).unwrap_or_default(),
        grid: grid.map(code::<GridCode>),
        component: None,
        sample: false,
    }
}

const G1: &str = "331003001001001";
const G2: &str = "331003001002001";
const G3: &str = "331003001001002";

/// Two 110 m grids side by side sharing the bent edge P–M–Q (in metres: P = (110, 0),
/// M = (115, 55), Q = (110, 110)), each in its own community of one street; a retired grid
/// overlapping G1; a district far larger than the grids, with a hole and an exclave.
///
/// Cases: 5 in G1 (2 open), 3 in G2 (all closed), 1 without a grid and 1 in the retired grid.
fn sample() -> SpatialIndex {
    let g1 = poly_m(&[
        (0.0, 0.0),
        (110.0, 0.0),
        (115.0, 55.0),
        (110.0, 110.0),
        (0.0, 110.0),
    ]);
    // Clockwise in lon/lat on purpose: the output must be oriented regardless.
    let g2 = poly_m(&[
        (110.0, 0.0),
        (115.0, 55.0),
        (110.0, 110.0),
        (220.0, 110.0),
        (220.0, 0.0),
    ]);
    let g3 = poly_m(&[(10.0, 10.0), (60.0, 10.0), (60.0, 60.0), (10.0, 60.0)]);
    let ca = MultiPolygon(vec![poly_m(&[
        (0.0, 0.0),
        (110.0, 0.0),
        (115.0, 55.0),
        (110.0, 110.0),
        (0.0, 110.0),
    ])]);
    let cb = MultiPolygon(vec![poly_m(&[
        (110.0, 0.0),
        (220.0, 0.0),
        (220.0, 110.0),
        (110.0, 110.0),
        (115.0, 55.0),
    ])]);
    let street = MultiPolygon(vec![poly_m(&[
        (0.0, 0.0),
        (220.0, 0.0),
        (220.0, 110.0),
        (0.0, 110.0),
    ])]);
    let big = 20_000.0;
    let district = MultiPolygon(vec![
        Polygon::new(
            ring_m(&[(-big, -big), (big, -big), (big, big), (-big, big)]),
            vec![ring_m(&[
                (5_000.0, 5_000.0),
                (6_000.0, 5_000.0),
                (6_000.0, 6_000.0),
                (5_000.0, 6_000.0),
            ])],
        ),
        poly_m(&[
            (3.0 * big, 0.0),
            (4.0 * big, 0.0),
            (4.0 * big, big),
            (3.0 * big, big),
        ]),
    ]);
    let comp = |c: &str, at: Point<f64>, g: &str, state| Component {
        code: code::<ComponentCode>(c),
        class_code: code::<ComponentCode>(c).class_code(),
        owner: None,
        maintainer: None,
        state,
        location: at,
        grid: Some(code(g)),
        sample: false,
    };
    let mut cases = Vec::new();
    for i in 0..5 {
        let st = if i < 2 {
            CaseStatus::Handling
        } else {
            CaseStatus::Closed
        };
        cases.push(case(
            &format!("A{i}"),
            pt_m(20.0 + 15.0 * f64::from(i), 80.0),
            Some(G1),
            st,
        ));
    }
    for i in 0..3 {
        cases.push(case(
            &format!("B{i}"),
            pt_m(150.0 + 10.0 * f64::from(i), 30.0),
            Some(G2),
            CaseStatus::Closed,
        ));
    }
    cases.push(case("X0", pt_m(200.0, 100.0), None, CaseStatus::Reported));
    cases.push(case("X1", pt_m(30.0, 30.0), Some(G3), CaseStatus::Closed));
    SpatialIndex::build(Snapshot {
        district: Some(District {
            code: code::<DistrictCode>("331003"),
            name: "黄岩区".into(),
            boundary: district,
        }),
        streets: vec![Street {
            code: code::<StreetCode>("331003001"),
            name: "东城街道".into(),
            boundary: street,
            sample: false,
        }],
        communities: vec![
            Community {
                code: code::<CommunityCode>("331003001001"),
                name: "甲社区".into(),
                boundary: ca,
                sample: false,
            },
            Community {
                code: code::<CommunityCode>("331003001002"),
                name: "乙社区".into(),
                boundary: cb,
                sample: false,
            },
        ],
        grids: vec![
            grid(G1, "一号网格", g1, false),
            grid(G3, "旧网格", g3, true),
            grid(G2, "二号网格", g2, false),
        ],
        duty_grids: vec![],
        components: vec![
            comp(
                "3310030305000001",
                pt_m(50.0, 50.0),
                G1,
                ComponentState::Damaged,
            ),
            comp(
                "3310030101000002",
                pt_m(170.0, 60.0),
                G2,
                ComponentState::Intact,
            ),
        ],
        cases,
        code_tables: Default::default(),
    })
}

fn tile(idx: &SpatialIndex, t: TileAddress) -> Decoded {
    decode(&encode_tile(idx, t.z, t.x, t.y).unwrap_or_else(|e| panic!("{t:?}: {e}")))
}

/// Every tile at zoom `z` that meets the lon/lat box of the grids and cases.
fn covering(z: u32) -> Vec<TileAddress> {
    let (w, n) = pt_m(-5.0, 115.0).x_y();
    let (e, s) = pt_m(225.0, -5.0).x_y();
    let a = TileAddress::containing(w, n, z);
    let b = TileAddress::containing(e, s, z);
    (a.x..=b.x)
        .flat_map(|x| (a.y..=b.y).map(move |y| TileAddress { z, x, y }))
        .collect()
}

fn features<'a>(d: &'a Decoded, layer: &str) -> &'a [Feat] {
    d.get(layer).map(Vec::as_slice).unwrap_or(&[])
}

fn by_code<'a>(d: &'a Decoded, layer: &str, c: &str) -> Option<&'a Feat> {
    features(d, layer).iter().find(|f| f.get("code").str() == c)
}

fn edges(ring: &[[i32; 2]]) -> Vec<([i32; 2], [i32; 2])> {
    (0..ring.len())
        .map(|i| (ring[i], ring[(i + 1) % ring.len()]))
        .collect()
}

#[test]
fn shared_edge_is_identical_in_both_grids() {
    let idx = sample();
    let (lon, lat) = pt_m(115.0, 55.0).x_y();
    for z in 13..=20 {
        let t = TileAddress::containing(lon, lat, z);
        let d = tile(&idx, t);
        let (Some(a), Some(b)) = (by_code(&d, "grids", G1), by_code(&d, "grids", G2)) else {
            panic!("z{z}: both grids expected, got {:?}", d.keys());
        };
        assert_eq!((a.parts.len(), b.parts.len()), (1, 1));
        let (ra, rb) = (&a.parts[0], &b.parts[0]);
        assert!(
            area2(ra) > 0 && area2(rb) > 0,
            "z{z}: exteriors must have positive area"
        );
        // The snapped P, M, Q must be vertices of both rings, and every edge of A between them
        // must be an edge of B walked the other way.
        let (p, m, q) = [(110.0, 0.0), (115.0, 55.0), (110.0, 110.0)]
            .map(|(x, y)| {
                let (lon, lat) = pt_m(x, y).x_y();
                let s = t.frame().snap(lon, lat);
                [s[0] as i32, s[1] as i32]
            })
            .into();
        let inside = |v: [i32; 2]| v.iter().all(|c| (-64..=4160).contains(c));
        assert!(
            inside(m) && ra.contains(&m) && rb.contains(&m),
            "z{z}: M {m:?} in {ra:?} / {rb:?}"
        );
        let shared_a: Vec<_> = edges(ra)
            .into_iter()
            .filter(|(u, v)| edges(rb).contains(&(*v, *u)))
            .collect();
        let expected = [p, q].iter().filter(|v| inside(**v)).count();
        // Fully inside: P→M and M→Q are shared. Clipped: each half reaches the clip line at a
        // crossing point computed identically on both sides.
        assert_eq!(
            shared_a.len(),
            2,
            "z{z}: shared edges {shared_a:?} of {ra:?} and {rb:?} ({expected} ends inside)"
        );
        for v in [p, q] {
            if inside(v) {
                assert!(ra.contains(&v) && rb.contains(&v), "z{z}: {v:?}");
            }
        }
        // Every vertex lies in the buffered tile.
        assert!(ra.iter().chain(rb).all(|v| inside(*v)));
    }
}

#[test]
fn attributes_follow_the_contract() {
    let idx = sample();
    let (lon, lat) = pt_m(110.0, 55.0).x_y();
    let d = tile(&idx, TileAddress::containing(lon, lat, 15));
    let ca = idx.community_colour[0];
    let cb = idx.community_colour[1];
    assert_ne!(ca, cb, "neighbouring communities get different colours");

    let g1 = by_code(&d, "grids", G1).unwrap_or_else(|| panic!("no G1"));
    assert_eq!(g1.kind, Kind::Polygon);
    assert_eq!(g1.id, Some(331_003_001_001_001));
    assert_eq!(g1.get("seq").str(), "001");
    assert_eq!(g1.get("community").str(), "331003001001");
    assert_eq!(g1.get("area").int(), idx.grids[0].area_m2.round() as i64);
    assert!(
        (12_000..12_400).contains(&g1.get("area").int()),
        "{:?}",
        g1.get("area")
    );
    assert_eq!(g1.get("ci").int(), i64::from(ca));
    assert_eq!(
        by_code(&d, "grids", G2).map(|f| f.get("ci").int()),
        Some(i64::from(cb))
    );
    assert!(
        by_code(&d, "grids", G3).is_none(),
        "retired grids are not drawn"
    );
    assert_eq!(features(&d, "grids").len(), 2);

    let c = by_code(&d, "communities", "331003001002").unwrap_or_else(|| panic!("no community"));
    assert_eq!(
        (c.get("name").str(), c.get("street").str()),
        ("乙社区", "331003001")
    );
    assert_eq!(c.get("ci").int(), i64::from(cb));
    let s = by_code(&d, "streets", "331003001").unwrap_or_else(|| panic!("no street"));
    assert_eq!(s.get("name").str(), "东城街道");
    let di = by_code(&d, "district", "331003").unwrap_or_else(|| panic!("no district"));
    assert_eq!(di.get("name").str(), "黄岩区");

    // Single points start at z16; below it only per-grid case counts.
    assert!(features(&d, "components").is_empty() && features(&d, "cases").is_empty());
    assert!(!features(&d, "case_counts").is_empty());
    let d16 = tile(&idx, TileAddress::containing(lon, lat, 16));
    let k =
        by_code(&d16, "components", "3310030305000001").unwrap_or_else(|| panic!("no component"));
    assert_eq!(k.kind, Kind::Point);
    assert_eq!(
        (
            k.get("class").str(),
            k.get("major").str(),
            k.get("state").str()
        ),
        ("0305", "03", "damaged")
    );
    let cs = features(&d16, "cases");
    let a0 = cs
        .iter()
        .find(|f| f.get("id").str() == "A0")
        .unwrap_or_else(|| panic!("no case A0"));
    assert_eq!(a0.get("status").str(), "handling");
    assert_eq!(a0.get("kind").str(), "event");
    assert_eq!(a0.get("class").str(), "0102");
    assert_eq!(a0.get("source").str(), "hotline_12345");

    let labels = features(&d, "labels");
    let gl = labels
        .iter()
        .find(|f| f.get("code").str() == G2)
        .unwrap_or_else(|| panic!("no G2 label"));
    assert_eq!(
        (
            gl.get("kind").str(),
            gl.get("name").str(),
            gl.get("seq").str()
        ),
        ("grid", "二号网格", "001")
    );
    let sl = labels.iter().find(|f| f.get("kind").str() == "street");
    assert!(sl.is_none_or(|f| f.get("seq").str() == "001"));
}

#[test]
fn zoom_gating_counts_and_labels_over_all_covering_tiles() {
    let idx = sample();
    let open_total = idx.cases.iter().filter(|c| !c.status.is_terminal()).count() as i64;
    for z in 0..=19 {
        let mut layers: BTreeMap<String, usize> = BTreeMap::new();
        let (mut counts, mut open, mut orphans, mut single_cases) = (0i64, 0i64, 0i64, 0usize);
        let mut labels: HashMap<(String, String), usize> = HashMap::new();
        let mut per_grid: HashMap<String, i64> = HashMap::new();
        for t in covering(z) {
            let d = tile(&idx, t);
            for (name, fs) in &d {
                *layers.entry(name.clone()).or_default() += fs.len();
            }
            for f in features(&d, "case_counts") {
                let n = f.get("count").int();
                counts += n;
                open += f.get("open").int();
                let g = f.get("grid").str();
                if g.is_empty() {
                    orphans += n;
                } else {
                    *per_grid.entry(g.to_string()).or_default() += n;
                }
            }
            single_cases += features(&d, "cases").len();
            for f in features(&d, "labels") {
                *labels
                    .entry((
                        f.get("kind").str().to_string(),
                        f.get("code").str().to_string(),
                    ))
                    .or_default() += 1;
            }
        }
        let has = |l: &str| layers.contains_key(l);
        assert_eq!(has("streets"), z >= 9, "z{z} {layers:?}");
        assert_eq!(has("communities"), z >= 11, "z{z} {layers:?}");
        assert_eq!(has("grids"), z >= 13, "z{z} {layers:?}");
        assert_eq!(has("components"), z >= 16, "z{z} {layers:?}");
        assert_eq!(has("cases"), z >= 16, "z{z} {layers:?}");
        assert_eq!(has("case_counts"), z < 16, "z{z} {layers:?}");
        assert_eq!(has("labels"), z >= 9, "z{z} {layers:?}");
        if z < 16 {
            assert_eq!(
                counts,
                idx.cases.len() as i64,
                "z{z}: every case counted exactly once"
            );
            assert_eq!(open, open_total, "z{z}");
            assert_eq!(
                orphans, 2,
                "z{z}: the case without a grid and the one in the retired grid"
            );
            assert_eq!(per_grid.get(G1), Some(&5));
            assert_eq!(per_grid.get(G2), Some(&3));
        } else {
            assert_eq!(
                single_cases,
                idx.cases.len(),
                "z{z}: every case drawn exactly once"
            );
        }
        if z >= 16 {
            assert_eq!(layers.get("components"), Some(&2), "z{z}");
        }
        let mut expected: Vec<(&str, &str)> = vec![];
        if z >= 9 {
            expected.push(("street", "331003001"));
        }
        if z >= 11 {
            expected.extend([("community", "331003001001"), ("community", "331003001002")]);
        }
        if z >= 13 {
            expected.extend([("grid", G1), ("grid", G2)]);
        }
        let mut got: Vec<_> = labels
            .iter()
            .map(|((k, c), n)| (k.as_str(), c.as_str(), *n))
            .collect();
        got.sort();
        let mut want: Vec<_> = expected.iter().map(|&(k, c)| (k, c, 1)).collect();
        want.sort();
        assert_eq!(got, want, "z{z}: each label exactly once");
    }
}

#[test]
fn the_two_parts_hold_exactly_the_whole_tile() {
    let idx = sample();
    let mut labels_seen = 0;
    for z in [9, 11, 13, 15, 16, 18] {
        for t in covering(z) {
            let whole = tile(&idx, t);
            let part = |p| {
                decode(
                    &encode_tile_part(&idx, t.z, t.x, t.y, p)
                        .unwrap_or_else(|e| panic!("{t:?} {p:?}: {e}")),
                )
            };
            let (features, labels) = (part(TilePart::Features), part(TilePart::Labels));
            assert!(
                labels.keys().all(|k| k == "labels"),
                "{t:?}: labels part has {:?}",
                labels.keys()
            );
            assert!(
                !features.contains_key("labels"),
                "{t:?}: features part has labels"
            );
            labels_seen += features_len(&labels);
            let mut joined = features.clone();
            joined.extend(labels);
            assert_eq!(
                format!("{joined:?}"),
                format!("{whole:?}"),
                "{t:?}: the parts together differ from the whole tile"
            );
        }
    }
    assert!(labels_seen > 0, "the fixture must produce some labels");
    assert!(encode_tile_part(&idx, 23, 0, 0, TilePart::Labels).is_err());
}

fn features_len(d: &Decoded) -> usize {
    d.values().map(Vec::len).sum()
}

#[test]
fn district_is_drawn_at_every_zoom_with_its_hole_and_exclave() {
    let idx = sample();
    let (lon, lat) = pt_m(110.0, 55.0).x_y();
    for z in 0..=MAX_ZOOM {
        let d = tile(&idx, TileAddress::containing(lon, lat, z));
        assert_eq!(features(&d, "district").len(), 1, "z{z}");
    }
    // The hole: one exterior (positive) and one hole (negative) ring around it.
    let (lon, lat) = pt_m(5_500.0, 5_500.0).x_y();
    let d = tile(&idx, TileAddress::containing(lon, lat, 12));
    let rings = &features(&d, "district")[0].parts;
    assert_eq!(rings.len(), 2, "{rings:?}");
    assert!(area2(&rings[0]) > 0 && area2(&rings[1]) < 0);
    // The exclave 60 km east shows as a second exterior ring at z6.
    let d = tile(&idx, TileAddress::containing(lon, lat, 6));
    let ext = features(&d, "district")[0]
        .parts
        .iter()
        .filter(|r| area2(r) > 0)
        .count();
    assert_eq!(ext, 2);
    // Far away: empty tile.
    assert!(tile(&idx, TileAddress::containing(-70.0, 40.0, 12)).is_empty());
}

#[test]
fn bad_tiles_are_refused_with_bad_tile() {
    let idx = sample();
    for (z, x, y) in [(23, 0, 0), (3, 8, 0), (3, 0, 8), (0, 0, 1)] {
        let e = encode_tile(&idx, z, x, y)
            .err()
            .unwrap_or_else(|| panic!("{z}/{x}/{y} accepted"));
        assert!(
            matches!(e, crate::Error::BadTile { z: ez, x: ex, y: ey, .. } if (ez, ex, ey) == (z, x, y))
        );
        assert_eq!(e.kind(), crate::ErrorKind::BadTile);
    }
}

// ---- no slivers: property test over jittered tilings --------------------------------------

/// Adds a ring's edges to a chain, split at every vertex of `all` lying inside them, with
/// weight `w` (+1 for a grid, −1 for the outline of the whole tiling).
fn add_chain(
    chain: &mut HashMap<(TilePoint, TilePoint), i32>,
    ring: &[TilePoint],
    all: &[TilePoint],
    w: i32,
) {
    for (a, b) in edges(ring) {
        let (dx, dy) = (i64::from(b[0] - a[0]), i64::from(b[1] - a[1]));
        let len2 = dx * dx + dy * dy;
        let mut cuts: Vec<(i64, TilePoint)> = all
            .iter()
            .filter_map(|&v| {
                let (vx, vy) = (i64::from(v[0] - a[0]), i64::from(v[1] - a[1]));
                let t = vx * dx + vy * dy;
                (vx * dy - vy * dx == 0 && t > 0 && t < len2).then_some((t, v))
            })
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut from = a;
        for to in cuts.into_iter().map(|c| c.1).chain([b]) {
            let (key, sign) = if from < to {
                ((from, to), w)
            } else {
                ((to, from), -w)
            };
            *chain.entry(key).or_default() += sign;
            from = to;
        }
    }
}

/// The pieces of edge where the grids' boundaries do not add up to the outline of the tiling:
/// a sliver (gap) or an overlap shows up here. Empty means watertight.
fn sliver_edges(
    cells: &[Vec<TilePoint>],
    outline: &[Vec<TilePoint>],
) -> Vec<((TilePoint, TilePoint), i32)> {
    let all: Vec<TilePoint> = cells.iter().chain(outline).flatten().copied().collect();
    let mut chain = HashMap::new();
    for c in cells {
        add_chain(&mut chain, c, &all, 1);
    }
    for o in outline {
        add_chain(&mut chain, o, &all, -1);
    }
    chain.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// A jittered `n × n` quad mesh of ~110 m cells in lon/lat: the cells and their outline.
fn mesh(n: usize, jitter: &[(f64, f64)], origin: (f64, f64)) -> (Vec<Polygon<f64>>, Polygon<f64>) {
    let p = LocalProjection::new(origin.0, origin.1);
    let v = |i: usize, j: usize| {
        let (jx, jy) = jitter[(i * 31 + j * 17) % jitter.len()];
        let inner = i > 0 && j > 0 && i < n && j < n;
        let (dx, dy) = if inner {
            (jx, jy)
        } else {
            (jx * 0.5, jy * 0.5)
        };
        let (lon, lat) = p.inverse((i as f64 + dx) * 110.0, (j as f64 + dy) * 110.0);
        Coord { x: lon, y: lat }
    };
    let mut cells = vec![];
    for i in 0..n {
        for j in 0..n {
            let r = vec![v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1), v(i, j)];
            cells.push(Polygon::new(LineString(r), vec![]));
        }
    }
    let mut outline: Vec<Coord<f64>> = (0..n).map(|i| v(i, 0)).collect();
    outline.extend((0..n).map(|j| v(n, j)));
    outline.extend((1..=n).rev().map(|i| v(i, n)));
    outline.extend((1..=n).rev().map(|j| v(0, j)));
    outline.push(v(0, 0));
    (cells, Polygon::new(LineString(outline), vec![]))
}

fn snapped(
    cells: &[Polygon<f64>],
    outline: &Polygon<f64>,
    t: TileAddress,
) -> (Vec<Vec<TilePoint>>, Vec<Vec<TilePoint>>) {
    let f = t.frame();
    let mut c = Clipper::default();
    let cells = cells
        .iter()
        .filter_map(|p| c.polygon(p, &f))
        .flatten()
        .collect();
    let outline = c.polygon(outline, &f).unwrap_or_default();
    (cells, outline)
}

#[test]
fn sliver_check_can_fail() {
    let jitter = [(0.2, -0.1), (-0.25, 0.15), (0.05, 0.3)];
    let (cells, outline) = mesh(4, &jitter, (LON0, LAT0));
    let (lon, lat) = (cells[5].exterior().0[0].x, cells[5].exterior().0[0].y);
    let t = TileAddress::containing(lon, lat, 16);
    let (mut cs, os) = snapped(&cells, &outline, t);
    assert!(sliver_edges(&cs, &os).is_empty());
    // Move one vertex of one grid by one unit: a sliver opens along its two edges.
    cs[5][1][0] += 1;
    assert!(!sliver_edges(&cs, &os).is_empty());
    // Drop one grid: a hole.
    let (mut cs, os) = snapped(&cells, &outline, t);
    cs.remove(3);
    assert!(!sliver_edges(&cs, &os).is_empty());
}

proptest::proptest! {
    #[test]
    fn snapping_never_opens_slivers(
        n in 2usize..9,
        jitter in proptest::collection::vec((-0.3f64..0.3, -0.3f64..0.3), 7..40),
        dlon in 0.0f64..0.05,
        dlat in 0.0f64..0.05,
        z in 11u32..=21,
        pick in 0usize..1000,
    ) {
        let (cells, outline) = mesh(n, &jitter, (LON0 + dlon, LAT0 + dlat));
        // A tile that meets the mesh: the one holding one of its vertices.
        let c = cells[pick % cells.len()].exterior().0[pick % 4];
        let t = TileAddress::containing(c.x, c.y, z);
        let (cs, os) = snapped(&cells, &outline, t);
        let bad = sliver_edges(&cs, &os);
        proptest::prop_assert!(bad.is_empty(), "z{} {:?}: {:?}", z, t, bad);
    }
}
