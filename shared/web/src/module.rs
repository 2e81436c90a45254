//! Modules as data. Each function crate exports one `Module`: its routes (each API route with
//! its permission rule), its part of the OpenAPI document, the sections of the portals'
//! navigation it serves, its queue workers and its scheduled jobs. The local server, the
//! permissions guard, the OpenAPI document and the tests iterate the list of modules, so
//! adding a journey is adding one crate and one line (`dotmac_local::modules`).
//!
//! Routes are declared through `Routes`, which records every `(method, path, rule)` as it
//! adds the route to the axum router: the table the guard enforces, the paths the OpenAPI
//! document must describe and the events `template.yaml` must route are the router's own
//! routes, not a second list kept by hand.
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::http::Method;
use axum::routing::MethodRouter;
use domain::permissions::Rule;
use store::ports::queue::QueueName;

use crate::AppState;
use crate::kit::Portal;

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// One route of a module: a method, a path template as axum writes it, and who may call it.
/// Pages (`rule: None`) authenticate themselves and redirect to sign in instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteDecl {
    pub method: &'static str,
    pub path: &'static str,
    pub rule: Option<Rule>,
}

impl RouteDecl {
    pub fn is_api(&self) -> bool {
        self.rule.is_some()
    }
}

/// A router being built, and the table of what it routes.
pub struct Routes<S = AppState> {
    router: Router<S>,
    table: Vec<RouteDecl>,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Routes { router: Router::new(), table: Vec::new() }
    }
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self::default()
    }

    /// An API route: `handler` serves `method` on `path`, for callers `rule` allows.
    pub fn api(mut self, method: Method, path: &'static str, rule: Rule, handler: MethodRouter<S>) -> Self {
        self.table.push(RouteDecl { method: method_name(&method), path, rule: Some(rule) });
        self.router = self.router.route(path, handler);
        self
    }

    /// A page route (`GET` shows, `POST` submits a form): outside the API and its matrix.
    pub fn page(mut self, method: Method, path: &'static str, handler: MethodRouter<S>) -> Self {
        self.table.push(RouteDecl { method: method_name(&method), path, rule: None });
        self.router = self.router.route(path, handler);
        self
    }

    /// Another set of routes of the same state, e.g. a function's pages.
    pub fn merge(mut self, other: Routes<S>) -> Self {
        self.table.extend(other.table);
        self.router = self.router.merge(other.router);
        self
    }

    pub fn table(&self) -> &[RouteDecl] {
        &self.table
    }

    /// Hands the routes their state; the table stays.
    pub fn with_state<S2>(self, state: S) -> Routes<S2> {
        Routes { router: self.router.with_state(state), table: self.table }
    }

    pub fn into_parts(self) -> (Router<S>, Vec<RouteDecl>) {
        (self.router, self.table)
    }
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        // Routes are declared with the constants above; anything else is not ours.
        _ => "UNKNOWN",
    }
}

/// What a module's routes are built from: the platform's state, and the auth function's
/// signing secret (only `auth` reads it; the other modules ignore it).
#[derive(Clone)]
pub struct Deps {
    pub app: AppState,
    pub auth_secret: Arc<[u8]>,
}

/// One queue's consumer: the same per-message function the worker Lambda calls.
#[derive(Clone, Copy)]
pub struct Worker {
    pub queue: QueueName,
    pub handle: fn(AppState, String) -> BoxFuture<Result<(), String>>,
}

/// A scheduled job: an EventBridge schedule in AWS, the local scheduler loop on one machine.
#[derive(Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub every_seconds: i64,
    pub run: fn(AppState) -> BoxFuture<Result<(), String>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("name", &self.name).field("every_seconds", &self.every_seconds).finish()
    }
}

impl PartialEq for Job {
    fn eq(&self, other: &Job) -> bool {
        self.name == other.name
    }
}

/// A function crate, as data.
#[derive(Clone, Copy)]
pub struct Module {
    /// The crate's name: `functions/<name>` in the workspace and the `CodeUri` of its
    /// function in `template.yaml`.
    pub name: &'static str,
    /// Its routes, built on the platform's dependencies (None for queue and schedule
    /// functions).
    pub routes: Option<fn(&Deps) -> Routes<()>>,
    /// Work to do once before serving (publishing a key, say).
    pub init: Option<fn(Deps) -> BoxFuture<Result<(), String>>>,
    /// Its part of the OpenAPI document.
    pub openapi: Option<fn() -> utoipa::openapi::OpenApi>,
    /// The navigation sections it serves, per portal (see `pages::nav`).
    pub nav: &'static [(Portal, &'static str)],
    pub workers: &'static [Worker],
    pub jobs: &'static [Job],
}

impl Module {
    /// A module with nothing yet: fill in what the function has with struct update syntax.
    pub const fn named(name: &'static str) -> Module {
        Module { name, routes: None, init: None, openapi: None, nav: &[], workers: &[], jobs: &[] }
    }
}

/// Every module's routes on one router, with the union of their tables.
pub fn mount(modules: &[Module], deps: &Deps) -> Routes<()> {
    modules.iter().filter_map(|m| m.routes.map(|routes| routes(deps))).fold(Routes::new(), Routes::merge)
}

/// The platform's OpenAPI document: the shared components, then each module's paths, with
/// every refusal their declarations imply (`openapi::document_refusals`).
pub fn openapi(modules: &[Module], deps: &Deps) -> utoipa::openapi::OpenApi {
    let mut doc = crate::openapi::base();
    for part in modules.iter().filter_map(|m| m.openapi) {
        doc.merge(part());
    }
    crate::openapi::document_refusals(&mut doc, mount(modules, deps).table());
    doc
}
