//! What the audit reports: a [`Finding`] with its exact id ([`Kind`]), its [`Severity`], the
//! request and response lines that prove it, Chromium's verdict for an attacker's page, and
//! the fix for each server.

use super::super::snippets::Snippets;

/// How bad a finding is: `high` when an untrusted page reads responses with the user's
/// cookies, `medium` without cookies or only through a cache, `low` and `info` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub(crate) enum Severity {
    /// Worth knowing; nothing to exploit.
    Info,
    /// A weakness that needs another one (a subdomain taken over) or that breaks calls.
    Low,
    /// An untrusted page reads responses without the user's cookies, or through a cache.
    Medium,
    /// An untrusted page reads responses with the user's cookies.
    High,
}

impl Severity {
    /// `high`, `medium`, `low` or `info`.
    pub(in crate::check) fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// The findings the audit can report, each with its exact id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(in crate::check) enum Kind {
    /// Any origin is allowed: the `Origin` header is echoed back.
    ReflectsAnyOrigin,
    /// `Origin: null` is allowed.
    TrustsNull,
    /// A trusted name followed by another domain is allowed.
    PrefixMatch,
    /// Another domain ending with the registrable domain is allowed.
    SuffixMatch,
    /// A trusted name with a dot replaced by a letter is allowed.
    UnescapedDot,
    /// A trusted name followed by a special character and another domain is allowed.
    SpecialCharacters,
    /// The `http://` twin of an `https://` origin is allowed.
    TrustsHttpOrigin,
    /// Any subdomain of a trusted origin is allowed with credentials.
    AnySubdomain,
    /// `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`.
    WildcardWithCredentials,
    /// An origin-dependent `Access-Control-Allow-Origin` without `Vary: Origin`.
    MissingVary,
    /// A credentialed preflight for any method passes.
    PreflightAllowsAnyMethod,
    /// A credentialed preflight for any header passes.
    PreflightAllowsAnyHeader,
}

impl Kind {
    /// Every kind.
    #[cfg(test)]
    pub(in crate::check) const ALL: [Kind; 12] = [
        Kind::ReflectsAnyOrigin,
        Kind::TrustsNull,
        Kind::PrefixMatch,
        Kind::SuffixMatch,
        Kind::UnescapedDot,
        Kind::SpecialCharacters,
        Kind::TrustsHttpOrigin,
        Kind::AnySubdomain,
        Kind::WildcardWithCredentials,
        Kind::MissingVary,
        Kind::PreflightAllowsAnyMethod,
        Kind::PreflightAllowsAnyHeader,
    ];

    /// The exact id.
    pub(in crate::check) fn id(self) -> &'static str {
        match self {
            Kind::ReflectsAnyOrigin => "reflects-any-origin",
            Kind::TrustsNull => "trusts-null",
            Kind::PrefixMatch => "prefix-match",
            Kind::SuffixMatch => "suffix-match",
            Kind::UnescapedDot => "unescaped-dot",
            Kind::SpecialCharacters => "special-characters",
            Kind::TrustsHttpOrigin => "trusts-http-origin",
            Kind::AnySubdomain => "any-subdomain",
            Kind::WildcardWithCredentials => "wildcard-with-credentials",
            Kind::MissingVary => "missing-vary",
            Kind::PreflightAllowsAnyMethod => "preflight-allows-any-method",
            Kind::PreflightAllowsAnyHeader => "preflight-allows-any-header",
        }
    }
}

/// Chromium's verdict for a page at the finding's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::check) struct Chromium {
    /// The page whose view this is.
    pub page: String,
    /// Whether its script can read the response body (with `credentials: 'omit'`).
    pub reads_body: bool,
    /// Whether it can, with the user's cookies (`credentials: 'include'`).
    pub with_cookies: bool,
    /// Chromium's console message when the credentialed read is blocked.
    pub message: Option<String>,
}

/// One finding.
#[derive(Debug, Clone)]
pub(in crate::check) struct Finding {
    /// What it is.
    pub kind: Kind,
    /// How bad.
    pub severity: Severity,
    /// What was found, in one sentence.
    pub summary: String,
    /// The origins it was seen with.
    pub origins: Vec<String>,
    /// The request and response lines that prove it (`> ` sent, `< ` received).
    pub evidence: Vec<String>,
    /// Chromium's verdict for an attacker's page, where one applies.
    pub chromium: Option<Chromium>,
    /// The fix for each server.
    pub fix: Snippets,
}
