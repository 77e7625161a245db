//! The newsletter's port for operators: what `shn newsletter send` and
//! `shn newsletter preview` do, provided by the newsletter slice.

use futures::future::BoxFuture;
use kernel::AppResult;
use kernel::AppState;
use kernel::slice::MissingPort;
use uuid::Uuid;

/// The operator's newsletter commands.
pub trait NewsletterDesk: Send + Sync {
    /// Starts sending an issue now (a conflict if it was sent or is being sent).
    fn send<'a>(&'a self, state: &'a AppState, issue: Uuid) -> BoxFuture<'a, AppResult<()>>;
    /// The kinds of job a send runs (the operator's command runs these alone).
    fn job_kinds(&self) -> &'static [&'static str];
    /// An issue's delivery figures, as JSON.
    fn figures<'a>(&'a self, state: &'a AppState, issue: Uuid) -> BoxFuture<'a, AppResult<serde_json::Value>>;
    /// The edition the member with this (verified) address receives of `issue`, or of
    /// the latest issue: the message as plain text, then its HTML part.
    fn preview<'a>(
        &'a self,
        state: &'a AppState,
        email: &'a str,
        issue: Option<Uuid>,
    ) -> BoxFuture<'a, AppResult<(String, String)>>;
}

/// The newsletter port, as provided by the newsletter slice.
pub fn desk(state: &AppState) -> Result<&dyn NewsletterDesk, MissingPort> {
    state.port::<std::sync::Arc<dyn NewsletterDesk>>().map(|p| p.as_ref())
}
