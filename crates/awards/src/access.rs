//! Who may run the awards: staff. Staff routes answer 404 to everyone else (401 without
//! a token on the API), and read a body only after that check.

use kernel::viewer::{Member, Role, Viewer};
use kernel::{AppError, AppResult};
use serde::de::DeserializeOwned;

/// The signed-in staff member behind a page, or 404.
pub fn staff(viewer: &Viewer) -> AppResult<&Member> {
    viewer.member().filter(|m| m.role >= Role::Staff).ok_or(AppError::NotFound)
}

/// The staff member behind an API call: 401 without a token, 404 for a member.
pub fn api_staff(viewer: &Viewer) -> AppResult<&Member> {
    viewer.require_role(Role::Staff)
}

/// A JSON body, read after the caller has been authorised.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    kernel::http::json(body)
}
