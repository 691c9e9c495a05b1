//! [`OriginSet`]: allowed origins a program changes while it runs (tenant domains kept in a
//! database or a cache), consulted beside `allowed_origins` with the same hash lookups.
//!
//! Invariants:
//! - Every entry passed the validation of an `allowed_origins` entry. Rules that depend on
//!   `allow_credentials` are settled per entry when it is added, not per policy: an entry that
//!   a policy with credentials must refuse (`null`, a plain-`http` origin, a pattern on a public
//!   suffix) is kept apart, and only the policies it suits consult it.
//! - Readers never wait and never see a half-made change: every change builds the next set to
//!   the side and swaps it in atomically; a lookup is one lock-free load and allocates nothing.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;

use crate::config::{ConfigError, Finding, FindingId, Setting};
use crate::matcher::OriginMatcher;
use crate::origin::RequestOrigin;
use crate::validate::{CredentialRules, OriginEntry, origin_entry};

/// A set of allowed origins that can change while requests are served: fill it from any store
/// (a database, Redis, an admin API), and give it to one or more policies with
/// [`CorsBuilder::allowed_origins_from`](crate::CorsBuilder::allowed_origins_from). Cheap to
/// clone (clones share the set); `Send + Sync`.
///
/// Each entry is validated like an `allowed_origins` entry (patterns such as
/// `https://*.example.com` included); an invalid one is refused with the same findings, and
/// never affects the others. Entries a policy with `allow_credentials` refuses (`null`, a
/// plain-`http` origin other than loopback, a subdomain pattern on a public suffix) are
/// accepted with a warning and only allowed by the policies they suit.
///
/// Each change copies the set, so change many entries at once with
/// [`replace`](OriginSet::replace) or [`extend`](OriginSet::extend).
///
/// ```
/// use corsair::{Cors, OriginSet};
///
/// let tenants = OriginSet::new();
/// let cors = Cors::builder()
///     .allowed_origins(["https://app.example.com"])
///     .allowed_origins_from(tenants.clone())
///     .build()?;
/// let allowed = |origin: &str| {
///     let mut headers = http::HeaderMap::new();
///     headers.insert("origin", origin.parse().unwrap());
///     cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap().is_allowed()
/// };
/// assert!(!allowed("https://acme.example"));
/// tenants.replace(["https://acme.example", "https://*.globex.example"]);
/// assert!(allowed("https://acme.example"));
/// assert!(allowed("https://eu.globex.example"));
/// assert!(allowed("https://app.example.com"), "the static list still applies");
/// # Ok::<(), corsair::ConfigError>(())
/// ```
#[derive(Clone, Default)]
pub struct OriginSet {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    current: ArcSwap<Entries>,
    /// Held while a change is made, so that two changes never lose one another.
    writer: Mutex<()>,
}

/// The entries, by the policies they suit.
#[derive(Clone, Default)]
struct Entries {
    /// Allowed by every policy.
    everywhere: OriginMatcher,
    /// Plain-`http` origins: refused with credentials, unless
    /// `allow_insecure_origins_with_credentials`.
    insecure: OriginMatcher,
    /// `null` and subdomain patterns on public suffixes: refused with credentials.
    without_credentials: OriginMatcher,
}

/// The policies an entry suits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    Everywhere,
    Insecure,
    WithoutCredentials,
}

impl Entries {
    fn matcher(&mut self, reach: Reach) -> &mut OriginMatcher {
        match reach {
            Reach::Everywhere => &mut self.everywhere,
            Reach::Insecure => &mut self.insecure,
            Reach::WithoutCredentials => &mut self.without_credentials,
        }
    }

    fn len(&self) -> usize {
        self.everywhere.len() + self.insecure.len() + self.without_credentials.len()
    }
}

/// An entry validated, with where it may be used and its warnings; or its errors.
type Classified = Result<(OriginEntry, Reach, Vec<Finding>), Vec<Finding>>;

/// Validates `raw` under the strictest rules that accept it.
fn classify(raw: &str) -> Classified {
    let attempts = [
        (Reach::Everywhere, true, false),
        (Reach::Insecure, true, true),
        (Reach::WithoutCredentials, false, false),
    ];
    let mut strict_error = None;
    let mut findings = Vec::new();
    for (reach, credentials, allow_insecure) in attempts {
        findings.clear();
        let rules = CredentialRules {
            credentials,
            allow_insecure,
        };
        let entry = origin_entry(raw, rules, &mut findings);
        let error = findings.iter().find(|f| f.is_error());
        match (entry, error) {
            (Some(entry), None) => {
                if let Some(refused) = strict_error {
                    findings.push(restricted(raw, reach, refused));
                }
                return Ok((entry, reach, findings));
            }
            // Refused whatever the credentials: the errors say why.
            (None, _) => return Err(findings),
            (Some(_), Some(error)) => {
                strict_error.get_or_insert_with(|| error.message.clone());
            }
        }
    }
    Err(findings)
}

/// The warning for an entry that only some policies may allow.
fn restricted(raw: &str, reach: Reach, why: String) -> Finding {
    let (id, policies) = match reach {
        Reach::Insecure => (
            FindingId::OriginSetEntryInsecure,
            "policies without allow_credentials, or with allow_insecure_origins_with_credentials",
        ),
        _ => (
            FindingId::OriginSetEntryWithoutCredentials,
            "policies without allow_credentials",
        ),
    };
    Finding::warning(
        id,
        Setting::AllowedOrigins,
        Some(raw),
        format!("allowed only by {policies}: {why}"),
        "add the https origin instead, if the site has one",
    )
}

impl OriginSet {
    /// An empty set.
    ///
    /// ```
    /// assert!(corsair::OriginSet::new().is_empty());
    /// ```
    pub fn new() -> Self {
        OriginSet::default()
    }

    /// Makes the set exactly `origins` (the valid ones), in one atomic swap: a request sees the
    /// old set or the new one, never a mix. Returns the findings of every entry: an entry with
    /// an error is skipped, the others are kept (with their warnings).
    ///
    /// ```
    /// let set = corsair::OriginSet::new();
    /// let findings = set.replace(["https://a.example", "a.example", "https://b.example/"]);
    /// assert_eq!(set.origins(), ["https://a.example"]);
    /// let skipped: Vec<_> = findings.iter().filter(|f| f.is_error()).map(|f| f.id).collect();
    /// assert_eq!(skipped, ["origin-missing-scheme", "origin-has-path"]);
    /// ```
    pub fn replace<I>(&self, origins: I) -> Vec<Finding>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut next = Entries::default();
        let findings = add_all(&mut next, origins);
        let _writer = self.lock();
        self.shared.current.store(Arc::new(next));
        findings
    }

    /// Adds `origins` (the valid ones) in one atomic swap; returns the findings of every entry,
    /// as [`replace`](OriginSet::replace) does.
    ///
    /// ```
    /// let set = corsair::OriginSet::new();
    /// set.replace(["https://a.example"]);
    /// assert!(set.extend(["https://b.example", "https://c.example"]).is_empty());
    /// assert_eq!(set.len(), 3);
    /// ```
    pub fn extend<I>(&self, origins: I) -> Vec<Finding>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut findings = Vec::new();
        let mut valid = Vec::new();
        for raw in origins {
            match classify(raw.as_ref()) {
                Ok((entry, reach, warnings)) => {
                    findings.extend(warnings);
                    valid.push((entry, reach));
                }
                Err(errors) => findings.extend(errors),
            }
        }
        self.change(|entries| {
            for (entry, reach) in &valid {
                entries.matcher(*reach).insert(entry);
            }
        });
        findings
    }

    /// Adds one origin.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] with the entry's errors when it is not a valid `allowed_origins`
    /// entry; the set is unchanged.
    ///
    /// ```
    /// let set = corsair::OriginSet::new();
    /// assert!(set.insert("https://acme.example")?.is_empty());
    /// let warnings = set.insert("HTTPS://Globex.example")?;
    /// assert_eq!(warnings[0].id, "origin-not-canonical");
    /// assert!(set.contains("https://globex.example"));
    /// let refused = set.insert("acme.example").unwrap_err();
    /// assert_eq!(refused.findings()[0].id, "origin-missing-scheme");
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn insert(&self, origin: &str) -> Result<Vec<Finding>, ConfigError> {
        let (entry, reach, warnings) = classify(origin).map_err(ConfigError::new)?;
        self.change(|entries| entries.matcher(reach).insert(&entry));
        Ok(warnings)
    }

    /// Removes one origin (written as it was added, or in any form that validates to the same
    /// entry); `false` when it was not in the set.
    ///
    /// ```
    /// let set = corsair::OriginSet::new();
    /// set.replace(["https://acme.example", "https://*.globex.example"]);
    /// assert!(set.remove("https://ACME.example:443"));
    /// assert!(!set.remove("https://acme.example"));
    /// assert_eq!(set.origins(), ["https://*.globex.example"]);
    /// ```
    pub fn remove(&self, origin: &str) -> bool {
        let Ok((entry, reach, _)) = classify(origin) else {
            return false;
        };
        if !self.contains_entry(&entry, reach) {
            return false;
        }
        self.change(|entries| entries.matcher(reach).remove(&entry))
    }

    /// Whether `origin` (in any form that validates to the same entry) is in the set. This
    /// asks about entries: `https://*.example.com` contains itself, not its subdomains.
    ///
    /// ```
    /// let set = corsair::OriginSet::new();
    /// set.replace(["https://*.example.com"]);
    /// assert!(set.contains("https://*.EXAMPLE.com"));
    /// assert!(!set.contains("https://a.example.com"));
    /// ```
    pub fn contains(&self, origin: &str) -> bool {
        classify(origin).is_ok_and(|(entry, reach, _)| self.contains_entry(&entry, reach))
    }

    fn contains_entry(&self, entry: &OriginEntry, reach: Reach) -> bool {
        let entries = self.shared.current.load();
        let matcher = match reach {
            Reach::Everywhere => &entries.everywhere,
            Reach::Insecure => &entries.insecure,
            Reach::WithoutCredentials => &entries.without_credentials,
        };
        matcher.contains(entry)
    }

    /// The number of entries.
    ///
    /// ```
    /// let set = corsair::OriginSet::new();
    /// set.replace(["https://a.example", "https://a.example:443", "null"]);
    /// assert_eq!(set.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.current.load().len()
    }

    /// Whether the set has no entry.
    ///
    /// ```
    /// let set = corsair::OriginSet::new();
    /// set.replace(["https://a.example"]);
    /// assert!(!set.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry, in its canonical form, sorted.
    ///
    /// ```
    /// let set = corsair::OriginSet::new();
    /// set.replace(["https://B.example", "http://localhost:*", "https://a.example"]);
    /// assert_eq!(set.origins(), ["http://localhost:*", "https://a.example", "https://b.example"]);
    /// ```
    pub fn origins(&self) -> Vec<String> {
        let entries = self.shared.current.load();
        let mut all: Vec<String> = entries
            .everywhere
            .entries()
            .chain(entries.insecure.entries())
            .chain(entries.without_credentials.entries())
            .collect();
        all.sort_unstable();
        all
    }

    /// Whether a policy with `rules` allows the request origin through this set.
    pub(crate) fn allows(&self, origin: RequestOrigin<'_>, rules: CredentialRules) -> bool {
        let entries = self.shared.current.load();
        entries.everywhere.allows(origin)
            || ((!rules.credentials || rules.allow_insecure) && entries.insecure.allows(origin))
            || (!rules.credentials && entries.without_credentials.allows(origin))
    }

    /// Applies `edit` to a copy of the set and swaps the copy in.
    fn change<R>(&self, edit: impl FnOnce(&mut Entries) -> R) -> R {
        let _writer = self.lock();
        let mut next = Entries::clone(&self.shared.current.load());
        let result = edit(&mut next);
        self.shared.current.store(Arc::new(next));
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // The mutex guards no data, so a panic while it was held left nothing half-done.
        self.shared
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Validates and adds each of `origins` to `entries`; returns every finding.
fn add_all<I>(entries: &mut Entries, origins: I) -> Vec<Finding>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut findings = Vec::new();
    for raw in origins {
        match classify(raw.as_ref()) {
            Ok((entry, reach, warnings)) => {
                entries.matcher(reach).insert(&entry);
                findings.extend(warnings);
            }
            Err(errors) => findings.extend(errors),
        }
    }
    findings
}

impl fmt::Debug for OriginSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginSet")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
