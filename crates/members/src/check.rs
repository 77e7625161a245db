//! Data invariants of the members slice, verified by `shn check`.

use kernel::db::{Backend, Db};
use kernel::params;

/// Each query counts rows that break one rule; the message says which rule.
const RULES: &[(&str, &str)] = &[
    (
        "SELECT COUNT(*) FROM members WHERE status = 'deleted' AND (email IS NOT NULL OR password_hash IS NOT NULL OR story <> '' OR avatar_file IS NOT NULL)",
        "deleted accounts still holding personal data",
    ),
    (
        "SELECT COUNT(*) FROM members WHERE status NOT IN ('active', 'suspended', 'deleted', 'guest_judge')",
        "accounts with an unknown status",
    ),
    (
        "SELECT COUNT(*) FROM members WHERE role NOT IN ('member', 'moderator', 'staff', 'admin')",
        "accounts with an unknown role",
    ),
    (
        "SELECT COUNT(*) FROM members WHERE member_type NOT IN ('patient', 'caregiver', 'healthcare_professional', 'advocate')",
        "accounts with an unknown member type",
    ),
    (
        "SELECT COUNT(*) FROM members WHERE email IS NOT NULL AND email <> LOWER(email)",
        "e-mail addresses not stored in lower case",
    ),
    (
        "SELECT COUNT(*) FROM members WHERE name_key <> LOWER(display_name)",
        "directory sort keys out of step with names",
    ),
    (
        "SELECT COUNT(*) FROM member_conditions mc JOIN members m ON m.id = mc.member_id WHERE mc.name_key <> m.name_key",
        "condition rows whose directory sort key is out of step with the member's name",
    ),
    (
        "SELECT COUNT(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = s.member_id AND m.status = 'active')",
        "sessions belonging to suspended, deleted or unknown accounts",
    ),
    (
        "SELECT COUNT(*) FROM members WHERE vis_conditions NOT IN ('public', 'members', 'private') OR vis_story NOT IN ('public', 'members', 'private') \
      OR vis_channels NOT IN ('public', 'members', 'private') OR vis_location NOT IN ('public', 'members', 'private') \
      OR vis_pronouns NOT IN ('public', 'members', 'private') OR vis_member_type NOT IN ('public', 'members', 'private') \
      OR vis_languages NOT IN ('public', 'members', 'private') OR vis_avatar NOT IN ('public', 'members', 'private')",
        "profile fields with an unknown visibility",
    ),
];

/// On SQLite, the trigram index of names and stories (m0011) is reached through a key per
/// member, which its triggers keep in step.
const SQLITE_RULES: &[(&str, &str)] = &[
    (
        "SELECT COUNT(*) FROM members m WHERE NOT EXISTS (SELECT 1 FROM member_text_keys k WHERE k.member_id = m.id)",
        "accounts missing from the name and story search index",
    ),
    (
        "SELECT COUNT(*) FROM member_text_keys k WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = k.member_id)",
        "search index keys of accounts that no longer exist",
    ),
];

/// Every broken rule, with how many rows break it.
pub async fn run(db: &Db) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let backend_rules = if db.backend() == Backend::Sqlite { SQLITE_RULES } else { &[] };
    for (sql, what) in RULES.iter().chain(backend_rules) {
        let n: i64 = db.scalar(sql, params![]).await?.unwrap_or(0);
        if n > 0 {
            problems.push(format!("members: {n} {what}"));
        }
    }
    Ok(problems)
}
