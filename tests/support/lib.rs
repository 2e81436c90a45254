//! Test support for the journey tests: the whole local platform on an ephemeral port with a
//! data dir of its own, and a client that speaks to it over real HTTP.
pub mod session;

use std::path::PathBuf;
use std::sync::Arc;

use dotmac_local::{LocalConfig, Platform};
use serde_json::Value;

pub struct TestApp {
    pub base_url: String,
    pub platform: Arc<Platform>,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    server: tokio::task::JoinHandle<()>,
    // Kept so the data dir lives as long as the app; None after `restart` took it over.
    _dir: Option<tempfile::TempDir>,
}

/// A response read whole: status, headers, and the body as JSON when it is JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts the contract's error shape and answers `(type, code)`.
    pub fn error(&self) -> (String, String) {
        let body = self.json();
        let error = body.get("error").unwrap_or_else(|| panic!("no `error` in {body}"));
        let kind = error["type"].as_str().unwrap_or_else(|| panic!("no type in {body}")).to_string();
        let code = error["code"].as_str().unwrap_or_else(|| panic!("no code in {body}")).to_string();
        assert!(error["message"].is_string(), "no message in {body}");
        (kind, code)
    }
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().to_path_buf();
    let mut app = start(data_dir).await;
    app._dir = Some(dir);
    app
}

async fn start(data_dir: PathBuf) -> TestApp {
    let config = LocalConfig::for_tests(data_dir.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (platform, _seeded) = Platform::open(config).await.expect("platform opens");
    let router = platform.router().into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    TestApp {
        base_url: format!("http://{addr}"),
        platform,
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
        data_dir,
        server,
        _dir: None,
    }
}

impl TestApp {
    /// Stops the server and starts a new one on the same data dir, as a restart would.
    pub async fn restart(mut self) -> TestApp {
        self.server.abort();
        let dir = self._dir.take();
        let data_dir = self.data_dir.clone();
        drop(self);
        let mut app = start(data_dir).await;
        app._dir = dir;
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Reply { status, headers, text }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.send(self.client.post(self.url(path)).json(body)).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Reply {
        self.send(self.client.post(self.url(path)).header("content-type", content_type).body(body)).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// The newest email to `to` in the local outbox.
    pub async fn last_email_to(&self, to: &str) -> Value {
        let mailbox = self.get("/dev/mailbox?limit=100").await.json();
        mailbox["data"]
            .as_array()
            .and_then(|mails| mails.iter().find(|m| m["to"] == to).cloned())
            .unwrap_or_else(|| panic!("no email to {to} in {mailbox}"))
    }

    /// The `token` query parameter of the first link of the newest email to `to`.
    pub async fn token_from_email(&self, to: &str) -> String {
        let mail = self.last_email_to(to).await;
        let link = mail["links"][0].as_str().unwrap_or_else(|| panic!("no link in {mail}")).to_string();
        link.split("token=").nth(1).map(|t| t.split('&').next().unwrap_or(t).to_string())
            .unwrap_or_else(|| panic!("no token in {link}"))
    }

    /// Signs up and verifies a new tenant admin; answers the signed-in session.
    pub async fn signed_up(&self, email: &str, password: &str) -> session::Session {
        let mut s = session::Session::new();
        let reply = s.post(self, "/api/v1/auth/signup", &serde_json::json!({
            "email": email, "password": password, "name": "Ada Lovelace", "organization": "Analytical Engines"
        })).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let token = self.token_from_email(email).await;
        let reply = s.post(self, "/api/v1/auth/verify-email", &serde_json::json!({"token": token})).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        s
    }
}

impl TestApp {
    /// A verified user made directly in the store, as an accepted invitation would make it.
    pub async fn user_in_store(
        &self,
        name: &str,
        email: &str,
        password: &str,
        role: domain::user::Role,
        tenant: Option<&domain::ids::TenantId>,
    ) -> domain::ids::UserId {
        use domain::user::{User, UserStatus};
        let now = self.platform.state.clock.now();
        let user = User {
            id: domain::ids::UserId::generate(now),
            email: domain::email::Email::parse(email).expect("a valid email"),
            name: name.into(),
            role,
            tenant_id: tenant.cloned(),
            status: UserStatus::Active,
            email_verified: true,
            password_hash: Some(domain::password::hash(password, 8).expect("hash")),
            created_at: now,
            version: 1,
            mfa: Default::default(),
        };
        store::repo::users::create(self.platform.state.store.as_ref(), &user, vec![]).await.expect("user created");
        user.id
    }
}
