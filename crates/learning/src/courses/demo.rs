//! Demo courses: an open course on telling your story (with a captioned video, a
//! download and a quiz) that the demo member has started, and a cohort course on
//! speaking to decision-makers with an enrolment window and a seat cap.

use chrono::{Duration, Utc};
use kernel::AppState;
use kernel::slice::DemoPeople;
use kernel::viewer::{Member, Role, Viewer};

use super::builder::{self, FileLink, NewCohort, NewCourse, NewLesson, NewModule, NewOption, NewQuestion, NewQuiz};

fn lesson(title: &str, body: &str) -> NewLesson {
    NewLesson { title: title.into(), body: body.into(), ..Default::default() }
}

fn question(text: &str, explanation: &str, options: &[(&str, bool)]) -> NewQuestion {
    NewQuestion {
        text: text.into(),
        explanation: explanation.into(),
        options: options.iter().map(|(t, c)| NewOption { text: (*t).into(), correct: *c }).collect(),
    }
}

fn storytelling() -> NewCourse {
    let mut video = lesson(
        "Why your story matters",
        "Decision-makers remember **people**, not statistics. In this lesson you will see how one story changed a clinic's opening hours.",
    );
    video.video_url = Some("https://media.example.org/courses/story/why.mp4".into());
    video.captions_url = Some("https://media.example.org/courses/story/why.vtt".into());
    video.transcript =
        Some("Welcome. My name is Rosa, and three years ago I told my story to a hospital board…".into());
    let mut worksheet = lesson(
        "Find your one message",
        "Write your story in three sentences: what happened, what it meant, what should change.",
    );
    worksheet.files = vec![FileLink {
        label: "Story worksheet (PDF)".into(),
        url: "https://media.example.org/courses/story/worksheet.pdf".into(),
    }];
    NewCourse {
        title: "Telling your story".into(),
        summary: "Turn your experience into a short, powerful story that moves people to act.".into(),
        credential: Some("storytelling-101".into()),
        modules: vec![
            NewModule { title: "Your story".into(), lessons: vec![video, worksheet] },
            NewModule {
                title: "Sharing it".into(),
                lessons: vec![
                    lesson(
                        "Choosing where to share",
                        "A support group, a local paper, a board meeting: each asks for a different length.",
                    ),
                    lesson(
                        "Staying safe online",
                        "Decide in advance what you keep private: your **diagnosis date**, your address, your children's names.",
                    ),
                ],
            },
        ],
        quiz: Some(NewQuiz {
            pass_mark: 0.5,
            max_attempts: Some(3),
            questions: vec![
                question(
                    "What do decision-makers remember best?",
                    "Stories about people stay with us far longer than numbers.",
                    &[("Statistics", false), ("A person's story", true)],
                ),
                question(
                    "Which details might you keep private?",
                    "Both can identify you; share only what you choose.",
                    &[("Your address", true), ("Your children's names", true), ("Your main message", false)],
                ),
            ],
        }),
        ..Default::default()
    }
}

fn speaking() -> NewCourse {
    NewCourse {
        title: "Speaking to decision-makers".into(),
        summary:
            "A four-week cohort: prepare, practise and deliver a three-minute testimony, with feedback from peers."
                .into(),
        credential: Some("advocacy-201".into()),
        modules: vec![NewModule {
            title: "Preparing your testimony".into(),
            lessons: vec![
                lesson("Know your audience", "Find out who sits on the committee and what they care about."),
                lesson("Three minutes, one ask", "End with **one** clear request."),
            ],
        }],
        quiz: Some(NewQuiz {
            pass_mark: 1.0,
            max_attempts: None,
            questions: vec![question(
                "How many asks should a testimony end with?",
                "One clear ask is easier to act on.",
                &[("One", true), ("Three", false)],
            )],
        }),
        cohort: Some(NewCohort {
            opens_at: Utc::now() - Duration::days(2),
            closes_at: Utc::now() + Duration::days(28),
            seats: 12,
        }),
        ..Default::default()
    }
}

pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let admin = people.admin()?;
    let story = match builder::create(state, admin, &storytelling()).await {
        Ok(id) => id,
        // A second demo load finds its courses already there.
        Err(kernel::AppError::Validation(_)) => return Ok(()),
        Err(e) => return Err(anyhow::anyhow!("demo course: {e}")),
    };
    builder::create(state, admin, &speaking()).await.map_err(|e| anyhow::anyhow!("demo course: {e}"))?;
    let Some(&demo_member) = people.member_ids.first() else { return Ok(()) };
    let viewer = Viewer::Member(Member {
        id: demo_member,
        display_name: "Demo".into(),
        role: Role::Member,
        health_leader: false,
    });
    super::enrolment::enrol(state, &viewer, story).await.map_err(|e| anyhow::anyhow!("demo enrolment: {e}"))?;
    let content = super::catalogue::content(state.db.reader(), story).await?;
    for l in content.lessons().take(2) {
        super::lessons::complete(state, &viewer, l.id).await.map_err(|e| anyhow::anyhow!("demo progress: {e}"))?;
    }
    Ok(())
}
