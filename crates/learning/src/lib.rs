//! The learning slice: the free half of the network's promise. Online courses (modules,
//! lessons with captioned videos, quizzes, cohorts with seats and a waitlist) that end
//! in a certificate anyone can verify and a credential opportunities may require
//! (`courses`); the library of advocacy resources published as a monthly collection
//! (`resources`); and article features written by Health Leaders, through an editorial
//! workflow to a public page and an Atom feed (`articles`).

mod articles;
mod courses;
mod ports;
mod resources;

/// The articles' access rule, for its agreement test (`tests/articles_policy.rs`).
pub use articles::policy as articles_policy;
/// The resources' access rule, for its agreement test (`tests/resources_policy.rs`).
pub use resources::policy as resource_policy;

use std::sync::Arc;

use kernel::slice::Slice;

/// The learning slice's manifest.
pub fn slice() -> Slice {
    Slice::new("learning")
        .nav(45, "Learn", "/learn")
        .console(45, "Courses", "/admin/courses", "Build courses, lessons and quizzes; cohorts and seats.")
        .console(46, "Advocacy resources", "/admin/resources", "The resource library and each month's collection.")
        .console(
            47,
            "Editorial queue",
            "/admin/articles",
            "Review, comment on, schedule, publish and feature articles.",
        )
        .routes(courses::web_router)
        .routes(courses::api_router)
        .openapi(courses::openapi)
        .routes(resources::web_router)
        .routes(resources::api_router)
        .openapi(resources::openapi)
        .routes(articles::web_router)
        .routes(articles::api_router)
        .openapi(articles::openapi)
        .job::<articles::PublishScheduled>()
        .demo(|state, people| {
            Box::pin(async move {
                courses::demo(state, people).await?;
                resources::demo(state, people).await?;
                articles::demo(state, people).await
            })
        })
        .wire(|w| {
            w.provide::<Arc<dyn contracts::learning::Learning>>(Arc::new(ports::LearningPort));
            w.provide(contracts::moments::LearningContent(Arc::new(ports::MomentContent)));
            courses::wire(w)?;
            resources::wire(w)?;
            articles::wire(w)
        })
}
