//! The workspace's layers, read from the manifests: `shared/` crates depend only on the
//! crates below them (domain ← store ← adapters ← web), and no crate under `functions/`
//! depends on another function crate. (The compiler already refuses a circle between
//! crates; this refuses the edges that would make the layers lie.)
use std::path::{Path, PathBuf};

const LAYERS: [&str; 4] = ["domain", "store", "adapters", "web"];

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).to_path_buf()
}

/// The names under `[dependencies]` (not dev- or build-dependencies) of a manifest.
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("reading {}: {e}", manifest.display()));
    let mut in_dependencies = false;
    let mut names = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && let Some((name, _)) = line.split_once(['=', '.']) {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                names.push(name.to_string());
            }
        }
    }
    names
}

fn function_crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("functions"))
        .expect("functions/")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn shared_crates_depend_only_on_the_layers_below_them() {
    for (i, layer) in LAYERS.iter().enumerate() {
        let deps = dependencies(&root().join("shared").join(layer).join("Cargo.toml"));
        for dep in deps.iter().filter(|d| LAYERS.contains(&d.as_str())) {
            let below = LAYERS[..i].contains(&dep.as_str());
            assert!(below, "shared/{layer} depends on `{dep}`, which is not below it ({:?})", &LAYERS[..i]);
        }
        for function in function_crates() {
            assert!(!deps.contains(&function), "shared/{layer} depends on the function crate `{function}`");
        }
    }
}

#[test]
fn no_function_crate_depends_on_another() {
    let functions = function_crates();
    assert!(functions.len() >= 7, "{functions:?}");
    for function in &functions {
        let deps = dependencies(&root().join("functions").join(function).join("Cargo.toml"));
        let others: Vec<&String> = deps.iter().filter(|d| functions.contains(d) && *d != function).collect();
        assert!(others.is_empty(), "functions/{function} depends on other function crates: {others:?}");
    }
}
