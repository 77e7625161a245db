//! Domain events: what one slice tells the others. Each is a type whose value is the
//! payload and whose kind is fixed by [`DomainEvent::KIND`], so a producer and its
//! consumers cannot drift apart: renaming one breaks the build, not the points.
//! Publish with `kernel::outbox::publish`; read with `Event::decode`.

use kernel::outbox::{DomainEvent, Event};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{EventId, GroupId, MemberId};

/// Declares each domain event: its payload struct and its stored kind.
macro_rules! domain_events {
    ($($(#[$meta:meta])* $name:ident = $kind:literal { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? })*) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
            pub struct $name {
                $($(#[$fmeta])* pub $field: $ty,)*
            }

            impl DomainEvent for $name {
                const KIND: &'static str = $kind;
            }
        )*
    };
}

domain_events! {
    // Members.
    /// A member verified their e-mail address and joined.
    MemberJoined = "MemberJoined" { member_id: MemberId }
    /// A member's profile became complete for the first time.
    ProfileCompleted = "ProfileCompleted" { member_id: MemberId }
    /// A member's account was erased: every slice forgets them in its own tables.
    MemberDeleted = "MemberDeleted" { member_id: MemberId }
    /// Staff granted a member the Health Leader badge.
    HealthLeaderGranted = "HealthLeaderGranted" { member_id: MemberId }

    // Community.
    /// A member started a discussion (published, not held).
    ThreadStarted = "ThreadStarted" { member_id: MemberId, thread_id: Uuid, group_id: GroupId }
    /// A member replied in a discussion.
    ReplyPosted = "ReplyPosted" { member_id: MemberId, thread_id: Uuid, post_id: Uuid }
    /// A member reacted to someone else's post.
    ReactionAdded = "ReactionAdded" { member_id: MemberId, target_type: String, target_id: Uuid, kind: String }
    /// A member asked to join a group that screens its members.
    GroupJoinRequested = "GroupJoinRequested" { member_id: MemberId, group_id: GroupId }
    /// A group's moderator let a member in.
    GroupRequestApproved = "GroupRequestApproved" { member_id: MemberId, group_id: GroupId }
    /// A moderator acted on a report about `member_id`'s content or conduct. With
    /// [`ModerationAction::SuspendPlatform`] the members slice suspends the account.
    ModerationActed = "ModerationActed" {
        member_id: MemberId,
        action: ModerationAction,
        reason: String,
        target_type: String,
        target_id: Uuid,
        days: i64,
    }
    /// A post matched a crisis phrase; the group's moderators are told.
    CrisisFlagged = "CrisisFlagged" { group_id: GroupId, target_type: String, target_id: Uuid }

    // Events.
    /// A member attended an event.
    EventAttended = "EventAttended" { member_id: MemberId, event_id: EventId }

    // Areas still to come: their kinds are reserved here so earning rules can be set up
    // ahead of them; each carries at least the member who earns, and its area may add fields.
    /// A member completed a course and holds its credential from now on: `credential`
    /// is the course's certificate code (such as `storytelling-101`), which an
    /// opportunity may require.
    CourseCompleted = "CourseCompleted" { member_id: MemberId, credential: String }
    /// A member completed an insight survey.
    SurveyCompleted = "SurveyCompleted" { member_id: MemberId }
    /// A member's article was published.
    ArticlePublished = "ArticlePublished" { member_id: MemberId }
    /// A member's published article was featured by the editors.
    ArticleFeatured = "ArticleFeatured" { member_id: MemberId }
    /// A member was nominated for an award.
    AwardNominated = "AwardNominated" { member_id: MemberId }
    /// A member became an award finalist. `ceremony_event_id` is the programme's
    /// ceremony (a Connexion session): the events area gives the finalist a
    /// complimentary ticket to its conference.
    AwardFinalist = "AwardFinalist" { member_id: MemberId, #[serde(default)] ceremony_event_id: Option<EventId> }
    /// A member won an award.
    AwardWon = "AwardWon" { member_id: MemberId }
    /// Someone a member referred joined.
    ReferralJoined = "ReferralJoined" { member_id: MemberId }
}

/// What a moderator decided about a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModerationAction {
    Dismiss,
    Hide,
    Remove,
    Warn,
    SuspendGroup,
    SuspendPlatform,
}

impl ModerationAction {
    pub const ALL: [ModerationAction; 6] = [
        ModerationAction::Dismiss,
        ModerationAction::Hide,
        ModerationAction::Remove,
        ModerationAction::Warn,
        ModerationAction::SuspendGroup,
        ModerationAction::SuspendPlatform,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModerationAction::Dismiss => "dismiss",
            ModerationAction::Hide => "hide",
            ModerationAction::Remove => "remove",
            ModerationAction::Warn => "warn",
            ModerationAction::SuspendGroup => "suspend_group",
            ModerationAction::SuspendPlatform => "suspend_platform",
        }
    }

    pub fn parse(s: &str) -> Option<ModerationAction> {
        ModerationAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The events that earn points, by the rule code the rewards slice credits them under.
pub const EARNING: &[(&str, &str)] = &[
    (ProfileCompleted::KIND, "profile_completed"),
    (EventAttended::KIND, "event_attended"),
    (CourseCompleted::KIND, "course_completed"),
    (SurveyCompleted::KIND, "survey_completed"),
    (ThreadStarted::KIND, "thread_started"),
    (ReplyPosted::KIND, "reply_posted"),
    (ArticlePublished::KIND, "article_published"),
    (ArticleFeatured::KIND, "article_featured"),
    (AwardNominated::KIND, "award_nominated"),
    (AwardFinalist::KIND, "award_finalist"),
    (AwardWon::KIND, "award_won"),
    (ReferralJoined::KIND, "referral_joined"),
];

/// The member who earns points for `event`, for the event types that earn any.
pub fn earner(event: &Event) -> Option<MemberId> {
    fn member<E: DomainEvent>(event: &Event, of: fn(E) -> MemberId) -> Option<MemberId> {
        event.decode::<E>().map(of)
    }
    member::<ProfileCompleted>(event, |e| e.member_id)
        .or_else(|| member::<EventAttended>(event, |e| e.member_id))
        .or_else(|| member::<CourseCompleted>(event, |e| e.member_id))
        .or_else(|| member::<SurveyCompleted>(event, |e| e.member_id))
        .or_else(|| member::<ThreadStarted>(event, |e| e.member_id))
        .or_else(|| member::<ReplyPosted>(event, |e| e.member_id))
        .or_else(|| member::<ArticlePublished>(event, |e| e.member_id))
        .or_else(|| member::<ArticleFeatured>(event, |e| e.member_id))
        .or_else(|| member::<AwardNominated>(event, |e| e.member_id))
        .or_else(|| member::<AwardFinalist>(event, |e| e.member_id))
        .or_else(|| member::<AwardWon>(event, |e| e.member_id))
        .or_else(|| member::<ReferralJoined>(event, |e| e.member_id))
}
