//! The actix-web adapter: [`Cors`] is an actix-web `Transform`, so `App::new().wrap(cors)`
//! installs it; [`CorsMiddleware`] is the middleware it produces.
//!
//! This module only connects actix-web to the engine; no CORS rule lives here.
//!
//! # Two `http` versions
//!
//! actix-web 4 is built on `http` 0.2, the engine's public types on `http` 1. The engine decides
//! on actix's request head directly and writes actix's header values (the policy's values are
//! converted once per worker, and an allowed origin is answered with actix's own `Origin`
//! value), so nothing crosses between the two crates per request, an origin hook included: it
//! reads actix's head through the engine's request view. `BENCHMARKS.md` has the figures.

mod head;

use std::cell::RefCell;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::error::InternalError;
use actix_web::http::header::HeaderValue;
use actix_web::{Error, HttpRequest, HttpResponse};
use pin_project_lite::pin_project;

use crate::compiled::HeaderValues;
use crate::decision;
use crate::decision::{Answer, Decided, Pending};
use crate::observation::RequestKind;
use crate::policy::{Cors, ReloadableCors, Source};
use crate::respond;
use head::ActixHead;

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<CorsMiddleware<S>, ()>>;

    /// Wraps `service` with this policy; actix-web calls this once per worker when the policy
    /// is installed with `App::wrap` or `Scope::wrap`.
    ///
    /// ```
    /// use actix_web::{App, web};
    ///
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["http://localhost:8080"])
    ///     .build()
    ///     .unwrap();
    /// let app = App::new()
    ///     .wrap(cors)
    ///     .route("/", web::get().to(|| async { "hi" }));
    /// # let _ = app;
    /// ```
    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware::new(
            service,
            Source::Fixed(self.clone()),
        )))
    }
}

impl<S, B> Transform<S, ServiceRequest> for ReloadableCors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<CorsMiddleware<S>, ()>>;

    /// Wraps `service` with the policy current at each request. Each worker converts a new
    /// policy's header values to actix's type once, at the first request that sees it.
    ///
    /// ```
    /// use actix_web::{App, web};
    ///
    /// let cors = corsair::Cors::reloadable(
    ///     corsair::Cors::builder().allowed_origins(["http://localhost:8080"]).build().unwrap(),
    /// );
    /// let handle = cors.handle();
    /// let app = App::new()
    ///     .wrap(cors)
    ///     .route("/", web::get().to(|| async { "hi" }));
    /// handle.store(corsair::Cors::builder().allowed_origins(["https://app.example"]).build().unwrap());
    /// # let _ = app;
    /// ```
    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware::new(
            service,
            Source::Reloadable(self.clone()),
        )))
    }
}

/// The middleware [`Cors`] produces as an actix-web `Transform` (`App::new().wrap(cors)`).
///
/// Preflights on CORS paths are answered here (`204`, never reaching the wrapped service);
/// every other request goes to the service, and its response gets the CORS headers — error
/// responses too, so that the page can read them. An `Err` from the service (a middleware inside
/// this one) stays an `Err` for the middleware outside, but the response actix-web makes of it
/// is made here, with the CORS headers.
///
/// ```
/// use actix_web::{App, test, web};
///
/// # actix_web::rt::System::new().block_on(async {
/// let cors = corsair::Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
/// let app = test::init_service(
///     App::new().wrap(cors).route("/", web::get().to(|| async { "hello" })),
/// )
/// .await;
/// let request = test::TestRequest::get()
///     .uri("/")
///     .insert_header(("origin", "https://app.example"))
///     .to_request();
/// let response = test::call_service(&app, request).await;
/// let allowed = response.headers().get("access-control-allow-origin").unwrap();
/// assert_eq!(allowed, "https://app.example");
/// # });
/// ```
pub struct CorsMiddleware<S> {
    service: S,
    source: Source,
    /// The policy of the last request and its values, converted for this worker.
    current: RefCell<Rc<Snapshot>>,
}

/// One policy, with its values in actix's type; a request keeps the one it started with.
struct Snapshot {
    cors: Cors,
    /// The policy's values (the default policy's, then each route's) in actix's type. Every
    /// valid `http` 1 value is a valid `http` 0.2 value, so this is always `Some`; were it not,
    /// requests would pass through untouched rather than panic.
    values: Option<Vec<HeaderValues<HeaderValue>>>,
}

impl Snapshot {
    fn of(cors: Cors) -> Snapshot {
        Snapshot {
            values: head::actix_values(&cors.policy.values),
            cors,
        }
    }

    fn preflight_response(
        &self,
        values: &[HeaderValues<HeaderValue>],
        outcome: Answer<HeaderValue>,
    ) -> HttpResponse {
        let mut response = HttpResponse::NoContent().finish();
        respond::write_preflight(&self.cors.policy, values, outcome, response.headers_mut());
        response
    }
}

impl<S> CorsMiddleware<S> {
    fn new(service: S, source: Source) -> Self {
        let current = RefCell::new(Rc::new(Snapshot::of(source.current())));
        CorsMiddleware {
            service,
            source,
            current,
        }
    }

    /// The policy of the request arriving now, converted once per policy.
    fn snapshot(&self) -> Rc<Snapshot> {
        let changed = self.source.changed_since(&self.current.borrow().cors);
        if let Some(cors) = changed {
            *self.current.borrow_mut() = Rc::new(Snapshot::of(cors));
        }
        Rc::clone(&self.current.borrow())
    }

    /// The policy applied to a request arriving now.
    ///
    /// ```
    /// use actix_web::dev::{Transform, fn_service};
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let cors = corsair::Cors::builder().allow_all_origins(true).build().unwrap();
    /// let service = fn_service(|req: actix_web::dev::ServiceRequest| async move {
    ///     Ok::<_, actix_web::Error>(req.into_response(actix_web::HttpResponse::Ok().finish()))
    /// });
    /// let middleware = cors.new_transform(service).await.unwrap();
    /// assert!(middleware.policy().config().allow_all_origins);
    /// # });
    /// ```
    pub fn policy(&self) -> Cors {
        self.snapshot().cors.clone()
    }
}

impl<S> std::fmt::Debug for CorsMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorsMiddleware")
            .field("cors", &self.current.borrow().cors)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = MiddlewareFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        // One policy decides and answers the request, even if another is stored meanwhile.
        let shared = self.snapshot();
        let Some(values) = &shared.values else {
            return MiddlewareFuture {
                state: State::Bypass {
                    future: self.service.call(request),
                },
                shared,
            };
        };
        let head = ActixHead {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
        };
        let state = match decision::decide(&shared.cors.policy, &head, values) {
            Decided::Pending(pending) if pending.kind() == RequestKind::Preflight => {
                State::PendingPreflight {
                    request: Some(request.into_parts().0),
                    pending,
                }
            }
            Decided::Pending(pending) => State::Actual {
                future: self.service.call(request),
                outcome: None,
                pending: Some(pending),
            },
            Decided::Ready(outcome) => match outcome.kind {
                RequestKind::Bypass => State::Bypass {
                    future: self.service.call(request),
                },
                RequestKind::Preflight => {
                    let response = shared.preflight_response(values, outcome);
                    State::Preflight {
                        response: Some(request.into_response(response)),
                    }
                }
                RequestKind::Actual => State::Actual {
                    future: self.service.call(request),
                    outcome: Some(outcome),
                    pending: None,
                },
            },
        };
        MiddlewareFuture { state, shared }
    }
}

pin_project! {
    /// The response future of [`CorsMiddleware`].
    pub struct MiddlewareFuture<F> {
        #[pin]
        state: State<F>,
        shared: Rc<Snapshot>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Bypass { #[pin] future: F },
        Preflight { response: Option<ServiceResponse> },
        PendingPreflight {
            request: Option<HttpRequest>,
            #[pin] pending: Pending<HeaderValue>,
        },
        Actual {
            #[pin] future: F,
            outcome: Option<Answer<HeaderValue>>,
            #[pin] pending: Option<Pending<HeaderValue>>,
        },
    }
}

impl<F, B> Future for MiddlewareFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.state.project() {
            StateProj::Bypass { future } => {
                future.poll(cx).map_ok(ServiceResponse::map_into_left_body)
            }
            StateProj::Preflight { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response.map_into_right_body())),
                None => Poll::Ready(Err(already_completed())),
            },
            StateProj::PendingPreflight { request, pending } => {
                let outcome = std::task::ready!(pending.poll(cx));
                let (Some(request), Some(values)) = (request.take(), &this.shared.values) else {
                    return Poll::Ready(Err(already_completed()));
                };
                let response = this.shared.preflight_response(values, outcome);
                Poll::Ready(Ok(
                    ServiceResponse::new(request, response).map_into_right_body()
                ))
            }
            StateProj::Actual {
                future,
                outcome,
                mut pending,
            } => {
                if let Some(p) = pending.as_mut().as_pin_mut() {
                    *outcome = Some(std::task::ready!(p.poll(cx)));
                    pending.set(None);
                }
                let mut apply = |headers: &mut actix_web::http::header::HeaderMap| {
                    if let (Some(outcome), Some(values)) = (outcome.take(), &this.shared.values) {
                        respond::apply(&this.shared.cors.policy, values, outcome, headers);
                    }
                };
                match std::task::ready!(future.poll(cx)) {
                    Ok(mut response) => {
                        apply(response.headers_mut());
                        Poll::Ready(Ok(response.map_into_left_body()))
                    }
                    Err(error) => {
                        // The error stays an error (for outer middleware), but the response
                        // actix-web will make of it is made now and carries the CORS headers.
                        let mut response = error.error_response();
                        apply(response.headers_mut());
                        Poll::Ready(Err(InternalError::from_response(error, response).into()))
                    }
                }
            }
        }
    }
}

fn already_completed() -> Error {
    actix_web::error::ErrorInternalServerError("CORS middleware future polled after completion")
}
