//! The command-line flags, the highest-precedence layer: one per CORS setting, generated from
//! the engine's settings table (its name, its style and its help); one per `[server]` key that
//! has a flag, generated from the `[server]` table; and `--admin-listen`. A new setting or key
//! gets its flag without a line here.

use std::ffi::OsString;
use std::fmt;
use std::net::SocketAddr;

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use corsair::{CorsConfig, FlagStyle, Setting, SettingKind, SettingValue};

use super::Gathered;
use super::diagnostic::Diagnostic;
use super::server::{Flag, Key, Raw, SERVER_KEYS};
use super::source::{Provenance, Source};
use super::userinfo::redact_userinfo;

/// Every flag of a load: the `[server]` keys', `--admin-listen` and the CORS settings', in the
/// order `corsair serve --help` lists them. `check` and `lint` give none.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct Flags {
    /// `--listen`, `--upstream` and the other `[server]` flags.
    #[command(flatten)]
    pub server: ServerFlags,
    /// Serve /metrics, /healthz, /readyz and /policy on this address (never the proxy's own)
    /// [default: off].
    #[arg(long, value_name = "ADDR")]
    pub admin_listen: Option<SocketAddr>,
    /// One flag per CORS setting.
    #[command(flatten)]
    pub cors: Box<CorsFlags>,
}

impl Flags {
    /// Applies the flags that were given over `values`, recording them as sources; a value
    /// that its key refuses is a problem.
    pub(super) fn apply(&self, values: &mut Gathered, problems: &mut Vec<Diagnostic>) {
        self.cors.apply(&mut values.cors, &mut values.provenance);
        for (key, text) in &self.server.given {
            let Some(flag) = key.flag else { continue };
            values.set_server(key, &Raw::Text(text), Source::Flag(flag.long), problems);
        }
        if let Some(listen) = self.admin_listen {
            values.admin.listen = Some(listen);
            values
                .admin_sources
                .push(("listen", Source::Flag("--admin-listen")));
        }
    }
}

/// The `[server]` flags given on the command line (`--listen`, `--upstream`, ...), in the
/// table's order, each as written: clap checked its form, and its key reads it as it reads the
/// file's value. `Debug` never shows a URL's password.
#[derive(Clone, Default)]
pub(crate) struct ServerFlags {
    given: Vec<(&'static Key, OsString)>,
}

impl ServerFlags {
    /// Flags as if given on the command line: key names and values.
    #[cfg(test)]
    pub(crate) fn given<'a>(values: impl IntoIterator<Item = (&'a str, &'a str)>) -> ServerFlags {
        let given = values
            .into_iter()
            .map(|(name, value)| {
                let key = super::server::server_key(name).expect("a [server] key");
                (key, OsString::from(value))
            })
            .collect();
        ServerFlags { given }
    }
}

impl fmt::Debug for ServerFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.given
                    .iter()
                    .map(|(key, text)| (key.name, redact_userinfo(&text.to_string_lossy()))),
            )
            .finish()
    }
}

/// The keys that have a flag, with it.
fn flagged() -> impl Iterator<Item = (&'static Key, &'static Flag)> {
    SERVER_KEYS
        .iter()
        .filter_map(|key| Some((key, key.flag.as_ref()?)))
}

/// The flag of one `[server]` key, as clap declares it.
fn server_flag(key: &Key, flag: &Flag) -> Arg {
    Arg::new(key.name)
        .long(flag.long.trim_start_matches("--"))
        .value_name(flag.value_name)
        .help(flag.help)
        .action(ArgAction::Set)
        .value_parser((flag.checked_as)())
}

impl Args for ServerFlags {
    fn augment_args(command: Command) -> Command {
        flagged().fold(command, |command, (key, flag)| {
            command.arg(server_flag(key, flag))
        })
    }

    fn augment_args_for_update(command: Command) -> Command {
        ServerFlags::augment_args(command)
    }
}

impl FromArgMatches for ServerFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = ServerFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for (key, _) in flagged() {
            if let Some(text) = matches
                .get_raw(key.name)
                .and_then(|mut values| values.next())
            {
                self.given.retain(|(given, _)| given.name != key.name);
                self.given.push((key, text.to_owned()));
            }
        }
        Ok(())
    }
}

/// The CORS flags given on the command line, in the settings table's order. A flag that is
/// given replaces the setting's value from the file and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CorsFlags {
    given: Vec<(Setting, SettingValue)>,
}

impl CorsFlags {
    /// Flags as if given on the command line.
    #[cfg(test)]
    pub(crate) fn given(values: impl IntoIterator<Item = (Setting, SettingValue)>) -> CorsFlags {
        CorsFlags {
            given: values.into_iter().collect(),
        }
    }

    /// Applies the flags that were given over `config`, recording them as sources.
    pub(crate) fn apply(&self, config: &mut CorsConfig, provenance: &mut Provenance) {
        for (setting, value) in &self.given {
            // Each value was read with its setting's kind.
            if config.set(*setting, value.clone()).is_ok() {
                provenance.set(*setting, Source::Flag(setting.flag()));
            }
        }
    }
}

/// The flag of one setting, as clap declares it.
fn flag(setting: Setting) -> Arg {
    let arg = Arg::new(setting.name())
        .long(setting.flag().trim_start_matches("--"))
        .help(setting.summary().replace('`', ""));
    match (setting.flag_style(), setting.kind()) {
        (FlagStyle::Switch, _) => arg.action(ArgAction::SetTrue),
        (FlagStyle::CommaSeparated, _) => arg
            .action(ArgAction::Append)
            .value_delimiter(',')
            .value_name("LIST"),
        (FlagStyle::OnePerFlag, _) => arg.action(ArgAction::Append).value_name("VALUE"),
        (_, SettingKind::Seconds) => arg
            .action(ArgAction::Set)
            .value_parser(clap::value_parser!(u64))
            .value_name("SECS"),
        (_, SettingKind::Bool) => arg
            .action(ArgAction::Set)
            .value_parser(clap::value_parser!(bool))
            .value_name("true|false"),
        _ => arg.action(ArgAction::Set).value_name("VALUE"),
    }
}

impl Args for CorsFlags {
    fn augment_args(command: Command) -> Command {
        Setting::ALL
            .iter()
            .fold(command, |command, &setting| command.arg(flag(setting)))
    }

    fn augment_args_for_update(command: Command) -> Command {
        CorsFlags::augment_args(command)
    }
}

impl FromArgMatches for CorsFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = CorsFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for &setting in Setting::ALL {
            let id = setting.name();
            let value = match (setting.flag_style(), setting.kind()) {
                (FlagStyle::Switch, _) => matches.get_flag(id).then_some(SettingValue::Bool(true)),
                (_, SettingKind::List) => matches
                    .get_many::<String>(id)
                    .map(|items| SettingValue::List(trimmed(items))),
                (_, SettingKind::Seconds) => matches
                    .get_one::<u64>(id)
                    .copied()
                    .map(SettingValue::Seconds),
                (_, SettingKind::Bool) => {
                    matches.get_one::<bool>(id).copied().map(SettingValue::Bool)
                }
                _ => matches
                    .get_one::<String>(id)
                    .cloned()
                    .map(SettingValue::Text),
            };
            if let Some(value) = value {
                self.given.retain(|(given, _)| *given != setting);
                self.given.push((setting, value));
            }
        }
        Ok(())
    }
}

/// The items without surrounding spaces and without empty ones (`GET, POST,` → `GET`, `POST`).
fn trimmed<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    items
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> CorsFlags {
        let command = CorsFlags::augment_args(Command::new("serve"));
        let matches = command
            .try_get_matches_from(std::iter::once("serve").chain(args.iter().copied()))
            .unwrap();
        CorsFlags::from_arg_matches(&matches).unwrap()
    }

    #[test]
    fn every_setting_has_its_flag() {
        let command = CorsFlags::augment_args(Command::new("serve"));
        for setting in Setting::ALL {
            let long = setting.flag().trim_start_matches("--");
            assert!(
                command.get_arguments().any(|a| a.get_long() == Some(long)),
                "{setting}"
            );
        }
    }

    #[test]
    fn given_flags_replace_values_and_become_their_source() {
        let flags = parse(&[
            "--allow-origin",
            "http://localhost:8080",
            "--allow-methods",
            "GET, POST,",
            "--max-age",
            "0",
            "--allow-origin-regex",
            r"https://[a-z]{1,3}\.example\.com",
        ]);
        let mut config = CorsConfig::default();
        config.allowed_origins = vec!["https://from-file.example".into()];
        let mut provenance = Provenance::default();
        flags.apply(&mut config, &mut provenance);
        assert_eq!(config.allowed_origins, ["http://localhost:8080"]);
        assert_eq!(config.allow_methods, ["GET", "POST"]);
        assert_eq!(config.preflight_max_age, 0);
        assert_eq!(
            config.allowed_origin_regexes,
            [r"https://[a-z]{1,3}\.example\.com"],
            "a regex is never split at its commas"
        );
        assert!(
            !config.allow_credentials,
            "an absent switch changes nothing"
        );
        assert_eq!(
            provenance.of(Setting::AllowedOrigins),
            Source::Flag("--allow-origin")
        );
        assert_eq!(provenance.of(Setting::AllowCredentials), Source::Default);
    }

    /// `corsair serve`'s flags, parsed from `args`.
    fn parse_all(args: &[&str]) -> Flags {
        let command = Flags::augment_args(Command::new("serve"));
        let matches = command
            .try_get_matches_from(std::iter::once("serve").chain(args.iter().copied()))
            .unwrap();
        Flags::from_arg_matches(&matches).unwrap()
    }

    #[test]
    fn every_server_flag_is_read_by_its_key_and_named_as_the_source() {
        // Each flag at its key's example, as `--help` and the fixes write it.
        let args: Vec<String> = flagged()
            .flat_map(|(key, flag)| [flag.long, key.written.trim_matches('"')])
            .map(str::to_owned)
            .collect();
        let flags = parse_all(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let mut values = Gathered::default();
        let mut problems = Vec::new();
        flags.apply(&mut values, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let set: Vec<(&str, Source)> = values.server_sources.clone();
        let expected: Vec<(&str, Source)> = flagged()
            .map(|(key, flag)| (key.name, Source::Flag(flag.long)))
            .collect();
        assert_eq!(set, expected);
        assert_eq!(values.server.workers, Some(2));
        assert_eq!(
            values.server.tls_files(),
            Some((
                std::path::Path::new("/etc/corsair/fullchain.pem"),
                std::path::Path::new("/etc/corsair/privkey.pem")
            ))
        );
    }

    #[test]
    fn a_server_flag_its_key_refuses_is_a_problem_with_the_flags_fix() {
        let flags = parse_all(&["--workers", "5000", "--upstream", "localhost:8000"]);
        let mut values = Gathered::default();
        let mut problems = Vec::new();
        flags.apply(&mut values, &mut problems);
        let found: Vec<(&str, String, &str)> = problems
            .iter()
            .map(|p| (p.subject.as_str(), p.source.to_string(), p.fix.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "server.upstream",
                    "command-line flag --upstream".to_owned(),
                    "write `--upstream http://127.0.0.1:8000`"
                ),
                (
                    "server.workers",
                    "command-line flag --workers".to_owned(),
                    "write `--workers 2`"
                ),
            ]
        );
        assert_eq!(
            problems[1].message,
            "server.workers = 5000: must be between 1 and 1024"
        );
        assert!(values.server_sources.is_empty());
    }

    #[test]
    fn passwords_of_flags_are_never_shown() {
        let table = [
            ("http://user:secret@host", "http://user:***@host"),
            (
                "https://user:secret@host:8443/p?q",
                "https://user:***@host:8443/p?q",
            ),
            // The last `@` ends the userinfo (tokio-postgres reads it across `/`).
            ("http://secret@host/a@b", "http://***@b"),
            ("http://user:S3cr3t/Pw@host", "http://user:***@host"),
        ];
        for (raw, shown) in table {
            let flags = parse_all(&["--upstream", raw]);
            let debug = format!("{flags:?}");
            assert!(debug.contains(shown), "{debug}");
            assert!(
                !debug.contains("secret") && !debug.contains("S3cr3t"),
                "{debug}"
            );
            let mut problems = Vec::new();
            flags.apply(&mut Gathered::default(), &mut problems);
            assert_eq!(problems[0].value.as_deref(), Some(shown));
        }
    }

    #[test]
    fn repeated_and_switch_flags() {
        let flags = parse(&[
            "--allow-origin",
            "https://a.example,https://b.example",
            "--allow-origin",
            "https://c.example",
            "--allow-credentials",
        ]);
        let mut config = CorsConfig::default();
        flags.apply(&mut config, &mut Provenance::default());
        assert_eq!(
            config.allowed_origins,
            [
                "https://a.example",
                "https://b.example",
                "https://c.example"
            ]
        );
        assert!(config.allow_credentials);
    }
}
