//! Demo opportunities: two partners, an open and a closed opportunity of every kind —
//! some open to the demo member, some with a requirement they miss (so the board shows
//! its reasons) — and a few applications from other demo members to screen.

use chrono::{Duration, Utc};
use kernel::AppState;
use kernel::ids::MemberId;
use kernel::slice::DemoPeople;
use kernel::viewer::{Member, Role, Viewer};
use uuid::Uuid;

use crate::applying::{self, NewApplication};
use crate::drafting::{self, Draft};
use crate::model::Kind;
use crate::partners::{self, NewPartner};

/// Who an opportunity is for, relative to the demo member.
#[derive(Clone, Copy)]
enum Audience {
    Everyone,
    /// The demo member's own member type.
    TheirType,
    /// Only Health Leaders (the demo member is not one).
    HealthLeaders,
    /// Only channels with a million followers.
    BigAudiences,
}

struct Plan {
    kind: Kind,
    title: &'static str,
    brief: &'static str,
    pay: (&'static str, &'static str),
    audience: Audience,
}

const PLANS: &[Plan] = &[
    Plan {
        kind: Kind::SocialMediaCampaign,
        title: "Asthma Awareness Week: share your routine",
        brief: "Three posts over a week about how you manage your asthma day to day. **Your words, your story**; we only ask that each post carries the disclosure.",
        pay: ("money", "250"),
        audience: Audience::Everyone,
    },
    Plan {
        kind: Kind::SpeakingEngagement,
        title: "Keynote at the Patient Voices summit",
        brief: "Twenty minutes on what patients wish clinicians knew, followed by questions.",
        pay: ("money", "1200"),
        audience: Audience::HealthLeaders,
    },
    Plan {
        kind: Kind::ArticleFeature,
        title: "Guest article: the first year after diagnosis",
        brief: "An article of about 1,200 words for the partner's magazine, edited with you.",
        pay: ("points", "600"),
        audience: Audience::TheirType,
    },
    Plan {
        kind: Kind::PanelSeat,
        title: "Panel: caring for someone with a chronic condition",
        brief: "A one-hour online panel with three other members and a moderator.",
        pay: ("money", "300"),
        audience: Audience::Everyone,
    },
    Plan {
        kind: Kind::AdvisoryBoard,
        title: "Patient advisory board, 2027",
        brief: "Four meetings a year to advise on a new support programme.",
        pay: ("money", "2000"),
        audience: Audience::BigAudiences,
    },
    Plan {
        kind: Kind::Other,
        title: "Test a new medication-reminder app",
        brief: "Use the app for two weeks and tell the team what worked.",
        pay: ("points", "200"),
        audience: Audience::Everyone,
    },
];

pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let admin = people.admin()?;
    // The members slice lists the demo member first when it makes the demo people.
    let Some(&demo_member) = people.member_ids.first() else { return Ok(()) };
    let demo_type = crate::board::profile_of(state, demo_member).await?.member_type;
    let mut partner_ids = Vec::new();
    for (name, website) in [
        ("BreatheWell Foundation", "https://breathewell.example.org"),
        ("CareBridge Health", "https://carebridge.example.org"),
    ] {
        let p = NewPartner { name: name.into(), website: website.into(), ..Default::default() };
        match partners::create(state, admin, &p, "demo").await {
            Ok(done) => partner_ids.push(done.id),
            // A second demo load finds its partners already there.
            Err(kernel::AppError::Conflict { .. }) => return Ok(()),
            Err(e) => return Err(anyhow::anyhow!("demo partner {name}: {e}")),
        }
    }
    let mut first_open = None;
    for (i, plan) in PLANS.iter().enumerate() {
        let partner = partner_ids[i % partner_ids.len()];
        let open = opportunity(state, admin, plan, partner, demo_type, Duration::days(10 + 4 * i as i64)).await?;
        first_open.get_or_insert(open);
        opportunity(state, admin, plan, partner, demo_type, -Duration::days(20 + i as i64)).await?;
    }
    if let Some(open) = first_open {
        applications(state, &people.member_ids, open).await?;
    }
    Ok(())
}

/// Posts `plan` with its deadline `deadline_in` from now (in the past: closed).
async fn opportunity(
    state: &AppState,
    admin: MemberId,
    plan: &Plan,
    partner: Uuid,
    demo_type: Option<contracts::members::MemberType>,
    deadline_in: Duration,
) -> anyhow::Result<Uuid> {
    let mut d = Draft {
        kind: plan.kind.as_str().into(),
        title: plan.title.into(),
        brief: plan.brief.into(),
        partner_id: partner.to_string(),
        compensation: plan.pay.0.into(),
        seats: "3".into(),
        apply_by: (Utc::now() + deadline_in).format("%Y-%m-%d").to_string(),
        questions: "Why does this matter to you?\nWhere would you share it?".into(),
        deliverables: "Links to what you published, with the captions as posted.".into(),
        ..Default::default()
    };
    match plan.pay.0 {
        "money" => (d.amount, d.currency) = (plan.pay.1.into(), "USD".into()),
        _ => d.points = plan.pay.1.into(),
    }
    match plan.audience {
        Audience::Everyone => {}
        Audience::TheirType => d.member_types = demo_type.iter().map(|t| t.as_str().to_string()).collect(),
        Audience::HealthLeaders => d.health_leader = true,
        Audience::BigAudiences => (d.followers_channel, d.followers_count) = ("instagram".into(), "1000000".into()),
    }
    let clean =
        drafting::validate(&d).map_err(|e| anyhow::anyhow!("demo opportunity {}: {}", plan.title, e.sentence()))?;
    crate::catalogue::create(state, admin, &clean, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// A few other demo members apply for `opportunity`, so staff have someone to screen.
async fn applications(state: &AppState, members: &[MemberId], opportunity: Uuid) -> anyhow::Result<()> {
    for (i, id) in members.iter().skip(1).take(3).enumerate() {
        let viewer = Viewer::Member(Member {
            id: *id,
            display_name: format!("Demo {i}"),
            role: Role::Member,
            health_leader: false,
        });
        let answers = vec!["It is my everyday life.".to_string(), "On my blog and with my support group.".to_string()];
        let a = NewApplication { answers, channels: vec![] };
        if let Err(e) = applying::apply(state, &viewer, opportunity, &a).await {
            tracing::warn!(member = %id, error = ?e, "a demo application was refused");
        }
    }
    Ok(())
}
