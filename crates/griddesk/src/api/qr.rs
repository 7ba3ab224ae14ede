//! QR plates on [`Engine`]: a component's payload and image, plate sheets for a selection, and
//! scanning a payload into a started intake.

#[allow(unused_imports)]
use crate::ports::*;

use crate::error::{Error, Result};
use crate::intake::IntakeRequest;
use crate::message::{Message, MessageCode as C};
use crate::model::{CaseKind, CaseSource};
use crate::qr::{
    decode_image, plate_sheet_pdf, plate_sheet_png, qr_png, Plate, PlateOptions, QrPayload,
};
use crate::register::ComponentRecord;
use crate::Engine;
use chrono::NaiveDateTime;
use serde::Serialize;

/// A scanned plate: the component and an intake form started on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Scan {
    pub payload: String,
    pub component: ComponentRecord,
    /// Distance between the plate's encoded location and the register's, metres (a moved or
    /// misplaced plate shows here).
    pub offset_m: Option<f64>,
    /// An intake request with source 扫码上报, the component, its class and location filled in.
    pub intake: IntakeRequest,
}

impl Engine {
    /// The QR payload of a component (module docs of [`crate::qr`]).
    pub fn component_payload(&self, code: &str) -> Result<String> {
        let c = self.component(code)?;
        Ok(QrPayload {
            code: crate::code::ComponentCode::parse(&c.code)?,
            location: Some(c.location),
        }
        .encode())
    }

    /// A component's QR symbol as PNG (`scale` pixels per module).
    pub fn component_qr_png(&self, code: &str, scale: u32) -> Result<Vec<u8>> {
        qr_png(&self.component_payload(code)?, scale)
    }

    fn plates(&self, codes: &[String]) -> Result<Vec<Plate>> {
        codes
            .iter()
            .map(|code| {
                let c = self.component(code)?;
                Ok(Plate {
                    payload: self.component_payload(code)?,
                    name: c.class_name.clone().unwrap_or_else(|| c.class_code.clone()),
                    code: c.code,
                })
            })
            .collect()
    }

    /// A plate sheet for the components, as PNG pages.
    pub fn plate_sheet_png(&self, codes: &[String], opts: &PlateOptions) -> Result<Vec<Vec<u8>>> {
        plate_sheet_png(&self.plates(codes)?, opts)
    }

    /// A plate sheet for the components, as one PDF.
    pub fn plate_sheet_pdf(&self, codes: &[String], opts: &PlateOptions) -> Result<Vec<u8>> {
        plate_sheet_pdf(&self.plates(codes)?, opts)
    }

    /// Reads a pasted payload: the component and an intake started on it at `now`.
    pub fn scan_text(&self, text: &str, now: NaiveDateTime) -> Result<Scan> {
        let p = QrPayload::parse(text)?;
        let component = self.component(p.code.as_str())?;
        let offset_m = p.location.map(|[x, y]| {
            use geo::{Distance, Haversine};
            Haversine.distance(
                geo_types::Point::new(x, y),
                geo_types::Point::new(component.location[0], component.location[1]),
            )
        });
        Ok(Scan {
            payload: p.encode(),
            offset_m,
            intake: IntakeRequest {
                source: CaseSource::QrCode,
                kind: CaseKind::Component,
                class_code: Some(component.class_code.clone()),
                condition: None,
                location: Some(component.location),
                component: Some(component.code.clone()),
                description: None,
                address: None,
                reporter: None,
                reporter_phone: None,
                photos: vec![],
                reported_at: now,
                urgency: None,
            },
            component,
        })
    }

    /// Reads the first GridDesk plate found in an image file (PNG or JPEG bytes).
    pub fn scan_image(&self, bytes: &[u8], now: NaiveDateTime) -> Result<Scan> {
        let found = decode_image(bytes)?;
        let mut last_err = None;
        for text in &found {
            match self.scan_text(text, now) {
                Ok(s) => return Ok(s),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| {
            Error::Invalid(Message::new(C::NoQrFound).en("no QR code found in the image"))
        }))
    }
}
