//! `template.yaml` checked against the workspace: every crate under `functions/` is deployed by
//! exactly one function that `sam build` can build (rust-cargolambda, arm64, provided.al2023),
//! every function has request fixtures under `events/<dir>/` that match its triggers, SQS
//! workers report partial batch failures, and the single table has the keys and settings the
//! repositories rely on. cfn-lint validates the CloudFormation itself but misses a wrong
//! `Runtime` or `FunctionResponseTypes` value, and knows nothing of the crates: hence this file.
//! It reads files only; it never deploys or builds anything.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

const FUNCTION_TYPE: &str = "AWS::Serverless::Function";

fn repo_root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .canonicalize()
        .expect("the repository root exists")
}

/// The template as YAML; CloudFormation short tags (`!Ref`, `!Sub`, ...) stay tagged values.
fn template() -> Value {
    let path = repo_root().join("template.yaml");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

fn resources_of_type<'a>(template: &'a Value, kind: &str) -> Vec<(String, &'a Value)> {
    template["Resources"]
        .as_mapping()
        .expect("template.yaml has a Resources mapping")
        .iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some(kind))
        .map(|(id, resource)| (id.as_str().expect("logical ids are strings").to_owned(), resource))
        .collect()
}

fn functions(template: &Value) -> Vec<(String, &Value)> {
    resources_of_type(template, FUNCTION_TYPE)
}

/// A function property as SAM resolves it: the function's own value, else `Globals.Function`'s.
fn effective<'a>(template: &'a Value, function: &'a Value, property: &str) -> &'a Value {
    match function["Properties"].get(property) {
        Some(value) => value,
        None => &template["Globals"]["Function"][property],
    }
}

fn binary_of(function: &Value) -> Option<&str> {
    function["Metadata"]["BuildProperties"]["Binary"].as_str()
}

/// The function crates: directory under `functions/` -> package name from its Cargo.toml.
fn function_crates() -> BTreeMap<String, String> {
    let dir = repo_root().join("functions");
    let mut crates = BTreeMap::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display())) {
        let path = entry.expect("a readable directory entry").path();
        let manifest = path.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let dir_name = path.file_name().unwrap().to_string_lossy().into_owned();
        crates.insert(dir_name, package_name(&manifest));
    }
    assert!(!crates.is_empty(), "no crate found under {}", dir.display());
    crates
}

/// `name` of the `[package]` table. A line scan: the test crate has no TOML parser, and package
/// names are plain `name = "..."` lines.
fn package_name(manifest: &Path) -> String {
    let text = fs::read_to_string(manifest).unwrap_or_else(|e| panic!("reading {}: {e}", manifest.display()));
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(rest) = line.strip_prefix("name") {
            if let Some(value) = rest.trim_start().strip_prefix('=') {
                return value.trim().trim_matches('"').to_owned();
            }
        }
    }
    panic!("{} has no [package] name", manifest.display())
}

/// The crate directory a function's binary comes from, or a description of why none does.
fn crate_dir_of(function_id: &str, function: &Value, crates: &BTreeMap<String, String>) -> String {
    let binary = binary_of(function)
        .unwrap_or_else(|| panic!("{function_id} has no Metadata.BuildProperties.Binary"));
    crates
        .iter()
        .find(|(_, name)| name.as_str() == binary)
        .map(|(dir, _)| dir.clone())
        .unwrap_or_else(|| panic!("{function_id} builds binary `{binary}`, which no crate under functions/ defines"))
}

fn fixtures_of(dir: &str) -> Vec<PathBuf> {
    let folder = repo_root().join("events").join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn events_of(function: &Value) -> Vec<(String, &Value)> {
    function["Properties"]["Events"]
        .as_mapping()
        .map(|events| {
            events
                .iter()
                .map(|(id, event)| (id.as_str().unwrap_or_default().to_owned(), event))
                .collect()
        })
        .unwrap_or_default()
}

/// Every SQS event source, as `Function.Event`, that does not ask for
/// `FunctionResponseTypes: [ReportBatchItemFailures]`. Without it Lambda ignores the
/// `SqsBatchResponse` our workers return and retries the whole batch.
fn sqs_sources_without_partial_batch_failures(template: &Value) -> Vec<String> {
    let wanted = serde_yaml::from_str::<Value>("[ReportBatchItemFailures]").unwrap();
    functions(template)
        .into_iter()
        .flat_map(|(id, function)| {
            events_of(function)
                .into_iter()
                .filter(|(_, event)| event["Type"].as_str() == Some("SQS"))
                .filter(|(_, event)| event["Properties"]["FunctionResponseTypes"] != wanted)
                .map(move |(event_id, _)| format!("{id}.{event_id}"))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn is_true(value: &Value) -> bool {
    value.as_bool() == Some(true) || value.as_str() == Some("true")
}

/// Does `path` match an HTTP API route path such as `/api/v1/invoices/{id}` or `/{proxy+}`?
fn route_matches(route: &str, path: &str) -> bool {
    let mut route_segments = route.trim_start_matches('/').split('/');
    let mut path_segments = path.trim_start_matches('/').split('/');
    loop {
        match (route_segments.next(), path_segments.next()) {
            (None, None) => return true,
            (Some(r), Some(_)) if r.starts_with('{') && r.ends_with("+}") => return true,
            (Some(r), Some(p)) if r.starts_with('{') && r.ends_with('}') && !p.is_empty() => {}
            (Some(r), Some(p)) if r == p => {}
            _ => return false,
        }
    }
}

#[test]
fn every_function_crate_is_deployed_by_exactly_one_function_built_from_its_own_directory() {
    // Arrange
    let template = template();
    let crates = function_crates();

    for (dir, crate_name) in &crates {
        // Act
        let deploying: Vec<(String, &Value)> = functions(&template)
            .into_iter()
            .filter(|(_, function)| binary_of(function) == Some(crate_name.as_str()))
            .collect();

        // Assert
        assert_eq!(
            deploying.len(),
            1,
            "functions/{dir} (crate `{crate_name}`) must be deployed by exactly one {FUNCTION_TYPE} \
             with Metadata.BuildProperties.Binary: {crate_name}; found {:?}",
            deploying.iter().map(|(id, _)| id).collect::<Vec<_>>()
        );
        let (id, function) = &deploying[0];
        // sam build runs `cargo lambda build --bin <Binary>` in CodeUri: from the workspace
        // root cargo would only search `default-members` and not find the bin.
        assert_eq!(
            function["Properties"]["CodeUri"].as_str(),
            Some(format!("functions/{dir}").as_str()),
            "{id}: CodeUri must be the crate directory functions/{dir}"
        );
    }
}

#[test]
fn every_function_in_the_template_builds_a_crate_of_the_workspace() {
    let template = template();
    let crates = function_crates();
    for (id, function) in functions(&template) {
        // Panics with the reason when the Binary names no crate.
        crate_dir_of(&id, function, &crates);
    }
}

#[test]
fn every_function_is_a_cargo_lambda_build_on_provided_al2023_arm64_with_the_bootstrap_handler() {
    let template = template();
    let arm64 = serde_yaml::from_str::<Value>("[arm64]").unwrap();
    let functions = functions(&template);
    assert!(!functions.is_empty(), "template.yaml declares no {FUNCTION_TYPE}");

    for (id, function) in functions {
        assert_eq!(
            function["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{id}: Metadata.BuildMethod"
        );
        assert_eq!(
            effective(&template, function, "Runtime").as_str(),
            Some("provided.al2023"),
            "{id}: Runtime (own or Globals)"
        );
        assert_eq!(effective(&template, function, "Architectures"), &arm64, "{id}: Architectures (own or Globals)");
        assert_eq!(
            effective(&template, function, "Handler").as_str(),
            Some("bootstrap"),
            "{id}: Handler (own or Globals)"
        );
    }
}

#[test]
fn every_sqs_event_source_reports_batch_item_failures() {
    let missing = sqs_sources_without_partial_batch_failures(&template());
    assert!(
        missing.is_empty(),
        "these SQS event sources lack FunctionResponseTypes: [ReportBatchItemFailures]: {missing:?}"
    );
}

#[test]
fn the_partial_batch_failure_check_catches_a_worker_that_forgot_it() {
    // Arrange: the template pattern of a worker, once right and once without the setting.
    let worker = serde_yaml::from_str::<Value>(
        r#"
Resources:
  GoodWorker:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt GoodQueue.Arn
            FunctionResponseTypes: [ReportBatchItemFailures]
  ForgetfulWorker:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt OtherQueue.Arn
"#,
    )
    .unwrap();

    // Act
    let missing = sqs_sources_without_partial_batch_failures(&worker);

    // Assert
    assert_eq!(missing, vec!["ForgetfulWorker.Jobs".to_owned()]);
}

#[test]
fn every_function_has_at_least_one_json_fixture_under_events() {
    let template = template();
    let crates = function_crates();
    for (id, function) in functions(&template) {
        let dir = crate_dir_of(&id, function, &crates);
        let fixtures = fixtures_of(&dir);
        assert!(!fixtures.is_empty(), "{id}: no fixture under events/{dir}/ (add at least one *.json payload)");
        for fixture in fixtures {
            let text = fs::read_to_string(&fixture).unwrap();
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", fixture.display()));
        }
    }
}

#[test]
fn every_fixture_of_an_http_function_is_an_api_gateway_request_for_one_of_its_routes() {
    let template = template();
    let crates = function_crates();
    for (id, function) in functions(&template) {
        let routes: Vec<(String, String)> = events_of(function)
            .into_iter()
            .filter(|(_, event)| event["Type"].as_str() == Some("HttpApi"))
            .map(|(event_id, event)| {
                let method = event["Properties"]["Method"].as_str().unwrap_or("ANY").to_uppercase();
                let path = event["Properties"]["Path"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{id}.{event_id} has no Path"))
                    .to_owned();
                (method, path)
            })
            .collect();
        if routes.is_empty() {
            continue;
        }
        let dir = crate_dir_of(&id, function, &crates);
        for fixture in fixtures_of(&dir) {
            let text = fs::read_to_string(&fixture).unwrap();
            let request = lambda_http::request::from_str(&text).unwrap_or_else(|e| {
                panic!("{} is not an API Gateway request lambda_http accepts: {e}", fixture.display())
            });
            let (method, path) = (request.method().as_str(), request.uri().path());
            assert!(
                routes
                    .iter()
                    .any(|(m, route)| (m == "ANY" || m == method) && route_matches(route, path)),
                "{}: {method} {path} is not a route of {id} ({routes:?})",
                fixture.display()
            );
        }
    }
}

#[test]
fn every_schedule_input_is_a_fixture_of_its_function() {
    let template = template();
    let crates = function_crates();
    for (id, function) in functions(&template) {
        for (event_id, event) in events_of(function) {
            if !matches!(event["Type"].as_str(), Some("Schedule" | "ScheduleV2")) {
                continue;
            }
            let Some(input) = event["Properties"]["Input"].as_str() else {
                continue;
            };
            let input: serde_json::Value = serde_json::from_str(input)
                .unwrap_or_else(|e| panic!("{id}.{event_id}: Input is not JSON: {e}"));
            let dir = crate_dir_of(&id, function, &crates);
            let covered = fixtures_of(&dir).iter().any(|fixture| {
                serde_json::from_str::<serde_json::Value>(&fs::read_to_string(fixture).unwrap()).ok()
                    == Some(input.clone())
            });
            assert!(covered, "{id}.{event_id}: no fixture under events/{dir}/ is its Input {input}");
        }
    }
}

#[test]
fn every_function_gets_the_environment_the_code_reads() {
    let template = template();
    let variables = &template["Globals"]["Function"]["Environment"]["Variables"];
    for name in ["TABLE_NAME", "PUBLIC_URL", "MAIL_FROM", "DOTMAC_SIGNING_SECRET", "DOTMAC_TOKEN_KEY_ID", "RUST_LOG"] {
        assert!(variables.get(name).is_some(), "Globals.Function.Environment.Variables lacks {name}");
    }
    assert_eq!(variables["AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH"].as_str(), Some("true"));
    // The secret's value must come from Secrets Manager at deploy time, never be written down.
    let Value::Tagged(secret) = &variables["DOTMAC_SIGNING_SECRET"] else {
        panic!("DOTMAC_SIGNING_SECRET must be a !Sub of a {{{{resolve:secretsmanager:...}}}} reference");
    };
    assert!(
        secret.value.as_str().is_some_and(|s| s.starts_with("{{resolve:secretsmanager:")),
        "DOTMAC_SIGNING_SECRET must be a dynamic reference to the generated secret"
    );
}

#[test]
fn the_single_table_has_its_keys_both_indexes_ttl_and_point_in_time_recovery() {
    // Arrange
    let template = template();
    let tables = resources_of_type(&template, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1, "the platform has exactly one table");
    let table = &tables[0].1["Properties"];
    let key_schema = |hash: &str, range: &str| {
        serde_yaml::from_str::<Value>(&format!(
            "[{{AttributeName: {hash}, KeyType: HASH}}, {{AttributeName: {range}, KeyType: RANGE}}]"
        ))
        .unwrap()
    };

    // Assert: the primary key
    assert_eq!(table["KeySchema"], key_schema("PK", "SK"), "table KeySchema");
    let attribute_types: BTreeMap<&str, &str> = table["AttributeDefinitions"]
        .as_sequence()
        .expect("AttributeDefinitions")
        .iter()
        .map(|a| (a["AttributeName"].as_str().unwrap(), a["AttributeType"].as_str().unwrap()))
        .collect();
    for attribute in ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"] {
        assert_eq!(attribute_types.get(attribute), Some(&"S"), "{attribute} must be a string attribute");
    }

    // Assert: both global secondary indexes, every attribute projected
    let indexes = table["GlobalSecondaryIndexes"].as_sequence().expect("GlobalSecondaryIndexes");
    for name in ["GSI1", "GSI2"] {
        let index = indexes
            .iter()
            .find(|index| index["IndexName"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("index {name} is missing"));
        assert_eq!(index["KeySchema"], key_schema(&format!("{name}PK"), &format!("{name}SK")), "{name} KeySchema");
        assert_eq!(index["Projection"]["ProjectionType"].as_str(), Some("ALL"), "{name} projection");
    }

    // Assert: expiry, backups, billing
    assert_eq!(
        table["TimeToLiveSpecification"]["AttributeName"].as_str(),
        Some("ttl"),
        "TTL must be on the `ttl` attribute"
    );
    assert!(is_true(&table["TimeToLiveSpecification"]["Enabled"]), "TTL must be enabled");
    assert!(
        is_true(&table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]),
        "point-in-time recovery must be on"
    );
    assert_eq!(table["BillingMode"].as_str(), Some("PAY_PER_REQUEST"), "BillingMode");
}

#[test]
fn route_paths_match_their_parameters_and_nothing_else() {
    assert!(route_matches("/healthz", "/healthz"));
    assert!(route_matches("/api/v1/invoices/{id}", "/api/v1/invoices/inv_01"));
    assert!(route_matches("/{proxy+}", "/api/v1/anything/at/all"));
    assert!(!route_matches("/api/v1/invoices/{id}", "/api/v1/invoices"));
    assert!(!route_matches("/api/v1/invoices/{id}", "/api/v1/invoices/inv_01/pdf"));
    assert!(!route_matches("/healthz", "/api/v1/openapi.json"));
}
