//! How the upstream failed a request, and where the forwarder reports it: the seam between the
//! forwarding here and whatever counts the failures (the metrics' `corsair_upstream_errors_total`),
//! so that nothing in this folder depends on the metrics.

/// How the upstream failed a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpstreamError {
    /// No connection could be made (refused, unreachable, `connect_timeout`).
    Connect,
    /// Connected, but too slow: no response head within `upstream_timeout`, the request body
    /// not read, or the response body stalled, for `idle_timeout`.
    Timeout,
    /// Connected, but the exchange broke: the connection closed, or the response was not valid
    /// HTTP.
    Protocol,
}

/// Where the forwarder reports each upstream failure, also one that cuts a response short
/// after its head.
pub(crate) trait UpstreamErrors: Send + Sync {
    /// Takes note of one failure.
    fn upstream_error(&self, error: UpstreamError);
}
