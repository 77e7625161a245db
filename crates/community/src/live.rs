//! The live unread count: a server-sent event stream that sends the member's unread
//! notification count at once and again whenever it changes — on any app node, since
//! changes are announced through the database (see `kernel::live`).
//!
//! One stream per session (or API token) on a node: opening another ends the first with
//! a `replaced` event (the page stops listening until it is shown again). Every stream
//! ends when its session or token does: at once on log-out, else the next time it looks.

use std::convert::Infallible;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::Stream;
use kernel::http::Req;
use kernel::ids::MemberId;
use kernel::live::{StreamEnd, StreamLease};
use kernel::session::Credential;
use kernel::{AppError, AppResult, AppState};
use tokio::sync::broadcast::error::RecvError;

pub fn router() -> Router<AppState> {
    Router::new().route("/notifications/stream", get(stream)).route("/api/v1/notifications/stream", get(stream))
}

struct Watch {
    state: AppState,
    rx: tokio::sync::broadcast::Receiver<MemberId>,
    me: MemberId,
    credential: Credential,
    lease: StreamLease,
    last: Option<i64>,
    /// Set once the stream has said why it ends; the next poll ends it.
    over: bool,
}

/// What woke a stream up.
enum Wake {
    /// Something may have changed for this member: look again.
    Look,
    /// The stream must end, and why.
    End(StreamEnd),
}

impl Watch {
    /// Waits until something may have changed for this member (a signal, or the
    /// periodic look), or until the stream must end.
    async fn changed(&mut self) -> Wake {
        let deadline = tokio::time::sleep(kernel::live::recheck_every(&self.state.db));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => return Wake::Look,
                why = self.lease.ended() => return Wake::End(why),
                r = self.rx.recv() => match r {
                    Ok(m) if m == self.me => return Wake::Look,
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => return Wake::Look,
                    Err(RecvError::Closed) => return Wake::End(StreamEnd::SignedOut),
                },
            }
        }
    }

    /// The next event to send, or `None` when the stream ends.
    async fn next_event(&mut self) -> Option<Event> {
        if self.over {
            return None;
        }
        loop {
            // Signed out elsewhere (another node, a password change, a suspension).
            if !self.credential.is_live(&self.state.db, &self.state.config).await.unwrap_or(false) {
                return None;
            }
            let count = crate::notifications::unread(&self.state.db, self.me).await.ok()?;
            if self.last != Some(count) {
                self.last = Some(count);
                return Some(Event::default().event("unread").data(count.to_string()));
            }
            match self.changed().await {
                Wake::Look => continue,
                Wake::End(StreamEnd::Replaced) => {
                    self.over = true;
                    return Some(Event::default().event("replaced").data(""));
                }
                Wake::End(StreamEnd::SignedOut) => return None,
            }
        }
    }
}

/// `text/event-stream` of `unread` events whose data is the unread count; a `replaced`
/// event ends it when the same session opens another stream.
#[utoipa::path(get, path = "/api/v1/notifications/stream", tag = "community", security(("bearer" = [])),
    responses((status = 200, description = "Server-sent events: `unread` with the count as data; `replaced` when another stream of the same token took over", content_type = "text/event-stream"), (status = 401)))]
pub async fn stream(
    Req { state, ctx }: Req,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let me = ctx.viewer.require_member()?.id;
    let credential = ctx.credential(&headers).ok_or(AppError::Unauthorized)?;
    let lease = kernel::live::open_stream(&state.db, credential.clone());
    let rx = kernel::live::subscribe(&state.db);
    let watch = Watch { state, rx, me, credential, lease, last: None, over: false };
    let events = futures::stream::unfold(watch, |mut w| async move {
        let event = w.next_event().await?;
        Some((Ok(event), w))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
