//! The moment home (`contracts::moments::MomentHome`): for each moment the member is in
//! now, what fits it (tagged resources, courses, discussions, upcoming events) and
//! people who have been there.

use contracts::moments::{ContentItem, HomeSection, MomentHome};
use futures::future::BoxFuture;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

use crate::{been_there, marks, model, tags};

pub(crate) struct Home;

impl MomentHome for Home {
    fn sections<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<HomeSection>>> {
        Box::pin(async move {
            let Some(me) = viewer.member() else { return Ok(vec![]) };
            let now = marks::now_of(&state.db, me.id).await?;
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::new();
            for mark in now.iter().filter(|m| seen.insert(m.moment_id.clone())).take(3) {
                let moment = mark.moment_id.as_str();
                let mut items = Vec::new();
                for (kind, _) in tags::KINDS {
                    items.extend(tags::content(state, viewer, moment, kind, 3).await?);
                }
                let people = been_there::find(state, viewer, moment, mark.condition_id).await?;
                items.extend(people.into_iter().take(3).map(|p| ContentItem {
                    id: p.member_id.0,
                    title: p.display_name,
                    href: format!("/members/{}", p.member_id),
                    note: "has been there".into(),
                }));
                items.push(ContentItem {
                    id: uuid::Uuid::nil(),
                    title: "Everyone who has been there".into(),
                    href: format!("/been-there?moment={moment}"),
                    note: "and ask for support".into(),
                });
                out.push(HomeSection { heading: format!("For your moment: {}", model::label(moment)), items });
            }
            Ok(out)
        })
    }
}

/// Content ids by moment, for the other areas' list filters.
pub(crate) struct Tagging;

impl contracts::moments::MomentTagging for Tagging {
    fn moments(&self) -> Vec<(String, String)> {
        model::MOMENTS.iter().map(|(k, l, _)| (k.to_string(), l.to_string())).collect()
    }

    fn tagged_ids<'a>(
        &'a self,
        state: &'a AppState,
        kind: &'a str,
        moment: &'a str,
    ) -> BoxFuture<'a, AppResult<Vec<uuid::Uuid>>> {
        Box::pin(async move { tags::ids(state, kind, moment).await })
    }

    fn tags_of<'a>(
        &'a self,
        c: kernel::db::Conn<'a>,
        kind: &'a str,
        ids: &'a [uuid::Uuid],
    ) -> BoxFuture<'a, Result<Vec<String>, sea_orm::DbErr>> {
        Box::pin(async move { tags::of_any(&c, kind, ids).await })
    }

    fn replace<'a>(
        &'a self,
        c: kernel::db::Conn<'a>,
        kind: &'a str,
        id: uuid::Uuid,
        moments: &'a [String],
        by: kernel::ids::MemberId,
    ) -> BoxFuture<'a, Result<(), sea_orm::DbErr>> {
        Box::pin(async move { tags::replace(&c, kind, id, moments, Some(by)).await })
    }
}
