//! Free text a person searches for, checked once at the edge for every search box.
//! (The documents and the full-text index of discussions belong to the community slice.)

/// Free text a person searches for (`q` on every search and directory), trimmed and
/// checked at the edge: at most 100 characters, none of them control characters (a NUL
/// ends a string early for SQLite's full-text parser and is refused by PostgreSQL, and no
/// one types the others). Empty text is allowed; each caller decides what it lists then.
pub fn search_text(raw: &str) -> Result<&str, crate::AppError> {
    let q = raw.trim();
    if q.chars().count() > 100 {
        return Err(crate::AppError::field("q", "Search for at most 100 characters."));
    }
    if q.chars().any(char::is_control) {
        return Err(crate::AppError::field("q", "Search for letters, numbers and punctuation only."));
    }
    Ok(q)
}
