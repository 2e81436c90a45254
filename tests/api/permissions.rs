//! The permissions matrix, walked from the OpenAPI document: every documented route is in
//! the matrix, and every role (plus anonymous) gets exactly what the matrix says — 401
//! without credentials, 403 for a role it does not allow, through to the handler otherwise.
use journeys::session::Session;
use journeys::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::json;
use domain::permissions::Rule;
use domain::user::Role;
use web::module::{Deps, RouteDecl};

/// The permissions table: every module's API routes with their rules, as their routers
/// recorded them.
fn matrix() -> Vec<RouteDecl> {
    let (app, _clock) = web::testing::state();
    let deps = Deps { app, auth_secret: b"permissions test".to_vec().into() };
    web::module::mount(dotmac_local::MODULES, &deps).table().iter().copied().filter(RouteDecl::is_api).collect()
}

fn rule_for(method: &str, path: &str) -> Option<Rule> {
    matrix().into_iter().find(|r| r.method == method && r.path == path).and_then(|r| r.rule)
}

const PASSWORD: &str = "correct horse battery staple";

/// Creates a verified user with `role` directly in the store and signs it in; answers its
/// access token for `Authorization: Bearer`.
async fn bearer_for(app: &TestApp, role: Role, email: &str, tenant: Option<domain::ids::TenantId>) -> String {
    app.user_in_store(&format!("{role:?}"), email, PASSWORD, role, tenant.as_ref()).await;
    token_of(app, email, PASSWORD).await
}

async fn token_of(app: &TestApp, email: &str, password: &str) -> String {
    let mut s = Session::new();
    let reply = s.post(app, "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
    assert_eq!(reply.status, 200, "{email}: {}", reply.text);
    s.cookie("dm_access").unwrap().to_string()
}

/// Fills route parameters with well-formed ids that exist nowhere.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') { "ses_01jd00000000000000000000zz".to_string() } else { seg.to_string() })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_documented_route_is_in_the_matrix_and_enforced_for_every_role() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let paths = doc["paths"].as_object().expect("paths");

    // GIVEN one caller of each role
    let admin = token_of(&app, "admin@dotmac.local", "admin-password-for-tests").await;
    let tenant_admin_session = app.signed_up("owner@example.com", PASSWORD).await;
    let tenant_admin = tenant_admin_session.cookie("dm_access").unwrap().to_string();
    let me = app.send(app.client.get(app.url("/api/v1/me")).bearer_auth(&tenant_admin)).await.json();
    let tenant = domain::ids::TenantId::parse(me["tenant_id"].as_str().unwrap());
    let member = bearer_for(&app, Role::TenantMember, "member@example.com", tenant).await;
    let partner = bearer_for(&app, Role::Partner, "partner@example.com", None).await;
    let callers: Vec<(Option<&str>, Option<Role>)> = vec![
        (None, None),
        (Some(&admin), Some(Role::PlatformAdmin)),
        (Some(&tenant_admin), Some(Role::TenantAdmin)),
        (Some(&member), Some(Role::TenantMember)),
        (Some(&partner), Some(Role::Partner)),
    ];

    let mut checked = 0;
    for (path, item) in paths {
        for (method, _) in item.as_object().expect("path item") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            // WHEN the route is looked up in the matrix
            let rule = rule_for(method.as_str(), path)
                .unwrap_or_else(|| panic!("{method} {path} is documented but missing from the permissions matrix"));
            for (token, role) in &callers {
                // Never the logout route with a real token: it would end the session mid-walk.
                if path == "/api/v1/auth/logout" && token.is_some() {
                    continue;
                }
                let mut request = app.client.request(method.clone(), app.url(&concrete(path)));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                if matches!(method, Method::POST | Method::PATCH | Method::PUT | Method::DELETE) {
                    request = request.json(&json!({}));
                }
                let reply = app.send(request).await;
                // THEN the answer is what the matrix says
                let who = format!("{method} {path} as {role:?}");
                assert!(reply.status < 500, "{who}: {} {}", reply.status, reply.text);
                match (rule, role) {
                    (Rule::Public, _) => assert_ne!(reply.status, 403, "{who}: {}", reply.text),
                    (_, None) => assert_eq!(reply.status, 401, "{who}: {}", reply.text),
                    (rule, Some(role)) if rule.allows(*role) => {
                        assert!(reply.status != 401 && reply.status != 403, "{who} is allowed: {} {}", reply.status, reply.text)
                    }
                    (_, Some(_)) => {
                        assert_eq!(reply.status, 403, "{who}: {}", reply.text);
                        assert_eq!(reply.error().1, "insufficient_role", "{who}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= paths.len() * 4, "walked {checked} route × caller pairs");
}

#[test]
fn every_matrix_entry_is_documented_or_deliberately_undocumented() {
    // The matrix may only name routes the document has; a stale row would hide a typo.
    let (app, _clock) = web::testing::state();
    let doc = web::module::openapi(dotmac_local::MODULES, &Deps { app, auth_secret: b"permissions test".to_vec().into() });
    let documented: Vec<(String, String)> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            let mut methods = Vec::new();
            if item.get.is_some() { methods.push("GET") }
            if item.post.is_some() { methods.push("POST") }
            if item.put.is_some() { methods.push("PUT") }
            if item.patch.is_some() { methods.push("PATCH") }
            if item.delete.is_some() { methods.push("DELETE") }
            methods.into_iter().map(move |m| (m.to_string(), path.clone()))
        })
        .collect();
    for entry in matrix() {
        assert!(
            documented.contains(&(entry.method.to_string(), entry.path.to_string())),
            "{} {} is in the matrix but not in the OpenAPI document",
            entry.method,
            entry.path
        );
    }
}
