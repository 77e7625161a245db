//! Passwords: Argon2id hashes; at least 8 characters, up to 256; refused when on a
//! list of common passwords (zxcvbn's) or trivially guessable. No composition rules.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use kernel::config::PasswordCost;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 256;

fn hasher(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        // OWASP's baseline for Argon2id: 19 MiB, 2 passes, 1 lane.
        PasswordCost::Standard => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::Fast => Params::new(256, 1, 1, None),
    }
    .expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How many passwords are hashed or checked at once: one thread each. Each hash holds
/// 19 MiB for tens of milliseconds of CPU. They run off the async runtime's threads (which
/// would otherwise stop serving pages meanwhile: sign-ups under load pushed reads' p99 up),
/// no more of them at once than this, so their memory stays bounded, and at a lower CPU
/// priority than the threads serving pages (see [`HASHING_NICENESS`]; bench/RESULTS.md,
/// mixed load).
const AT_ONCE: usize = 2;

/// How much nicer the hashing threads are than the rest (Linux: niceness goes from 0,
/// normal, to 19, the lowest priority). When the machine is busy, a sign-up or log-in
/// waits a little longer and the pages being served keep their pace; when it is idle,
/// hashing gets a whole core as before. Five steps give a hashing thread about a third of
/// a page-serving thread's share of a busy core, not so little that sign-ups stall.
const HASHING_NICENESS: i32 = 5;

type Job = Box<dyn FnOnce() + Send>;

/// The queue of the [`AT_ONCE`] hashing threads, started on first use.
fn hashing_queue() -> &'static std::sync::mpsc::Sender<Job> {
    static QUEUE: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    QUEUE.get_or_init(|| {
        let (queue, jobs) = std::sync::mpsc::channel::<Job>();
        let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
        for n in 0..AT_ONCE {
            let jobs = jobs.clone();
            let spawned = std::thread::Builder::new().name(format!("password-{n}")).spawn(move || {
                lower_this_threads_priority();
                // The lock is held only while waiting for the next job, never while working.
                while let Some(job) = jobs.lock().ok().and_then(|next| next.recv().ok()) {
                    // A panicking job drops its answer (its caller sees an error); the thread goes on.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        queue
    })
}

/// Lowers the calling thread's priority (and only its: on Linux each thread has its own
/// niceness) by [`HASHING_NICENESS`] steps. Where that is refused, it keeps its priority.
fn lower_this_threads_priority() {
    // SAFETY: getpriority and setpriority take plain integers and touch no memory of ours;
    // `0` names the calling thread.
    let refused = unsafe {
        let now = libc::getpriority(libc::PRIO_PROCESS, 0);
        libc::setpriority(libc::PRIO_PROCESS, 0, (now + HASHING_NICENESS).min(19))
    } != 0;
    if refused {
        tracing::warn!("password hashing runs at normal priority: setpriority was refused");
    }
}

/// Runs `work` on one of the hashing threads once one is free.
async fn off_the_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    hashing_queue()
        .send(Box::new(move || {
            let _ = answer.send(work());
        }))
        .map_err(|_| anyhow::anyhow!("the password hashing threads have stopped"))?;
    answered.await.map_err(|_| anyhow::anyhow!("password hashing failed"))
}

fn hash_now(password: &str, cost: PasswordCost) -> anyhow::Result<String> {
    hasher(cost)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

fn verify_now(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// The Argon2id hash of `password` (see [`AT_ONCE`]).
pub async fn hash(password: &str, cost: PasswordCost) -> anyhow::Result<String> {
    let password = password.to_string();
    off_the_runtime(move || hash_now(&password, cost)).await?
}

/// Checks a password against a stored hash (whatever parameters it was made with).
pub async fn verify(stored: &str, password: &str) -> bool {
    let (stored, password) = (stored.to_string(), password.to_string());
    off_the_runtime(move || verify_now(&stored, &password)).await.unwrap_or(false)
}

/// A hash of nothing in particular, checked when an account does not exist so that
/// "unknown e-mail" takes as long as "wrong password".
pub async fn dummy_verify(cost: PasswordCost) {
    static DUMMY: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    let _ = off_the_runtime(move || {
        let fast = hash_now("not a real password", PasswordCost::Fast).unwrap_or_default();
        let standard = || hash_now("not a real password", PasswordCost::Standard).unwrap_or_default();
        let (std_hash, fast_hash) = DUMMY.get_or_init(|| (standard(), fast));
        let h = if cost == PasswordCost::Fast { fast_hash } else { std_hash };
        verify_now(h, "another wrong password")
    })
    .await;
}

/// Why a new password is refused, in words for the person choosing it.
pub fn problem(password: &str, personal: &[&str]) -> Option<String> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Some(format!("Use at least {MIN_LEN} characters."));
    }
    if len > MAX_LEN {
        return Some(format!("Use at most {MAX_LEN} characters."));
    }
    // zxcvbn is slow on very long inputs and long passwords are not common ones.
    if len > 64 {
        return None;
    }
    let entropy = zxcvbn::zxcvbn(password, personal);
    let whole_common_word = entropy.sequence().len() == 1
        && entropy.sequence().iter().any(|m| {
            // zxcvbn does not export its dictionary type, only its Debug name.
            matches!(&m.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
                if format!("{:?}", d.dictionary_name) == "Passwords")
        });
    if whole_common_word {
        return Some("That password is on a list of common passwords. Choose something less predictable.".into());
    }
    if (entropy.score() as u8) < 2 {
        return Some("That password is too easy to guess. A few unrelated words together work well.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let h = hash("correct horse battery staple", PasswordCost::Fast).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "correct horse battery staple").await);
        assert!(!verify(&h, "correct horse battery stapler").await);
        assert!(!verify("garbage", "x").await);
    }

    /// Hashing leaves the runtime's only thread free for other work, and no more than
    /// [`AT_ONCE`] run at once however many are asked for.
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_runs_off_the_runtime_a_few_at_a_time() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let work: Vec<_> = (0..6)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(off_the_runtime(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    // Blocking, as a real hash is: the runtime's thread must not be the one held.
                    std::thread::sleep(std::time::Duration::from_millis(40));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        // Work on the runtime's own thread would hold it from start to end: no tick could
        // then see any of it running.
        let mut busy_ticks = 0;
        for _ in 0..5 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            busy_ticks += usize::from(running.load(Ordering::SeqCst) > 0);
        }
        for w in work {
            w.await.unwrap().unwrap();
        }
        assert!(busy_ticks > 0, "the runtime kept serving while passwords were hashed");
        assert_eq!(most.load(Ordering::SeqCst), AT_ONCE);
    }

    /// A busy machine serves pages first: hashing runs at a lower priority than the
    /// threads that called it.
    #[tokio::test]
    async fn hashing_runs_at_a_lower_priority_than_the_pages() {
        // SAFETY: getpriority reads the calling thread's niceness and touches no memory of ours.
        let niceness = || unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let callers = niceness();
        let hashers = off_the_runtime(niceness).await.unwrap();
        assert_eq!(hashers, (callers + HASHING_NICENESS).min(19), "hashing threads at {hashers}, callers at {callers}");
    }

    #[test]
    fn common_and_short_passwords_are_refused_long_unusual_ones_accepted() {
        for bad in ["password", "password1", "12345678", "iloveyou", "qwertyuiop", "short"] {
            assert!(problem(bad, &[]).is_some(), "{bad} should be refused");
        }
        assert!(problem("ada@example.org", &["ada@example.org"]).is_some());
        for good in ["purple tortoise sings loudly", "Zk8#qv!2mWp9", "river-lamp-ankle-87"] {
            assert_eq!(problem(good, &[]), None, "{good} should be accepted");
        }
        assert!(problem(&"x".repeat(257), &[]).is_some());
        assert_eq!(problem(&"long passphrase ".repeat(10)[..128], &[]), None, "128 characters are allowed");
    }
}
