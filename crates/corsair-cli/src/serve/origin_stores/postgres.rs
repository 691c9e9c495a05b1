//! A PostgreSQL query of origins (one text column): run in full, again on each notification of
//! the `LISTEN`ed channel (`NOTIFY corsair_origins`, from a trigger say; a burst is one query,
//! see `settle`), and every `refresh`.
//! TLS as the URL's `sslmode` asks, verified against the webpki roots.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, StreamExt, TryStreamExt};
use tokio::sync::mpsc;
use tokio_postgres::types::Type;
use tokio_postgres::{AsyncMessage, Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{Feed, MAX_ORIGINS, STORE_TIMEOUT, settle};
use crate::net::error_chain;
use crate::settings::origins_source::StoreUrl;

/// Runs one connection: `LISTEN` first (so that no change between the query and the
/// subscription is missed), query, then query again on notifications and on the refresh tick.
/// Returns why the connection ended.
pub(super) async fn session(
    url: &StoreUrl,
    query: &str,
    channel: Option<&str>,
    refresh: Duration,
    feed: &mut Feed,
) -> String {
    match connected(url, query, channel, refresh, feed).await {
        Ok(never) => match never {},
        Err(error) => error,
    }
}

async fn connected(
    url: &StoreUrl,
    query: &str,
    channel: Option<&str>,
    refresh: Duration,
    feed: &mut Feed,
) -> Result<std::convert::Infallible, String> {
    let mut config: Config = url
        .expose()
        .parse()
        .map_err(|_| "not a PostgreSQL connection URL".to_owned())?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(STORE_TIMEOUT);
    }
    config.application_name("corsair");
    let (client, mut connection) = tokio::time::timeout(STORE_TIMEOUT, config.connect(tls()?))
        .await
        .map_err(|_| "timed out connecting".to_owned())?
        .map_err(|e| error_chain(&e))?;
    // The connection is driven by its own task, which forwards notifications; the channel
    // closes when the connection does.
    let (notifications, mut received) = mpsc::unbounded_channel();
    let mut notified = futures_util::stream::poll_fn(move |cx| received.poll_recv(cx));
    let mut driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if notifications.send(()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(error) => return error_chain(&error),
            }
        }
        "the connection was closed".to_owned()
    });
    let result = async {
        if let Some(channel) = channel {
            // A plain identifier (checked when the file was read), quoted all the same.
            let listen = format!("LISTEN \"{channel}\"");
            timed(client.batch_execute(&listen)).await?;
        }
        feed.load(origins(&client, query).await?).await;
        let mut ticker =
            tokio::time::interval_at(tokio::time::Instant::now() + refresh, refresh);
        loop {
            tokio::select! {
                notification = notified.next() => {
                    // A burst of notifications is one query, once it settles.
                    if notification.is_none() || settle(&mut notified).await.is_none() {
                        return Err::<std::convert::Infallible, String>("the connection was closed".to_owned());
                    }
                }
                _ = ticker.tick() => {}
            }
            feed.load(origins(&client, query).await?).await;
        }
    }
    .await;
    let ended = match result {
        Ok(never) => match never {},
        Err(error) => error,
    };
    // The connection's own error says more than "closed", when it has one.
    let cause = (&mut driver).now_or_never().and_then(Result::ok);
    driver.abort();
    Err(cause.unwrap_or(ended))
}

/// Runs the query; every row's first column, as text.
async fn origins(client: &Client, query: &str) -> Result<Vec<String>, String> {
    let rows = timed(client.query_raw(query, std::iter::empty::<&str>())).await?;
    let mut rows = std::pin::pin!(rows);
    let mut origins = Vec::new();
    let deadline = tokio::time::Instant::now() + STORE_TIMEOUT;
    loop {
        let row = tokio::time::timeout_at(deadline, rows.try_next())
            .await
            .map_err(|_| format!("the query took more than {}s", STORE_TIMEOUT.as_secs()))?
            .map_err(|e| error_chain(&e))?;
        let Some(row) = row else {
            break;
        };
        let Some(column) = row.columns().first() else {
            return Err("the query returns no column: select the origins, e.g. SELECT origin FROM tenant_domains WHERE active".to_owned());
        };
        if ![Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(column.type_()) {
            return Err(format!(
                "the query's first column `{}` is of type {}, not text: cast it (SELECT {}::text ...)",
                column.name(),
                column.type_(),
                column.name()
            ));
        }
        if origins.len() == MAX_ORIGINS {
            return Err(format!(
                "the query returns more than the {MAX_ORIGINS} origins corsair loads"
            ));
        }
        // A NULL is no origin.
        if let Some(origin) = row
            .try_get::<_, Option<String>>(0)
            .map_err(|e| error_chain(&e))?
        {
            origins.push(origin);
        }
    }
    Ok(origins)
}

async fn timed<T>(
    future: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, String> {
    tokio::time::timeout(STORE_TIMEOUT, future)
        .await
        .map_err(|_| format!("no answer within {}s", STORE_TIMEOUT.as_secs()))?
        .map_err(|e| error_chain(&e))
}

/// TLS for `sslmode=prefer` (the default: TLS when the server offers it) and `require`,
/// verified against the webpki roots with rustls' `ring` provider.
fn tls() -> Result<MakeRustlsConnect, String> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS is not available: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}
