use std::path::Path;
use std::sync::Arc;

use toml::de::DeTable;

use super::*;

/// Locates spans in one TOML text, as the file reader does.
struct Text<'a> {
    path: Arc<Path>,
    text: &'a str,
}

impl Locate for Text<'_> {
    fn source(&self, span: &Range<usize>) -> Source {
        let line = self.text[..span.start.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1;
        Source::file(&self.path, line)
    }

    fn text(&self, span: &Range<usize>) -> String {
        self.text[span.clone()].to_owned()
    }
}

/// Reads the `[cors.origins_source]` table of `text`, and resolves it.
fn parse(text: &str) -> Result<OriginsSource, Vec<&'static str>> {
    parse_route(text, None)
}

fn parse_route(
    text: &str,
    default: Option<&OriginsSource>,
) -> Result<OriginsSource, Vec<&'static str>> {
    let at = Text {
        path: Arc::from(Path::new("corsair.toml")),
        text,
    };
    let document = DeTable::parse(text).expect("valid TOML").into_inner();
    let (_, table) = document
        .iter()
        .find(|(key, _)| key.get_ref().as_ref() == "origins_source")
        .expect("an origins_source table");
    let mut problems = Vec::new();
    let partial = read("cors.origins_source", table, &at, &mut problems);
    let resolved = partial.and_then(|p| p.resolve(default, &mut problems));
    match resolved {
        Some(source) if problems.is_empty() => Ok(source),
        _ => Err(problems.iter().map(|p| p.id).collect()),
    }
}

#[test]
fn valid_tables() {
    let redis = parse("[origins_source]\nredis = \"redis://127.0.0.1:6379/0\"\nkey = \"corsair:origins\"\nrefresh = \"10s\"\n").unwrap();
    assert_eq!(
        redis.store,
        Store::Redis {
            url: StoreUrl::new("redis://127.0.0.1:6379/0"),
            key: "corsair:origins".into()
        }
    );
    assert_eq!(redis.refresh, Duration::from_secs(10));
    assert!(!redis.required);

    let defaults = parse("[origins_source]\nredis = \"redis://cache\"\n").unwrap();
    assert_eq!(defaults.refresh, DEFAULT_REFRESH);
    assert!(matches!(&defaults.store, Store::Redis { key, .. } if key == DEFAULT_REDIS_KEY));

    let postgres = parse(
        "[origins_source]\npostgres = \"postgresql://corsair@127.0.0.1:5432/app\"\nquery = \"SELECT origin FROM tenant_domains WHERE active\"\nchannel = \"corsair_origins\"\nrequired = true\n",
    )
    .unwrap();
    assert!(postgres.required);
    assert!(
        matches!(&postgres.store, Store::Postgres { channel: Some(c), .. } if c == "corsair_origins")
    );
}

#[test]
fn every_problem_is_named() {
    // (the table's body, the problems expected)
    let table: &[(&str, &[&str])] = &[
        ("", &["origins-source-without-store"]),
        (
            "redis = \"redis://a\"\npostgres = \"postgresql://b/c\"",
            &["origins-source-two-stores"],
        ),
        (
            "redis = \"redis://a\"\nquery = \"SELECT 1\"",
            &["origins-source-wrong-key"],
        ),
        (
            "postgres = \"postgresql://b/c\"\nkey = \"k\"\nquery = \"SELECT 1\"",
            &["origins-source-wrong-key"],
        ),
        (
            "postgres = \"postgresql://b/c\"",
            &["origins-source-without-query"],
        ),
        ("redis = \"http://not-redis\"", &["invalid-value"]),
        (
            "postgres = \"postgresql://host:notaport/db\"\nquery = \"SELECT 1\"",
            &["invalid-value"],
        ),
        (
            "redis = \"redis://a\"\nrefresh = \"0s\"",
            &["invalid-value"],
        ),
        (
            "redis = \"redis://a\"\nrefresh = \"2d\"",
            &["invalid-value"],
        ),
        (
            "redis = \"redis://a\"\nrefresh = \"25h\"",
            &["invalid-value"],
        ),
        ("redis = \"redis://a\"\nrefresh = 30", &["invalid-type"]),
        (
            "redis = \"redis://a\"\nrequired = \"yes\"",
            &["invalid-type"],
        ),
        ("redis = \"redis://a\"\nkey = \"\"", &["invalid-value"]),
        (
            "postgres = \"postgresql://b/c\"\nquery = \"SELECT 1\"\nchannel = \"drop table; --\"",
            &["invalid-value"],
        ),
        ("redis = \"redis://a\"\nrefrehs = \"1s\"", &["unknown-key"]),
        ("redis = 6379", &["invalid-type"]),
    ];
    for (body, expected) in table {
        let text = format!("[origins_source]\n{body}\n");
        let found = match parse(&text) {
            Ok(source) => panic!("{body:?} was accepted: {source:?}"),
            Err(found) => found,
        };
        assert_eq!(&found, expected, "{body:?}");
    }
}

#[test]
fn a_misspelt_key_gets_a_suggestion() {
    let at = Text {
        path: Arc::from(Path::new("corsair.toml")),
        text: "[origins_source]\nredis = \"redis://a\"\nrefrehs = \"1s\"\n",
    };
    let document = DeTable::parse(at.text).unwrap().into_inner();
    let (_, table) = document.iter().next().unwrap();
    let mut problems = Vec::new();
    read("cors.origins_source", table, &at, &mut problems);
    assert_eq!(problems[0].fix, "did you mean `refresh`?");
    assert_eq!(problems[0].source.to_string(), "corsair.toml:3");
}

#[test]
fn a_route_uses_the_default_store_with_its_own_key_or_query() {
    let default = parse("[origins_source]\nredis = \"redis://cache:6379/1\"\n").unwrap();
    let route = parse_route(
        "[origins_source]\nkey = \"corsair:partners\"\n",
        Some(&default),
    )
    .unwrap();
    assert_eq!(
        route.store,
        Store::Redis {
            url: StoreUrl::new("redis://cache:6379/1"),
            key: "corsair:partners".into()
        }
    );
    assert_eq!(
        parse_route("[origins_source]\nrefresh = \"5s\"\n", Some(&default)).unwrap_err(),
        ["origins-source-without-key"]
    );
    let own = parse_route(
        "[origins_source]\nredis = \"redis://other\"\n",
        Some(&default),
    )
    .unwrap();
    assert!(matches!(&own.store, Store::Redis { key, .. } if key == DEFAULT_REDIS_KEY));
}

#[test]
fn urls_are_described_without_secrets() {
    let table = [
        ("redis://:s3cret@cache:6379/0", "redis://cache:6379/0"),
        (
            "rediss://user:s3cret@cache.example:6380/2",
            "rediss://cache.example:6380/2",
        ),
        (
            "postgresql://corsair:s3cret@db:5432/app?sslmode=require&password=s3cret",
            "postgresql://db:5432/app",
        ),
        ("postgresql://db/app", "postgresql://db/app"),
        (
            "host=db port=5432 user=corsair password=s3cret dbname=app",
            "postgres host=db port=5432 dbname=app",
        ),
        // Passwords holding `/`, `?`, `#` or `@`, which tokio-postgres reads up to the first
        // `@` and the `url` crate up to the end of the authority.
        (
            "postgresql://corsair:S3cr/etPw+x-s3cret@127.0.0.1:5432/app",
            "postgresql://127.0.0.1:5432/app",
        ),
        (
            "postgresql://corsair:s3cret#x@127.0.0.1:5432/app",
            "postgresql://127.0.0.1:5432/app",
        ),
        (
            "postgresql://corsair:s3cret@x@127.0.0.1:5432/app",
            "postgresql://127.0.0.1:5432/app",
        ),
        (
            "postgresql://corsair:s3cret?x@127.0.0.1:5432/app",
            "postgresql://*** (the host is not shown: a `?` precedes the last `@`)",
        ),
        (
            "postgresql://db/app?password=s3cret@x",
            "postgresql://*** (the host is not shown: a `?` precedes the last `@`)",
        ),
        (
            "redis://:S3cr/et-s3cret@cache:6379/0",
            "redis://cache:6379/0",
        ),
        ("redis://:s3cret#x@cache:6379/0", "redis://cache:6379/0"),
        (
            "host=db password='a s3cret dbname=x' dbname=app",
            "postgres host=db dbname=app",
        ),
        (
            "host=db password=a\\ s3cret\\ dbname=x dbname=app",
            "postgres host=db dbname=app",
        ),
        (
            "host=db password='unterminated s3cret",
            "postgres (unreadable connection string)",
        ),
    ];
    for (raw, described) in table {
        let url = StoreUrl::new(raw);
        assert_eq!(url.describe(), described);
        assert_eq!(url.to_string(), described);
        assert!(!format!("{url:?}").contains("s3cret"), "{raw}");
    }
}

#[test]
fn the_environment_replaces_the_url_of_the_same_store() {
    let mut source = parse("[origins_source]\nredis = \"redis://cache\"\n").unwrap();
    apply_env_url(&mut source, "redis://:s3cret@cache:6379/0").unwrap();
    assert_eq!(source.store.url().expose(), "redis://:s3cret@cache:6379/0");
    let mismatch = apply_env_url(&mut source, "postgresql://db/app").unwrap_err();
    assert_eq!(mismatch.id, "origins-source-env-mismatch");
    assert_eq!(mismatch.subject, URL_ENV);
    let invalid = apply_env_url(&mut source, "redis://:s3cret@cache:notaport").unwrap_err();
    assert!(!invalid.to_string().contains("s3cret"), "{invalid}");
}
