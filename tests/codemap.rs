//! `ARCHITECTURE.md` stays true: every path it names exists, every test file and folder is in
//! its map with the right answer to "does it drive real Terraform?", every folder of `src/` is
//! described, and the boundaries table holds in the imports of every source file.
//!
//! Runs in process: it reads files, never builds or starts anything.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const MAP: &str = "ARCHITECTURE.md";

/// Calls into the Terraform harness (`tests/support/mod.rs`) that start real Terraform CLIs.
/// A test file using any of them drives real Terraform.
const TERRAFORM_HARNESS: &[&str] = &[
    "terraforms()",
    "oldest_and_newest()",
    "for_each_terraform(",
    "supporting(",
    "newest_terraform()",
    "newest_native_terraform()",
    ".workdir()",
];

/// Top-level folders whose paths the map may name.
const ROOTS: &[&str] = &[
    "src/",
    "tests/",
    "benches/",
    "examples/",
    "docs/",
    "scripts/",
    "proto/",
    "fuzz/",
    ".ci/",
    ".cargo/",
];

/// Endings that make a backticked word a file name.
const FILE_ENDINGS: &[&str] = &[
    ".rs", ".md", ".toml", ".tf", ".sh", ".py", ".json", ".hcl", ".txt", ".proto",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn map_text() -> String {
    fs::read_to_string(root().join(MAP)).unwrap_or_else(|e| panic!("reading {MAP}: {e}"))
}

/// Every file below `dir` (relative to the repository, `/`-separated), skipping build output
/// and hidden tool folders.
fn files_below(dir: &Path) -> Vec<String> {
    let base = root();
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | ".git" | ".tools" | "node_modules") {
                    todo.push(path);
                }
            } else if let Ok(rel) = path.strip_prefix(&base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// The words the map puts in backticks, with the folder of the `###` section they stand in.
fn backticked(map: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    let mut in_code_block = false;
    for line in map.lines() {
        if line.starts_with("```") {
            in_code_block = !in_code_block;
            continue;
        }
        if in_code_block {
            continue;
        }
        let words: Vec<String> = line
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        if line.starts_with("## ") {
            section = None;
        } else if line.starts_with("### ") {
            section = words
                .iter()
                .find(|w| w.ends_with('/'))
                .cloned()
                .or_else(|| words.first().cloned());
        }
        out.extend(words.into_iter().map(|w| (w, section.clone())));
    }
    out
}

/// Whether a backticked word claims to be a path of this repository.
fn names_a_path(word: &str) -> bool {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
    plain
        && !word.starts_with('/')
        && (!word.starts_with('.') || ROOTS.iter().any(|r| word.starts_with(r)))
        && !word.contains("::")
        && (ROOTS.iter().any(|r| word.starts_with(r))
            || FILE_ENDINGS.iter().any(|e| word.ends_with(e)))
}

/// Finds `word` as the map means it: from the repository root, from the section's folder, or
/// (for a short name like `create.rs` or `support/sim.rs`) as the tail of some file's path.
fn resolves(word: &str, section: Option<&str>, files: &[String]) -> bool {
    let exists = |p: &str| {
        let t = p.trim_end_matches('/');
        files
            .iter()
            .any(|f| f == t || f.starts_with(&format!("{t}/")))
    };
    if exists(word) {
        return true;
    }
    if let Some(dir) = section.filter(|s| s.ends_with('/'))
        && exists(&format!("{dir}{word}"))
    {
        return true;
    }
    let tail = format!("/{}", word.trim_end_matches('/'));
    files
        .iter()
        .any(|f| f.ends_with(&tail) || f.contains(&format!("{tail}/")))
}

#[test]
fn every_path_the_map_names_exists() {
    let files = files_below(&root());
    let missing: Vec<String> = backticked(&map_text())
        .into_iter()
        .filter(|(w, _)| names_a_path(w))
        .filter(|(w, s)| !resolves(w, s.as_deref(), &files))
        .map(|(w, s)| format!("`{w}` (in section {})", s.unwrap_or_default()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        missing.is_empty(),
        "{MAP} names paths that do not exist:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn every_source_folder_is_described() {
    let map = map_text();
    let named: BTreeSet<String> = backticked(&map).into_iter().map(|(w, _)| w).collect();
    let dirs: BTreeSet<String> = files_below(&root().join("src"))
        .iter()
        .filter_map(|f| f.rsplit_once('/').map(|(d, _)| d.to_owned()))
        .collect();
    let undescribed: Vec<&String> = dirs
        .iter()
        .filter(|d| {
            let leaf = d.rsplit('/').next().unwrap_or(d);
            !named.iter().any(|w| {
                w.trim_end_matches('/') == d.as_str()
                    || w == &format!("{leaf}/")
                    || w.contains(&format!("{leaf}/"))
            })
        })
        .collect();
    assert!(
        undescribed.is_empty(),
        "{MAP} never names these folders of src/: {undescribed:?}"
    );
}

/// The rows of the tests table: file name and its Terraform column.
fn test_table(map: &str) -> Vec<(String, bool)> {
    map.lines()
        .filter(|l| l.starts_with("| `") && l.contains(".rs` |"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.trim_matches('`').to_owned();
            if name.contains('/') {
                return None; // a row of the boundaries table
            }
            let terraform = match *cells.get(3)? {
                "yes" => true,
                "no" => false,
                other => panic!("{MAP}: Terraform column of `{name}` says {other:?}"),
            };
            Some((name, terraform))
        })
        .collect()
}

/// Whether the test file `name` starts Terraform. This file lists the harness's entry points
/// without calling them.
fn drives_terraform(name: &str, source: &str) -> bool {
    name != "codemap.rs" && TERRAFORM_HARNESS.iter().any(|m| source.contains(m))
}

#[test]
fn every_test_file_is_in_the_map_with_whether_it_drives_real_terraform() {
    let map = map_text();
    let table = test_table(&map);
    let dir = root().join("tests");
    let mut problems = Vec::new();
    let mut on_disk = BTreeSet::new();
    for entry in fs::read_dir(&dir).expect("tests/").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            if !map.contains(&format!("`{name}/`")) {
                problems.push(format!("support folder tests/{name}/ is not named"));
            }
            continue;
        }
        if !name.ends_with(".rs") {
            continue;
        }
        on_disk.insert(name.clone());
        let source = fs::read_to_string(&path).unwrap_or_default();
        match table.iter().find(|(n, _)| *n == name) {
            None => problems.push(format!("tests/{name} is not in the tests table")),
            Some((_, said)) if *said != drives_terraform(&name, &source) => problems.push(format!(
                "tests/{name}: the table says Terraform {}, the code {}",
                if *said { "yes" } else { "no" },
                if *said { "starts none" } else { "starts it" },
            )),
            Some(_) => {}
        }
    }
    for (name, _) in &table {
        if !on_disk.contains(name) {
            problems.push(format!("the tests table names tests/{name}, which is gone"));
        }
    }
    assert!(problems.is_empty(), "{MAP}:\n  {}", problems.join("\n  "));
}

/// One row of the boundaries table.
struct Boundary {
    folder: String,
    may_import: BTreeSet<String>,
    grpc: bool,
}

fn boundaries(map: &str) -> Vec<Boundary> {
    let start = map
        .find("## Boundaries")
        .unwrap_or_else(|| panic!("{MAP} has no Boundaries section"));
    map[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| `src/"))
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let words = |c: &str| -> BTreeSet<String> {
                c.split('`').skip(1).step_by(2).map(str::to_owned).collect()
            };
            Boundary {
                folder: cells[1].trim_matches('`').to_owned(),
                may_import: words(cells[2]),
                grpc: cells[3] == "yes",
            }
        })
        .collect()
}

/// The top-level modules a source file reaches through `crate::`, in code and doc links alike.
fn crate_modules(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the names at depth one.
            let mut depth = 1;
            let mut word = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => at_start = true,
                    c if depth == 1 && at_start && (c.is_alphanumeric() || c == '_') => {
                        word.push(c)
                    }
                    _ if depth == 1 && !word.is_empty() => {
                        out.insert(std::mem::take(&mut word));
                        at_start = false;
                    }
                    _ => {}
                }
            }
            if !word.is_empty() {
                out.insert(word);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn uses_grpc(source: &str) -> bool {
    ["tonic::", "prost::", "use tonic", "use prost"]
        .iter()
        .any(|m| source.contains(m))
}

#[test]
fn no_source_file_imports_across_a_boundary() {
    let rows = boundaries(&map_text());
    assert!(rows.len() >= 8, "the Boundaries table lost rows");
    let mut problems = Vec::new();
    let mut covered = 0;
    for file in files_below(&root().join("src")) {
        if !file.ends_with(".rs") {
            continue;
        }
        let Some(row) = rows
            .iter()
            .find(|r| file == r.folder || file.starts_with(&r.folder))
        else {
            continue;
        };
        covered += 1;
        let own = row
            .folder
            .trim_start_matches("src/")
            .trim_end_matches('/')
            .trim_end_matches(".rs")
            .to_owned();
        let source = fs::read_to_string(root().join(&file)).unwrap_or_default();
        // Items of the crate root (`crate::VERSION`) belong to no layer.
        let modules = crate_modules(&source)
            .into_iter()
            .filter(|m| !m.starts_with(|c: char| c.is_ascii_uppercase()));
        for module in modules {
            if module != own && !row.may_import.contains(&module) {
                problems.push(format!("{file} uses crate::{module}"));
            }
        }
        if uses_grpc(&source) && !row.grpc {
            problems.push(format!("{file} uses gRPC types"));
        }
    }
    assert!(
        covered > 50,
        "only {covered} source files matched the table"
    );
    assert!(
        problems.is_empty(),
        "imports that cross {MAP}'s boundaries:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_import_reader_sees_grouped_and_nested_paths() {
    let found = crate_modules(
        "use crate::{cty::Value, framework::{A, B}, untrusted};\n/// [x](crate::sim::y)\n",
    );
    let want: BTreeSet<String> = ["cty", "framework", "untrusted", "sim"]
        .map(str::to_owned)
        .into();
    assert_eq!(found, want);
}

/// The longest a source file may be, its tests aside: a room a person can hold.
const MAX_SOURCE_LINES: usize = 800;

#[test]
fn no_source_file_is_longer_than_a_person_can_hold_tests_aside() {
    let too_long: Vec<String> = files_below(&root().join("src"))
        .into_iter()
        .filter(|f| f.ends_with(".rs") && !f.ends_with("tests.rs"))
        .filter_map(|f| {
            let text = fs::read_to_string(root().join(&f)).ok()?;
            // A unit-test module inside the file does not count.
            let code = text.split("\n#[cfg(test)]\nmod tests {").next()?;
            let lines = code.lines().count();
            (lines > MAX_SOURCE_LINES).then(|| format!("{f}: {lines} lines"))
        })
        .collect();
    assert!(
        too_long.is_empty(),
        "over {MAX_SOURCE_LINES} lines: {too_long:?}"
    );
}
