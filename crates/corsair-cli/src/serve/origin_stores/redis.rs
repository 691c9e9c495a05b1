//! A Redis set of origins: `SMEMBERS key` in full, again on each message of the channel named
//! like the key (`PUBLISH corsair:origins changed`) or of the key's keyspace events (when the
//! server has `notify-keyspace-events` on), and every `refresh`. A burst of messages is one
//! load (see `settle`).

use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncConnectionConfig;

use super::{Feed, MAX_ORIGINS, STORE_TIMEOUT, settle};
use crate::settings::origins_source::StoreUrl;

/// Runs one connection: subscribes first (so that no change between the load and the
/// subscription is missed), loads, then reloads on messages and on the refresh tick. Returns why
/// the connection ended.
pub(super) async fn session(
    url: &StoreUrl,
    key: &str,
    refresh: Duration,
    feed: &mut Feed,
) -> String {
    match connected(url, key, refresh, feed).await {
        Ok(never) => match never {},
        Err(error) => error,
    }
}

async fn connected(
    url: &StoreUrl,
    key: &str,
    refresh: Duration,
    feed: &mut Feed,
) -> Result<std::convert::Infallible, String> {
    let client = redis::Client::open(url.expose()).map_err(describe)?;
    let db = client.get_connection_info().redis_settings().db();
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(STORE_TIMEOUT))
        .set_response_timeout(Some(STORE_TIMEOUT));
    let mut commands = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .map_err(describe)?;
    let mut pubsub = tokio::time::timeout(STORE_TIMEOUT, client.get_async_pubsub())
        .await
        .map_err(|_| "timed out connecting".to_owned())?
        .map_err(describe)?;
    let keyspace = format!("__keyspace@{db}__:{key}");
    for channel in [key, keyspace.as_str()] {
        tokio::time::timeout(STORE_TIMEOUT, pubsub.subscribe(channel))
            .await
            .map_err(|_| "timed out subscribing".to_owned())?
            .map_err(describe)?;
    }
    feed.load(members(&mut commands, key).await?).await;
    let mut messages = pubsub.into_on_message();
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + refresh, refresh);
    loop {
        tokio::select! {
            message = messages.next() => {
                // A burst of changes is one load, once it settles.
                if message.is_none() || settle(&mut messages).await.is_none() {
                    return Err("the connection was closed".to_owned());
                }
            }
            _ = ticker.tick() => {}
        }
        feed.load(members(&mut commands, key).await?).await;
    }
}

/// The set's members, as text (an entry that is not UTF-8 is kept as its lossy form, which
/// validation then refuses).
async fn members(
    commands: &mut redis::aio::MultiplexedConnection,
    key: &str,
) -> Result<Vec<String>, String> {
    let count: usize = redis::cmd("SCARD")
        .arg(key)
        .query_async(commands)
        .await
        .map_err(|e| wrong_type(key, e))?;
    if count > MAX_ORIGINS {
        return Err(format!(
            "the set {key} has {count} entries, more than the {MAX_ORIGINS} corsair loads"
        ));
    }
    let members: Vec<Vec<u8>> = redis::cmd("SMEMBERS")
        .arg(key)
        .query_async(commands)
        .await
        .map_err(|e| wrong_type(key, e))?;
    Ok(members
        .into_iter()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect())
}

fn wrong_type(key: &str, error: redis::RedisError) -> String {
    if error.code() == Some("WRONGTYPE") {
        format!("{key} is not a set: write origins with SADD {key} https://tenant.example.com")
    } else {
        describe(error)
    }
}

/// The client's error, which names no secret (it never includes the URL).
fn describe(error: redis::RedisError) -> String {
    error.to_string()
}
