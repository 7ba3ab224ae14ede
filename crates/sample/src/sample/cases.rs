//! One period of cases with realistic structure: hotspots, day/week/season rhythms, source mix.

use super::components::{interior, on_edge, Cumulative};
use super::tiling::NONE;
use super::{SampleParams, World};
use crate::code::{ClassCode, ComponentCode};
use crate::codetable::{ClassTable, CodeTables};
use crate::error::{Error, Result};
use crate::model::{Case, CaseKind, CaseSource, CaseStatus, Component};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use griddesk_planning::planning::detmath::hash;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Source mix (per mille): Huangyan's patrol majority, video AI ≈ 20 %, hotlines, public.
const SOURCES: &[(CaseSource, f64)] = &[
    (CaseSource::Patrol, 700.0),
    (CaseSource::VideoAi, 200.0),
    (CaseSource::Hotline12345, 40.0),
    (CaseSource::Hotline12319, 15.0),
    (CaseSource::Public, 20.0),
    (CaseSource::QrCode, 10.0),
    (CaseSource::Media, 3.0),
    (CaseSource::Leader, 5.0),
    (CaseSource::Sensor, 7.0),
];

/// Share of component cases per source (the rest are events).
fn component_share(s: CaseSource) -> f64 {
    match s {
        CaseSource::QrCode | CaseSource::Sensor => 1.0,
        CaseSource::Patrol => 0.022,
        CaseSource::VideoAi => 0.005,
        CaseSource::Hotline12345 | CaseSource::Hotline12319 => 0.04,
        _ => 0.03,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scene {
    Market,
    School,
    Station,
    Commercial,
    Hospital,
    Background,
    Water,
    Video,
}

const SCENES: [Scene; 8] = [
    Scene::Market,
    Scene::School,
    Scene::Station,
    Scene::Commercial,
    Scene::Hospital,
    Scene::Background,
    Scene::Water,
    Scene::Video,
];

fn scene_classes(s: Scene) -> &'static [(&'static str, f64)] {
    match s {
        Scene::Market => &[
            ("0504", 30.0),
            ("0501", 25.0),
            ("0507", 10.0),
            ("0102", 12.0),
            ("0104", 8.0),
            ("0506", 10.0),
            ("0505", 5.0),
        ],
        Scene::School => &[
            ("0505", 30.0),
            ("0506", 25.0),
            ("0501", 25.0),
            ("0201", 10.0),
            ("0102", 10.0),
        ],
        Scene::Station => &[
            ("0509", 25.0),
            ("0505", 25.0),
            ("0501", 15.0),
            ("0201", 15.0),
            ("0102", 10.0),
            ("0502", 5.0),
            ("0506", 5.0),
        ],
        Scene::Commercial => &[
            ("0504", 25.0),
            ("0202", 10.0),
            ("0203", 10.0),
            ("0506", 20.0),
            ("0508", 6.0),
            ("0116", 6.0),
            ("0510", 5.0),
            ("0205", 3.0),
            ("0204", 5.0),
            ("0102", 10.0),
        ],
        Scene::Hospital => &[
            ("0505", 40.0),
            ("0506", 25.0),
            ("0501", 20.0),
            ("0102", 15.0),
        ],
        Scene::Background => &[
            ("0102", 15.0),
            ("0201", 12.0),
            ("0507", 10.0),
            ("0506", 10.0),
            ("0505", 8.0),
            ("0104", 7.0),
            ("0103", 5.0),
            ("0511", 4.0),
            ("0101", 3.0),
            ("0110", 4.0),
            ("0302", 2.0),
            ("0303", 2.0),
            ("0304", 2.0),
            ("0404", 2.0),
            ("0406", 1.0),
            ("0113", 1.0),
            ("0106", 2.0),
            ("0107", 1.5),
            ("0108", 1.5),
            ("0109", 1.0),
            ("0115", 0.5),
            ("0118", 0.3),
            ("0117", 0.3),
            ("0503", 1.0),
            ("0513", 0.5),
            ("0408", 0.8),
            ("0401", 0.2),
            ("0402", 0.4),
            ("0301", 1.0),
            ("0305", 0.3),
            ("0199", 1.0),
            ("0599", 1.0),
            ("0504", 3.0),
            ("0501", 2.0),
            ("0202", 1.5),
        ],
        Scene::Water => &[("0105", 60.0), ("0114", 20.0), ("0111", 20.0)],
        Scene::Video => &[
            ("0102", 25.0),
            ("0504", 20.0),
            ("0501", 10.0),
            ("0505", 15.0),
            ("0506", 15.0),
            ("0507", 8.0),
            ("0202", 3.0),
            ("0511", 4.0),
        ],
    }
}

/// Seasonal factor of an event class in a month (1–12).
fn season(code: &str, month: u32) -> f64 {
    match code {
        // Plum rain (mid-June–early July) and typhoons (August–September).
        "0406" => [
            1.0, 1.0, 1.5, 2.0, 3.0, 12.0, 8.0, 15.0, 12.0, 3.0, 1.0, 1.0,
        ][month as usize - 1],
        "0404" => [1.0, 1.0, 1.0, 1.2, 1.5, 3.0, 2.5, 3.0, 2.5, 1.2, 1.0, 1.0][month as usize - 1],
        "0510" | "0508" => {
            [0.3, 0.3, 0.6, 1.0, 1.5, 2.5, 3.5, 3.5, 2.5, 1.2, 0.6, 0.4][month as usize - 1]
        }
        "0115" => [1.5, 1.0, 1.0, 0.6, 0.5, 0.4, 0.4, 0.4, 0.6, 1.2, 3.0, 3.0][month as usize - 1],
        "0302" => [1.5, 1.2, 1.5, 1.2, 1.0, 0.6, 0.6, 0.7, 0.9, 1.2, 1.5, 1.5][month as usize - 1],
        "0511" => [0.8, 0.8, 1.0, 1.2, 1.3, 0.8, 1.5, 1.5, 1.3, 1.2, 1.0, 0.8][month as usize - 1],
        _ => 1.0,
    }
}

/// Hour weights per source group.
fn hours(s: CaseSource) -> [f64; 24] {
    match s {
        CaseSource::Patrol => [
            0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.4, 2.5, 6.0, 8.0, 8.0, 5.5, 1.5, 1.5, 4.5, 6.5, 6.5,
            4.0, 1.5, 1.0, 0.8, 0.4, 0.1, 0.02,
        ],
        CaseSource::VideoAi => [
            1.2, 0.8, 0.6, 0.5, 0.6, 1.0, 2.0, 3.5, 4.0, 3.5, 3.0, 3.2, 3.0, 2.6, 2.6, 2.8, 3.2,
            3.8, 4.0, 3.8, 3.2, 2.6, 2.0, 1.6,
        ],
        CaseSource::Sensor => [1.0; 24],
        _ => [
            0.1, 0.05, 0.03, 0.03, 0.05, 0.2, 0.8, 2.5, 4.0, 4.5, 4.0, 3.5, 2.0, 2.5, 3.5, 3.5,
            3.2, 3.0, 3.0, 3.2, 3.0, 2.5, 1.2, 0.4,
        ],
    }
}

/// Extra hour factor of a scene.
fn scene_hours(s: Scene, h: usize) -> f64 {
    match s {
        Scene::Market => [
            0.2, 0.1, 0.1, 0.1, 0.3, 1.5, 3.0, 3.0, 2.5, 1.5, 1.0, 1.0, 0.8, 0.6, 0.6, 0.8, 1.5,
            2.0, 1.5, 0.8, 0.5, 0.3, 0.2, 0.2,
        ][h],
        Scene::School => match h {
            7 => 6.0,
            8 => 1.0,
            11 => 0.6,
            16 => 3.0,
            17 => 4.0,
            _ => 0.0,
        },
        Scene::Commercial => [
            0.5, 0.3, 0.1, 0.1, 0.1, 0.1, 0.3, 0.6, 0.8, 1.0, 1.2, 1.2, 1.0, 1.0, 1.0, 1.2, 1.3,
            1.5, 1.8, 2.0, 2.0, 1.6, 1.0, 0.7,
        ][h],
        _ => 1.0,
    }
}

/// Day-of-week factor.
fn weekday_factor(s: CaseSource, scene: Scene, wd: Weekday) -> f64 {
    let weekend = matches!(wd, Weekday::Sat | Weekday::Sun);
    if scene == Scene::School {
        return if weekend { 0.0 } else { 1.0 };
    }
    match s {
        CaseSource::Patrol => match wd {
            Weekday::Sat => 0.55,
            Weekday::Sun => 0.45,
            Weekday::Mon => 1.1,
            _ => 1.0,
        },
        CaseSource::VideoAi | CaseSource::Sensor => {
            if weekend {
                1.1
            } else {
                1.0
            }
        }
        _ => {
            if weekend {
                1.15
            } else {
                1.0
            }
        }
    }
}

fn school_day(d: NaiveDate) -> bool {
    let (m, day) = (d.month(), d.day());
    let summer = (m == 7 && day >= 5) || m == 8;
    let winter = (m == 1 && day >= 24) || (m == 2 && day <= 25);
    !(summer || winter)
}

struct Draft {
    at: NaiveDateTime,
    cell: u32,
    pt: [f64; 2],
    kind: CaseKind,
    class: String,
    component: Option<ComponentCode>,
    source: CaseSource,
    status: CaseStatus,
    description: String,
}

/// Generates `p.cases` cases in chronological order with task numbers `YYYY-NNNNNNN`.
pub fn generate(
    p: &SampleParams,
    world: &World<'_>,
    tables: &CodeTables,
    components: &[Component],
    comp_cells: &[u32],
) -> Result<Vec<Case>> {
    let t = world.tiling;
    let n_cells = t.cells.len();
    let days: Vec<NaiveDate> = p
        .period_start
        .iter_days()
        .take_while(|d| *d <= p.period_end)
        .collect();
    let end = p
        .period_end
        .succ_opt()
        .ok_or_else(|| Error::Internal("case period ends at the end of the calendar".into()))?
        .and_time(NaiveTime::MIN);

    // Hotspot neighbourhoods: POI cell, then rings 1 and 2.
    let mut rings: Vec<(Scene, [Vec<u32>; 3])> = Vec::new();
    for (poi, &c) in world.pois.iter().zip(&world.poi_cells) {
        let scene = match poi.kind {
            "market" => Scene::Market,
            "school" => Scene::School,
            "station" => Scene::Station,
            "commercial_street" => Scene::Commercial,
            "hospital" => Scene::Hospital,
            _ => continue,
        };
        let r0 = vec![c as u32];
        let mut r1: Vec<u32> = t.cells[c]
            .nbs
            .iter()
            .copied()
            .filter(|&x| x != NONE && !t.cells[x as usize].water)
            .collect();
        r1.sort_unstable();
        r1.dedup();
        let mut r2: Vec<u32> = r1
            .iter()
            .flat_map(|&x| t.cells[x as usize].nbs.iter().copied())
            .filter(|&x| {
                x != NONE && x != c as u32 && !r1.contains(&x) && !t.cells[x as usize].water
            })
            .collect();
        r2.sort_unstable();
        r2.dedup();
        rings.push((scene, [r0, r1, r2]));
    }
    let scene_spots: Vec<Vec<usize>> = SCENES
        .iter()
        .map(|s| (0..rings.len()).filter(|&q| rings[q].0 == *s).collect())
        .collect();
    // Background cells weighted by activity.
    let bg = Cumulative::new((0..n_cells).map(|i| match world.land_use[i] {
        "商业" => 2.5,
        "水域" => 0.25,
        "工业" => 0.6,
        "绿地" => 0.7,
        _ => {
            if t.cells[i].rho < 0.55 * t.rho_max {
                1.6
            } else {
                1.0
            }
        }
    }));
    let cameras: Vec<usize> = (0..components.len())
        .filter(|&q| components[q].class_code.as_str() == "0136")
        .collect();
    // QR plates: the 200 components nearest to the first two commercial streets.
    let mut qr: Vec<usize> = Vec::new();
    for (poi, &c) in world
        .pois
        .iter()
        .zip(&world.poi_cells)
        .filter(|(p, _)| p.kind == "commercial_street")
        .take(2)
    {
        let _ = poi;
        let s = t.cells[c].seed;
        let mut by_d: Vec<(f64, usize)> = (0..components.len())
            .map(|q| {
                let pt = world
                    .proj
                    .fwd(components[q].location.x(), components[q].location.y());
                (
                    (pt[0] - s[0]) * (pt[0] - s[0]) + (pt[1] - s[1]) * (pt[1] - s[1]),
                    q,
                )
            })
            .collect();
        by_d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        qr.extend(by_d.iter().take(100).map(|x| x.1));
    }
    let covers: Vec<usize> = (0..components.len())
        .filter(|&q| components[q].class_code.as_str() <= "0114")
        .collect();
    // Component cases: classes that break or get reported often.
    let comp_weight = Cumulative::new(components.iter().map(|c| match c.class_code.major() {
        "01" => 2.0,
        "02" => 1.2,
        "03" => 1.5,
        "04" => 0.6,
        _ => 0.3,
    }));

    let source_pick = Cumulative::new(SOURCES.iter().map(|s| s.1));
    let ev = &tables.events;
    let class_tables: Vec<Vec<(String, Cumulative)>> = SCENES
        .iter()
        .map(|&s| {
            let list: Vec<(&str, f64)> = scene_classes(s)
                .iter()
                .copied()
                .filter(|(c, _)| ev.get(c).is_some())
                .collect();
            let list = if list.is_empty() {
                ev.iter().map(|e| (e.code.as_str(), 1.0)).collect()
            } else {
                list
            };
            (1..=12u32)
                .map(|m| {
                    let cum = Cumulative::new(list.iter().map(|(c, w)| w * season(c, m)));
                    (
                        list.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(","),
                        cum,
                    )
                })
                .collect()
        })
        .collect();
    // Day tables per (source, scene).
    let day_table = |s: CaseSource, scene: Scene| {
        Cumulative::new(days.iter().map(|d| {
            let f = weekday_factor(s, scene, d.weekday());
            if scene == Scene::School && !school_day(*d) {
                0.0
            } else {
                f
            }
        }))
    };
    let day_tables: Vec<Vec<Cumulative>> = SOURCES
        .iter()
        .map(|&(s, _)| SCENES.iter().map(|&sc| day_table(s, sc)).collect())
        .collect();
    let hour_tables: Vec<Vec<Cumulative>> = SOURCES
        .iter()
        .map(|&(s, _)| {
            let base = hours(s);
            SCENES
                .iter()
                .map(|&sc| {
                    let c = Cumulative::new((0..24).map(|h| base[h] * scene_hours(sc, h)));
                    if c.total() > 0.0 {
                        c
                    } else {
                        Cumulative::new(base)
                    }
                })
                .collect()
        })
        .collect();

    let seed = p.seed;
    let drafts: Vec<Draft> = (0..p.cases)
        .into_par_iter()
        .map(|k| {
            let mut rng = ChaCha8Rng::seed_from_u64(hash(&[seed, 0xCA5E, k as u64]));
            let si = source_pick.pick(rng.gen()).unwrap_or(0);
            let source = SOURCES[si].0;
            let mut component = None;
            let is_comp = rng.gen::<f64>() < component_share(source) && !components.is_empty();
            let (scene, cell, pt, class, kind) = if is_comp {
                let q = match source {
                    CaseSource::QrCode if !qr.is_empty() => {
                        qr[rng.gen_range(0..qr.len() as u64) as usize]
                    }
                    CaseSource::Sensor if !covers.is_empty() => {
                        covers[rng.gen_range(0..covers.len() as u64) as usize]
                    }
                    _ => comp_weight.pick(rng.gen()).unwrap_or(0),
                };
                let c = &components[q];
                component = Some(c.code);
                let pt = world.proj.fwd(c.location.x(), c.location.y());
                (
                    Scene::Background,
                    comp_cells[q],
                    pt,
                    c.class_code.as_str().to_string(),
                    CaseKind::Component,
                )
            } else {
                let (scene, cell, pt) = if source == CaseSource::VideoAi && !cameras.is_empty() {
                    let q = cameras[rng.gen_range(0..cameras.len() as u64) as usize];
                    let cell = comp_cells[q];
                    let cam = world
                        .proj
                        .fwd(components[q].location.x(), components[q].location.y());
                    let s = t.cells[cell as usize].seed;
                    let f = 0.05 + 0.55 * rng.gen::<f64>();
                    (
                        Scene::Video,
                        cell,
                        [cam[0] + (s[0] - cam[0]) * f, cam[1] + (s[1] - cam[1]) * f],
                    )
                } else {
                    let r: f64 = rng.gen();
                    let want = if r < 0.12 {
                        Scene::Market
                    } else if r < 0.18 {
                        Scene::School
                    } else if r < 0.23 {
                        Scene::Station
                    } else if r < 0.33 {
                        Scene::Commercial
                    } else if r < 0.36 {
                        Scene::Hospital
                    } else {
                        Scene::Background
                    };
                    let spots = &scene_spots[SCENES.iter().position(|s| *s == want).unwrap_or(5)];
                    let (scene, cell) = if want != Scene::Background && !spots.is_empty() {
                        let (_, rs) = &rings[spots[rng.gen_range(0..spots.len() as u64) as usize]];
                        let rr: f64 = rng.gen();
                        let ring = if rr < 0.45 || (rs[1].is_empty() && rs[2].is_empty()) {
                            &rs[0]
                        } else if rr < 0.8 || rs[2].is_empty() {
                            if rs[1].is_empty() {
                                &rs[2]
                            } else {
                                &rs[1]
                            }
                        } else {
                            &rs[2]
                        };
                        (want, ring[rng.gen_range(0..ring.len() as u64) as usize])
                    } else {
                        let c = bg.pick(rng.gen()).unwrap_or(0) as u32;
                        (
                            if t.cells[c as usize].water {
                                Scene::Water
                            } else {
                                Scene::Background
                            },
                            c,
                        )
                    };
                    let c = cell as usize;
                    let pt = if rng.gen::<f64>() < 0.7 {
                        let n = t.cells[c].ring.len();
                        let e = rng.gen_range(0..n as u64) as usize;
                        let (tt, d) = (0.05 + 0.9 * rng.gen::<f64>(), 1.5 + 7.0 * rng.gen::<f64>());
                        on_edge(world, c, e, tt, d)
                    } else {
                        None
                    };
                    let pt =
                        pt.unwrap_or_else(|| interior(world, c, [rng.gen(), rng.gen(), rng.gen()]));
                    (scene, cell, pt)
                };
                (scene, cell, pt, String::new(), CaseKind::Event)
            };
            let sc = SCENES.iter().position(|s| *s == scene).unwrap_or(5);
            let day = days[day_tables[si][sc]
                .pick(rng.gen())
                .unwrap_or(0)
                .min(days.len() - 1)];
            let hour = hour_tables[si][sc].pick(rng.gen()).unwrap_or(9) as u32;
            let secs = hour * 3600 + rng.gen_range(0..3600u32);
            let at = day.and_time(
                NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN),
            );
            let class = if kind == CaseKind::Event {
                let (codes, cum) = &class_tables[sc][day.month() as usize - 1];
                let i = cum.pick(rng.gen()).unwrap_or(0);
                codes.split(',').nth(i).unwrap_or("0199").to_string()
            } else {
                class
            };
            let status = status_for(source, end - at, rng.gen());
            let description = describe(
                world,
                scene,
                cell as usize,
                &class,
                kind,
                ev,
                tables,
                source,
                component.as_ref(),
            );
            Draft {
                at,
                cell,
                pt,
                kind,
                class,
                component,
                source,
                status,
                description,
            }
        })
        .collect();

    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by(|&a, &b| drafts[a].at.cmp(&drafts[b].at).then(a.cmp(&b)));
    let mut out = Vec::with_capacity(drafts.len());
    let mut year = 0;
    let mut n = 0u32;
    let mut drafts: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    for q in order {
        let Some(d) = drafts[q].take() else { continue };
        if d.at.year() != year {
            year = d.at.year();
            n = 0;
        }
        n += 1;
        let ll = world.proj.inv(d.pt);
        out.push(Case {
            id: format!("{year}-{n:07}"),
            location: geo_types::Point::new(ll[0], ll[1]),
            kind: d.kind,
            class_code: ClassCode::parse(&d.class)?,
            component: d.component,
            source: d.source,
            reported_at: d.at,
            status: d.status,
            description: Some(d.description),
            grid: Some(world.grid_codes[d.cell as usize]),
            sample: true,
        });
    }
    Ok(out)
}

fn status_for(source: CaseSource, age: Duration, u: f64) -> CaseStatus {
    use CaseStatus::*;
    let days = age.num_hours() as f64 / 24.0;
    let table: &[(CaseStatus, f64)] = if days >= 30.0 {
        &[
            (Closed, 90.5),
            (SelfHandled, 3.0),
            (Cancelled, 2.5),
            (NotAccepted, 2.0),
            (Hung, 1.5),
            (Handling, 0.5),
        ]
    } else if days >= 7.0 {
        &[
            (Closed, 75.0),
            (SelfHandled, 3.0),
            (Cancelled, 2.0),
            (NotAccepted, 2.0),
            (Hung, 4.0),
            (Handling, 8.0),
            (Checking, 3.0),
            (ToClose, 3.0),
        ]
    } else if days >= 1.0 {
        &[
            (Closed, 40.0),
            (Handling, 25.0),
            (Filed, 8.0),
            (Checking, 8.0),
            (ToClose, 6.0),
            (Accepted, 4.0),
            (Verifying, 3.0),
            (SelfHandled, 3.0),
            (Hung, 2.0),
            (Cancelled, 1.0),
        ]
    } else {
        &[
            (Reported, 15.0),
            (Accepted, 15.0),
            (Verifying, 10.0),
            (Filed, 20.0),
            (Handling, 25.0),
            (Closed, 10.0),
            (SelfHandled, 5.0),
        ]
    };
    let cum = Cumulative::new(table.iter().map(|x| x.1));
    let s = table[cum.pick(u).unwrap_or(0)].0;
    // Inspectors' and cameras' reports need no on-site verification.
    if s == Verifying
        && matches!(
            source,
            CaseSource::Patrol | CaseSource::VideoAi | CaseSource::Sensor
        )
    {
        Filed
    } else {
        s
    }
}

#[allow(clippy::too_many_arguments)]
fn describe(
    world: &World<'_>,
    scene: Scene,
    cell: usize,
    class: &str,
    kind: CaseKind,
    ev: &ClassTable,
    tables: &CodeTables,
    source: CaseSource,
    component: Option<&ComponentCode>,
) -> String {
    let g = &world.grid_codes[cell];
    let street = &world.street_names[world.street_of_cell[cell] as usize];
    if kind == CaseKind::Component {
        let name = tables
            .components
            .get(class)
            .map_or("部件", |e| e.name.as_str());
        let what = match class {
            "0118" | "0119" | "0120" => "不亮",
            c if c <= "0114" => "破损或缺失",
            "0305" => "破损或满溢",
            "0402" => "倒伏或枯死",
            _ => "损坏",
        };
        let code = component
            .map(|c| c.as_str().to_string())
            .unwrap_or_default();
        let via = if source == CaseSource::Sensor {
            "（物联感知告警）"
        } else {
            ""
        };
        return format!("{street}网格{g}：{name}{what}，部件编码{code}{via}");
    }
    let name = ev.get(class).map_or("其他问题", |e| e.name.as_str());
    let near = Some(world.poi_of_cell[cell])
        .filter(|&q| q != u32::MAX && !matches!(scene, Scene::Background | Scene::Water))
        .map(|q| format!("{}附近", world.pois[q as usize].name))
        .unwrap_or_default();
    if scene == Scene::Video {
        format!("视频AI识别：{street}网格{g}{near}发现{name}")
    } else {
        format!("{street}网格{g}{near}：{name}")
    }
}
