//! Topology findings (§1.6): the one type every check reports — the planning guard's verdict on
//! an edit, the district check (`validate`) and the import checks — with the geometry to draw.

use crate::code::{CommunityCode, GridCode};
use crate::message::{Message, MessageCode};
use geo_types::Geometry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

pub mod geojson_geom {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes any geometry as a GeoJSON geometry object.
    pub fn serialize<S: Serializer, G>(g: &G, s: S) -> Result<S::Ok, S::Error>
    where
        G: Clone + Into<geo_types::Geometry<f64>>,
    {
        let g: geo_types::Geometry<f64> = g.clone().into();
        geojson::Geometry::from(&g).serialize(s)
    }

    /// Reads a GeoJSON geometry object into the field's geometry type.
    pub fn deserialize<'de, D: Deserializer<'de>, G>(d: D) -> Result<G, D::Error>
    where
        G: TryFrom<geo_types::Geometry<f64>>,
    {
        let g = geojson::Geometry::deserialize(d)?;
        let g: geo_types::Geometry<f64> = g.try_into().map_err(serde::de::Error::custom)?;
        G::try_from(g).map_err(|_| serde::de::Error::custom("unexpected geometry type"))
    }
}

/// Uncovered or overlapping pieces smaller than this are rounding noise of the geometric
/// analysis, m² (the exact chain test has no tolerance).
pub const MIN_PROBLEM_AREA_M2: f64 = 0.01;

/// Which rule a problem breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Not a valid polygon (too few points, self-intersection, bad hole, non-finite value).
    InvalidPolygon,
    /// Two grids overlap; the geometry is the overlap.
    Overlap,
    /// Part of the community is covered by no grid; the geometry is the uncovered part.
    Gap,
    /// Part of a grid lies outside its community; the geometry is that part.
    OutsideCommunity,
    /// The grid's code names no community.
    UnknownCommunity,
    /// Shared edges are not split at the same vertices on both sides (or a sliver below
    /// [`MIN_PROBLEM_AREA_M2`]); the geometry is the unmatched segments.
    EdgeMismatch,
    /// Two communities of a street overlap; the geometry is the overlap.
    CommunityOverlap,
    /// A street's communities do not match its outline vertex for vertex.
    StreetCoverage,
    /// A new code is already used, or belongs to another community.
    Code,
    /// Grid area outside the configured range.
    AreaRange,
    /// The community already had topology problems before this change.
    PreExisting,
}

impl Rule {
    /// Every rule.
    pub const ALL: &'static [Rule] = &[
        Rule::InvalidPolygon,
        Rule::Overlap,
        Rule::Gap,
        Rule::OutsideCommunity,
        Rule::UnknownCommunity,
        Rule::EdgeMismatch,
        Rule::CommunityOverlap,
        Rule::StreetCoverage,
        Rule::Code,
        Rule::AreaRange,
        Rule::PreExisting,
    ];

    /// Stable id, e.g. `overlap`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::InvalidPolygon => "invalid-polygon",
            Rule::Overlap => "overlap",
            Rule::Gap => "gap",
            Rule::OutsideCommunity => "outside-community",
            Rule::UnknownCommunity => "unknown-community",
            Rule::EdgeMismatch => "edge-mismatch",
            Rule::CommunityOverlap => "community-overlap",
            Rule::StreetCoverage => "street-coverage",
            Rule::Code => "code",
            Rule::AreaRange => "area-range",
            Rule::PreExisting => "pre-existing",
        }
    }
}

/// One problem, with the geometry to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    pub severity: Severity,
    pub rule: Rule,
    pub community: Option<CommunityCode>,
    /// The grids concerned.
    pub grids: Vec<GridCode>,
    /// What is wrong, in English.
    pub message: String,
    /// What is wrong, as a message for the UI.
    pub detail: Message,
    /// What to highlight: the overlap, the uncovered area, the part outside, the unmatched
    /// segments, or the grid itself.
    #[serde(with = "opt_geom")]
    #[cfg_attr(feature = "ts", ts(type = "import(\"geojson\").Geometry | null"))]
    pub geometry: Option<Geometry<f64>>,
    /// Area of the highlighted polygon(s), m².
    pub area_m2: Option<f64>,
}

mod opt_geom {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        g: &Option<geo_types::Geometry<f64>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match g {
            Some(g) => super::geojson_geom::serialize(g, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<geo_types::Geometry<f64>>, D::Error> {
        let g: Option<geojson::Geometry> = Option::deserialize(d)?;
        g.map(|g| g.try_into().map_err(serde::de::Error::custom))
            .transpose()
    }
}

impl Problem {
    /// What the problem is about, for a list: the first grid concerned, else the community.
    pub fn subject(&self) -> String {
        self.grids
            .first()
            .map(|g| g.to_string())
            .or_else(|| self.community.map(|c| c.to_string()))
            .unwrap_or_default()
    }
}

/// The guard's verdict: every problem found; the change is refused if any is an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GuardReport {
    pub problems: Vec<Problem>,
}

impl GuardReport {
    /// Number of errors (hard-rule violations).
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }
    /// Whether nothing blocks the change.
    pub fn is_ok(&self) -> bool {
        self.errors() == 0
    }
    /// A one-line summary, e.g. `2 errors (overlap, gap), 1 warning`.
    pub fn summary(&self) -> String {
        let errs: BTreeSet<&str> = self
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.rule.id())
            .collect();
        let e = self.errors();
        let w = self.problems.len() - e;
        let list = errs.into_iter().collect::<Vec<_>>().join(", ");
        if e > 0 {
            format!("{e} error(s) ({list}), {w} warning(s)")
        } else {
            format!("no errors, {w} warning(s)")
        }
    }
    /// The refusal as a message: counts and the broken rules (the problems carry their own).
    pub fn message(&self) -> Message {
        let errs: BTreeSet<Rule> = self
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.rule)
            .collect();
        let e = self.errors();
        Message::new(MessageCode::TopologyRefused)
            .int("errors", e)
            .terms("rules", errs)
            .int("warnings", self.problems.len() - e)
    }

    #[doc(hidden)]
    pub fn sort(&mut self) {
        self.problems.sort_by(|a, b| {
            (a.severity, a.community, &a.grids, a.rule).cmp(&(
                b.severity,
                b.community,
                &b.grids,
                b.rule,
            ))
        });
    }
}
