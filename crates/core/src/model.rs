//! Domain model: district > street > community > unit grid; duty grids; components; cases.
//!
//! Geometry is WGS84 / CGCS2000 longitude-latitude (`x` = lon, `y` = lat).

use crate::code::{ClassCode, CommunityCode, ComponentCode, DistrictCode, GridCode, StreetCode};
use chrono::{NaiveDate, NaiveDateTime};
use geo_types::{MultiPolygon, Point, Polygon};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A county-level district (区/县).
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub code: DistrictCode,
    pub name: String,
    pub boundary: MultiPolygon<f64>,
}

/// A street office or town (街道/乡镇).
#[derive(Debug, Clone, PartialEq)]
pub struct Street {
    pub code: StreetCode,
    pub name: String,
    pub boundary: MultiPolygon<f64>,
    /// Invented for the sample district.
    pub sample: bool,
}

/// A community or village (社区/村).
#[derive(Debug, Clone, PartialEq)]
pub struct Community {
    pub code: CommunityCode,
    pub name: String,
    pub boundary: MultiPolygon<f64>,
    pub sample: bool,
}

impl Community {
    /// The street this community belongs to (from its code).
    pub fn street(&self) -> StreetCode {
        self.code.street()
    }
}

/// A unit grid (单元网格), the smallest management cell (about 1 ha).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub code: GridCode,
    pub name: String,
    pub polygon: Polygon<f64>,
    /// Geodesic area in m².
    pub area_m2: f64,
    /// 用地类别 (land-use class), free text or a local code.
    pub land_use: Option<String>,
    /// 管理等级 (management level), e.g. `一类区域`.
    pub level: Option<String>,
    /// 初始日期.
    pub start_date: NaiveDate,
    /// 终止日期: set when the grid is retired; retired grids are kept, never deleted.
    pub end_date: Option<NaiveDate>,
    pub sample: bool,
}

impl Grid {
    /// The community this grid belongs to (from its code).
    pub fn community(&self) -> CommunityCode {
        self.code.community()
    }
    /// Whether the grid is in force (not retired).
    pub fn is_active(&self) -> bool {
        self.end_date.is_none()
    }
}

/// A duty grid (责任网格): a set of unit grids patrolled by one inspector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyGrid {
    pub code: String,
    pub name: String,
    /// The inspector (监督员) responsible for it.
    pub inspector: String,
    pub grids: Vec<GridCode>,
}

/// 部件状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    /// 完好
    Intact,
    /// 破损
    Damaged,
    /// 丢失
    Missing,
    /// 占用
    Occupied,
}

impl ComponentState {
    pub const ALL: [ComponentState; 4] = [
        ComponentState::Intact,
        ComponentState::Damaged,
        ComponentState::Missing,
        ComponentState::Occupied,
    ];

    /// Chinese label as written in CJ/T 214 data (OBJSTATE).
    pub fn zh(self) -> &'static str {
        match self {
            ComponentState::Intact => "完好",
            ComponentState::Damaged => "破损",
            ComponentState::Missing => "丢失",
            ComponentState::Occupied => "占用",
        }
    }
    /// Stable key used in storage and files.
    pub fn key(self) -> &'static str {
        match self {
            ComponentState::Intact => "intact",
            ComponentState::Damaged => "damaged",
            ComponentState::Missing => "missing",
            ComponentState::Occupied => "occupied",
        }
    }
    /// Parses the English key or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|st| st.key().eq_ignore_ascii_case(t) || st.zh() == t)
    }
}

/// A managed component (部件): a public facility with a 16-digit code.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub code: ComponentCode,
    /// Class from the component code table (= `code.class_code()`).
    pub class_code: ClassCode,
    /// 权属单位. Shared: a district's hundreds of thousands of components name about a hundred
    /// units, and a store opens with each name once in memory.
    pub owner: Option<Arc<str>>,
    /// 养护单位 (shared like `owner`)
    pub maintainer: Option<Arc<str>>,
    pub state: ComponentState,
    pub location: Point<f64>,
    /// Unit grid it lies in, assigned by the engine.
    pub grid: Option<GridCode>,
    pub sample: bool,
}

/// Whether a case concerns an event (事件) or a component (部件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Event,
    Component,
}

impl CaseKind {
    pub fn key(self) -> &'static str {
        match self {
            CaseKind::Event => "event",
            CaseKind::Component => "component",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            CaseKind::Event => "事件",
            CaseKind::Component => "部件",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "event" | "事件" | "Event" => Some(CaseKind::Event),
            "component" | "部件" | "Component" => Some(CaseKind::Component),
            _ => None,
        }
    }
}

#[doc(hidden)]
#[macro_export]
macro_rules! keyed_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = ($key:expr, $zh:expr)),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        $(#[$m])*
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// Stable key used in storage, files and tiles.
            pub fn key(self) -> &'static str { match self { $($name::$v => $key),+ } }
            /// Chinese label.
            pub fn zh(self) -> &'static str { match self { $($name::$v => $zh),+ } }
            /// Parses the key or the Chinese label.
            pub fn parse(s: &str) -> Option<Self> {
                let t = s.trim();
                Self::ALL.iter().copied().find(|v| v.key().eq_ignore_ascii_case(t) || v.zh() == t)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}
pub use crate::keyed_enum;

keyed_enum!(
    /// 案件来源 (SPEC §4.3).
    CaseSource {
        /// 监督员上报 (patrol)
        Patrol = ("patrol", "监督员上报"),
        /// 12319 城管热线
        #[serde(rename = "hotline_12319")]
        Hotline12319 = ("hotline_12319", "12319热线"),
        /// 12345 政务热线转办
        #[serde(rename = "hotline_12345")]
        Hotline12345 = ("hotline_12345", "12345热线"),
        /// 公众举报: WeChat / app "随手拍"
        Public = ("public", "公众举报"),
        /// 部件二维码扫码上报
        QrCode = ("qr_code", "扫码上报"),
        /// 视频AI识别
        VideoAi = ("video_ai", "视频AI"),
        /// 媒体监督
        Media = ("media", "媒体曝光"),
        /// 领导交办
        Leader = ("leader", "领导交办"),
        /// 物联感知 (sensors)
        Sensor = ("sensor", "物联感知"),
        /// 其他 (督查检查, 考评发现, 网络上报…)
        Other = ("other", "其他"),
    }
);

keyed_enum!(
    /// Case status (SPEC §4.4 state machine). The case-loop issue adds the transitions.
    CaseStatus {
        Reported = ("reported", "已上报"),
        Accepted = ("accepted", "已受理"),
        NotAccepted = ("not_accepted", "不受理"),
        Verifying = ("verifying", "核实中"),
        Filed = ("filed", "已立案"),
        Handling = ("handling", "处置中"),
        Hung = ("hung", "挂账"),
        Checking = ("checking", "核查中"),
        ToClose = ("to_close", "待结案"),
        Closed = ("closed", "已结案"),
        Cancelled = ("cancelled", "已作废"),
        SelfHandled = ("self_handled", "自行处置"),
    }
);

impl CaseStatus {
    /// Whether the case is still in the loop (未结案, SPEC §4.4): every state that is not
    /// terminal, including a self-handled case (自行处置) still awaiting its 结案. The one
    /// definition of "open" behind every count (statistics, summaries, bulletins, the desk).
    pub fn is_open(self) -> bool {
        !self.is_terminal()
    }

    /// Whether the case has left the loop for good.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseStatus::Closed | CaseStatus::Cancelled | CaseStatus::NotAccepted
        )
    }
}

/// A case (案件): a reported problem at a location.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Task number (任务号), unique.
    pub id: String,
    pub location: Point<f64>,
    pub kind: CaseKind,
    /// Class in the event or component code table.
    pub class_code: ClassCode,
    /// The component concerned, for component cases.
    pub component: Option<ComponentCode>,
    pub source: CaseSource,
    pub reported_at: NaiveDateTime,
    pub status: CaseStatus,
    pub description: Option<String>,
    /// Unit grid it lies in, assigned by the engine.
    pub grid: Option<GridCode>,
    pub sample: bool,
}

/// The part of a case that the engine keeps in memory for maps, counts, queries and export
/// (later workflow detail stays in the store).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    pub id: Box<str>,
    pub location: Point<f64>,
    pub kind: CaseKind,
    pub class_code: ClassCode,
    pub source: CaseSource,
    pub status: CaseStatus,
    pub reported_at: NaiveDateTime,
    pub grid: Option<GridCode>,
    /// The component concerned, for component cases.
    pub component: Option<ComponentCode>,
    pub sample: bool,
}

impl From<&Case> for CaseSummary {
    fn from(c: &Case) -> Self {
        Self {
            id: c.id.as_str().into(),
            location: c.location,
            kind: c.kind,
            class_code: c.class_code,
            source: c.source,
            status: c.status,
            reported_at: c.reported_at,
            grid: c.grid,
            component: c.component,
            sample: c.sample,
        }
    }
}

/// Everything in a store, as loaded to build the in-memory indexes.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub district: Option<District>,
    pub streets: Vec<Street>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    pub duty_grids: Vec<DutyGrid>,
    pub components: Vec<Component>,
    pub cases: Vec<CaseSummary>,
    pub code_tables: crate::codetable::CodeTables,
}
