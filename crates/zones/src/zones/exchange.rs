//! Zones and road lines in and out of files: GeoJSON, Shapefile and GeoPackage (see
//! [`crate::io`] for CRS and encoding handling).
//!
//! # Zone files (one layer per file)
//! Polygon or MultiPolygon features with **code**, **name**, `unit` (a unit code), `people`
//! (person ids separated by `;`, the lead first) and `grids` (member unit-grid codes separated
//! by `;`). Without `grids` the members are the active grids whose label point lies inside the
//! feature's geometry — exactly the zone's grids when the geometry is an exported outline.
//! Shapefile exports leave `grids` out (a text field holds 254 bytes), so they rely on that.
//! `layer` is written on export and ignored on import (the layer is chosen by the caller).
//!
//! # Road-line files
//! LineString features (or one-part MultiLineStrings) with **code**, **name**, **class**
//! (`street`/`road`/`lane`/`other` or 街/路/巷/其他), `chief` (person id) and `unit`.
//! `length_m` is computed.
//!
//! An import is one transaction and refuses the whole file if any record is rejected (unless
//! `valid_only`); every reject names the file, the feature or record, and the field.

use crate::code::GridCode;
use crate::error::{Position, Result};
use crate::io::fields::{clip, Field};
use crate::io::{ImportOptions, Rejects};
use crate::message::{Message, MessageCode as C, Reason};
use serde::Serialize;

pub const CODE: Field = Field {
    name: "code",
    aliases: &["编码", "zone_code", "road_code"],
};
pub const NAME: Field = Field {
    name: "name",
    aliases: &["名称"],
};
pub const UNIT: Field = Field {
    name: "unit",
    aliases: &["责任单位", "unit_code"],
};
pub const PEOPLE: Field = Field {
    name: "people",
    aliases: &["责任人", "persons"],
};
pub const GRIDS: Field = Field {
    name: "grids",
    aliases: &["members", "单元网格"],
};
pub const CLASS: Field = Field {
    name: "class",
    aliases: &["等级", "类别"],
};
pub const CHIEF: Field = Field {
    name: "chief",
    aliases: &["街长", "路长", "巷长"],
};

/// What a zone or road-line import did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExchangeReport {
    pub file: String,
    /// The layer (zones) or `road_lines`.
    pub target: String,
    /// Records written (or that would be).
    pub imported: usize,
    /// Grids moved from another zone of the layer.
    pub moved_grids: usize,
    /// The first rejects and their total.
    pub rejects: Rejects,
    pub dry_run: bool,
}

pub fn at_(p: Position) -> String {
    match p {
        Position::File => "the file".into(),
        Position::Line(l) => format!("line {l}"),
        Position::Feature(i) => format!("feature {i}"),
        Position::Record(i) => format!("record {i}"),
    }
}

pub fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c == ';' || c == '；' || c == '|' || c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
}

pub struct ZoneRow {
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    pub people: Vec<String>,
    pub grids: Vec<GridCode>,
}

/// "unit `x` does not exist".
pub fn missing_ref(what: &'static str, key: &str) -> Reason {
    Message::new(C::NotFound)
        .with("thing", crate::message::thing(what))
        .text("key", clip(key))
        .en(format!("{what} `{}` does not exist", clip(key)))
}

pub fn refuse(file: &str, rejects: &Rejects, opts: ImportOptions) -> Result<()> {
    if !opts.valid_only && !opts.dry_run {
        rejects.refuse(file)?;
    }
    Ok(())
}
