//! `[[cors.routes]]`: each route's path, and each route's whole policy (the default policy with
//! the settings the route names) validated on its own with every rule, its findings scoped to
//! the route and saying which values it inherited.
//!
//! A finding about values the route only inherited is the default policy's finding already,
//! and is not repeated per route.

use regex_syntax::hir::Hir;

use super::regexes::RegexMemo;
use super::{Validated, validate};
use crate::anchored::{self, Anchoring};
use crate::config::{CorsConfig, Finding, FindingId, RouteConfig, RouteScope, Setting};
use crate::regex_audit;

/// One validated route.
#[derive(Debug)]
pub(crate) struct ValidatedRoute {
    /// The path regex, anchored at the start.
    pub path: Hir,
    /// The route's whole policy.
    pub rules: Validated,
}

/// Validates every route of `config` (`runtime_origins[i]`: whether route `i` also allows
/// origins at run time, through an origin hook or set of its own or inherited), each origin
/// regex judged once through `memo`. Returns the routes that validated and pushes every
/// finding.
pub(crate) fn validate_routes(
    config: &CorsConfig,
    runtime_origins: &[bool],
    memo: &mut RegexMemo,
    findings: &mut Vec<Finding>,
) -> Vec<ValidatedRoute> {
    let mut validated = Vec::new();
    // The policy routes inherit from, built once.
    let default = config.settings_only();
    let mut shadowing = regex_audit::Shadowing::new(
        config
            .routes
            .iter()
            .map(|route| anchored::parse(&route.path).ok())
            .collect(),
    );
    // The routes that validated so far, in order: those that can shadow a later one.
    let mut earlier: Vec<usize> = Vec::new();
    for (index, route) in config.routes.iter().enumerate() {
        let scope = |inherited: bool, related_inherited: bool, about_path: bool| RouteScope {
            index,
            path: route.path.clone(),
            inherited,
            related_inherited,
            about_path,
        };
        let path = route_path(route, findings, &scope(false, false, true));
        if route.names(Setting::UrlsRegex) {
            let mut finding = Finding::error(
                FindingId::UrlsRegexOnRoute,
                Setting::UrlsRegex,
                None,
                "urls_regex decides which paths are CORS paths at all, for the whole policy; routes are chosen among those paths",
                "set urls_regex under [cors], and give the route its own `path`",
            );
            finding.route = Some(Box::new(scope(false, false, false)));
            findings.push(finding);
        }
        if route.names(Setting::CaseInsensitivePaths) {
            let mut finding = Finding::error(
                FindingId::CaseInsensitivePathsOnRoute,
                Setting::CaseInsensitivePaths,
                None,
                "case_insensitive_paths says how the upstream reads every path, so it is set once for the whole policy",
                "set case_insensitive_paths under [cors]; to match one route's path without regard to case, write it `(?i)^/admin/`",
            );
            finding.route = Some(Box::new(scope(false, false, false)));
            findings.push(finding);
        }
        let effective = route.effective(&default);
        let runtime = runtime_origins.get(index).copied().unwrap_or(false);
        let (rules, route_findings) = match validate(&effective, runtime, memo) {
            Ok(ok) => (Some(ok.0), ok.1),
            Err(error) => (None, error.into_findings()),
        };
        for mut finding in route_findings {
            let inherited = !route.names(finding.setting);
            let related_inherited = finding.related.is_some_and(|r| !route.names(r));
            // Entirely inherited: the default policy reports it already.
            if inherited && (finding.related.is_none() || related_inherited) {
                continue;
            }
            finding.route = Some(Box::new(scope(inherited, related_inherited, false)));
            findings.push(finding);
        }
        if effective == default && !route.settings.is_empty() {
            let mut finding = Finding::warning(
                FindingId::RouteSameAsDefault,
                Setting::UrlsRegex,
                None,
                "every setting the route names has the default policy's value, so the route changes nothing",
                "remove the route, or name the settings that differ on its paths",
            );
            finding.route = Some(Box::new(scope(false, false, true)));
            findings.push(finding);
        }
        let (Some(path), Some(rules)) = (path, rules) else {
            continue;
        };
        if let Some(first) = shadowing.first_covering(index, &earlier) {
            let mut finding = Finding::warning(
                FindingId::RouteNeverMatches,
                Setting::UrlsRegex,
                Some(&route.path),
                format!(
                    "every path it matches is matched first by cors.routes[{first}] (path {:?}): the first route whose path matches decides",
                    config.routes[first].path
                ),
                "move the more specific route before the more general one",
            );
            finding.route = Some(Box::new(scope(false, false, true)));
            findings.push(finding);
        }
        earlier.push(index);
        validated.push(ValidatedRoute {
            path: anchored::anchor(path, Anchoring::Start),
            rules,
        });
    }
    validated
}

/// The route's path regex, parsed on its own, or `None` with an error.
fn route_path(route: &RouteConfig, findings: &mut Vec<Finding>, scope: &RouteScope) -> Option<Hir> {
    let mut push = |finding: Finding| {
        let mut finding = finding;
        finding.route = Some(Box::new(scope.clone()));
        findings.push(finding);
    };
    let hir = match anchored::parse(&route.path) {
        Ok(hir) => hir,
        Err(message) => {
            push(Finding::error(
                FindingId::InvalidRegex,
                Setting::UrlsRegex,
                Some(&route.path),
                format!("the route's path regex does not compile on its own: {message}"),
                "fix the syntax, e.g. path = \"^/public/\"",
            ));
            return None;
        }
    };
    if regex_audit::matches_some_path(&hir) == Some(false) {
        push(Finding::error(
            FindingId::RoutePathNeverMatches,
            Setting::UrlsRegex,
            Some(&route.path),
            "request paths start with `/` and the route's path, matched from the start of the path, never matches one",
            format!("write path = \"^/{}\"", route.path.trim_start_matches('^')),
        ));
        return None;
    }
    Some(hir)
}
