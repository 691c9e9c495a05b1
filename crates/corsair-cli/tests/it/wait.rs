//! Waiting for something to happen instead of sleeping for a while: a condition is polled at
//! short intervals until it holds, up to a deadline generous enough for a machine busy with
//! other work; the caller fails the test then, saying what it waited for.

use std::time::{Duration, Instant};

/// How long a test waits for what takes milliseconds when all is well.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// How often a condition is polled.
const INTERVAL: Duration = Duration::from_millis(10);

/// Polls `condition` until it holds (`true`) or [`DEADLINE`] has passed (`false`).
pub async fn until(condition: impl AsyncFnMut() -> bool) -> bool {
    until_within(DEADLINE, condition).await
}

/// Polls `condition` until it holds (`true`) or `within` has passed (`false`).
pub async fn until_within(within: Duration, mut condition: impl AsyncFnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if condition().await {
            return true;
        }
        if started.elapsed() >= within {
            return false;
        }
        tokio::time::sleep(INTERVAL).await;
    }
}
