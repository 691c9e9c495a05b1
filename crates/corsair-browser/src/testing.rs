//! Run the browser model against your own tower service, in a test: "a page at origin X does PUT
//! with header Y and credentials: is it allowed, and if not, what does Chromium print?"
//!
//! [`fetch`] sends the preflight (when the browser would) and then the request through the
//! service, exactly as [`Fetch`] asks, and returns the [`Verdict`]. Redirects are followed
//! through the same service (the request's `Host` header names the redirect's host).
//!
//! ```
//! use axum::{Router, routing::put};
//! use corsair_browser::{BrowserRequest, Credentials, testing};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let cors = corsair::Cors::builder()
//!     .allowed_origins(["https://app.example"])
//!     .allow_credentials(true)
//!     .allow_headers(["content-type"])
//!     .build()
//!     .unwrap();
//! let mut app = Router::new()
//!     .route("/items/{id}", put(|| async { "saved" }))
//!     .layer(cors);
//!
//! let allowed = BrowserRequest::builder("https://app.example", "https://api.example/items/1")
//!     .method("PUT")
//!     .header("Content-Type", "application/json")
//!     .credentials(Credentials::Include)
//!     .build()
//!     .unwrap();
//! // A Router accepts any body type: name the one the requests carry.
//! let verdict = testing::fetch::<_, axum::body::Body, _>(&mut app, allowed).await.unwrap();
//! assert!(verdict.is_allowed(), "{:?}", verdict.message());
//! assert!(verdict.preflighted);
//!
//! let refused = BrowserRequest::builder("https://app.example", "https://api.example/items/1")
//!     .method("PUT")
//!     .header("X-Token", "secret")
//!     .build()
//!     .unwrap();
//! let verdict = testing::fetch::<_, axum::body::Body, _>(&mut app, refused).await.unwrap();
//! assert_eq!(
//!     verdict.message().unwrap(),
//!     "Access to fetch at 'https://api.example/items/1' from origin 'https://app.example' has \
//!      been blocked by CORS policy: Request header field x-token is not allowed by \
//!      Access-Control-Allow-Headers in preflight response."
//! );
//! # }
//! ```

use std::future::poll_fn;

use http::{Request, Response};
use tower_service::Service;

use crate::{BrowserRequest, Fetch, Progress, Verdict};

/// Runs `request` through `service` as a browser would, and returns the browser's verdict.
///
/// Each request reaches the service with an absolute URI, the browser's headers and an empty
/// (`Default`) body; the response body is ignored. Only a service error stops the fetch early.
///
/// ```
/// use std::convert::Infallible;
/// use corsair_browser::{BrowserRequest, testing};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // A server without CORS at all.
/// let mut service = tower::service_fn(|_req: http::Request<String>| async {
///     Ok::<_, Infallible>(http::Response::new(String::from("[]")))
/// });
/// let request = BrowserRequest::builder("http://localhost:3000", "http://localhost:8000/items")
///     .build()
///     .unwrap();
/// let verdict = testing::fetch(&mut service, request).await.unwrap();
/// assert_eq!(
///     verdict.failure().unwrap().code(),
///     "MissingAllowOriginHeader"
/// );
/// # }
/// ```
pub async fn fetch<S, ReqBody, ResBody>(
    service: &mut S,
    request: BrowserRequest,
) -> Result<Verdict, S::Error>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ReqBody: Default,
{
    let mut progress = Fetch::start(request);
    loop {
        match progress {
            Progress::Done(verdict) => return Ok(verdict),
            Progress::Send(fetch) => {
                let outgoing = fetch.request();
                let mut request = Request::new(ReqBody::default());
                *request.method_mut() = outgoing.method().clone();
                *request.uri_mut() = outgoing.uri().clone();
                *request.headers_mut() = outgoing.headers().clone();
                poll_fn(|cx| service.poll_ready(cx)).await?;
                let response = service.call(request).await?;
                progress = fetch.receive(response.status(), response.headers());
            }
        }
    }
}
