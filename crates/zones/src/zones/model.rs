//! Records of the responsibility system: units, people, zone layers, zones and road lines.

use crate::code::GridCode;
use crate::model::keyed_enum;
use geo_types::LineString;
use serde::{Deserialize, Serialize};

keyed_enum!(
    /// What a person does (SPEC §4.2, §7).
    #[cfg_attr(feature = "ts", ts(rename = "ZoneRole"))]
    Role {
        /// 监督员: patrols a duty grid.
        Inspector = ("inspector", "监督员"),
        /// 片长: leads a sector.
        SectorChief = ("sector_chief", "片长"),
        /// 中队长: leads an enforcement squadron.
        SquadronLeader = ("squadron_leader", "中队长"),
        /// 队员: enforcement team member.
        TeamMember = ("team_member", "队员"),
        /// 街长
        StreetChief = ("street_chief", "街长"),
        /// 路长
        RoadChief = ("road_chief", "路长"),
        /// 巷长
        LaneChief = ("lane_chief", "巷长"),
        /// 网格员: grid worker of the community.
        GridWorker = ("grid_worker", "网格员"),
        /// 专业部门人员: staff of a handling department.
        DepartmentStaff = ("department_staff", "部门人员"),
        /// Any other role.
        Other = ("other", "其他"),
    }
);

keyed_enum!(
    /// Kind of organisational unit.
    UnitKind {
        /// 专业部门 / 责任单位: a handling department.
        Department = ("department", "部门"),
        /// 中队: an enforcement squadron.
        Squadron = ("squadron", "中队"),
        /// 街道 / 社区 office (属地).
        Office = ("office", "属地"),
        /// 作业单位: sanitation, landscaping or municipal contractor.
        Contractor = ("contractor", "作业单位"),
        /// Any other unit.
        Other = ("other", "其他"),
    }
);

keyed_enum!(
    /// Kind of zone layer.
    LayerKind {
        /// 责任网格: the duty grids (one built-in layer, code [`DUTY_LAYER`]).
        Duty = ("duty", "责任网格"),
        /// 片区: sector.
        Sector = ("sector", "片区"),
        /// 中队辖区: squadron area.
        Squadron = ("squadron", "中队辖区"),
        /// 执法网格: enforcement grid.
        Enforcement = ("enforcement", "执法网格"),
        /// Any other layer a district defines.
        Custom = ("custom", "自定义"),
    }
);

keyed_enum!(
    /// The network a layer belongs to (两网融合, SPEC §7).
    Network {
        /// 城管网格: city-management network.
        Management = ("management", "城管网格"),
        /// 执法网格: law-enforcement network.
        Enforcement = ("enforcement", "执法网格"),
    }
);

keyed_enum!(
    /// Class of a road line (三长制).
    RoadClass {
        /// 街, with a 街长.
        Street = ("street", "街"),
        /// 路, with a 路长.
        Road = ("road", "路"),
        /// 巷, with a 巷长.
        Lane = ("lane", "巷"),
        /// Professional or other line.
        Other = ("other", "其他"),
    }
);

impl RoadClass {
    /// The chief's title for this class (街长, 路长, 巷长; 线长 for others).
    pub fn chief_title(self) -> &'static str {
        match self {
            RoadClass::Street => "街长",
            RoadClass::Road => "路长",
            RoadClass::Lane => "巷长",
            RoadClass::Other => "线长",
        }
    }
}

/// Code of the built-in duty-grid layer.
pub const DUTY_LAYER: &str = "duty";

/// An organisational unit: a department, squadron, office or contractor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUnit {
    /// Unique code chosen by the district.
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    /// The unit it belongs to (a squadron's brigade…).
    pub parent: Option<String>,
    pub phone: Option<String>,
}

/// A person with a responsibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Unique id (staff number).
    pub id: String,
    pub name: String,
    pub role: Role,
    pub phone: Option<String>,
    /// Code of the unit the person works for.
    pub unit: Option<String>,
}

/// A zone layer: one way of dividing the district into responsibility zones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ZoneLayer {
    /// Unique code (`duty` is the duty-grid layer).
    pub code: String,
    pub name: String,
    pub kind: LayerKind,
    pub network: Network,
    /// Display order.
    pub order: i64,
}

/// A zone: a set of unit grids with the unit and people responsible for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Layer code.
    pub layer: String,
    /// Code, unique within the layer.
    pub code: String,
    pub name: String,
    /// Responsible unit code.
    pub unit: Option<String>,
    /// Responsible people (ids), the lead first.
    pub people: Vec<String>,
    /// Member unit grids, in code order.
    pub grids: Vec<GridCode>,
}

/// A road line (线条): a street, road or lane with its chief.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadLine {
    pub code: String,
    pub name: String,
    pub class: RoadClass,
    /// Centre line, lon/lat.
    pub line: LineString<f64>,
    /// Geodesic length, m.
    pub length_m: f64,
    /// Chief (person id).
    pub chief: Option<String>,
    /// Responsible unit code.
    pub unit: Option<String>,
}

/// Geodesic length of a lon/lat line, m.
pub fn line_length_m(line: &LineString<f64>) -> f64 {
    use geo::{Distance, Geodesic};
    line.0
        .windows(2)
        .map(|w| Geodesic.distance(geo_types::Point(w[0]), geo_types::Point(w[1])))
        .sum()
}

/// Zone tables to seed in one go (the sample district's units, people, layers, zones and
/// roads).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SampleZones {
    pub units: Vec<OrgUnit>,
    pub people: Vec<Person>,
    /// The layers besides the built-in duty layer.
    pub layers: Vec<ZoneLayer>,
    /// Zones of those layers, and the duty grids with their inspector linked (`people`).
    pub zones: Vec<Zone>,
    pub roads: Vec<RoadLine>,
}
