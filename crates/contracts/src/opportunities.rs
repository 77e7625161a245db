//! What the opportunities slice tells the others: a member applied, was selected, had a
//! deliverable approved, was paid; and each change of an application's status, which
//! the member hears of (the notifications slice writes it and e-mails it as the member
//! chose). A payout in points is credited by the rewards slice, once per payout.

use kernel::outbox::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::MemberId;

domain_events! {
    /// A member applied for an opportunity.
    ApplicationSubmitted = "ApplicationSubmitted" { member_id: MemberId, opportunity_id: Uuid, application_id: Uuid }
    /// Staff selected a member for an opportunity: one of its seats is theirs.
    MemberSelected = "MemberSelected" { member_id: MemberId, opportunity_id: Uuid, application_id: Uuid }
    /// Staff approved what a member delivered for an opportunity.
    DeliverableApproved = "DeliverableApproved" {
        member_id: MemberId,
        opportunity_id: Uuid,
        application_id: Uuid,
        deliverable_id: Uuid,
    }
    /// A payout to a member was marked paid. `points` above zero is compensation in
    /// points, credited to the member's ledger once per `payout_id` however often the
    /// event is delivered; money (`amount_cents` in `currency`) is paid outside.
    PayoutPaid = "PayoutPaid" {
        member_id: MemberId,
        opportunity_id: Uuid,
        payout_id: Uuid,
        opportunity_title: String,
        points: i64,
        amount_cents: i64,
        currency: String,
    }
    /// A member's application changed status (or was made). `text` tells them what
    /// happened, in words, with the team's message if any; `url` is where they see it.
    ApplicationStatusChanged = "ApplicationStatusChanged" {
        member_id: MemberId,
        application_id: Uuid,
        status: String,
        text: String,
        url: String,
    }
}
