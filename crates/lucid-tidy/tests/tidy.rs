//! ARCHITECTURE.md's invariants, checked over the source tree.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The crates of the workspace, by folder name.
fn crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .expect("crates/ is readable")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate names in a package's normal (not dev, not build) dependency tree.
fn normal_dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .current_dir(root())
        .args([
            "tree",
            "-p",
            package,
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// The curation core does no I/O and needs no async runtime: none of these may be in its
/// (normal) dependency tree.
#[test]
fn the_core_depends_on_no_runtime_database_or_network_crate() {
    let tree = normal_dependencies("lucid-core");
    let forbidden = [
        "tokio",
        "rusqlite",
        "libsqlite3-sys",
        "reqwest",
        "hyper",
        "axum",
        "rayon",
    ];
    let found: Vec<&String> = tree
        .iter()
        .filter(|name| forbidden.contains(&name.as_str()))
        .collect();
    assert!(
        found.is_empty(),
        "lucid-core must stay pure, but depends on {found:?}"
    );
}

/// The binary users install is the product, not the toolbox: evaluation and the fake model
/// provider (an HTTP server faking Anthropic and OpenAI) are linked only into `lucid-dev` and
/// tests.
#[test]
fn the_product_binary_links_no_evaluation_or_fake_provider() {
    let tree = normal_dependencies("lucid-cli");
    assert!(
        tree.iter().any(|name| name == "lucid-core"),
        "the tree was read: {tree:?}"
    );
    let found: Vec<&String> = tree
        .iter()
        .filter(|name| matches!(name.as_str(), "lucid-eval" | "lucid-fake-provider"))
        .collect();
    assert!(found.is_empty(), "lucid-cli links {found:?}");
}

/// Every crate has a section in the code map, and every module file is named in it.
#[test]
fn every_crate_and_module_is_in_the_code_map() {
    let architecture = read(&root().join("ARCHITECTURE.md"));
    let mut missing = Vec::new();
    for name in crates() {
        if !architecture.contains(&format!("### `crates/{name}`")) {
            missing.push(format!("crate {name} (a `### `crates/{name}`` section)"));
        }
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(&name).join("src"), &mut files);
        for file in files {
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let in_bin = file.components().any(|c| c.as_os_str() == "bin");
            if matches!(stem.as_str(), "lib" | "main" | "mod") || in_bin {
                continue;
            }
            if !architecture.contains(&format!("{stem}.rs"))
                && !architecture.contains(&format!("{stem}/"))
            {
                missing.push(format!(
                    "{}",
                    file.strip_prefix(root()).unwrap_or(&file).display()
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name:\n  {}",
        missing.join("\n  ")
    );
}

/// Libraries report through return values, errors and `tracing`; only binaries print. Test
/// modules (from the first `#[cfg(test)]`) and comments are not code that ships.
#[test]
fn library_crates_do_not_print() {
    // Binaries: the product, the developer binary, the fake provider's own binary, and this
    // crate.
    let binaries = ["lucid-cli", "lucid-dev", "lucid-tidy"];
    let mut offenders = Vec::new();
    for name in crates() {
        if binaries.contains(&name.as_str()) {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(&name).join("src"), &mut files);
        for file in files {
            if file.components().any(|c| c.as_os_str() == "bin") {
                continue;
            }
            let text = read(&file);
            let shipped = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (number, line) in shipped.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                if ["println!(", "print!(", "eprintln!(", "eprint!(", "dbg!("]
                    .iter()
                    .any(|m| code.contains(m))
                {
                    offenders.push(format!(
                        "{}:{}: {}",
                        file.strip_prefix(root()).unwrap_or(&file).display(),
                        number + 1,
                        code
                    ));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "library code prints (use tracing or return the text):\n  {}",
        offenders.join("\n  ")
    );
}

/// Every library crate holds itself to the same lints (issue 12 §4): crate-private items say
/// so, public items are documented, `expect` needs a stated reason, and nothing prints. A new
/// crate that forgets them fails here rather than drifting.
#[test]
fn library_crates_turn_on_the_shared_lints() {
    let lints = [
        "#![warn(unreachable_pub)]",
        "#![warn(missing_docs)]",
        "#![warn(clippy::expect_used, clippy::print_stdout)]",
    ];
    let mut missing = Vec::new();
    for name in crates() {
        let lib = root().join("crates").join(&name).join("src/lib.rs");
        if !lib.exists() {
            continue;
        }
        let text = read(&lib);
        for lint in lints {
            if !text.contains(lint) {
                missing.push(format!("crates/{name}/src/lib.rs: {lint}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "library crates without the shared lints:\n  {}",
        missing.join("\n  ")
    );
}
