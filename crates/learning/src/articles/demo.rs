//! Demo articles: four published by demo members (the first featured), one in review
//! with an editor's inline comment, and a draft of the demo member's own.

use chrono::Duration;
use kernel::AppState;
use kernel::ids::MemberId;
use kernel::slice::DemoPeople;
use kernel::time::now;
use kernel::viewer::{Member, Role, Viewer};
use uuid::Uuid;

use super::drafting::{self, ArticleInput};
use super::editorial::{self, NewComment, StatusChange};

const PUBLISHED: &[(&str, &str)] = &[
    (
        "What my first year with type 1 diabetes taught me",
        "The day I was diagnosed I thought my life had shrunk to a set of numbers.\n\nA year on, the numbers are still there, but so is everything else: work, friends, long walks, and a community of people who get it.\n\nHere are the three things I wish someone had told me in the first week, and the one thing I would tell my doctor if I could go back.\n\n**Ask for the education session early.** It changed how I read every number after it.",
    ),
    (
        "Caring for a parent with dementia, without losing yourself",
        "Nobody hands you a manual when you become a carer.\n\nI learned to ask for help, to accept it, and to keep one evening a week that belongs to me alone.\n\nIf you are new to this, start with your local carers' centre: they know the forms, the grants and the people.",
    ),
    (
        "How I talk to my team about living with asthma",
        "Telling colleagues about a long-term condition is a choice, not a duty.\n\nI chose to, and I prepared three sentences: what it is, what they might notice, and what helps.\n\nIt took five minutes and saved me years of explaining.",
    ),
    (
        "Five questions to bring to your next appointment",
        "Appointments are short. Write your questions down before you go.\n\n1. What are my options?\n2. What happens if I wait?\n3. What are the side effects that matter?\n4. Who do I call if things change?\n5. Where can I read more?",
    ),
];

const IN_REVIEW: (&str, &str) = (
    "Advocacy on a budget: campaigning from your kitchen table",
    "You do not need a big organisation to change a policy.\n\nI started with a letter to my local representative and a hashtag.\n\nWithin a year our group had met the health committee twice.",
);

fn as_member(id: MemberId) -> Viewer {
    Viewer::Member(Member { id, display_name: String::new(), role: Role::Member, health_leader: false })
}

async fn write(state: &AppState, author: MemberId, (title, body): (&str, &str)) -> anyhow::Result<Uuid> {
    let id = drafting::create(state, author, &ArticleInput { title: title.into(), body: body.into() }).await?;
    drafting::submit(state, &as_member(author), id).await?;
    Ok(id)
}

async fn move_to(state: &AppState, editor: MemberId, id: Uuid, status: &str, comment: &str) -> anyhow::Result<()> {
    let change = StatusChange { status: status.into(), comment: Some(comment.into()), publish_at: None };
    editorial::set_status(state, editor, id, &change).await?;
    Ok(())
}

pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let editor = people.admin()?;
    let authors: Vec<MemberId> = people.member_ids.iter().copied().filter(|m| *m != editor).collect();
    if authors.is_empty() {
        return Ok(());
    }
    for (i, article) in PUBLISHED.iter().enumerate() {
        let author = authors[(i + 1) % authors.len()];
        let id = write(state, author, *article).await?;
        move_to(state, editor, id, "in_review", "").await?;
        move_to(state, editor, id, "published", "Lovely piece, thank you.").await?;
        if i == 0 {
            move_to(state, editor, id, "featured", "").await?;
        }
        // Spread the demo over the last weeks, so the list reads like a real one.
        let at = now() - Duration::days(3 * i as i64 + 1);
        state
            .db
            .exec("UPDATE articles SET published_at = $1, updated_at = $1 WHERE id = $2", kernel::params![at, id])
            .await?;
    }
    let id = write(state, authors[0], IN_REVIEW).await?;
    move_to(state, editor, id, "in_review", "").await?;
    let comment = NewComment { body: "Could you name the committee and the year?".into(), paragraph: Some(3) };
    editorial::comment(state, editor, id, &comment).await?;
    let draft =
        ArticleInput { title: "My story, in progress".into(), body: "A draft only I and the editors can see.".into() };
    drafting::create(state, authors[0], &draft).await?;
    Ok(())
}
