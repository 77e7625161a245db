//! Who may use which part: members use the board, staff run opportunities. Staff pages
//! and routes answer 404 to everyone else, so they do not even show that they exist.
//! Bodies are read only after this check, so a stranger learns nothing from an error
//! about the body's shape.

use kernel::viewer::{Member, Role, Viewer};
use kernel::{AppError, AppResult};
use serde::de::DeserializeOwned;

/// The signed-in staff member, or 404.
pub fn staff(viewer: &Viewer) -> AppResult<&Member> {
    viewer.member().filter(|m| m.role >= Role::Staff).ok_or(AppError::NotFound)
}

/// The staff member behind an API call. A call without a working token is told to
/// authenticate (401), as every API operation that needs one is; a signed-in member who
/// is not staff gets 404, so the operation does not show that it exists.
pub fn api_staff(viewer: &Viewer) -> AppResult<&Member> {
    viewer.require_member()?;
    staff(viewer)
}

/// A JSON request body, read after the caller has been authorised. Malformed JSON and a
/// wrong shape are clear 400s, as with `kernel::http::ApiJson`.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    kernel::http::json(body)
}
