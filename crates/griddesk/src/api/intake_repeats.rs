#[allow(unused_imports)]
use crate::intake::repeats::*;
use crate::model::{CaseKind, CaseStatus};
#[allow(unused_imports)]
use crate::ports::*;
use crate::Engine;
use chrono::Duration;
use geo::{Distance, Haversine};
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use std::collections::BTreeMap;

impl Engine {
    /// Places where the same class recurs among closed cases (module docs), ranked.
    pub fn find_repeats(&self, p: &RepeatParams) -> Vec<RepeatPlace> {
        let l = self.loaded();
        let idx = &l.index;
        let mut groups: BTreeMap<(u8, &str), Vec<usize>> = BTreeMap::new();
        for (i, c) in idx.cases.iter().enumerate() {
            if c.status != CaseStatus::Closed
                || p.since.is_some_and(|s| c.reported_at < s)
                || p.until.is_some_and(|u| c.reported_at >= u)
            {
                continue;
            }
            let k = u8::from(c.kind == CaseKind::Component);
            groups
                .entry((k, c.class_code.as_str()))
                .or_default()
                .push(i);
        }
        let window = Duration::days(p.window_days.max(0));
        let min = p.min_cases.max(2);
        let m_per_deg = crate::geodesy::EARTH_RADIUS_M.to_radians();
        let mut places: Vec<RepeatPlace> = Vec::new();
        for ((_, class), members) in groups {
            if members.len() < min {
                continue;
            }
            let tree: RTree<Pt> = RTree::bulk_load(
                members
                    .iter()
                    .map(|&i| {
                        let c = &idx.cases[i];
                        GeomWithData::new([c.location.x(), c.location.y()], i)
                    })
                    .collect(),
            );
            // Candidate places: each case with its neighbours in space and time.
            let mut cands: Vec<(usize, Vec<usize>)> = Vec::new();
            for &i in &members {
                let c = &idx.cases[i];
                let (x, y) = (c.location.x(), c.location.y());
                let dlat = p.radius_m / m_per_deg * 1.01;
                let dlon = dlat / y.to_radians().cos().abs().max(0.01);
                let env = AABB::from_corners([x - dlon, y - dlat], [x + dlon, y + dlat]);
                let mut near: Vec<usize> = tree
                    .locate_in_envelope(&env)
                    .map(|e| e.data)
                    .filter(|&j| {
                        let o = &idx.cases[j];
                        o.reported_at >= c.reported_at
                            && o.reported_at <= c.reported_at + window
                            && Haversine.distance(c.location, o.location) <= p.radius_m
                    })
                    .collect();
                if near.len() >= min {
                    near.sort_unstable();
                    cands.push((i, near));
                }
            }
            cands.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
            let mut used = std::collections::HashSet::new();
            for (_, near) in cands {
                let free: Vec<usize> = near.into_iter().filter(|j| !used.contains(j)).collect();
                if free.len() < min {
                    continue;
                }
                used.extend(free.iter().copied());
                let mut cs: Vec<&crate::model::CaseSummary> =
                    free.iter().map(|&j| &idx.cases[j]).collect();
                cs.sort_by(|a, b| a.reported_at.cmp(&b.reported_at).then(a.id.cmp(&b.id)));
                let n = cs.len() as f64;
                let center = [
                    cs.iter().map(|c| c.location.x()).sum::<f64>() / n,
                    cs.iter().map(|c| c.location.y()).sum::<f64>() / n,
                ];
                let kind = cs[0].kind;
                let table = match kind {
                    CaseKind::Event => &idx.code_tables.events,
                    CaseKind::Component => &idx.code_tables.components,
                };
                places.push(RepeatPlace {
                    kind,
                    class_code: class.to_string(),
                    class_name: table.get(class).map(|e| e.name.clone()),
                    grid: idx
                        .grid_at(center[0], center[1])
                        .map(|g| idx.grids[g].code.to_string()),
                    center,
                    count: cs.len(),
                    first: cs[0].reported_at,
                    last: cs[cs.len() - 1].reported_at,
                    case_ids: cs.iter().map(|c| c.id.to_string()).collect(),
                });
            }
        }
        places.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(b.last.cmp(&a.last))
                .then(a.case_ids[0].cmp(&b.case_ids[0]))
        });
        places.truncate(if p.limit == 0 { usize::MAX } else { p.limit });
        places
    }
}
