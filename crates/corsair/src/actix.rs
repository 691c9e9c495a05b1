//! The actix-web adapter: [`Cors`] is an actix-web `Transform`, so `App::new().wrap(cors)`
//! installs it; [`CorsMiddleware`] is the middleware it produces.
//!
//! This module only translates between actix-web and the engine ([`Cors::evaluate`],
//! [`Cors::write_preflight_headers`], [`Cors::apply`]); no CORS rule lives here.
//!
//! # What the translation costs
//!
//! actix-web 4 is built on `http` 0.2, the engine on `http` 1, so each request head is moved
//! across (see `translate.rs`). Only what the engine reads goes across: the method (no
//! allocation), the path only when `urls_regex` is set (one copy), and the `Origin`,
//! `Access-Control-Request-Method` and `-Request-Private-Network` values. Header values are
//! remembered per worker (the last 16 distinct ones each way), so a returning origin and the
//! policy's precomputed answers cross without allocating, and so is the translated answer for
//! each of the last 16 decisions (a response without `Vary` or `Access-Control-*` headers of its
//! own gets it in a few inserts); the scratch maps are reused. With an origin hook installed the
//! whole head is copied, since the hook may read any of it. `BENCHMARKS.md` has the figures.

mod translate;

use std::cell::RefCell;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::error::InternalError;
use actix_web::http::header::HeaderMap;
use actix_web::{Error, HttpRequest, HttpResponse};
use pin_project_lite::pin_project;

use crate::decision::{Decision, Evaluation, PendingDecision, RequestKind};
use crate::policy::Cors;
use translate::Translator;

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
        ready(Ok(CorsMiddleware {
            service,
            shared: Rc::new(Shared {
                translator: RefCell::new(Translator::new(self)),
                cors: self.clone(),
            }),
        }))
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
    shared: Rc<Shared>,
}

/// What the middleware and its response futures share within one worker.
///
/// The translator is borrowed only inside these synchronous calls, never across an `.await`,
/// so borrowing it cannot fail; if it ever did, the request would pass through without CORS
/// headers (which browsers refuse) rather than panic.
struct Shared {
    cors: Cors,
    translator: RefCell<Translator>,
}

impl Shared {
    fn evaluate(&self, request: &ServiceRequest) -> Option<Evaluation> {
        let mut translator = self.translator.try_borrow_mut().ok()?;
        translator.evaluate(
            &self.cors,
            request.method(),
            request.uri(),
            request.headers(),
        )
    }

    fn preflight_response(&self, decision: &Decision) -> HttpResponse {
        let mut response = HttpResponse::NoContent().finish();
        if let Ok(mut translator) = self.translator.try_borrow_mut() {
            translator.write_preflight(&self.cors, decision, response.headers_mut());
        }
        response
    }

    fn apply(&self, decision: &Decision, headers: &mut HeaderMap) {
        if let Ok(mut translator) = self.translator.try_borrow_mut() {
            translator.apply(&self.cors, decision, headers);
        }
    }
}

impl<S> CorsMiddleware<S> {
    /// The policy applied.
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
    pub fn policy(&self) -> &Cors {
        &self.shared.cors
    }
}

impl<S> std::fmt::Debug for CorsMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorsMiddleware")
            .field("cors", &self.shared.cors)
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
        let state = match self.shared.evaluate(&request) {
            None => State::Bypass {
                future: self.service.call(request),
            },
            Some(Evaluation::Decided(decision)) => match decision.kind() {
                RequestKind::Bypass => State::Bypass {
                    future: self.service.call(request),
                },
                RequestKind::Preflight => {
                    let response = self.shared.preflight_response(&decision);
                    State::Preflight {
                        response: Some(request.into_response(response)),
                    }
                }
                RequestKind::Actual => State::Actual {
                    future: self.service.call(request),
                    decision: Some(decision),
                    pending: None,
                },
            },
            Some(Evaluation::Pending(pending)) if pending.kind() == RequestKind::Preflight => {
                State::PendingPreflight {
                    request: Some(request.into_parts().0),
                    pending,
                }
            }
            Some(Evaluation::Pending(pending)) => State::Actual {
                future: self.service.call(request),
                decision: None,
                pending: Some(pending),
            },
        };
        MiddlewareFuture {
            state,
            shared: Rc::clone(&self.shared),
        }
    }
}

pin_project! {
    /// The response future of [`CorsMiddleware`].
    pub struct MiddlewareFuture<F> {
        #[pin]
        state: State<F>,
        shared: Rc<Shared>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Bypass { #[pin] future: F },
        Preflight { response: Option<ServiceResponse> },
        PendingPreflight { request: Option<HttpRequest>, #[pin] pending: PendingDecision },
        Actual {
            #[pin] future: F,
            decision: Option<Decision>,
            #[pin] pending: Option<PendingDecision>,
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
                let decision = std::task::ready!(pending.poll(cx));
                let Some(request) = request.take() else {
                    return Poll::Ready(Err(already_completed()));
                };
                let response = this.shared.preflight_response(&decision);
                Poll::Ready(Ok(
                    ServiceResponse::new(request, response).map_into_right_body()
                ))
            }
            StateProj::Actual {
                future,
                decision,
                mut pending,
            } => {
                if let Some(p) = pending.as_mut().as_pin_mut() {
                    *decision = Some(std::task::ready!(p.poll(cx)));
                    pending.set(None);
                }
                match std::task::ready!(future.poll(cx)) {
                    Ok(mut response) => {
                        if let Some(decision) = decision.as_ref() {
                            this.shared.apply(decision, response.headers_mut());
                        }
                        Poll::Ready(Ok(response.map_into_left_body()))
                    }
                    Err(error) => {
                        // The error stays an error (for outer middleware), but the response
                        // actix-web will make of it is made now and carries the CORS headers.
                        let mut response = error.error_response();
                        if let Some(decision) = decision.as_ref() {
                            this.shared.apply(decision, response.headers_mut());
                        }
                        Poll::Ready(Err(InternalError::from_response(error, response).into()))
                    }
                }
            }
        }
    }
}

/// The error a future gives when polled again after it completed (a caller bug; never a panic).
fn already_completed() -> Error {
    actix_web::error::ErrorInternalServerError("CORS middleware future polled after completion")
}
