//! Resources and collections as the API shows them.

use chrono::{DateTime, Utc};
use contracts::members::MemberType;
use kernel::AppResult;
use kernel::db::Db;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::collections::CollectionRow;
use super::library::{self, ResourceRow, Tags};
use super::model::{Audience, Kind, Status};

/// A resource's file, downloaded from `url` as an attachment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourceFile)]
pub struct FileView {
    pub name: String,
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceView {
    pub id: Uuid,
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    pub audience: Audience,
    pub status: Status,
    /// Topic codes.
    pub topics: Vec<String>,
    /// Condition ids of the reference list.
    pub conditions: Vec<Uuid>,
    pub member_types: Vec<MemberType>,
    pub file: Option<FileView>,
    pub published_at: Option<DateTime<Utc>>,
    /// The resource's page.
    pub url: String,
}

pub fn view(r: ResourceRow, tags: Tags) -> ResourceView {
    let file = match (r.file_name.as_ref(), r.file_label, r.file_type) {
        (Some(_), Some(name), Some(content_type)) => Some(FileView {
            name,
            content_type,
            size: r.file_size.unwrap_or(0),
            url: format!("/resources/{}/file", r.id),
        }),
        _ => None,
    };
    ResourceView {
        kind: Kind::parse(&r.kind).unwrap_or(Kind::Guide),
        audience: Audience::parse(&r.audience).unwrap_or(Audience::Members),
        status: Status::parse(&r.status).unwrap_or(Status::Draft),
        url: format!("/resources/{}", r.id),
        id: r.id,
        title: r.title,
        summary: r.summary,
        body: r.body,
        topics: tags.topics,
        conditions: tags.conditions,
        member_types: tags.member_types,
        file,
        published_at: r.published_at,
    }
}

/// Views of `rows` with their tags, in one more query.
pub async fn views(db: &Db, rows: Vec<ResourceRow>) -> AppResult<Vec<ResourceView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut tags = library::tags_of(db.reader(), &ids).await?;
    Ok(rows.into_iter().map(|r| view(r.clone(), tags.remove(&r.id).unwrap_or_default())).collect())
}

/// A month's collection.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ResourceCollection)]
pub struct CollectionView {
    /// `yyyy-mm`.
    pub month: String,
    /// Markdown.
    pub intro: String,
    /// When it is (or will be) out; null for a draft (staff only see those).
    pub published_at: Option<DateTime<Utc>>,
    /// Its resources in order (for readers, only those they may open).
    pub items: Vec<ResourceView>,
    /// The collection's page.
    pub url: String,
}

pub fn collection_view(c: CollectionRow, items: Vec<ResourceView>) -> CollectionView {
    CollectionView {
        url: format!("/resources/collections/{}", c.month),
        month: c.month,
        intro: c.intro,
        published_at: c.publish_at,
        items,
    }
}
