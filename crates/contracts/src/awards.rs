//! What the awards area tells others: the honours a member holds in public (a
//! "Winner — Social Health Awards 2027" badge on their profile), each shown only from
//! its ceremony's start. The awards slice provides [`Honours`]; without it a member
//! holds none.

use futures::future::BoxFuture;
use kernel::ids::MemberId;
use kernel::{AppResult, AppState};
use serde::Serialize;

/// One public honour, as a profile shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Honour {
    /// Such as "Winner — Social Health Awards 2027".
    pub title: String,
    /// The category won, such as "Patient Leader".
    pub category: String,
    /// The nominee's public page.
    pub url: String,
}

/// The awards slice's read port.
pub trait Honours: Send + Sync {
    /// The honours `member` holds that everyone may see now (never before the ceremony).
    fn public_honours<'a>(&'a self, state: &'a AppState, member: MemberId) -> BoxFuture<'a, AppResult<Vec<Honour>>>;
}

/// `member`'s public honours; none without the awards slice.
pub async fn public_honours(state: &AppState, member: MemberId) -> AppResult<Vec<Honour>> {
    match state.port::<std::sync::Arc<dyn Honours>>().ok().cloned() {
        Some(p) => p.public_honours(state, member).await,
        None => Ok(vec![]),
    }
}
