//! The bounded queue between the two halves of a transfer (network and
//! disk, or two hosts), built for that one job: a side that must wait
//! parks at once on a condition variable, never spinning or yielding first
//! (a general-purpose channel spins and calls `sched_yield` before it
//! parks, which on a machine with as many busy threads as cores hands the
//! core to someone else thousands of times per gigabyte). A waiting side is
//! woken in batches, not per value: the receiver when a quarter of the
//! queue has filled (or a value arrives that must be seen at once, such as
//! the end of a file), the sender when a quarter has emptied. Waits last at
//! most [`WAIT`] at a time, so a cancel is seen and nothing waits longer
//! than that for a wake-up that was not due.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::error::ScpError;
use super::pipe::WAIT;
use tokio_util::sync::CancellationToken;

struct State<T> {
    queue: VecDeque<T>,
    capacity: usize,
    /// How many values a batch holds (a quarter of the capacity).
    batch: usize,
    sender_alive: bool,
    receiver_alive: bool,
    /// The receiver is parked on `ready`.
    receiver_waiting: bool,
    /// The sender is parked on `room`.
    sender_waiting: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// A value the receiver must see without waiting for a batch.
    urgent: fn(&T) -> bool,
    ready: Condvar,
    room: Condvar,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // The state stays consistent whatever a panicking holder did: every
        // change to it is a single push, pop or flag.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The sending half; dropping it ends the stream (the receiver gets what
/// is queued, then `None`).
pub(crate) struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The receiving half; dropping it makes the sender's next send fail.
pub(crate) struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

/// A queue holding at most `capacity` values (at least one); values for
/// which `urgent` is true wake a waiting receiver at once.
pub(crate) fn bounded<T>(capacity: usize, urgent: fn(&T) -> bool) -> (Sender<T>, Receiver<T>) {
    let capacity = capacity.max(1);
    let state = State {
        queue: VecDeque::with_capacity(capacity),
        capacity,
        batch: (capacity / 4).max(1),
        sender_alive: true,
        receiver_alive: true,
        receiver_waiting: false,
        sender_waiting: false,
    };
    let shared =
        Arc::new(Shared { state: Mutex::new(state), urgent, ready: Condvar::new(), room: Condvar::new() });
    (Sender { shared: shared.clone() }, Receiver { shared })
}

impl<T> Sender<T> {
    /// Queues `value`, waiting for room. `Err(None)` when the receiver has
    /// gone away, `Err(Some(Cancelled))` on cancel.
    pub(crate) fn send(&self, value: T, cancel: &CancellationToken) -> Result<(), Option<ScpError>> {
        let mut state = self.shared.lock();
        loop {
            if cancel.is_cancelled() {
                return Err(Some(ScpError::Cancelled));
            }
            if !state.receiver_alive {
                return Err(None);
            }
            if state.queue.len() < state.capacity {
                let urgent = (self.shared.urgent)(&value);
                state.queue.push_back(value);
                if state.receiver_waiting && (urgent || state.queue.len() >= state.batch) {
                    self.shared.ready.notify_one();
                }
                return Ok(());
            }
            state.sender_waiting = true;
            state = match self.shared.room.wait_timeout(state, WAIT) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
            state.sender_waiting = false;
        }
    }
}

impl<T> Receiver<T> {
    /// The next value, waiting for one; `Ok(None)` when the sender is done
    /// and everything it sent was received.
    pub(crate) fn recv(&self, cancel: &CancellationToken) -> Result<Option<T>, ScpError> {
        let mut state = self.shared.lock();
        loop {
            if cancel.is_cancelled() {
                return Err(ScpError::Cancelled);
            }
            if let Some(value) = state.queue.pop_front() {
                if state.sender_waiting && state.queue.len() + state.batch <= state.capacity {
                    self.shared.room.notify_one();
                }
                return Ok(Some(value));
            }
            if !state.sender_alive {
                return Ok(None);
            }
            state.receiver_waiting = true;
            state = match self.shared.ready.wait_timeout(state, WAIT) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
            state.receiver_waiting = false;
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.lock().sender_alive = false;
        self.shared.ready.notify_all();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let dropped = {
            let mut state = self.shared.lock();
            state.receiver_alive = false;
            std::mem::take(&mut state.queue)
        };
        self.shared.room.notify_all();
        drop(dropped);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn values_arrive_in_order_then_the_end() {
        let (tx, rx) = bounded(2, |_| false);
        let cancel = CancellationToken::new();
        let producer = std::thread::spawn({
            let cancel = cancel.clone();
            move || {
                for n in 0..1000u32 {
                    tx.send(n, &cancel).map_err(|_| "send failed")?;
                }
                Ok::<(), &str>(())
            }
        });
        let mut got = Vec::new();
        while let Some(n) = rx.recv(&cancel).unwrap() {
            got.push(n);
        }
        producer.join().unwrap().unwrap();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn a_full_queue_holds_the_sender_until_room_is_made() {
        let (tx, rx) = bounded(1, |_| false);
        let cancel = CancellationToken::new();
        tx.send(1, &cancel).unwrap();
        let started = Instant::now();
        let sender = std::thread::spawn({
            let cancel = cancel.clone();
            move || tx.send(2, &cancel).is_ok()
        });
        std::thread::sleep(Duration::from_millis(120));
        assert!(!sender.is_finished(), "the second value went into a full queue");
        assert_eq!(rx.recv(&cancel).unwrap(), Some(1));
        assert!(sender.join().unwrap());
        assert_eq!(rx.recv(&cancel).unwrap(), Some(2));
        assert_eq!(rx.recv(&cancel).unwrap(), None);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_gone_receiver_fails_the_send_and_frees_what_was_queued() {
        let (tx, rx) = bounded(4, |_| false);
        let cancel = CancellationToken::new();
        let value = Arc::new(());
        tx.send(value.clone(), &cancel).unwrap();
        drop(rx);
        assert_eq!(Arc::strong_count(&value), 1);
        assert!(matches!(tx.send(value, &cancel), Err(None)));
    }

    #[test]
    fn a_lone_value_reaches_a_waiting_receiver_urgent_ones_at_once() {
        let cancel = CancellationToken::new();
        let (tx, rx) = bounded::<u8>(16, |v| *v == 1);
        let receiver = std::thread::spawn({
            let cancel = cancel.clone();
            move || {
                let mut got = Vec::new();
                while let Ok(Some(v)) = rx.recv(&cancel) {
                    got.push(v);
                }
                got
            }
        });
        std::thread::sleep(Duration::from_millis(30));
        // Below a batch and not urgent: picked up when the wait times out.
        tx.send(0, &cancel).unwrap();
        std::thread::sleep(Duration::from_millis(30));
        tx.send(1, &cancel).unwrap();
        drop(tx);
        assert_eq!(receiver.join().unwrap(), vec![0, 1]);
    }

    #[test]
    fn a_cancel_ends_both_waits() {
        let cancel = CancellationToken::new();
        let (tx, rx) = bounded::<u8>(1, |_| false);
        tx.send(0, &cancel).unwrap();
        let (_tx2, rx2) = bounded::<u8>(1, |_| false);
        let waiting_send = std::thread::spawn({
            let cancel = cancel.clone();
            move || matches!(tx.send(1, &cancel), Err(Some(ScpError::Cancelled)))
        });
        let waiting_recv = std::thread::spawn({
            let cancel = cancel.clone();
            move || matches!(rx2.recv(&cancel), Err(ScpError::Cancelled))
        });
        std::thread::sleep(Duration::from_millis(60));
        let started = Instant::now();
        cancel.cancel();
        assert!(waiting_send.join().unwrap());
        assert!(waiting_recv.join().unwrap());
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(rx);
    }
}
