//! Who may see (and register for) an event.
//!
//! **The rule.** Staff and admins see every event (they run them); anyone else sees an
//! event whose audience is `public`; a signed-in member also sees `members` events; a
//! Health Leader also sees `health_leaders` events; a member of a group (an active
//! membership) also sees that group's `group` events. An unknown audience is seen by
//! staff alone. Registering changes nothing: a registration neither grants sight of an
//! event nor keeps it once the audience no longer includes the member.
//!
//! The rule is here twice, side by side: [`can_view`] for one event (its page, the API,
//! registering, conference agendas) and [`can_view_sql`] for lists filtered in the
//! database. `tests/audience_agreement.rs` proves they agree for every kind of viewer,
//! audience and registration on SQLite and PostgreSQL.

use uuid::Uuid;

/// What decides which events someone may see: who they are and which groups they are in.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub signed_in: bool,
    pub health_leader: bool,
    pub staff: bool,
    /// The groups the reader is an active member of.
    pub groups: Vec<Uuid>,
}

/// Whether `r` may see an event shown to `audience` (and, for the `group` audience, to
/// the members of `group`).
pub fn can_view(r: &Reader, audience: &str, group: Option<Uuid>) -> bool {
    r.staff
        || match audience {
            "public" => true,
            "members" => r.signed_in,
            "health_leaders" => r.health_leader,
            "group" => group.is_some_and(|g| r.groups.contains(&g)),
            _ => false,
        }
}

/// [`can_view`] as an SQL condition on the `events` row aliased `e`. `bind` takes a value
/// and returns the placeholder it is bound to (the reader's group ids are bound, not
/// written into the text).
pub fn can_view_sql(r: &Reader, e: &str, bind: &mut dyn FnMut(sea_orm::Value) -> String) -> String {
    if r.staff {
        return "1 = 1".to_string();
    }
    let mut open = vec!["'public'"];
    if r.signed_in {
        open.push("'members'");
    }
    if r.health_leader {
        open.push("'health_leaders'");
    }
    let cond = format!("{e}.audience IN ({})", open.join(", "));
    if r.groups.is_empty() {
        return cond;
    }
    let ids = r.groups.iter().map(|g| bind((*g).into())).collect::<Vec<_>>().join(", ");
    format!("({cond} OR ({e}.audience = 'group' AND {e}.group_id IN ({ids})))")
}
