//! Where each setting's value came from: a line of the configuration file, an environment
//! variable, a command-line flag, or the built-in default.
//!
//! Every problem corsair reports points at one of these, so that the user knows which of the
//! four layers to edit.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use corsair::{Finding, Setting};

/// The origin of one value.
///
/// ```ignore
/// let source = Source::File { path: "corsair.toml".into(), line: 7 };
/// assert_eq!(source.to_string(), "corsair.toml:7");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// Nobody set it: the built-in default applies.
    Default,
    /// A line of the configuration file (1-based).
    File {
        /// The file, as the user named it (or `corsair.toml` when found by default).
        path: Arc<Path>,
        /// The line of the key or of the list element.
        line: usize,
    },
    /// An environment variable.
    Env(String),
    /// A command-line flag (`--allow-origin`).
    Flag(&'static str),
}

impl Source {
    /// A file source.
    pub(crate) fn file(path: &Arc<Path>, line: usize) -> Source {
        Source::File {
            path: Arc::clone(path),
            line,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("built-in default"),
            Source::File { path, line } => write!(f, "{}:{line}", path.display()),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::Flag(flag) => write!(f, "command-line flag {flag}"),
        }
    }
}

/// The source of every CORS setting, and of each element of the list settings that came from
/// the file (so that a finding about one origin points at that origin's line); and those of the
/// report-only candidate policy (`[report_only]`), whose findings point at its own lines.
#[derive(Debug, Clone, Default)]
pub(crate) struct Provenance {
    settings: BTreeMap<Setting, Source>,
    elements: BTreeMap<(Setting, String), Source>,
    /// The sources of each route of `[[cors.routes]]`, in order.
    routes: Vec<RouteProvenance>,
    /// The sources of the `[report_only]` table's settings and routes, when it has one.
    report_only: Option<Box<Provenance>>,
}

/// Where a route and the settings it names were written.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteProvenance {
    /// The route's `path` line.
    pub path: Option<Source>,
    settings: BTreeMap<Setting, Source>,
    elements: BTreeMap<(Setting, String), Source>,
}

impl RouteProvenance {
    /// Records that the route names `setting`, written at `source`.
    pub(crate) fn set(&mut self, setting: Setting, source: Source) {
        self.settings.insert(setting, source);
    }

    /// Records the source of one element of a list the route names.
    pub(crate) fn set_element(&mut self, setting: Setting, element: &str, source: Source) {
        self.elements
            .entry((setting, element.to_owned()))
            .or_insert(source);
    }
}

impl Provenance {
    /// Records that `setting` was set by `source`, replacing what a lower layer recorded.
    pub(crate) fn set(&mut self, setting: Setting, source: Source) {
        self.elements.retain(|(s, _), _| *s != setting);
        self.settings.insert(setting, source);
    }

    /// Records the source of one element of a list setting.
    pub(crate) fn set_element(&mut self, setting: Setting, element: &str, source: Source) {
        self.elements
            .entry((setting, element.to_owned()))
            .or_insert(source);
    }

    /// Where `setting` came from.
    pub(crate) fn of(&self, setting: Setting) -> Source {
        self.settings
            .get(&setting)
            .cloned()
            .unwrap_or(Source::Default)
    }

    /// Where `value` of `setting` came from: its own line when it is an element of a list
    /// written in the file, else the setting's source.
    pub(crate) fn of_value(&self, setting: Setting, value: &str) -> Source {
        self.elements
            .get(&(setting, value.to_owned()))
            .cloned()
            .unwrap_or_else(|| self.of(setting))
    }

    /// Records the sources of the routes (replacing what a lower layer recorded).
    pub(crate) fn set_routes(&mut self, routes: Vec<RouteProvenance>) {
        self.routes = routes;
    }

    /// Records the sources of the report-only candidate policy (`[report_only]`).
    pub(crate) fn set_report_only(&mut self, candidate: Provenance) {
        self.report_only = Some(Box::new(candidate));
    }

    /// Where each setting that is not at its default came from (the enforced policy's, not the
    /// candidate's).
    pub(crate) fn sources(&self) -> impl Iterator<Item = &Source> {
        self.settings.values()
    }

    /// Where the value a finding is about came from (see [`Provenance::of_value`]): on a route,
    /// the route's own line when it names the setting (or for its path), else the default
    /// policy's; for a finding of the report-only candidate, the same in `[report_only]`.
    pub(crate) fn of_finding(&self, finding: &Finding) -> Source {
        self.policy_of(finding).map_or(Source::Default, |policy| {
            policy.of_setting_in(finding, finding.setting, finding.value.as_deref())
        })
    }

    /// Where the related setting of a finding (if any) came from.
    pub(crate) fn of_related(&self, finding: &Finding) -> Option<Source> {
        let related = finding.related?;
        Some(self.policy_of(finding).map_or(Source::Default, |policy| {
            policy.of_setting_in(finding, related, None)
        }))
    }

    /// The sources of the policy a finding is about: the enforced one, or the candidate.
    fn policy_of(&self, finding: &Finding) -> Option<&Provenance> {
        if finding.report_only {
            self.report_only.as_deref()
        } else {
            Some(self)
        }
    }

    fn of_setting_in(&self, finding: &Finding, setting: Setting, value: Option<&str>) -> Source {
        if let Some(scope) = &finding.route {
            if let Some(route) = self.routes.get(scope.index) {
                if scope.about_path {
                    if let Some(path) = &route.path {
                        return path.clone();
                    }
                }
                let element = value.and_then(|v| route.elements.get(&(setting, v.to_owned())));
                if let Some(source) = element.or_else(|| route.settings.get(&setting)) {
                    return source.clone();
                }
            }
        }
        match value {
            Some(value) => self.of_value(setting, value),
            None => self.of(setting),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_higher_layer_replaces_the_sources_of_a_lower_one() {
        let path: Arc<Path> = Arc::from(Path::new("corsair.toml"));
        let mut provenance = Provenance::default();
        provenance.set(Setting::AllowedOrigins, Source::file(&path, 3));
        provenance.set_element(
            Setting::AllowedOrigins,
            "https://a.example/",
            Source::file(&path, 4),
        );
        let finding = corsair::Cors::builder()
            .allowed_origins(["https://a.example/"])
            .build()
            .unwrap_err()
            .into_findings()
            .remove(0);
        assert_eq!(
            provenance.of_finding(&finding).to_string(),
            "corsair.toml:4"
        );

        provenance.set(Setting::AllowedOrigins, Source::Flag("--allow-origin"));
        assert_eq!(
            provenance.of_finding(&finding),
            Source::Flag("--allow-origin")
        );
        assert_eq!(provenance.of(Setting::UrlsRegex), Source::Default);
    }

    #[test]
    fn findings_of_the_candidate_point_at_its_own_lines() {
        let path: Arc<Path> = Arc::from(Path::new("corsair.toml"));
        let mut provenance = Provenance::default();
        provenance.set(Setting::AllowedOrigins, Source::file(&path, 3));
        let mut candidate = Provenance::default();
        candidate.set(Setting::AllowedOrigins, Source::file(&path, 9));
        candidate.set_element(
            Setting::AllowedOrigins,
            "https://a.example/",
            Source::file(&path, 10),
        );
        let error = corsair::Cors::builder()
            .allowed_origins(["https://ok.example"])
            .report_only(corsair::Cors::builder().allowed_origins(["https://a.example/"]))
            .build()
            .unwrap_err();
        let finding = error.findings().iter().find(|f| f.report_only).unwrap();
        assert_eq!(
            provenance.of_finding(finding),
            Source::Default,
            "no sources yet"
        );
        provenance.set_report_only(candidate);
        assert_eq!(
            provenance.of_finding(finding).to_string(),
            "corsair.toml:10"
        );
        assert_eq!(
            provenance.sources().count(),
            1,
            "the enforced policy's only"
        );
    }
}
