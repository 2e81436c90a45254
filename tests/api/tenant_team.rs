//! Team management over HTTP: a tenant admin invites, the invitee accepts by the emailed
//! link, roles change and members leave with their sessions ended at once, the last admin
//! stays, seats hold to the plan, another tenant's ids are 404, and dead tokens are 400.
use journeys::session::Session;
use journeys::{Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const WEEK: i64 = 7 * 86_400;

/// The access token of a signed-in session, for `Authorization: Bearer`.
fn token(s: &Session) -> String {
    s.cookie("dm_access").expect("signed in").to_string()
}

async fn call(app: &TestApp, method: Method, path: &str, bearer: &str, body: Option<&Value>) -> Reply {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(bearer);
    if let Some(body) = body {
        request = request.json(body);
    }
    app.send(request).await
}

async fn invite(app: &TestApp, bearer: &str, email: &str, role: &str) -> Reply {
    call(app, Method::POST, "/api/v1/tenant/invitations", bearer, Some(&json!({"email": email, "role": role}))).await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Session {
    let mut s = Session::new();
    let reply = s.post(app, "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
    assert_eq!(reply.status, 200, "{email}: {}", reply.text);
    s
}

fn ids(list: &Reply) -> Vec<String> {
    list.json()["data"].as_array().expect("data").iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
}

async fn mailbox_size(app: &TestApp) -> usize {
    app.get("/dev/mailbox?limit=100").await.json()["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_team_is_built_changed_and_kept_within_its_rules() {
    let app = spawn_app().await;
    // GIVEN a tenant admin (signed up: the free plan, 3 seats)
    let owner_session = app.signed_up("owner@example.com", PASSWORD).await;
    let owner = token(&owner_session);
    let me = call(&app, Method::GET, "/api/v1/me", &owner, None).await.json();
    let (owner_id, tenant_id) = (me["id"].as_str().unwrap().to_string(), me["tenant_id"].as_str().unwrap().to_string());
    let members = call(&app, Method::GET, "/api/v1/tenant/members", &owner, None).await;
    assert_eq!(members.status, 200, "{}", members.text);
    assert_eq!(members.json()["data"][0]["role"], "tenant_admin");
    assert_eq!(members.json()["has_more"], false);

    // WHEN the admin invites a member (with an Idempotency-Key, then the same retry)
    let body = json!({"email": "Member@Example.com", "role": "tenant_member"});
    let send = |key: &'static str| {
        app.client.post(app.url("/api/v1/tenant/invitations")).bearer_auth(&owner).header("idempotency-key", key).json(&body)
    };
    let created = app.send(send("invite-1")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let invitation = created.json();
    assert_eq!((invitation["email"].as_str(), invitation["status"].as_str()), (Some("member@example.com"), Some("pending")));
    assert!(invitation["id"].as_str().unwrap().starts_with("ivt_"));
    assert!(invitation.get("token").is_none() && invitation.get("token_hash").is_none(), "no secret in {invitation}");
    let emails_before_retry = mailbox_size(&app).await;
    let replayed = app.send(send("invite-1")).await;
    assert_eq!((replayed.status, replayed.json()["id"].clone()), (201, invitation["id"].clone()));
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(mailbox_size(&app).await, emails_before_retry, "the retry sent no second email");

    // THEN the email carries a 7-day link to the accept page
    let mail = app.last_email_to("member@example.com").await;
    assert!(mail["links"][0].as_str().unwrap().starts_with("http://127.0.0.1:8080/auth/accept-invitation?token="), "{mail}");
    assert!(mail["text"].as_str().unwrap().contains("7 days"));
    let invite_token = app.token_from_email("member@example.com").await;

    // AND accepting without a password creates nothing
    let incomplete = app.post_json("/api/v1/invitations/accept", &json!({"token": invite_token, "name": "Mem Ber"})).await;
    assert_eq!((incomplete.status, incomplete.json()["error"]["field"].clone()), (422, json!("password")), "{}", incomplete.text);
    let weak = app.post_json("/api/v1/invitations/accept", &json!({"token": invite_token, "name": "Mem Ber", "password": "short"})).await;
    assert_eq!((weak.status, weak.json()["error"]["field"].clone()), (422, json!("password")));

    // WHEN it is accepted with a name and a password
    let accepted = app.post_json("/api/v1/invitations/accept", &json!({"token": invite_token, "name": "Mem Ber", "password": PASSWORD})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let accepted = accepted.json();
    assert_eq!(accepted["tenant_id"], tenant_id.as_str());
    assert_eq!((accepted["user"]["role"].as_str(), accepted["user"]["email_verified"].as_bool()), (Some("tenant_member"), Some(true)));
    let member_id = accepted["user"]["id"].as_str().unwrap().to_string();
    // The link works once.
    let again = app.post_json("/api/v1/invitations/accept", &json!({"token": invite_token, "name": "X", "password": PASSWORD})).await;
    assert_eq!((again.status, again.error().1.as_str()), (400, "invalid_token"));
    let listed = call(&app, Method::GET, "/api/v1/tenant/invitations", &owner, None).await.json();
    assert_eq!(listed["data"][0]["status"], "accepted");

    // THEN the member signs in, reads the team, and may not change it
    let member_session = sign_in(&app, "member@example.com", PASSWORD).await;
    let member = token(&member_session);
    let team = call(&app, Method::GET, "/api/v1/tenant/members", &member, None).await;
    assert_eq!(team.status, 200, "{}", team.text);
    let mut team_ids = ids(&team);
    team_ids.sort();
    let mut expected = vec![owner_id.clone(), member_id.clone()];
    expected.sort();
    assert_eq!(team_ids, expected);
    let row = team.json()["data"].as_array().unwrap().iter().find(|m| m["id"] == member_id.as_str()).unwrap().clone();
    for field in ["id", "name", "email", "role", "status", "mfa_enabled", "created_at"] {
        assert!(row.get(field).is_some(), "no {field} in {row}");
    }
    assert!(row.get("password_hash").is_none());
    assert_eq!(call(&app, Method::GET, "/api/v1/tenant/invitations", &member, None).await.status, 200);
    let refused = invite(&app, &member, "friend@example.com", "tenant_member").await;
    assert_eq!((refused.status, refused.error().1.as_str()), (403, "insufficient_role"));
    let path = format!("/api/v1/tenant/members/{owner_id}");
    assert_eq!(call(&app, Method::PATCH, &path, &member, Some(&json!({"role": "tenant_member"}))).await.status, 403);
    assert_eq!(call(&app, Method::DELETE, &path, &member, None).await.status, 403);

    // WHEN the admin promotes the member, the member's old token is refused at once
    let member_path = format!("/api/v1/tenant/members/{member_id}");
    let promoted = call(&app, Method::PATCH, &member_path, &owner, Some(&json!({"role": "tenant_admin"}))).await;
    assert_eq!((promoted.status, promoted.json()["role"].clone()), (200, json!("tenant_admin")), "{}", promoted.text);
    let stale = call(&app, Method::GET, "/api/v1/me", &member, None).await;
    assert_eq!((stale.status, stale.error().1.as_str()), (401, "session_revoked"));
    let member = token(&sign_in(&app, "member@example.com", PASSWORD).await);
    assert_eq!(call(&app, Method::GET, "/api/v1/me", &member, None).await.json()["role"], "tenant_admin");
    // The same role again changes nothing and ends no session.
    let same = call(&app, Method::PATCH, &member_path, &owner, Some(&json!({"role": "tenant_admin"}))).await;
    assert_eq!(same.status, 200);
    assert_eq!(call(&app, Method::GET, "/api/v1/me", &member, None).await.status, 200);

    // AND with two admins, one may step down; then the last one can be neither demoted nor removed
    let demoted = call(&app, Method::PATCH, &member_path, &owner, Some(&json!({"role": "tenant_member"}))).await;
    assert_eq!(demoted.status, 200, "{}", demoted.text);
    let owner_path = format!("/api/v1/tenant/members/{owner_id}");
    let last = call(&app, Method::PATCH, &owner_path, &owner, Some(&json!({"role": "tenant_member"}))).await;
    assert_eq!((last.status, last.error().1.as_str()), (409, "last_admin"));
    let last = call(&app, Method::DELETE, &owner_path, &owner, None).await;
    assert_eq!((last.status, last.error().1.as_str()), (409, "last_admin"));
    assert_eq!(call(&app, Method::GET, "/api/v1/me", &owner, None).await.json()["role"], "tenant_admin", "nothing changed");

    // WHEN the member is removed, their session ends at once and they cannot sign in
    let member = token(&sign_in(&app, "member@example.com", PASSWORD).await);
    let removed = call(&app, Method::DELETE, &member_path, &owner, None).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(call(&app, Method::GET, "/api/v1/me", &member, None).await.status, 401);
    let login = Session::new().post(&app, "/api/v1/auth/login", &json!({"email": "member@example.com", "password": PASSWORD})).await;
    assert_eq!((login.status, login.error().1.as_str()), (403, "account_disabled"));
    assert_eq!(ids(&call(&app, Method::GET, "/api/v1/tenant/members", &owner, None).await), vec![owner_id.clone()]);
    assert_eq!(call(&app, Method::DELETE, &member_path, &owner, None).await.status, 404, "no longer a member");

    // THEN seats: the owner plus two invitations fill the free plan's three; a third is refused
    assert_eq!(invite(&app, &owner, "a@example.com", "tenant_member").await.status, 201);
    let b = invite(&app, &owner, "b@example.com", "tenant_admin").await;
    assert_eq!(b.status, 201, "{}", b.text);
    let emails_before = mailbox_size(&app).await;
    let full = invite(&app, &owner, "c@example.com", "tenant_member").await;
    assert_eq!((full.status, full.error().1.as_str()), (422, "seat_limit_reached"), "{}", full.text);
    assert_eq!(mailbox_size(&app).await, emails_before, "no email for a refused invitation");
    // A second invitation to the same address is refused too.
    let twice = invite(&app, &owner, "a@example.com", "tenant_member").await;
    assert_eq!((twice.status, twice.error().1.as_str()), (409, "already_invited"));
    // Revoking one frees its seat.
    let b_id = b.json()["id"].as_str().unwrap().to_string();
    let revoked = call(&app, Method::DELETE, &format!("/api/v1/tenant/invitations/{b_id}"), &owner, None).await;
    assert_eq!((revoked.status, revoked.json()["status"].clone()), (200, json!("revoked")), "{}", revoked.text);
    let b_token = app.token_from_email("b@example.com").await;
    let dead = app.post_json("/api/v1/invitations/accept", &json!({"token": b_token, "name": "B", "password": PASSWORD})).await;
    assert_eq!((dead.status, dead.error().1.as_str()), (400, "invalid_token"), "a revoked invitation is dead");
    let again = call(&app, Method::DELETE, &format!("/api/v1/tenant/invitations/{b_id}"), &owner, None).await;
    assert_eq!((again.status, again.error().1.as_str()), (409, "invalid_state"));
    assert_eq!(invite(&app, &owner, "c@example.com", "tenant_member").await.status, 201);

    // AND the removed member's account comes back through a new invitation, with its password
    let revoke_c = call(&app, Method::GET, "/api/v1/tenant/invitations", &owner, None).await.json();
    let c_id = revoke_c["data"].as_array().unwrap().iter().find(|i| i["email"] == "c@example.com").unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(call(&app, Method::DELETE, &format!("/api/v1/tenant/invitations/{c_id}"), &owner, None).await.status, 200);
    assert_eq!(invite(&app, &owner, "member@example.com", "tenant_member").await.status, 201);
    let back = app.token_from_email("member@example.com").await;
    let rejoined = app.post_json("/api/v1/invitations/accept", &json!({"token": back})).await;
    assert_eq!(rejoined.status, 200, "{}", rejoined.text);
    assert_eq!(rejoined.json()["user"]["id"], member_id.as_str(), "the same account");
    assert_eq!(rejoined.json()["user"]["status"], "active");
    sign_in(&app, "member@example.com", PASSWORD).await;

    // AND every change is in the tenant's audit trail
    let trail = app
        .platform
        .state
        .store
        .query(store::ports::item_store::Query::table(format!("AUDIT#{tenant_id}")).limit(500))
        .await
        .unwrap();
    let actions: Vec<&str> = trail.items.iter().filter_map(|i| i.get_str("action")).collect();
    for action in ["invitation.created", "invitation.accepted", "member.role_changed", "member.removed", "invitation.revoked"] {
        assert!(actions.contains(&action), "no {action} in {actions:?}");
    }
}

#[tokio::test]
async fn another_tenants_members_and_invitations_are_not_found() {
    let app = spawn_app().await;
    // GIVEN two tenants, the second with an invitation out
    let ours = token(&app.signed_up("ours@example.com", PASSWORD).await);
    let mut theirs_session = Session::new();
    let signup = theirs_session
        .post(&app, "/api/v1/auth/signup", &json!({"email": "theirs@example.com", "password": PASSWORD, "name": "Grace", "organization": "Other Org"}))
        .await;
    assert_eq!(signup.status, 201);
    let verify = theirs_session.post(&app, "/api/v1/auth/verify-email", &json!({"token": app.token_from_email("theirs@example.com").await})).await;
    assert_eq!(verify.status, 200);
    let theirs = token(&theirs_session);
    let their_admin = call(&app, Method::GET, "/api/v1/me", &theirs, None).await.json()["id"].as_str().unwrap().to_string();
    let their_invitation = invite(&app, &theirs, "guest@example.com", "tenant_member").await.json()["id"].as_str().unwrap().to_string();

    // WHEN our admin asks for their member and invitation by id
    let never = "usr_01jd00000000000000000000zz";
    let missing = call(&app, Method::PATCH, &format!("/api/v1/tenant/members/{never}"), &ours, Some(&json!({"role": "tenant_member"}))).await;
    let attempts = [
        call(&app, Method::PATCH, &format!("/api/v1/tenant/members/{their_admin}"), &ours, Some(&json!({"role": "tenant_member"}))).await,
        call(&app, Method::DELETE, &format!("/api/v1/tenant/members/{their_admin}"), &ours, None).await,
        call(&app, Method::DELETE, &format!("/api/v1/tenant/invitations/{their_invitation}"), &ours, None).await,
    ];

    // THEN each answers 404, exactly as an id that exists nowhere, and never their data
    for reply in &attempts {
        assert_eq!(reply.status, 404, "{}", reply.text);
        assert_eq!(reply.error().1, "not_found");
        assert!(!reply.text.contains("theirs@example.com") && !reply.text.contains("guest@example.com"), "{}", reply.text);
    }
    assert_eq!(attempts[0].text, missing.text, "indistinguishable from a missing member");
    // AND our lists hold only our own
    let members = call(&app, Method::GET, "/api/v1/tenant/members", &ours, None).await;
    assert!(!ids(&members).contains(&their_admin));
    let invitations = call(&app, Method::GET, "/api/v1/tenant/invitations", &ours, None).await;
    assert!(!ids(&invitations).contains(&their_invitation));
    // AND a tenant named in a body is refused, not obeyed
    let smuggled = call(&app, Method::POST, "/api/v1/tenant/invitations", &ours,
        Some(&json!({"email": "x@example.com", "role": "tenant_member", "tenant_id": "ten_01jd00000000000000000000zz"}))).await;
    assert_eq!((smuggled.status, smuggled.json()["error"]["field"].clone()), (400, json!("tenant_id")));
    // AND nothing of theirs changed
    assert_eq!(call(&app, Method::GET, "/api/v1/me", &theirs, None).await.json()["role"], "tenant_admin");
    let their_list = call(&app, Method::GET, "/api/v1/tenant/invitations", &theirs, None).await.json();
    assert_eq!(their_list["data"][0]["status"], "pending");
}

#[tokio::test]
async fn an_invitation_link_dies_after_seven_days_and_frees_its_seat() {
    let app = spawn_app().await;
    let owner = token(&app.signed_up("owner@example.com", PASSWORD).await);
    assert_eq!(invite(&app, &owner, "late@example.com", "tenant_member").await.status, 201);
    assert_eq!(invite(&app, &owner, "later@example.com", "tenant_member").await.status, 201);
    assert_eq!(invite(&app, &owner, "full@example.com", "tenant_member").await.status, 422);
    let late = app.token_from_email("late@example.com").await;

    // WHEN seven days pass
    let moved = app.post_json("/dev/clock", &json!({"advance_seconds": WEEK})).await;
    assert_eq!(moved.status, 200, "{}", moved.text);

    // THEN the link is dead, the invitation shows as expired, and its seat is free
    let accept = app.post_json("/api/v1/invitations/accept", &json!({"token": late, "name": "Late", "password": PASSWORD})).await;
    assert_eq!((accept.status, accept.error().1.as_str()), (400, "invalid_token"));
    let owner = token(&sign_in(&app, "owner@example.com", PASSWORD).await);
    let list = call(&app, Method::GET, "/api/v1/tenant/invitations", &owner, None).await.json();
    assert!(list["data"].as_array().unwrap().iter().all(|i| i["status"] == "expired"), "{list}");
    assert_eq!(invite(&app, &owner, "full@example.com", "tenant_member").await.status, 201);
    // AND tokens that never existed are the same 400
    for token in ["nonsense", "x".repeat(43).as_str()] {
        let reply = app.post_json("/api/v1/invitations/accept", &json!({"token": token, "name": "N", "password": PASSWORD})).await;
        assert_eq!((reply.status, reply.error().1.as_str()), (400, "invalid_token"));
    }
}

#[tokio::test]
async fn bad_input_answers_in_the_contract_shape_and_writes_nothing() {
    let app = spawn_app().await;
    let owner = token(&app.signed_up("owner@example.com", PASSWORD).await);
    let emails = mailbox_size(&app).await;
    let post = |content_type: &'static str, body: &'static str| {
        app.client.post(app.url("/api/v1/tenant/invitations")).bearer_auth(&owner).header("content-type", content_type).body(body)
    };
    // (request, status, code, field, what it is)
    let cases: Vec<(reqwest::RequestBuilder, u16, &str, Option<&str>, &str)> = vec![
        (post("application/json", "{"), 400, "malformed_json", None, "broken JSON"),
        (post("text/plain", r#"{"email":"a@example.com","role":"tenant_member"}"#), 415, "unsupported_media_type", None, "not JSON"),
        (post("application/json", r#"{"email":"a@example.com","role":"tenant_member","admin":true}"#), 400, "invalid_field", Some("admin"), "an unknown field"),
        (post("application/json", r#"{"email":"a@example.com","role":"owner"}"#), 400, "invalid_field", Some("role"), "a role that does not exist"),
        (post("application/json", r#"{"email":"a@example.com"}"#), 400, "invalid_field", Some("role"), "a missing role"),
        (post("application/json", r#"{"email":"not an address","role":"tenant_member"}"#), 422, "invalid_field", Some("email"), "a bad email"),
        (post("application/json", r#"{"email":"a@example.com","role":"platform_admin"}"#), 422, "invalid_field", Some("role"), "a role outside the tenant"),
    ];
    for (request, status, code, field, what) in cases {
        let reply = app.send(request).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.text);
        assert_eq!(reply.error().1, code, "{what}");
        assert_eq!(reply.json()["error"]["field"].as_str(), field, "{what}");
    }
    let me = call(&app, Method::GET, "/api/v1/me", &owner, None).await.json();
    let owner_path = format!("/api/v1/tenant/members/{}", me["id"].as_str().unwrap());
    let bad_role = call(&app, Method::PATCH, &owner_path, &owner, Some(&json!({"role": "partner"}))).await;
    assert_eq!((bad_role.status, bad_role.json()["error"]["field"].clone()), (422, json!("role")));
    for query in ["limit=0", "limit=101", "cursor=forged"] {
        let reply = call(&app, Method::GET, &format!("/api/v1/tenant/members?{query}"), &owner, None).await;
        assert_eq!((reply.status, reply.error().0.as_str()), (400, "invalid_request"), "{query}");
    }
    let no_token = app.post_json("/api/v1/invitations/accept", &json!({})).await;
    assert_eq!((no_token.status, no_token.json()["error"]["field"].clone()), (400, json!("token")));
    let bad_name = app.post_json("/api/v1/invitations/accept", &json!({"token": "t", "name": "\u{0007}"})).await;
    assert_eq!((bad_name.status, bad_name.json()["error"]["field"].clone()), (422, json!("name")));

    // Nothing was written: no invitation, no email, the owner still admin
    let list = call(&app, Method::GET, "/api/v1/tenant/invitations", &owner, None).await.json();
    assert_eq!(list["data"], json!([]));
    assert_eq!(mailbox_size(&app).await, emails);
    assert_eq!(call(&app, Method::GET, "/api/v1/me", &owner, None).await.json()["role"], "tenant_admin");
}

/// The `value` of the hidden input `name` in a page.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_string())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

fn cookie_header(session: &Session) -> String {
    session.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
}

async fn post_form(app: &TestApp, path: &str, cookies: &str, fields: &[(&str, &str)]) -> Reply {
    let request = app.client.post(app.url(path)).header("cookie", cookies).header("content-type", "application/x-www-form-urlencoded").body(form(fields));
    app.send(request).await
}

#[tokio::test]
async fn the_team_pages_invite_accept_and_change_the_team_without_javascript() {
    let app = spawn_app().await;
    let mut owner = app.signed_up("owner@example.com", PASSWORD).await;
    let cookies = cookie_header(&owner);
    let csrf = owner.cookie("dm_csrf").unwrap().to_string();

    // The team page shows the owner, the seats and the invite form
    let page = owner.get(&app, "/portal/team").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("owner@example.com") && page.text.contains("1 of 3 seats used"), "{}", page.text);
    assert!(page.text.contains(r#"value="invite""#));
    // Without the CSRF field nothing happens
    let forged = post_form(&app, "/portal/team", &cookies, &[("action", "invite"), ("email", "x@example.com"), ("role", "tenant_member")]).await;
    assert_eq!(forged.status, 403);
    // Inviting from the page
    let sent = post_form(&app, "/portal/team", &cookies, &[("csrf_token", &csrf), ("action", "invite"), ("email", "page@example.com"), ("role", "tenant_member")]).await;
    assert_eq!((sent.status, sent.headers["location"].to_str().unwrap()), (303, "/portal/team?notice=invited"), "{}", sent.text);
    let bad = post_form(&app, "/portal/team", &cookies, &[("csrf_token", &csrf), ("action", "invite"), ("email", "nope"), ("role", "tenant_member")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("Enter a valid email address") && bad.text.contains(r#"value="nope""#), "{}", bad.text);

    // The emailed link opens the accept page: the invited address and the organization
    let link_token = app.token_from_email("page@example.com").await;
    let accept_page = app.get(&format!("/auth/accept-invitation?token={link_token}")).await;
    assert_eq!(accept_page.status, 200, "{}", accept_page.text);
    assert!(accept_page.text.contains("page@example.com") && accept_page.text.contains("Analytical Engines"), "{}", accept_page.text);
    let dm_form = accept_page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next()?.strip_prefix("dm_form=").map(str::to_string))
        .expect("dm_form cookie");
    let form_token = hidden_value(&accept_page.text, "form_token").expect("form_token");
    let mismatch = post_form(&app, "/auth/accept-invitation", &format!("dm_form={dm_form}"),
        &[("form_token", &form_token), ("token", &link_token), ("name", "Page"), ("password", PASSWORD), ("password_confirm", "different")]).await;
    assert_eq!(mismatch.status, 422);
    let joined = post_form(&app, "/auth/accept-invitation", &format!("dm_form={dm_form}"),
        &[("form_token", &form_token), ("token", &link_token), ("name", "Page Person"), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await;
    assert_eq!(joined.status, 303, "{}", joined.text);
    assert_eq!(joined.headers["location"], "/auth/login?notice=invitation_accepted");
    let login = app.get("/auth/login?notice=invitation_accepted").await;
    assert!(login.text.contains("Invitation accepted"), "{}", login.text);
    let used = app.get(&format!("/auth/accept-invitation?token={link_token}")).await;
    assert_eq!(used.status, 400);

    // The owner changes the new member's role, then removes them after the confirm step
    let member_id = call(&app, Method::GET, "/api/v1/tenant/members", &token(&owner), None)
        .await
        .json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "page@example.com")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let changed = post_form(&app, "/portal/team", &cookies, &[("csrf_token", &csrf), ("action", "role"), ("user_id", &member_id), ("role", "tenant_admin")]).await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    let confirm = owner.get(&app, &format!("/portal/team?remove={member_id}")).await;
    assert!(confirm.text.contains("Remove Page Person"), "{}", confirm.text);
    let removed = post_form(&app, "/portal/team", &cookies, &[("csrf_token", &csrf), ("action", "remove"), ("user_id", &member_id)]).await;
    assert_eq!((removed.status, removed.headers["location"].to_str().unwrap()), (303, "/portal/team?notice=removed"));
    // The last admin cannot leave: the page says so with the API's status
    let me = call(&app, Method::GET, "/api/v1/me", &token(&owner), None).await.json();
    let last = post_form(&app, "/portal/team", &cookies, &[("csrf_token", &csrf), ("action", "remove"), ("user_id", me["id"].as_str().unwrap())]).await;
    assert_eq!(last.status, 409);
    assert!(last.text.contains("at least one admin"), "{}", last.text);
    // Signed out, the page sends the browser to sign in and back
    let anonymous = app.get("/portal/team").await;
    assert_eq!((anonymous.status, anonymous.headers["location"].to_str().unwrap()), (303, "/auth/login?next=/portal/team"));
}

#[tokio::test]
async fn platform_invitations_are_accepted_by_the_same_route_and_accounts_elsewhere_are_refused() {
    use domain::secrets;
    use domain::email::Email;
    use domain::ids::InvitationId;
    use domain::invitation::{Invitation, InvitationStatus, VALID_SECONDS};
    use domain::user::Role;

    let app = spawn_app().await;
    // GIVEN a platform invitation (no tenant) to become a partner, as admin-users makes them
    let state = &app.platform.state;
    let now = state.clock.now();
    let secret = secrets::new_secret();
    let invitation = Invitation {
        id: InvitationId::generate(now),
        tenant_id: None,
        email: Email::parse("partner@example.com").unwrap(),
        name: Some("Pat Partner".into()),
        role: Role::Partner,
        invited_by: "usr_01jd00000000000000000000zz".into(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now.plus_seconds(VALID_SECONDS),
        accepted_at: None,
        token_hash: secrets::hash_secret(&secret),
        version: 1,
    };
    state.store.transact(vec![store::repo::invitations::create(&invitation).unwrap()]).await.unwrap();

    // WHEN it is accepted with a password only (the inviter gave the name)
    let accepted = app.post_json("/api/v1/invitations/accept", &json!({"token": secret, "password": PASSWORD})).await;

    // THEN a verified partner account exists, in no tenant, and signs in
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let body = accepted.json();
    assert_eq!((body["tenant_id"].clone(), body["user"]["role"].clone(), body["user"]["name"].clone()), (json!(null), json!("partner"), json!("Pat Partner")));
    sign_in(&app, "partner@example.com", PASSWORD).await;

    // AND an address with an account in another organization cannot join this one
    let owner = token(&app.signed_up("owner@example.com", PASSWORD).await);
    assert_eq!(invite(&app, &owner, "partner@example.com", "tenant_member").await.status, 201);
    let taken = app.post_json("/api/v1/invitations/accept", &json!({"token": app.token_from_email("partner@example.com").await})).await;
    assert_eq!((taken.status, taken.error().1.as_str()), (409, "email_taken"));
    // AND a member's own address cannot be invited twice into the same organization
    let own = invite(&app, &owner, "owner@example.com", "tenant_member").await;
    assert_eq!((own.status, own.error().1.as_str()), (409, "already_member"));
}

#[tokio::test]
async fn the_activity_page_shows_only_the_organizations_own_trail_to_its_admins() {
    let app = journeys::spawn_app().await;
    let mut ada = app.signed_up("ada@activity.example", "correct horse battery staple").await;
    let mut bob = app.signed_up("bob@other.example", "correct horse battery staple").await;
    bob.post(&app, "/api/v1/tenant/invitations", &serde_json::json!({"email": "secret-hire@other.example", "role": "tenant_member"})).await;
    let page = ada.get(&app, "/portal/activity").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("user.signup") && page.text.contains("user.email_verified"), "{}", page.text);
    assert!(!page.text.contains("invitation.created"), "another organization's events never show");
    let filtered = ada.get(&app, "/portal/activity?action=user.signup").await;
    assert!(filtered.text.contains("user.signup") && !filtered.text.contains("user.email_verified"));
    let anonymous = app.get("/portal/activity").await;
    assert_eq!(anonymous.status, 303);
    let forged = ada.get(&app, "/portal/activity?cursor=forged").await;
    assert!(forged.text.contains("no longer valid"), "a forged cursor starts again: {}", forged.text);
}
