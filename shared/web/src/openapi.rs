//! The shared part of the OpenAPI 3.1 document: info, security schemes and the error shape.
//! Each function merges its own paths into it (see `health::openapi`).
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail, ErrorType};

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An access JWT or an API key (`dm_live_…`)"))
                    .build(),
            ),
        );
        components.add_security_scheme("cookie", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("dm_access"))));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "DotMac Platform API", version = "1", description = "The HTTP contract of DotMac Platform: platform admin, tenant portal and partner portal."),
    components(schemas(ErrorBody, ErrorDetail, ErrorType)),
    modifiers(&Security)
)]
struct Base;

/// The document every function's paths are merged into.
pub fn base() -> utoipa::openapi::OpenApi {
    Base::openapi()
}

/// Documents, on every operation, the refusals its declaration implies, with the error
/// schema: 401 and 403 where the route's rule needs a caller, 400/413/415/422 where it
/// takes a JSON body, 400 where it reads query parameters, 404 where its path names a
/// resource. Route-specific refusals (409, 412, 429) stay in each handler's
/// `#[utoipa::path]`. Derived from the same `RouteDecl`s the guard enforces and the same
/// extractors the handlers use, so the document cannot drift from what the routes answer.
pub fn document_refusals(doc: &mut utoipa::openapi::OpenApi, table: &[crate::module::RouteDecl]) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::security::SecurityRequirement;
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            ("GET", &mut item.get),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("PATCH", &mut item.patch),
            ("DELETE", &mut item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation.as_mut() else { continue };
            let rule = table.iter().find(|r| r.method == method && r.path == path).and_then(|r| r.rule);
            let mut refusals: Vec<(&str, &str)> = Vec::new();
            if rule.is_some_and(|r| r.needs_caller()) {
                // Either credential works: a bearer token (programs) or the session cookie.
                operation.security = Some(vec![
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                    SecurityRequirement::new("cookie", Vec::<String>::new()),
                ]);
                refusals.push(("401", "`unauthenticated`: no valid session or token"));
                refusals.push(("403", "`insufficient_role`, `csrf_failed`, or the tenant is suspended"));
            }
            if operation.request_body.is_some() {
                refusals.push(("400", "`malformed_json` or `invalid_field`: a body that is not the schema's JSON object"));
                refusals.push(("413", "`payload_too_large`"));
                refusals.push(("415", "`unsupported_media_type`: the body is not `application/json`"));
                refusals.push(("422", "`invalid_field`: a value outside its domain"));
            }
            let reads_query = operation.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Query);
            if reads_query {
                refusals.push(("400", "`invalid_parameter` or `invalid_cursor`"));
            }
            if path.contains('{') {
                refusals.push(("400", "`invalid_parameter`: a malformed id in the path"));
                refusals.push(("404", "`not_found`, also for another tenant's resource"));
            }
            for (status, description) in refusals {
                operation.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(description));
            }
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
        .into()
}
