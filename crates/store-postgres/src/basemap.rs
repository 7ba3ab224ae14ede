//! A district's basemap records (`griddesk_basemap::basemap::store::BasemapStore`, the
//! `basemap` and `basemap_place` tables of migration 1): the packages installed for it, oldest
//! first, and the place names of built ones for the place search. The package files are not
//! here: they live beside the store that opened them and are read by `griddesk-basemap`. Values
//! are kept as the station keeps them (keys, JSON text byte for byte, the time to the second),
//! and the search folds, matches and orders exactly as the station's does.

use crate::error::{Error, Result};
use crate::model::{DistrictScope, DistrictTx};
use chrono::NaiveDateTime;
use griddesk_basemap::basemap::datum::Datum;
use griddesk_basemap::basemap::model::{
    search_key, BasemapInfo, PackageFormat, Place, TileFormat, VectorLayer,
};
use griddesk_basemap::basemap::store::BasemapStore;
use griddesk_core::code::DistrictCode;
use griddesk_core::dates::{format_datetime, parse_datetime};
use postgres::GenericClient;

fn corrupt(key: &str, e: impl std::fmt::Display) -> Error {
    Error::Corrupt {
        what: "basemap",
        key: key.to_string(),
        reason: e.to_string(),
    }
}

fn list(c: &mut impl GenericClient, district: &DistrictCode) -> Result<Vec<BasemapInfo>> {
    let d = district.as_str();
    let rows = c
        .query(
            "SELECT id, name, format, tile_format, datum, min_zoom, max_zoom, bounds, built,
                    vector_layers, size_bytes, source_file, attribution, installed_at,
                    installed_by
               FROM basemap WHERE district = $1::text ORDER BY seq",
            &[&d],
        )
        .map_err(|e| Error::of(e, format!("reading the basemaps of district {d}"), None))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.get(0);
        let format: String = r.get(2);
        let tile: String = r.get(3);
        let datum: String = r.get(4);
        let zoom = |i: usize| {
            let z: i32 = r.get(i);
            u8::try_from(z).map_err(|_| corrupt(&id, format!("zoom {z}")))
        };
        let bounds: Option<String> = r.get(7);
        let layers: String = r.get(9);
        let size: i64 = r.get(10);
        let at: NaiveDateTime = r.get(13);
        out.push(BasemapInfo {
            name: r.get(1),
            format: PackageFormat::from_key(&format)
                .ok_or_else(|| corrupt(&id, format!("format `{format}`")))?,
            tile_format: TileFormat::from_key(&tile)
                .ok_or_else(|| corrupt(&id, format!("tile format `{tile}`")))?,
            datum: Datum::parse(&datum).ok_or_else(|| corrupt(&id, format!("datum `{datum}`")))?,
            min_zoom: zoom(5)?,
            max_zoom: zoom(6)?,
            bounds: bounds
                .map(|b| serde_json::from_str::<[f64; 4]>(&b))
                .transpose()
                .map_err(|e| corrupt(&id, format!("bounds: {e}")))?,
            built: r.get(8),
            vector_layers: serde_json::from_str::<Vec<VectorLayer>>(&layers)
                .map_err(|e| corrupt(&id, format!("layers: {e}")))?,
            size_bytes: u64::try_from(size).unwrap_or(0),
            source_file: r.get(11),
            attribution: r.get(12),
            installed_at: format_datetime(&at),
            installed_by: r.get(14),
            id,
        });
    }
    Ok(out)
}

/// What a basemap's row keeps in other forms than the record's: the time, and the bounds and
/// layers as JSON text (written by the same encoder as at the station).
struct Stored {
    at: NaiveDateTime,
    bounds: Option<String>,
    layers: String,
}

impl Stored {
    fn of(b: &BasemapInfo) -> griddesk_core::Result<Self> {
        let enc = |e: serde_json::Error| {
            griddesk_core::Error::Internal(format!("encoding basemap `{}`: {e}", b.id))
        };
        Ok(Stored {
            at: parse_datetime(&b.installed_at)?,
            bounds: b
                .bounds
                .map(|v| serde_json::to_string(&v))
                .transpose()
                .map_err(enc)?,
            layers: serde_json::to_string(&b.vector_layers).map_err(enc)?,
        })
    }
}

/// Writes a basemap's row and its places; the caller holds the transaction.
fn add(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    b: &BasemapInfo,
    stored: &Stored,
    places: &[Place],
) -> Result<()> {
    let d = district.as_str();
    let what = || format!("recording basemap `{}` in district {d}", b.id);
    let seq: i64 = c
        .query_one(
            "SELECT coalesce(max(seq), 0) + 1 FROM basemap WHERE district = $1::text",
            &[&d],
        )
        .map_err(|e| Error::of(e, what(), None))?
        .get(0);
    c.execute(
        "INSERT INTO basemap (district, id, seq, name, format, tile_format, datum, min_zoom,
                max_zoom, bounds, built, vector_layers, size_bytes, source_file, attribution,
                installed_at, installed_by)
         VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17)",
        &[
            &d,
            &b.id,
            &seq,
            &b.name,
            &b.format.extension(),
            &b.tile_format.key(),
            &b.datum.key(),
            &i32::from(b.min_zoom),
            &i32::from(b.max_zoom),
            &stored.bounds,
            &b.built,
            &stored.layers,
            &i64::try_from(b.size_bytes).unwrap_or(i64::MAX),
            &b.source_file,
            &b.attribution,
            &stored.at,
            &b.installed_by,
        ],
    )
    .map_err(|e| Error::of(e, what(), None))?;
    let st = c
        .prepare(
            "INSERT INTO basemap_place (district, basemap, name, key, layer, class, lon, lat)
             VALUES ($1::text, $2, $3, $4, $5, $6, $7, $8)",
        )
        .map_err(|e| Error::of(e, what(), None))?;
    for p in places {
        c.execute(
            &st,
            &[
                &d,
                &b.id,
                &p.name,
                &search_key(&p.name),
                &p.layer,
                &p.class,
                &p.lon,
                &p.lat,
            ],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!(
                    "recording place `{}` of basemap `{}` in district {d}",
                    p.name, b.id
                ),
                None,
            )
        })?;
    }
    Ok(())
}

/// Deletes a basemap's places and row; the caller holds the transaction.
fn remove(c: &mut impl GenericClient, district: &DistrictCode, id: &str) -> Result<bool> {
    let d = district.as_str();
    let what = || format!("removing basemap `{id}` of district {d}");
    c.execute(
        "DELETE FROM basemap_place WHERE district = $1::text AND basemap = $2",
        &[&d, &id],
    )
    .map_err(|e| Error::of(e, what(), None))?;
    let n = c
        .execute(
            "DELETE FROM basemap WHERE district = $1::text AND id = $2",
            &[&d, &id],
        )
        .map_err(|e| Error::of(e, what(), None))?;
    Ok(n > 0)
}

/// The station's search: every word's key inside the name's key; the whole query's key equal,
/// then a prefix; the `places` layer; shorter names; then name, layer, class, lon, lat and
/// basemap, texts in byte order (code point order in UTF-8, as SQLite compares them).
fn search(
    c: &mut impl GenericClient,
    district: &DistrictCode,
    query: &str,
    limit: usize,
) -> Result<Vec<Place>> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(search_key)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let d = district.as_str();
    let whole = search_key(query);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = c
        .query(
            "SELECT name, layer, class, lon, lat, basemap FROM basemap_place
              WHERE district = $1::text
                AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS w (word)
                                 WHERE strpos(key, w.word) = 0)
              ORDER BY (key = $3) DESC, starts_with(key, $3) DESC, (layer = 'places') DESC,
                       length(name), name COLLATE \"C\", layer COLLATE \"C\",
                       class COLLATE \"C\", lon, lat, basemap COLLATE \"C\"
              LIMIT $4",
            &[&d, &words, &whole, &limit],
        )
        .map_err(|e| {
            Error::of(
                e,
                format!("searching the place names of district {d} for `{query}`"),
                None,
            )
        })?;
    Ok(rows
        .iter()
        .map(|r| Place {
            name: r.get(0),
            layer: r.get(1),
            class: r.get(2),
            lon: r.get(3),
            lat: r.get(4),
            basemap: r.get(5),
        })
        .collect())
}

impl BasemapStore for DistrictTx<'_, '_> {
    fn basemaps(&self) -> griddesk_core::Result<Vec<BasemapInfo>> {
        Ok(list(&mut *self.tx.tx.borrow_mut(), &self.district)?)
    }
    fn add_basemap(&self, info: &BasemapInfo, places: &[Place]) -> griddesk_core::Result<()> {
        let stored = Stored::of(info)?;
        Ok(add(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
            info,
            &stored,
            places,
        )?)
    }
    fn remove_basemap(&self, id: &str) -> griddesk_core::Result<bool> {
        Ok(remove(&mut *self.tx.tx.borrow_mut(), &self.district, id)?)
    }
    fn search_places(&self, query: &str, limit: usize) -> griddesk_core::Result<Vec<Place>> {
        Ok(search(
            &mut *self.tx.tx.borrow_mut(),
            &self.district,
            query,
            limit,
        )?)
    }
}

impl BasemapStore for DistrictScope<'_> {
    fn basemaps(&self) -> griddesk_core::Result<Vec<BasemapInfo>> {
        Ok(self.centre.with(|c| list(c, &self.district))?)
    }
    /// The row and its places in one transaction of their own.
    fn add_basemap(&self, info: &BasemapInfo, places: &[Place]) -> griddesk_core::Result<()> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).add_basemap(info, places))
    }
    /// The places and the row in one transaction of their own.
    fn remove_basemap(&self, id: &str) -> griddesk_core::Result<bool> {
        let d = self.district;
        self.centre
            .transaction(|tx| tx.district(d).remove_basemap(id))
    }
    fn search_places(&self, query: &str, limit: usize) -> griddesk_core::Result<Vec<Place>> {
        Ok(self
            .centre
            .with(|c| search(c, &self.district, query, limit))?)
    }
}
