//! The repository boundary: storage is the repositories' business (`shared/store`). A file
//! under `functions/` calls repositories; it never builds a key, a condition, a query, an
//! update or a write itself, never names a key prefix (`"USER#"`, `"BACKUP#"`…) and never
//! imports the item store's building blocks. This test reads the sources and names each
//! line that crosses the line.
use std::path::{Path, PathBuf};

/// What only a repository may build.
const BUILDERS: &[&str] = &["Key::new(", "Key {", "Cond::", "Query::", "Update::", "Write::", "Item::new(", "CmpOp::", "Index::", "SkRange::", ".prefix("];

/// What a function may name from `store::ports::item_store`: the port itself, its error, the
/// page and cursor a repository answers, and the `Write` type, to carry the writes that
/// repositories build into one transaction (building one, `Write::…`, is refused above).
const ALLOWED_IMPORTS: &[&str] = &["ItemStore", "StoreError", "Page", "Cursor", "Write"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A key prefix in a string literal: capitals (and `_`) then `#`, as every key of the table
/// starts.
fn names_a_key_prefix(line: &str) -> bool {
    line.split('"').skip(1).step_by(2).any(|literal| {
        let head: String = literal.chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect();
        head.len() >= 3 && literal[head.len()..].starts_with('#')
    })
}

fn imported_building_blocks(line: &str) -> Vec<String> {
    let Some(rest) = line.trim().strip_prefix("use store::ports::item_store::") else { return Vec::new() };
    rest.trim_end_matches(';')
        .trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .map(|name| name.trim().trim_matches(|c| c == '{' || c == '}' || c == ';').to_string())
        .filter(|name| !name.is_empty() && !ALLOWED_IMPORTS.contains(&name.as_str()))
        .collect()
}

/// Every crossing in `source` (the text of `file`), one line each.
fn crossings(file: &str, source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut why: Vec<String> = BUILDERS.iter().filter(|b| code.contains(*b)).map(|b| format!("builds `{}`", b.trim_end_matches('('))).collect();
        if names_a_key_prefix(code) {
            why.push("names a key prefix".into());
        }
        why.extend(imported_building_blocks(code).into_iter().map(|name| format!("imports `{name}`")));
        if !why.is_empty() {
            found.push(format!("{file}:{}: {} — {}", n + 1, why.join(", "), line.trim()));
        }
    }
    found
}

#[test]
fn no_file_under_functions_builds_storage_itself() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let mut files = Vec::new();
    rust_files(&root.join("functions"), &mut files);
    files.sort();
    assert!(files.len() > 10, "found only {} files under functions/", files.len());
    let mut all = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let shown = path.strip_prefix(root).unwrap_or(path).display().to_string();
        all.extend(crossings(&shown, &source));
    }
    assert!(all.is_empty(), "storage built outside the repositories (move it into shared/store/src/repo):\n  {}", all.join("\n  "));
}

#[test]
fn a_planted_key_condition_prefix_or_import_is_caught() {
    let planted = r#"use store::ports::item_store::{Cond, ItemStore, Write};
fn f() { let k = Key::new(format!("USER#{id}"), "PROFILE"); store.put(item, Some(Cond::eq("v", 1))); }
let q = Query::table("x").prefix("BACKUP#");
// Key::new in a comment is fine
let fine = repo::users::get(store, &id);"#;
    let found = crossings("planted.rs", planted);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("imports `Cond`") && !found[0].contains("`Write`") && !found[0].contains("ItemStore`"));
    assert!(found[1].contains("builds `Key::new`") && found[1].contains("builds `Cond::`") && found[1].contains("names a key prefix"));
    assert!(found[2].contains("builds `Query::`") && found[2].contains("builds `.prefix`"));
}
