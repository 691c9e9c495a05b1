//! The HTTP client side that `serve` (towards its upstream) and `check` (towards the server
//! under test) share: one connector, and one way to put a client error into words.

use std::time::Duration;

use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

/// `http`, or `https` verified against the webpki roots (Mozilla's list) the way a browser
/// verifies a server; TCP_NODELAY on, connecting for at most `connect_timeout`. HTTP/1.1.
pub(crate) fn connector(connect_timeout: Duration) -> HttpsConnector<HttpConnector> {
    connector_for(connect_timeout, false)
}

/// [`connector`], or with `http2` one that offers only `h2` by ALPN over `https` (the client
/// then speaks HTTP/2 over every connection: with prior knowledge, h2c, over `http`).
pub(crate) fn connector_for(
    connect_timeout: Duration,
    http2: bool,
) -> HttpsConnector<HttpConnector> {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    http.enforce_http(false);
    let builder = HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http();
    if http2 {
        builder.enable_http2().wrap_connector(http)
    } else {
        builder.enable_http1().wrap_connector(http)
    }
}

/// An error and its causes, outermost first, each cause once ("client error (Connect): tcp
/// connect error: Connection refused").
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn causes_are_chained_once_each() {
        let error = Layer(
            "client error (Connect)",
            Some(Box::new(Layer(
                "tcp connect error",
                Some(Box::new(Layer("Connection refused", None))),
            ))),
        );
        assert_eq!(
            error_chain(&error),
            "client error (Connect): tcp connect error: Connection refused"
        );
        let repeated = Layer(
            "tcp connect error: refused",
            Some(Box::new(Layer("refused", None))),
        );
        assert_eq!(error_chain(&repeated), "tcp connect error: refused");
    }
}
