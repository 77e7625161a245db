//! The embargo on winners, the one access rule of the awards that is not simply "staff
//! only": before the ceremony starts, nothing about winners is visible to anyone but
//! staff; from that moment, to everyone. Winners are visible once the programme is
//! locked and its ceremony time has come. The rule in Rust (for one programme) and in
//! SQL (for lists: the hall of fame, profiles' badges) side by side, with a test that
//! they agree.

use chrono::{DateTime, Utc};

/// Whether winners of a programme locked at `locked_at` with its ceremony at
/// `ceremony_at` are visible at `at` to someone who is (not) staff.
pub fn winners_visible(
    staff: bool,
    locked_at: Option<DateTime<Utc>>,
    ceremony_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> bool {
    staff || (locked_at.is_some() && ceremony_at.is_some_and(|c| c <= at))
}

/// The same rule for everyone who is not staff, over a programme aliased `p`, with the
/// moment as parameter `$n`.
pub fn winners_public_sql(n: usize) -> String {
    format!("(p.locked_at IS NOT NULL AND p.ceremony_at IS NOT NULL AND p.ceremony_at <= ${n})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_always_see_and_others_only_from_the_ceremony_of_a_locked_programme() {
        let t = Utc::now();
        let s = chrono::Duration::seconds(1);
        assert!(winners_visible(true, None, None, t));
        assert!(!winners_visible(false, Some(t), Some(t + s), t), "one second before");
        assert!(winners_visible(false, Some(t), Some(t - s), t), "one second after");
        assert!(winners_visible(false, Some(t), Some(t), t), "at the moment itself");
        assert!(!winners_visible(false, None, Some(t - s), t), "not locked");
        assert!(!winners_visible(false, Some(t), None, t), "no ceremony");
    }
}
