//! Who may use which part, decided before a body is read: members write, editors (staff)
//! run the workflow. Staff routes answer 404 to everyone else, so they do not show that
//! they exist; an API call without a working token is told to authenticate (401).

use kernel::viewer::{Member, Viewer};
use kernel::{AppError, AppResult};

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

pub(crate) use kernel::http::json;
