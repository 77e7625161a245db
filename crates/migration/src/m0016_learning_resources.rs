//! The learning slice's advocacy resources (issue 17): the library (guides, toolkits,
//! templates and checklists, each Markdown and/or an uploaded file), its tags by topic,
//! condition and member type, and the monthly collections with their ordered items.
//! Condition ids are the members slice's, kept as text without a foreign key: slices
//! never reach into each other's tables.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE resources (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT 'members',
    status TEXT NOT NULL DEFAULT 'draft',
    search_text TEXT NOT NULL DEFAULT '',
    file_name TEXT,
    file_label TEXT,
    file_type TEXT,
    file_size BIGINT,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ
);
CREATE INDEX resources_by_publication ON resources (status, published_at, id);

CREATE TABLE resource_tags (
    resource_id UUID NOT NULL REFERENCES resources (id),
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (resource_id, facet, value)
);
CREATE INDEX resource_tags_by_value ON resource_tags (facet, value, resource_id);

CREATE TABLE resource_collections (
    id UUID PRIMARY KEY,
    month TEXT NOT NULL UNIQUE,
    intro TEXT NOT NULL DEFAULT '',
    publish_at TIMESTAMPTZ,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE resource_collection_items (
    collection_id UUID NOT NULL REFERENCES resource_collections (id),
    resource_id UUID NOT NULL REFERENCES resources (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (collection_id, resource_id)
);
CREATE INDEX resource_collection_items_in_order ON resource_collection_items (collection_id, position);
"#;

crate::portable_migration!(UP);
