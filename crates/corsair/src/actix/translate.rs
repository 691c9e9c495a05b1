//! Moves request and response heads between actix-web's types (`http` 0.2) and the engine's
//! (`http` 1).
//!
//! Invariants: only what the engine reads is translated — the method, the path when
//! `urls_regex` is set, and the `Origin`, `Access-Control-Request-Method` and
//! `Access-Control-Request-Private-Network` headers (everything when an origin hook is installed,
//! because the hook sees the whole request head). `Access-Control-Request-Headers` is never
//! copied, so a hostile 1 MiB list costs nothing here. Header values are copied across at most
//! once while they stay among the last [`SLOTS`] distinct values seen in each direction, and
//! what the engine writes for a decision into a response that carries none of the headers it
//! reads or rewrites (`Vary`, `Access-Control-*`) is remembered per decision; the scratch maps
//! keep their capacity between requests. Nothing here panics on input.

use actix_web::http::header as ax;
use actix_web::http::{Method as ActixMethod, Uri as ActixUri};
use bytes::Bytes;
use http::header::{ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

use crate::decision::{
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, Decision,
    Evaluation,
};
use crate::policy::Cors;

/// How many recently converted values each direction remembers.
pub(super) const SLOTS: usize = 16;

/// Values longer than this are converted every time (a serialized origin is far shorter).
const MAX_REMEMBERED_LEN: usize = 1024;

const ACTIX_PRIVATE_NETWORK: ax::HeaderName =
    ax::HeaderName::from_static("access-control-allow-private-network");
const ACTIX_REQUEST_PRIVATE_NETWORK: ax::HeaderName =
    ax::HeaderName::from_static("access-control-request-private-network");

/// A header value type of either `http` version.
trait ValueBytes: Clone {
    fn bytes(&self) -> &[u8];
    fn copy_of(bytes: &[u8]) -> Option<Self>;
}

impl ValueBytes for HeaderValue {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }

    fn copy_of(bytes: &[u8]) -> Option<Self> {
        HeaderValue::from_maybe_shared(Bytes::copy_from_slice(bytes)).ok()
    }
}

impl ValueBytes for ax::HeaderValue {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }

    fn copy_of(bytes: &[u8]) -> Option<Self> {
        ax::HeaderValue::from_maybe_shared(Bytes::copy_from_slice(bytes)).ok()
    }
}

/// The last [`SLOTS`] distinct values converted into `V`, replaced in turn. Clones of a value
/// share its buffer, so a hit costs a comparison and a reference-count increment.
struct Recent<V> {
    slots: Vec<V>,
    next: usize,
}

impl<V: ValueBytes> Recent<V> {
    fn new() -> Self {
        Recent {
            slots: Vec::with_capacity(SLOTS),
            next: 0,
        }
    }

    /// `bytes` as a `V`: a remembered value, or a fresh copy (remembered when short).
    fn convert(&mut self, bytes: &[u8]) -> Option<V> {
        if let Some(hit) = self.slots.iter().find(|v| v.bytes() == bytes) {
            return Some(hit.clone());
        }
        let value = V::copy_of(bytes)?;
        if bytes.len() <= MAX_REMEMBERED_LEN {
            if self.slots.len() < SLOTS {
                self.slots.push(value.clone());
            } else {
                self.slots[self.next] = value.clone();
                self.next = (self.next + 1) % SLOTS;
            }
        }
        Some(value)
    }
}

/// The headers the engine wrote for one decision into a response that had none of the headers
/// it reads or rewrites, in actix's types. [`Cors::apply`] and
/// [`Cors::write_preflight_headers`] read nothing else of such a response, so their output is a
/// function of the decision (and of the policy, fixed per middleware).
struct Rendering {
    decision: Decision,
    headers: Vec<(ax::HeaderName, ax::HeaderValue)>,
}

/// The last [`SLOTS`] renderings, replaced in turn; a replaced slot keeps its vector's capacity.
#[derive(Default)]
struct Renderings {
    slots: Vec<Rendering>,
    next: usize,
}

impl Renderings {
    fn find(&self, decision: &Decision) -> Option<&Rendering> {
        self.slots.iter().find(|r| r.decision == *decision)
    }

    /// An emptied slot for `decision`.
    fn slot(&mut self, decision: &Decision) -> &mut Rendering {
        let index = if self.slots.len() < SLOTS {
            self.slots.push(Rendering {
                decision: decision.clone(),
                headers: Vec::with_capacity(8),
            });
            self.slots.len() - 1
        } else {
            let index = self.next;
            self.next = (self.next + 1) % SLOTS;
            index
        };
        let rendering = &mut self.slots[index];
        rendering.decision = decision.clone();
        rendering.headers.clear();
        rendering
    }
}

/// The engine's name for an actix header name.
fn engine_name(name: &ax::HeaderName) -> Option<HeaderName> {
    if *name == ACTIX_REQUEST_PRIVATE_NETWORK {
        return Some(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK);
    }
    // Standard names are recognised without allocating.
    HeaderName::from_bytes(name.as_str().as_bytes()).ok()
}

/// actix's name for an engine header name: the names the engine writes are matched as
/// constants (comparing standard names is an integer comparison); others are parsed.
fn actix_name(name: &HeaderName) -> Option<ax::HeaderName> {
    if let Some((_, actix)) = WRITTEN_NAMES.iter().find(|(engine, _)| engine == name) {
        return Some(actix.clone());
    }
    ax::HeaderName::from_bytes(name.as_str().as_bytes()).ok()
}

/// The response header names the engine writes, in both crates' types.
static WRITTEN_NAMES: [(HeaderName, ax::HeaderName); 8] = {
    use http::header as h;
    [
        (h::VARY, ax::VARY),
        (
            h::ACCESS_CONTROL_ALLOW_ORIGIN,
            ax::ACCESS_CONTROL_ALLOW_ORIGIN,
        ),
        (
            h::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            ax::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        ),
        (
            h::ACCESS_CONTROL_EXPOSE_HEADERS,
            ax::ACCESS_CONTROL_EXPOSE_HEADERS,
        ),
        (
            h::ACCESS_CONTROL_ALLOW_METHODS,
            ax::ACCESS_CONTROL_ALLOW_METHODS,
        ),
        (
            h::ACCESS_CONTROL_ALLOW_HEADERS,
            ax::ACCESS_CONTROL_ALLOW_HEADERS,
        ),
        (h::ACCESS_CONTROL_MAX_AGE, ax::ACCESS_CONTROL_MAX_AGE),
        (ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACTIX_PRIVATE_NETWORK),
    ]
};

/// Whether the engine may write or rewrite a response header of this name.
fn engine_may_touch(name: &ax::HeaderName) -> bool {
    *name == ax::VARY || name.as_str().starts_with("access-control-")
}

/// The translation state of one middleware instance (one per actix worker).
pub(super) struct Translator {
    /// `urls_regex` is set: the engine reads the path.
    reads_path: bool,
    /// An origin hook is installed: it may read the whole request head.
    reads_everything: bool,
    /// The URI handed to the engine when it reads neither the path nor the hook.
    root: Uri,
    request_head: HeaderMap,
    response_head: HeaderMap,
    copied_names: Vec<ax::HeaderName>,
    to_engine: Recent<HeaderValue>,
    to_actix: Recent<ax::HeaderValue>,
    renderings: Renderings,
}

impl Translator {
    pub(super) fn new(cors: &Cors) -> Self {
        Translator {
            reads_path: cors.policy.urls_regex.is_some(),
            reads_everything: cors.policy.hook.is_some(),
            root: Uri::from_static("/"),
            request_head: HeaderMap::with_capacity(4),
            response_head: HeaderMap::with_capacity(8),
            copied_names: Vec::with_capacity(4),
            to_engine: Recent::new(),
            to_actix: Recent::new(),
            renderings: Renderings::default(),
        }
    }

    /// Runs [`Cors::evaluate`] on an actix request head. `None` when the head cannot be
    /// expressed in the engine's types (then the request passes through untouched).
    pub(super) fn evaluate(
        &mut self,
        cors: &Cors,
        method: &ActixMethod,
        uri: &ActixUri,
        headers: &ax::HeaderMap,
    ) -> Option<Evaluation> {
        let method = Method::from_bytes(method.as_str().as_bytes()).ok()?;
        let uri = if self.reads_everything {
            Uri::try_from(uri.to_string()).ok()?
        } else if self.reads_path {
            Uri::from_maybe_shared(Bytes::copy_from_slice(uri.path().as_bytes())).ok()?
        } else {
            self.root.clone()
        };
        self.request_head.clear();
        if self.reads_everything {
            for (name, value) in headers.iter() {
                let name = engine_name(name)?;
                let value = HeaderValue::from_bytes(value.as_bytes()).ok()?;
                self.request_head.append(name, value);
            }
        } else {
            for (actix, engine) in [
                (ax::ORIGIN, ORIGIN),
                (
                    ax::ACCESS_CONTROL_REQUEST_METHOD,
                    ACCESS_CONTROL_REQUEST_METHOD,
                ),
                (
                    ACTIX_REQUEST_PRIVATE_NETWORK,
                    ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
                ),
            ] {
                for value in headers.get_all(actix) {
                    let value = self.to_engine.convert(value.as_bytes())?;
                    self.request_head.append(engine.clone(), value);
                }
            }
        }
        let evaluation = cors.evaluate(&method, &uri, &self.request_head);
        self.request_head.clear();
        Some(evaluation)
    }

    /// Writes a preflight answer's headers into a new actix response's headers.
    pub(super) fn write_preflight(
        &mut self,
        cors: &Cors,
        decision: &Decision,
        to: &mut ax::HeaderMap,
    ) {
        self.render(decision, to, |head| {
            cors.write_preflight_headers(decision, head);
        });
    }

    /// Appends what the engine writes for `decision` into a response that holds none of the
    /// headers the engine reads or rewrites: remembered per decision, translated on a miss.
    fn render(
        &mut self,
        decision: &Decision,
        to: &mut ax::HeaderMap,
        write: impl FnOnce(&mut HeaderMap),
    ) {
        if let Some(rendering) = self.renderings.find(decision) {
            for (name, value) in &rendering.headers {
                to.append(name.clone(), value.clone());
            }
            return;
        }
        self.response_head.clear();
        write(&mut self.response_head);
        let rendering = self.renderings.slot(decision);
        for (name, value) in &self.response_head {
            if let (Some(name), Some(value)) =
                (actix_name(name), self.to_actix.convert(value.as_bytes()))
            {
                to.append(name.clone(), value.clone());
                rendering.headers.push((name, value));
            }
        }
        self.response_head.clear();
    }

    /// Runs [`Cors::apply`] on an actix response's headers: the headers the engine may rewrite
    /// (`Vary`, `Access-Control-*`) go across, and what the engine made of them comes back.
    pub(super) fn apply(&mut self, cors: &Cors, decision: &Decision, to: &mut ax::HeaderMap) {
        if !to.iter().any(|(name, _)| engine_may_touch(name)) {
            self.render(decision, to, |head| cors.apply(decision, head));
            return;
        }
        self.response_head.clear();
        self.copied_names.clear();
        for (name, value) in to.iter() {
            if !engine_may_touch(name) {
                continue;
            }
            let (Some(engine), Some(value)) =
                (engine_name(name), self.to_engine.convert(value.as_bytes()))
            else {
                continue;
            };
            self.response_head.append(engine, value);
            if !self.copied_names.contains(name) {
                self.copied_names.push(name.clone());
            }
        }
        cors.apply(decision, &mut self.response_head);
        for name in &self.copied_names {
            let still_there = engine_name(name).is_some_and(|n| self.response_head.contains_key(n));
            if !still_there {
                to.remove(name);
            }
        }
        for name in self.response_head.keys() {
            let Some(actix) = actix_name(name) else {
                continue;
            };
            // The first value replaces whatever the response had under this name.
            let mut first = true;
            for value in self.response_head.get_all(name) {
                let Some(value) = self.to_actix.convert(value.as_bytes()) else {
                    continue;
                };
                if std::mem::take(&mut first) {
                    to.insert(actix.clone(), value);
                } else {
                    to.append(actix.clone(), value);
                }
            }
            if first {
                to.remove(&actix);
            }
        }
        self.response_head.clear();
    }
}
