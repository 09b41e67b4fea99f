//! Progress of the long steps (the IR build, reading the IR), reported through a trait so that the
//! library never prints: the binary shows a spinner on a terminal and nothing otherwise.

use std::sync::Arc;

/// Receives progress events; implementations must be cheap, they are called per compiled crate.
pub trait Progress: Send + Sync {
    /// A new step starts (`building with LLVM IR`, `reading 131 MB of IR`).
    fn step(&self, step: &str);
    /// Something happened within the step (`compiled tokio 1.41.1`).
    fn detail(&self, detail: &str);
    /// The last step is done.
    fn finish(&self);
}

/// A shared progress sink; `None` reports nothing.
#[derive(Clone, Default)]
pub struct Reporter(Option<Arc<dyn Progress>>);

impl Reporter {
    pub fn new(progress: Arc<dyn Progress>) -> Reporter {
        Reporter(Some(progress))
    }

    pub fn step(&self, step: &str) {
        if let Some(progress) = &self.0 {
            progress.step(step);
        }
    }

    pub fn detail(&self, detail: &str) {
        if let Some(progress) = &self.0 {
            progress.detail(detail);
        }
    }

    pub fn finish(&self) {
        if let Some(progress) = &self.0 {
            progress.finish();
        }
    }
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Reporter(on)"
        } else {
            "Reporter(off)"
        })
    }
}
