//! The transactional outbox: how slices tell each other what happened.
//!
//! A slice writes an `activity` row in the same transaction as the change it
//! describes ([`emit`]). Consumers (rewards, notifications, search, …) each read the
//! outbox with their own cursor and handle every event exactly once: the delivery
//! record `(consumer, activity_id)` is inserted in the same transaction as the
//! consumer's effect, so a crash rolls both back and a second worker racing for the
//! same event finds the key taken and skips it.
//!
//! A consumer reads only the kinds it handles, from its cursor on. Event ids are
//! time-ordered, but a transaction can commit after a later one; so once a consumer has
//! caught up, it also re-reads a grace window behind its cursor, relying on the delivery
//! records to skip what was already handled. (Re-reading that window on every pass, as
//! it once did, cost each consumer every event of the last two minutes per pass: under
//! a steady 50 events a second the worker fell further behind each minute.)

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Duration as ChronoDuration;
use futures::future::BoxFuture;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::db::{self, Db};
use crate::ids::{ActivityId, MemberId};
use crate::params;
use crate::time::{Instant, now};

/// How far behind its cursor a consumer looks for late-committed events.
const GRACE_SECS: i64 = 120;

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct Event {
    pub id: ActivityId,
    pub kind: String,
    pub actor_id: Option<MemberId>,
    pub payload: String,
    pub created_at: Instant,
}

/// A fact one slice tells the others: a type whose value is the event's payload, with
/// its kind fixed by the type, so producer and consumer agree at compile time. The
/// types live in the contracts crate.
pub trait DomainEvent: Serialize + DeserializeOwned {
    /// The kind as stored in the outbox; never rename a live one.
    const KIND: &'static str;
}

impl Event {
    pub fn payload_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.payload).unwrap_or(serde_json::Value::Null)
    }

    /// Whether this is an event of type `E`.
    pub fn is<E: DomainEvent>(&self) -> bool {
        self.kind == E::KIND
    }

    /// The event as `E`, when it is one (and its payload reads as one).
    pub fn decode<E: DomainEvent>(&self) -> Option<E> {
        if !self.is::<E>() {
            return None;
        }
        serde_json::from_str(&self.payload)
            .inspect_err(
                |e| tracing::warn!(event = %self.id, kind = %self.kind, error = %e, "unreadable event payload"),
            )
            .ok()
    }
}

/// Publishes `event` in the caller's transaction.
pub async fn publish<C: ConnectionTrait, E: DomainEvent>(
    c: &C,
    actor: Option<MemberId>,
    event: &E,
) -> Result<ActivityId, DbErr> {
    emit(c, E::KIND, actor, event).await
}

/// Writes an event in the caller's transaction (typed callers use [`publish`]).
pub(crate) async fn emit<C: ConnectionTrait, P: Serialize>(
    c: &C,
    kind: &str,
    actor: Option<MemberId>,
    payload: &P,
) -> Result<ActivityId, DbErr> {
    let id = ActivityId::new();
    let payload = serde_json::to_string(payload).map_err(|e| DbErr::Custom(e.to_string()))?;
    db::exec(
        c,
        "INSERT INTO activity (id, kind, actor_id, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
        params![id, kind.to_string(), actor, payload, now()],
    )
    .await?;
    Ok(id)
}

/// Something that reacts to events. `handle` runs inside the transaction that also
/// records the delivery, so its database effects happen exactly once.
pub trait Consumer: Send + Sync {
    fn name(&self) -> &'static str;
    /// The kinds of the event types this consumer handles (`SomeEvent::KIND`); it never
    /// reads others.
    fn handles(&self) -> &[&'static str];
    fn handle<'a>(&'a self, tx: &'a DatabaseTransaction, event: &'a Event) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// How a consumer of one event type reacts to it, in the delivery's transaction.
pub type OnEvent<E> = for<'a> fn(&'a DatabaseTransaction, &'a Event, E) -> BoxFuture<'a, anyhow::Result<()>>;

/// A consumer of the one event type `E`, named `name`: the common case of a slice that
/// reacts to one kind of fact (an erasure, a suspension) with one function.
pub fn on<E: DomainEvent + Send + Sync + 'static>(name: &'static str, react: OnEvent<E>) -> Arc<dyn Consumer> {
    Arc::new(On { name, kinds: [E::KIND], react })
}

struct On<E> {
    name: &'static str,
    kinds: [&'static str; 1],
    react: OnEvent<E>,
}

impl<E: DomainEvent + Send + Sync + 'static> Consumer for On<E> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn handles(&self) -> &[&'static str] {
        &self.kinds
    }

    fn handle<'a>(&'a self, tx: &'a DatabaseTransaction, event: &'a Event) -> BoxFuture<'a, anyhow::Result<()>> {
        match event.decode::<E>() {
            Some(e) => (self.react)(tx, event, e),
            None => Box::pin(async { Ok(()) }),
        }
    }
}

/// Handles up to `batch` pending events for one consumer; returns how many it handled.
/// A failing event is left for the next pass and stops the cursor from moving past it.
pub async fn run_once(db: &Db, consumer: &Arc<dyn Consumer>, batch: u64) -> anyhow::Result<usize> {
    let (name, kinds) = (consumer.name(), consumer.handles());
    if kinds.is_empty() {
        return Ok(0);
    }
    let cursor: Option<Instant> =
        db::scalar(db.writer(), "SELECT position FROM outbox_cursors WHERE consumer = $1", params![name]).await?;
    let mut events = pending(db, name, kinds, cursor.map(Span::From), batch).await?;
    // Caught up: look behind the cursor for events that committed late, oldest first.
    if let Some(c) = cursor
        && (events.len() as u64) < batch
        && time_to_look_behind(name, events.is_empty())
    {
        let mut late = pending(db, name, kinds, Some(Span::Behind(c)), batch).await?;
        late.append(&mut events);
        events = late;
    }
    let mut handled = 0;
    let mut last_ok: Option<Instant> = None;
    for event in &events {
        match deliver(db, consumer, event).await {
            Ok(did) => {
                handled += usize::from(did);
                last_ok = Some(event.created_at);
            }
            Err(e) => {
                tracing::warn!(consumer = name, event = %event.id, kind = %event.kind, error = %e, "event handling failed; will retry");
                break;
            }
        }
    }
    if let Some(pos) = last_ok {
        db::exec(
            db.writer(),
            "INSERT INTO outbox_cursors (consumer, position) VALUES ($1, $2) \
             ON CONFLICT (consumer) DO UPDATE SET position = excluded.position \
             WHERE outbox_cursors.position < excluded.position",
            params![name, pos],
        )
        .await?;
    }
    Ok(handled)
}

/// How often a consumer that finds new events on every pass still looks behind its
/// cursor; one that finds none looks on every pass.
const LOOK_BEHIND_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// When each consumer last looked behind its cursor in this process.
static LOOKED_BEHIND: std::sync::LazyLock<std::sync::Mutex<HashMap<&'static str, std::time::Instant>>> =
    std::sync::LazyLock::new(Default::default);

/// Whether `consumer`, caught up, reads its grace window now: always when this pass found
/// nothing new, else at most every [`LOOK_BEHIND_EVERY`], so a late event waits seconds,
/// not the whole window, however busy the outbox.
fn time_to_look_behind(consumer: &'static str, nothing_new: bool) -> bool {
    let mut last = LOOKED_BEHIND.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let due = nothing_new || last.get(consumer).is_none_or(|at| at.elapsed() >= LOOK_BEHIND_EVERY);
    if due {
        last.insert(consumer, std::time::Instant::now());
    }
    due
}

/// Which events a pass reads, by time.
#[derive(Clone, Copy)]
enum Span {
    /// From the cursor on (the events at the cursor itself may not all be handled yet).
    From(Instant),
    /// The grace window behind the cursor.
    Behind(Instant),
}

/// Up to `limit` events of `kinds` in `span` (all of them without one) not yet delivered
/// to `consumer`, oldest first. Each kind is read in order from `activity_by_kind` and
/// stops at the limit, so a pass costs the same however many events of other kinds, or
/// handled ones, the outbox holds.
async fn pending(
    db: &Db,
    consumer: &str,
    kinds: &[&'static str],
    span: Option<Span>,
    limit: u64,
) -> Result<Vec<Event>, DbErr> {
    let mut values = params![consumer, limit as i64];
    let time = match span {
        None => String::new(),
        Some(Span::From(at)) => {
            values.push(at.into());
            format!(" AND a.created_at >= ${}", values.len())
        }
        Some(Span::Behind(at)) => {
            values.push((at - ChronoDuration::seconds(GRACE_SECS)).into());
            values.push(at.into());
            format!(" AND a.created_at >= ${} AND a.created_at < ${}", values.len() - 1, values.len())
        }
    };
    let parts: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            values.push(kind.to_string().into());
            format!(
                "SELECT * FROM (SELECT a.id, a.kind, a.actor_id, a.payload, a.created_at FROM activity a \
                 WHERE a.kind = ${}{time} \
                 AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.consumer = $1 AND d.activity_id = a.id) \
                 ORDER BY a.created_at, a.id LIMIT $2) AS kind{i}",
                values.len()
            )
        })
        .collect();
    let sql = format!("{} ORDER BY created_at, id LIMIT $2", parts.join(" UNION ALL "));
    db::all(db.writer(), &sql, values).await
}

async fn deliver(db: &Db, consumer: &Arc<dyn Consumer>, event: &Event) -> anyhow::Result<bool> {
    let tx = db.writer().begin().await?;
    let claimed = db::exec(
        &tx,
        "INSERT INTO outbox_deliveries (consumer, activity_id, delivered_at) VALUES ($1, $2, $3) \
         ON CONFLICT (consumer, activity_id) DO NOTHING",
        params![consumer.name(), event.id, now()],
    )
    .await?;
    if claimed == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    if consumer.handles().contains(&event.kind.as_str()) {
        consumer.handle(&tx, event).await?;
    }
    tx.commit().await?;
    Ok(true)
}
