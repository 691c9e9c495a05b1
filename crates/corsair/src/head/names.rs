//! The names of the Private Network Access headers
//! (<https://wicg.github.io/private-network-access/>), which the `http` crate does not define.

use http::HeaderName;

/// `Access-Control-Request-Private-Network`.
///
/// ```
/// assert_eq!(corsair::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK.as_str(), "access-control-request-private-network");
/// ```
pub const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// `Access-Control-Allow-Private-Network`.
///
/// ```
/// assert_eq!(corsair::ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK.as_str(), "access-control-allow-private-network");
/// ```
pub const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");
