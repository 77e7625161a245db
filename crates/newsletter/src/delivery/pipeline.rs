//! One step of an issue's send: a few feeders claim pending recipients in batches and
//! assemble their editions, a fixed number of lanes (one SMTP connection each) render and
//! send them under a shared rate limit, and two writers batch what the lanes report: the
//! hand-overs, which a lane waits for before it writes the end of the content (one commit
//! for every lane waiting), and the outcomes, which nobody waits for.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel::AppState;
use kernel::bulkmail::journal::Journal;
use kernel::bulkmail::{Lane, Outcome, Release, Target};
use kernel::ids::MemberId;
use kernel::mail::ListHeaders;
use tokio::sync::{Mutex, mpsc, oneshot};

use super::rows::{self, Claimed, Mark};
use crate::assembly::Edition;
use crate::issues::IssueView;
use crate::{assembly, bounces};

/// Attempts before a recipient that keeps failing (without a definite refusal) is given up.
const MAX_ATTEMPTS: i32 = 5;
/// How long a few hand-overs wait for more lanes to share their commit.
const HAND_OVER_GATHERING: Duration = Duration::from_millis(1);
/// How long outcomes gather before they are written.
const MARK_GATHERING: Duration = Duration::from_millis(50);
/// Recipients claimed per statement.
const CLAIM: i64 = 100;

/// Feeders claiming and assembling batches side by side.
const FEEDERS: usize = 3;

/// Everything the lanes of one run share.
pub(crate) struct Run {
    pub state: AppState,
    pub issue: IssueView,
    /// This run's fencing token.
    pub id: String,
    pub target: Target,
    pub list: ListHeaders,
    pub rate: u32,
    pub connections: usize,
}

/// What a step did, for the log and the metrics.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub claimed: u64,
    pub sent: u64,
    /// Where the feeders' time went (summed over them): claiming, assembling, and waiting
    /// for a free lane (little waiting means the lanes starve: feeding limits the rate).
    pub claiming: Duration,
    pub assembling: Duration,
    pub waiting_for_lanes: Duration,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.claiming += other.claiming;
        self.assembling += other.assembling;
        self.waiting_for_lanes += other.waiting_for_lanes;
    }
}

type HandOver = (MemberId, oneshot::Sender<bool>, Release);

/// Spaces messages `1/rate` seconds apart across all lanes.
struct Limiter {
    gap: Option<Duration>,
    next: Mutex<Instant>,
}

impl Limiter {
    fn new(rate: u32) -> Limiter {
        let gap = (rate > 0).then(|| Duration::from_secs_f64(1.0 / f64::from(rate)));
        Limiter { gap, next: Mutex::new(Instant::now()) }
    }

    async fn wait(&self) {
        let Some(gap) = self.gap else { return };
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + gap;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

/// A claimed recipient with their edition, assembled with the rest of their batch:
/// `Ok(None)` when the account can no longer act, `Err` when the batch could not be read.
type Work = (Claimed, Result<Option<Edition>, String>);

/// Sends for about `budget`, then lets the lanes finish what was claimed. The run's
/// `journal` notes each end of data as it is written; it goes once every lane is done.
pub(crate) async fn step(run: Arc<Run>, budget: Duration, journal: Journal) -> kernel::AppResult<Tally> {
    // Room for two batches beside those the lanes are sending, so the feeders' next
    // batches are claimed and assembled while these go out.
    let (work_tx, work_rx) = mpsc::channel::<Work>(CLAIM as usize * 2);
    let (hand_tx, hand_rx) = mpsc::channel::<HandOver>(run.connections * 2);
    let (mark_tx, mark_rx) = mpsc::channel::<(MemberId, Mark, String)>(1024);
    let hand_writer = tokio::spawn(write_hand_overs(run.clone(), hand_rx, journal));
    let mark_writer = tokio::spawn(write_marks(run.clone(), mark_rx));
    let work_rx = Arc::new(Mutex::new(work_rx));
    let limiter = Arc::new(Limiter::new(run.rate));
    let lanes: Vec<_> = (0..run.connections)
        .map(|_| tokio::spawn(lane(run.clone(), work_rx.clone(), hand_tx.clone(), mark_tx.clone(), limiter.clone())))
        .collect();
    drop((hand_tx, mark_tx));
    let deadline = Instant::now() + budget;
    // Claiming and assembling a batch waits on the database most of the time: several
    // feeders keep the lanes busy where one alone could not (it was the send's limit).
    let feeders: Vec<_> = (0..FEEDERS).map(|_| tokio::spawn(feed(run.clone(), work_tx.clone(), deadline))).collect();
    drop(work_tx);
    let mut tally = Tally::default();
    let mut fed = Ok(());
    for f in feeders {
        match f.await {
            Ok(Ok(t)) => tally.add(t),
            Ok(Err(e)) => fed = Err(e),
            Err(e) => fed = Err(kernel::AppError::Internal(e.into())),
        }
    }
    for l in lanes {
        tally.sent += l.await.unwrap_or_default();
    }
    let journal = hand_writer.await;
    let marked = mark_writer.await;
    if let (Ok(journal), Ok(())) = (journal, marked) {
        // Every hand-over of this run is answered and recorded (a row left `handed` by a
        // failed write is presumed delivered without the journal, as for another node).
        journal.close();
    }
    fed.map(|()| tally)
}

/// Claims batches and assembles their editions for the lanes until `deadline` or until
/// nobody is left to claim.
async fn feed(run: Arc<Run>, work_tx: mpsc::Sender<Work>, deadline: Instant) -> kernel::AppResult<Tally> {
    let mut tally = Tally::default();
    while Instant::now() < deadline {
        let started = Instant::now();
        let batch = rows::claim(&run.state.db, run.issue.id, &run.id, CLAIM).await?;
        if batch.is_empty() {
            break;
        }
        tally.claimed += batch.len() as u64;
        let claimed = Instant::now();
        tally.claiming += claimed - started;
        let members: Vec<MemberId> = batch.iter().map(|r| r.member_id).collect();
        let editions = match assembly::assemble_each(&run.state, &run.issue, &members).await {
            Ok(editions) => editions.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(format!("assembly: {e}")); batch.len()],
        };
        let assembled = Instant::now();
        tally.assembling += assembled - claimed;
        for work in batch.into_iter().zip(editions) {
            if work_tx.send(work).await.is_err() {
                return Ok(tally);
            }
        }
        tally.waiting_for_lanes += assembled.elapsed();
    }
    Ok(tally)
}

/// One connection: takes recipients until the feeders stop; returns how many it sent.
async fn lane(
    run: Arc<Run>,
    work: Arc<Mutex<mpsc::Receiver<Work>>>,
    hand: mpsc::Sender<HandOver>,
    marks: mpsc::Sender<(MemberId, Mark, String)>,
    limiter: Arc<Limiter>,
) -> u64 {
    let mut lane = run.target.lane();
    let mut sent = 0;
    loop {
        let next = work.lock().await.recv().await;
        let Some((row, edition)) = next else { break };
        limiter.wait().await;
        let (mark, why) = deliver(&run, &mut lane, &row, edition, &hand).await;
        metrics::counter!("shn_newsletter_messages_total", "outcome" => outcome_label(mark)).increment(1);
        if mark == Mark::Sent {
            sent += 1;
        }
        if mark == Mark::Retry {
            // The server or the connection is in trouble: give it a moment.
            tokio::time::sleep(Duration::from_millis(200 * row.attempts.clamp(1, 10) as u64)).await;
        }
        let _ = marks.send((row.member_id, mark, why)).await;
    }
    lane.close().await;
    sent
}

fn outcome_label(mark: Mark) -> &'static str {
    match mark {
        Mark::Sent => "sent",
        Mark::Unconfirmed => "unconfirmed",
        Mark::Bounced => "bounced",
        Mark::Failed => "failed",
        Mark::Retry => "retried",
        Mark::Skipped => "skipped",
    }
}

/// Renders and sends one recipient's edition; what to mark and why.
async fn deliver(
    run: &Run,
    lane: &mut Lane,
    row: &Claimed,
    edition: Result<Option<Edition>, String>,
    hand: &mpsc::Sender<HandOver>,
) -> (Mark, String) {
    let edition = match edition {
        Ok(Some(e)) => e,
        Ok(None) => return (Mark::Skipped, "no longer an active member".into()),
        Err(why) => return retry_or_fail(row, why),
    };
    let email = super::render::email(&run.state, &edition, row.member_id, &row.email);
    let message_id = super::render::message_id(run.issue.id, row.member_id);
    let hand_over = |release| async {
        let (tx, rx) = oneshot::channel();
        hand.send((row.member_id, tx, release)).await.map_err(|_| anyhow::anyhow!("the run is ending"))?;
        Ok(rx.await.unwrap_or(false))
    };
    match lane.send(&email, &run.list, &message_id, hand_over).await {
        Outcome::Accepted => (Mark::Sent, String::new()),
        Outcome::Bounced(why) => {
            if let Err(e) = bounces::suppress(&run.state.db, Some(row.member_id), &row.email, "bounce", &why).await {
                tracing::warn!(error = %e, "could not record a bounce");
            }
            (Mark::Bounced, why)
        }
        Outcome::NotSent { permanent: true, reason } | Outcome::Refused { permanent: true, reason } => {
            (Mark::Failed, reason)
        }
        Outcome::NotSent { reason, .. } | Outcome::Refused { reason, .. } => retry_or_fail(row, reason),
        Outcome::Unknown(why) => (Mark::Unconfirmed, why),
    }
}

fn retry_or_fail(row: &Claimed, why: String) -> (Mark, String) {
    if row.attempts + 1 >= MAX_ATTEMPTS { (Mark::Failed, why) } else { (Mark::Retry, why) }
}

/// Records hand-overs: everything waiting goes in one statement, and each lane learns
/// whether its row is still this run's to send. Answers the journal when the lanes are
/// done.
async fn write_hand_overs(run: Arc<Run>, mut rx: mpsc::Receiver<HandOver>, mut journal: Journal) -> Journal {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, 512).await > 0 {
        if batch.len() < run.connections / 4 {
            // A commit for a few lanes costs nearly what one for many does: give the
            // lanes about to arrive a moment to share it.
            tokio::time::sleep(HAND_OVER_GATHERING).await;
            while let Ok(more) = rx.try_recv() {
                batch.push(more);
            }
        }
        let members: Vec<MemberId> = batch.iter().map(|(m, ..)| *m).collect();
        let mut owned = match rows::hand_over(&run.state.db, run.issue.id, &run.id, &members).await {
            Ok(owned) => owned,
            Err(e) => {
                tracing::warn!(error = %e, "could not record hand-overs; those messages wait");
                vec![]
            }
        };
        // The ends of the data go out from here, right after the commit, before any
        // lane is woken, each noted in the journal in the instant before it is written
        // (a message that cannot be noted is not ended: it is tried again).
        for (member, _, release) in &batch {
            if owned.contains(member) && !journal.note_then_release(&member.to_string(), release) {
                tracing::warn!(%member, "could not note a hand-over in the journal; the message waits");
                owned.retain(|m| m != member);
            }
        }
        for (member, reply, _) in batch.drain(..) {
            let _ = reply.send(owned.contains(&member));
        }
    }
    journal
}

/// Records outcomes in batches, one statement per kind of outcome and reason.
async fn write_marks(run: Arc<Run>, mut rx: mpsc::Receiver<(MemberId, Mark, String)>) {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, 1024).await > 0 {
        // Nobody waits for an outcome: letting a few more gather makes one statement
        // where there would be ten, on the one writer the hand-overs also need. A row
        // whose outcome is not written yet stays `handed` (after a crash: unconfirmed).
        tokio::time::sleep(MARK_GATHERING).await;
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut groups: HashMap<(u8, String), (Mark, Vec<MemberId>)> = HashMap::new();
        for (member, mark, why) in batch.drain(..) {
            let key = (mark as u8, if mark == Mark::Sent { String::new() } else { why });
            groups.entry(key).or_insert_with(|| (mark, vec![])).1.push(member);
        }
        for ((_, why), (mark, members)) in groups {
            if let Err(e) = rows::mark(&run.state.db, run.issue.id, mark, &members, &why).await {
                // Rows left `handed` become `unconfirmed` on the next run: never resent.
                tracing::warn!(error = %e, "could not record newsletter outcomes");
            }
        }
    }
}
