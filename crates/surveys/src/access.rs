//! Who may use which part: members take surveys, staff build them and read results.
//! Staff pages and routes answer 404 to everyone else (401 on the API without a
//! token), decided before a body is read.

use kernel::viewer::{Member, Role, Viewer};
use kernel::{AppError, AppResult};
use serde::de::DeserializeOwned;

/// The signed-in staff member, or 404.
pub fn staff(viewer: &Viewer) -> AppResult<&Member> {
    viewer.member().filter(|m| m.role >= Role::Staff).ok_or(AppError::NotFound)
}

/// The staff member behind an API call: 401 without a working token, 404 for a member
/// who is not staff.
pub fn api_staff(viewer: &Viewer) -> AppResult<&Member> {
    viewer.require_member()?;
    staff(viewer)
}

/// A JSON request body, read after the caller has been authorised.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            AppError::bad_request("malformed_json", "The request body is not valid JSON.")
        }
        _ => AppError::bad_request("invalid_body", format!("The request body does not have the expected shape: {e}")),
    })
}
