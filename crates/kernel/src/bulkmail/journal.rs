//! The hand-over journal of one run: a local file in which the run notes each message
//! in the instant before it writes that message's end of data, so that after a crash
//! the next run can tell the two kinds of recorded hand-over apart.
//!
//! The database records a hand-over before the end is written (so that nothing whose
//! end reached a server is ever sent again), but a database commit takes a round trip
//! and a wake-up, and a kill in that time used to leave a row that could not be told
//! from one whose end was written: it had to be presumed delivered, and was lost. The
//! journal closes that gap: [`Journal::note_then_release`] writes the note and then the
//! end, two system calls with nothing between them, so a hand-over *not* in the journal
//! certainly never had its end written (send it again), and one in it did (or, in the
//! microseconds between those two calls, was about to: presumed delivered).
//!
//! The file is locked (`flock`) for as long as the run lives. The kernel drops the lock
//! when the process dies, so a journal whose lock can be taken belongs to a run that is
//! over; one still locked belongs to a run that is alive (stalled, and overtaken by a
//! later step), and one missing to a run on another node: for both, nothing can be
//! told, and every hand-over stays presumed delivered.

use std::collections::HashSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::Release;

/// The journal of a run that is sending, holding its lock.
pub struct Journal {
    file: File,
    path: PathBuf,
}

fn path_of(dir: &Path, run: &str) -> PathBuf {
    let name: String = run.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect();
    dir.join(format!("{name}.handovers"))
}

impl Journal {
    /// Creates the journal of `run` in `dir` and locks it for the life of the run.
    pub fn open(dir: &Path, run: &str) -> io::Result<Journal> {
        std::fs::create_dir_all(dir)?;
        let path = path_of(dir, run);
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        file.try_lock().map_err(io::Error::from)?;
        Ok(Journal { file, path })
    }

    /// Notes `key`, then writes the held end of data at once. Answers false, releasing
    /// nothing, when the note could not be written: the message must not be ended then.
    pub fn note_then_release(&mut self, key: &str, release: &Release) -> bool {
        // One write of the whole line: a note is either all there or (cut off by a
        // crash mid-line, which a reader ignores) not there at all.
        if self.file.write_all(format!("{key}\n").as_bytes()).is_err() {
            return false;
        }
        release.now();
        true
    }

    /// The run is over and every hand-over of it answered: the journal goes.
    pub fn close(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The journals in `dir` whose names start with `prefix` and whose runs are over (their
/// lock is free): what a crash left of runs that never had a hand-over to tell.
pub fn finished_runs(dir: &Path, prefix: &str) -> io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    let mut runs = vec![];
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(run) = name.strip_suffix(".handovers").filter(|r| r.starts_with(prefix)) {
            runs.push(run.to_string());
        }
    }
    Ok(runs)
}

/// The journal of a run that is over, locked by the one recovering it.
pub struct Finished {
    noted: HashSet<String>,
    _lock: File,
    path: PathBuf,
}

impl Finished {
    /// Whether `key`'s end of data was (or was about to be) written.
    pub fn noted(&self, key: &str) -> bool {
        self.noted.contains(key)
    }

    /// Everything the journal told is recorded elsewhere now: it goes.
    pub fn discard(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The journal `run` left in `dir`, when that run is certainly over (its lock is free);
/// `None` when it is alive or its journal is not here.
pub fn finished(dir: &Path, run: &str) -> io::Result<Option<Finished>> {
    let path = path_of(dir, run);
    let mut file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(e)) => return Err(e),
    }
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    // Only whole lines count: a last line without its newline was cut off mid-write.
    let whole = text.rsplit_once('\n').map(|(lines, _)| lines).unwrap_or("");
    let noted = whole.lines().map(str::to_string).collect();
    Ok(Some(Finished { noted, _lock: file, path }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("shn-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_live_runs_journal_tells_nothing_and_a_dead_ones_tells_what_it_noted() {
        let d = dir("life");
        let mut journal = Journal::open(&d, "run-1").unwrap();
        assert!(journal.note_then_release("alice", &Release::default()));
        assert!(journal.note_then_release("bob", &Release::default()));
        assert!(finished(&d, "run-1").unwrap().is_none(), "alive: its lock is held");
        // What a crash leaves: the lock goes with the process, the file stays.
        drop(journal);
        let left = finished(&d, "run-1").unwrap().expect("over: the lock is free");
        assert!(left.noted("alice") && left.noted("bob") && !left.noted("carol"));
        assert!(finished(&d, "run-1").unwrap().is_none(), "being recovered: locked by the recoverer");
        left.discard();
        assert!(finished(&d, "run-1").unwrap().is_none(), "discarded");
        assert!(finished(&d, "run-on-another-node").unwrap().is_none());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_note_cut_off_mid_line_does_not_count() {
        let d = dir("cut");
        drop(Journal::open(&d, "run-2").unwrap());
        std::fs::write(path_of(&d, "run-2"), "alice\nbo").unwrap();
        let left = finished(&d, "run-2").unwrap().unwrap();
        assert!(left.noted("alice") && !left.noted("bo"));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_journal_that_closes_normally_leaves_nothing() {
        let d = dir("close");
        let journal = Journal::open(&d, "run-3").unwrap();
        journal.close();
        assert!(finished(&d, "run-3").unwrap().is_none());
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        let _ = std::fs::remove_dir_all(&d);
    }
}
