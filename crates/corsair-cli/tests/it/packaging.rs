//! What crates.io shows of each published crate: its manifest's metadata, and its README,
//! whose Rust example must be one of the crate's own doctests (so `cargo test --doc` proves it
//! true). `scripts/test-all` packages and builds the crates themselves (`cargo package`).

use std::path::Path;

const CRATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The crates published on crates.io; corsair-python is the wheel's module, published on PyPI.
const PUBLISHED: &[&str] = &[
    "corsair",
    "corsair-browser",
    "corsair-django",
    "corsair-cli",
];

fn manifest(krate: &str) -> toml::Table {
    let text = std::fs::read_to_string(Path::new(CRATES).join(krate).join("Cargo.toml")).unwrap();
    text.parse().unwrap()
}

#[test]
fn every_published_crate_has_its_crates_io_metadata() {
    for krate in PUBLISHED {
        let manifest = manifest(krate);
        let package = manifest["package"].as_table().unwrap();
        for key in [
            "description",
            "license",
            "repository",
            "rust-version",
            "readme",
        ] {
            assert!(package.contains_key(key), "{krate}: no {key}");
        }
        let keywords = package["keywords"].as_array().unwrap();
        assert!(
            (1..=5).contains(&keywords.len()),
            "{krate}: 1 to 5 keywords"
        );
        for keyword in keywords {
            let keyword = keyword.as_str().unwrap();
            assert!(
                keyword.len() <= 20 && keyword.starts_with(|c: char| c.is_ascii_alphabetic()),
                "{krate}: {keyword}"
            );
        }
        assert!(
            !package["categories"].as_array().unwrap().is_empty(),
            "{krate}"
        );
        assert!(package.get("publish").is_none(), "{krate} is published");
        let docs_rs = &package["metadata"]["docs"]["rs"];
        assert_eq!(docs_rs["all-features"].as_bool(), Some(true), "{krate}");
        let readme = package["readme"].as_str().unwrap();
        let text = std::fs::read_to_string(Path::new(CRATES).join(krate).join(readme)).unwrap();
        assert!(
            text.contains("https://github.com/corsair-rs/corsair#"),
            "{krate}: a link to the project's README"
        );
    }
    let python = manifest("corsair-python");
    assert_eq!(python["package"]["publish"].as_bool(), Some(false));
}

/// The lines of the first ```rust block of `markdown`.
fn rust_block(markdown: &str) -> Option<Vec<&str>> {
    let mut lines = markdown.lines().skip_while(|l| *l != "```rust").skip(1);
    let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
    (!block.is_empty()).then_some(block)
}

/// The doctests of a crate's `//!` documentation, as a reader sees them (hidden `# ` lines
/// left out).
fn visible_doc_lines(lib: &str) -> Vec<&str> {
    lib.lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .filter(|l| !l.starts_with("# "))
        .collect()
}

#[test]
fn each_crates_readme_example_is_one_of_its_doctests() {
    for krate in ["corsair", "corsair-browser", "corsair-django"] {
        let dir = Path::new(CRATES).join(krate);
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        let example = rust_block(&readme).unwrap_or_else(|| panic!("{krate}: no ```rust block"));
        let doc = visible_doc_lines(&lib);
        assert!(
            doc.windows(example.len()).any(|w| w == example),
            "{krate}/README.md's example is not a doctest of src/lib.rs: copy it from there"
        );
    }
}
