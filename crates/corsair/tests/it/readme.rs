//! The README's settings table is generated from the settings table: names, environment
//! variables, flags, defaults and meanings can never drift from the code.
//! `CORSAIR_BLESS=1 cargo test -p corsair --test it readme::` rewrites it.

use corsair::Setting;

const START: &str = "<!-- settings-table:";
const END: &str = "<!-- /settings-table -->";

fn rendered() -> String {
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

#[test]
fn the_readme_settings_table_is_the_settings_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme
        .find(START)
        .expect("the README has the table's start marker");
    let body_start = start + readme[start..].find('\n').unwrap() + 1;
    let end = readme
        .find(END)
        .expect("the README has the table's end marker");
    let current = &readme[body_start..end];
    let expected = rendered();
    if current != expected {
        if std::env::var_os("CORSAIR_BLESS").is_some() {
            let updated = format!("{}{expected}{}", &readme[..body_start], &readme[end..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        panic!(
            "the README's settings table is out of date: run `CORSAIR_BLESS=1 cargo test -p corsair --test it readme::`\nexpected:\n{expected}"
        );
    }
}
