//! Reports: any analytics table as XLSX (Chinese headers, number formats, frozen header) or CSV
//! (UTF-8 with BOM so Excel reads it), and the monthly bulletin as one self-contained HTML file
//! (key table, heatmap as an embedded PNG, trend chart as inline SVG).

use super::choropleth::Choropleth;
use super::columns::CaseColumns;
use super::evaluation::{EvalTable, Evaluation};
use super::heatmap::{Heatmap, LegendStop};
use super::hotspots::{Change, Hotspots};
use super::load::{LoadBalance, LoadFlag};
use super::trends::Trends;
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A number shown with 2 decimals (rates in %, scores, densities).
    Num(f64),
    Empty,
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Num)
    }
}

/// A titled table ready for export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sheet {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// An evaluation table: code, name, counts, rates (%), scores, composite, grade, rank.
    pub fn from_eval(t: &EvalTable) -> Self {
        let mut headers: Vec<String> = vec!["代码".into(), "名称".into()];
        headers.extend(t.counts.iter().map(|i| i.zh().to_string()));
        headers.extend(t.rates.iter().map(|r| format!("{}(%)", r.label)));
        headers.extend(
            t.scores
                .iter()
                .map(|s| format!("{}(权重{})", s.label, s.weight)),
        );
        headers.extend(["综合指标值", "等级", "排名"].map(String::from));
        let rows = t
            .rows
            .iter()
            .map(|r| {
                let mut v = vec![Cell::Text(r.code.clone()), Cell::Text(r.name.clone())];
                v.extend(r.counts.iter().map(|&c| Cell::Int(i64::from(c))));
                v.extend(r.rates.iter().map(|&x| Cell::from(x)));
                v.extend(r.scores.iter().map(|&x| Cell::from(x)));
                v.push(Cell::from(r.composite));
                v.push(r.grade.clone().map_or(Cell::Empty, Cell::Text));
                v.push(
                    r.rank
                        .map_or(Cell::Text("—".into()), |k| Cell::Int(i64::from(k))),
                );
                v
            })
            .collect();
        Sheet {
            title: t.title.to_string(),
            headers,
            rows,
        }
    }

    /// Every table of an evaluation, one sheet each.
    pub fn from_evaluation(e: &Evaluation) -> Vec<Self> {
        e.tables.iter().map(Self::from_eval).collect()
    }

    /// Per-grid counts (only grids with at least one case).
    pub fn from_choropleth(c: &Choropleth, names: &CaseColumns) -> Self {
        let reg = &names.regions;
        let rows = (0..c.codes.len())
            .filter(|&i| c.cases[i] > 0)
            .map(|i| {
                let name = crate::code::GridCode::parse(&c.codes[i])
                    .ok()
                    .and_then(|g| reg.grid_index(&g))
                    .map(|g| reg.grid_names[g as usize].clone())
                    .unwrap_or_default();
                vec![
                    Cell::Text(c.codes[i].clone()),
                    Cell::Text(name),
                    Cell::Int(i64::from(c.cases[i])),
                    Cell::Num(f64::from(c.per_ha[i])),
                    Cell::Int(i64::from(c.overdue[i])),
                    c.overdue_share[i].map_or(Cell::Empty, |s| Cell::Num(f64::from(s) * 100.0)),
                ]
            })
            .collect();
        Sheet {
            title: "网格案件统计".into(),
            headers: [
                "网格编码",
                "网格名称",
                "案件数",
                "每公顷案件数",
                "超期案件数",
                "超期占比(%)",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }
    }

    /// Hotspot grids and places.
    pub fn from_hotspots(h: &Hotspots) -> Vec<Self> {
        let change = |c: &Change| {
            vec![
                Cell::Int(i64::from(c.current)),
                c.previous.map_or(Cell::Empty, |p| Cell::Int(i64::from(p))),
                Cell::from(c.change_pct),
                Cell::Text(
                    match c.direction {
                        Some(super::hotspots::Direction::Up) => "↑",
                        Some(super::hotspots::Direction::Down) => "↓",
                        Some(super::hotspots::Direction::Same) => "→",
                        Some(super::hotspots::Direction::New) => "新增",
                        None => "",
                    }
                    .into(),
                ),
            ]
        };
        let grids = Sheet {
            title: "热点网格".into(),
            headers: [
                "排名",
                "网格编码",
                "网格名称",
                "经度",
                "纬度",
                "案件数",
                "上期",
                "变化(%)",
                "趋势",
            ]
            .map(String::from)
            .to_vec(),
            rows: h
                .grids
                .iter()
                .map(|g| {
                    let mut v = vec![
                        Cell::Int(g.rank as i64),
                        Cell::Text(g.code.clone()),
                        Cell::Text(g.name.clone()),
                        Cell::Num(g.centre[0]),
                        Cell::Num(g.centre[1]),
                    ];
                    v.extend(change(&g.cases));
                    v
                })
                .collect(),
        };
        let places = Sheet {
            title: "热点区域".into(),
            headers: [
                "排名",
                "经度",
                "纬度",
                "半径(米)",
                "主要类别",
                "类别占比(%)",
                "案件数",
                "上期",
                "变化(%)",
                "趋势",
            ]
            .map(String::from)
            .to_vec(),
            rows: h
                .places
                .iter()
                .map(|p| {
                    let mut v = vec![
                        Cell::Int(p.rank as i64),
                        Cell::Num(p.centre[0]),
                        Cell::Num(p.centre[1]),
                        Cell::Num(p.radius_m),
                        Cell::Text(p.dominant_class_label.clone()),
                        Cell::Num(p.dominant_share * 100.0),
                    ];
                    v.extend(change(&p.cases));
                    v
                })
                .collect(),
        };
        vec![grids, places]
    }

    /// Counts per bucket: total, each class series, each source series.
    pub fn from_trends(t: &Trends) -> Self {
        let mut headers = vec!["日期".to_string(), "合计".to_string()];
        headers.extend(t.by_class.iter().map(|s| s.label.clone()));
        headers.extend(t.by_source.iter().map(|s| format!("来源:{}", s.label)));
        let rows = (0..t.starts.len())
            .map(|i| {
                let mut v = vec![
                    Cell::Text(t.starts[i].to_string()),
                    Cell::Int(i64::from(t.total[i])),
                ];
                v.extend(t.by_class.iter().map(|s| Cell::Int(i64::from(s.values[i]))));
                v.extend(
                    t.by_source
                        .iter()
                        .map(|s| Cell::Int(i64::from(s.values[i]))),
                );
                v
            })
            .collect();
        Sheet {
            title: "案件趋势".into(),
            headers,
            rows,
        }
    }

    /// Workload per grid.
    pub fn from_load(l: &LoadBalance) -> Self {
        Sheet {
            title: "网格工作量".into(),
            headers: [
                "网格编码",
                "网格名称",
                "案件数",
                "部件数",
                "工作量",
                "与中位数之比",
                "标记",
            ]
            .map(String::from)
            .to_vec(),
            rows: l
                .grids
                .iter()
                .map(|g| {
                    vec![
                        Cell::Text(g.code.clone()),
                        Cell::Text(g.name.clone()),
                        Cell::Int(i64::from(g.cases)),
                        Cell::Int(i64::from(g.components)),
                        Cell::Num(g.workload),
                        Cell::from(g.ratio),
                        Cell::Text(
                            match g.flag {
                                LoadFlag::High => "偏高",
                                LoadFlag::Low => "偏低",
                                LoadFlag::Normal => "",
                            }
                            .into(),
                        ),
                    ]
                })
                .collect(),
        }
    }
}

fn xlsx_err(path: &Path, e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Invalid(
        Message::new(C::ExportWriteFailed)
            .en(format!("{}: cannot write XLSX: {e}", path.display())),
    )
}

/// A worksheet name Excel accepts: no `[]:*?/\`, at most 31 characters, unique.
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let base: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(28)
        .collect();
    let mut name = base.clone();
    let mut k = 2;
    while used.contains(&name) {
        name = format!("{base}{k}");
        k += 1;
    }
    used.push(name.clone());
    name
}

/// Writes sheets to one XLSX workbook.
pub fn write_xlsx(path: &Path, sheets: &[Sheet]) -> Result<()> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let num = Format::new().set_num_format("0.00");
    let mut used = vec![];
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&s.title, &mut used))
            .map_err(|e| xlsx_err(path, e))?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &head)
                .map_err(|e| xlsx_err(path, e))?;
            let width = (h.chars().count() as f64 * 2.0).clamp(8.0, 24.0);
            ws.set_column_width(c as u16, width)
                .map_err(|e| xlsx_err(path, e))?;
        }
        ws.set_freeze_panes(1, 0).map_err(|e| xlsx_err(path, e))?;
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => ws.write_string(r, c, t).map(|_| ()),
                    Cell::Int(v) => ws.write_number(r, c, *v as f64).map(|_| ()),
                    Cell::Num(v) => ws.write_number_with_format(r, c, *v, &num).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(|e| xlsx_err(path, e))?;
            }
        }
    }
    wb.save(path).map_err(|e| xlsx_err(path, e))
}

/// The CSV text of a sheet: UTF-8 with BOM, header row first, 2 decimals for numbers.
pub fn csv_text(s: &Sheet) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let err = |e: csv::Error| {
        Error::Invalid(Message::new(C::ExportWriteFailed).en(format!("CSV {}: {e}", s.title)))
    };
    griddesk_core::csvtable::write_safe_record(&mut w, &s.headers).map_err(err)?;
    for row in &s.rows {
        griddesk_core::csvtable::write_safe_record(
            &mut w,
            row.iter().map(|c| match c {
                Cell::Text(t) => t.clone(),
                Cell::Int(v) => v.to_string(),
                Cell::Num(v) => format!("{v:.2}"),
                Cell::Empty => String::new(),
            }),
        )
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| {
        Error::Invalid(Message::new(C::ExportWriteFailed).en(format!("CSV {}: {e}", s.title)))
    })
}

/// Writes a sheet as CSV (UTF-8 with BOM).
pub fn write_csv(path: &Path, s: &Sheet) -> Result<()> {
    std::fs::write(path, csv_text(s)?).map_err(|e| Error::io(path, e))
}

/// Standard base64 (for the PNG embedded in the bulletin).
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for ch in data.chunks(3) {
        let b = [ch[0], *ch.get(1).unwrap_or(&0), *ch.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= ch.len() {
                out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The trend chart as inline SVG: total per bucket plus each class series, with axes.
pub fn trend_svg(t: &Trends, width: u32, height: u32) -> String {
    let (w, h) = (f64::from(width), f64::from(height));
    let (l, r, top, b) = (48.0, 150.0, 16.0, 36.0);
    let n = t.starts.len().max(1);
    let max = t.total.iter().copied().max().unwrap_or(0).max(1);
    let x = |i: usize| {
        l + (w - l - r)
            * if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.5
            }
    };
    let y = |v: u32| top + (h - top - b) * (1.0 - f64::from(v) / f64::from(max));
    let colours = [
        "#1f4e79", "#d7301f", "#fc8d59", "#41ab5d", "#807dba", "#969696", "#e7298a",
    ];
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = write!(
        s,
        "<line x1=\"{l}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/>",
        h - b,
        w - r,
        h - b
    );
    let _ = write!(
        s,
        "<line x1=\"{l}\" y1=\"{top}\" x2=\"{l}\" y2=\"{}\" stroke=\"#888\"/>",
        h - b
    );
    for k in 0..=4 {
        let v = (f64::from(max) * f64::from(k) / 4.0).round() as u32;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            l - 4.0,
            y(v) + 4.0
        );
    }
    let ticks = 6.min(n);
    for k in 0..ticks {
        let i = if ticks > 1 {
            k * (n - 1) / (ticks - 1)
        } else {
            0
        };
        if let Some(d) = t.starts.get(i) {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x(i),
                h - b + 16.0,
                d.format("%m-%d")
            );
        }
    }
    let mut series: Vec<(&str, &[u32])> = vec![("合计", &t.total)];
    series.extend(
        t.by_class
            .iter()
            .map(|c| (c.label.as_str(), c.values.as_slice())),
    );
    for (k, (label, values)) in series.iter().enumerate() {
        let c = colours[k % colours.len()];
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
            .collect();
        let sw = if k == 0 { 2.5 } else { 1.2 };
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{c}\" stroke-width=\"{sw}\" points=\"{}\"/>",
            pts.join(" ")
        );
        let ly = top + 14.0 * k as f64;
        let _ = write!(s, "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"3\" fill=\"{c}\"/><text x=\"{}\" y=\"{}\">{}</text>", w - r + 8.0, ly + 4.0, w - r + 22.0, ly + 8.0, esc(label));
    }
    s.push_str("</svg>");
    s
}

/// What goes into a monthly bulletin.
#[derive(Debug, Clone)]
pub struct Bulletin<'a> {
    /// e.g. `黄岩区数字城管月度简报`.
    pub title: String,
    /// e.g. `2026年3月`.
    pub period: String,
    /// Key figures shown as a row of boxes: (label, value).
    pub figures: Vec<(String, String)>,
    pub tables: Vec<Sheet>,
    pub heatmap: Option<&'a Heatmap>,
    pub trends: Option<&'a Trends>,
}

fn legend_html(stops: &[LegendStop]) -> String {
    let mut s = String::from("<div class=\"legend\">案件密度（件/平方公里）");
    for st in stops {
        let [r, g, b, a] = st.rgba;
        let _ = write!(
            s,
            "<span><i style=\"background:rgba({r},{g},{b},{:.2})\"></i>{:.0}</span>",
            f64::from(a) / 255.0,
            st.value
        );
    }
    s.push_str("</div>");
    s
}

/// The bulletin as one self-contained HTML page.
pub fn bulletin_html(b: &Bulletin<'_>) -> Result<String> {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t} {p}</title><style>\
body{{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:24px auto;max-width:1000px;color:#222}}\
h1{{text-align:center;color:#b30000;border-bottom:3px solid #b30000;padding-bottom:8px}}\
.figs{{display:flex;gap:12px;flex-wrap:wrap}}.fig{{flex:1;border:1px solid #ddd;padding:8px;text-align:center}}\
.fig b{{display:block;font-size:22px;color:#1f4e79}}table{{border-collapse:collapse;width:100%;font-size:12px;margin:8px 0 20px}}\
th,td{{border:1px solid #bbb;padding:3px 6px}}th{{background:#eef2f7}}td.n{{text-align:right}}\
.legend span{{margin-left:10px}}.legend i{{display:inline-block;width:14px;height:10px;margin-right:3px}}\
img.heat{{width:100%;border:1px solid #ccc;background:#f8f8f8}}</style></head><body>\
<h1>{t}</h1><p style=\"text-align:center\">统计期：{p}</p>",
        t = esc(&b.title),
        p = esc(&b.period)
    );
    if !b.figures.is_empty() {
        h.push_str("<div class=\"figs\">");
        for (k, v) in &b.figures {
            let _ = write!(h, "<div class=\"fig\"><b>{}</b>{}</div>", esc(v), esc(k));
        }
        h.push_str("</div>");
    }
    for s in &b.tables {
        let _ = write!(h, "<h2>{}</h2><table><tr>", esc(&s.title));
        for c in &s.headers {
            let _ = write!(h, "<th>{}</th>", esc(c));
        }
        h.push_str("</tr>");
        for row in &s.rows {
            h.push_str("<tr>");
            for c in row {
                let _ = match c {
                    Cell::Text(t) => write!(h, "<td>{}</td>", esc(t)),
                    Cell::Int(v) => write!(h, "<td class=\"n\">{v}</td>"),
                    Cell::Num(v) => write!(h, "<td class=\"n\">{v:.2}</td>"),
                    Cell::Empty => write!(h, "<td></td>"),
                };
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
    }
    if let Some(hm) = b.heatmap {
        let png = hm.png(None)?;
        let _ = write!(
            h,
            "<h2>案件热力图</h2><img class=\"heat\" alt=\"案件热力图\" src=\"data:image/png;base64,{}\">{}<p style=\"font-size:11px;color:#666\">核密度估计，带宽 {:.0} 米；范围 {:.4}°E–{:.4}°E，{:.4}°N–{:.4}°N；{} 件案件。</p>",
            base64(&png),
            legend_html(&hm.legend(None)),
            hm.bandwidth_m,
            hm.bbox[0],
            hm.bbox[2],
            hm.bbox[1],
            hm.bbox[3],
            hm.cases
        );
    }
    if let Some(t) = b.trends {
        let _ = write!(h, "<h2>案件趋势</h2>{}", trend_svg(t, 960, 300));
    }
    h.push_str("</body></html>");
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::trends::Series;
    use chrono::NaiveDate;

    fn sheet() -> Sheet {
        Sheet {
            title: "区域评价（街道）".into(),
            headers: vec!["代码".into(), "名称".into(), "结案率(%)".into()],
            rows: vec![
                vec![
                    Cell::Text("331003001".into()),
                    Cell::Text("东城街道".into()),
                    Cell::Num(93.724),
                ],
                vec![
                    Cell::Text("331003002".into()),
                    Cell::Text("西城, 南".into()),
                    Cell::Empty,
                ],
            ],
        }
    }

    #[test]
    fn csv_has_bom_chinese_headers_and_quoting() {
        let b = csv_text(&sheet()).expect("csv");
        assert_eq!(&b[..3], &[0xEF, 0xBB, 0xBF]);
        let text = std::str::from_utf8(&b[3..]).expect("utf8");
        assert_eq!(
            text,
            "代码,名称,结案率(%)\n331003001,东城街道,93.72\n331003002,\"西城, 南\",\n"
        );
    }

    #[test]
    fn xlsx_is_a_zip_with_the_sheet() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("t.xlsx");
        write_xlsx(&p, &[sheet(), sheet()]).expect("xlsx");
        let bytes = std::fs::read(&p).expect("read");
        assert_eq!(&bytes[..2], b"PK");
        let mut used = vec![];
        assert_eq!(sheet_name("a/b[c]", &mut used), "a_b_c_");
        assert_eq!(sheet_name("a/b[c]", &mut used), "a_b_c_2");
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn bulletin_is_self_contained() {
        let t = Trends {
            bucket: crate::analytics::trends::Bucket::Day,
            starts: vec![
                NaiveDate::from_ymd_opt(2026, 3, 1).expect("d"),
                NaiveDate::from_ymd_opt(2026, 3, 2).expect("d"),
            ],
            total: vec![3, 5],
            by_class: vec![Series {
                key: "event:01".into(),
                label: "市容环境<>".into(),
                values: vec![1, 2],
            }],
            by_source: vec![],
        };
        let html = bulletin_html(&Bulletin {
            title: "黄岩区数字城管月度简报".into(),
            period: "2026年3月".into(),
            figures: vec![("案件数".into(), "8".into())],
            tables: vec![sheet()],
            heatmap: None,
            trends: Some(&t),
        })
        .expect("html");
        assert!(html.contains("<svg") && html.contains("polyline"));
        assert!(html.contains("市容环境&lt;&gt;"));
        assert!(html.contains("东城街道"));
        assert!(
            !html.contains("http://") || html.matches("http://").count() == 1,
            "only the SVG namespace"
        );
    }
}
