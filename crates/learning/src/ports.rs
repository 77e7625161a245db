//! The learning slice's implementation of `contracts::learning::Learning`: each method
//! asks the area that owns the answer.

use contracts::learning::{Learning, LearningHit, NewItem, ShownCredential};
use futures::future::BoxFuture;
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

pub(crate) struct LearningPort;

impl Learning for LearningPort {
    fn shown_credentials<'a>(
        &'a self,
        state: &'a AppState,
        member: MemberId,
    ) -> BoxFuture<'a, AppResult<Vec<ShownCredential>>> {
        Box::pin(crate::courses::shown_credentials(state, member))
    }

    fn search<'a>(
        &'a self,
        state: &'a AppState,
        viewer: &'a Viewer,
        q: &'a str,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<LearningHit>>> {
        Box::pin(async move {
            let mut hits = crate::courses::search(state, viewer, q, limit).await?;
            hits.extend(crate::resources::search(state, viewer, q, limit).await?);
            hits.extend(crate::articles::search(state, viewer, q, limit).await?);
            hits.truncate(limit as usize);
            Ok(hits)
        })
    }

    fn new_this_month<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<NewItem>>> {
        Box::pin(async move {
            let mut items = crate::resources::new_this_month(state, viewer).await?;
            items.extend(crate::articles::featured(state, viewer).await?);
            Ok(items)
        })
    }

    fn new_this_month_for_each<'a>(
        &'a self,
        state: &'a AppState,
        viewers: &'a [Viewer],
    ) -> BoxFuture<'a, AppResult<Vec<Vec<NewItem>>>> {
        Box::pin(async move {
            // Featured articles are published ones, the same for every reader.
            let featured = crate::articles::featured(state, &Viewer::Anonymous).await?;
            let mut each = crate::resources::new_this_month_for_each(state, viewers).await?;
            for items in &mut each {
                items.extend(featured.iter().cloned());
            }
            Ok(each)
        })
    }
}

/// Which of the resources and courses tagged with a moment a viewer may open
/// (`contracts::moments::TaggedContent`), by the same rules as the library and catalogue.
pub(crate) struct MomentContent;

#[derive(sea_orm::FromQueryResult)]
struct Tagged {
    id: uuid::Uuid,
    title: String,
    summary: String,
}

impl contracts::moments::TaggedContent for MomentContent {
    fn kinds(&self) -> &'static [&'static str] {
        &["resource", "course"]
    }

    fn visible<'a>(
        &'a self,
        state: &'a AppState,
        viewer: &'a Viewer,
        kind: &'a str,
        ids: &'a [uuid::Uuid],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<contracts::moments::ContentItem>>> {
        Box::pin(async move {
            let ids = &ids[..ids.len().min(200)];
            if ids.is_empty() {
                return Ok(vec![]);
            }
            let list = kernel::db::placeholders(2, ids.len());
            let (sql, path) = match kind {
                "resource" => (
                    format!(
                        "SELECT r.id, r.title, r.summary FROM resources r WHERE {} AND r.id IN ({list}) ORDER BY r.title LIMIT $1",
                        crate::resources::policy::may_open_sql(viewer, "r")
                    ),
                    "/resources",
                ),
                "course" => (
                    format!(
                        "SELECT c.id, c.title, c.summary FROM courses c WHERE {} AND c.id IN ({list}) \
                         ORDER BY c.title LIMIT $1",
                        crate::courses::policy::open_sql(viewer)
                    ),
                    "/courses",
                ),
                _ => return Ok(vec![]),
            };
            let mut values = kernel::params![limit as i64];
            values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
            let rows: Vec<Tagged> = state.db.all(&sql, values).await?;
            Ok(rows
                .into_iter()
                .map(|r| contracts::moments::ContentItem {
                    id: r.id,
                    href: format!("{path}/{}", r.id),
                    note: kernel::markdown::excerpt(&r.summary, 80),
                    title: r.title,
                })
                .collect())
        })
    }
}
