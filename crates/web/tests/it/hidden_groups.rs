//! Hidden groups and staff, decided once (`community::policy::group_read`): staff and
//! admins know every hidden group on every surface — its page, its API entry, the group
//! list and search — but read its discussions only as its members; anyone else outside
//! it sees nothing of it at all.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![hidden_groups_are_known_to_staff_on_every_surface_and_to_no_other_outsider];

async fn hidden_groups_are_known_to_staff_on_every_surface_and_to_no_other_outsider(app: &TestApp) {
    let group = app.group().named("Quiet harbour").described("A circle for kestrels").hidden().create().await;
    let hidden = group.id.clone();
    let insider = app.member().create().await;
    let Member { id: member_id, token: member, .. } = &insider;
    let outsider = &app.member().create().await.token;
    let other_staff = &app.staff_member().create().await.token;
    let admin = &app.member().admin().create().await.token;
    // Hidden groups are joined by invitation; the member is added directly.
    app.exec("INSERT INTO group_members (group_id, member_id, role, status, created_at) VALUES ($1, $2, 'member', 'active', $3)", kernel::params![uuid::Uuid::parse_str(&hidden).unwrap(), *member_id, chrono::Utc::now()]).await;
    let thread = group.thread(app, &insider, "Osprey worries", "Only for us: ptarmigan").await;
    let leaks = |text: &str| text.contains("Osprey") || text.contains("ptarmigan");

    let get = |path: String, who: Option<String>| async move { app.send("GET", &path, &who).await };
    let surfaces_naming_it = |id: &str| {
        vec![
            format!("/groups/{id}"),
            format!("/api/v1/groups/{id}"),
            "/groups".to_string(),
            "/api/v1/groups".to_string(),
            "/api/v1/search?q=harbour".to_string(),
            "/search?q=harbour".to_string(),
            "/api/v1/search?q=kestrels".to_string(),
        ]
    };
    let content_surfaces = [
        format!("/groups/{hidden}"),
        format!("/api/v1/groups/{hidden}/threads"),
        format!("/api/v1/threads/{thread}"),
        format!("/threads/{thread}"),
        "/api/v1/search?q=worries".to_string(),
        "/search?q=worries".to_string(),
        "/api/v1/feed".to_string(),
    ];

    // Staff and admins outside the group: they know it everywhere, and read none of it.
    for (who, token) in [("staff", other_staff), ("admin", admin)] {
        for path in surfaces_naming_it(&hidden) {
            let (status, text) = get(path.clone(), Some(token.clone())).await;
            assert_eq!(status, 200, "{who} on {path}: {text}");
            assert!(text.contains("Quiet harbour"), "{who} finds the hidden group on {path}: {text}");
        }
        for path in &content_surfaces {
            let (_, text) = get(path.clone(), Some(token.clone())).await;
            assert!(!leaks(&text), "{who} reads nothing of a hidden group they are not in, on {path}");
        }
        let (s, _) = app.try_reply(token, &thread, json!({"body": "x"})).await;
        assert_eq!(s, 404, "{who} cannot reply to a thread they cannot read");
    }
    // A member outside the group, and a visitor: nothing at all, on every surface.
    for (who, token) in [("outsider", Some(outsider.clone())), ("visitor", None)] {
        for path in surfaces_naming_it(&hidden) {
            let (status, text) = get(path.clone(), token.clone()).await;
            assert!(!text.contains("Quiet harbour") && !text.contains("kestrels"), "{who} on {path}: {text}");
            if path.contains(&hidden) {
                assert_eq!(status, 404, "{who}: a hidden group does not exist for outsiders ({path})");
            }
        }
        for path in &content_surfaces {
            let (_, text) = get(path.clone(), token.clone()).await;
            assert!(!leaks(&text), "{who} on {path}");
        }
    }
    // Its member knows it and reads it.
    for path in surfaces_naming_it(&hidden) {
        let (status, text) = get(path.clone(), Some(member.clone())).await;
        assert_eq!(status, 200, "{path}");
        assert!(text.contains("Quiet harbour"), "the member on {path}");
    }
    let (_, text) = get(format!("/api/v1/groups/{hidden}/threads"), Some(member.clone())).await;
    assert!(leaks(&text), "members read their hidden group: {text}");
    let (_, text) = get("/api/v1/search?q=worries".into(), Some(member.clone())).await;
    assert!(leaks(&text), "members find their hidden group's discussions: {text}");
}
