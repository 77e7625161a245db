//! The learning slice's articles (issue 17): drafts, the editorial workflow and its comments, images, publication.
//!
//! `published_at` and `featured_at` are set the first time an article is published or
//! featured and never cleared: they are what makes the points for each exactly once
//! (a re-publish after featuring finds them set and publishes no event).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE articles (
    id UUID PRIMARY KEY,
    author_id UUID NOT NULL,
    title TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'in_review', 'changes_requested', 'scheduled', 'published', 'featured')),
    publish_at TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    featured_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX articles_by_status ON articles (status, updated_at, id);
-- The public lists (newest first, search, feeds) walk this in order and stop at their limit.
CREATE INDEX articles_public ON articles (published_at, id) WHERE status IN ('published', 'featured');
CREATE INDEX articles_by_author ON articles (author_id, updated_at);

CREATE TABLE article_comments (
    id UUID PRIMARY KEY,
    article_id UUID NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id UUID NOT NULL,
    paragraph BIGINT,
    status_change TEXT,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX article_comments_by_article ON article_comments (article_id, created_at);
CREATE INDEX article_comments_by_author ON article_comments (author_id);

CREATE TABLE article_images (
    id UUID PRIMARY KEY,
    article_id UUID NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    file TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX article_images_by_article ON article_images (article_id)
"#;

crate::portable_migration!(UP);
