//! Data invariants of the members slice, verified by `shn check`.

use kernel::db::Db;
use kernel::params;

/// Each query counts rows that break one rule; the message says which rule.
const RULES: &[(&str, &str)] = &[
    (
        "SELECT COUNT(*) FROM members WHERE status = 'deleted' AND (email IS NOT NULL OR password_hash IS NOT NULL OR story <> '' OR avatar_file IS NOT NULL)",
        "deleted accounts still holding personal data",
    ),
    (
        "SELECT COUNT(*) FROM members WHERE status NOT IN ('active', 'suspended', 'deleted')",
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

/// Every broken rule, with how many rows break it.
pub async fn run(db: &Db) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for (sql, what) in RULES {
        let n: i64 = db.scalar(sql, params![]).await?.unwrap_or(0);
        if n > 0 {
            problems.push(format!("members: {n} {what}"));
        }
    }
    Ok(problems)
}
