//! Case photos (before / after), stored as BLOBs with a small JPEG thumbnail.
//!
//! In JSON the bytes travel as standard base64 strings.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C, Reason};
use serde::{Deserialize, Serialize};

/// Largest accepted photo file.
pub const MAX_PHOTO_BYTES: usize = 20 * 1024 * 1024;
/// Longest side of a thumbnail, pixels.
pub const THUMB_SIZE: u32 = 240;

/// When a photo was taken relative to the handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PhotoPhase {
    /// 处置前 (with the report)
    Before,
    /// 处置后 (with the feedback)
    After,
}

impl PhotoPhase {
    /// Stable key used in storage.
    pub fn key(self) -> &'static str {
        match self {
            PhotoPhase::Before => "before",
            PhotoPhase::After => "after",
        }
    }
    /// Parses the key.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "before" | "处置前" => Some(PhotoPhase::Before),
            "after" | "处置后" => Some(PhotoPhase::After),
            _ => None,
        }
    }
}

/// A photo as supplied with an intake or a transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PhotoInput {
    pub phase: PhotoPhase,
    /// File name, for display.
    #[serde(default)]
    pub name: Option<String>,
    /// The image file (JPEG or PNG); base64 in JSON.
    #[serde(with = "b64")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub bytes: Vec<u8>,
}

impl PhotoInput {
    /// Reads a photo file.
    pub fn from_file(path: &std::path::Path, phase: PhotoPhase) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Ok(Self {
            phase,
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            bytes,
        })
    }
}

/// Bytes as a standard base64 string.
mod b64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(serde::de::Error::custom)
    }
}

/// A photo checked and ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub phase: PhotoPhase,
    pub name: Option<String>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
    pub thumb: Vec<u8>,
}

/// Decodes a photo (JPEG or PNG) and makes its thumbnail; the error says what is wrong.
pub fn prepare(p: &PhotoInput) -> std::result::Result<Prepared, Reason> {
    if p.bytes.is_empty() {
        return Err(Message::new(C::PhotoEmpty).en("is empty"));
    }
    if p.bytes.len() > MAX_PHOTO_BYTES {
        let (size, max) = (
            p.bytes.len() / (1024 * 1024),
            MAX_PHOTO_BYTES / (1024 * 1024),
        );
        return Err(Message::new(C::PhotoTooLarge)
            .int("size_mb", size)
            .int("max_mb", max)
            .en(format!("is {size} MB; at most {max} MB")));
    }
    let format = image::guess_format(&p.bytes)
        .map_err(|_| Message::new(C::PhotoNotImage).en("is not a JPEG or PNG image"))?;
    let mime = match format {
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::Png => "image/png",
        _ => return Err(Message::new(C::PhotoNotImage).en("is not a JPEG or PNG image")),
    };
    let img = image::load_from_memory_with_format(&p.bytes, format)
        .map_err(|e| Message::new(C::PhotoUndecodable).en(format!("cannot be decoded: {e}")))?;
    let thumb = img.thumbnail(THUMB_SIZE, THUMB_SIZE).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&thumb)
        .map_err(|e| Message::new(C::PhotoUndecodable).en(format!("thumbnail: {e}")))?;
    Ok(Prepared {
        phase: p.phase,
        name: p.name.clone(),
        mime,
        width: img.width(),
        height: img.height(),
        bytes: p.bytes.clone(),
        thumb: out,
    })
}

/// A small PNG of one colour (tests, fixtures, sample data).
pub fn solid_png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w.max(1), h.max(1), image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    // Writing to memory cannot fail for a valid image.
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_decoded_and_thumbnailed() {
        let p = PhotoInput {
            phase: PhotoPhase::After,
            name: Some("a.png".into()),
            bytes: solid_png(800, 400, [200, 30, 30]),
        };
        let r = prepare(&p).unwrap();
        assert_eq!((r.width, r.height, r.mime), (800, 400, "image/png"));
        let t = image::load_from_memory(&r.thumb).unwrap();
        assert_eq!((t.width(), t.height()), (240, 120));
        for bad in [
            vec![],
            b"not an image at all".to_vec(),
            solid_png(4, 4, [0, 0, 0])[..20].to_vec(),
        ] {
            assert!(prepare(&PhotoInput {
                bytes: bad,
                ..p.clone()
            })
            .is_err());
        }
    }

    #[test]
    fn photo_bytes_travel_as_base64() {
        let p = PhotoInput {
            phase: PhotoPhase::Before,
            name: None,
            bytes: vec![1, 2, 3, 255],
        };
        let j = serde_json::to_string(&p).unwrap();
        assert!(j.contains("\"AQID/w==\""), "{j}");
        let back: PhotoInput = serde_json::from_str(&j).unwrap();
        assert_eq!(back, p);
        assert!(serde_json::from_str::<PhotoInput>(r#"{"phase":"after","bytes":"%%%"}"#).is_err());
    }
}
