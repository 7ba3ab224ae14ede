//! Checks `ui/src/messages.ts` against the engine: every [`MessageCode`] and every term the
//! engine can send has a Chinese and an English text, placeholders name only the code's
//! parameters, no text is left for a code or term that no longer exists, and the Chinese texts
//! carry no English words. The file is parsed strictly: inside the two tables every line is a
//! comment, blank, or exactly one entry `'key': { zh: '…', en: '…' },`.

use griddesk::message::{all_terms, Message, MessageCode, Param};
use std::collections::{BTreeMap, BTreeSet};

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/messages.ts");

/// Key → (Chinese, English).
type Table = BTreeMap<String, (String, String)>;

/// A table of `key → (zh, en)` read from `export const NAME: … = {` to `};`.
fn table(text: &str, name: &str) -> Result<Table, String> {
    let head = format!("export const {name}:");
    let start = text
        .lines()
        .position(|l| l.starts_with(&head))
        .ok_or_else(|| format!("{FILE}: no `{head}`"))?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(start + 1) {
        let l = line.trim();
        if l == "};" {
            return Ok(out);
        }
        if l.is_empty() || l.starts_with("//") {
            continue;
        }
        let (key, zh, en) = entry(l).ok_or_else(|| {
            format!(
                "{FILE}:{}: not a `'key': {{ zh: '…', en: '…' }},` entry: {l}",
                i + 1
            )
        })?;
        if out.insert(key.clone(), (zh, en)).is_some() {
            return Err(format!("{FILE}:{}: `{key}` twice", i + 1));
        }
    }
    Err(format!("{FILE}: `{name}` is not closed by `}};`"))
}

/// `'key': { zh: '…', en: '…' },` → (key, zh, en); texts hold no `'`.
fn entry(l: &str) -> Option<(String, String, String)> {
    let rest = l.strip_prefix('\'')?;
    let (key, rest) = rest.split_once('\'')?;
    let rest = rest.strip_prefix(": { zh: '")?;
    let (zh, rest) = rest.split_once('\'')?;
    let rest = rest.strip_prefix(", en: '")?;
    let (en, rest) = rest.split_once('\'')?;
    (rest == " },").then(|| (key.to_string(), zh.to_string(), en.to_string()))
}

fn tables() -> (Table, Table) {
    let text = std::fs::read_to_string(FILE).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    let messages = table(&text, "MESSAGES").unwrap_or_else(|e| panic!("{e}"));
    let terms = table(&text, "TERMS").unwrap_or_else(|e| panic!("{e}"));
    (messages, terms)
}

/// The `{name}` placeholders of a template.
fn placeholders(t: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) => {
                out.insert(after[..j].to_string());
                rest = &after[j + 1..];
            }
            None => break,
        }
    }
    out
}

/// ASCII words of three letters or more that Chinese text may carry: names of formats and
/// standards, and the literal values a file must hold.
const ALLOWED_IN_ZH: &[&str] = &[
    "GridDesk",
    "CSV",
    "HTTPS",
    "JSON",
    "GeoJSON",
    "UTF",
    "GBK",
    "PNG",
    "JPEG",
    "Shapefile",
    "GeoPackage",
    "dbf",
    "features",
    "CGCS",
    "GCJ",
    "WGS",
    "PMTiles",
    "MBTiles",
    "OSM",
    "PBF",
    "MVT",
    "WebP",
    "holiday",
    "workday",
    // Command-line options and file members a message tells the user to write.
    "towgs",
    "ppm",
    "crs",
    "EPSG",
];

/// ASCII words of three letters or more in `s` that are not allowed in Chinese text.
fn english_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !ALLOWED_IN_ZH.contains(w))
        .map(str::to_string)
        .collect()
}

/// The UI's renderer (`render` in `messages.ts`), for the checks below.
fn render(m: &Message, terms: &Table, msgs: &Table) -> String {
    fn param(p: &Param, terms: &Table, msgs: &Table) -> String {
        match p {
            Param::Text(t) => t.clone(),
            Param::Int(n) => n.to_string(),
            Param::Num(x) => format!("{}", (x * 1e6).round() / 1e6),
            Param::Area(x) => format!("{x:.2} m²"),
            Param::Length(x) => format!("{} m", (x * 100.0).round() / 100.0),
            Param::Term(k) => terms.get(k).map_or(k.clone(), |t| t.0.clone()),
            Param::List(v) => v
                .iter()
                .map(|p| param(p, terms, msgs))
                .collect::<Vec<_>>()
                .join("、"),
            Param::Message(m) => render(m, terms, msgs),
        }
    }
    let Some((zh, _)) = msgs.get(m.code.key()) else {
        return "出现错误。".into();
    };
    let mut out = zh.clone();
    for k in placeholders(zh) {
        let v = m
            .params
            .get(&k)
            .map_or("—".to_string(), |p| param(p, terms, msgs));
        out = out.replace(&format!("{{{k}}}"), &v);
    }
    out
}

#[test]
fn every_message_code_has_a_chinese_and_an_english_text() {
    let (msgs, _) = tables();
    let mut problems = Vec::new();
    for code in MessageCode::ALL {
        let k = code.key();
        match msgs.get(k) {
            None => problems.push(format!("`{k}` has no text")),
            Some((zh, en)) => {
                if zh.trim().is_empty() {
                    problems.push(format!("`{k}` has no Chinese text"));
                }
                if en.trim().is_empty() {
                    problems.push(format!("`{k}` has no English text"));
                }
                let declared: BTreeSet<String> =
                    code.params().iter().map(|p| p.to_string()).collect();
                for (lang, t) in [("zh", zh), ("en", en)] {
                    for p in placeholders(t).difference(&declared) {
                        problems.push(format!("`{k}` ({lang}) names `{{{p}}}`, not a parameter of the code ({declared:?})"));
                    }
                }
            }
        }
    }
    let known: BTreeSet<&str> = MessageCode::ALL.iter().map(|c| c.key()).collect();
    for k in msgs.keys() {
        if !known.contains(k.as_str()) {
            problems.push(format!("`{k}` has a text but is no message code"));
        }
    }
    assert!(
        problems.is_empty(),
        "ui/src/messages.ts:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_term_has_a_chinese_and_an_english_text() {
    let (_, terms) = tables();
    let all: BTreeSet<String> = all_terms().into_iter().collect();
    let mut problems = Vec::new();
    for t in &all {
        match terms.get(t) {
            None => problems.push(format!("term `{t}` has no text")),
            Some((zh, en)) if zh.trim().is_empty() || en.trim().is_empty() => {
                problems.push(format!("term `{t}` lacks a language"))
            }
            Some(_) => {}
        }
    }
    for k in terms.keys() {
        if !all.contains(k) {
            problems.push(format!(
                "term `{k}` has a text but the engine never sends it"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "ui/src/messages.ts:\n{}",
        problems.join("\n")
    );
}

#[test]
fn chinese_texts_carry_no_english_words() {
    let (msgs, terms) = tables();
    let mut problems = Vec::new();
    for code in MessageCode::ALL {
        if !msgs.contains_key(code.key()) {
            continue;
        };
        // Every parameter filled with a value that is itself free of letters.
        let m = code.params().iter().fold(Message::new(*code), |m, p| {
            m.with(p, Param::Text("甲".into()))
        });
        let filled = render(&m, &terms, &msgs);
        let words = english_words(&filled);
        if !words.is_empty() {
            problems.push(format!("`{}`: {filled} ({words:?})", code.key()));
        }
    }
    for (k, (zh, _)) in &terms {
        let words = english_words(zh);
        if !words.is_empty() {
            problems.push(format!("term `{k}`: {zh} ({words:?})"));
        }
    }
    assert!(
        problems.is_empty(),
        "English in Chinese texts:\n{}",
        problems.join("\n")
    );
}

/// The refused edit of the issue, as the Chinese UI shows it: codes as given, the area in m²
/// with two decimals, the rules named in Chinese.
#[test]
fn an_overlap_refusal_reads_in_chinese() {
    use griddesk::planning::{GuardReport, Problem, Rule};
    let (msgs, terms) = tables();
    let detail = Message::new(MessageCode::TopoOverlap)
        .text("grid", "331003003002050")
        .text("other", "331003003002049")
        .area("area", 1656.1639);
    let problem = Problem {
        severity: griddesk::validate::Severity::Error,
        rule: Rule::Overlap,
        community: None,
        grids: vec![],
        message: "grid 331003003002050 would overlap grid 331003003002049 by 1656.16 m²".into(),
        detail: detail.clone(),
        geometry: None,
        area_m2: Some(1656.1639),
    };
    let report = GuardReport {
        problems: vec![problem],
    };
    let dto = crate::error::ErrorDto::from(griddesk::Error::TopologyRefused(Box::new(report)));
    let json = serde_json::to_value(&dto).unwrap_or_default();
    assert_eq!(json["code"], "topology-refused");
    assert_eq!(json["detail"]["code"], "topology-refused");
    assert_eq!(
        json["report"]["problems"][0]["detail"]["code"],
        "topo-overlap"
    );
    assert_eq!(
        render(&dto.detail, &terms, &msgs),
        "编辑被拒绝：1 处错误（网格重叠），0 处警告"
    );
    let zh = render(&detail, &terms, &msgs);
    assert_eq!(
        zh,
        "网格 331003003002050 将与网格 331003003002049 重叠 1656.16 m²"
    );
    assert!(english_words(&zh).is_empty(), "{zh}");
}

/// A workflow refusal names the role, the action and the statuses in Chinese.
#[test]
fn a_workflow_refusal_reads_in_chinese() {
    use griddesk::model::CaseStatus;
    use griddesk::users::Role;
    use griddesk::workflow::{ActionKind, Refusal};
    let (msgs, terms) = tables();
    let r = Refusal::WrongStatus {
        action: ActionKind::Dispatch,
        status: CaseStatus::Closed,
        allowed: vec![CaseStatus::Filed],
    };
    assert_eq!(
        render(&r.message(), &terms, &msgs),
        "案件处于“已结案”状态，不能派遣；只能从以下状态执行：已立案"
    );
    let r = Refusal::RoleNotAllowed {
        action: ActionKind::File,
        role: Role::Inspector,
        allowed: vec![Role::ShiftLeader],
    };
    assert_eq!(
        render(&r.message(), &terms, &msgs),
        "监督员不能立案；可执行的角色：值班长"
    );
}

#[test]
fn the_parser_is_strict() {
    assert!(entry("'a': { zh: '甲', en: 'A' },").is_some());
    assert!(entry("'a': { zh: '甲' },").is_none());
    assert!(entry("'a': { en: 'A', zh: '甲' },").is_none());
    assert!(entry("'a': { zh: '甲', en: 'A' }").is_none());
    let t = "export const MESSAGES: X = {\n  'a': { zh: '甲', en: 'A' },\n  'b': oops,\n};\n";
    assert!(table(t, "MESSAGES").is_err());
}
