//! District statistics: counts per street and community, cases by source, status and class.

use crate::index::SpatialIndex;
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts for one area (street or community).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AreaCounts {
    pub code: String,
    pub name: String,
    pub communities: usize,
    pub grids: usize,
    pub components: usize,
    pub cases: usize,
    pub open_cases: usize,
}

/// A labelled count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: usize,
}

/// Statistics over the whole district.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub streets: Vec<AreaCounts>,
    pub communities: Vec<AreaCounts>,
    pub cases_by_source: Vec<Count>,
    pub cases_by_status: Vec<Count>,
    /// By event/component major class (`event:01` …).
    pub cases_by_class: Vec<Count>,
    pub components_by_state: Vec<Count>,
    /// Cases whose point lies in no grid.
    pub unlocated_cases: usize,
}

/// Computes [`Stats`] from the indexes (active grids only).
pub fn compute(idx: &SpatialIndex) -> Stats {
    let mut comm: Vec<AreaCounts> = idx
        .communities
        .iter()
        .map(|c| AreaCounts {
            code: c.code.to_string(),
            name: c.name.clone(),
            communities: 1,
            ..Default::default()
        })
        .collect();
    for (i, g) in idx.grids.iter().enumerate() {
        if !g.is_active() {
            continue;
        }
        if let Some(ci) = idx.community_index(&g.community()) {
            let k = idx.grid_counts[i];
            let a = &mut comm[ci];
            a.grids += 1;
            a.components += k.components as usize;
            a.cases += k.cases as usize;
            a.open_cases += k.open_cases as usize;
        }
    }
    let mut streets: Vec<AreaCounts> = idx
        .streets
        .iter()
        .map(|s| AreaCounts {
            code: s.code.to_string(),
            name: s.name.clone(),
            ..Default::default()
        })
        .collect();
    let street_pos: BTreeMap<String, usize> = streets
        .iter()
        .enumerate()
        .map(|(i, s)| (s.code.clone(), i))
        .collect();
    for c in &comm {
        if let Some(&si) = street_pos.get(&c.code[..9]) {
            let s = &mut streets[si];
            s.communities += 1;
            s.grids += c.grids;
            s.components += c.components;
            s.cases += c.cases;
            s.open_cases += c.open_cases;
        }
    }
    let mut by_source: BTreeMap<_, usize> = BTreeMap::new();
    let mut by_status: BTreeMap<_, usize> = BTreeMap::new();
    let mut by_class: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut unlocated = 0;
    for c in &idx.cases {
        *by_source.entry(c.source).or_default() += 1;
        *by_status.entry(c.status).or_default() += 1;
        *by_class
            .entry((c.kind.key(), c.class_code.major().to_string()))
            .or_default() += 1;
        unlocated += usize::from(c.grid.is_none());
    }
    let mut by_state: BTreeMap<_, usize> = BTreeMap::new();
    for c in &idx.components {
        *by_state.entry(c.state.key()).or_default() += 1;
    }
    let major_name = |kind: &str, major: &str| {
        let t = if kind == "event" {
            &idx.code_tables.events
        } else {
            &idx.code_tables.components
        };
        t.iter()
            .find(|e| e.major_code == major)
            .map(|e| e.major_name.clone())
            .unwrap_or_default()
    };
    Stats {
        streets,
        communities: comm,
        cases_by_source: by_source
            .into_iter()
            .map(|(k, n)| Count {
                key: k.key().into(),
                label: k.zh().into(),
                count: n,
            })
            .collect(),
        cases_by_status: by_status
            .into_iter()
            .map(|(k, n)| Count {
                key: k.key().into(),
                label: k.zh().into(),
                count: n,
            })
            .collect(),
        cases_by_class: by_class
            .into_iter()
            .map(|((kind, major), n)| Count {
                label: major_name(kind, &major),
                key: format!("{kind}:{major}"),
                count: n,
            })
            .collect(),
        components_by_state: by_state
            .into_iter()
            .map(|(k, n)| Count {
                key: k.into(),
                label: crate::model::ComponentState::parse(k)
                    .map(|s| s.zh())
                    .unwrap_or_default()
                    .into(),
                count: n,
            })
            .collect(),
        unlocated_cases: unlocated,
    }
}
