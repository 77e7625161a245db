//! The opportunities slice's vocabulary: kinds of work, how it is paid, where an
//! application stands and which way it may move, and payouts.

use serde::{Deserialize, Serialize};

/// A kind of paid work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    SocialMediaCampaign,
    SpeakingEngagement,
    ArticleFeature,
    PanelSeat,
    AdvisoryBoard,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::SocialMediaCampaign,
        Kind::SpeakingEngagement,
        Kind::ArticleFeature,
        Kind::PanelSeat,
        Kind::AdvisoryBoard,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SocialMediaCampaign => "social_media_campaign",
            Kind::SpeakingEngagement => "speaking_engagement",
            Kind::ArticleFeature => "article_feature",
            Kind::PanelSeat => "panel_seat",
            Kind::AdvisoryBoard => "advisory_board",
            Kind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::SocialMediaCampaign => "Social media campaign",
            Kind::SpeakingEngagement => "Speaking engagement",
            Kind::ArticleFeature => "Article feature",
            Kind::PanelSeat => "Panel seat",
            Kind::AdvisoryBoard => "Advisory board",
            Kind::Other => "Other",
        }
    }
}

/// The label of a stored kind code.
pub fn kind_label(code: &str) -> &'static str {
    Kind::parse(code).map(Kind::label).unwrap_or("Opportunity")
}

/// How an opportunity pays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pay {
    /// Money, in the smallest unit of `currency` (cents).
    Money {
        amount_cents: i64,
        currency: String,
    },
    /// Points, credited through the rewards ledger when the payout is marked paid.
    Points {
        points: i64,
    },
    Unpaid,
}

impl Pay {
    /// From the stored columns.
    pub fn from_columns(compensation: &str, amount_cents: i64, currency: &str, points: i64) -> Pay {
        match compensation {
            "money" => Pay::Money { amount_cents, currency: currency.to_string() },
            "points" => Pay::Points { points },
            _ => Pay::Unpaid,
        }
    }

    /// The stored `compensation` code.
    pub fn code(&self) -> &'static str {
        match self {
            Pay::Money { .. } => "money",
            Pay::Points { .. } => "points",
            Pay::Unpaid => "unpaid",
        }
    }

    /// In words: "USD 250.00", "500 points", "Unpaid".
    pub fn describe(&self) -> String {
        match self {
            Pay::Money { amount_cents, currency } => format!("{currency} {}", money(*amount_cents)),
            Pay::Points { points } => format!("{} points", thousands(*points)),
            Pay::Unpaid => "Unpaid".to_string(),
        }
    }
}

/// Cents as a decimal amount: 25000 → "250.00".
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", thousands_u(c / 100), c % 100)
}

/// A whole number with thousands separators: 1000 → "1,000".
pub fn thousands(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", thousands_u(n.unsigned_abs()))
}

fn thousands_u(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Applied,
    Shortlisted,
    Selected,
    InProgress,
    Submitted,
    Approved,
    Paid,
    Declined,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Applied,
        Status::Shortlisted,
        Status::Selected,
        Status::InProgress,
        Status::Submitted,
        Status::Approved,
        Status::Paid,
        Status::Declined,
        Status::Withdrawn,
    ];

    /// The statuses that hold one of the opportunity's seats.
    pub const HOLDING_A_SEAT: [Status; 5] =
        [Status::Selected, Status::InProgress, Status::Submitted, Status::Approved, Status::Paid];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Shortlisted => "shortlisted",
            Status::Selected => "selected",
            Status::InProgress => "in_progress",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Paid => "paid",
            Status::Declined => "declined",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Applied => "Applied",
            Status::Shortlisted => "Shortlisted",
            Status::Selected => "Selected",
            Status::InProgress => "In progress",
            Status::Submitted => "Work submitted",
            Status::Approved => "Approved",
            Status::Paid => "Paid",
            Status::Declined => "Declined",
            Status::Withdrawn => "Withdrawn",
        }
    }

    /// Whether staff may move an application from `self` to `to` through the status
    /// route. Submitting work is the member's move, and paying goes through the payout.
    pub fn staff_may_move_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Applied, Shortlisted | Selected | Declined)
                | (Shortlisted, Selected | Declined)
                | (Selected, InProgress | Declined)
                | (InProgress, Declined)
                | (Submitted, Approved | InProgress)
        )
    }

    /// Whether the member may still withdraw.
    pub fn may_withdraw(self) -> bool {
        matches!(self, Status::Applied | Status::Shortlisted | Status::Selected | Status::InProgress)
    }

    /// Whether the member may hand in work (again, after a flagged caption).
    pub fn may_deliver(self) -> bool {
        matches!(self, Status::Selected | Status::InProgress | Status::Submitted)
    }

    /// What the member is told when their application reaches this status.
    pub fn news(self, title: &str) -> String {
        let t = format!("\u{201c}{title}\u{201d}");
        match self {
            Status::Applied => format!("We received your application for {t}."),
            Status::Shortlisted => format!("You are on the shortlist for {t}."),
            Status::Selected => format!("You have been selected for {t}."),
            Status::InProgress => format!("Your work for {t} is under way."),
            Status::Submitted => format!("We received your work for {t}."),
            Status::Approved => format!("Your work for {t} is approved."),
            Status::Paid => format!("You have been paid for {t}."),
            Status::Declined => format!("Your application for {t} was not taken forward."),
            Status::Withdrawn => format!("You withdrew your application for {t}."),
        }
    }
}

/// A payout's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    Pending,
    Paid,
    /// The member left or was declined before the work was paid.
    Cancelled,
}

impl PayoutStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutStatus::Pending => "pending",
            PayoutStatus::Paid => "paid",
            PayoutStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PayoutStatus> {
        [PayoutStatus::Pending, PayoutStatus::Paid, PayoutStatus::Cancelled].into_iter().find(|x| x.as_str() == s)
    }
}

/// Whether the team holds a member's tax form (the form itself is never stored here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaxForm {
    Collected,
    Missing,
}

impl TaxForm {
    pub fn as_str(self) -> &'static str {
        match self {
            TaxForm::Collected => "collected",
            TaxForm::Missing => "missing",
        }
    }

    pub fn parse(s: &str) -> Option<TaxForm> {
        [TaxForm::Collected, TaxForm::Missing].into_iter().find(|x| x.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_itself() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn amounts_read_the_way_people_write_them() {
        assert_eq!(money(25000), "250.00");
        assert_eq!(money(123456789), "1,234,567.89");
        assert_eq!(money(5), "0.05");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(Pay::Points { points: 1500 }.describe(), "1,500 points");
    }

    #[test]
    fn finished_applications_never_move_and_paying_is_not_a_status_change() {
        for from in [Status::Paid, Status::Declined, Status::Withdrawn, Status::Approved] {
            for to in Status::ALL {
                assert!(!from.staff_may_move_to(to), "{from:?} → {to:?}");
            }
        }
        for from in Status::ALL {
            assert!(!from.staff_may_move_to(Status::Paid));
            assert!(!from.staff_may_move_to(Status::Submitted));
        }
    }
}
