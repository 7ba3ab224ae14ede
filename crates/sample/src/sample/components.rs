//! Components (部件) along the roads of the sample district.

use super::names::UNITS;
use super::{SampleParams, World};
use crate::code::{ClassCode, ComponentCode};
use crate::codetable::CodeTables;
use crate::error::Result;
use crate::model::{Component, ComponentState};
use griddesk_planning::planning::detmath::hash;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Where a class is placed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Along any road, a few metres into a grid.
    Road,
    /// Along roads, three times as often on arterials.
    Arterial,
    /// On the river banks (inside the river grids); bridges on arterial crossings.
    Water,
    /// Inside a grid (parks, toilets, sites).
    Inside,
}

/// Relative frequency (per mille of all components) and placement of CJ/T 214 classes.
const WEIGHTS: &[(&str, f64, Place)] = &[
    ("0101", 60.0, Place::Road),
    ("0102", 80.0, Place::Road),
    ("0103", 80.0, Place::Road),
    ("0104", 90.0, Place::Road),
    ("0105", 50.0, Place::Road),
    ("0106", 20.0, Place::Arterial),
    ("0107", 50.0, Place::Road),
    ("0108", 15.0, Place::Road),
    ("0109", 15.0, Place::Road),
    ("0111", 25.0, Place::Road),
    ("0112", 5.0, Place::Arterial),
    ("0113", 20.0, Place::Road),
    ("0114", 3.0, Place::Road),
    ("0115", 15.0, Place::Road),
    ("0116", 15.0, Place::Road),
    ("0117", 40.0, Place::Road),
    ("0118", 100.0, Place::Arterial),
    ("0119", 5.0, Place::Inside),
    ("0120", 10.0, Place::Arterial),
    ("0121", 2.0, Place::Arterial),
    ("0122", 1.0, Place::Arterial),
    ("0123", 2.0, Place::Arterial),
    ("0124", 1.0, Place::Arterial),
    ("0125", 2.0, Place::Road),
    ("0126", 4.0, Place::Inside),
    ("0127", 2.0, Place::Road),
    ("0128", 1.0, Place::Arterial),
    ("0129", 0.5, Place::Road),
    ("0130", 1.0, Place::Road),
    ("0131", 0.5, Place::Inside),
    ("0132", 1.0, Place::Road),
    ("0133", 1.0, Place::Inside),
    ("0134", 10.0, Place::Road),
    ("0135", 2.0, Place::Road),
    ("0136", 18.0, Place::Arterial),
    ("0137", 2.0, Place::Road),
    ("0138", 1.0, Place::Arterial),
    ("0201", 3.0, Place::Inside),
    ("0202", 3.0, Place::Arterial),
    ("0203", 8.0, Place::Arterial),
    ("0204", 1.0, Place::Arterial),
    ("0205", 0.2, Place::Arterial),
    ("0206", 0.2, Place::Arterial),
    ("0207", 0.1, Place::Arterial),
    ("0208", 0.5, Place::Water),
    ("0209", 30.0, Place::Arterial),
    ("0210", 8.0, Place::Arterial),
    ("0211", 20.0, Place::Arterial),
    ("0212", 10.0, Place::Road),
    ("0213", 15.0, Place::Road),
    ("0214", 5.0, Place::Arterial),
    ("0215", 0.5, Place::Arterial),
    ("0216", 0.2, Place::Arterial),
    ("0217", 0.5, Place::Arterial),
    ("0301", 3.0, Place::Inside),
    ("0302", 3.0, Place::Inside),
    ("0303", 3.0, Place::Road),
    ("0304", 3.0, Place::Inside),
    ("0305", 80.0, Place::Road),
    ("0306", 5.0, Place::Arterial),
    ("0307", 30.0, Place::Arterial),
    ("0308", 0.2, Place::Inside),
    ("0309", 0.1, Place::Inside),
    ("0310", 0.2, Place::Water),
    ("0311", 0.2, Place::Arterial),
    ("0401", 1.0, Place::Inside),
    ("0402", 140.0, Place::Arterial),
    ("0403", 20.0, Place::Arterial),
    ("0404", 10.0, Place::Road),
    ("0405", 12.0, Place::Inside),
    ("0406", 1.0, Place::Inside),
    ("0407", 10.0, Place::Road),
    ("0408", 10.0, Place::Road),
    ("0409", 3.0, Place::Inside),
    ("0410", 0.3, Place::Inside),
    ("0501", 5.0, Place::Road),
    ("0502", 0.5, Place::Inside),
    ("0503", 0.5, Place::Inside),
    ("0601", 0.1, Place::Inside),
    ("0602", 1.5, Place::Inside),
    ("0603", 2.0, Place::Water),
    ("0604", 6.0, Place::Water),
    ("0605", 0.2, Place::Water),
    ("0606", 3.0, Place::Water),
];

/// Cumulative weights for sampling by binary search.
pub struct Cumulative {
    acc: Vec<f64>,
}

impl Cumulative {
    pub fn new(w: impl IntoIterator<Item = f64>) -> Self {
        let mut t = 0.0;
        Self {
            acc: w
                .into_iter()
                .map(|x| {
                    t += x.max(0.0);
                    t
                })
                .collect(),
        }
    }
    pub fn total(&self) -> f64 {
        self.acc.last().copied().unwrap_or(0.0)
    }
    /// Index for a uniform `u` in `[0, 1)`; `None` when all weights are zero.
    pub fn pick(&self, u: f64) -> Option<usize> {
        let t = self.total();
        if t <= 0.0 {
            return None;
        }
        let x = u * t;
        let i = self.acc.partition_point(|&a| a <= x);
        Some(i.min(self.acc.len() - 1))
    }
}

/// Whether `p` lies inside cell `c` at least `margin` metres from every edge line.
pub fn inside(world: &World<'_>, c: usize, p: [f64; 2], margin: f64) -> bool {
    let cell = &world.tiling.cells[c];
    let v = &world.tiling.verts;
    let n = cell.ring.len();
    (0..n).all(|k| {
        let a = v[cell.ring[k] as usize];
        let b = v[cell.ring[(k + 1) % n] as usize];
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = (dx * dx + dy * dy).sqrt();
        len == 0.0 || (dx * (p[1] - a[1]) - dy * (p[0] - a[0])) / len > margin
    })
}

/// A point `d` metres inside cell `c` from edge `k`, at fraction `t` along it.
pub fn on_edge(world: &World<'_>, c: usize, k: usize, t: f64, d: f64) -> Option<[f64; 2]> {
    let cell = &world.tiling.cells[c];
    let v = &world.tiling.verts;
    let a = v[cell.ring[k] as usize];
    let b = v[cell.ring[(k + 1) % cell.ring.len()] as usize];
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 4.0 {
        return None;
    }
    let p = [a[0] + dx * t - dy / len * d, a[1] + dy * t + dx / len * d];
    inside(world, c, p, 0.3).then_some(p)
}

/// A point strictly inside cell `c` from three uniforms (fan triangle from the seed, shrunk).
pub fn interior(world: &World<'_>, c: usize, u: [f64; 3]) -> [f64; 2] {
    let cell = &world.tiling.cells[c];
    let v = &world.tiling.verts;
    let n = cell.ring.len();
    let s = cell.seed;
    let tri = Cumulative::new((0..n).map(|k| {
        let a = v[cell.ring[k] as usize];
        let b = v[cell.ring[(k + 1) % n] as usize];
        ((a[0] - s[0]) * (b[1] - s[1]) - (b[0] - s[0]) * (a[1] - s[1])).abs()
    }));
    let k = tri.pick(u[0]).unwrap_or(0);
    let a = v[cell.ring[k] as usize];
    let b = v[cell.ring[(k + 1) % n] as usize];
    let (mut r1, mut r2) = (u[1], u[2]);
    if r1 + r2 > 1.0 {
        r1 = 1.0 - r1;
        r2 = 1.0 - r2;
    }
    let shrink = 0.88;
    let p = [
        s[0] + shrink * (r1 * (a[0] - s[0]) + r2 * (b[0] - s[0])),
        s[1] + shrink * (r1 * (a[1] - s[1]) + r2 * (b[1] - s[1])),
    ];
    if inside(world, c, p, 0.05) {
        p
    } else {
        s
    }
}

fn units_for(code: &str) -> (&'static str, &'static str) {
    UNITS
        .iter()
        .find(|(prefix, _, _)| code.starts_with(prefix))
        .map(|&(_, o, m)| (o, m))
        .unwrap_or(("黄岩区综合行政执法局", "黄岩区市政园林中心"))
}

/// Generates `p.components` components; returns them with the cell each lies in.
pub fn generate(
    p: &SampleParams,
    world: &World<'_>,
    tables: &CodeTables,
) -> Result<(Vec<Component>, Vec<u32>)> {
    let t = world.tiling;
    // Class list restricted to the loaded table; classes of the table not weighted get a trickle.
    let mut classes: Vec<(String, f64, Place)> = Vec::new();
    for e in tables.components.iter() {
        let (w, place) = WEIGHTS
            .iter()
            .find(|(c, _, _)| *c == e.code)
            .map(|&(_, w, pl)| (w, pl))
            .unwrap_or((0.5, Place::Road));
        classes.push((e.code.clone(), w, place));
    }
    let class_codes: Vec<ClassCode> = classes
        .iter()
        .map(|c| ClassCode::parse(&c.0))
        .collect::<Result<_>>()?;
    let class_units: Vec<(&str, &str)> = classes.iter().map(|c| units_for(&c.0)).collect();
    let class_pick = Cumulative::new(classes.iter().map(|c| c.1));
    let has_water = t.cells.iter().any(|c| c.water);
    // Edge tables: (cell, edge) weighted by length.
    let mut road: Vec<(u32, u16)> = Vec::new();
    let mut road_w = Vec::new();
    let mut art_w = Vec::new();
    let mut bank: Vec<(u32, u16)> = Vec::new();
    let mut bank_w = Vec::new();
    let mut bridge_w = Vec::new();
    for (c, cell) in t.cells.iter().enumerate() {
        let n = cell.ring.len();
        for k in 0..n {
            let a = t.verts[cell.ring[k] as usize];
            let b = t.verts[cell.ring[(k + 1) % n] as usize];
            let len = ((b[0] - a[0]) * (b[0] - a[0]) + (b[1] - a[1]) * (b[1] - a[1])).sqrt();
            let nb = cell.nbs[k];
            let nb_water = nb != super::tiling::NONE && t.cells[nb as usize].water;
            if cell.water {
                if !nb_water || t.is_arterial(c, k) {
                    bank.push((c as u32, k as u16));
                    bank_w.push(if nb_water { 0.0 } else { len });
                    bridge_w.push(if t.is_arterial(c, k) { len } else { 0.0 });
                }
            } else {
                road.push((c as u32, k as u16));
                road_w.push(len);
                art_w.push(if t.is_arterial(c, k) { 3.0 * len } else { len });
            }
        }
    }
    let road_pick = Cumulative::new(road_w.iter().copied());
    let art_pick = Cumulative::new(art_w.iter().copied());
    let bank_pick = Cumulative::new(bank_w.iter().copied());
    let bridge_pick = Cumulative::new(bridge_w.iter().copied());
    let land_cells: Vec<u32> = (0..t.cells.len() as u32)
        .filter(|&c| !t.cells[c as usize].water)
        .collect();

    let mut rng = ChaCha8Rng::seed_from_u64(hash(&[p.seed, 0xC0_4D]));
    let mut seq: BTreeMap<usize, u32> = BTreeMap::new();
    let mut out = Vec::with_capacity(p.components);
    let mut cells = Vec::with_capacity(p.components);
    let mut attempts = 0usize;
    while out.len() < p.components && attempts < p.components * 4 + 100 {
        attempts += 1;
        let Some(ci) = class_pick.pick(rng.gen::<f64>()) else {
            break;
        };
        let (code, mut place) = (classes[ci].0.as_str(), classes[ci].2);
        if matches!(place, Place::Water) && !has_water {
            place = Place::Road;
        }
        let (u1, u2, u3, u4): (f64, f64, f64, f64) = (rng.gen(), rng.gen(), rng.gen(), rng.gen());
        let located = match place {
            Place::Road | Place::Arterial | Place::Water => {
                let (list, pick) = match place {
                    Place::Road => (&road, &road_pick),
                    Place::Arterial => (&road, &art_pick),
                    _ if code == "0208" && bridge_pick.total() > 0.0 => (&bank, &bridge_pick),
                    _ => (&bank, &bank_pick),
                };
                pick.pick(u1).and_then(|q| {
                    let (c, k) = list[q];
                    on_edge(
                        world,
                        c as usize,
                        k as usize,
                        0.12 + 0.76 * u2,
                        1.5 + 4.5 * u3,
                    )
                    .map(|pt| (c, pt))
                })
            }
            Place::Inside => {
                if land_cells.is_empty() {
                    None
                } else {
                    let c = land_cells
                        [((u1 * land_cells.len() as f64) as usize).min(land_cells.len() - 1)];
                    Some((c, interior(world, c as usize, [u2, u3, u4])))
                }
            }
        };
        let Some((c, pt)) = located else { continue };
        let n = seq.entry(ci).or_insert(0);
        *n += 1;
        let comp_code = ComponentCode::from_parts(world.district, code, *n)?;
        let s: f64 = rng.gen();
        let cover = code.starts_with("01") && code <= "0114";
        let state = if s < 0.92 {
            ComponentState::Intact
        } else if s < 0.965 {
            ComponentState::Damaged
        } else if s < (if cover { 0.985 } else { 0.975 }) {
            ComponentState::Missing
        } else {
            ComponentState::Occupied
        };
        let (owner, maint) = class_units[ci];
        let street_office = || {
            format!(
                "{}办事处",
                world.street_names[world.street_of_cell[c as usize] as usize]
            )
        };
        let fix = |s: &str| {
            if s == "所在街道办事处" {
                street_office()
            } else {
                s.to_string()
            }
        };
        let ll = world.proj.inv(pt);
        out.push(Component {
            code: comp_code,
            class_code: class_codes[ci],
            owner: Some(fix(owner).into()),
            maintainer: Some(fix(maint).into()),
            state,
            location: geo_types::Point::new(ll[0], ll[1]),
            grid: Some(world.grid_codes[c as usize]),
            sample: true,
        });
        cells.push(c);
    }
    Ok((out, cells))
}
