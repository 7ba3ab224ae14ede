//! Reading a POSTed form: `application/x-www-form-urlencoded` or `multipart/form-data` (with at
//! most one file, `media`), within the size limits. A file's name is kept only as a label; its
//! bytes go to the engine, which checks what they are.

use crate::open311::ApiError;
use axum::http::HeaderMap;
use bytes::Bytes;

/// The fields of a form, and its photo.
#[derive(Debug, Default)]
pub struct Form {
    pub fields: Vec<(String, String)>,
    /// Files of the field `media`: name as sent (a label only) and bytes.
    pub media: Vec<(Option<String>, Vec<u8>)>,
}

impl Form {
    /// The last value of a field, trimmed; an empty one counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Reads the body of a request (already limited to `max_body` bytes), with at most `max_media`
/// files in the field `media`.
pub async fn read_form(
    headers: &HeaderMap,
    body: Bytes,
    max_photo: usize,
    max_media: usize,
) -> Result<Form, ApiError> {
    let ctype = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ctype
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => {
            let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|e| ApiError::bad(format!("the form cannot be read: {e}")))?;
            Ok(Form {
                fields,
                media: Vec::new(),
            })
        }
        "multipart/form-data" => multipart(ctype, body, max_photo, max_media).await,
        "" => Err(ApiError::bad(
            "no Content-Type: send application/x-www-form-urlencoded or multipart/form-data",
        )),
        other => Err(ApiError::bad(format!(
            "Content-Type {other} is not accepted: send application/x-www-form-urlencoded or multipart/form-data"
        ))),
    }
}

async fn multipart(
    ctype: &str,
    body: Bytes,
    max_photo: usize,
    max_media: usize,
) -> Result<Form, ApiError> {
    let boundary = multer::parse_boundary(ctype)
        .map_err(|e| ApiError::bad(format!("the multipart form has no boundary: {e}")))?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut form = Form::default();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(ApiError::bad(format!(
                    "the multipart form cannot be read: {e}"
                )))
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "media" {
            if form.media.len() >= max_media {
                return Err(ApiError::bad(if max_media == 1 {
                    "send at most one `media` file".to_string()
                } else {
                    format!("send at most {max_media} `media` files")
                }));
            }
            let file = field.file_name().map(|n| {
                // A label only: never a path. Keep the last component, printable characters.
                n.rsplit(['/', '\\'])
                    .next()
                    .unwrap_or("")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect::<String>()
            });
            let mut bytes = Vec::new();
            let mut field = field;
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        if bytes.len() + c.len() > max_photo {
                            return Err(ApiError::too_large(format!(
                                "the photo is larger than {} MB",
                                max_photo / (1024 * 1024)
                            )));
                        }
                        bytes.extend_from_slice(&c);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Err(ApiError::bad(format!("the photo cannot be read: {e}")));
                    }
                }
            }
            if !bytes.is_empty() {
                form.media.push((file.filter(|f| !f.is_empty()), bytes));
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| ApiError::bad(format!("field `{name}` cannot be read: {e}")))?;
            if text.len() > 64 * 1024 {
                return Err(ApiError::too_large(format!(
                    "field `{name}` is longer than 64 KB"
                )));
            }
            form.fields.push((name, text));
        }
    }
    Ok(form)
}
