//! The hand-over journal of one run: a local file in which the run notes each message
//! in the instant before it writes that message's end of data, so that after a crash
//! the next run can tell the two kinds of recorded hand-over apart.
//!
//! The database records a hand-over before the end is written (so that nothing whose
//! end reached a server is ever sent again), but a database commit takes a round trip
//! and a wake-up, and a kill in that time used to leave a row that could not be told
//! from one whose end was written: it had to be presumed delivered, and was lost. The
//! journal closes that gap: [`Journal::note_then_release`] notes the message and then
//! writes its end, so a hand-over *not* in the journal certainly never had its end
//! written (send it again), and one in it did (or was about to: presumed delivered).
//!
//! The note is a store into the file's pages, mapped into memory, not a `write` call:
//! a `SIGKILL` that arrives during a system call takes effect when the call returns, so
//! a note written by `write` that took a few microseconds (or blocked on the file
//! system's own journal for milliseconds, on a busy machine) would often land with its
//! end never written — a lost message (one in CI's crash test). A store into a shared
//! mapping is in the page cache the moment it is made and outlives the process, and
//! what is left between it and the end's own `send` is a handful of instructions, with
//! the gate's lock already held ([`Release::now_after`]).
//!
//! The file is locked (`flock`) for as long as the run lives. The kernel drops the lock
//! when the process dies, so a journal whose lock can be taken belongs to a run that is
//! over; one still locked belongs to a run that is alive (stalled, and overtaken by a
//! later step), and one missing to a run on another node: for both, nothing can be
//! told, and every hand-over stays presumed delivered.

use std::collections::HashSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{Ordering, compiler_fence};

use memmap2::MmapMut;

use super::Release;

/// How much the journal's file grows at a time: about 28,000 notes.
const CHUNK: u64 = 1 << 20;

/// The journal of a run that is sending, holding its lock.
pub struct Journal {
    file: File,
    map: MmapMut,
    /// Where the next note goes: everything before it is whole lines.
    end: usize,
    path: PathBuf,
}

fn path_of(dir: &Path, run: &str) -> PathBuf {
    let name: String = run.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect();
    dir.join(format!("{name}.handovers"))
}

/// Maps the whole of `file` for writing.
fn map(file: &File) -> io::Result<MmapMut> {
    // SAFETY: the file is this run's own, created and locked by it; nothing else
    // writes it or changes its length while it is mapped (a recovering run reads it
    // only once this run's lock is gone, that is once this process is).
    unsafe { MmapMut::map_mut(file) }
}

impl Journal {
    /// Creates the journal of `run` in `dir` and locks it for the life of the run.
    pub fn open(dir: &Path, run: &str) -> io::Result<Journal> {
        std::fs::create_dir_all(dir)?;
        let path = path_of(dir, run);
        let file = OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path)?;
        file.try_lock().map_err(io::Error::from)?;
        file.set_len(CHUNK)?;
        let map = map(&file)?;
        Ok(Journal { file, map, end: 0, path })
    }

    /// Notes `key`, then writes the held end of data at once. Answers false, releasing
    /// nothing, when the note could not be written: the message must not be ended then.
    pub fn note_then_release(&mut self, key: &str, release: &Release) -> bool {
        if self.make_room(key.len() + 1).is_err() {
            return false;
        }
        release.now_after(|| self.note(key));
        true
    }

    /// Grows the file (and its mapping) when the next `len` bytes would not fit.
    fn make_room(&mut self, len: usize) -> io::Result<()> {
        if self.end + len <= self.map.len() {
            return Ok(());
        }
        self.file.set_len((self.map.len() as u64 + CHUNK).max((self.end + len) as u64))?;
        self.map = map(&self.file)?;
        Ok(())
    }

    /// Stores `key` and then its newline: a reader counts only whole lines, so a note
    /// cut off by a kill between the two is not a note.
    fn note(&mut self, key: &str) {
        let at = self.end;
        self.map[at..at + key.len()].copy_from_slice(key.as_bytes());
        compiler_fence(Ordering::SeqCst);
        self.map[at + key.len()] = b'\n';
        self.end = at + key.len() + 1;
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
    // The file is grown ahead of its notes, so it ends in zeros; and only whole lines
    // count: a last line without its newline was cut off mid-note.
    let written = text.split('\0').next().unwrap_or("");
    let whole = written.rsplit_once('\n').map(|(lines, _)| lines).unwrap_or("");
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
    fn notes_past_the_first_chunk_grow_the_file_and_the_zeros_after_the_last_are_not_notes() {
        let d = dir("grow");
        let mut journal = Journal::open(&d, "run-4").unwrap();
        let keys: Vec<String> = (0..40_000).map(|i| format!("{i:036}")).collect();
        for key in &keys {
            assert!(journal.note_then_release(key, &Release::default()));
        }
        let length = std::fs::metadata(path_of(&d, "run-4")).unwrap().len();
        assert!(length > CHUNK && length.is_multiple_of(CHUNK), "grown by whole chunks: {length}");
        drop(journal);
        let left = finished(&d, "run-4").unwrap().unwrap();
        assert!(keys.iter().all(|k| left.noted(k)));
        assert_eq!(left.noted.len(), keys.len(), "nothing but the notes: no empty line from the zeros");
        left.discard();
        // A note cut off before its newline, in a file grown ahead of it.
        std::fs::write(path_of(&d, "run-4"), b"alice\nbob\0\0\0\0").unwrap();
        let left = finished(&d, "run-4").unwrap().unwrap();
        assert!(left.noted("alice") && !left.noted("bob") && left.noted.len() == 1);
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
