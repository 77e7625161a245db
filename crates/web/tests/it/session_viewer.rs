//! The kernel finds a request's session and its viewer in one statement, with columns
//! the members directory writes (`ViewerDirectory::columns_sql`); the directory's own
//! `load` answers the same question on its own. The two must agree for every kind of
//! account, or a session could act with standing its account no longer has.

use kernel::viewer::Role;

use crate::both_backends;
use crate::support::*;

both_backends![a_sessions_viewer_is_the_one_the_directory_loads_for_every_kind_of_account];

async fn status_of(browser: &reqwest::Client, app: &TestApp, path: &str) -> u16 {
    browser.get(app.url(path)).send().await.unwrap().status().as_u16()
}

async fn a_sessions_viewer_is_the_one_the_directory_loads_for_every_kind_of_account(app: &TestApp) {
    let ana = app.member().named("Ana").with_password().create().await;
    let browser = ana.browser(app).await;
    let load = || async { app.state.viewers.load(&app.state.db, ana.id).await.unwrap() };

    // An active member: both see the member; neither gives staff standing.
    assert_eq!(status_of(&browser, app, "/moments").await, 200);
    assert_eq!(status_of(&browser, app, "/admin").await, 404);
    let loaded = load().await.expect("an active member loads");
    assert_eq!((loaded.display_name.as_str(), loaded.role), ("Ana", Role::Member));

    // Made staff: the same session has staff standing at once, as `load` says.
    app.set_role(ana.id, "staff").await;
    assert_eq!(status_of(&browser, app, "/admin").await, 200);
    assert_eq!(load().await.expect("still loads").role, Role::Staff);

    // Suspended, or with an address no longer verified: neither path finds a member.
    for (change, back) in [
        ("UPDATE members SET status = 'suspended' WHERE id = $1", "UPDATE members SET status = 'active' WHERE id = $1"),
        (
            "UPDATE members SET email_verified_at = NULL WHERE id = $1",
            "UPDATE members SET email_verified_at = created_at WHERE id = $1",
        ),
    ] {
        app.exec(change, kernel::params![ana.id]).await;
        assert_eq!(status_of(&browser, app, "/moments").await, 303, "{change}: sent to log in");
        assert_eq!(status_of(&browser, app, "/admin").await, 404, "{change}");
        assert!(load().await.is_none(), "{change}");
        app.exec(back, kernel::params![ana.id]).await;
        assert_eq!(status_of(&browser, app, "/moments").await, 200, "{back}");
    }
}
