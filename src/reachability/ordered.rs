//! Reading many files in parallel while consuming the results one at a time, in input order, with
//! a bound on how many results wait in memory. The IR reader uses it to merge each module into the
//! call graph as soon as it is read and its turn comes, then drop it: the memory held is the graph
//! plus a few modules, not every module of the build at once.
//!
//! Written here rather than with `rayon`: rayon's ordered `collect` keeps every result until the
//! end, and its unordered `for_each` would make the graph's numbering depend on timing.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, MutexGuard};

/// Which input a worker may take next, and how far the consumer got.
struct Gate {
    /// The next input no worker has taken.
    next: usize,
    /// How many results the consumer has been given.
    consumed: usize,
    /// A worker panicked: the others stop taking inputs.
    stopped: bool,
}

/// Runs `read` over every input on `workers` threads and gives each result to `consume` in input
/// order, on the calling thread. A worker takes input `i` only when `i < consumed + window`, so at
/// most `window` results are read or being read but not yet consumed, whatever the input count.
/// A panic in `read` or `consume` is propagated once the workers have stopped.
pub fn read_in_order<I, T>(
    inputs: &[I],
    workers: usize,
    window: usize,
    read: impl Fn(&I) -> T + Sync,
    mut consume: impl FnMut(usize, T),
) where
    I: Sync,
    T: Send,
{
    let window = window.max(1);
    let gate = Mutex::new(Gate {
        next: 0,
        consumed: 0,
        stopped: false,
    });
    let turn = Condvar::new();
    let (sender, receiver) = mpsc::channel::<(usize, T)>();
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, inputs.len().max(1)) {
            let sender = sender.clone();
            let (read, gate, turn) = (&read, &gate, &turn);
            scope.spawn(move || {
                // Stops the other workers if this one unwinds, so the consumer is not left
                // waiting for a result that will never come.
                let _stop_on_panic = StopOnPanic { gate, turn };
                loop {
                    let index = {
                        let mut gate = lock(gate);
                        while !gate.stopped
                            && gate.next < inputs.len()
                            && gate.next >= gate.consumed + window
                        {
                            gate = turn.wait(gate).unwrap_or_else(|p| p.into_inner());
                        }
                        if gate.stopped || gate.next >= inputs.len() {
                            break;
                        }
                        gate.next += 1;
                        gate.next - 1
                    };
                    let result = read(&inputs[index]);
                    if sender.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // The consumer stops the workers too if it unwinds.
        let _stop_on_panic = StopOnPanic {
            gate: &gate,
            turn: &turn,
        };
        let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
        let mut next = 0;
        for (index, result) in receiver {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&next) {
                consume(next, result);
                next += 1;
                lock(&gate).consumed = next;
                turn.notify_all();
            }
        }
    });
}

/// The gate, even after a panic elsewhere poisoned it (its fields stay consistent: each is
/// written in one statement).
fn lock(gate: &Mutex<Gate>) -> MutexGuard<'_, Gate> {
    gate.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct StopOnPanic<'a> {
    gate: &'a Mutex<Gate>,
    turn: &'a Condvar,
}

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(self.gate).stopped = true;
            self.turn.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn results_come_in_input_order_whatever_the_timing() {
        let inputs: Vec<u64> = (0..40).collect();
        let mut seen = Vec::new();
        read_in_order(
            &inputs,
            4,
            3,
            |&i| {
                // Early inputs are the slowest, so later ones finish first.
                std::thread::sleep(Duration::from_millis(40u64.saturating_sub(i)));
                i * 10
            },
            |index, value| seen.push((index, value)),
        );
        let expected: Vec<(usize, u64)> = (0..40).map(|i| (i as usize, i * 10)).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn no_more_than_the_window_is_read_ahead_of_the_consumer() {
        let inputs: Vec<usize> = (0..30).collect();
        let taken = AtomicUsize::new(0);
        let mut most_ahead = 0;
        read_in_order(
            &inputs,
            4,
            2,
            |_| {
                taken.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(2));
            },
            |index, ()| {
                // Inputs taken beyond the ones consumed before this one.
                most_ahead = most_ahead.max(taken.load(Ordering::SeqCst) - index);
                std::thread::sleep(Duration::from_millis(3));
            },
        );
        assert_eq!(taken.load(Ordering::SeqCst), 30);
        assert!(most_ahead <= 2, "{most_ahead} inputs read ahead");
    }

    #[test]
    fn no_inputs_and_one_worker_work() {
        let mut count = 0;
        read_in_order(&Vec::<u8>::new(), 3, 2, |_| (), |_, ()| count += 1);
        assert_eq!(count, 0);
        read_in_order(&[1, 2, 3], 1, 1, |&x| x, |_, x| count += x);
        assert_eq!(count, 6);
    }

    #[test]
    fn a_panic_while_reading_reaches_the_caller_without_hanging() {
        let inputs: Vec<usize> = (0..50).collect();
        let outcome = std::panic::catch_unwind(|| {
            read_in_order(
                &inputs,
                3,
                2,
                |&i| assert_ne!(i, 7, "input 7 cannot be read"),
                |_, ()| {},
            );
        });
        assert!(outcome.is_err());
    }
}
