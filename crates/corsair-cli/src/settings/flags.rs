//! The command-line flags that override CORS settings, the highest-precedence layer. There is
//! one flag per setting, generated from the engine's settings table (its name, its style and
//! its help), so a new setting gets its flag without a line here.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use corsair::{CorsConfig, FlagStyle, Setting, SettingKind, SettingValue};

use super::source::{Provenance, Source};

/// The CORS flags given on the command line, in the settings table's order. A flag that is
/// given replaces the setting's value from the file and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsFlags {
    given: Vec<(Setting, SettingValue)>,
}

impl CorsFlags {
    /// Flags as if given on the command line.
    #[cfg(test)]
    pub fn given(values: impl IntoIterator<Item = (Setting, SettingValue)>) -> CorsFlags {
        CorsFlags {
            given: values.into_iter().collect(),
        }
    }

    /// Applies the flags that were given over `config`, recording them as sources.
    pub fn apply(&self, config: &mut CorsConfig, provenance: &mut Provenance) {
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
