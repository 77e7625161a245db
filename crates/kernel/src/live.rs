//! Live signals: "something changed for member X", so that open pages (the unread
//! notification count) update without reloading.
//!
//! Every node keeps one [`Hub`] per database. On PostgreSQL a change is announced with
//! `NOTIFY` in the transaction that makes it, so PostgreSQL delivers it to every node's
//! `LISTEN`er after commit and never for a rolled-back change. SQLite serves one
//! machine: a signal reaches this process's subscribers at once, and subscribers also
//! look again every few seconds so changes made by another process (a separate
//! `shn worker`) show up too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::ConnectionTrait;
use tokio::sync::{broadcast, watch};

use crate::db::{Backend, Db};
use crate::ids::MemberId;
use crate::params;
use crate::session::Credential;

const CHANNEL: &str = "shn_live";

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<MemberId>,
    listening: Arc<AtomicBool>,
    streams: Streams,
}

impl Default for Hub {
    fn default() -> Self {
        Hub { tx: broadcast::channel(1024).0, listening: Arc::new(AtomicBool::new(false)), streams: Streams::default() }
    }
}

impl Hub {
    /// Signals this process's subscribers only.
    pub fn signal_local(&self, member: MemberId) {
        let _ = self.tx.send(member);
    }
}

/// How long a subscriber may wait before looking again by itself: short on SQLite
/// (other processes cannot signal it), long on PostgreSQL (they can).
pub fn recheck_every(db: &Db) -> Duration {
    match db.backend() {
        Backend::Sqlite => Duration::from_secs(2),
        Backend::Postgres => Duration::from_secs(25),
    }
}

/// Subscribes to signals for every member (callers filter for theirs). On PostgreSQL
/// the first subscriber starts this node's listener.
pub fn subscribe(db: &Db) -> broadcast::Receiver<MemberId> {
    let hub = db.live();
    let rx = hub.tx.subscribe();
    if db.backend() == Backend::Postgres && !hub.listening.swap(true, Ordering::SeqCst) {
        tokio::spawn(listen(db.clone()));
    }
    rx
}

/// Announces a change for `member`. Inside a transaction on PostgreSQL the announcement
/// goes out on commit, to every node.
pub async fn announce<C: ConnectionTrait>(c: &C, db_hub: Option<&Hub>, member: MemberId) -> Result<(), sea_orm::DbErr> {
    match c.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            crate::db::exec(c, "SELECT pg_notify($1, $2)", params![CHANNEL, member.to_string()]).await?;
        }
        _ => {
            if let Some(h) = db_hub {
                h.signal_local(member);
            }
        }
    }
    Ok(())
}

/// Forwards PostgreSQL notifications to this node's hub, reconnecting after errors.
async fn listen(db: Db) {
    let hub = db.live().clone();
    loop {
        let pool = db.writer().get_postgres_connection_pool();
        match sea_orm::sqlx::postgres::PgListener::connect_with(pool).await {
            Ok(mut l) => {
                if let Err(e) = l.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "could not LISTEN for live updates");
                } else {
                    loop {
                        match l.recv().await {
                            Ok(n) => {
                                if let Ok(m) = n.payload().parse::<MemberId>() {
                                    hub.signal_local(m);
                                }
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "live update listener lost its connection");
                                break;
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not start the live update listener"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Why a live stream was told to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamEnd {
    /// Another stream was opened with the same credential (another tab, say).
    Replaced,
    /// Its credential ended: log-out or a revoked token.
    SignedOut,
}

type StreamSlot = (u64, watch::Sender<Option<StreamEnd>>);

/// The live streams open on this node, at most one per credential, so that one session
/// cannot hold open any number of connections, each with its own database reads.
#[derive(Clone, Default)]
struct Streams {
    open: Arc<Mutex<HashMap<Credential, StreamSlot>>>,
    next_id: Arc<AtomicU64>,
}

/// A live stream's place on this node: [`StreamLease::ended`] resolves when it must end.
/// Dropping it (the client went away) frees the place.
pub struct StreamLease {
    streams: Streams,
    credential: Credential,
    id: u64,
    ended: watch::Receiver<Option<StreamEnd>>,
}

impl StreamLease {
    /// Resolves when the stream must end, and why.
    pub async fn ended(&mut self) -> StreamEnd {
        match self.ended.wait_for(Option::is_some).await {
            Ok(why) => (*why).unwrap_or(StreamEnd::SignedOut),
            Err(_) => StreamEnd::SignedOut,
        }
    }
}

impl Drop for StreamLease {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.get(&self.credential).is_some_and(|(id, _)| *id == self.id) {
            open.remove(&self.credential);
        }
    }
}

/// Opens `credential`'s live stream on this node; the stream it had open ends
/// ([`StreamEnd::Replaced`]).
pub fn open_stream(db: &Db, credential: Credential) -> StreamLease {
    let streams = db.live().streams.clone();
    let id = streams.next_id.fetch_add(1, Ordering::Relaxed);
    let (tx, ended) = watch::channel(None);
    let previous = streams.open.lock().unwrap_or_else(|e| e.into_inner()).insert(credential.clone(), (id, tx));
    if let Some((_, earlier)) = previous {
        let _ = earlier.send(Some(StreamEnd::Replaced));
    }
    StreamLease { streams, credential, id, ended }
}

/// Ends `credential`'s live stream on this node at once (log-out). Streams on other nodes
/// end when they next look and find the credential gone.
pub fn end_streams(db: &Db, credential: &Credential) {
    let slot = db.live().streams.open.lock().unwrap_or_else(|e| e.into_inner()).remove(credential);
    if let Some((_, tx)) = slot {
        let _ = tx.send(Some(StreamEnd::SignedOut));
    }
}
