//! The shared part of the OpenAPI 3.1 document: info, security schemes and the error shape.
//! Each function merges its own paths into it (see `health::openapi`).
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::error::{ErrorBody, ErrorDetail, ErrorType};

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
