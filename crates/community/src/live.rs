//! The live unread count: a server-sent event stream that sends the member's unread
//! notification count at once and again whenever it changes — on any app node, since
//! changes are announced through the database (see `kernel::live`).

use std::convert::Infallible;

use axum::Router;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::Stream;
use kernel::http::Req;
use kernel::ids::MemberId;
use kernel::{AppResult, AppState};
use tokio::sync::broadcast::error::RecvError;

pub fn router() -> Router<AppState> {
    Router::new().route("/notifications/stream", get(stream)).route("/api/v1/notifications/stream", get(stream))
}

struct Watch {
    state: AppState,
    rx: tokio::sync::broadcast::Receiver<MemberId>,
    me: MemberId,
    last: Option<i64>,
}

impl Watch {
    /// Waits until something may have changed for this member (a signal, or the
    /// periodic look); false when the hub is gone.
    async fn changed(&mut self) -> bool {
        let deadline = tokio::time::sleep(kernel::live::recheck_every(&self.state.db));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => return true,
                r = self.rx.recv() => match r {
                    Ok(m) if m == self.me => return true,
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => return true,
                    Err(RecvError::Closed) => return false,
                },
            }
        }
    }
}

/// `text/event-stream` of `unread` events whose data is the unread count.
#[utoipa::path(get, path = "/api/v1/notifications/stream", tag = "community", security(("bearer" = [])),
    responses((status = 200, description = "Server-sent events: `unread` with the count as data", content_type = "text/event-stream"), (status = 401)))]
pub async fn stream(Req { state, ctx }: Req) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let me = ctx.viewer.require_member()?.id;
    let rx = kernel::live::subscribe(&state.db);
    let watch = Watch { state, rx, me, last: None };
    let events = futures::stream::unfold(watch, |mut w| async move {
        loop {
            let Ok(count) = crate::notifications::unread(&w.state.db, w.me).await else { return None };
            if w.last != Some(count) {
                w.last = Some(count);
                return Some((Ok(Event::default().event("unread").data(count.to_string())), w));
            }
            if !w.changed().await {
                return None;
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
