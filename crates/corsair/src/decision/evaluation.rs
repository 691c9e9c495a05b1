//! [`Evaluation`]: a decision made now, or one waiting for an asynchronous origin hook.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::HeaderValue;

use super::{Answer, Decision};
use crate::head::Value;
use crate::hook::HookFuture;
use crate::observation::{Observation, RequestKind, SharedObserver, Summary};

/// [`Cors::evaluate`](crate::Cors::evaluate)'s answer: decided now, or waiting for an asynchronous origin hook.
///
/// ```
/// use corsair::{Cors, Evaluation};
///
/// let cors = Cors::builder().allow_all_origins(true).build().unwrap();
/// match cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new()) {
///     Evaluation::Decided(decision) => assert!(!decision.is_allowed()),
///     Evaluation::Pending(_) => unreachable!("only async hooks are pending"),
/// }
/// ```
#[must_use]
pub enum Evaluation {
    /// The decision is made.
    Decided(Decision),
    /// An asynchronous hook is deciding; await this to get the decision.
    Pending(PendingDecision),
}

impl Evaluation {
    /// The decision if it is already made (always, unless an async hook is installed).
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allow_all_origins(true).build().unwrap();
    /// let evaluation = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new());
    /// assert!(evaluation.now().is_some());
    /// ```
    pub fn now(self) -> Option<Decision> {
        match self {
            Evaluation::Decided(decision) => Some(decision),
            Evaluation::Pending(_) => None,
        }
    }

    /// Waits for the decision.
    ///
    /// ```
    /// # use corsair::Cors;
    /// # async fn run() {
    /// let cors = Cors::builder()
    ///     .allow_origin_if_async(|_req| async { true })
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://tenant.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).await;
    /// assert!(decision.is_allowed());
    /// # }
    /// ```
    pub async fn await_decision(self) -> Decision {
        match self {
            Evaluation::Decided(decision) => decision,
            Evaluation::Pending(pending) => pending.await,
        }
    }
}

impl std::future::IntoFuture for Evaluation {
    type Output = Decision;
    type IntoFuture = Pin<Box<dyn Future<Output = Decision> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.await_decision())
    }
}

impl fmt::Debug for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evaluation::Decided(d) => f.debug_tuple("Decided").field(d).finish(),
            Evaluation::Pending(_) => f.write_str("Pending"),
        }
    }
}

/// A decision waiting for an asynchronous origin hook. A future of [`Decision`].
///
/// ```
/// # async fn run() {
/// use corsair::{Cors, Evaluation};
///
/// let cors = Cors::builder()
///     .allow_origin_if_async(|req| {
///         let allowed = req.origin().ends_with(".tenants.example");
///         async move { allowed }
///     })
///     .build()
///     .unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://acme.tenants.example".parse().unwrap());
/// if let Evaluation::Pending(pending) = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers) {
///     assert!(pending.await.is_allowed());
/// }
/// # }
/// ```
pub struct PendingDecision {
    pending: Pending<HeaderValue>,
}

impl PendingDecision {
    pub(crate) fn new(pending: Pending<HeaderValue>) -> PendingDecision {
        PendingDecision { pending }
    }

    /// What the request is (a preflight waits for the hook before it is answered; an actual
    /// request runs the inner service meanwhile).
    ///
    /// ```
    /// # use corsair::{Cors, Evaluation, RequestKind};
    /// let cors = Cors::builder()
    ///     .allow_origin_if_async(|_req| async { false })
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://a.example".parse().unwrap());
    /// let Evaluation::Pending(pending) = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers) else {
    ///     unreachable!()
    /// };
    /// assert_eq!(pending.kind(), RequestKind::Actual);
    /// ```
    pub fn kind(&self) -> RequestKind {
        self.pending.kind()
    }
}

impl Future for PendingDecision {
    type Output = Decision;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Decision> {
        Pin::new(&mut self.pending)
            .poll(cx)
            .map(|outcome| Decision { outcome })
    }
}

impl fmt::Debug for PendingDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingDecision")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

/// What deciding gave, in the header value type of the framework.
pub(crate) enum Decided<V> {
    /// Decided now.
    Ready(Answer<V>),
    /// Waiting for the hook.
    Pending(Pending<V>),
}

/// The lists' refusal of an origin, waiting for an asynchronous hook that may allow it: then
/// the origin is echoed with `echo`, the request's own `Origin` value.
pub(crate) struct Pending<V> {
    pub(crate) outcome: Option<Answer<V>>,
    pub(crate) echo: V,
    pub(crate) hook: HookFuture,
    /// Who to tell when the hook answers, and what they are told besides the answer.
    pub(crate) observing: Option<Box<Observing>>,
}

/// What an observer is told about a decision that waited for an asynchronous hook.
pub(crate) struct Observing {
    pub(crate) observer: SharedObserver,
    pub(crate) candidate: Option<Summary>,
    pub(crate) route_path: Option<String>,
}

impl<V> Pending<V> {
    /// What the request is.
    pub(crate) fn kind(&self) -> RequestKind {
        self.outcome
            .as_ref()
            .map_or(RequestKind::Actual, |o| o.kind)
    }
}

impl<V: Value + Unpin> Future for Pending<V> {
    type Output = Answer<V>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Answer<V>> {
        let allowed = std::task::ready!(self.hook.as_mut().poll(cx));
        let this = &mut *self;
        // Polled after completion only by a misbehaving caller: the refusal stands.
        let mut outcome = this
            .outcome
            .take()
            .unwrap_or_else(|| Answer::new(RequestKind::Actual));
        if allowed {
            outcome.allow(this.echo.clone());
        }
        if let Some(observing) = this.observing.take() {
            let decided = outcome.summary();
            observing.observer.observe(&Observation {
                decided,
                candidate: observing
                    .candidate
                    .filter(|c| (c.outcome, c.refusal) != (decided.outcome, decided.refusal)),
                route_path: observing.route_path.as_deref(),
                head: None,
                origin: Some(this.echo.bytes()),
            });
        }
        Poll::Ready(outcome)
    }
}
