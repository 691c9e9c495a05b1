//! The tower adapter: [`Cors`] is a [`Layer`]; [`CorsService`] is the middleware.
//!
//! This module only connects tower to the engine ([`Cors::evaluate`],
//! [`Cors::preflight_response`], [`Cors::apply`]); no CORS rule lives here.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::decision::{Decision, Evaluation, PendingDecision};
use crate::observation::RequestKind;
use crate::policy::{Cors, ReloadableCors, Source};

impl<S> Layer<S> for Cors {
    type Service = CorsService<S>;

    /// Wraps `inner` with this policy.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    ///
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["http://localhost:8080"])
    ///     .build()
    ///     .unwrap();
    /// let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(cors);
    /// # let _ = app;
    /// ```
    fn layer(&self, inner: S) -> CorsService<S> {
        CorsService {
            inner,
            source: Source::Fixed(self.clone()),
        }
    }
}

impl<S> Layer<S> for ReloadableCors {
    type Service = CorsService<S>;

    /// Wraps `inner` with the policy current at each request.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    ///
    /// let cors = corsair::Cors::reloadable(
    ///     corsair::Cors::builder().allowed_origins(["http://localhost:8080"]).build().unwrap(),
    /// );
    /// let handle = cors.handle();
    /// let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(cors);
    /// handle.store(corsair::Cors::builder().allowed_origins(["https://app.example"]).build().unwrap());
    /// # let _ = app;
    /// ```
    fn layer(&self, inner: S) -> CorsService<S> {
        CorsService {
            inner,
            source: Source::Reloadable(self.clone()),
        }
    }
}

/// The middleware [`Cors`] produces as a tower [`Layer`].
///
/// Preflights on CORS paths are answered here (`204`, never reaching `inner`); every other
/// request goes to `inner`, and its response (errors included) gets the CORS headers.
///
/// ```
/// use std::convert::Infallible;
/// use tower::{Layer, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let cors = corsair::Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
/// let service = cors.layer(tower::service_fn(|_req: http::Request<String>| async {
///     Ok::<_, Infallible>(http::Response::new(String::from("hello")))
/// }));
/// let request = http::Request::builder()
///     .header("origin", "https://app.example")
///     .body(String::new())
///     .unwrap();
/// let response = service.oneshot(request).await.unwrap();
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CorsService<S> {
    inner: S,
    source: Source,
}

impl<S> CorsService<S> {
    /// The wrapped service.
    ///
    /// ```
    /// # use tower::Layer;
    /// # let cors = corsair::Cors::builder().allow_all_origins(true).build().unwrap();
    /// let service = cors.layer(42);
    /// assert_eq!(*service.get_ref(), 42);
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The policy applied to a request arriving now.
    ///
    /// ```
    /// # use tower::Layer;
    /// # let cors = corsair::Cors::builder().allow_all_origins(true).build().unwrap();
    /// let service = cors.layer(());
    /// assert!(service.policy().config().allow_all_origins);
    /// ```
    pub fn policy(&self) -> Cors {
        self.source.current()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CorsService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // One policy decides and answers the request, even if another is stored meanwhile; a
        // fixed one is lent, and kept by the future only when it answers later.
        let cors = self.source.lend();
        let evaluation = cors.evaluate(request.method(), request.uri(), request.headers());
        let state = match evaluation {
            Evaluation::Decided(decision) => match decision.kind() {
                RequestKind::Bypass => State::Bypass {
                    future: self.inner.call(request),
                },
                RequestKind::Preflight => State::Preflight {
                    response: Some(cors.preflight_answer(decision)),
                },
                RequestKind::Actual => State::Actual {
                    future: self.inner.call(request),
                    decision: Some(decision),
                    pending: None,
                    cors: cors.into_owned(),
                },
            },
            Evaluation::Pending(pending) if pending.kind() == RequestKind::Preflight => {
                State::PendingPreflight {
                    pending,
                    cors: cors.into_owned(),
                }
            }
            Evaluation::Pending(pending) => State::Actual {
                future: self.inner.call(request),
                decision: None,
                pending: Some(pending),
                cors: cors.into_owned(),
            },
        };
        ResponseFuture { state }
    }
}

pin_project! {
    /// The response future of [`CorsService`].
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Bypass { #[pin] future: F },
        Preflight { response: Option<Response<()>> },
        PendingPreflight { #[pin] pending: PendingDecision, cors: Cors },
        Actual {
            #[pin] future: F,
            decision: Option<Decision>,
            #[pin] pending: Option<PendingDecision>,
            cors: Cors,
        },
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.state.project() {
            StateProj::Bypass { future } => future.poll(cx),
            StateProj::Preflight { response } => {
                let response = response.take().expect("polled after completion");
                Poll::Ready(Ok(response.map(|()| B::default())))
            }
            StateProj::PendingPreflight { pending, cors } => {
                let decision = ready!(pending.poll(cx));
                Poll::Ready(Ok(cors.preflight_answer(decision)))
            }
            StateProj::Actual {
                future,
                decision,
                mut pending,
                cors,
            } => {
                if let Some(p) = pending.as_mut().as_pin_mut() {
                    *decision = Some(ready!(p.poll(cx)));
                    pending.set(None);
                }
                let mut response = ready!(future.poll(cx))?;
                if let Some(decision) = decision.take() {
                    cors.apply_answer(decision, response.headers_mut());
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}
