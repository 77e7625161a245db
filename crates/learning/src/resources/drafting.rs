//! A resource as staff type it (the form's text, or the API's JSON made into the same
//! shape) and its validation into a [`Clean`] resource, with one message per field.

use contracts::members::MemberType;
use kernel::FieldErrors;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::{Audience, Kind, Status, TOPICS};

pub const MAX_TITLE: usize = 200;
pub const MAX_SUMMARY: usize = 500;
pub const MAX_BODY: usize = 50_000;
pub const MAX_CONDITIONS: usize = 20;

/// What staff typed, as text.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub audience: String,
    pub status: String,
    pub topics: Vec<String>,
    pub conditions: Vec<String>,
    pub member_types: Vec<String>,
}

/// A resource to create or replace (staff API). Lists left out are empty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResource {
    pub kind: Kind,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    pub audience: Audience,
    /// `published` needs a body or a file (files are uploaded on the staff page).
    pub status: Status,
    /// Topic codes (see the `topic` filter of `GET /api/v1/resources`).
    #[serde(default)]
    pub topics: Vec<String>,
    /// Condition ids of the reference list (`GET /api/v1/conditions`).
    #[serde(default)]
    pub conditions: Vec<Uuid>,
    #[serde(default)]
    pub member_types: Vec<MemberType>,
}

impl From<NewResource> for Draft {
    fn from(n: NewResource) -> Draft {
        Draft {
            kind: n.kind.as_str().into(),
            title: n.title,
            summary: n.summary,
            body: n.body,
            audience: n.audience.as_str().into(),
            status: n.status.as_str().into(),
            topics: n.topics,
            conditions: n.conditions.iter().map(Uuid::to_string).collect(),
            member_types: n.member_types.iter().map(|t| t.as_str().to_string()).collect(),
        }
    }
}

/// A validated resource. Whether its conditions exist is checked against the members
/// port when it is stored.
#[derive(Debug, Clone)]
pub struct Clean {
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub audience: Audience,
    pub status: Status,
    pub topics: Vec<String>,
    pub conditions: Vec<Uuid>,
    pub member_types: Vec<MemberType>,
}

/// Checks every field; `has_file` says whether the resource already has a file (a
/// published resource needs a body or a file).
pub fn validate(d: &Draft, has_file: bool) -> Result<Clean, FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = Kind::parse(&d.kind);
    if kind.is_none() {
        e.add("kind", "Choose a guide, toolkit, template or checklist.");
    }
    let title = d.title.trim().to_string();
    e.check_length("title", &title, 1..=MAX_TITLE, format!("Give a title of 1 to {MAX_TITLE} characters."));
    let summary = d.summary.trim().to_string();
    e.check_length("summary", &summary, 0..=MAX_SUMMARY, format!("Keep the summary to {MAX_SUMMARY} characters."));
    let body = d.body.trim().to_string();
    e.check_length("body", &body, 0..=MAX_BODY, "Keep the text to 50,000 characters; attach a file for more.");
    let audience = Audience::parse(&d.audience);
    if audience.is_none() {
        e.add("audience", "Choose who may open it: everyone or members only.");
    }
    let status = Status::parse(&d.status);
    if status.is_none() {
        e.add("status", "Choose draft or published.");
    }
    if status == Some(Status::Published) && body.is_empty() && !has_file {
        e.add("body", "A published resource needs some text or a file. Save it as a draft and upload the file first.");
    }
    let topics = topics(&d.topics, &mut e);
    let conditions = conditions(&d.conditions, &mut e);
    let member_types = member_types(&d.member_types, &mut e);
    match (kind, audience, status, e.is_empty()) {
        (Some(kind), Some(audience), Some(status), true) => {
            Ok(Clean { kind, title, summary, body, audience, status, topics, conditions, member_types })
        }
        _ => Err(e),
    }
}

fn topics(raw: &[String], e: &mut FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !TOPICS.iter().any(|(code, _)| *code == t) {
            e.add("topics", "Choose topics from the list.");
        } else if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

fn conditions(raw: &[String], e: &mut FieldErrors) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = Vec::new();
    for c in raw.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match c.parse::<Uuid>() {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => e.add("conditions", "Choose conditions from the list."),
        }
    }
    if out.len() > MAX_CONDITIONS {
        e.add("conditions", format!("Choose at most {MAX_CONDITIONS} conditions."));
    }
    out
}

fn member_types(raw: &[String], e: &mut FieldErrors) -> Vec<MemberType> {
    let mut out: Vec<MemberType> = Vec::new();
    for t in raw.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        match MemberType::parse(t) {
            Some(mt) if !out.contains(&mt) => out.push(mt),
            Some(_) => {}
            None => e.add("member_types", "Choose member types from the list."),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mistake_is_named_beside_its_field() {
        let d = Draft {
            kind: "poster".into(),
            title: " ".into(),
            audience: "friends".into(),
            status: "live".into(),
            topics: vec!["knitting".into()],
            conditions: vec!["not-an-id".into()],
            member_types: vec!["wizard".into()],
            ..Default::default()
        };
        let e = validate(&d, false).unwrap_err();
        for f in ["kind", "title", "audience", "status", "topics", "conditions", "member_types"] {
            assert!(e.get(f).is_some(), "{f}: {e:?}");
        }
    }

    #[test]
    fn a_published_resource_needs_text_or_a_file() {
        let d = Draft {
            kind: "guide".into(),
            title: "T".into(),
            audience: "public".into(),
            status: "published".into(),
            ..Default::default()
        };
        assert!(validate(&d, false).unwrap_err().get("body").is_some());
        assert!(validate(&d, true).is_ok());
    }
}
