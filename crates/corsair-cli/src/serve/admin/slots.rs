//! The admin listener's connection slots: at most [`Slots::new`]'s capacity of connections are
//! open at once, and a connection accepted while every slot is taken takes the slot of the
//! oldest connection that is not answering a request (an idle keep-alive, a client that has
//! sent nothing, or one still trickling its request head), which is closed. So idle or slow
//! sockets can never keep a health probe out: a probe is the newest connection, and it is
//! answering a request from the moment its head has arrived. Only when every slot is answering
//! a request at that instant is the new connection refused (closed at once).
//!
//! Invariants: a connection answering a request is never evicted (marking it busy and evicting
//! it are one atomic step on its state, so neither can slip in between the other's check and
//! its change); a slot is freed exactly once, when its [`Slot`] is dropped or evicted; nothing
//! here panics.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

/// A connection's state: how many requests it is answering, or [`EVICTED`].
const EVICTED: usize = usize::MAX;

/// One open connection, as the registry sees it.
#[derive(Debug, Default)]
struct State {
    /// Requests being answered (0: idle), or [`EVICTED`].
    serving: AtomicUsize,
    /// Told when the connection must close.
    evicted: Notify,
}

impl State {
    /// Marks the connection evicted if it answers no request; whether it was.
    fn evict_if_idle(&self) -> bool {
        self.serving
            .compare_exchange(0, EVICTED, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }
}

#[derive(Debug, Default)]
struct Open {
    /// Every open connection, by the order it was accepted in (the oldest first).
    by_age: BTreeMap<u64, Arc<State>>,
    next: u64,
}

/// The slots of the admin listener's connections (see the module's documentation).
///
/// ```ignore
/// let slots = Slots::new(1);
/// let idle = slots.admit().unwrap();
/// let probe = slots.admit().unwrap(); // takes the idle connection's slot
/// assert!(idle.is_evicted());
/// let _answering = probe.serving().unwrap();
/// assert!(slots.admit().is_none()); // the only slot is answering a request
/// ```
#[derive(Debug)]
pub(super) struct Slots {
    capacity: usize,
    open: Mutex<Open>,
}

impl Slots {
    /// Slots for at most `capacity` connections (at least one).
    pub(super) fn new(capacity: usize) -> Arc<Slots> {
        Arc::new(Slots {
            capacity: capacity.max(1),
            open: Mutex::new(Open::default()),
        })
    }

    /// A slot for a connection just accepted: a free one, or the oldest idle connection's
    /// (which is told to close); `None` when every open connection is answering a request.
    pub(super) fn admit(self: &Arc<Slots>) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let displaced = open.by_age.len() >= self.capacity;
        if displaced {
            let oldest_idle = open
                .by_age
                .iter()
                .find(|(_, state)| state.evict_if_idle())
                .map(|(&id, _)| id);
            let state = open.by_age.remove(&oldest_idle?)?;
            state.evicted.notify_one();
        }
        let id = open.next;
        open.next += 1;
        let state = Arc::new(State::default());
        open.by_age.insert(id, Arc::clone(&state));
        Some(Slot {
            id,
            state,
            displaced,
            slots: Arc::clone(self),
        })
    }

    /// How many connections hold a slot.
    #[cfg(test)]
    fn open(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_age
            .len()
    }
}

/// The slot of one connection, freed when dropped.
#[derive(Debug)]
pub(super) struct Slot {
    id: u64,
    state: Arc<State>,
    /// This connection took an idle connection's slot.
    displaced: bool,
    slots: Arc<Slots>,
}

impl Slot {
    /// Whether this connection took the slot of an idle connection, which was closed for it.
    pub(super) fn displaced_another(&self) -> bool {
        self.displaced
    }

    /// Marks the connection as answering a request until the guard is dropped; `None` when it
    /// has already been evicted (it is closing, and the request is not answered).
    pub(super) fn serving(&self) -> Option<Serving> {
        self.state
            .serving
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                if n == EVICTED { None } else { Some(n + 1) }
            })
            .ok()
            .map(|_| Serving(Arc::clone(&self.state)))
    }

    /// Whether another connection took this one's slot.
    pub(super) fn is_evicted(&self) -> bool {
        self.state.serving.load(Ordering::SeqCst) == EVICTED
    }

    /// Resolves once another connection has taken this one's slot: the connection must then
    /// be closed.
    pub(super) async fn evicted(&self) {
        if self.is_evicted() {
            return;
        }
        self.state.evicted.notified().await;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .slots
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // An evicted slot was given to another connection already.
        if open
            .by_age
            .get(&self.id)
            .is_some_and(|state| Arc::ptr_eq(state, &self.state))
        {
            open.by_age.remove(&self.id);
        }
    }
}

/// A request being answered on a connection: it keeps the connection from being evicted.
#[derive(Debug)]
pub(super) struct Serving(Arc<State>);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self
            .0
            .serving
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                if n == EVICTED || n == 0 {
                    None
                } else {
                    Some(n - 1)
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_full_listener_closes_its_oldest_idle_connection_for_a_new_one() {
        let slots = Slots::new(3);
        let first = slots.admit().unwrap();
        let second = slots.admit().unwrap();
        let third = slots.admit().unwrap();
        let answering = first.serving().unwrap();
        // The first is answering a request: the second, oldest idle, gives up its slot.
        let fourth = slots.admit().unwrap();
        assert!(fourth.displaced_another());
        assert!(
            ![&first, &second, &third]
                .iter()
                .any(|slot| slot.displaced_another())
        );
        assert!(!first.is_evicted());
        assert!(second.is_evicted());
        assert!(!third.is_evicted() && !fourth.is_evicted());
        assert_eq!(slots.open(), 3);
        assert!(
            second.serving().is_none(),
            "an evicted connection answers nothing"
        );
        drop(second);
        assert_eq!(slots.open(), 3, "the evicted slot was already given away");

        // Once the first has answered, it is idle and the oldest.
        drop(answering);
        let _fifth = slots.admit().unwrap();
        assert!(first.is_evicted());
        assert!(!third.is_evicted());
    }

    #[test]
    fn a_new_connection_is_refused_only_while_every_slot_answers_a_request() {
        let slots = Slots::new(2);
        let a = slots.admit().unwrap();
        let b = slots.admit().unwrap();
        let (busy_a, busy_b) = (a.serving().unwrap(), b.serving().unwrap());
        let second_request = a.serving().unwrap();
        assert!(slots.admit().is_none());
        drop(busy_a);
        assert!(
            slots.admit().is_none(),
            "a still answers its second request"
        );
        drop(second_request);
        let c = slots.admit().unwrap();
        assert!(a.is_evicted() && !b.is_evicted() && !c.is_evicted());
        drop(busy_b);
        drop((a, b, c));
        assert_eq!(slots.open(), 0, "every slot is freed");
    }

    #[test]
    fn dropped_connections_free_their_slots() {
        let slots = Slots::new(2);
        for _ in 0..10 {
            let a = slots.admit().unwrap();
            let b = slots.admit().unwrap();
            assert_eq!(slots.open(), 2);
            drop((a, b));
        }
        assert_eq!(slots.open(), 0);
    }

    /// What a connection is to the reference model.
    #[derive(Debug, Default, Clone)]
    struct Modelled {
        dropped: bool,
        evicted: bool,
        serving: usize,
    }

    #[derive(Debug, Clone)]
    enum Op {
        Admit,
        Serve(usize),
        Answered(usize),
        Close(usize),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            3 => Just(Op::Admit),
            2 => any::<usize>().prop_map(Op::Serve),
            2 => any::<usize>().prop_map(Op::Answered),
            1 => any::<usize>().prop_map(Op::Close),
        ]
    }

    proptest::proptest! {
        /// Against a list in admission order: a new connection beyond the capacity evicts the
        /// first one that holds a slot and answers nothing, or is refused when there is none;
        /// a connection answering a request is never evicted; every slot is counted once.
        #[test]
        fn slots_follow_the_reference_model(capacity in 1usize..5, ops in proptest::collection::vec(op(), 0..80)) {
            let slots = Slots::new(capacity);
            let mut real: Vec<(Option<Slot>, Vec<Serving>)> = Vec::new();
            let mut model: Vec<Modelled> = Vec::new();
            for op in ops {
                match op {
                    Op::Admit => {
                        let holding: Vec<usize> = (0..model.len())
                            .filter(|&i| !model[i].dropped && !model[i].evicted)
                            .collect();
                        let admitted = if holding.len() >= capacity {
                            match holding.iter().find(|&&i| model[i].serving == 0) {
                                Some(&oldest) => {
                                    model[oldest].evicted = true;
                                    true
                                }
                                None => false,
                            }
                        } else {
                            true
                        };
                        let slot = slots.admit();
                        proptest::prop_assert_eq!(slot.is_some(), admitted);
                        if let Some(slot) = slot {
                            real.push((Some(slot), Vec::new()));
                            model.push(Modelled::default());
                        }
                    }
                    Op::Serve(_) | Op::Answered(_) | Op::Close(_) if real.is_empty() => {}
                    Op::Serve(i) => {
                        let i = i % real.len();
                        if let Some(slot) = &real[i].0 {
                            let guard = slot.serving();
                            proptest::prop_assert_eq!(guard.is_some(), !model[i].evicted);
                            if let Some(guard) = guard {
                                real[i].1.push(guard);
                                model[i].serving += 1;
                            }
                        }
                    }
                    Op::Answered(i) => {
                        let i = i % real.len();
                        if real[i].1.pop().is_some() {
                            model[i].serving -= 1;
                        }
                    }
                    Op::Close(i) => {
                        let i = i % real.len();
                        real[i].0 = None;
                        real[i].1.clear();
                        model[i].dropped = true;
                        model[i].serving = 0;
                    }
                }
                let holding = model.iter().filter(|m| !m.dropped && !m.evicted).count();
                proptest::prop_assert_eq!(slots.open(), holding);
                proptest::prop_assert!(holding <= capacity);
                for (i, (slot, _)) in real.iter().enumerate() {
                    if let Some(slot) = slot {
                        proptest::prop_assert_eq!(slot.is_evicted(), model[i].evicted, "connection {}", i);
                    }
                }
            }
        }
    }

    #[tokio::test]
    async fn an_evicted_connection_is_told_even_if_it_was_not_yet_waiting() {
        let slots = Slots::new(1);
        let idle = slots.admit().unwrap();
        let _new = slots.admit().unwrap();
        tokio::time::timeout(Duration::from_secs(1), idle.evicted())
            .await
            .expect("told at once");
    }
}
