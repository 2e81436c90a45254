//! Issue 5's journey as one story, from outside over HTTP: a platform admin creates a tenant,
//! its provisioning job runs, its admin accepts the emailed invitation and invites a member,
//! the member reads but cannot write, a role change and a removal end sessions at once, a
//! suspension blocks writes, and a deletion ends in a purge that keeps the audit trail.
use journeys::session::Session;
use journeys::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

async fn signed_in(app: &TestApp, email: &str, password: &str) -> Session {
    let mut s = Session::new();
    let reply = s.post(app, "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
    assert_eq!(reply.status, 200, "{email} signs in: {}", reply.text);
    s
}

async fn accept(app: &TestApp, to: &str, name: &str) -> Value {
    let token = app.token_from_email(to).await;
    let reply = app.post_json("/api/v1/invitations/accept", &json!({"token": token, "name": name, "password": PASSWORD})).await;
    assert_eq!(reply.status, 200, "{to} accepts: {}", reply.text);
    reply.json()
}

#[tokio::test]
async fn a_tenant_is_provisioned_staffed_suspended_deleted_and_purged_with_its_trail_kept() {
    let app = spawn_app().await;
    let mut admin = signed_in(&app, "admin@dotmac.local", "admin-password-for-tests").await;
    let plan = store::repo::plans::free(app.platform.state.store.as_ref(), app.platform.state.clock.now()).await.unwrap();

    // An admin creates a tenant: it waits in `provisioning`
    let created = admin
        .post(&app, "/api/v1/admin/tenants", &json!({"name": "Globex", "slug": "globex", "plan_id": plan.id, "admin_email": "hank@globex.example"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let tenant_id = created.json()["id"].as_str().unwrap().to_string();
    let tenant_path = format!("/api/v1/admin/tenants/{tenant_id}");
    assert_eq!(created.json()["status"], "provisioning");

    // The provisioning job runs: the tenant is active and its admin is invited by email
    assert_eq!(app.post_json("/dev/jobs/run", &json!({})).await.status, 200);
    assert_eq!(admin.get(&app, &tenant_path).await.json()["status"], "active");
    let accepted = accept(&app, "hank@globex.example", "Hank").await;
    assert_eq!(accepted["tenant_id"], tenant_id.as_str());
    let mut owner = signed_in(&app, "hank@globex.example", PASSWORD).await;
    assert_eq!(owner.get(&app, "/api/v1/me").await.json()["role"], "tenant_admin");

    // The tenant admin invites a member, who accepts and signs in
    let invited = owner.post(&app, "/api/v1/tenant/invitations", &json!({"email": "marge@globex.example", "role": "tenant_member"})).await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    accept(&app, "marge@globex.example", "Marge").await;
    let mut member = signed_in(&app, "marge@globex.example", PASSWORD).await;
    let team = member.get(&app, "/api/v1/tenant/members").await;
    assert_eq!(team.status, 200, "{}", team.text);
    let names: Vec<String> = team.json()["data"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_string()).collect();
    assert!(names.contains(&"Hank".to_string()) && names.contains(&"Marge".to_string()), "{names:?}");
    let member_id = member.get(&app, "/api/v1/me").await.json()["id"].as_str().unwrap().to_string();

    // The member reads but cannot invite
    let refused = member.post(&app, "/api/v1/tenant/invitations", &json!({"email": "bart@globex.example", "role": "tenant_member"})).await;
    assert_eq!((refused.status, refused.error().1.as_str()), (403, "insufficient_role"));

    // A role change ends the member's sessions at once
    let promoted = owner
        .request(&app, Method::PATCH, &format!("/api/v1/tenant/members/{member_id}"), Some(&json!({"role": "tenant_admin"})))
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    assert_eq!(member.get(&app, "/api/v1/me").await.status, 401, "the old token died with its session");
    let mut member = signed_in(&app, "marge@globex.example", PASSWORD).await;
    assert_eq!(member.get(&app, "/api/v1/me").await.json()["role"], "tenant_admin");

    // A removal ends them too, and the removed member cannot sign in
    let removed = owner.request(&app, Method::DELETE, &format!("/api/v1/tenant/members/{member_id}"), None).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(member.get(&app, "/api/v1/me").await.status, 401);
    let login = Session::new().post(&app, "/api/v1/auth/login", &json!({"email": "marge@globex.example", "password": PASSWORD})).await;
    assert_ne!(login.status, 200, "{}", login.text);

    // A suspension blocks every write and leaves reads
    let suspended = admin.post(&app, &format!("{tenant_path}/suspend"), &json!({"reason": "unpaid invoices"})).await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    assert_eq!(owner.get(&app, "/api/v1/tenant/members").await.status, 200);
    let blocked = owner.post(&app, "/api/v1/tenant/invitations", &json!({"email": "lisa@globex.example", "role": "tenant_member"})).await;
    assert_eq!((blocked.status, blocked.error().1.as_str()), (403, "tenant_suspended"));
    assert_eq!(admin.post(&app, &format!("{tenant_path}/reactivate"), &json!({})).await.status, 200);

    // Delete, restore, delete: then the retention passes and the purge runs
    assert_eq!(admin.request(&app, Method::DELETE, &tenant_path, None).await.status, 200);
    assert_eq!(admin.post(&app, &format!("{tenant_path}/restore"), &json!({})).await.status, 200);
    assert_eq!(admin.get(&app, &tenant_path).await.json()["status"], "active");
    assert_eq!(admin.request(&app, Method::DELETE, &tenant_path, None).await.status, 200);
    assert_eq!(app.post_json("/dev/clock", &json!({"advance_seconds": 31 * 86_400})).await.status, 200);
    // The admin's own session is older than the jump; sign in again at the new time.
    let mut admin = signed_in(&app, "admin@dotmac.local", "admin-password-for-tests").await;
    let ran = app.post_json("/dev/jobs/run", &json!({})).await.json();
    assert!(ran["ran"].as_array().unwrap().contains(&json!("tenant-purge")), "{ran}");
    let gone = admin.get(&app, &tenant_path).await;
    assert_eq!((gone.status, gone.error().1.as_str()), (404, "not_found"));

    // The audit trail is kept, purge included
    let id = domain::ids::TenantId::parse(&tenant_id).unwrap();
    let trail = app
        .platform
        .state
        .store
        .query(store::ports::item_store::Query::table(store::repo::keys::audit_pk(Some(&id))).limit(1000))
        .await
        .unwrap();
    let actions: Vec<String> = trail.items.iter().filter_map(|i| i.get_str("action").map(String::from)).collect();
    for action in ["tenant.created", "tenant.suspended", "tenant.deleted", "tenant.restored", "tenant.purged"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
}
