//! The OpenAPI document that `health` serves is a file, `functions/health/openapi.json`,
//! generated from every module (so `health` links none of them). This test regenerates it
//! and fails when the file is stale; `UPDATE_OPENAPI=1 cargo test -p journeys --test api
//! openapi_file` rewrites it.
use dotmac_local::MODULES;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions/health/openapi.json");

fn generated() -> String {
    let (app, _clock) = web::testing::state();
    let deps = web::module::Deps { app, auth_secret: b"openapi file".to_vec().into() };
    let doc = web::module::openapi(MODULES, &deps);
    let mut text = serde_json::to_string_pretty(&doc).expect("the document serializes");
    text.push('\n');
    text
}

#[test]
fn the_served_openapi_document_is_the_one_the_modules_generate() {
    let fresh = generated();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(FILE, &fresh).expect("writing the OpenAPI file");
        return;
    }
    let stored = std::fs::read_to_string(FILE).expect("reading the OpenAPI file");
    assert!(
        stored == fresh,
        "functions/health/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p journeys --test api openapi_file` and commit it"
    );
}

#[test]
fn health_serves_the_file_as_is() {
    assert_eq!(health::OPENAPI_JSON, std::fs::read_to_string(FILE).expect("reading the OpenAPI file"));
}
