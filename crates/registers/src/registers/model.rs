//! The registers' records (docs/registers.md).

use crate::model::keyed_enum;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

keyed_enum!(
    /// What a service object is (服务对象类型).
    ObjectKind {
        Shop = ("shop", "沿街商铺"),
        Firm = ("firm", "企业"),
        Institution = ("institution", "机关事业单位"),
        Community = ("community", "社区"),
        Village = ("village", "村居"),
        KeyFacility = ("key_facility", "重点场所"),
        Other = ("other", "其他"),
    }
);

keyed_enum!(
    /// Whether a service object still trades.
    ObjectStatus {
        Operating = ("operating", "正常经营"),
        Suspended = ("suspended", "停业"),
        Closed = ("closed", "已关闭"),
    }
);

/// A service object (服务对象) as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServiceObject {
    pub id: i64,
    pub kind: ObjectKind,
    pub name: String,
    pub address: String,
    /// `[lon, lat]`.
    pub location: [f64; 2],
    /// The unit grid it lies in (found by the engine, or set by hand with `grid_reason`).
    pub grid: Option<String>,
    /// Why the grid was set by hand (`None`: the engine found it).
    pub grid_reason: Option<String>,
    /// GB/T 4754-2017 section letter.
    pub section: Option<String>,
    /// The city's sub-class code.
    pub subclass: Option<String>,
    /// 统一社会信用代码, checked.
    pub credit_code: Option<String>,
    /// 法定代表人 / 负责人 (personal data).
    pub legal_rep: Option<String>,
    /// The legal representative's ID number (personal data).
    pub id_number: Option<String>,
    /// 联系人 (personal data).
    pub contact: Option<String>,
    /// Contact phone (personal data).
    pub phone: Option<String>,
    /// 营业执照 / licence number.
    pub licence: Option<String>,
    pub status: ObjectStatus,
    /// Who collected it, and when.
    pub collected_by: Option<String>,
    pub collected_on: Option<NaiveDate>,
    /// Who verified it, and when (`None`: not verified).
    pub verified_by: Option<String>,
    pub verified_at: Option<NaiveDateTime>,
    /// The 门前三包 frontage: `[lon, lat]` vertices of the street segment in front of it.
    pub frontage: Option<Vec<[f64; 2]>>,
    pub note: Option<String>,
}

/// Creating or changing a service object (the id is the store's; `None` creates).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ObjectEdit {
    #[serde(default)]
    pub id: Option<i64>,
    pub kind: Option<ObjectKind>,
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub location: [f64; 2],
    /// A grid given by hand (needs `grid_reason`); `None`: the engine finds it.
    #[serde(default)]
    pub grid: Option<String>,
    #[serde(default)]
    pub grid_reason: Option<String>,
    #[serde(default)]
    pub section: Option<String>,
    #[serde(default)]
    pub subclass: Option<String>,
    #[serde(default)]
    pub credit_code: Option<String>,
    #[serde(default)]
    pub legal_rep: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub licence: Option<String>,
    #[serde(default)]
    pub status: Option<ObjectStatus>,
    #[serde(default)]
    pub collected_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
    /// The 门前三包 frontage (an import's `frontage` column); `None` keeps the stored one.
    #[serde(default)]
    pub frontage: Option<Vec<[f64; 2]>>,
    /// Why the record changed (kept in its history).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One change of a service object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ObjectChange {
    pub at: NaiveDateTime,
    pub by: String,
    /// `create`, `edit`, `verify`, `frontage`, `import`, `photo`.
    pub action: String,
    pub reason: Option<String>,
    /// The fields that changed: name, before, after (personal fields masked for roles that may
    /// not see them).
    pub fields: Vec<(String, Option<String>, Option<String>)>,
}

keyed_enum!(
    /// The colour of a mobile vendor's record (§Vendor colour), derived, never typed.
    Colour {
        None = ("none", "无"),
        Yellow = ("yellow", "黄"),
        Green = ("green", "绿"),
        Red = ("red", "红"),
    }
);

/// A mobile vendor (流动摊贩) on record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Vendor {
    pub id: i64,
    /// Name (personal data).
    pub name: String,
    /// Phone (personal data).
    pub phone: Option<String>,
    /// ID number (personal data).
    pub id_number: Option<String>,
    /// What they sell.
    pub trade: String,
    /// Where they usually stand, `[lon, lat]`.
    pub usual_place: Option<[f64; 2]>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

/// Creating or changing a vendor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VendorEdit {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub trade: String,
    #[serde(default)]
    pub usual_place: Option<[f64; 2]>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A persuasion or warning given to a vendor (劝导), logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Warning {
    pub id: i64,
    pub vendor: i64,
    pub at: NaiveDateTime,
    pub location: [f64; 2],
    pub grid: Option<String>,
    /// The inspector who gave it (login).
    pub inspector: String,
    /// What the vendor was told to stop (e.g. 占道经营).
    pub matter: String,
    /// Whether the vendor refused (拒不整改): only refusals count towards the colour.
    pub refused: bool,
    pub note: Option<String>,
}

/// Logging a warning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WarningInput {
    pub vendor: i64,
    /// When (default: now).
    #[serde(default)]
    pub at: Option<NaiveDateTime>,
    pub location: [f64; 2],
    pub matter: String,
    pub refused: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A vending zone (疏导点 / 定时定点定区域).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VendingZone {
    pub code: String,
    pub name: String,
    /// Outer ring `[lon, lat]`, closed or not.
    pub ring: Vec<[f64; 2]>,
    /// Allowed weekdays, 1 = Monday … 7 = Sunday.
    pub days: Vec<u8>,
    /// Allowed hours `["HH:MM", "HH:MM"]`; an end before the start runs past midnight into
    /// the next day (a night market 18:00–02:00).
    pub hours: Vec<(String, String)>,
    /// Allowed trades (empty: any).
    pub trades: Vec<String>,
    /// How many vendors may be admitted (`None`: no limit).
    pub capacity: Option<u32>,
    pub note: Option<String>,
}

keyed_enum!(
    /// Where a vendor's admission to a zone stands.
    AdmissionStatus {
        Admitted = ("admitted", "已准入"),
        Filed = ("filed", "已备案"),
        Exited = ("exited", "已退出"),
    }
);

/// A vendor's admission to a zone: admitted, filed (备案, with a stall number), exited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Admission {
    pub id: i64,
    pub zone: String,
    pub vendor: i64,
    pub trade: String,
    pub status: AdmissionStatus,
    pub admitted_at: NaiveDateTime,
    pub admitted_by: String,
    pub stall: Option<String>,
    pub filed_at: Option<NaiveDateTime>,
    pub exited_at: Option<NaiveDateTime>,
    pub exit_reason: Option<String>,
}

keyed_enum!(
    /// To whom a notice goes.
    TargetKind {
        Object = ("object", "单个对象"),
        Section = ("section", "行业门类"),
        Subclass = ("subclass", "行业小类"),
        Grid = ("grid", "网格"),
        Community = ("community", "社区"),
        Street = ("street", "街道"),
    }
);

/// The recipients of a notice: every operating object matching the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Target {
    pub kind: TargetKind,
    /// Object id, section letter, sub-class code, or grid / community / street code.
    pub key: String,
}

/// A notice (温馨提示) as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Notice {
    pub id: i64,
    pub title: String,
    /// The text with `{名称}`, `{地址}`, `{负责人}`, `{网格}`, `{日期}` fields.
    pub template: String,
    pub target: Target,
    pub channel: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub recipients: usize,
}

keyed_enum!(
    /// How a move-car reminder ended.
    MoveOutcome {
        Moved = ("moved", "已驶离"),
        Ticketed = ("ticketed", "已处罚"),
        NoResponse = ("no_response", "未响应"),
    }
);

/// A move-car reminder (移车提醒).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MoveCarReminder {
    pub id: i64,
    pub plate: String,
    pub place: String,
    pub location: [f64; 2],
    pub grid: Option<String>,
    pub at: NaiveDateTime,
    /// 短信 / 电话 / 挪车码…
    pub channel: String,
    pub outcome: MoveOutcome,
    pub by: String,
}
