//! Communities and streets as contiguous clusters of unit grids; boundaries by edge cancellation.

use super::detmath::ring_area;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use griddesk_core::planar::point_in_ring;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// Partitions the nodes of a connected graph into `k` contiguous clusters of similar weight.
///
/// Seeds are spread by farthest-point sampling, then moved to their cluster's weighted centre a
/// few times (Lloyd); each pass assigns nodes by a multi-source Dijkstra over edge lengths, so
/// every node joins the cluster of its shortest-path predecessor and clusters are contiguous.
pub fn cluster(adj: &[Vec<u32>], pos: &[[f64; 2]], weight: &[f64], k: usize) -> Vec<u32> {
    let n = adj.len();
    let k = k.clamp(1, n.max(1));
    let d2 =
        |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]);
    // Farthest-point sampling from node 0.
    let mut seeds = vec![0usize];
    let mut best: Vec<f64> = pos.iter().map(|&p| d2(p, pos[0])).collect();
    while seeds.len() < k {
        let mut far = 0;
        for i in 0..n {
            if best[i] > best[far] {
                far = i;
            }
        }
        seeds.push(far);
        for i in 0..n {
            best[i] = best[i].min(d2(pos[i], pos[far]));
        }
    }
    let mut label = assign(adj, pos, weight, &seeds);
    for _ in 0..4 {
        let mut acc = vec![[0.0f64; 3]; k];
        for i in 0..n {
            let a = &mut acc[label[i] as usize];
            a[0] += pos[i][0] * weight[i];
            a[1] += pos[i][1] * weight[i];
            a[2] += weight[i];
        }
        let centre: Vec<[f64; 2]> = acc.iter().map(|a| [a[0] / a[2], a[1] / a[2]]).collect();
        let mut near: Vec<(f64, usize)> = seeds.iter().map(|&s| (f64::INFINITY, s)).collect();
        for i in 0..n {
            let c = label[i] as usize;
            let d = d2(pos[i], centre[c]);
            if d < near[c].0 {
                near[c] = (d, i);
            }
        }
        seeds = near.iter().map(|x| x.1).collect();
        label = assign(adj, pos, weight, &seeds);
    }
    label
}

fn assign(adj: &[Vec<u32>], pos: &[[f64; 2]], weight: &[f64], seeds: &[usize]) -> Vec<u32> {
    let n = adj.len();
    let mut label = vec![u32::MAX; n];
    let mut dist = vec![f64::INFINITY; n];
    let mut load = vec![0.0f64; seeds.len()];
    let mut heap = BinaryHeap::new();
    for (c, &s) in seeds.iter().enumerate() {
        dist[s] = 0.0;
        label[s] = c as u32;
        heap.push(Reverse((0u64, s as u32, c as u32)));
    }
    let mean = weight.iter().sum::<f64>() / seeds.len() as f64;
    let mut done = vec![false; n];
    while let Some(Reverse((_, v, c))) = heap.pop() {
        let v = v as usize;
        if done[v] || label[v] != c {
            continue;
        }
        done[v] = true;
        load[c as usize] += weight[v];
        // Clusters that are already heavy expand more slowly (balances sizes).
        let penalty = 1.0 + 0.6 * (load[c as usize] / mean).min(3.0);
        for &w in &adj[v] {
            let w = w as usize;
            if done[w] {
                continue;
            }
            let dx = pos[v][0] - pos[w][0];
            let dy = pos[v][1] - pos[w][1];
            let nd = dist[v] + (dx * dx + dy * dy).sqrt() * penalty;
            if nd < dist[w] {
                dist[w] = nd;
                label[w] = c;
                heap.push(Reverse((nd.to_bits(), w as u32, c)));
            }
        }
    }
    label
}

/// Diamond angle of a direction in `[0, 4)`: monotonic in the true angle, basic arithmetic only.
fn pseudo_angle(d: [f64; 2]) -> f64 {
    let s = d[0].abs() + d[1].abs();
    let p = d[1] / s;
    if d[0] >= 0.0 {
        if p >= 0.0 {
            p
        } else {
            4.0 + p
        }
    } else {
        2.0 - p
    }
}

/// The union of cells (counter-clockwise rings of shared vertex ids) as a multipolygon.
///
/// Each directed edge that also occurs reversed is interior and cancels; the remaining edges are
/// chained into rings. At a vertex where the union touches itself the next edge is the first one
/// clockwise from the incoming edge, so rings never cross themselves. Counter-clockwise rings are
/// shells, clockwise rings are holes.
pub fn union_boundary<'a>(
    rings: impl Iterator<Item = &'a [u32]>,
    verts_m: &[[f64; 2]],
    verts_ll: &[Coord<f64>],
) -> MultiPolygon<f64> {
    let mut edges: Vec<(u32, u32)> = Vec::new();
    for r in rings {
        for k in 0..r.len() {
            edges.push((r[k], r[(k + 1) % r.len()]));
        }
    }
    edges.sort_unstable();
    let mut out: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for &(a, b) in &edges {
        if edges.binary_search(&(b, a)).is_err() {
            out.entry(a).or_default().push(b);
        }
    }
    let mut shells: Vec<Vec<u32>> = Vec::new();
    let mut holes: Vec<Vec<u32>> = Vec::new();
    while let Some((&start, _)) = out.iter().find(|(_, v)| !v.is_empty()) {
        let mut ring = vec![start];
        let mut prev = start;
        let mut cur = out.get_mut(&start).and_then(|v| v.pop()).unwrap_or(start);
        let mut guard = 0usize;
        while cur != start && guard <= edges.len() {
            guard += 1;
            ring.push(cur);
            let Some(cands) = out.get_mut(&cur) else {
                break;
            };
            if cands.is_empty() {
                break;
            }
            let back = [
                verts_m[prev as usize][0] - verts_m[cur as usize][0],
                verts_m[prev as usize][1] - verts_m[cur as usize][1],
            ];
            let pb = pseudo_angle(back);
            let mut pick = 0;
            let mut best = f64::INFINITY;
            for (q, &c) in cands.iter().enumerate() {
                let d = [
                    verts_m[c as usize][0] - verts_m[cur as usize][0],
                    verts_m[c as usize][1] - verts_m[cur as usize][1],
                ];
                // Clockwise angle from `back` to `d`.
                let mut cw = pb - pseudo_angle(d);
                if cw <= 0.0 {
                    cw += 4.0;
                }
                if cw < best {
                    best = cw;
                    pick = q;
                }
            }
            let next = cands.swap_remove(pick);
            prev = cur;
            cur = next;
        }
        if ring.len() >= 3 {
            if ring_area(ring.iter().map(|&v| verts_m[v as usize])) > 0.0 {
                shells.push(ring);
            } else {
                holes.push(ring);
            }
        }
    }
    let to_ls = |r: &[u32]| {
        let mut cs: Vec<Coord<f64>> = r.iter().map(|&v| verts_ll[v as usize]).collect();
        cs.push(verts_ll[r[0] as usize]);
        LineString::new(cs)
    };
    let mut polys: Vec<(Vec<u32>, Vec<LineString<f64>>)> =
        shells.into_iter().map(|s| (s, Vec::new())).collect();
    for h in holes {
        let owner = if polys.len() == 1 {
            0
        } else {
            let shell_verts: Vec<u32> = polys.iter().flat_map(|p| p.0.iter().copied()).collect();
            let probe = h
                .iter()
                .copied()
                .find(|v| !shell_verts.contains(v))
                .unwrap_or(h[0]);
            let p = verts_m[probe as usize];
            polys
                .iter()
                .position(|(s, _)| point_in_ring(p, s, verts_m))
                .unwrap_or(0)
        };
        if let Some(poly) = polys.get_mut(owner) {
            poly.1.push(to_ls(&h));
        }
    }
    MultiPolygon::new(
        polys
            .into_iter()
            .map(|(s, hs)| Polygon::new(to_ls(&s), hs))
            .collect(),
    )
}
