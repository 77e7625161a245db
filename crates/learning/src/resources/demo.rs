//! Demo resources: a library of ten (every kind, public and members-only, tagged by
//! topic, member type and a few conditions, one still a draft), and this month's and
//! last month's collections, dated relative to now.

use contracts::members::MemberType;
use kernel::AppState;
use kernel::slice::DemoPeople;
use kernel::time::now;
use uuid::Uuid;

use super::collections::{self, CleanCollection};
use super::drafting::Clean;
use super::library;
use super::model::{Audience, Kind, Month, Status};

struct Plan {
    kind: Kind,
    title: &'static str,
    summary: &'static str,
    body: &'static str,
    public: bool,
    topics: &'static [&'static str],
    types: &'static [MemberType],
    /// How many of the reference list's first conditions it is tagged with.
    conditions: usize,
}

const PLANS: &[Plan] = &[
    Plan {
        kind: Kind::Guide,
        title: "Telling your health story in five minutes",
        summary: "A short structure for a story that moves people: the moment, the change, the ask.",
        body: "## The moment\nStart with one scene.\n\n## The change\nWhat changed for you, and for others like you.\n\n## The ask\nEnd with one thing the listener can do.",
        public: true,
        topics: &["storytelling"],
        types: &[],
        conditions: 0,
    },
    Plan {
        kind: Kind::Toolkit,
        title: "Meeting your legislator: a toolkit",
        summary: "Before, during and after a meeting with an elected official.",
        body: "1. Book the meeting.\n2. Bring one page.\n3. Follow up within a week.",
        public: true,
        topics: &["policy"],
        types: &[],
        conditions: 0,
    },
    Plan {
        kind: Kind::Template,
        title: "Letter to the editor template",
        summary: "Fill-in-the-blanks letter for your local paper.",
        body: "Dear editor,\n\nAs a [patient/caregiver] living with [condition] in [town], I …",
        public: false,
        topics: &["media", "storytelling"],
        types: &[],
        conditions: 0,
    },
    Plan {
        kind: Kind::Checklist,
        title: "Before you post: a social media checklist",
        summary: "Disclosure, privacy and tone, checked in two minutes.",
        body: "- [ ] Is the disclosure in the first line?\n- [ ] Does it name anyone who did not agree?\n- [ ] Would you say it to their face?",
        public: true,
        topics: &["social_media"],
        types: &[],
        conditions: 0,
    },
    Plan {
        kind: Kind::Guide,
        title: "Caregivers as advocates",
        summary: "Speaking up for someone else without speaking over them.",
        body: "Ask first. Share what you saw, not what they felt.",
        public: false,
        topics: &["storytelling", "self_care"],
        types: &[MemberType::Caregiver],
        conditions: 0,
    },
    Plan {
        kind: Kind::Toolkit,
        title: "Joining a clinical trial advisory board",
        summary: "What advisory boards ask of patients, and what to ask back.",
        body: "Advisory boards shape how trials treat people. Your experience is expertise.",
        public: false,
        topics: &["research"],
        types: &[MemberType::Patient],
        conditions: 2,
    },
    Plan {
        kind: Kind::Checklist,
        title: "Hosting a community listening session",
        summary: "Room, reach, questions and follow-up.",
        body: "- Pick an accessible room\n- Invite widely\n- Listen more than you speak",
        public: true,
        topics: &["community"],
        types: &[],
        conditions: 0,
    },
    Plan {
        kind: Kind::Guide,
        title: "For clinicians: amplifying patient voices",
        summary: "How healthcare professionals can share the stage.",
        body: "Invite patients as co-presenters, and pay them.",
        public: true,
        topics: &["community", "media"],
        types: &[MemberType::HealthcareProfessional],
        conditions: 0,
    },
    Plan {
        kind: Kind::Template,
        title: "Media interview prep sheet",
        summary: "Three messages, two stories, one ask.",
        body: "**Message 1:** …\n\n**Story:** …\n\n**Ask:** …",
        public: false,
        topics: &["media"],
        types: &[MemberType::Advocate],
        conditions: 1,
    },
    Plan {
        kind: Kind::Guide,
        title: "Rest is part of advocacy",
        summary: "Pacing yourself through campaigns and flare-ups.",
        body: "Plan your rest as carefully as your campaign.",
        public: true,
        topics: &["self_care"],
        types: &[],
        conditions: 0,
    },
];

/// Loads the library and the two collections, written by the demo admin.
pub async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let admin = people.admin()?;
    let conditions: Vec<Uuid> =
        contracts::members::directory(state)?.conditions(&state.db).await?.into_iter().map(|c| c.id).collect();
    let mut ids = Vec::new();
    for p in PLANS {
        let clean = Clean {
            kind: p.kind,
            title: p.title.into(),
            summary: p.summary.into(),
            body: p.body.into(),
            audience: if p.public { Audience::Public } else { Audience::Members },
            status: Status::Published,
            topics: p.topics.iter().map(|t| t.to_string()).collect(),
            conditions: conditions.iter().take(p.conditions).copied().collect(),
            member_types: p.types.to_vec(),
        };
        ids.push(library::save(state, admin, None, &clean, "demo").await?);
    }
    let draft = Clean {
        kind: Kind::Toolkit,
        title: "Next month's toolkit (draft)".into(),
        summary: "Still being written.".into(),
        body: String::new(),
        audience: Audience::Members,
        status: Status::Draft,
        topics: vec!["policy".into()],
        conditions: vec![],
        member_types: vec![],
    };
    library::save(state, admin, None, &draft, "demo").await?;
    let this = Month::of(now());
    let months = [
        (this, "This month is about **finding your voice**: your story, and where to tell it.", [0, 2, 3, 4, 8]),
        (this.previous(), "Last month we looked at **policy and community**.", [1, 5, 6, 7, 9]),
    ];
    for (month, intro, picks) in months {
        let c = CleanCollection {
            intro: intro.into(),
            publish_at: Some(month.start()),
            resources: picks.iter().map(|i| ids[*i]).collect(),
        };
        collections::save(state, admin, month, &c, "demo").await?;
    }
    Ok(())
}
