//! [`ReloadableCors`]: a policy that can be replaced while the application runs, without
//! rebuilding the router: the tower layer and the actix middleware read the current policy
//! once per request, and [`PolicyHandle::store`] swaps in another one atomically.
//!
//! Invariants: reading the current policy is lock-free and allocates nothing; a request is
//! decided and answered by one policy, the one current when it arrived, even if another is
//! stored meanwhile.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::Cors;
use crate::compiled::Policy;

/// A [`Cors`] policy that can be swapped at run time, through its [`PolicyHandle`]. Use it
/// where a `Cors` goes: as a tower `Layer`, or with actix-web's `App::wrap`.
///
/// ```
/// use corsair::Cors;
///
/// let first = Cors::builder().allowed_origins(["https://app.example"]).build()?;
/// let cors = Cors::reloadable(first);
/// let handle = cors.handle();
/// // ... `cors` wraps the application; later, a new configuration arrives:
/// handle.store(Cors::builder().allowed_origins(["https://new.example"]).build()?);
/// assert_eq!(cors.current().config().allowed_origins, ["https://new.example"]);
/// # Ok::<(), corsair::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ReloadableCors {
    cell: Arc<ArcSwap<Policy>>,
}

/// Replaces the policy of a [`ReloadableCors`] (and of every layer and middleware made from
/// it). Cheap to clone; `Send + Sync`.
///
/// ```
/// use corsair::Cors;
///
/// let cors = Cors::reloadable(Cors::builder().allow_all_origins(true).build()?);
/// let handle = cors.handle();
/// std::thread::spawn(move || {
///     let stricter = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
///     handle.store(stricter);
/// })
/// .join()
/// .unwrap();
/// assert!(!cors.current().config().allow_all_origins);
/// # Ok::<(), corsair::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct PolicyHandle {
    cell: Arc<ArcSwap<Policy>>,
}

impl Cors {
    /// Makes `policy` replaceable at run time; see [`ReloadableCors`].
    ///
    /// ```
    /// let cors = corsair::Cors::reloadable(corsair::Cors::builder().allow_all_origins(true).build()?);
    /// assert!(cors.current().config().allow_all_origins);
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn reloadable(policy: Cors) -> ReloadableCors {
        ReloadableCors {
            cell: Arc::new(ArcSwap::new(policy.policy)),
        }
    }
}

impl ReloadableCors {
    /// The handle that replaces this policy.
    ///
    /// ```
    /// # let cors = corsair::Cors::reloadable(corsair::Cors::builder().allow_all_origins(true).build()?);
    /// let handle = cors.handle();
    /// assert!(handle.load().config().allow_all_origins);
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn handle(&self) -> PolicyHandle {
        PolicyHandle {
            cell: Arc::clone(&self.cell),
        }
    }

    /// The policy current now (requests arriving later may see another).
    ///
    /// ```
    /// let cors = corsair::Cors::reloadable(corsair::Cors::builder().allow_all_origins(true).build()?);
    /// let now: corsair::Cors = cors.current();
    /// cors.handle().store(corsair::Cors::builder().allowed_origins(["https://a.example"]).build()?);
    /// assert!(now.config().allow_all_origins, "a snapshot keeps the policy it was taken from");
    /// assert!(!cors.current().config().allow_all_origins);
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn current(&self) -> Cors {
        Cors {
            policy: self.cell.load_full(),
        }
    }

    /// Whether `cors` is the policy current now. For a server that keeps a policy per
    /// connection or per thread and takes [`ReloadableCors::current`] again only when it was
    /// replaced: taking it clones a reference count that every thread shares, where this reads
    /// it without writing.
    ///
    /// ```
    /// let cors = corsair::Cors::reloadable(corsair::Cors::builder().allow_all_origins(true).build()?);
    /// let kept = cors.current();
    /// assert!(cors.is_current(&kept));
    /// cors.handle().store(corsair::Cors::builder().allowed_origins(["https://a.example"]).build()?);
    /// assert!(!cors.is_current(&kept));
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn is_current(&self, cors: &Cors) -> bool {
        Arc::ptr_eq(&self.cell.load(), &cors.policy)
    }
}

impl PolicyHandle {
    /// Replaces the policy: requests arriving from now on are decided by `policy`; those in
    /// flight finish with the one they started with.
    ///
    /// ```
    /// # let cors = corsair::Cors::reloadable(corsair::Cors::builder().allow_all_origins(true).build()?);
    /// cors.handle().store(corsair::Cors::builder().allowed_origins(["https://a.example"]).build()?);
    /// assert_eq!(cors.current().config().allowed_origins, ["https://a.example"]);
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn store(&self, policy: Cors) {
        self.cell.store(policy.policy);
    }

    /// The policy current now.
    ///
    /// ```
    /// # let cors = corsair::Cors::reloadable(corsair::Cors::builder().allow_all_origins(true).build()?);
    /// assert!(cors.handle().load().config().allow_all_origins);
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn load(&self) -> Cors {
        Cors {
            policy: self.cell.load_full(),
        }
    }
}

impl fmt::Debug for ReloadableCors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReloadableCors")
            .field(&self.current())
            .finish()
    }
}

impl fmt::Debug for PolicyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PolicyHandle").field(&self.load()).finish()
    }
}

/// Where an adapter gets the policy of each request: a fixed one, or the current one of a
/// [`ReloadableCors`].
#[cfg(any(feature = "tower", feature = "actix"))]
#[derive(Clone, Debug)]
pub(crate) enum Source {
    Fixed(Cors),
    Reloadable(ReloadableCors),
}

#[cfg(any(feature = "tower", feature = "actix"))]
impl Source {
    /// The policy that decides the request arriving now.
    pub(crate) fn current(&self) -> Cors {
        match self {
            Source::Fixed(cors) => cors.clone(),
            Source::Reloadable(reloadable) => reloadable.current(),
        }
    }

    /// The policy that decides the request arriving now, lent when it is fixed (no reference
    /// is taken: the caller keeps it, with `into_owned`, only if it needs it later).
    #[cfg_attr(not(feature = "tower"), allow(dead_code))]
    pub(crate) fn lend(&self) -> std::borrow::Cow<'_, Cors> {
        match self {
            Source::Fixed(cors) => std::borrow::Cow::Borrowed(cors),
            Source::Reloadable(reloadable) => std::borrow::Cow::Owned(reloadable.current()),
        }
    }

    /// The current policy if it is not `seen` (compared by identity, without taking a
    /// reference when it is): how an adapter that keeps per-policy state learns it must redo it.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn changed_since(&self, seen: &Cors) -> Option<Cors> {
        match self {
            Source::Fixed(_) => None,
            Source::Reloadable(reloadable) => {
                let current = reloadable.cell.load();
                (!Arc::ptr_eq(&current, &seen.policy)).then(|| Cors {
                    policy: arc_swap::Guard::into_inner(current),
                })
            }
        }
    }
}
