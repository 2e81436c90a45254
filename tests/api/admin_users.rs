//! Platform admins manage users over HTTP: list with filters and pages, invite by email,
//! edit and change role (sessions end at once), disable (sessions end, sign-in refused) and
//! enable; and the audit trail, for the platform and for one tenant's admins.
use journeys::session::Session;
use journeys::{Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use domain::ids::{TenantId, UserId};
use domain::user::Role;

const ADMIN_EMAIL: &str = "admin@dotmac.local";
const ADMIN_PASSWORD: &str = "admin-password-for-tests";
const PASSWORD: &str = "correct horse battery staple";

/// A caller with an access token, speaking JSON with `Authorization: Bearer`.
struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Api<'a> {
    async fn login(app: &'a TestApp, email: &str, password: &str) -> Api<'a> {
        let mut s = Session::new();
        let reply = s.post(app, "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
        assert_eq!(reply.status, 200, "{email} signs in: {}", reply.text);
        Api { app, token: s.cookie("dm_access").unwrap().to_string() }
    }

    async fn admin(app: &'a TestApp) -> Api<'a> {
        Api::login(app, ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.app.client.request(method, self.app.url(path)).bearer_auth(&self.token)
    }

    async fn get(&self, path: &str) -> Reply {
        self.app.send(self.request(Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: &Value) -> Reply {
        self.app.send(self.request(Method::POST, path).json(body)).await
    }

    async fn patch(&self, path: &str, body: &Value, if_match: Option<&str>) -> Reply {
        let mut request = self.request(Method::PATCH, path).json(body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        self.app.send(request).await
    }

    async fn me(&self) -> Value {
        let reply = self.get("/api/v1/me").await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()
    }

    /// Every item of a list, page by page at `limit`; asserts the pages hold no repeats.
    async fn all(&self, path: &str, limit: usize) -> Vec<Value> {
        let (mut items, mut cursor) = (Vec::new(), None::<String>);
        let sep = if path.contains('?') { '&' } else { '?' };
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
                None => format!("{path}{sep}limit={limit}"),
            };
            let reply = self.get(&url).await;
            assert_eq!(reply.status, 200, "{url}: {}", reply.text);
            let page = reply.json();
            let data = page["data"].as_array().unwrap().clone();
            assert!(data.len() <= limit);
            items.extend(data);
            match page["next_cursor"].as_str() {
                Some(next) => {
                    assert_eq!(page["has_more"], true);
                    cursor = Some(next.to_string());
                }
                None => {
                    assert_eq!(page["has_more"], false);
                    break;
                }
            }
        }
        let mut ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), items.len(), "a page repeated an item");
        items
    }
}

/// A verified user made directly in the store (as an accepted invitation would make it).
async fn user_in_store(app: &TestApp, name: &str, email: &str, role: Role, tenant: Option<&TenantId>) -> UserId {
    app.user_in_store(name, email, PASSWORD, role, tenant).await
}

/// Signs up a tenant admin; answers their API handle and tenant.
async fn tenant_admin<'a>(app: &'a TestApp, email: &str) -> (Api<'a>, TenantId) {
    let session = app.signed_up(email, PASSWORD).await;
    let api = Api { app, token: session.cookie("dm_access").unwrap().to_string() };
    let tenant = TenantId::parse(api.me().await["tenant_id"].as_str().unwrap()).unwrap();
    (api, tenant)
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

fn code(reply: &Reply) -> (u16, String) {
    (reply.status, reply.error().1)
}

fn field(reply: &Reply) -> Value {
    reply.json()["error"]["field"].clone()
}

async fn advance(app: &TestApp, seconds: i64) -> String {
    let reply = app.post_json("/dev/clock", &json!({"advance_seconds": seconds})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["now"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_platform_admin_lists_filters_and_pages_through_users() {
    // GIVEN two tenants, a member and a partner
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let (_ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    let (_grace, _navy) = tenant_admin(&app, "grace@navy.example").await;
    let charles = user_in_store(&app, "Charles Babbage", "charles@engines.example", Role::TenantMember, Some(&engines)).await;
    let alan = user_in_store(&app, "Alan Turing", "alan@bletchley.example", Role::Partner, None).await;

    // WHEN the admin lists everyone, two at a time
    let everyone = admin.all("/api/v1/admin/users", 2).await;
    // THEN the pages hold every user once, newest first, with no secret in sight
    assert_eq!(everyone.len(), 5, "{everyone:?}");
    let mut newest_first = ids(&everyone);
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids(&everyone), newest_first);
    assert!(everyone.iter().all(|u| u.get("password_hash").is_none() && u["version"].is_i64()));
    assert_eq!(ids(&admin.all("/api/v1/admin/users", 100).await), ids(&everyone));

    // AND each filter narrows the list
    let names = |items: Vec<Value>| items.iter().map(|u| u["email"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(names(admin.all("/api/v1/admin/users?q=BABB", 10).await), ["charles@engines.example"]);
    assert_eq!(names(admin.all("/api/v1/admin/users?q=navy.example", 10).await), ["grace@navy.example"]);
    assert_eq!(ids(&admin.all("/api/v1/admin/users?role=partner", 10).await), [alan.to_string()]);
    let in_engines = names(admin.all(&format!("/api/v1/admin/users?tenant_id={engines}"), 1).await);
    assert_eq!(in_engines, ["charles@engines.example", "ada@engines.example"]);
    let admins_of_engines = admin.all(&format!("/api/v1/admin/users?tenant_id={engines}&role=tenant_admin"), 10).await;
    assert_eq!(names(admins_of_engines), ["ada@engines.example"]);
    assert!(admin.all("/api/v1/admin/users?status=disabled", 10).await.is_empty());
    assert_eq!(admin.all("/api/v1/admin/users?status=active&q=", 10).await.len(), 5, "an empty q is no filter");
    let charles_reply = admin.get(&format!("/api/v1/admin/users/{charles}")).await;
    assert_eq!((charles_reply.status, charles_reply.json()["role"].clone()), (200, json!("tenant_member")));

    // AND bad parameters answer 400 naming them
    for (query, name) in [("limit=0", "limit"), ("limit=101", "limit"), ("role=root", "role"), ("status=gone", "status"),
        ("tenant_id=acme", "tenant_id")] {
        let reply = admin.get(&format!("/api/v1/admin/users?{query}")).await;
        assert_eq!(code(&reply), (400, "invalid_parameter".into()), "{query}");
        assert_eq!(field(&reply), json!(name), "{query}");
    }
    // AND a cursor works only for the list that issued it
    let first = admin.get("/api/v1/admin/users?limit=1").await.json();
    let cursor = first["next_cursor"].as_str().unwrap();
    let crossed = admin.get(&format!("/api/v1/admin/users?limit=1&role=partner&cursor={cursor}")).await;
    assert_eq!(code(&crossed), (400, "invalid_cursor".into()));
    // AND an unknown id is 404
    let missing = admin.get("/api/v1/admin/users/usr_01jd00000000000000000000zz").await;
    assert_eq!(code(&missing), (404, "not_found".into()));
}

#[tokio::test]
async fn an_invitation_is_emailed_once_with_a_seven_day_single_use_link_and_bad_ones_write_nothing() {
    // GIVEN a tenant
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let (_ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    let invite = json!({"email": "Grace@Example.com", "name": "Grace Hopper", "role": "tenant_member", "tenant_id": engines});

    // WHEN the admin invites a member, with an Idempotency-Key
    let send = |body: &Value, key: &str| {
        admin.request(Method::POST, "/api/v1/admin/users").header("idempotency-key", key.to_string()).json(body)
    };
    let created = app.send(send(&invite, "invite-grace-1")).await;
    // THEN the invitation is pending for seven days
    assert_eq!(created.status, 201, "{}", created.text);
    let invitation = created.json();
    assert!(invitation["id"].as_str().unwrap().starts_with("ivt_"));
    assert_eq!(invitation["email"], "grace@example.com");
    assert_eq!((invitation["role"].clone(), invitation["tenant_id"].clone()), (json!("tenant_member"), json!(engines)));
    assert_eq!(invitation["status"], "pending");
    let at = |name: &str| domain::time::Timestamp::parse(invitation[name].as_str().unwrap()).unwrap().unix();
    assert_eq!(at("expires_at") - at("created_at"), 7 * 86_400);
    assert!(invitation.get("token").is_none() && invitation.get("token_hash").is_none());

    // AND the link is in the mailbox; the store holds only its hash
    let mail = app.last_email_to("grace@example.com").await;
    assert!(mail["links"][0].as_str().unwrap().starts_with("http://127.0.0.1:8080/auth/accept-invitation?token="), "{mail}");
    let token = app.token_from_email("grace@example.com").await;
    let stored = store::repo::invitations::find_by_token(app.platform.state.store.as_ref(), &token).await.unwrap().unwrap();
    assert_eq!(stored.id.as_str(), invitation["id"].as_str().unwrap());
    assert_eq!(stored.token_hash, domain::secrets::hash_secret(&token));
    assert_ne!(stored.token_hash, token);

    // AND the same key replays the first answer without a second email
    let replay = app.send(send(&invite, "invite-grace-1")).await;
    assert_eq!((replay.status, replay.json()["id"].clone()), (201, invitation["id"].clone()));
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    let reused = app.send(send(&json!({"email": "x@example.com", "name": "X", "role": "partner"}), "invite-grace-1")).await;
    assert_eq!(code(&reused), (409, "idempotency_key_reused".into()));

    // AND refused invitations answer in the contract's shape and write nothing
    let refused: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (json!({"email": "ada@engines.example", "name": "Ada", "role": "tenant_member", "tenant_id": engines}), 409, "email_taken", Some("email")),
        (json!({"email": "a@example.com", "name": "A", "role": "tenant_member"}), 422, "invalid_field", Some("tenant_id")),
        (json!({"email": "a@example.com", "name": "A", "role": "tenant_admin", "tenant_id": "ten_01jd00000000000000000000zz"}), 422, "invalid_field", Some("tenant_id")),
        (json!({"email": "a@example.com", "name": "A", "role": "partner", "tenant_id": engines}), 422, "invalid_field", Some("tenant_id")),
        (json!({"email": "a@example.com", "name": "A", "role": "root"}), 422, "invalid_field", Some("role")),
        (json!({"email": "not an email", "name": "A", "role": "partner"}), 422, "invalid_field", Some("email")),
        (json!({"email": "a@example.com", "name": "A\u{0007}", "role": "partner"}), 422, "invalid_field", Some("name")),
        (json!({"email": "a@example.com", "name": "", "role": "partner"}), 422, "invalid_field", Some("name")),
        (json!({"email": "a@example.com", "name": "A", "role": "partner", "admin": true}), 400, "invalid_field", Some("admin")),
        (json!({"email": "a@example.com", "role": "partner"}), 400, "invalid_field", Some("name")),
        (json!({"email": 5, "name": "A", "role": "partner"}), 400, "invalid_field", Some("email")),
    ];
    for (body, status, error, name) in refused {
        let reply = admin.post("/api/v1/admin/users", &body).await;
        assert_eq!(code(&reply), (status, error.to_string()), "{body}: {}", reply.text);
        assert_eq!(field(&reply), name.map_or(Value::Null, |n| json!(n)), "{body}");
    }
    let not_json = app.send(admin.request(Method::POST, "/api/v1/admin/users").header("content-type", "text/plain").body("email=a")).await;
    assert_eq!(code(&not_json), (415, "unsupported_media_type".into()));
    let malformed = app.send(admin.request(Method::POST, "/api/v1/admin/users").header("content-type", "application/json").body("{")).await;
    assert_eq!(code(&malformed), (400, "malformed_json".into()));
    let invited = admin.all("/api/v1/admin/audit-events?action=user.invited", 10).await;
    assert_eq!(ids(&invited).len(), 1, "one invitation, one event: {invited:?}");
    assert_eq!(invited[0]["target"], invitation["id"]);
    let partition = store::repo::invitations::list(app.platform.state.store.as_ref(), Some(&engines), 10, None).await.unwrap();
    assert_eq!(partition.items.len(), 1);
    let mailbox = app.get("/dev/mailbox?limit=100").await.json();
    let invitations_sent = mailbox["data"].as_array().unwrap().iter().filter(|m| m["subject"].as_str().unwrap().starts_with("You are invited")).count();
    assert_eq!(invitations_sent, 1);

    // AND a platform role takes no tenant
    let partner = admin.post("/api/v1/admin/users", &json!({"email": "alan@example.com", "name": "Alan", "role": "partner"})).await;
    assert_eq!((partner.status, partner.json()["tenant_id"].clone()), (201, Value::Null), "{}", partner.text);
}

#[tokio::test]
async fn a_role_change_ends_the_users_sessions_at_once_and_a_stale_etag_changes_nothing() {
    // GIVEN a tenant with its admin and a signed-in member
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let (ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    let charles = user_in_store(&app, "Charles Babbage", "charles@engines.example", Role::TenantMember, Some(&engines)).await;
    let old = Api::login(&app, "charles@engines.example", PASSWORD).await;
    assert_eq!(old.me().await["role"], "tenant_member");
    let path = format!("/api/v1/admin/users/{charles}");
    let read = admin.get(&path).await;
    assert_eq!((read.status, read.headers["etag"].to_str().unwrap()), (200, "\"1\""));

    // WHEN the admin makes the member an admin, with the ETag read
    let promoted = admin.patch(&path, &json!({"role": "tenant_admin"}), Some("\"1\"")).await;
    // THEN the role and version change
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    assert_eq!((promoted.json()["role"].clone(), promoted.json()["version"].clone()), (json!("tenant_admin"), json!(2)));
    assert_eq!(promoted.headers["etag"], "\"2\"");
    // AND the member's old access token is refused at once
    let refused = old.get("/api/v1/me").await;
    assert_eq!(code(&refused), (401, "session_revoked".into()));
    // AND signing in again gives the new role
    let fresh = Api::login(&app, "charles@engines.example", PASSWORD).await;
    assert_eq!(fresh.me().await["role"], "tenant_admin");

    // WHEN a change carries the old ETag (or the old version in the body)
    let stale = admin.patch(&path, &json!({"name": "Mr Babbage"}), Some("\"1\"")).await;
    assert_eq!(code(&stale), (412, "precondition_failed".into()));
    let stale = admin.patch(&path, &json!({"name": "Mr Babbage", "version": 1}), None).await;
    assert_eq!(code(&stale), (412, "precondition_failed".into()));
    let weak = admin.patch(&path, &json!({"name": "Mr Babbage"}), Some("W/\"2\"")).await;
    assert_eq!(code(&weak), (412, "precondition_failed".into()));
    // THEN nothing changed
    assert_eq!(admin.get(&path).await.json()["name"], "Charles Babbage");

    // AND a name change with the current ETag keeps the sessions
    let renamed = admin.patch(&path, &json!({"name": "  Charles B.  "}), Some("\"2\"")).await;
    assert_eq!((renamed.status, renamed.json()["name"].clone()), (200, json!("Charles B.")));
    assert_eq!(fresh.get("/api/v1/me").await.status, 200);

    // AND the tenant keeps an admin: Ada may step down, then Charles may not
    let ada_id = ada.me().await["id"].as_str().unwrap().to_string();
    let stepped_down = admin.patch(&format!("/api/v1/admin/users/{ada_id}"), &json!({"role": "tenant_member"}), None).await;
    assert_eq!(stepped_down.status, 200, "{}", stepped_down.text);
    let last = admin.patch(&path, &json!({"role": "tenant_member"}), None).await;
    assert_eq!(code(&last), (409, "last_tenant_admin".into()));
    assert_eq!(fresh.get("/api/v1/me").await.status, 200, "a refused change ends no session");

    // AND bad changes answer in the contract's shape and change nothing
    for (body, status, name) in [
        (json!({"role": "partner"}), 422, "role"),
        (json!({"role": "root"}), 422, "role"),
        (json!({"name": ""}), 422, "name"),
        (json!({"tenant_id": engines}), 400, "tenant_id"),
        (json!({"status": "disabled"}), 400, "status"),
    ] {
        let reply = admin.patch(&path, &body, None).await;
        assert_eq!((reply.status, field(&reply)), (status, json!(name)), "{body}: {}", reply.text);
    }
    let after = admin.get(&path).await.json();
    assert_eq!((after["version"].clone(), after["role"].clone()), (json!(3), json!("tenant_admin")));

    // AND the trail names each change with its before and after
    let changes = admin.all(&format!("/api/v1/admin/audit-events?action=user.role_changed&tenant_id={engines}"), 10).await;
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[1]["target"], charles.to_string());
    assert_eq!(changes[1]["details"]["role"], json!({"before": "tenant_member", "after": "tenant_admin"}));
    assert_eq!(changes[1]["details"]["sessions_ended"], 1);
}

#[tokio::test]
async fn disabling_ends_every_session_and_refuses_sign_in_until_enabled() {
    // GIVEN a partner signed in twice
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let alan = user_in_store(&app, "Alan Turing", "alan@bletchley.example", Role::Partner, None).await;
    let laptop = Api::login(&app, "alan@bletchley.example", PASSWORD).await;
    let phone = Api::login(&app, "alan@bletchley.example", PASSWORD).await;

    // WHEN the admin disables him
    let disabled = admin.post(&format!("/api/v1/admin/users/{alan}/disable"), &json!({})).await;
    // THEN both sessions end at once and sign-in is refused
    assert_eq!((disabled.status, disabled.json()["status"].clone()), (200, json!("disabled")), "{}", disabled.text);
    assert_eq!(laptop.get("/api/v1/me").await.status, 401);
    assert_eq!(phone.get("/api/v1/me").await.status, 401);
    let login = Session::new().post(&app, "/api/v1/auth/login", &json!({"email": "alan@bletchley.example", "password": PASSWORD})).await;
    assert_eq!(code(&login), (403, "account_disabled".into()));
    // AND disabling again changes nothing
    let again = admin.post(&format!("/api/v1/admin/users/{alan}/disable"), &json!({})).await;
    assert_eq!((again.status, again.json()["version"].clone()), (200, disabled.json()["version"].clone()));
    assert_eq!(ids(&admin.all("/api/v1/admin/users?status=disabled", 10).await), [alan.to_string()]);

    // WHEN he is enabled
    let enabled = admin.post(&format!("/api/v1/admin/users/{alan}/enable"), &json!({})).await;
    // THEN he can sign in again
    assert_eq!((enabled.status, enabled.json()["status"].clone()), (200, json!("active")));
    let back = Api::login(&app, "alan@bletchley.example", PASSWORD).await;
    assert_eq!(back.me().await["status"], "active");

    // AND the trail has both changes by the admin
    let admin_id = admin.me().await["id"].as_str().unwrap().to_string();
    let trail: Vec<Value> = admin
        .all(&format!("/api/v1/admin/audit-events?actor_id={admin_id}"), 10)
        .await
        .into_iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("user."))
        .collect();
    let actions: Vec<&str> = trail.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.enabled", "user.disabled"], "newest first");
    assert_eq!(trail[1]["details"]["sessions_ended"], 2);
    assert!(trail.iter().all(|e| e["target"] == alan.to_string() && e["ip"] == "127.0.0.1" && e["request_id"].is_string()));
}

#[tokio::test]
async fn a_platform_admin_cannot_disable_or_demote_themselves() {
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let me = admin.me().await["id"].as_str().unwrap().to_string();
    let demote = admin.patch(&format!("/api/v1/admin/users/{me}"), &json!({"role": "partner"}), None).await;
    assert_eq!(code(&demote), (409, "cannot_demote_self".into()));
    let disable = admin.post(&format!("/api/v1/admin/users/{me}/disable"), &json!({})).await;
    assert_eq!(code(&disable), (409, "cannot_disable_self".into()));
    // Renaming oneself is fine, and the session survives all of it.
    let renamed = admin.patch(&format!("/api/v1/admin/users/{me}"), &json!({"name": "Root", "role": "platform_admin"}), None).await;
    assert_eq!((renamed.status, renamed.json()["role"].clone()), (200, json!("platform_admin")));
    assert_eq!(admin.me().await["name"], "Root");
}

#[tokio::test]
async fn only_platform_admins_reach_the_admin_routes_and_only_tenant_admins_their_tenants_trail() {
    let app = spawn_app().await;
    let (ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    user_in_store(&app, "Charles", "charles@engines.example", Role::TenantMember, Some(&engines)).await;
    let member = Api::login(&app, "charles@engines.example", PASSWORD).await;
    for caller in [&ada, &member] {
        for reply in [
            caller.get("/api/v1/admin/users").await,
            caller.post("/api/v1/admin/users", &json!({"email": "x@example.com", "name": "X", "role": "partner"})).await,
            caller.get("/api/v1/admin/audit-events").await,
        ] {
            assert_eq!(code(&reply), (403, "insufficient_role".into()));
        }
    }
    assert_eq!(code(&member.get("/api/v1/tenant/audit-events").await), (403, "insufficient_role".into()));
    assert_eq!(ada.get("/api/v1/tenant/audit-events").await.status, 200);
    assert_eq!(code(&app.get("/api/v1/admin/users").await), (401, "authentication_required".into()));
    assert!(app.get("/dev/mailbox").await.json()["data"].as_array().unwrap().iter().all(|m| m["to"] != "x@example.com"));
}

#[tokio::test]
async fn the_audit_trail_filters_by_actor_tenant_action_and_time_and_tenants_see_only_their_own() {
    // GIVEN two tenants, and admin changes in each at two different times
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let admin_id = admin.me().await["id"].as_str().unwrap().to_string();
    let (ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    let (bob, navy) = tenant_admin(&app, "bob@navy.example").await;
    let bob_id = bob.me().await["id"].as_str().unwrap().to_string();
    let charles = user_in_store(&app, "Charles", "charles@engines.example", Role::TenantMember, Some(&engines)).await;
    let dora = user_in_store(&app, "Dora", "dora@navy.example", Role::TenantMember, Some(&navy)).await;
    let t1 = advance(&app, 300).await;
    assert_eq!(admin.post(&format!("/api/v1/admin/users/{charles}/disable"), &json!({})).await.status, 200);
    let t2 = advance(&app, 300).await;
    assert_eq!(admin.post(&format!("/api/v1/admin/users/{dora}/disable"), &json!({})).await.status, 200);
    assert_eq!(admin.post(&format!("/api/v1/admin/users/{charles}/enable"), &json!({})).await.status, 200);

    // THEN the unfiltered trail has everything, newest first, page after page
    let everything = admin.all("/api/v1/admin/audit-events", 3).await;
    assert!(everything.len() >= 7, "{everything:?}");
    let times: Vec<&str> = everything.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
    assert_eq!(ids(&admin.all("/api/v1/admin/audit-events", 100).await), ids(&everything));
    // AND each filter keeps only its events
    let of_engines = admin.all(&format!("/api/v1/admin/audit-events?tenant_id={engines}"), 2).await;
    assert!(of_engines.iter().all(|e| e["tenant_id"] == json!(engines)));
    assert!(of_engines.iter().any(|e| e["action"] == "user.signup"));
    let by_admin = admin.all(&format!("/api/v1/admin/audit-events?actor_id={admin_id}"), 2).await;
    assert!(by_admin.iter().all(|e| e["actor_id"] == json!(admin_id)));
    let actions: Vec<&str> = by_admin.iter().map(|e| e["action"].as_str().unwrap()).filter(|a| a.starts_with("user.")).collect();
    assert_eq!(actions, ["user.enabled", "user.disabled", "user.disabled"]);
    let disables = admin.all("/api/v1/admin/audit-events?action=user.disabled", 1).await;
    assert_eq!(disables.iter().map(|e| e["target"].as_str().unwrap()).collect::<Vec<_>>(), [dora.to_string(), charles.to_string()]);
    let both = admin.all(&format!("/api/v1/admin/audit-events?actor_id={admin_id}&tenant_id={navy}"), 10).await;
    assert_eq!(both.iter().map(|e| e["target"].as_str().unwrap()).collect::<Vec<_>>(), [dora.to_string()]);
    let three = admin.all(&format!("/api/v1/admin/audit-events?actor_id={admin_id}&tenant_id={engines}&action=user.enabled"), 10).await;
    assert_eq!(three.len(), 1);
    // AND the time range is inclusive at both ends (the platform clock ticks on between
    // steps, so each window is five minutes wide)
    let second_before = |t: &str| domain::time::Timestamp::parse(t).unwrap().plus_seconds(-1).to_string();
    let from_t2 = admin.all(&format!("/api/v1/admin/audit-events?from={t2}"), 10).await;
    assert_eq!(from_t2.iter().map(|e| e["action"].as_str().unwrap()).collect::<Vec<_>>(), ["user.enabled", "user.disabled"]);
    let window = admin.all(&format!("/api/v1/admin/audit-events?from={t1}&to={}", second_before(&t2)), 10).await;
    assert_eq!(window.iter().map(|e| e["target"].as_str().unwrap()).collect::<Vec<_>>(), [charles.to_string()]);
    let disabled_before_t2 = admin.all(&format!("/api/v1/admin/audit-events?to={}&action=user.disabled", second_before(&t2)), 10).await;
    assert_eq!(disabled_before_t2.len(), 1);
    let disabled_before_t1 = admin.all(&format!("/api/v1/admin/audit-events?to={}&action=user.disabled", second_before(&t1)), 10).await;
    assert!(disabled_before_t1.is_empty());
    let reversed = admin.get(&format!("/api/v1/admin/audit-events?from={t2}&to={t1}")).await;
    assert_eq!((code(&reversed), field(&reversed)), ((400, "invalid_parameter".into()), json!("from")));
    let garbage = admin.get("/api/v1/admin/audit-events?from=yesterday").await;
    assert_eq!((code(&garbage), field(&garbage)), ((400, "invalid_parameter".into()), json!("from")));

    // WHEN each tenant admin reads their tenant's trail
    let ada_trail = ada.all("/api/v1/tenant/audit-events", 2).await;
    // THEN they see their own tenant's events, including the platform admin's changes to it
    assert!(!ada_trail.is_empty());
    assert!(ada_trail.iter().all(|e| e["tenant_id"] == json!(engines)), "{ada_trail:?}");
    assert!(ada_trail.iter().any(|e| e["action"] == "user.disabled" && e["target"] == charles.to_string()));
    // AND nothing of another tenant, whatever they ask for
    assert!(ada.all(&format!("/api/v1/tenant/audit-events?actor_id={bob_id}"), 10).await.is_empty());
    let smuggled = ada.all(&format!("/api/v1/tenant/audit-events?tenant_id={navy}"), 100).await;
    assert!(smuggled.iter().all(|e| e["tenant_id"] == json!(engines)));
    let bob_trail = bob.all("/api/v1/tenant/audit-events?action=user.disabled", 10).await;
    assert_eq!(bob_trail.iter().map(|e| e["target"].as_str().unwrap()).collect::<Vec<_>>(), [dora.to_string()]);
    // AND a cursor of the platform's trail is not one of the tenant's
    let platform_page = admin.get("/api/v1/admin/audit-events?limit=1").await.json();
    let cursor = platform_page["next_cursor"].as_str().unwrap();
    let crossed = ada.get(&format!("/api/v1/tenant/audit-events?limit=1&cursor={cursor}")).await;
    assert_eq!(code(&crossed), (400, "invalid_cursor".into()));
}
