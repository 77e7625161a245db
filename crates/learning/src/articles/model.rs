//! The articles' vocabulary: where an article stands in the editorial workflow and which
//! way it may move, by whom.

use serde::{Deserialize, Serialize};

/// Where an article stands: draft → submitted → in review → changes requested (back to
/// the author, who resubmits) → scheduled → published → featured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ArticleStatus)]
pub enum Status {
    Draft,
    Submitted,
    InReview,
    ChangesRequested,
    Scheduled,
    Published,
    Featured,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::Submitted,
        Status::InReview,
        Status::ChangesRequested,
        Status::Scheduled,
        Status::Published,
        Status::Featured,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::InReview => "in_review",
            Status::ChangesRequested => "changes_requested",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
            Status::Featured => "featured",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Submitted => "Submitted",
            Status::InReview => "In review",
            Status::ChangesRequested => "Changes requested",
            Status::Scheduled => "Scheduled",
            Status::Published => "Published",
            Status::Featured => "Featured",
        }
    }

    /// Whether anyone, signed in or not, may read an article in this state.
    pub fn is_public(self) -> bool {
        matches!(self, Status::Published | Status::Featured)
    }

    /// Whether the author may change the text: before submitting, and when the editors
    /// asked for changes.
    pub fn author_may_edit(self) -> bool {
        matches!(self, Status::Draft | Status::ChangesRequested)
    }

    /// The states an editor may move an article to from this one. The author's own move
    /// (submitting a draft or a revision) is [`Status::author_may_edit`].
    pub fn editor_moves(self) -> &'static [Status] {
        match self {
            Status::Draft => &[],
            Status::Submitted => &[Status::InReview, Status::ChangesRequested, Status::Scheduled, Status::Published],
            Status::InReview => &[Status::ChangesRequested, Status::Scheduled, Status::Published],
            Status::ChangesRequested => &[Status::InReview],
            Status::Scheduled => &[Status::InReview, Status::Published],
            Status::Published => &[Status::Featured],
            Status::Featured => &[Status::Published],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_code() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("deleted"), None);
    }

    #[test]
    fn the_workflow_runs_from_draft_to_featured_and_no_further() {
        assert!(Status::Submitted.editor_moves().contains(&Status::InReview));
        assert!(Status::InReview.editor_moves().contains(&Status::Scheduled));
        assert!(Status::Scheduled.editor_moves().contains(&Status::Published));
        assert!(Status::Published.editor_moves().contains(&Status::Featured));
        assert!(Status::Draft.editor_moves().is_empty(), "a draft is the author's until submitted");
        assert!(!Status::Featured.editor_moves().contains(&Status::Draft));
    }
}
