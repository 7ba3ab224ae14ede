//! Printable sheets of QR plates: a grid of plates per A4 page, each with the QR symbol and the
//! component's name and code printed under it (a bundled Noto Sans SC subset, or any font).

use super::qr_image;
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use ab_glyph::{Font, FontRef, FontVec, PxScale, ScaleFont};
use image::{GrayImage, Luma};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

const BUNDLED_FONT: &[u8] = include_bytes!("../../../../resources/fonts/NotoSansSC-plates.otf");

/// One plate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plate {
    /// Printed under the name (the 16-digit code).
    pub code: String,
    /// Printed first (the minor-class name, e.g. `垃圾箱`).
    pub name: String,
    /// What the QR symbol carries.
    pub payload: String,
}

/// Page and plate layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlateOptions {
    /// Plates per row.
    pub columns: u32,
    /// Plate rows per page.
    pub rows: u32,
    /// Resolution of the page image; the page is A4 (210 × 297 mm).
    pub dpi: u32,
    /// A TTF/OTF font file for the text; the bundled subset when absent.
    pub font: Option<PathBuf>,
}

impl Default for PlateOptions {
    fn default() -> Self {
        Self {
            columns: 3,
            rows: 4,
            dpi: 150,
            font: None,
        }
    }
}

enum AnyFont {
    Bundled(Box<FontRef<'static>>),
    File(FontVec),
}

fn load_font(opts: &PlateOptions) -> Result<AnyFont> {
    match &opts.font {
        None => FontRef::try_from_slice(BUNDLED_FONT)
            .map(|f| AnyFont::Bundled(Box::new(f)))
            .map_err(|e| Error::Internal(format!("bundled plate font: {e}"))),
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
            FontVec::try_from_vec(bytes)
                .map(AnyFont::File)
                .map_err(|e| {
                    Error::Invalid(
                        Message::new(C::FontUnusable)
                            .text("path", p.display())
                            .en(format!("{}: not a usable font: {e}", p.display())),
                    )
                })
        }
    }
}

/// Draws `text` centred on `cx` with its baseline at `baseline`, in black, `px` pixels high.
fn draw_text<F: Font>(img: &mut GrayImage, font: &F, text: &str, px: f32, cx: f32, baseline: f32) {
    let scaled = font.as_scaled(PxScale::from(px));
    let width: f32 = text
        .chars()
        .map(|c| scaled.h_advance(font.glyph_id(c)))
        .sum();
    let mut x = cx - width / 2.0;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(PxScale::from(px), ab_glyph::point(x, baseline));
        x += scaled.h_advance(id);
        if let Some(o) = font.outline_glyph(glyph) {
            let b = o.px_bounds();
            o.draw(|gx, gy, cov| {
                let (px_, py_) = (
                    b.min.x as i64 + i64::from(gx),
                    b.min.y as i64 + i64::from(gy),
                );
                if px_ >= 0 && py_ >= 0 && (px_ as u32) < img.width() && (py_ as u32) < img.height()
                {
                    let p = img.get_pixel_mut(px_ as u32, py_ as u32);
                    let v = f32::from(p.0[0]) * (1.0 - cov.clamp(0.0, 1.0));
                    *p = Luma([v as u8]);
                }
            });
        }
    }
}

/// Renders the pages of a plate sheet as grey images.
fn pages(plates: &[Plate], opts: &PlateOptions) -> Result<Vec<GrayImage>> {
    if plates.is_empty() {
        return Err(Error::Invalid(
            Message::new(C::NoComponentsSelected).en("no components selected for the plate sheet"),
        ));
    }
    let font = load_font(opts)?;
    let dpi = opts.dpi.clamp(72, 600) as f32;
    let (pw, ph) = ((210.0 / 25.4 * dpi) as u32, (297.0 / 25.4 * dpi) as u32);
    let (cols, rows) = (opts.columns.clamp(1, 8), opts.rows.clamp(1, 10));
    let margin = (10.0 / 25.4 * dpi) as u32;
    let cell_w = (pw - 2 * margin) / cols;
    let cell_h = (ph - 2 * margin) / rows;
    let text_px = (cell_h as f32 * 0.09).max(10.0);
    let mut out = Vec::new();
    for chunk in plates.chunks((cols * rows) as usize) {
        let mut page = GrayImage::from_pixel(pw, ph, Luma([255]));
        for (i, plate) in chunk.iter().enumerate() {
            let (c, r) = (i as u32 % cols, i as u32 / cols);
            let (x0, y0) = (margin + c * cell_w, margin + r * cell_h);
            // Cut line.
            for x in x0..x0 + cell_w {
                for y in [y0, y0 + cell_h - 1] {
                    page.put_pixel(x, y, Luma([190]));
                }
            }
            for y in y0..y0 + cell_h {
                for x in [x0, x0 + cell_w - 1] {
                    page.put_pixel(x, y, Luma([190]));
                }
            }
            let room = (cell_h as f32 - 2.6 * text_px - 8.0)
                .min(cell_w as f32 - 8.0)
                .max(40.0) as u32;
            let probe = qr_image(&plate.payload, 1)?;
            let scale = (room / probe.width()).max(1);
            let qr = qr_image(&plate.payload, scale)?;
            let qx = x0 + (cell_w.saturating_sub(qr.width())) / 2;
            let qy = y0 + 4;
            image::imageops::overlay(&mut page, &qr, i64::from(qx), i64::from(qy));
            let cx = (x0 + cell_w / 2) as f32;
            let base1 = (qy + qr.height()) as f32 + text_px;
            let base2 = base1 + text_px * 1.2;
            match &font {
                AnyFont::Bundled(f) => {
                    let f = f.as_ref();
                    draw_text(&mut page, f, &plate.name, text_px, cx, base1);
                    draw_text(&mut page, f, &plate.code, text_px * 0.9, cx, base2);
                }
                AnyFont::File(f) => {
                    draw_text(&mut page, f, &plate.name, text_px, cx, base1);
                    draw_text(&mut page, f, &plate.code, text_px * 0.9, cx, base2);
                }
            }
        }
        out.push(page);
    }
    Ok(out)
}

/// The plate sheet as PNG files, one per A4 page.
pub fn plate_sheet_png(plates: &[Plate], opts: &PlateOptions) -> Result<Vec<Vec<u8>>> {
    pages(plates, opts)?
        .into_iter()
        .map(|p| {
            let mut out = std::io::Cursor::new(Vec::new());
            p.write_to(&mut out, image::ImageFormat::Png)
                .map_err(|e| Error::Internal(format!("PNG encoding: {e}")))?;
            Ok(out.into_inner())
        })
        .collect()
}

/// The plate sheet as one PDF document, each A4 page one image.
pub fn plate_sheet_pdf(plates: &[Plate], opts: &PlateOptions) -> Result<Vec<u8>> {
    use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};
    let pages = pages(plates, opts)?;
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let ids: Vec<(Ref, Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| {
            (
                Ref::new(3 + 3 * i),
                Ref::new(4 + 3 * i),
                Ref::new(5 + 3 * i),
            )
        })
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|i| i.0))
        .count(pages.len() as i32);
    let a4 = Rect::new(0.0, 0.0, 595.28, 841.89);
    let name = Name(b"Sheet");
    for (img, (page_id, image_id, content_id)) in pages.iter().zip(&ids) {
        let mut page = pdf.page(*page_id);
        page.media_box(a4);
        page.parent(tree);
        page.contents(*content_id);
        page.resources().x_objects().pair(name, *image_id);
        page.finish();
        let data = miniz_oxide::deflate::compress_to_vec_zlib(img.as_raw(), 6);
        let mut x = pdf.image_xobject(*image_id, &data);
        x.filter(Filter::FlateDecode);
        x.width(img.width() as i32);
        x.height(img.height() as i32);
        x.color_space().device_gray();
        x.bits_per_component(8);
        x.finish();
        let mut content = Content::new();
        content.save_state();
        content.transform([a4.x2, 0.0, 0.0, a4.y2, 0.0, 0.0]);
        content.x_object(name);
        content.restore_state();
        pdf.stream(*content_id, &content.finish());
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plates(n: usize) -> Vec<Plate> {
        (0..n)
            .map(|i| Plate {
                code: format!("331003030500{i:04}"),
                name: "垃圾箱".into(),
                payload: format!("GD1|331003030500{i:04}|121.260020|28.653550"),
            })
            .collect()
    }

    #[test]
    fn sheets_have_pages_plates_that_scan_and_printed_text() {
        let opts = PlateOptions::default();
        let pngs = plate_sheet_png(&plates(14), &opts).unwrap();
        assert_eq!(pngs.len(), 2, "12 plates per page");
        // Every plate on the first page scans to its payload (cropped as a photo of one plate).
        let page = image::load_from_memory(&pngs[0]).unwrap().to_luma8();
        let margin = (10.0f32 / 25.4 * 150.0) as u32;
        let (cell_w, cell_h) = (
            (page.width() - 2 * margin) / 3,
            (page.height() - 2 * margin) / 4,
        );
        for (i, want) in plates(12).iter().enumerate() {
            let (c, r) = (i as u32 % 3, i as u32 / 3);
            let cell = image::imageops::crop_imm(
                &page,
                margin + c * cell_w,
                margin + r * cell_h,
                cell_w,
                cell_h,
            )
            .to_image();
            let mut png = std::io::Cursor::new(Vec::new());
            cell.write_to(&mut png, image::ImageFormat::Png).unwrap();
            assert_eq!(
                crate::qr::decode_image(png.get_ref()).unwrap(),
                vec![want.payload.clone()],
                "plate {i}"
            );
            // The name and code are printed under the symbol: dark pixels in the bottom band.
            let dark = (cell_h * 3 / 4..cell_h - 3)
                .flat_map(|y| (3..cell_w - 3).map(move |x| (x, y)))
                .filter(|&(x, y)| cell.get_pixel(x, y).0[0] < 128)
                .count();
            assert!(dark > 200, "no text under plate {i} ({dark} dark pixels)");
        }
        let pdf = plate_sheet_pdf(&plates(14), &opts).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let n_pages = pdf
            .windows(b"/Type /Page".len())
            .filter(|w| *w == b"/Type /Page")
            .count();
        assert_eq!(n_pages, 3, "a page tree and two pages");
        assert!(plate_sheet_png(&[], &opts).is_err());
    }
}
