//! `[cors.origins_source]` (and a route's own): the store tenant origins are read from, a Redis
//! set or a PostgreSQL query, and how often it is read in full.
//!
//! Every key is checked when the file is read, the store's URL included (parsed by the store's
//! own client), so that a typo is a startup error naming the line, never a runtime surprise. A
//! URL may carry a password: [`StoreUrl`] never shows it, and what is logged of a store is its
//! host, port and database only.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corsair::OriginSet;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::Diagnostic;
use super::server::parse_duration;
use super::source::Source;
use super::userinfo::host_and_path;
use super::userinfo::redact_userinfo;

/// The environment variable that replaces the URL of `[cors.origins_source]`, so that the
/// password need not be in the file.
pub(crate) const URL_ENV: &str = "CORSAIR_ORIGINS_SOURCE_URL";

/// The Redis key read when `key` is not given.
pub(crate) const DEFAULT_REDIS_KEY: &str = "corsair:origins";

/// How often the store is read in full when `refresh` is not given.
pub(crate) const DEFAULT_REFRESH: Duration = Duration::from_secs(30);

/// The range of `refresh`.
const REFRESH_RANGE: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(86_400));

/// The keys of the table, for suggestions.
const KEYS: &[&str] = &[
    "redis", "postgres", "key", "query", "channel", "refresh", "required",
];

/// The origins source tables of a file, as read: `[cors.origins_source]` and each route's.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    /// `[cors.origins_source]`.
    pub default: Option<Partial>,
    /// `[cors.routes.origins_source]`, with the index of its route.
    pub routes: Vec<(usize, Partial)>,
}

impl Tables {
    /// The sources, complete: the default one first (its URL replaced by `env_url`, the value
    /// of [`URL_ENV`], when set), then each route's (taking the default's store when it names
    /// none). Every problem is pushed.
    pub(crate) fn resolve(
        self,
        env_url: Option<&str>,
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<OriginsSource> {
        let mut resolved = Vec::new();
        let default = self
            .default
            .and_then(|partial| partial.resolve(None, problems));
        let default = match (default, env_url) {
            (Some(mut source), Some(url)) => match apply_env_url(&mut source, url) {
                Ok(()) => Some(source),
                Err(problem) => {
                    problems.push(*problem);
                    None
                }
            },
            (default, _) => default,
        };
        if env_url.is_some() && default.is_none() && !problems.iter().any(Diagnostic::is_error) {
            problems.push(Diagnostic::warning(
                "origins-source-env-unused",
                URL_ENV,
                Source::Env(URL_ENV.to_owned()),
                None,
                format!("{URL_ENV} is set, but there is no [cors.origins_source] for it to configure"),
                "add a [cors.origins_source] table (redis = or postgres =, with its key or query), or unset the variable",
            ));
        }
        for (route, partial) in self.routes {
            if let Some(mut source) = partial.resolve(default.as_ref(), problems) {
                source.route = Some(route);
                resolved.push(source);
            }
        }
        if let Some(default) = default {
            resolved.insert(0, default);
        }
        resolved
    }
}

/// One origins source, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OriginsSource {
    /// The store and what to read from it.
    pub store: Store,
    /// How often the store is read in full, whatever the notifications.
    pub refresh: Duration,
    /// Refuse to start while the store cannot be read (default: start with the file's origins).
    pub required: bool,
    /// `cors.origins_source` or `cors.routes[i].origins_source`.
    pub subject: String,
    /// Where the table is.
    pub source: Source,
    /// The route whose origins it holds (`None`: the default policy's, inherited by routes
    /// that name neither `allowed_origins` nor a source of their own).
    pub route: Option<usize>,
}

/// The origin set of each origins source, by the source's identity: its [`Store`] (the kind,
/// the URL, and the key, or the query and channel), never its place in the file. `corsair
/// serve` keeps one for the life of the process, so that every policy loaded (the first, each
/// reload's) consults the sets its sources fill, and a reload that moves a route's block (or
/// swaps two routes' keys) gives each route the set of the source it declares, not of the one
/// that used to be in its place. A source a reload adds gets an empty set, which nothing fills
/// until a restart starts its source. Clones share the sets.
#[derive(Debug, Clone, Default)]
pub(crate) struct OriginSets(Arc<Mutex<Vec<(Store, OriginSet)>>>);

impl OriginSets {
    /// The set filled from `store`, created empty on first use.
    ///
    /// ```ignore
    /// let sets = OriginSets::default();
    /// let partners = Store::Redis { url: StoreUrl::new("redis://cache"), key: "partners".into() };
    /// sets.get(&partners).insert("https://p.example")?;
    /// assert!(sets.get(&partners).contains("https://p.example"));
    /// ```
    pub(crate) fn get(&self, store: &Store) -> OriginSet {
        let mut sets = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, set)) = sets.iter().find(|(known, _)| known == store) {
            return set.clone();
        }
        let set = OriginSet::new();
        sets.push((store.clone(), set.clone()));
        set
    }
}

/// A store of origins, and what is read from it: the identity of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Store {
    /// A Redis set, and the pub/sub channel named like it.
    Redis {
        /// The server.
        url: StoreUrl,
        /// The set's key (and the channel's name).
        key: String,
    },
    /// A query returning one text column, and the channel `LISTEN`ed to.
    Postgres {
        /// The server and database.
        url: StoreUrl,
        /// `SELECT origin FROM ...`.
        query: String,
        /// A `NOTIFY` on it reloads the query; without one, changes arrive at the next refresh.
        channel: Option<String>,
    },
}

impl Store {
    /// `redis` or `postgres`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Store::Redis { .. } => "redis",
            Store::Postgres { .. } => "postgres",
        }
    }

    /// The server's URL.
    pub(crate) fn url(&self) -> &StoreUrl {
        match self {
            Store::Redis { url, .. } | Store::Postgres { url, .. } => url,
        }
    }

    /// What is read, for logs: the key, or the channel.
    pub(crate) fn what(&self) -> String {
        match self {
            Store::Redis { key, .. } => format!("key {key}"),
            Store::Postgres {
                channel: Some(channel),
                ..
            } => format!("query, channel {channel}"),
            Store::Postgres { channel: None, .. } => "query".to_owned(),
        }
    }
}

/// A store's URL as written. It may carry a password, so neither `Debug` nor `Display` show it
/// whole: [`StoreUrl::describe`] is the host, port and database, [`StoreUrl::expose`] the text
/// for the client library alone.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct StoreUrl(String);

impl StoreUrl {
    /// Wraps a URL.
    pub(crate) fn new(raw: impl Into<String>) -> StoreUrl {
        StoreUrl(raw.into())
    }

    /// The URL itself, password included: only for the store's client.
    #[cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(dead_code))]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `scheme://host:port/database`, without user, password or parameters: the userinfo
    /// ends at the URL's last `@` (see [`super::userinfo`]), so a password holding `/`, `#` or
    /// `@` is never shown, whichever client reads it (nor one holding `?`: the host is then not
    /// shown either, since it could be the end of a password in the query). A PostgreSQL
    /// `key=value` string is read as tokio-postgres reads it (quoted values, backslash
    /// escapes), and only its `host`, `hostaddr`, `port` and `dbname` are shown.
    pub(crate) fn describe(&self) -> String {
        let raw = self.0.as_str();
        let Some(scheme_end) = raw.find("://") else {
            return describe_key_values(raw);
        };
        let scheme = &raw[..scheme_end];
        match host_and_path(raw) {
            Some(host_and_path) => format!("{scheme}://{host_and_path}"),
            None => format!("{scheme}://*** (the host is not shown: a `?` precedes the last `@`)"),
        }
    }
}

/// `postgres host=... port=... dbname=...` of a PostgreSQL `key=value` connection string, or
/// `postgres (unreadable connection string)` when it does not parse.
fn describe_key_values(raw: &str) -> String {
    let Some(pairs) = key_values(raw) else {
        return "postgres (unreadable connection string)".to_owned();
    };
    let kept: Vec<String> = pairs
        .into_iter()
        .filter(|(key, _)| matches!(*key, "host" | "hostaddr" | "port" | "dbname"))
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    format!("postgres {}", kept.join(" "))
}

/// The `key = value` pairs of a connection string, read as tokio-postgres (and libpq) read them:
/// a value is `'quoted'` or runs to the next space, and `\` escapes the next character.
fn key_values(raw: &str) -> Option<Vec<(&str, String)>> {
    let mut pairs = Vec::new();
    let mut rest = raw.trim_start();
    while !rest.is_empty() {
        let key_end = rest.find(|c: char| c.is_whitespace() || c == '=')?;
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start().strip_prefix('=')?.trim_start();
        let quoted = rest.starts_with('\'');
        if quoted {
            rest = &rest[1..];
        }
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                None if quoted => return None,
                None => break rest.len(),
                Some((i, '\'')) if quoted => break i + 1,
                Some((i, c)) if !quoted && c.is_whitespace() => break i,
                Some((_, '\\')) => value.extend(chars.next().map(|(_, c)| c)),
                Some((_, c)) => value.push(c),
            }
        };
        if key.is_empty() || (!quoted && value.is_empty()) {
            return None;
        }
        pairs.push((key, value));
        rest = rest[end..].trim_start();
    }
    Some(pairs)
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({:?})", redact_userinfo(&self.describe()))
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// How a file location is found for a span.
pub(crate) trait Locate {
    /// Where the byte range is.
    fn source(&self, span: &Range<usize>) -> Source;
    /// The text at the byte range, as written.
    fn text(&self, span: &Range<usize>) -> String;
}

/// A table read, before a route's missing URL is taken from the default source.
#[derive(Debug, Clone)]
pub(crate) struct Partial {
    kind: Option<&'static str>,
    url: Option<(StoreUrl, Source)>,
    key: Option<String>,
    query: Option<String>,
    channel: Option<String>,
    refresh: Duration,
    required: bool,
    subject: String,
    source: Source,
}

/// Reads `[cors.origins_source]` (or a route's: `subject` says which). Every problem is
/// pushed; `None` when the table cannot be used.
pub(crate) fn read(
    subject: &str,
    table: &Spanned<DeValue<'_>>,
    at: &dyn Locate,
    problems: &mut Vec<Diagnostic>,
) -> Option<Partial> {
    let DeValue::Table(entries) = table.get_ref() else {
        problems.push(Diagnostic::error(
            "invalid-type",
            subject,
            at.source(&table.span()),
            None,
            format!("{subject} must be a table"),
            format!("write it as a `[{subject}]` table with `redis = \"redis://...\"` or `postgres = \"postgresql://...\"`"),
        ));
        return None;
    };
    let before = problems.len();
    let mut partial = Partial {
        kind: None,
        url: None,
        key: None,
        query: None,
        channel: None,
        refresh: DEFAULT_REFRESH,
        required: false,
        subject: subject.to_owned(),
        source: at.source(&table.span()),
    };
    read_entries(subject, entries, at, &mut partial, problems);
    check_combination(&partial, at, entries, problems);
    (problems.len() == before).then_some(partial)
}

fn read_entries(
    subject: &str,
    entries: &DeTable<'_>,
    at: &dyn Locate,
    partial: &mut Partial,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, value) in entries {
        let name = key.get_ref().as_ref();
        let field = format!("{subject}.{name}");
        let line = at.source(&key.span());
        let shown = || Some(at.text(&value.span()));
        let text = match value.get_ref() {
            DeValue::String(text) => Some(text.as_ref()),
            _ => None,
        };
        match (name, text) {
            ("redis" | "postgres", Some(url)) => {
                let kind = if name == "redis" { "redis" } else { "postgres" };
                if let Some(other) = partial.kind {
                    problems.push(Diagnostic::error(
                        "origins-source-two-stores",
                        field,
                        line,
                        None,
                        format!("{subject} reads from one store; it names {other} already"),
                        format!("keep `{other}` or `{kind}`, and give the other store its own route if needed"),
                    ));
                    continue;
                }
                partial.kind = Some(kind);
                partial.url = Some((StoreUrl::new(url), line));
            }
            ("key", Some(key)) if !key.is_empty() => partial.key = Some(key.to_owned()),
            ("query", Some(query)) if !query.trim().is_empty() => {
                partial.query = Some(query.to_owned());
            }
            ("channel", Some(channel)) => match check_channel(channel) {
                Ok(()) => partial.channel = Some(channel.to_owned()),
                Err(message) => problems.push(Diagnostic::error(
                    "invalid-value",
                    field,
                    line,
                    shown(),
                    message,
                    "write a PostgreSQL identifier: letters, digits and `_`, e.g. channel = \"corsair_origins\"",
                )),
            },
            ("refresh", Some(raw)) => match parse_duration(raw).and_then(check_refresh) {
                Ok(refresh) => partial.refresh = refresh,
                Err(message) => problems.push(Diagnostic::error(
                    "invalid-value",
                    field,
                    line,
                    shown(),
                    message,
                    "write a duration between 1s and 24h, e.g. refresh = \"30s\"",
                )),
            },
            ("required", _) => match value.get_ref() {
                DeValue::Boolean(required) => partial.required = *required,
                _ => problems.push(Diagnostic::error(
                    "invalid-type",
                    field,
                    line,
                    shown(),
                    "`required` is true or false",
                    "write required = true (refuse to start while the store cannot be read) or leave it out",
                )),
            },
            ("key" | "query", Some(_)) => problems.push(Diagnostic::error(
                "invalid-value",
                field,
                line,
                shown(),
                format!("`{name}` is empty"),
                if name == "key" {
                    format!("write the Redis set's key, e.g. key = \"{DEFAULT_REDIS_KEY}\"")
                } else {
                    "write a query returning one text column, e.g. query = \"SELECT origin FROM tenant_domains WHERE active\"".to_owned()
                },
            )),
            (known, None) if KEYS.contains(&known) => problems.push(Diagnostic::error(
                "invalid-type",
                field,
                line,
                shown(),
                format!("`{known}` must be a string"),
                format!("write {known} = \"...\" in quotes"),
            )),
            (unknown, _) => {
                let fix = match corsair::closest_name(unknown, KEYS.iter().copied()) {
                    Some(known) => format!("did you mean `{known}`?"),
                    None => format!("the keys of {subject} are: {}", KEYS.join(", ")),
                };
                problems.push(Diagnostic::error(
                    "unknown-key",
                    field,
                    line,
                    None,
                    format!("`{unknown}` is not a key of {subject}"),
                    fix,
                ));
            }
        }
    }
}

/// The keys that only make sense for one store, and the URL's syntax.
fn check_combination(
    partial: &Partial,
    at: &dyn Locate,
    entries: &DeTable<'_>,
    problems: &mut Vec<Diagnostic>,
) {
    let subject = &partial.subject;
    let line_of = |name: &str| {
        entries
            .iter()
            .find(|(key, _)| key.get_ref().as_ref() == name)
            .map_or_else(|| partial.source.clone(), |(key, _)| at.source(&key.span()))
    };
    let misplaced = |name: &str, store: &str, instead: &str| {
        Diagnostic::error(
            "origins-source-wrong-key",
            format!("{subject}.{name}"),
            line_of(name),
            None,
            format!("`{name}` is for a {store} store"),
            instead.to_owned(),
        )
    };
    match partial.kind {
        Some("redis") => {
            for name in ["query", "channel"] {
                if entries
                    .iter()
                    .any(|(key, _)| key.get_ref().as_ref() == name)
                {
                    problems.push(misplaced(
                        name,
                        "postgres",
                        "a Redis source reads the set named by `key`, and listens on the channel of the same name",
                    ));
                }
            }
        }
        Some(_) if partial.key.is_some() => {
            problems.push(misplaced(
                "key",
                "redis",
                "a PostgreSQL source runs `query`; write query = \"SELECT origin FROM tenant_domains WHERE active\"",
            ));
        }
        Some(_) | None => {}
    }
    if let Some((url, line)) = &partial.url
        && let Err(message) = check_url(partial.kind.unwrap_or("redis"), url)
    {
        problems.push(Diagnostic::error(
            "invalid-value",
            format!("{subject}.{}", partial.kind.unwrap_or("redis")),
            line.clone(),
            Some(url.describe()),
            message,
            url_fix(partial.kind.unwrap_or("redis")),
        ));
    }
}

fn url_fix(kind: &str) -> &'static str {
    if kind == "redis" {
        "write redis = \"redis://host:6379/0\" (or rediss:// for TLS; a password goes in CORSAIR_ORIGINS_SOURCE_URL)"
    } else {
        "write postgres = \"postgresql://user@host:5432/database\" (a password goes in CORSAIR_ORIGINS_SOURCE_URL)"
    }
}

impl Partial {
    /// The source, complete: a route without a URL of its own uses the store of `default`
    /// (the source of `[cors.origins_source]`), with a key or query of its own.
    pub(crate) fn resolve(
        self,
        default: Option<&OriginsSource>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<OriginsSource> {
        let inherits_store = self.kind.is_none();
        let (kind, url) = match (self.kind, self.url, default) {
            (Some(kind), Some((url, _)), _) => (kind, url),
            (None, _, Some(default)) => (default.store.kind(), default.store.url().clone()),
            (None, _, None) => {
                problems.push(Diagnostic::error(
                    "origins-source-without-store",
                    self.subject.clone(),
                    self.source.clone(),
                    None,
                    format!("{} names no store", self.subject),
                    "write redis = \"redis://127.0.0.1:6379/0\" or postgres = \"postgresql://corsair@127.0.0.1:5432/app\" (a route may leave it out to use the store of [cors.origins_source])",
                ));
                return None;
            }
            (Some(_), None, _) => return None,
        };
        let store = if kind == "redis" {
            let key = match self.key {
                Some(key) => key,
                // A route reading the default source's set would change nothing.
                None if inherits_store => {
                    problems.push(Diagnostic::error(
                        "origins-source-without-key",
                        format!("{}.key", self.subject),
                        self.source.clone(),
                        None,
                        "a route's Redis source needs its own key",
                        "write key = \"corsair:origins:partners\" (a set of its own)",
                    ));
                    return None;
                }
                None => DEFAULT_REDIS_KEY.to_owned(),
            };
            Store::Redis { url, key }
        } else {
            let Some(query) = self.query else {
                problems.push(Diagnostic::error(
                    "origins-source-without-query",
                    format!("{}.query", self.subject),
                    self.source.clone(),
                    None,
                    "a PostgreSQL source needs the query that returns the origins",
                    "write query = \"SELECT origin FROM tenant_domains WHERE active\" (one text column)",
                ));
                return None;
            };
            Store::Postgres {
                url,
                query,
                channel: self.channel,
            }
        };
        Some(OriginsSource {
            store,
            refresh: self.refresh,
            required: self.required,
            subject: self.subject,
            source: self.source,
            route: None,
        })
    }
}

/// Replaces the URL of `source` with the one of [`URL_ENV`].
///
/// # Errors
///
/// A diagnostic when the variable's URL is not of the source's store, or does not parse.
pub(crate) fn apply_env_url(source: &mut OriginsSource, raw: &str) -> Result<(), Box<Diagnostic>> {
    let url = StoreUrl::new(raw.trim());
    let env = Source::Env(URL_ENV.to_owned());
    let is_redis = raw.starts_with("redis://")
        || raw.starts_with("rediss://")
        || raw.starts_with("unix://")
        || raw.starts_with("redis+unix://");
    let kind = source.store.kind();
    if is_redis != (kind == "redis") {
        return Err(Box::new(Diagnostic::error(
            "origins-source-env-mismatch",
            URL_ENV,
            env,
            Some(url.describe()),
            format!(
                "{URL_ENV} is a {} URL, but {} reads from {kind}",
                if is_redis { "Redis" } else { "PostgreSQL" },
                source.subject
            ),
            format!("set {URL_ENV} to the {kind} server's URL, or change the store in the file"),
        )));
    }
    check_url(kind, &url).map_err(|message| {
        Box::new(Diagnostic::error(
            "invalid-value",
            URL_ENV,
            env,
            Some(url.describe()),
            message,
            url_fix(kind),
        ))
    })?;
    match &mut source.store {
        Store::Redis { url: old, .. } | Store::Postgres { url: old, .. } => *old = url,
    }
    Ok(())
}

/// Parses the URL with the store's client, as it will be used.
fn check_url(kind: &str, url: &StoreUrl) -> Result<(), String> {
    match kind {
        "redis" => check_redis_url(url),
        _ => check_postgres_url(url),
    }
}

#[cfg(feature = "redis")]
fn check_redis_url(url: &StoreUrl) -> Result<(), String> {
    use redis::IntoConnectionInfo;
    url.expose()
        .into_connection_info()
        .map(drop)
        .map_err(|error| {
            format!(
                "not a Redis URL: {}",
                error.detail().unwrap_or("invalid URL")
            )
        })
}

#[cfg(not(feature = "redis"))]
fn check_redis_url(_: &StoreUrl) -> Result<(), String> {
    Err("this corsair was built without Redis support (cargo feature `redis`)".to_owned())
}

#[cfg(feature = "postgres")]
fn check_postgres_url(url: &StoreUrl) -> Result<(), String> {
    url.expose()
        .parse::<tokio_postgres::Config>()
        .map(drop)
        .map_err(|_| "not a PostgreSQL connection URL".to_owned())
}

#[cfg(not(feature = "postgres"))]
fn check_postgres_url(_: &StoreUrl) -> Result<(), String> {
    Err("this corsair was built without PostgreSQL support (cargo feature `postgres`)".to_owned())
}

/// A PostgreSQL identifier `LISTEN` accepts unquoted.
fn check_channel(channel: &str) -> Result<(), String> {
    let mut chars = channel.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("`{channel}` is not a plain PostgreSQL identifier"));
    }
    if channel.len() > 63 {
        return Err(format!(
            "`{channel}` is longer than PostgreSQL's 63-byte identifiers"
        ));
    }
    Ok(())
}

fn check_refresh(refresh: Duration) -> Result<Duration, String> {
    let (min, max) = REFRESH_RANGE;
    if refresh < min || refresh > max {
        return Err(format!(
            "refresh must be between 1s and 24h (got {}ms)",
            refresh.as_millis()
        ));
    }
    Ok(refresh)
}

#[cfg(test)]
mod tests;
