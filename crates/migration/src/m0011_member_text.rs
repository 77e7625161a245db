//! Member search by any part of a name or story, at scale (bench/RESULTS.md).
//!
//! The directory's `q` matches a substring of a member's name or story. With no index for
//! that, a word few members use read every member. Both backends now index the text by
//! trigrams, which answer a substring of three characters or more:
//!
//! - SQLite: an FTS5 trigram table holding no copy of the text (contentless), whose rows
//!   are found through `member_text_keys` (a member's FTS5 row id; a plain `rowid` of
//!   `members` could change on `VACUUM`). Triggers keep it in step with every insert,
//!   change and removal of a member, erasure included. `secure-delete` removes a changed
//!   story's trigrams from the index itself, not only from what queries see.
//! - PostgreSQL: `pg_trgm` GIN indexes on the name and story keys (pg_trgm is a trusted
//!   extension shipped with PostgreSQL, so the database owner may create it).

use sea_orm_migration::prelude::*;

const SQLITE: &str = r#"
CREATE TABLE member_text_keys (id INTEGER PRIMARY KEY, member_id BLOB NOT NULL UNIQUE);
CREATE VIRTUAL TABLE member_text USING fts5(name_key, story_key, content = '', contentless_delete = 1, tokenize = 'trigram');
INSERT INTO member_text (member_text, rank) VALUES ('secure-delete', 1);
INSERT INTO member_text_keys (member_id) SELECT id FROM members;
INSERT INTO member_text (rowid, name_key, story_key)
    SELECT k.id, m.name_key, m.story_key FROM members m JOIN member_text_keys k ON k.member_id = m.id;
CREATE TRIGGER member_text_added AFTER INSERT ON members BEGIN
    INSERT INTO member_text_keys (member_id) VALUES (new.id);
    INSERT INTO member_text (rowid, name_key, story_key)
        VALUES ((SELECT id FROM member_text_keys WHERE member_id = new.id), new.name_key, new.story_key);
END;
CREATE TRIGGER member_text_changed AFTER UPDATE OF name_key, story_key ON members BEGIN
    DELETE FROM member_text WHERE rowid = (SELECT id FROM member_text_keys WHERE member_id = old.id);
    INSERT INTO member_text (rowid, name_key, story_key)
        VALUES ((SELECT id FROM member_text_keys WHERE member_id = new.id), new.name_key, new.story_key);
END;
CREATE TRIGGER member_text_removed AFTER DELETE ON members BEGIN
    DELETE FROM member_text WHERE rowid = (SELECT id FROM member_text_keys WHERE member_id = old.id);
    DELETE FROM member_text_keys WHERE member_id = old.id;
END
"#;

const POSTGRES: &str = r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX members_name_trigrams ON members USING GIN (name_key gin_trgm_ops);
CREATE INDEX members_story_trigrams ON members USING GIN (story_key gin_trgm_ops)
"#;

crate::per_backend_migration!(sqlite: SQLITE, postgres: POSTGRES);
