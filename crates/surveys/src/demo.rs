//! Demo surveys: a published survey with a quota and an incentive (for the demo
//! partner, if the opportunities slice made one), whose results hold imported past
//! research and a few demo members' answers, so the charts, cross-tabs and the partner's
//! suppressed view are worth opening; and a draft to edit. The demo member has not
//! answered, so they can take it.

use std::collections::HashMap;

use kernel::AppState;
use kernel::slice::DemoPeople;
use serde_json::{Value, json};

use crate::building::{self, NewSurvey};
use crate::model::Consent;
use crate::{consent, store, taking};

fn survey(title: &str, partner: Option<uuid::Uuid>) -> anyhow::Result<building::CleanSurvey> {
    let n: NewSurvey = serde_json::from_value(json!({
        "title": title,
        "description": "Ten minutes on where you find support between appointments. Partners see only counts of many people.",
        "questions": [
            {"text": "Do you use social resources for support?", "kind": "single", "options": ["Yes", "No"], "required": true, "section": "Support"},
            {"text": "Which ones?", "kind": "multiple", "options": ["Online forums", "Support groups", "Podcasts", "Social media"],
             "required": true, "section": "Support", "show_if": {"question": 0, "equals": "Yes"}},
            {"text": "Peer support helps me manage my health.", "kind": "likert", "section": "Your view"},
            {"text": "How likely are you to recommend peer support to someone newly diagnosed?", "kind": "scale", "section": "Your view"},
            {"text": "Anything you would like the partner to hear?", "kind": "text", "long": true, "section": "Your view"}
        ],
        "quotas": [{"member_type": "caregiver", "target": 100}, {"member_type": "patient", "target": 200}],
        "incentive": {"points": 100},
        "partner_id": partner,
    }))?;
    building::validate(&n).map_err(|e| anyhow::anyhow!("demo survey: {}", e.sentence()))
}

/// Past research for the demo survey: `n` respondents, as an imported file.
fn past_research(n: usize) -> String {
    let mut csv = "Do you use social resources for support?,Which ones?,Peer support helps me manage my health.,member_type,country\n".to_string();
    let likert = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"];
    let which = ["Online forums", "Support groups;Podcasts", "Social media;Online forums", "Support groups"];
    let types = ["patient", "caregiver", "healthcare_professional", "patient"];
    // Iceland has three respondents: a partner sees none of its cells.
    let countries = ["US", "US", "GB", "CA", "US"];
    for i in 0..n {
        let yes = i % 20 != 0;
        let (first, second) = if yes { ("Yes", which[i % 4]) } else { ("No", "") };
        csv.push_str(&format!(
            "{first},\"{second}\",{},{},{}\n",
            likert[(i * 7) % 5],
            types[i % 4],
            if i % 80 == 7 { "IS" } else { countries[(i * 3) % 5] }
        ));
    }
    csv
}

pub async fn load(state: &AppState, people: &DemoPeople) -> anyhow::Result<()> {
    let admin = people.admin()?;
    let partner = match contracts::surveys::partner_contacts(state) {
        Ok(port) => port.partners(&state.db).await?.first().map(|p| p.id),
        Err(_) => None,
    };
    let clean = survey("Where do you find support?", partner)?;
    let id = store::create(state, admin, &clean, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    store::publish(state, admin, id, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let s = store::load(state.db.reader(), id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows =
        crate::import::read(&s, &past_research(240)).map_err(|e| anyhow::anyhow!("demo import: {}", e.sentence()))?;
    crate::import::store(state, admin, &s, &rows, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for member in people.member_ids.iter().skip(1).take(4) {
        consent::set(state, *member, Consent::Yes).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let given: HashMap<uuid::Uuid, Value> = HashMap::from([
            (s.questions[0].id, json!("Yes")),
            (s.questions[1].id, json!(["Support groups"])),
            (s.questions[2].id, json!("Agree")),
        ]);
        if let Err(e) = taking::submit(state, &s, *member, &given, true).await {
            tracing::warn!(member = %member, error = ?e, "a demo response was refused");
        }
    }
    let draft = survey("Living with a new diagnosis (draft)", partner)?;
    store::create(state, admin, &draft, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
