//! The file layer, over the defaults: a corsair TOML file, with a `[server]` table (each key read
//! through its entry of the `[server]` table), a `[cors]` table whose keys are the engine's
//! setting names, a `[report_only]` table with the same keys (a candidate policy, read by the
//! same functions as `[cors]`), and an `[admin]` table. Every key is read on its own, so that
//! every problem is reported at once with its line, and every value remembers its line for
//! later findings.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use corsair::{CorsConfig, Setting, SettingValue};
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::admin::{AdminSettings, admin_key, admin_key_names};
use super::diagnostic::Diagnostic;
use super::regular_file::read_regular_file;
use super::server::{Raw, cors_table_key, server_key, server_key_names};
use super::source::{Provenance, RouteProvenance, Source};
use super::{ConfigFile, DEFAULT_CONFIG_FILE, Gathered, origins_source};

/// The tables of a corsair file.
const TABLES: [&str; 4] = ["server", "cors", "report_only", "admin"];

/// Where the file's lines are, for turning byte offsets into line numbers: the offset of each
/// line's first byte is indexed once, so that locating a value is a binary search, whatever
/// the size of the file.
struct Lines<'a> {
    path: &'a Arc<Path>,
    text: &'a str,
    /// The offset of the first byte of every line, ascending (the first line starts at 0).
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(path: &'a Arc<Path>, text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Lines { path, text, starts }
    }

    /// The 1-based line of the byte at `span.start`.
    fn line(&self, span: &Range<usize>) -> usize {
        let offset = span.start.min(self.text.len());
        // The number of lines starting at or before the offset.
        self.starts.partition_point(|&start| start <= offset)
    }

    fn source(&self, span: &Range<usize>) -> Source {
        Source::file(self.path, self.line(span))
    }
}

impl origins_source::Locate for Lines<'_> {
    fn source(&self, span: &Range<usize>) -> Source {
        Lines::source(self, span)
    }

    fn text(&self, span: &Range<usize>) -> String {
        raw_text(self.text, span)
    }
}

/// The file layer: reads the file `file` names, if any, over `values` (the defaults), and
/// records it as the file read. A file that cannot be read is a problem.
pub(super) fn apply_file(file: &ConfigFile, values: &mut Gathered, problems: &mut Vec<Diagnostic>) {
    let Some(path) = locate(file) else {
        return;
    };
    let shown: Arc<Path> = Arc::from(path.as_path());
    match read_regular_file(&path) {
        Ok(text) => problems.extend(apply(&shown, &text, values)),
        Err(e) => problems.push(Diagnostic::error(
            "config-file-unreadable",
            "--config",
            Source::Flag("--config"),
            Some(path.display().to_string()),
            format!("cannot read the configuration file: {e}"),
            "check the path, or omit --config to use ./corsair.toml or the CORS_* variables",
        )),
    }
    values.file = Some(path);
}

/// The file to read, if any.
fn locate(file: &ConfigFile) -> Option<PathBuf> {
    match file {
        ConfigFile::Named(path) => Some(path.clone()),
        ConfigFile::DefaultIfPresent => {
            let path = PathBuf::from(DEFAULT_CONFIG_FILE);
            path.is_file().then_some(path)
        }
        ConfigFile::Ignored => None,
    }
}

/// Applies the file's text over `values`, recording where each value came from. Returns every
/// problem found; values with problems are left at their defaults.
fn apply(path: &Arc<Path>, text: &str, values: &mut Gathered) -> Vec<Diagnostic> {
    let lines = Lines::new(path, text);
    let document = match DeTable::parse(text) {
        Ok(document) => document.into_inner(),
        Err(e) => {
            let source = e
                .span()
                .map(|span| lines.source(&span))
                .unwrap_or_else(|| Source::file(path, 1));
            return vec![Diagnostic::error(
                "invalid-toml",
                "file",
                source,
                None,
                format!("the file is not valid TOML: {}", e.message().trim()),
                "fix the syntax at that line (strings need quotes, lists are written [\"a\", \"b\"])",
            )];
        }
    };
    let mut problems = Vec::new();
    for (key, value) in &document {
        let source = lines.source(&key.span());
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("cors", DeValue::Table(table)) => {
                apply_policy(
                    &lines,
                    "cors",
                    table,
                    &mut values.cors,
                    &mut values.provenance,
                    Some(&mut values.origins_sources),
                    &mut problems,
                );
                apply_proxy_cors_keys(&lines, table, values, &mut problems);
            }
            ("report_only", DeValue::Table(table)) => {
                let mut candidate = CorsConfig::default();
                let mut provenance = Provenance::default();
                apply_policy(
                    &lines,
                    "report_only",
                    table,
                    &mut candidate,
                    &mut provenance,
                    None,
                    &mut problems,
                );
                values.report_only = Some(candidate);
                values.provenance.set_report_only(provenance);
            }
            ("server", DeValue::Table(table)) => {
                apply_server(&lines, table, values, &mut problems);
            }
            ("admin", DeValue::Table(table)) => apply_admin(
                &lines,
                table,
                &mut values.admin,
                &mut values.admin_sources,
                &mut problems,
            ),
            (name, _) if TABLES.contains(&name) => problems.push(Diagnostic::error(
                "invalid-type",
                name,
                source,
                None,
                format!("`{name}` must be a table"),
                format!("write the settings under a `[{name}]` line"),
            )),
            (name, _) => {
                let setting_like = Setting::from_name(name).is_some()
                    || Setting::from_django_name(name).is_some()
                    || cors_table_key(name).is_some();
                let fix = if setting_like {
                    format!("move `{name}` under the `[cors]` table")
                } else if server_key(name).is_some() {
                    format!("move `{name}` under the `[server]` table")
                } else {
                    "a corsair file has the tables `[server]`, `[cors]`, `[report_only]` and \
                     `[admin]` only"
                        .to_owned()
                };
                problems.push(Diagnostic::error(
                    "unknown-key",
                    name,
                    source,
                    None,
                    format!("`{name}` is not a corsair table"),
                    fix,
                ));
            }
        }
    }
    problems
}

/// A policy table, `[cors]` or `[report_only]` (`table`): the engine's settings and the
/// table's routes; and, for `[cors]` (`sources` is `Some`), the origins sources.
fn apply_policy(
    lines: &Lines<'_>,
    table_name: &str,
    table: &DeTable<'_>,
    cors: &mut CorsConfig,
    provenance: &mut Provenance,
    mut sources: Option<&mut origins_source::Tables>,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let source = lines.source(&key.span());
        if name == "routes" {
            apply_routes(
                lines,
                table_name,
                value,
                cors,
                provenance,
                sources.as_deref_mut(),
                problems,
            );
            continue;
        }
        if table_name == "cors" && cors_table_key(name).is_some() {
            // The proxy's own key: read by `apply_proxy_cors_keys`.
            continue;
        }
        if name == "origins_source" {
            let subject = format!("{table_name}.origins_source");
            match sources.as_deref_mut() {
                Some(tables) => {
                    tables.default = origins_source::read(&subject, value, lines, problems);
                }
                None => problems.push(origins_source_outside_cors(&subject, source)),
            }
            continue;
        }
        let Some(setting) = Setting::from_name(name) else {
            problems.push(unknown_cors_key(
                &format!("{table_name}.{name}"),
                name,
                source,
            ));
            continue;
        };
        match read_setting(lines, &qualified(table_name, setting), setting, value) {
            Ok(read) => {
                // The value was read for the setting's own kind.
                let _ = cors.set(setting, read);
                provenance.set(setting, source);
                for (element, line) in elements(lines, value) {
                    provenance.set_element(setting, element, line);
                }
            }
            Err(problem) => problems.push(*problem),
        }
    }
}

/// The proxy's keys written under `[cors]` (`refuse_disallowed_origins`): what `corsair
/// serve` does with a request the policy refuses, not a setting of the engine.
fn apply_proxy_cors_keys(
    lines: &Lines<'_>,
    table: &DeTable<'_>,
    values: &mut Gathered,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, value) in table {
        if let Some(known) = cors_table_key(key.get_ref().as_ref()) {
            let written = lines.text.get(value.span()).unwrap_or_default();
            let raw = Raw::Toml { value, written };
            values.set_server(known, &raw, lines.source(&value.span()), problems);
        }
    }
}

/// An origins source in `[report_only]`: the candidate consults the sources of `[cors]`.
fn origins_source_outside_cors(subject: &str, source: Source) -> Diagnostic {
    Diagnostic::error(
        "unknown-key",
        subject,
        source,
        None,
        "origins sources are read under [cors] and its routes only; the report-only candidate consults the tenant origins of [cors.origins_source]",
        "move the table to [cors.origins_source] (or to a [[cors.routes]] route)",
    )
}

/// How a problem names `setting` of policy table `table_name`: `allowed_origins` in `[cors]`,
/// `report_only.allowed_origins` in `[report_only]`.
fn qualified(table_name: &str, setting: Setting) -> String {
    if table_name == "cors" {
        setting.name().to_owned()
    } else {
        format!("{table_name}.{}", setting.name())
    }
}

/// The problem of a key that is not a setting, with the setting it most likely means.
fn unknown_cors_key(subject: &str, name: &str, source: Source) -> Diagnostic {
    let fix = match Setting::suggest(name) {
        _ if cors_table_key(name).is_some() => {
            format!("`{name}` is read under [cors] only, for every route: write it there once")
        }
        Some(known) => format!("did you mean `{known}`?"),
        None => format!(
            "the [cors] settings are: {}",
            Setting::ALL
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Diagnostic::error(
        "unknown-key",
        subject,
        source,
        None,
        format!("`{name}` is not a corsair setting"),
        fix,
    )
}

/// One setting's value, read with its kind through the engine's settings table (`subject`
/// names it in a problem).
fn read_setting(
    lines: &Lines<'_>,
    subject: &str,
    setting: Setting,
    value: &Spanned<DeValue<'_>>,
) -> Result<SettingValue, Box<Diagnostic>> {
    SettingValue::deserialize_for(setting, ValueDeserializer::from(value.clone())).map_err(
        |wrong| {
            Box::new(Diagnostic::error(
                "invalid-type",
                subject,
                lines.source(&value.span()),
                Some(raw_text(lines.text, &value.span())),
                wrong.to_string(),
                wrong.fix(),
            ))
        },
    )
}

/// The string elements of a list value, with their lines.
fn elements<'v>(lines: &Lines<'_>, value: &'v Spanned<DeValue<'_>>) -> Vec<(&'v str, Source)> {
    let DeValue::Array(items) = value.get_ref() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item.get_ref() {
            DeValue::String(s) => Some((s.as_ref(), lines.source(&item.span()))),
            _ => None,
        })
        .collect()
}

/// `[[cors.routes]]` (or `[[report_only.routes]]`: `table_name`): each route's `path` and the
/// settings it names, with their lines.
fn apply_routes(
    lines: &Lines<'_>,
    table_name: &str,
    value: &Spanned<DeValue<'_>>,
    cors: &mut CorsConfig,
    provenance: &mut Provenance,
    mut sources: Option<&mut origins_source::Tables>,
    problems: &mut Vec<Diagnostic>,
) {
    let fix = format!(
        "write each route as a `[[{table_name}.routes]]` table with a `path` (e.g. path = \"^/public/\") and the settings it changes"
    );
    let DeValue::Array(items) = value.get_ref() else {
        problems.push(Diagnostic::error(
            "invalid-type",
            format!("{table_name}.routes"),
            lines.source(&value.span()),
            None,
            format!("{table_name}.routes must be an array of tables"),
            fix,
        ));
        return;
    };
    let mut routes = Vec::new();
    let mut provenances = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let subject = format!("{table_name}.routes[{index}]");
        let DeValue::Table(table) = item.get_ref() else {
            problems.push(Diagnostic::error(
                "invalid-type",
                subject,
                lines.source(&item.span()),
                None,
                "a route is a table",
                fix.clone(),
            ));
            continue;
        };
        let mut route = corsair::RouteConfig::new("");
        let mut source = RouteProvenance::default();
        let mut route_source = None;
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let line = lines.source(&key.span());
            match name {
                "origins_source" => {
                    let subject = format!("{subject}.origins_source");
                    if sources.is_some() {
                        route_source = origins_source::read(&subject, value, lines, problems);
                    } else {
                        problems.push(origins_source_outside_cors(&subject, line));
                    }
                }
                "path" => match value.get_ref() {
                    DeValue::String(path) => {
                        route.path = path.to_string();
                        source.path = Some(line);
                    }
                    _ => problems.push(Diagnostic::error(
                        "invalid-type",
                        format!("{subject}.path"),
                        lines.source(&value.span()),
                        Some(raw_text(lines.text, &value.span())),
                        "a route's path must be a string (a regex of the paths it covers)",
                        "write for example path = \"^/public/\"",
                    )),
                },
                "routes" => problems.push(Diagnostic::error(
                    "unknown-key",
                    format!("{subject}.routes"),
                    line,
                    None,
                    "a route cannot have routes of its own",
                    format!("list every route as a `[[{table_name}.routes]]` table"),
                )),
                _ => {
                    let Some(setting) = Setting::from_name(name) else {
                        problems.push(unknown_cors_key(&format!("{subject}.{name}"), name, line));
                        continue;
                    };
                    let named = qualified(table_name, setting);
                    match read_setting(lines, &named, setting, value) {
                        Ok(read) => {
                            if let Ok(named) = route.clone().with(setting, read) {
                                route = named;
                            }
                            source.set(setting, line);
                            for (element, line) in elements(lines, value) {
                                source.set_element(setting, element, line);
                            }
                        }
                        Err(problem) => problems.push(*problem),
                    }
                }
            }
        }
        if source.path.is_none() {
            problems.push(Diagnostic::error(
                "route-without-path",
                subject,
                lines.source(&item.span()),
                None,
                "a route needs a `path`, a regex of the paths it covers",
                "write for example path = \"^/public/\"",
            ));
            continue;
        }
        if let (Some(tables), Some(partial)) = (sources.as_deref_mut(), route_source) {
            tables.routes.push((routes.len(), partial));
        }
        routes.push(route);
        provenances.push(source);
    }
    cors.routes = routes;
    provenance.set_routes(provenances);
}

/// `[server]`: each key read through its entry of the `[server]` table.
fn apply_server(
    lines: &Lines<'_>,
    table: &DeTable<'_>,
    values: &mut Gathered,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        if let Some(known) = cors_table_key(name) {
            problems.push(Diagnostic::error(
                "unknown-key",
                format!("server.{name}"),
                lines.source(&key.span()),
                None,
                format!("`{name}` is written under [cors], not [server]"),
                format!("move `{name} = {}` under `[cors]`", known.written),
            ));
            continue;
        }
        let Some(known) = server_key(name) else {
            let fix = match corsair::closest_name(name, server_key_names()) {
                Some(known) => format!("did you mean `{known}`?"),
                None if Setting::from_name(name).is_some() => {
                    format!("`{name}` is a CORS setting: move it under `[cors]`")
                }
                None => format!(
                    "the [server] keys are: {}",
                    server_key_names().collect::<Vec<_>>().join(", ")
                ),
            };
            problems.push(Diagnostic::error(
                "unknown-key",
                format!("server.{name}"),
                lines.source(&key.span()),
                None,
                format!("`{name}` is not a [server] key"),
                fix,
            ));
            continue;
        };
        let written = lines.text.get(value.span()).unwrap_or_default();
        let raw = Raw::Toml { value, written };
        values.set_server(known, &raw, lines.source(&value.span()), problems);
    }
}

/// `[admin]`: where the admin endpoints listen.
fn apply_admin(
    lines: &Lines<'_>,
    table: &DeTable<'_>,
    admin: &mut AdminSettings,
    admin_sources: &mut Vec<(&'static str, Source)>,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let Some(known) = admin_key(name) else {
            let fix = match corsair::closest_name(name, admin_key_names()) {
                Some(known) => format!("did you mean `{known}`?"),
                None if cors_table_key(name).is_some() => {
                    format!("`{name}` is written under [cors]: move it there")
                }
                None if server_key(name).is_some() => {
                    format!("`{name}` is a [server] key: move it under `[server]`")
                }
                None => format!(
                    "the [admin] keys are: {}",
                    admin_key_names().collect::<Vec<_>>().join(", ")
                ),
            };
            problems.push(Diagnostic::error(
                "unknown-key",
                format!("admin.{name}"),
                lines.source(&key.span()),
                None,
                format!("`{name}` is not an [admin] key"),
                fix,
            ));
            continue;
        };
        // `listen`, the table's one key.
        let source = lines.source(&value.span());
        match typed::<String>(value).and_then(|raw| raw.parse().ok()) {
            Some(address) => {
                admin.listen = Some(address);
                admin_sources.push(("listen", source));
            }
            None => problems.push(Diagnostic::error(
                "invalid-admin-value",
                "admin.listen",
                source,
                Some(raw_text(lines.text, &value.span())),
                "admin.listen must be an IP address and a port, as a string",
                format!(
                    "write `{} = {}` (a port of its own, not the proxy's; `0.0.0.0:9300` for \
                     every interface)",
                    known.name, known.written
                ),
            )),
        }
    }
}

/// Deserializes a value into `T`, or `None` when its type does not fit.
fn typed<'de, T: Deserialize<'de>>(value: &Spanned<DeValue<'de>>) -> Option<T> {
    T::deserialize(ValueDeserializer::from(value.clone())).ok()
}

/// The text of a value as written in the file (for showing it back).
fn raw_text(text: &str, span: &Range<usize>) -> String {
    text.get(span.clone()).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::ServerSettings;

    fn run(text: &str) -> (CorsConfig, Provenance, ServerSettings, Vec<Diagnostic>) {
        let (values, problems) = run_all(text);
        (values.cors, values.provenance, values.server, problems)
    }

    fn run_all(text: &str) -> (Gathered, Vec<Diagnostic>) {
        let path: Arc<Path> = Arc::from(Path::new("corsair.toml"));
        let mut values = Gathered::default();
        let problems = apply(&path, text, &mut values);
        (values, problems)
    }

    #[test]
    fn values_and_their_lines_are_read() {
        let (cors, provenance, server, problems) = run(concat!(
            "[server]\n",
            "listen = \"127.0.0.1:9000\"\n",
            "upstream_timeout = \"2s\"\n",
            "workers = 3\n",
            "[cors]\n",
            "allowed_origins = [\n",
            "  \"https://a.example\",\n",
            "  \"https://b.example/\",\n",
            "]\n",
            "allow_credentials = true\n",
        ));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(server.listen.port(), 9000);
        assert_eq!(server.upstream_timeout, std::time::Duration::from_secs(2));
        assert_eq!(server.workers, Some(3));
        assert_eq!(cors.allowed_origins.len(), 2);
        assert!(cors.allow_credentials);
        assert_eq!(
            provenance.of(Setting::AllowCredentials).to_string(),
            "corsair.toml:10"
        );
        let finding = corsair::Cors::from_config(&cors)
            .unwrap_err()
            .into_findings()
            .remove(0);
        assert_eq!(finding.value.as_deref(), Some("https://b.example/"));
        assert_eq!(
            provenance.of_finding(&finding).to_string(),
            "corsair.toml:8"
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_a_fix() {
        let (_, _, _, problems) = run(concat!(
            "[server]\n",
            "lisen = \"127.0.0.1:9000\"\n",
            "upstream = \"127.0.0.1:8000\"\n",
            "idle_timeout = \"forever\"\n",
            "workers = 0\n",
            "[cors]\n",
            "allowed_origin = []\n",
            "CORS_ALLOW_CREDENTIALS = true\n",
            "allow_credentials = \"yes\"\n",
            "preflight_max_age = -5\n",
        ));
        let table = [
            (
                "unknown-key",
                "server.lisen",
                "corsair.toml:2",
                "did you mean `listen`?",
            ),
            (
                "invalid-server-value",
                "server.upstream",
                "corsair.toml:3",
                "http://127.0.0.1:8000",
            ),
            (
                "invalid-server-value",
                "server.idle_timeout",
                "corsair.toml:4",
                "10s",
            ),
            (
                "invalid-server-value",
                "server.workers",
                "corsair.toml:5",
                "workers = 2",
            ),
            (
                "unknown-key",
                "cors.CORS_ALLOW_CREDENTIALS",
                "corsair.toml:8",
                "did you mean `allow_credentials`?",
            ),
            (
                "invalid-type",
                "allow_credentials",
                "corsair.toml:9",
                "allow_credentials = true",
            ),
            (
                "unknown-key",
                "cors.allowed_origin",
                "corsair.toml:7",
                "did you mean `allowed_origins`?",
            ),
            (
                "invalid-type",
                "preflight_max_age",
                "corsair.toml:10",
                "preflight_max_age = 600",
            ),
        ];
        assert_eq!(problems.len(), table.len(), "{problems:#?}");
        for (id, subject, source, fix) in table {
            let found = problems
                .iter()
                .find(|d| d.subject == subject)
                .unwrap_or_else(|| panic!("no diagnostic about {subject}: {problems:#?}"));
            assert_eq!(found.id, id, "{subject}");
            assert_eq!(found.source.to_string(), source, "{subject}");
            assert!(
                found.fix.contains(fix) || found.message.contains(fix),
                "{subject}: {found:?}"
            );
        }
    }

    #[test]
    fn syntax_errors_point_at_their_line() {
        let (_, _, _, problems) = run("[cors]\nallowed_origins = [\"https://a.example\"\nx = 1\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].id, "invalid-toml");
        assert!(problems[0].source.to_string().starts_with("corsair.toml:"));
    }

    #[test]
    fn keys_outside_the_tables_say_where_they_belong() {
        let (_, _, _, problems) = run("allowed_origins = []\nlisten = \"x\"\nfoo = 1\n");
        let fixes: Vec<&str> = problems.iter().map(|d| d.fix.as_str()).collect();
        assert_eq!(
            fixes,
            [
                "move `allowed_origins` under the `[cors]` table",
                "a corsair file has the tables `[server]`, `[cors]`, `[report_only]` and `[admin]` only",
                "move `listen` under the `[server]` table",
            ]
        );
    }

    #[test]
    fn the_admin_table_is_read_with_its_lines_and_problems() {
        let (values, problems) = run_all("[admin]\nlisten = \"127.0.0.1:9300\"\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(values.admin.listen, Some("127.0.0.1:9300".parse().unwrap()));
        assert_eq!(values.admin_sources[0].1.to_string(), "corsair.toml:2");

        let (_, problems) = run_all(concat!(
            "[admin]\n",
            "listen = 9300\n",
            "lisen = \"127.0.0.1:9300\"\n",
            "workers = 2\n",
            "[server]\n",
            "admin = \"x\"\n",
        ));
        let mut found: Vec<(&str, &str, String, &str)> = problems
            .iter()
            .map(|d| {
                (
                    d.id,
                    d.subject.as_str(),
                    d.source.to_string(),
                    d.fix.as_str(),
                )
            })
            .collect();
        found.sort_by(|a, b| a.2.cmp(&b.2));
        assert_eq!(
            found[..3],
            [
                (
                    "invalid-admin-value",
                    "admin.listen",
                    "corsair.toml:2".to_owned(),
                    "write `listen = \"127.0.0.1:9300\"` (a port of its own, not the proxy's; `0.0.0.0:9300` for every interface)",
                ),
                (
                    "unknown-key",
                    "admin.lisen",
                    "corsair.toml:3".to_owned(),
                    "did you mean `listen`?",
                ),
                (
                    "unknown-key",
                    "admin.workers",
                    "corsair.toml:4".to_owned(),
                    "`workers` is a [server] key: move it under `[server]`",
                ),
            ]
        );
        assert_eq!(found[3].1, "server.admin", "{found:?}");
        let (_, problems) = run_all("admin = \"127.0.0.1:9300\"\n");
        assert_eq!(problems[0].fix, "write the settings under a `[admin]` line");
    }

    #[test]
    fn the_report_only_table_is_read_like_cors_with_its_own_lines() {
        let (values, problems) = run_all(concat!(
            "[cors]\n",
            "allow_all_origins = true\n",
            "[report_only]\n",
            "allowed_origins = [\"https://app.example\"]\n",
            "allow_credentials = true\n",
            "[[report_only.routes]]\n",
            "path = \"^/public/\"\n",
            "allow_all_origins = true\n",
            "allow_credentials = false\n",
        ));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(values.cors.allow_all_origins);
        assert!(
            values.cors.allowed_origins.is_empty(),
            "[cors] is not touched"
        );
        let candidate = values.report_only.expect("a candidate");
        assert_eq!(candidate.allowed_origins, ["https://app.example"]);
        assert!(candidate.allow_credentials);
        assert_eq!(candidate.routes.len(), 1);
        assert!(candidate.routes[0].effective(&candidate).allow_all_origins);

        let (_, problems) = run_all(concat!(
            "[report_only]\n",
            "allowed_origin = []\n",
            "allow_credentials = \"yes\"\n",
            "routes = 1\n",
        ));
        let mut found: Vec<(&str, String)> = problems
            .iter()
            .map(|d| (d.subject.as_str(), d.source.to_string()))
            .collect();
        found.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            found,
            [
                ("report_only.allowed_origin", "corsair.toml:2".to_owned()),
                ("report_only.allow_credentials", "corsair.toml:3".to_owned()),
                ("report_only.routes", "corsair.toml:4".to_owned()),
            ]
        );
        let routes = problems
            .iter()
            .find(|d| d.subject == "report_only.routes")
            .unwrap();
        assert!(routes.fix.contains("[[report_only.routes]]"), "{routes:?}");
    }
}
