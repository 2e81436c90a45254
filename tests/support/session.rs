//! A cookie-keeping client for journey tests: it stores what `Set-Cookie` says (honouring
//! `Max-Age=0`), sends the cookies back, and adds `X-CSRF-Token` from `dm_csrf` on unsafe
//! requests as the portal's pages do. The cookies are `Secure`, so reqwest's own store would
//! not send them over http; this keeps them by hand.
use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::Value;

use crate::{Reply, TestApp};

#[derive(Debug, Clone, Default)]
pub struct Session {
    pub cookies: BTreeMap<String, String>,
    /// Send `X-CSRF-Token` on unsafe requests (turn off to test CSRF refusal).
    pub send_csrf: bool,
}

impl Session {
    pub fn new() -> Self {
        Session { cookies: BTreeMap::new(), send_csrf: true }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    fn absorb(&mut self, reply: &Reply) {
        for value in reply.headers.get_all("set-cookie") {
            let Ok(text) = value.to_str() else { continue };
            let mut parts = text.split(';');
            let Some((name, val)) = parts.next().and_then(|p| p.split_once('=')) else { continue };
            let cleared = parts.any(|p| p.trim() == "Max-Age=0");
            if cleared || val.is_empty() {
                self.cookies.remove(name.trim());
            } else {
                self.cookies.insert(name.trim().to_string(), val.to_string());
            }
        }
    }

    pub async fn request(&mut self, app: &TestApp, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let mut request = app.client.request(method.clone(), app.url(path));
        if !self.cookies.is_empty() {
            let header: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header("cookie", header.join("; "));
        }
        if self.send_csrf && !matches!(method, Method::GET | Method::HEAD) {
            if let Some(csrf) = self.cookie("dm_csrf") {
                request = request.header("x-csrf-token", csrf);
            }
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let reply = app.send(request).await;
        self.absorb(&reply);
        reply
    }

    pub async fn get(&mut self, app: &TestApp, path: &str) -> Reply {
        self.request(app, Method::GET, path, None).await
    }

    pub async fn post(&mut self, app: &TestApp, path: &str, body: &Value) -> Reply {
        self.request(app, Method::POST, path, Some(body)).await
    }
}
