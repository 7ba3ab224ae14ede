//! The sample's street registers (docs/registers.md): shops along the sample's road lines with
//! their 门前三包 frontages, a residents' committee per community, mobile vendors with a year
//! of warnings, two vending zones at a market and a commercial street with vendors admitted,
//! a year of move-car reminders and two notices. Deterministic from the sample's seed.
//! Everything is invented; names and phone numbers are made up (phones 1380000xxxx).

use super::names::{person, PREFIX, SURNAMES};
use super::SampleDistrict;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use griddesk_planning::planning::detmath::hash;
use griddesk_registers::registers::credit::{check_char, CHARSET};
use griddesk_registers::registers::{TargetKind, VendingZone};
use serde::{Deserialize, Serialize};

/// A service object as a row of the sample's `service_objects.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleObject {
    pub name: String,
    pub address: String,
    pub kind: &'static str,
    pub location: [f64; 2],
    pub subclass: &'static str,
    pub credit_code: Option<String>,
    pub legal_rep: String,
    pub phone: String,
    pub status: &'static str,
    pub frontage: Option<Vec<[f64; 2]>>,
}

/// A vendor, its warnings and where it stands (indices into `vendors` elsewhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleVendor {
    pub name: String,
    pub phone: String,
    pub trade: String,
    pub usual_place: [f64; 2],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleWarning {
    pub vendor: usize,
    pub at: NaiveDateTime,
    pub location: [f64; 2],
    pub matter: String,
    pub refused: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleAdmission {
    pub zone: String,
    pub vendor: usize,
    pub trade: String,
    /// Filed with this stall number.
    pub stall: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleMoveCar {
    pub plate: String,
    pub place: String,
    pub location: [f64; 2],
    pub at: NaiveDateTime,
    pub channel: String,
    /// `moved`, `ticketed` or `no_response`.
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleNotice {
    pub title: String,
    pub template: String,
    pub target: TargetKind,
    pub key: String,
}

/// Everything but the objects goes to `registers.json`; the objects to `service_objects.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SampleRegisters {
    #[serde(skip)]
    pub objects: Vec<SampleObject>,
    pub vendors: Vec<SampleVendor>,
    pub warnings: Vec<SampleWarning>,
    pub zones: Vec<VendingZone>,
    pub admissions: Vec<SampleAdmission>,
    pub move_cars: Vec<SampleMoveCar>,
    pub notices: Vec<SampleNotice>,
}

/// Street-front trades: sub-class, what the shop name ends with, weight.
const TRADES: &[(&str, &str, u64)] = &[
    ("F01", "便利店", 10),
    ("F02", "烟酒商行", 6),
    ("F03", "水果店", 6),
    ("F04", "服饰", 7),
    ("F05", "五金建材", 4),
    ("F06", "数码通讯", 3),
    ("F07", "大药房", 3),
    ("F11", "花店", 2),
    ("H01", "饭店", 8),
    ("H02", "小吃店", 9),
    ("H03", "烧烤", 4),
    ("H04", "奶茶店", 4),
    ("H05", "宾馆", 2),
    ("H06", "茶楼", 2),
    ("J01", "银行网点", 1),
    ("K01", "房产中介", 2),
    ("O01", "美发店", 6),
    ("O03", "干洗店", 2),
    ("O04", "汽车修理厂", 2),
    ("O05", "洗车店", 2),
    ("O07", "电动车维修", 2),
    ("P03", "培训中心", 2),
    ("Q01", "诊所", 2),
];

/// Metres east and north of `o` as lon/lat.
fn offset(o: [f64; 2], east: f64, north: f64) -> [f64; 2] {
    [
        o[0] + east / (111_320.0 * o[1].to_radians().cos()),
        o[1] + north / 110_574.0,
    ]
}

fn metres(a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    (
        (b[0] - a[0]) * 111_320.0 * a[1].to_radians().cos(),
        (b[1] - a[1]) * 110_574.0,
    )
}

/// A valid-looking credit code for a firm registered in `district`.
fn credit_code(h: u64, district: &str) -> String {
    let cs: Vec<char> = CHARSET.chars().collect();
    let mut s = String::from("92");
    s.push_str(district);
    for i in 0..9 {
        s.push(cs[((h >> (i * 5)) % 31) as usize]);
    }
    let c = check_char(&s).unwrap_or('0');
    s.push(c);
    s
}

fn pick(h: u64) -> (&'static str, &'static str) {
    let total: u64 = TRADES.iter().map(|t| t.2).sum();
    let mut r = h % total;
    for (code, suffix, w) in TRADES {
        if r < *w {
            return (code, suffix);
        }
        r -= w;
    }
    (TRADES[0].0, TRADES[0].1)
}

/// The sample's registers (see the module docs).
pub fn generate(d: &SampleDistrict, seed: u64) -> SampleRegisters {
    let mut out = SampleRegisters::default();
    let district = d.district.code.to_string();
    // Shops every 40 m along both sides of each road line, 14 m from its centre; the
    // frontage is the 18 m of pavement in front of the shop, 7 m from the centre line.
    for (ri, road) in d.zones.roads.iter().enumerate() {
        let pts: Vec<[f64; 2]> = road.line.0.iter().map(|c| [c.x, c.y]).collect();
        let mut number = [1u32, 2u32];
        let mut carry = 20.0;
        for w in pts.windows(2) {
            let (dx, dy) = metres(w[0], w[1]);
            let len = (dx * dx + dy * dy).sqrt();
            if len < 1.0 {
                continue;
            }
            let (ux, uy) = (dx / len, dy / len);
            let mut s = carry;
            while s < len {
                let k = (ri as u64) << 32 | out.objects.len() as u64;
                for (side, next_no) in number.iter_mut().enumerate() {
                    let h = hash(&[seed, 0x5e, k, side as u64]);
                    if h % 10 < 2 {
                        continue; // a gap: a gate, a wall, a side road
                    }
                    let sign = if side == 0 { 1.0 } else { -1.0 };
                    let (nx, ny) = (-uy * sign, ux * sign);
                    let at = |along: f64, out: f64| {
                        offset(w[0], ux * along + nx * out, uy * along + ny * out)
                    };
                    let (sub, suffix) = pick(h >> 8);
                    let base = format!(
                        "{}{}",
                        PREFIX[(h >> 24) as usize % PREFIX.len()],
                        PREFIX[(h >> 32) as usize % PREFIX.len()]
                    );
                    let no = *next_no;
                    *next_no += 2;
                    let status = match (h >> 40) % 50 {
                        0 => "closed",
                        1 | 2 => "suspended",
                        _ => "operating",
                    };
                    let firm = (h >> 44).is_multiple_of(3);
                    out.objects.push(SampleObject {
                        name: format!("{base}{suffix}"),
                        address: format!("{}{no}号", road.name),
                        kind: "shop",
                        location: at(s, 14.0),
                        subclass: sub,
                        credit_code: firm.then(|| credit_code(hash(&[seed, h]), &district)),
                        legal_rep: person(hash(&[seed, h, 1])),
                        phone: format!("1380000{:04}", out.objects.len() % 10_000),
                        status,
                        frontage: (road.class.key() != "lane")
                            .then(|| vec![at(s - 9.0, 7.0), at(s + 9.0, 7.0)]),
                    });
                }
                s += 40.0;
            }
            carry = s - len;
        }
    }
    // A residents' committee in every community.
    for (i, c) in d.communities.iter().enumerate() {
        use geo::Centroid;
        let Some(p) = c.boundary.centroid() else {
            continue;
        };
        out.objects.push(SampleObject {
            name: format!("{}居民委员会", c.name.trim_end_matches("社区")),
            address: format!("{}办公楼", c.name),
            kind: "community",
            location: [p.x(), p.y()],
            subclass: "S02",
            credit_code: Some(
                credit_code(hash(&[seed, 0xc0, i as u64]), &district).replacen("92", "57", 1),
            ),
            legal_rep: person(hash(&[seed, 0xc1, i as u64])),
            phone: format!("0576-8{:06}", 100_000 + i),
            status: "operating",
            frontage: None,
        });
    }
    // Credit codes changed after the check character was computed are made valid again.
    for o in &mut out.objects {
        if let Some(c) = &mut o.credit_code {
            let head: String = c.chars().take(17).collect();
            *c = format!("{head}{}", check_char(&head).unwrap_or('0'));
        }
    }

    // Vendors near the markets, commercial streets and schools, with a year of warnings.
    let end = d.case_loop_end();
    let spots: Vec<&super::SamplePoi> = d
        .pois
        .iter()
        .filter(|p| matches!(p.kind, "market" | "commercial_street" | "school"))
        .collect();
    let trades = ["烧烤", "水果", "小吃", "早点", "杂货", "蔬菜"];
    for i in 0..36usize {
        if spots.is_empty() {
            break;
        }
        let h = hash(&[seed, 0x7e, i as u64]);
        let spot = spots[i % spots.len()];
        let place = offset(
            [spot.location.x(), spot.location.y()],
            ((h % 120) as f64) - 60.0,
            (((h >> 8) % 120) as f64) - 60.0,
        );
        out.vendors.push(SampleVendor {
            name: format!(
                "{}{}",
                SURNAMES[(h >> 16) as usize % SURNAMES.len()],
                ["某", "师傅", "阿姨", "老板"][(h >> 24) as usize % 4]
            ),
            phone: format!("1390000{:04}", i),
            trade: trades[(h >> 28) as usize % trades.len()].to_string(),
            usual_place: place,
        });
        // 0–4 refusals among up to 6 warnings over the year before the period's end.
        let refusals = [0, 0, 1, 1, 1, 2, 2, 3, 4][(h >> 32) as usize % 9];
        let warnings = refusals + (h >> 36) as usize % 3;
        for k in 0..warnings {
            let hk = hash(&[h, k as u64]);
            let at = end - Duration::days(((hk % 330) + 1) as i64)
                + Duration::minutes((17 * 60 + hk % 240) as i64);
            out.warnings.push(SampleWarning {
                vendor: i,
                at,
                location: offset(
                    place,
                    (hk % 30) as f64 - 15.0,
                    ((hk >> 8) % 30) as f64 - 15.0,
                ),
                matter: ["占道经营", "流动摊贩", "店外经营"][(hk >> 16) as usize % 3].to_string(),
                refused: k < refusals,
            });
        }
    }
    out.warnings.sort_by_key(|w| w.at);

    // Two vending zones: a morning market by a market, a night market by a commercial street.
    let square = |c: [f64; 2], half: f64| {
        vec![
            offset(c, -half, -half),
            offset(c, half, -half),
            offset(c, half, half),
            offset(c, -half, half),
            offset(c, -half, -half),
        ]
    };
    let first = |kind: &str| {
        d.pois
            .iter()
            .find(|p| p.kind == kind)
            .map(|p| [p.location.x(), p.location.y()])
    };
    if let Some(m) = first("market") {
        out.zones.push(VendingZone {
            code: "SD001".into(),
            name: "早市疏导点".into(),
            ring: square(m, 45.0),
            days: vec![1, 2, 3, 4, 5, 6, 7],
            hours: vec![("05:30".into(), "08:30".into())],
            trades: vec!["早点".into(), "水果".into(), "蔬菜".into()],
            capacity: Some(20),
            note: Some("菜市场东侧空地，早市结束后清场".into()),
        });
    }
    if let Some(c) = first("commercial_street") {
        out.zones.push(VendingZone {
            code: "SD002".into(),
            name: "夜市疏导区".into(),
            ring: square(c, 60.0),
            days: vec![5, 6, 7],
            hours: vec![("18:00".into(), "01:00".into())],
            trades: vec!["烧烤".into(), "小吃".into(), "杂货".into()],
            capacity: Some(30),
            note: Some("周五至周日夜间，定时定点定区域".into()),
        });
    }
    for z in &out.zones {
        let mut n = 0;
        for (i, v) in out.vendors.iter().enumerate() {
            if z.trades.contains(&v.trade) && n < 6 {
                n += 1;
                out.admissions.push(SampleAdmission {
                    zone: z.code.clone(),
                    vendor: i,
                    trade: v.trade.clone(),
                    stall: (n % 3 != 0).then(|| format!("{}-{n:02}", &z.code[2..])),
                });
            }
        }
    }

    // Move-car reminders along the streets and roads over the year: about 60 % moved.
    let arterials: Vec<_> = d
        .zones
        .roads
        .iter()
        .filter(|r| r.class.key() != "lane")
        .collect();
    let days = (end.date() - NaiveDate::from_ymd_opt(2025, 11, 1).unwrap_or(end.date()))
        .num_days()
        .max(1);
    for i in 0..720u64 {
        if arterials.is_empty() {
            break;
        }
        let h = hash(&[seed, 0xca, i]);
        let road = arterials[(h % arterials.len() as u64) as usize];
        let c = road.line.0[(h >> 8) as usize % road.line.0.len()];
        let at = NaiveDate::from_ymd_opt(2025, 11, 1)
            .unwrap_or(end.date())
            .and_hms_opt(7, 0, 0)
            .unwrap_or(end)
            + Duration::days((h >> 16) as i64 % days)
            + Duration::minutes((h >> 24) as i64 % 720);
        out.move_cars.push(SampleMoveCar {
            plate: format!(
                "浙J{}{:04}",
                ['A', 'B', 'C', 'D', 'F', 'G'][(h >> 34) as usize % 6],
                (h >> 40) % 10_000
            ),
            place: road.name.clone(),
            location: offset([c.x, c.y], 6.0, 0.0),
            at,
            channel: ["短信", "电话", "挪车码"][(h >> 44) as usize % 3].into(),
            outcome: match (h >> 48) % 20 {
                0..=11 => "moved",
                12..=16 => "ticketed",
                _ => "no_response",
            }
            .into(),
        });
    }
    out.move_cars.sort_by_key(|m| m.at);
    out.notices = vec![
        SampleNotice {
            title: "油烟净化设备清洗提醒".into(),
            template: "【黄岩城管】{名称}（{地址}）：请于本月底前清洗油烟净化设备，保持门前整洁。"
                .into(),
            target: TargetKind::Section,
            key: "H".into(),
        },
        SampleNotice {
            title: "门前三包责任提醒".into(),
            template:
                "【黄岩城管】{名称}负责人{负责人}：请落实门前三包责任，勿店外经营、乱堆物料。"
                    .into(),
            target: TargetKind::Subclass,
            key: "F02".into(),
        },
    ];
    out
}

impl SampleDistrict {
    /// The end of the sample's case period, 23:59.
    fn case_loop_end(&self) -> NaiveDateTime {
        self.cases
            .iter()
            .map(|c| c.reported_at)
            .max()
            .unwrap_or_else(|| {
                NaiveDate::from_ymd_opt(2026, 10, 31)
                    .unwrap_or_default()
                    .and_hms_opt(23, 59, 0)
                    .unwrap_or_default()
            })
    }
}

/// The objects as the register's import file (its English column names).
pub fn objects_csv(objects: &[SampleObject]) -> String {
    let mut s = String::from(
        "name,address,kind,lon,lat,subclass,credit_code,legal_rep,phone,status,frontage\n",
    );
    for o in objects {
        let frontage = o.frontage.as_ref().map_or(String::new(), |f| {
            format!(
                "\"LINESTRING ({})\"",
                f.iter()
                    .map(|p| format!("{:.7} {:.7}", p[0], p[1]))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        s.push_str(&format!(
            "{},{},{},{:.7},{:.7},{},{},{},{},{},{}\n",
            o.name,
            o.address,
            o.kind,
            o.location[0],
            o.location[1],
            o.subclass,
            o.credit_code.as_deref().unwrap_or(""),
            o.legal_rep,
            o.phone,
            o.status,
            frontage
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use griddesk_registers::registers::credit::parse_credit_code;

    #[test]
    fn the_sample_registers_are_plausible_and_deterministic() {
        let p = crate::sample::SampleParams::benchmark(600, 200);
        let d = crate::sample::generate(&p).expect("sample");
        let r = generate(&d, p.seed);
        assert_eq!(r, generate(&d, p.seed));
        assert!(r.objects.len() > 100, "{}", r.objects.len());
        let mut codes = std::collections::HashSet::new();
        for o in &r.objects {
            if let Some(c) = &o.credit_code {
                assert_eq!(parse_credit_code(c).as_deref(), Ok(c.as_str()));
                assert!(codes.insert(c.clone()), "{c} twice");
            }
        }
        assert!(r.objects.iter().any(|o| o.frontage.is_some()));
        assert!(!r.vendors.is_empty() && !r.warnings.is_empty());
        assert!(r.warnings.iter().all(|w| w.vendor < r.vendors.len()));
        assert!(r
            .admissions
            .iter()
            .all(|a| r.zones.iter().any(|z| z.code == a.zone)));
        let moved = r.move_cars.iter().filter(|m| m.outcome == "moved").count();
        assert!(moved * 2 > r.move_cars.len(), "most cars move");
        let csv = objects_csv(&r.objects);
        assert_eq!(csv.lines().count(), r.objects.len() + 1);
    }
}
