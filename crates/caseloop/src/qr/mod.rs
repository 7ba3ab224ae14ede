//! QR plates for components (一物一码, SPEC §7): a compact payload, QR images, printable plate
//! sheets (PNG, and PDF with the sheet as one image per page), and decoding a payload from text
//! or from a photo of a plate.
//!
//! # Payload
//! `GD1|<16-digit component code>|<lon>|<lat>`, longitude and latitude in decimal degrees with
//! 6 decimals (≈ 0.1 m), e.g. `GD1|3310030305000001|121.260020|28.653550`. `GD1` names the
//! format and its version. A bare 16-digit code is read as a payload without coordinates.
//! About 45 characters: a version-3 QR at error-correction level M, readable from a small
//! plate.

pub mod sheet;

pub use sheet::{plate_sheet_pdf, plate_sheet_png, Plate, PlateOptions};

use crate::code::ComponentCode;
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use qrcode::{EcLevel, QrCode};
use serde::{Deserialize, Serialize};

/// The prefix naming the payload format.
pub const PAYLOAD_PREFIX: &str = "GD1";

/// What a QR plate carries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QrPayload {
    pub code: ComponentCode,
    /// `[lon, lat]` of the plate's component, if encoded.
    pub location: Option<[f64; 2]>,
}

impl QrPayload {
    /// The payload text (module docs).
    pub fn encode(&self) -> String {
        match self.location {
            Some([x, y]) => format!("{PAYLOAD_PREFIX}|{}|{x:.6}|{y:.6}", self.code),
            None => format!("{PAYLOAD_PREFIX}|{}", self.code),
        }
    }

    /// Reads a payload (module docs); surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        let bad = |why: &str| {
            Error::Invalid(
                Message::new(C::QrNotPlate)
                    .text("payload", t)
                    .en(format!("QR payload `{t}`: {why}")),
            )
        };
        if t.len() == 16 && t.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self {
                code: ComponentCode::parse(t)?,
                location: None,
            });
        }
        let mut parts = t.split('|');
        if parts.next() != Some(PAYLOAD_PREFIX) {
            return Err(bad(
                "not a GridDesk component plate (expected GD1|code|lon|lat)",
            ));
        }
        let code = parts
            .next()
            .ok_or_else(|| bad("no component code"))
            .and_then(|c| ComponentCode::parse(c).map_err(|e| bad(&e.to_string())))?;
        let location = match (parts.next(), parts.next()) {
            (None, _) => None,
            (Some(x), Some(y)) => {
                let x: f64 = x
                    .trim()
                    .parse()
                    .map_err(|_| bad("longitude is not a number"))?;
                let y: f64 = y
                    .trim()
                    .parse()
                    .map_err(|_| bad("latitude is not a number"))?;
                if !((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)) {
                    return Err(bad("coordinates out of range"));
                }
                Some([x, y])
            }
            (Some(_), None) => return Err(bad("a longitude without a latitude")),
        };
        if parts.next().is_some() {
            return Err(bad("too many fields"));
        }
        Ok(Self { code, location })
    }
}

/// The QR symbol of a text as a grey image: `scale` pixels per module and a 4-module quiet zone.
pub fn qr_image(text: &str, scale: u32) -> Result<image::GrayImage> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Internal(format!("QR encoding of `{text}`: {e}")))?;
    let w = code.width() as u32;
    let colors = code.to_colors();
    let scale = scale.max(1);
    let quiet = 4;
    let side = (w + 2 * quiet) * scale;
    let mut img = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = (i as u32 % w + quiet, i as u32 / w + quiet);
            for dy in 0..scale {
                for dx in 0..scale {
                    img.put_pixel(mx * scale + dx, my * scale + dy, image::Luma([0]));
                }
            }
        }
    }
    Ok(img)
}

/// A QR image as PNG bytes.
pub fn qr_png(text: &str, scale: u32) -> Result<Vec<u8>> {
    let img = qr_image(text, scale)?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error::Internal(format!("PNG encoding: {e}")))?;
    Ok(out.into_inner())
}

/// Every QR payload found in an image file (PNG or JPEG bytes), as text.
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>> {
    let img = image::load_from_memory(bytes)
        .map_err(|e| {
            Error::Invalid(Message::new(C::NotAnImage).en(format!("not a readable image: {e}")))
        })?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| img.get_pixel(x as u32, y as u32).0[0],
    );
    let mut out = Vec::new();
    for g in prepared.detect_grids() {
        if let Ok((_, text)) = g.decode() {
            out.push(text);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> ComponentCode {
        ComponentCode::parse("3310030305000001").unwrap()
    }

    #[test]
    fn payload_round_trips_and_is_checked() {
        let p = QrPayload {
            code: code(),
            location: Some([121.26002, 28.65355]),
        };
        let t = p.encode();
        assert_eq!(t, "GD1|3310030305000001|121.260020|28.653550");
        assert_eq!(QrPayload::parse(&t).unwrap(), p);
        assert_eq!(
            QrPayload::parse(" 3310030305000001\n").unwrap().location,
            None
        );
        assert_eq!(
            QrPayload::parse("GD1|3310030305000001").unwrap().location,
            None
        );
        for bad in [
            "",
            "http://example.com",
            "GD2|3310030305000001|1|2",
            "GD1|33100303|1|2",
            "GD1|3310030305000001|x|2",
            "GD1|3310030305000001|121.2",
            "GD1|3310030305000001|200|2",
            "GD1|3310030305000001|1|2|3",
        ] {
            assert!(QrPayload::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn qr_images_decode_back_to_the_payload() {
        let text = QrPayload {
            code: code(),
            location: Some([121.26002, 28.65355]),
        }
        .encode();
        let png = qr_png(&text, 4).unwrap();
        assert_eq!(decode_image(&png).unwrap(), vec![text]);
        assert!(
            decode_image(&crate::workflow::photo::solid_png(50, 50, [255, 255, 255]))
                .unwrap()
                .is_empty()
        );
        assert!(decode_image(b"nope").is_err());
    }
}
