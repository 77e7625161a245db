//! The awards' vocabulary: the phases a programme moves through, in order, and what
//! staff decide about a nominee in screening.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a programme stands. Phases only move forward, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Nominations,
    Endorsements,
    Judging,
    Finalists,
    Voting,
    Closed,
}

impl Phase {
    pub const ALL: [Phase; 6] =
        [Phase::Nominations, Phase::Endorsements, Phase::Judging, Phase::Finalists, Phase::Voting, Phase::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Nominations => "nominations",
            Phase::Endorsements => "endorsements",
            Phase::Judging => "judging",
            Phase::Finalists => "finalists",
            Phase::Voting => "voting",
            Phase::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Nominations => "Nominations open",
            Phase::Endorsements => "Endorsements open",
            Phase::Judging => "Judging",
            Phase::Finalists => "Finalists announced",
            Phase::Voting => "Public voting",
            Phase::Closed => "Closed",
        }
    }
}

/// A nominee's screening status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Screening {
    Pending,
    Accepted,
    Declined,
}

impl Screening {
    pub fn as_str(self) -> &'static str {
        match self {
            Screening::Pending => "pending",
            Screening::Accepted => "accepted",
            Screening::Declined => "declined",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_parse_back_and_run_in_the_documented_order() {
        for p in Phase::ALL {
            assert_eq!(Phase::parse(p.as_str()), Some(p));
        }
        assert!(Phase::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Phase::parse("winners"), None);
    }
}
