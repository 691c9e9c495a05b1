//! The README's tables of settings and of finding ids are generated from the settings table and
//! the registry of finding ids: names, environment variables, flags, defaults, meanings and ids
//! can never drift from the code. `CORSAIR_BLESS=1 cargo test -p corsair --test it readme::`
//! rewrites them.

use corsair::{FindingId, Setting};

fn settings_table() -> String {
    let mut table = String::from(
        "| setting | environment variable | `corsair serve` flag | default | meaning |\n|---|---|---|---|---|\n",
    );
    for setting in Setting::ALL {
        table.push_str(&format!(
            "| `{}` | `{}` | `{}` | `{}` | {} |\n",
            setting.name(),
            setting.env_var(),
            setting.flag(),
            setting.default_text(),
            setting.summary()
        ));
    }
    table
}

fn finding_ids_table() -> String {
    let mut table = String::from("| id | reported for |\n|---|---|\n");
    for id in FindingId::ALL {
        table.push_str(&format!("| `{id}` | {} |\n", id.when()));
    }
    table
}

/// Checks that the README's lines between the line that starts with `start` and the line `end`
/// are `expected`; with `CORSAIR_BLESS` set, writes them instead.
fn check_generated(what: &str, start: &str, end: &str, expected: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme
        .find(start)
        .unwrap_or_else(|| panic!("the README has the {what}'s start marker"));
    let body_start = start + readme[start..].find('\n').unwrap() + 1;
    let end = readme
        .find(end)
        .unwrap_or_else(|| panic!("the README has the {what}'s end marker"));
    let current = &readme[body_start..end];
    if current != expected {
        if std::env::var_os("CORSAIR_BLESS").is_some() {
            let updated = format!("{}{expected}{}", &readme[..body_start], &readme[end..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        panic!(
            "the README's {what} is out of date: run `CORSAIR_BLESS=1 cargo test -p corsair --test it readme::`\nexpected:\n{expected}"
        );
    }
}

#[test]
fn the_readme_settings_table_is_the_settings_table() {
    check_generated(
        "settings table",
        "<!-- settings-table:",
        "<!-- /settings-table -->",
        &settings_table(),
    );
}

#[test]
fn the_readme_finding_ids_are_the_registry() {
    check_generated(
        "table of finding ids",
        "<!-- finding-ids:",
        "<!-- /finding-ids -->",
        &finding_ids_table(),
    );
}
