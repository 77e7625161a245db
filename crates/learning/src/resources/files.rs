//! A resource's file: the types taken (each checked by its first bytes, not by what the
//! browser claims), the size limit, where it is stored (under the uploads folder, like
//! avatars), and how it is served: with the type we chose and as an attachment, so a
//! file is never rendered as a page of this site.

use std::path::PathBuf;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kernel::secret::random_token;
use kernel::{AppError, AppResult, AppState};

/// The largest file taken: 5 MB (the upload route's body limit is the configured
/// maximum, 6 MB by default, which leaves room for the form around it).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// The file types taken: extension, the Content-Type it is served with, and how its
/// content must begin.
const TYPES: &[(&str, &str, Magic)] = &[
    ("pdf", "application/pdf", Magic::Prefix(b"%PDF-")),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Magic::Prefix(b"PK\x03\x04")),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Magic::Prefix(b"PK\x03\x04")),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", Magic::Prefix(b"PK\x03\x04")),
    ("png", "image/png", Magic::Prefix(b"\x89PNG\r\n\x1a\n")),
    ("jpg", "image/jpeg", Magic::Prefix(b"\xff\xd8\xff")),
    ("jpeg", "image/jpeg", Magic::Prefix(b"\xff\xd8\xff")),
    ("txt", "text/plain; charset=utf-8", Magic::Text),
    ("csv", "text/csv; charset=utf-8", Magic::Text),
];

pub const TYPES_IN_WORDS: &str = "PDF, Word, Excel, PowerPoint, PNG, JPEG, plain text or CSV";

enum Magic {
    Prefix(&'static [u8]),
    /// UTF-8 text without NUL bytes.
    Text,
}

/// A file that passed the checks.
pub struct Accepted {
    pub extension: &'static str,
    pub content_type: &'static str,
    /// The name shown and offered on download: the uploaded name with only letters,
    /// digits, dots, dashes, underscores and spaces kept.
    pub label: String,
}

/// Checks an uploaded file's size and type; the message names the field `file`.
pub fn check(original_name: &str, bytes: &[u8]) -> AppResult<Accepted> {
    if bytes.is_empty() {
        return Err(AppError::field("file", "Choose a file to upload."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::field("file", "That file is larger than 5 MB. Choose a smaller one."));
    }
    let ext = original_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let wrong = || AppError::field("file", format!("Upload a {TYPES_IN_WORDS} file."));
    let (extension, content_type, magic) = TYPES.iter().find(|(e, _, _)| *e == ext).ok_or_else(wrong)?;
    let fits = match magic {
        Magic::Prefix(p) => bytes.starts_with(p),
        Magic::Text => std::str::from_utf8(bytes).is_ok_and(|s| !s.contains('\0')),
    };
    if !fits {
        return Err(AppError::field("file", format!("That file is not really a .{extension} file.")));
    }
    Ok(Accepted { extension, content_type, label: label_of(original_name, extension) })
}

fn label_of(original: &str, extension: &str) -> String {
    let stem = original.rsplit_once('.').map(|(s, _)| s).unwrap_or(original);
    let kept: String =
        stem.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ')).take(80).collect();
    let stem = kept.trim().trim_start_matches('.');
    format!("{}.{extension}", if stem.is_empty() { "resource" } else { stem })
}

fn dir(state: &AppState) -> PathBuf {
    state.config.uploads_dir().join("resources")
}

/// Writes an accepted file; its stored name.
pub async fn store(state: &AppState, resource: uuid::Uuid, a: &Accepted, bytes: &[u8]) -> AppResult<String> {
    let dir = dir(state);
    tokio::fs::create_dir_all(&dir).await.map_err(|e| AppError::Internal(e.into()))?;
    let name = format!("{resource}-{}.{}", random_token(6), a.extension);
    tokio::fs::write(dir.join(&name), bytes).await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(name)
}

/// Removes a stored file (a replaced one); a file already gone is not an error.
pub async fn remove(state: &AppState, name: &str) {
    if let Some(name) = safe_name(name) {
        let _ = tokio::fs::remove_file(dir(state).join(name)).await;
    }
}

/// A stored name is ours only when it is a plain file name.
fn safe_name(name: &str) -> Option<&str> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    plain.then_some(name)
}

/// The download: the stored bytes with the type we chose, as an attachment.
pub async fn download(state: &AppState, name: &str, label: &str, content_type: &str) -> AppResult<Response> {
    let name = safe_name(name).ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(dir(state).join(name)).await.map_err(|_| AppError::NotFound)?;
    let disposition = format!("attachment; filename=\"{}\"", label.replace(['"', '\\'], ""));
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_str(content_type).map_err(|e| AppError::Internal(e.into()))?),
        (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.into()))?),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300")),
    ];
    Ok((headers, bytes).into_response())
}

/// "1.2 MB", "640 KB".
pub fn size_in_words(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_taken_by_its_content_and_named_safely() {
        let a = check("Toolkit \"final\"/../x.PDF", b"%PDF-1.7 ...").ok().unwrap();
        assert_eq!((a.extension, a.content_type), ("pdf", "application/pdf"));
        assert_eq!(a.label, "Toolkit final..x.pdf");
        assert!(check("page.html", b"<script>").is_err());
        assert!(check("fake.pdf", b"<html>").is_err());
        assert!(check("notes.txt", b"a\0b").is_err());
        assert!(check("empty.pdf", b"").is_err());
        assert_eq!(check(".pdf", b"%PDF-").ok().unwrap().label, "resource.pdf");
    }
}
