//! 立结案标准 (SPEC §4.5): per minor class, one or more filing conditions (立案条件) with the
//! closing condition (结案条件), urgency and time limits per stage (受理 … 结案) and area class
//! (A 核心区 / B 一般区 / C).
//!
//! The shipped default (`resources/codes/filing_standard_default.csv` for the 处置 limits and
//! `stage_limits_default.csv` for the other stages, compiled in) covers every minor class of the
//! CJ/T 214-2007 tables from the examples of SPEC §4.5 and typical local values; rows are
//! flagged `is_default` so a centre can tell them from its own standard. Classes of a local code
//! table that the default does not know get a generic condition (3 工作日 in area B). The table
//! lives in the store (`filing_condition`, `time_limit`) and is edited there.

pub mod store;

use crate::clock::{TimeLimit, TimeUnit};
use crate::codetable::CodeTables;
use crate::csvtable::{CsvRow, CsvTable};
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use crate::model::{keyed_enum, CaseKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

keyed_enum!(
    /// A stage of the case loop with its own time limit (SPEC §4.6).
    Stage {
        /// 受理 (receptionist accepts or refuses a report)
        Accept = ("accept", "受理"),
        /// 核实 (inspector verifies a public report on site)
        Verify = ("verify", "核实"),
        /// 立案 (shift leader files)
        File = ("file", "立案"),
        /// 派遣 (dispatcher sends to the department)
        Dispatch = ("dispatch", "派遣"),
        /// 处置 (department handles; the main, per-condition limit)
        Handle = ("handle", "处置"),
        /// 核查 (inspector re-checks on site)
        Check = ("check", "核查"),
        /// 结案 (shift leader closes)
        Close = ("close", "结案"),
    }
);

keyed_enum!(
    /// Area class of the place where a case occurs; limits may differ per class.
    AreaClass {
        /// A类 核心区 (一类区域)
        #[serde(rename = "A")]
        A = ("A", "一类区域"),
        /// B类 一般区 (二类区域)
        #[serde(rename = "B")]
        B = ("B", "二类区域"),
        /// C类 (三类区域)
        #[serde(rename = "C")]
        C = ("C", "三类区域"),
    }
);

impl AreaClass {
    /// The area class of a grid from its 管理等级 (`一类区域`, `A`, `一类`, …); `B` when the
    /// grid has no level or an unknown one.
    pub fn of_level(level: Option<&str>) -> Self {
        let Some(l) = level.map(str::trim) else {
            return AreaClass::B;
        };
        if let Some(a) = AreaClass::parse(l) {
            return a;
        }
        if l.starts_with('一') || l.starts_with("A类") || l.starts_with('1') {
            AreaClass::A
        } else if l.starts_with('三') || l.starts_with("C类") || l.starts_with('3') {
            AreaClass::C
        } else {
            AreaClass::B
        }
    }
}

keyed_enum!(
    /// 紧急程度.
    Urgency {
        /// 一般
        Ordinary = ("ordinary", "一般"),
        /// 紧急 (limits in 紧急工作时)
        Urgent = ("urgent", "紧急"),
    }
);

/// The limit of one stage in one area class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StageLimit {
    pub stage: Stage,
    pub area_class: AreaClass,
    pub limit: TimeLimit,
}

/// One filing condition (立案明细) of a minor class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FilingCondition {
    pub kind: CaseKind,
    /// 4-digit minor class.
    pub class_code: String,
    /// 立案明细编码 within the class, e.g. `01`.
    pub condition: String,
    /// 立案条件
    pub filing: String,
    /// 结案条件
    pub closing: String,
    pub urgency: Urgency,
    /// Shipped default, not a centre's own standard.
    pub is_default: bool,
    /// Limits per stage and area class (every stage × A/B/C).
    pub limits: Vec<StageLimit>,
}

impl FilingCondition {
    /// The limit of `stage` in `area`.
    pub fn limit(&self, stage: Stage, area: AreaClass) -> Option<TimeLimit> {
        self.limits
            .iter()
            .find(|l| l.stage == stage && l.area_class == area)
            .map(|l| l.limit)
    }

    /// Checks the class code, condition id, texts, and that every stage × area class has a
    /// limit exactly once.
    pub fn validate(&self) -> Result<()> {
        let what = format!(
            "filing condition {} {}/{}",
            self.kind.key(),
            self.class_code,
            self.condition
        );
        if self.class_code.len() != 4 || !self.class_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Invalid(
                Message::new(C::FilingClassDigits)
                    .text("kind", self.kind.key())
                    .text("class", &self.class_code)
                    .text("condition", &self.condition)
                    .en(format!("{what}: class code must be 4 digits")),
            ));
        }
        if self.condition.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::FilingConditionEmpty)
                    .text("class", &self.class_code)
                    .en(format!("{what}: condition id is empty")),
            ));
        }
        if self.filing.trim().is_empty() || self.closing.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::FilingTextsMissing)
                    .text("class", &self.class_code)
                    .text("condition", &self.condition)
                    .en(format!(
                        "{what}: filing and closing conditions must be given"
                    )),
            ));
        }
        for stage in Stage::ALL {
            for area in AreaClass::ALL {
                let n = self
                    .limits
                    .iter()
                    .filter(|l| l.stage == *stage && l.area_class == *area)
                    .count();
                if n != 1 {
                    return Err(Error::Invalid(
                        Message::new(if n == 0 {
                            C::FilingLimitMissing
                        } else {
                            C::FilingLimitTwice
                        })
                        .text("class", &self.class_code)
                        .text("condition", &self.condition)
                        .text("stage", stage.zh())
                        .text("area", area.key())
                        .en(format!(
                            "{what}: {} limit for stage {} in area {} ({n} given, 1 needed)",
                            if n == 0 { "no" } else { "more than one" },
                            stage.zh(),
                            area.key()
                        )),
                    ));
                }
            }
        }
        for l in &self.limits {
            TimeLimit::new(l.limit.amount, l.limit.unit)
                .map_err(|e| Error::Invalid(e.message().en(format!("{what}: {e}"))))?;
        }
        Ok(())
    }
}

type Key = (String, String, String);

fn key(kind: CaseKind, class: &str, condition: &str) -> Key {
    (
        kind.key().to_string(),
        class.to_string(),
        condition.to_string(),
    )
}

/// The filing standard: every condition of every class.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilingStandard {
    conditions: BTreeMap<Key, FilingCondition>,
    /// Limits of the non-处置 stages per urgency (used for the generic fallback).
    stages: BTreeMap<(Urgency, Stage), [TimeLimit; 3]>,
}

const DEFAULT_CONDITIONS: &str =
    include_str!("../../../../resources/codes/filing_standard_default.csv");
const DEFAULT_STAGES: &str = include_str!("../../../../resources/codes/stage_limits_default.csv");

impl FilingStandard {
    /// From conditions (each validated).
    pub fn from_conditions(conds: impl IntoIterator<Item = FilingCondition>) -> Result<Self> {
        let mut s = Self::default();
        for c in conds {
            c.validate()?;
            s.conditions
                .insert(key(c.kind, &c.class_code, &c.condition), c);
        }
        s.stages = parse_stage_limits("stage_limits_default.csv", DEFAULT_STAGES)?;
        Ok(s)
    }

    /// The shipped default for every minor class of `tables` (module docs).
    pub fn default_for(tables: &CodeTables) -> Result<Self> {
        let stages = parse_stage_limits("stage_limits_default.csv", DEFAULT_STAGES)?;
        let mut conds =
            parse_conditions("filing_standard_default.csv", DEFAULT_CONDITIONS, &stages)?;
        for (kind, table) in [
            (CaseKind::Event, &tables.events),
            (CaseKind::Component, &tables.components),
        ] {
            for e in table.iter() {
                if !conds
                    .iter()
                    .any(|c| c.kind == kind && c.class_code == e.code)
                {
                    conds.push(generic(kind, &e.code, &e.name, &stages));
                }
            }
        }
        // Keep only classes of these code tables.
        conds.retain(|c| {
            let t = match c.kind {
                CaseKind::Event => &tables.events,
                CaseKind::Component => &tables.components,
            };
            t.get(&c.class_code).is_some()
        });
        let mut s = Self::from_conditions(conds)?;
        s.stages = stages;
        Ok(s)
    }

    /// All conditions, by kind, class and condition id.
    pub fn conditions(&self) -> impl Iterator<Item = &FilingCondition> {
        self.conditions.values()
    }

    /// The conditions of one class.
    pub fn conditions_of(&self, kind: CaseKind, class: &str) -> Vec<&FilingCondition> {
        self.conditions
            .range(key(kind, class, "")..)
            .take_while(|(k, _)| k.0 == kind.key() && k.1 == class)
            .map(|(_, c)| c)
            .collect()
    }

    /// A condition by id.
    pub fn condition(
        &self,
        kind: CaseKind,
        class: &str,
        condition: &str,
    ) -> Option<&FilingCondition> {
        self.conditions.get(&key(kind, class, condition))
    }

    /// The condition that applies: the one named, else the class's first (lowest id).
    pub fn resolve(
        &self,
        kind: CaseKind,
        class: &str,
        condition: Option<&str>,
    ) -> Option<&FilingCondition> {
        match condition {
            Some(c) => self.condition(kind, class, c),
            None => self.conditions_of(kind, class).into_iter().next(),
        }
    }

    /// The limit and urgency of a stage for a case of this class and condition in this area;
    /// classes without a condition get the generic ordinary limits.
    pub fn limit(
        &self,
        kind: CaseKind,
        class: &str,
        condition: Option<&str>,
        stage: Stage,
        area: AreaClass,
    ) -> (TimeLimit, Urgency) {
        if let Some(c) = self.resolve(kind, class, condition) {
            if let Some(l) = c.limit(stage, area) {
                return (l, c.urgency);
            }
        }
        let generic_handle = [
            TimeLimit {
                amount: 2.0,
                unit: TimeUnit::WorkDay,
            },
            TimeLimit {
                amount: 3.0,
                unit: TimeUnit::WorkDay,
            },
            TimeLimit {
                amount: 6.0,
                unit: TimeUnit::WorkDay,
            },
        ];
        let row = if stage == Stage::Handle {
            generic_handle
        } else {
            self.stages
                .get(&(Urgency::Ordinary, stage))
                .copied()
                .unwrap_or(
                    [TimeLimit {
                        amount: 1.0,
                        unit: TimeUnit::WorkHour,
                    }; 3],
                )
        };
        (row[area_index(area)], Urgency::Ordinary)
    }
}

fn area_index(a: AreaClass) -> usize {
    match a {
        AreaClass::A => 0,
        AreaClass::B => 1,
        AreaClass::C => 2,
    }
}

/// A generic ordinary condition for a class the default table does not know.
fn generic(
    kind: CaseKind,
    class: &str,
    name: &str,
    stages: &BTreeMap<(Urgency, Stage), [TimeLimit; 3]>,
) -> FilingCondition {
    let handle = [2.0, 3.0, 6.0].map(|amount| TimeLimit {
        amount,
        unit: TimeUnit::WorkDay,
    });
    FilingCondition {
        kind,
        class_code: class.to_string(),
        condition: "01".into(),
        filing: format!("发现{name}问题"),
        closing: format!("{name}问题已处置到位"),
        urgency: Urgency::Ordinary,
        is_default: true,
        limits: expand(Urgency::Ordinary, handle, stages),
    }
}

/// Every stage × area limit: 处置 from `handle`, the other stages from the stage table.
fn expand(
    urgency: Urgency,
    handle: [TimeLimit; 3],
    stages: &BTreeMap<(Urgency, Stage), [TimeLimit; 3]>,
) -> Vec<StageLimit> {
    let mut out = Vec::with_capacity(21);
    for &stage in Stage::ALL {
        let row = if stage == Stage::Handle {
            Some(handle)
        } else {
            stages.get(&(urgency, stage)).copied()
        };
        if let Some(row) = row {
            for &area in AreaClass::ALL {
                out.push(StageLimit {
                    stage,
                    area_class: area,
                    limit: row[area_index(area)],
                });
            }
        }
    }
    out
}

/// The `urgency` cell of a filing-standard row.
fn urgency_of(row: &CsvRow<'_>) -> Result<Urgency> {
    let ur = row.get("urgency");
    Urgency::parse(ur).ok_or_else(|| {
        row.err(
            "urgency",
            Message::new(C::NotAnUrgency)
                .text("value", ur)
                .en(format!("`{ur}` is not an urgency")),
        )
    })
}

/// Reads `a,unit_a,b,unit_b,c,unit_c` style columns as three limits.
fn three_limits(row: &CsvRow<'_>, prefix: &str) -> Result<[TimeLimit; 3]> {
    let mut out = [TimeLimit {
        amount: 1.0,
        unit: TimeUnit::WorkHour,
    }; 3];
    for (i, area) in ["a", "b", "c"].iter().enumerate() {
        let an = format!("{prefix}{area}");
        let un = format!("unit_{area}");
        let a = row.required(&an)?;
        let amount: f64 = a.parse().map_err(|_| {
            row.err(
                &an,
                Message::new(C::NotANumber)
                    .text("value", a)
                    .en(format!("`{a}` is not a number")),
            )
        })?;
        let u = row.required(&un)?;
        let unit = TimeUnit::parse(u).ok_or_else(|| {
            row.err(
                &un,
                Message::new(C::NotATimeUnit)
                    .text("value", u)
                    .en(format!("`{u}` is not a time unit")),
            )
        })?;
        out[i] = TimeLimit::new(amount, unit).map_err(|e| row.err(&an, e.reason()))?;
    }
    Ok(out)
}

/// Parses the stage table: `stage,urgency,a,unit_a,b,unit_b,c,unit_c`.
pub fn parse_stage_limits(
    file: &str,
    text: &str,
) -> Result<BTreeMap<(Urgency, Stage), [TimeLimit; 3]>> {
    let t = CsvTable::parse(file, text)?;
    let mut out = BTreeMap::new();
    for row in t.rows() {
        let st = row.get("stage");
        let stage = Stage::parse(st).ok_or_else(|| {
            row.err(
                "stage",
                Message::new(C::NotAStage)
                    .text("value", st)
                    .en(format!("`{st}` is not a stage")),
            )
        })?;
        let urgency = urgency_of(&row)?;
        out.insert((urgency, stage), three_limits(&row, "")?);
    }
    Ok(out)
}

/// Parses the condition table (`kind,class_code,class_name,condition,filing,closing,urgency,
/// handle_a,unit_a,handle_b,unit_b,handle_c,unit_c`); the other stages come from `stages`.
pub fn parse_conditions(
    file: &str,
    text: &str,
    stages: &BTreeMap<(Urgency, Stage), [TimeLimit; 3]>,
) -> Result<Vec<FilingCondition>> {
    let t = CsvTable::parse(file, text)?;
    t.require(&[
        "kind",
        "class_code",
        "condition",
        "filing",
        "closing",
        "urgency",
    ])?;
    let mut out = Vec::new();
    for row in t.rows() {
        let k = row.get("kind");
        let kind = CaseKind::parse(k).ok_or_else(|| {
            row.err(
                "kind",
                Message::new(C::NotACaseKind)
                    .text("value", k)
                    .en(format!("`{k}` is not event or component")),
            )
        })?;
        let urgency = urgency_of(&row)?;
        let handle = three_limits(&row, "handle_")?;
        let c = FilingCondition {
            kind,
            class_code: row.get("class_code").to_string(),
            condition: row.get("condition").to_string(),
            filing: row.get("filing").to_string(),
            closing: row.get("closing").to_string(),
            urgency,
            is_default: true,
            limits: expand(urgency, handle, stages),
        };
        c.validate().map_err(|e| row.err_record(e.reason()))?;
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codetable::ClassTable;

    fn tables() -> CodeTables {
        CodeTables {
            components: ClassTable::parse(
                "c",
                include_str!("../../../../resources/codes/components_cjt214_2007.csv"),
            )
            .unwrap(),
            events: ClassTable::parse(
                "e",
                include_str!("../../../../resources/codes/events_cjt214_2007.csv"),
            )
            .unwrap(),
        }
    }

    #[test]
    fn default_covers_every_minor_class_with_every_stage_and_area() {
        let t = tables();
        let s = FilingStandard::default_for(&t).unwrap();
        for (kind, table) in [
            (CaseKind::Event, &t.events),
            (CaseKind::Component, &t.components),
        ] {
            for e in table.iter() {
                let conds = s.conditions_of(kind, &e.code);
                assert!(!conds.is_empty(), "{} {}", kind.key(), e.code);
                for c in conds {
                    c.validate().unwrap();
                    assert!(c.is_default);
                }
            }
        }
        // SPEC §4.5 examples.
        let handle =
            |class: &str, area| s.limit(CaseKind::Event, class, None, Stage::Handle, area).0;
        assert_eq!(
            handle("0101", AreaClass::B),
            TimeLimit {
                amount: 15.0,
                unit: TimeUnit::WorkDay
            }
        );
        assert_eq!(
            handle("0102", AreaClass::B),
            TimeLimit {
                amount: 1.0,
                unit: TimeUnit::WorkDay
            }
        );
        assert_eq!(
            handle("0104", AreaClass::B),
            TimeLimit {
                amount: 5.0,
                unit: TimeUnit::WorkHour
            }
        );
        // Core areas are stricter than ordinary ones.
        let cal = crate::clock::WorkCalendar::default();
        for c in s.conditions() {
            let a = c.limit(Stage::Handle, AreaClass::A).unwrap().seconds(&cal);
            let b = c.limit(Stage::Handle, AreaClass::B).unwrap().seconds(&cal);
            let cc = c.limit(Stage::Handle, AreaClass::C).unwrap().seconds(&cal);
            assert!(a <= b && b <= cc, "{} {}", c.class_code, c.condition);
        }
        // A missing cover is urgent (紧急工作时), a cracked one is not.
        let cover = s.conditions_of(CaseKind::Component, "0101");
        assert_eq!(cover.len(), 2);
        assert_eq!(cover[0].urgency, Urgency::Urgent);
        assert_eq!(
            cover[0].limit(Stage::Handle, AreaClass::B).unwrap().unit,
            TimeUnit::UrgentHour
        );
        assert_eq!(cover[1].urgency, Urgency::Ordinary);
    }

    #[test]
    fn local_classes_get_a_generic_condition() {
        let mut t = tables();
        t.events = ClassTable::parse(
            "e",
            "major_code,major_name,minor_code,minor_name\n07,特殊事件,0701,夜市管理\n",
        )
        .unwrap();
        let s = FilingStandard::default_for(&t).unwrap();
        let c = s.conditions_of(CaseKind::Event, "0701");
        assert_eq!(c.len(), 1);
        assert!(c[0].filing.contains("夜市管理"));
        assert!(s.conditions_of(CaseKind::Event, "0101").is_empty());
    }

    #[test]
    fn bad_rows_are_refused_with_line_and_field() {
        let stages = parse_stage_limits("s", DEFAULT_STAGES).unwrap();
        let head = "kind,class_code,class_name,condition,filing,closing,urgency,handle_a,unit_a,handle_b,unit_b,handle_c,unit_c\n";
        let err = parse_conditions(
            "f.csv",
            &format!("{head}event,0101,x,01,a,b,ordinary,1,work_day,0,work_day,2,work_day\n"),
            &stages,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("f.csv, line 2, field `handle_b`"), "{err}");
        let err = parse_conditions(
            "f.csv",
            &format!("{head}event,0101,x,01,a,b,ordinary,1,fortnight,1,work_day,2,work_day\n"),
            &stages,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("field `unit_a`"), "{err}");
        let err = parse_conditions(
            "f.csv",
            &format!("{head}thing,0101,x,01,a,b,ordinary,1,work_day,1,work_day,2,work_day\n"),
            &stages,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("field `kind`"), "{err}");
    }

    #[test]
    fn area_class_from_grid_level() {
        assert_eq!(AreaClass::of_level(Some("一类区域")), AreaClass::A);
        assert_eq!(AreaClass::of_level(Some("二类区域")), AreaClass::B);
        assert_eq!(AreaClass::of_level(Some("三类")), AreaClass::C);
        assert_eq!(AreaClass::of_level(Some("C")), AreaClass::C);
        assert_eq!(AreaClass::of_level(None), AreaClass::B);
        assert_eq!(AreaClass::of_level(Some("核心")), AreaClass::B);
    }
}
