//! Responsibility zones of the sample district (SPEC §7, after Huangyan's practice: squadron
//! areas, sectors, enforcement grids and road lines with chiefs, the main urban area in about 9
//! sectors and 21 grids):
//!
//! * **units**: the enforcement bureau, the supervision centre and one squadron (中队) per
//!   squadron area;
//! * **people**: the duty grids' inspectors (one record per name), a chief per sector, a leader
//!   per squadron, two team members per enforcement grid and a chief per road line;
//! * **squadron areas** (中队辖区): contiguous clusters of communities, about 8 each;
//! * **sectors** (片区): contiguous clusters of about 170 grids, across community lines;
//! * **enforcement grids** (执法网格): contiguous clusters of about 70 grids, so they differ
//!   from the management duty grids (which stay inside one community);
//! * **road lines** (线条): the arterial roads cut into segments of about 700 m (路 along the
//!   west–east arterials, 街 along the others), plus lanes (巷) near the commercial centre.

use super::{names, regions, tiling, COMMERCIAL_CENTRE};
use crate::code::GridCode;
use crate::model::DutyGrid;
use crate::zones::{
    line_length_m, LayerKind, Network, OrgUnit, Person, RoadClass, RoadLine, Role, UnitKind, Zone,
    ZoneLayer, DUTY_LAYER,
};
use geo_types::{Coord, LineString};
use griddesk_planning::planning::detmath::hash;
use std::collections::BTreeMap;

pub use crate::zones::SampleZones;

const BUREAU: &str = "ZFJ";
const CENTRE: &str = "JDZX";
const SQUADRON_NAMES: [&str; 8] = [
    "城关", "东城", "西城", "南城", "北城", "新前", "江口", "澄江",
];
const ROW_ROADS: [&str; 8] = [
    "劳动路",
    "天长路",
    "横街路",
    "北院大道",
    "环城北路",
    "环城南路",
    "青年路",
    "桔乡大道",
];
const COL_ROADS: [&str; 8] = [
    "县前街",
    "东门街",
    "西街",
    "南街",
    "官河街",
    "高桥街",
    "新前街",
    "江口街",
];
const SEGMENT_M: f64 = 700.0;
const LANES: usize = 24;
/// Arterial pieces shorter than this are not made road lines, m.
const MIN_LINE_M: f64 = 150.0;

/// Cell-level facts the zone generator needs.
pub struct Cells<'a> {
    pub seed: u64,
    pub tiling: &'a tiling::Tiling,
    pub verts_ll: &'a [Coord<f64>],
    pub cent_m: &'a [[f64; 2]],
    pub areas_m: &'a [f64],
    pub adj: &'a [Vec<u32>],
    pub grid_codes: &'a [GridCode],
    pub comm_of: &'a [u32],
    pub comm_adj: &'a [Vec<u32>],
    pub comm_cent: &'a [[f64; 2]],
    pub comm_area: &'a [f64],
    pub comm_name: &'a [String],
}

fn nth_name(list: &[&str], i: usize, suffix: &str) -> String {
    match list.get(i) {
        Some(n) => format!("{n}{suffix}"),
        None => format!("第{}{suffix}", i + 1),
    }
}

fn grids_of(cells: &Cells<'_>, members: impl Iterator<Item = usize>) -> Vec<GridCode> {
    let mut g: Vec<GridCode> = members.map(|i| cells.grid_codes[i]).collect();
    g.sort();
    g
}

/// Labels of `k` contiguous clusters numbered in reading order (north→south, west→east by
/// their weighted centre).
fn clusters(adj: &[Vec<u32>], pos: &[[f64; 2]], w: &[f64], k: usize) -> (Vec<u32>, usize) {
    let lab = regions::cluster(adj, pos, w, k);
    let k = lab.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let mut acc = vec![[0.0f64; 3]; k];
    for (i, &l) in lab.iter().enumerate() {
        let a = &mut acc[l as usize];
        a[0] += pos[i][0] * w[i];
        a[1] += pos[i][1] * w[i];
        a[2] += w[i];
    }
    let mut order: Vec<usize> = (0..k).collect();
    let c = |l: usize| {
        [
            acc[l][0] / acc[l][2].max(1e-9),
            acc[l][1] / acc[l][2].max(1e-9),
        ]
    };
    order.sort_by(|&a, &b| {
        let (ca, cb) = (c(a), c(b));
        let (ra, rb) = ((-ca[1] / 1500.0).floor(), (-cb[1] / 1500.0).floor());
        ra.total_cmp(&rb)
            .then(ca[0].total_cmp(&cb[0]))
            .then(a.cmp(&b))
    });
    let mut rank = vec![0u32; k];
    for (r, &l) in order.iter().enumerate() {
        rank[l] = r as u32;
    }
    (lab.into_iter().map(|l| rank[l as usize]).collect(), k)
}

/// Generates the sample's units, people, layers, zones and road lines.
pub fn generate(cells: &Cells<'_>, duty: &[DutyGrid]) -> SampleZones {
    let n = cells.grid_codes.len();
    let seed = cells.seed;
    let mut z = SampleZones::default();
    let person_name = |salt: u64, i: usize| names::person(hash(&[seed, salt, i as u64]));
    z.units.push(OrgUnit {
        code: BUREAU.into(),
        name: "黄岩区综合行政执法局".into(),
        kind: UnitKind::Department,
        parent: None,
        phone: Some("0576-84123110".into()),
    });
    z.units.push(OrgUnit {
        code: CENTRE.into(),
        name: "数字城管监督指挥中心".into(),
        kind: UnitKind::Department,
        parent: None,
        phone: Some("0576-12319".into()),
    });
    z.layers = vec![
        ZoneLayer {
            code: "squadron".into(),
            name: "中队辖区".into(),
            kind: LayerKind::Squadron,
            network: Network::Enforcement,
            order: 1,
        },
        ZoneLayer {
            code: "sector".into(),
            name: "片区".into(),
            kind: LayerKind::Sector,
            network: Network::Management,
            order: 2,
        },
        ZoneLayer {
            code: "enforcement".into(),
            name: "执法网格".into(),
            kind: LayerKind::Enforcement,
            network: Network::Enforcement,
            order: 3,
        },
    ];

    // Inspectors of the duty grids: one person per name.
    let mut inspector_id: BTreeMap<&str, String> = BTreeMap::new();
    for d in duty {
        if !inspector_id.contains_key(d.inspector.as_str()) {
            let id = format!("JD{:04}", inspector_id.len() + 1);
            z.people.push(Person {
                id: id.clone(),
                name: d.inspector.clone(),
                role: Role::Inspector,
                phone: Some(format!("1390576{:04}", inspector_id.len() + 1)),
                unit: Some(CENTRE.into()),
            });
            inspector_id.insert(&d.inspector, id);
        }
        z.zones.push(Zone {
            layer: DUTY_LAYER.into(),
            code: d.code.clone(),
            name: d.name.clone(),
            unit: Some(CENTRE.into()),
            people: vec![inspector_id[d.inspector.as_str()].clone()],
            grids: d.grids.clone(),
        });
    }

    // Squadron areas: clusters of communities.
    let nc = cells.comm_adj.len();
    let (sq_of_comm, nsq) = clusters(
        cells.comm_adj,
        cells.comm_cent,
        cells.comm_area,
        (nc as f64 / 8.0).round().max(1.0) as usize,
    );
    let sq_of_cell: Vec<u32> = (0..n)
        .map(|i| sq_of_comm[cells.comm_of[i] as usize])
        .collect();
    for q in 0..nsq {
        let unit = format!("ZD{:02}", q + 1);
        let name = nth_name(&SQUADRON_NAMES, q, "中队");
        let leader = format!("ZDZ{:02}", q + 1);
        z.units.push(OrgUnit {
            code: unit.clone(),
            name: name.clone(),
            kind: UnitKind::Squadron,
            parent: Some(BUREAU.into()),
            phone: Some(format!("0576-8412{:04}", q + 1)),
        });
        z.people.push(Person {
            id: leader.clone(),
            name: person_name(7101, q),
            role: Role::SquadronLeader,
            phone: Some(format!("1380576{:04}", q + 1)),
            unit: Some(unit.clone()),
        });
        z.zones.push(Zone {
            layer: "squadron".into(),
            code: format!("ZQ{:02}", q + 1),
            name: format!("{name}辖区"),
            unit: Some(unit),
            people: vec![leader],
            grids: grids_of(cells, (0..n).filter(|&i| sq_of_cell[i] as usize == q)),
        });
    }

    // Sectors: clusters of about 170 grids.
    let (sector_of, ns) = clusters(
        cells.adj,
        cells.cent_m,
        cells.areas_m,
        (n as f64 / 170.0).round().max(1.0) as usize,
    );
    for s in 0..ns {
        let members: Vec<usize> = (0..n).filter(|&i| sector_of[i] as usize == s).collect();
        // Named after the community holding most of it.
        let mut count: BTreeMap<u32, usize> = BTreeMap::new();
        for &i in &members {
            *count.entry(cells.comm_of[i]).or_default() += 1;
        }
        let main = count
            .iter()
            .max_by_key(|(c, k)| (**k, std::cmp::Reverse(**c)))
            .map_or(0, |(c, _)| *c as usize);
        let chief = format!("PZ{:03}", s + 1);
        z.people.push(Person {
            id: chief.clone(),
            name: person_name(7201, s),
            role: Role::SectorChief,
            phone: Some(format!("1370576{:04}", s + 1)),
            unit: Some(BUREAU.into()),
        });
        z.zones.push(Zone {
            layer: "sector".into(),
            code: format!("PQ{:03}", s + 1),
            name: format!(
                "{}片区{}",
                cells.comm_name[main].trim_end_matches("社区"),
                s + 1
            ),
            unit: Some(BUREAU.into()),
            people: vec![chief],
            grids: grids_of(cells, members.into_iter()),
        });
    }

    // Enforcement grids: clusters of about 70 grids, each under the squadron holding most of it.
    let (enf_of, ne) = clusters(
        cells.adj,
        cells.cent_m,
        cells.areas_m,
        (n as f64 / 70.0).round().max(1.0) as usize,
    );
    for f in 0..ne {
        let members: Vec<usize> = (0..n).filter(|&i| enf_of[i] as usize == f).collect();
        let mut count = vec![0usize; nsq.max(1)];
        for &i in &members {
            count[sq_of_cell[i] as usize] += 1;
        }
        let q = (0..count.len())
            .max_by_key(|&q| (count[q], std::cmp::Reverse(q)))
            .unwrap_or(0);
        let unit = format!("ZD{:02}", q + 1);
        let mut people = Vec::new();
        for m in 0..2 {
            let id = format!("DY{:04}", 2 * f + m + 1);
            z.people.push(Person {
                id: id.clone(),
                name: person_name(7301, 2 * f + m),
                role: Role::TeamMember,
                phone: Some(format!("1360576{:04}", 2 * f + m + 1)),
                unit: Some(unit.clone()),
            });
            people.push(id);
        }
        z.zones.push(Zone {
            layer: "enforcement".into(),
            code: format!("ZF{:03}", f + 1),
            name: format!(
                "{}第{}执法网格",
                nth_name(&SQUADRON_NAMES, q, "中队"),
                f + 1
            ),
            unit: Some(unit),
            people,
            grids: grids_of(cells, members.into_iter()),
        });
    }

    road_lines(cells, &sq_of_cell, &mut z);
    z
}

/// Chains undirected edges (vertex ids) into polylines, each walked from an end (or, for a
/// loop, from its lowest vertex).
fn chains(mut edges: Vec<(u32, u32)>) -> Vec<Vec<u32>> {
    edges.sort_unstable();
    edges.dedup();
    let mut nb: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for &(a, b) in &edges {
        nb.entry(a).or_default().push(b);
        nb.entry(b).or_default().push(a);
    }
    let mut used: std::collections::BTreeSet<(u32, u32)> = Default::default();
    let key = |a: u32, b: u32| (a.min(b), a.max(b));
    let mut out = Vec::new();
    let starts: Vec<u32> = nb
        .iter()
        .filter(|(_, v)| v.len() != 2)
        .map(|(k, _)| *k)
        .chain(nb.keys().copied())
        .collect();
    for s in starts {
        while let Some(&next) = nb[&s].iter().find(|&&b| !used.contains(&key(s, b))) {
            let mut line = vec![s, next];
            used.insert(key(s, next));
            let mut cur = next;
            loop {
                let step = nb[&cur]
                    .iter()
                    .copied()
                    .find(|&b| !used.contains(&key(cur, b)));
                // Continue only through plain vertices: a junction ends the chain.
                match step {
                    Some(b) if nb[&cur].len() == 2 => {
                        used.insert(key(cur, b));
                        line.push(b);
                        cur = b;
                    }
                    _ => break,
                }
            }
            out.push(line);
        }
    }
    out
}

fn road_lines(cells: &Cells<'_>, sq_of_cell: &[u32], z: &mut SampleZones) {
    let t = cells.tiling;
    // Arterial edges grouped by arterial: (is_row, line index).
    let mut arterials: BTreeMap<(bool, i32), Vec<(u32, u32)>> = BTreeMap::new();
    let mut cell_of_edge: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for (c, cell) in t.cells.iter().enumerate() {
        for k in 0..cell.ring.len() {
            let nb = cell.nbs[k];
            if nb == tiling::NONE || (nb as usize) < c || !t.is_arterial(c, k) {
                continue;
            }
            let other = &t.cells[nb as usize];
            let (a, b) = (cell.ring[k], cell.ring[(k + 1) % cell.ring.len()]);
            let row = cell.art_row.is_some() && cell.art_row == other.art_row && cell.j != other.j;
            let id = if row { cell.art_row } else { cell.art_col };
            if let Some(id) = id {
                arterials.entry((row, id)).or_default().push((a, b));
                cell_of_edge.insert((a.min(b), a.max(b)), c);
            }
        }
    }
    let (mut rows, mut cols) = (0usize, 0usize);
    let mut chief_no = 0usize;
    let mut add = |z: &mut SampleZones, name: String, class: RoadClass, ids: &[u32]| {
        let line = LineString::new(ids.iter().map(|&v| cells.verts_ll[v as usize]).collect());
        let cell = cell_of_edge
            .get(&(ids[0].min(ids[1]), ids[0].max(ids[1])))
            .copied()
            .unwrap_or(0);
        let unit = format!("ZD{:02}", sq_of_cell.get(cell).copied().unwrap_or(0) + 1);
        chief_no += 1;
        let chief = format!("LZ{:04}", chief_no);
        let role = match class {
            RoadClass::Street => Role::StreetChief,
            RoadClass::Road => Role::RoadChief,
            RoadClass::Lane | RoadClass::Other => Role::LaneChief,
        };
        z.people.push(Person {
            id: chief.clone(),
            name: names::person(hash(&[cells.seed, 7401, chief_no as u64])),
            role,
            phone: Some(format!("1350576{:04}", chief_no)),
            unit: Some(unit.clone()),
        });
        z.roads.push(RoadLine {
            code: format!("XT{:04}", z.roads.len() + 1),
            name,
            class,
            length_m: line_length_m(&line),
            line,
            chief: Some(chief),
            unit: Some(unit),
        });
    };
    for ((row, _), edges) in arterials {
        let (base, class) = if row {
            rows += 1;
            (nth_name(&ROW_ROADS, rows - 1, ""), RoadClass::Road)
        } else {
            cols += 1;
            (nth_name(&COL_ROADS, cols - 1, ""), RoadClass::Street)
        };
        let base = if base.starts_with('第') {
            format!("规划{base}{}", if row { "路" } else { "街" })
        } else {
            base
        };
        let mut segment = 0usize;
        for chain in chains(edges) {
            let lens: Vec<f64> = chain
                .windows(2)
                .map(|w| {
                    let (a, b) = (cells.verts_ll[w[0] as usize], cells.verts_ll[w[1] as usize]);
                    line_length_m(&LineString::new(vec![a, b]))
                })
                .collect();
            let mut rest: f64 = lens.iter().sum();
            // Scraps where an arterial leaves the built-up area are not managed lines.
            if rest < MIN_LINE_M {
                continue;
            }
            // Cut at vertices about every SEGMENT_M, never leaving a short remainder.
            let (mut start, mut len) = (0usize, 0.0);
            for k in 1..chain.len() {
                len += lens[k - 1];
                rest -= lens[k - 1];
                if k == chain.len() - 1 || (len >= SEGMENT_M && rest >= 0.4 * SEGMENT_M) {
                    segment += 1;
                    add(
                        z,
                        format!("{base}（{segment}段）"),
                        class,
                        &chain[start..=k],
                    );
                    start = k;
                    len = 0.0;
                }
            }
        }
    }
    // Lanes: inner edges between two grids of one community, nearest the commercial centre.
    let mut order: Vec<usize> = (0..t.cells.len()).filter(|&c| !t.cells[c].water).collect();
    let d = |c: usize| {
        let p = cells.cent_m[c];
        (p[0] - COMMERCIAL_CENTRE[0]).hypot(p[1] - COMMERCIAL_CENTRE[1])
    };
    order.sort_by(|&a, &b| d(a).total_cmp(&d(b)).then(a.cmp(&b)));
    let mut lanes = 0usize;
    let mut per_comm: BTreeMap<u32, usize> = BTreeMap::new();
    let mut used: Vec<usize> = Vec::new();
    for c in order {
        if lanes == LANES {
            break;
        }
        let cell = &t.cells[c];
        let pick = (0..cell.ring.len()).find(|&k| {
            let nb = cell.nbs[k];
            nb != tiling::NONE
                && (nb as usize) > c
                && !t.is_arterial(c, k)
                && cells.comm_of[nb as usize] == cells.comm_of[c]
                && !used.contains(&(nb as usize))
        });
        let Some(k) = pick else { continue };
        used.extend([c, cell.nbs[k] as usize]);
        let comm = cells.comm_of[c];
        let q = per_comm.entry(comm).or_default();
        *q += 1;
        lanes += 1;
        let name = format!(
            "{}{}号巷",
            cells.comm_name[comm as usize].trim_end_matches("社区"),
            q
        );
        let ids = [cell.ring[k], cell.ring[(k + 1) % cell.ring.len()]];
        add(z, name, RoadClass::Lane, &ids);
    }
}
