//! One route, one truth: the routes each module's router serves (as its `Routes` recorded
//! them) are exactly the OpenAPI document's operations (for API routes), the permissions
//! table's rows, and the `HttpApi` events of that module's function in `template.yaml`, in
//! both directions. A route missing from the template works locally and in every other test,
//! then 404s in AWS: this is the test that says so, naming what is missing where.
use std::collections::BTreeSet;

use dotmac_local::MODULES;
use serde_yaml::Value;
use web::module::{Deps, Module, RouteDecl};

/// `(method, path)` of a route, as the template and the OpenAPI document write them.
type Route = (String, String);

fn deps() -> Deps {
    let (app, _clock) = web::testing::state();
    Deps { app, auth_secret: b"routes test secret".to_vec().into() }
}

fn table_of(module: &Module) -> Vec<RouteDecl> {
    module.routes.map(|routes| routes(&deps()).table().to_vec()).unwrap_or_default()
}

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

/// An `HttpApi` event of the template: which function, method (or `ANY`) and path.
#[derive(Debug, Clone)]
struct Event {
    function: String,
    binary: String,
    method: String,
    path: String,
}

fn http_events(template: &Value) -> Vec<Event> {
    let mut events = Vec::new();
    for (id, resource) in template["Resources"].as_mapping().expect("Resources").iter() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let function = id.as_str().unwrap_or_default().to_string();
        let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap_or_default().to_string();
        let Some(declared) = resource["Properties"]["Events"].as_mapping() else { continue };
        for (_, event) in declared {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let method = event["Properties"]["Method"].as_str().unwrap_or("ANY").to_uppercase();
            let path = event["Properties"]["Path"].as_str().unwrap_or_default().to_string();
            events.push(Event { function: function.clone(), binary: binary.clone(), method, path });
        }
    }
    events
}

/// How API Gateway ranks the routes that match a request: a literal segment beats a
/// parameter, a parameter beats a greedy `{proxy+}`, and a method beats `ANY`. `None` when
/// the event does not match at all.
fn specificity(event: &Event, method: &str, path: &str) -> Option<(usize, usize, bool)> {
    if event.method != "ANY" && event.method != method {
        return None;
    }
    let concrete: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let pattern: Vec<&str> = event.path.trim_start_matches('/').split('/').collect();
    let (mut literal, mut params) = (0, 0);
    for (i, segment) in pattern.iter().enumerate() {
        if segment.starts_with('{') && segment.ends_with("+}") {
            return (i < concrete.len()).then_some((literal, params, event.method != "ANY"));
        }
        let other = concrete.get(i)?;
        if segment.starts_with('{') && segment.ends_with('}') {
            params += 1;
        } else if segment == other {
            literal += 1;
        } else {
            return None;
        }
    }
    (pattern.len() == concrete.len()).then_some((literal + 1_000, params, event.method != "ANY"))
}

/// The event API Gateway would route `method path` to.
fn routed<'a>(events: &'a [Event], method: &str, path: &str) -> Option<&'a Event> {
    // A route's own `{param}` stands for any value: try it with a value no literal uses.
    let concrete: String = path
        .split('/')
        .map(|s| if s.starts_with('{') { "x-param-value" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    events.iter().filter_map(|e| specificity(e, method, &concrete).map(|s| (s, e))).max_by_key(|(s, _)| *s).map(|(_, e)| e)
}

/// What is wrong between the modules' routes and the template's events, in words.
fn template_mismatches(modules: &[(&str, Vec<RouteDecl>)], events: &[Event]) -> Vec<String> {
    let mut problems = Vec::new();
    for (module, table) in modules {
        for route in table {
            match routed(events, route.method, route.path) {
                None => problems.push(format!(
                    "{} {} is served by the `{module}` router but template.yaml has no HttpApi event for it: add one to {module}'s function",
                    route.method, route.path
                )),
                Some(event) if event.binary != *module => problems.push(format!(
                    "{} {} is served by the `{module}` router but template.yaml routes it to {} ({} {})",
                    route.method, route.path, event.function, event.method, event.path
                )),
                Some(_) => {}
            }
        }
    }
    for event in events {
        let served = modules.iter().filter(|(module, _)| *module == event.binary).any(|(_, table)| {
            table.iter().any(|r| routed(std::slice::from_ref(event), r.method, r.path).is_some())
        });
        if !served {
            problems.push(format!(
                "template.yaml routes {} {} to {}, but no route of the `{}` router serves it: remove the event or add the route",
                event.method, event.path, event.function, event.binary
            ));
        }
    }
    problems
}

fn openapi_operations() -> BTreeSet<Route> {
    let doc = serde_json::to_value(web::module::openapi(MODULES, &deps())).expect("the document serializes");
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete" | "head" | "options") {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

#[test]
fn every_route_of_every_module_has_its_event_in_the_template_and_every_event_its_route() {
    // GIVEN every module's routes and the template's HttpApi events
    let modules: Vec<(&str, Vec<RouteDecl>)> = MODULES.iter().map(|m| (m.name, table_of(m))).collect();
    let events = http_events(&template());
    // WHEN each is looked up in the other
    let problems = template_mismatches(&modules, &events);
    // THEN nothing is missing on either side
    assert!(problems.is_empty(), "routes and template.yaml disagree:\n  {}", problems.join("\n  "));
}

#[test]
fn the_openapi_document_describes_exactly_the_api_routes() {
    let routes: BTreeSet<Route> = MODULES
        .iter()
        .flat_map(table_of)
        .filter(RouteDecl::is_api)
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let documented = openapi_operations();
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(undocumented.is_empty(), "API routes missing from the OpenAPI document (add their #[utoipa::path] to the module's openapi): {undocumented:?}");
    assert!(unrouted.is_empty(), "OpenAPI operations no router serves: {unrouted:?}");
}

#[test]
fn every_api_route_has_one_permission_row_and_pages_have_none() {
    let mut seen = BTreeSet::new();
    for module in MODULES {
        for route in table_of(module) {
            assert!(seen.insert((route.method, route.path)), "{} {} is declared twice", route.method, route.path);
            let is_api_path = route.path.starts_with("/api/") || route.path == "/healthz";
            assert_eq!(route.rule.is_some(), is_api_path, "{} {} in `{}`: API routes carry a rule, pages none", route.method, route.path, module.name);
        }
    }
}

#[test]
fn api_paths_by_prefix_follow_the_law() {
    use domain::permissions::Rule;
    for route in MODULES.iter().flat_map(table_of) {
        let Some(rule) = route.rule else { continue };
        if route.path.starts_with("/api/v1/admin/") {
            assert_eq!(rule, Rule::PlatformAdmin, "{}", route.path);
        }
        if route.path.starts_with("/api/v1/tenant/") {
            assert!(matches!(rule, Rule::TenantRead | Rule::TenantAdmin), "{}", route.path);
        }
        if route.path.starts_with("/api/v1/partner/") {
            assert_eq!(rule, Rule::Partner, "{}", route.path);
        }
    }
}

#[test]
fn a_route_missing_from_the_template_is_named_with_its_module() {
    // GIVEN a module with one route the template does not route, and an event no route serves
    let table = vec![
        RouteDecl { method: "GET", path: "/api/v1/things", rule: Some(domain::permissions::Rule::SignedIn) },
        RouteDecl { method: "POST", path: "/api/v1/things/{id}/frob", rule: Some(domain::permissions::Rule::SignedIn) },
    ];
    let event = |method: &str, path: &str| Event { function: "ThingsFunction".into(), binary: "things".into(), method: method.into(), path: path.into() };
    let events = vec![event("GET", "/api/v1/things"), event("DELETE", "/api/v1/things/{id}")];
    // WHEN they are compared
    let problems = template_mismatches(&[("things", table)], &events);
    // THEN both directions are reported
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("POST /api/v1/things/{id}/frob is served by the `things` router but template.yaml has no HttpApi event"));
    assert!(problems[1].contains("template.yaml routes DELETE /api/v1/things/{id} to ThingsFunction"));
}

#[test]
fn a_greedy_route_catches_what_no_more_specific_route_takes() {
    let event = |function: &str, method: &str, path: &str| Event { function: function.into(), binary: function.into(), method: method.into(), path: path.into() };
    let events = vec![event("auth", "ANY", "/auth/{proxy+}"), event("team", "GET", "/auth/accept-invitation")];
    assert_eq!(routed(&events, "GET", "/auth/accept-invitation").map(|e| e.function.as_str()), Some("team"));
    assert_eq!(routed(&events, "POST", "/auth/accept-invitation").map(|e| e.function.as_str()), Some("auth"));
    assert_eq!(routed(&events, "GET", "/auth/login").map(|e| e.function.as_str()), Some("auth"));
    assert_eq!(routed(&events, "GET", "/dashboard").map(|e| e.function.as_str()), None);
}

#[test]
fn the_navigation_shows_exactly_the_sections_the_modules_serve_and_each_is_a_page() {
    use std::collections::BTreeSet;
    use web::kit::Portal;
    let portals = [Portal::Admin, Portal::Tenant, Portal::Partner];
    let declared: BTreeSet<(String, &str)> =
        MODULES.iter().flat_map(|m| m.nav.iter()).map(|(portal, section)| (portal.label().to_string(), *section)).collect();
    let shown: BTreeSet<(String, &str)> = portals
        .iter()
        .flat_map(|p| web::pages::nav::sections(*p).iter().map(move |item| (p.label().to_string(), item.section)))
        .collect();
    assert_eq!(shown, declared, "web::pages::nav and the modules' `nav` disagree");
    let pages: BTreeSet<&str> = MODULES.iter().flat_map(table_of).filter(|r| r.rule.is_none() && r.method == "GET").map(|r| r.path).collect();
    for portal in portals {
        for item in web::pages::nav::sections(portal) {
            assert!(pages.contains(item.href), "the {} menu links {} to {}, which no module serves", portal.label(), item.label, item.href);
        }
    }
}
