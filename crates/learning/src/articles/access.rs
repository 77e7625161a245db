//! Who may use which part, decided before a body is read: members write, editors (staff)
//! run the workflow. Staff routes answer 404 to everyone else, so they do not show that
//! they exist; an API call without a working token is told to authenticate (401).

use kernel::viewer::{Member, Viewer};
use kernel::{AppError, AppResult};
use serde::de::DeserializeOwned;

use super::policy;

/// The signed-in editor, or 404.
pub(crate) fn editor(viewer: &Viewer) -> AppResult<&Member> {
    viewer.member().filter(|_| policy::is_editor(viewer)).ok_or(AppError::NotFound)
}

/// The editor behind an API call: 401 without a token, 404 for a member who is not staff.
pub(crate) fn api_editor(viewer: &Viewer) -> AppResult<&Member> {
    viewer.require_member()?;
    editor(viewer)
}

/// A JSON request body, read after the caller has been authorised; malformed JSON and a
/// wrong shape are clear 400s.
pub(crate) fn json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            AppError::bad_request("malformed_json", "The request body is not valid JSON.")
        }
        _ => AppError::bad_request("invalid_body", format!("The request body does not have the expected shape: {e}")),
    })
}
