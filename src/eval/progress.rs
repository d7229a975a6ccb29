//! Progress of a long evaluation, told to whoever displays it (a terminal bar, log lines).
//! Steps are counted, not timed: a step is one object collected or one definition evaluated.

use std::fmt;
use std::sync::Arc;

/// Receives progress from any thread; implementations must be cheap (called per step).
pub trait Progress: Send + Sync {
    /// `steps` more steps of `stage` are planned (stages of several documents add up).
    fn planned(&self, stage: Stage, steps: usize);
    /// One step of `stage` is done.
    fn step(&self, stage: Stage);
}

/// What a step is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Collecting OVAL objects from the target (probes; most of the time of a scan).
    Collect,
    /// Evaluating OVAL definitions (tests, states, criteria).
    Evaluate,
}

impl Stage {
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Collect => "collecting objects",
            Stage::Evaluate => "evaluating definitions",
        }
    }
}

/// A shared, optional progress receiver that options structs can derive `Debug` and `Clone` with.
#[derive(Clone, Default)]
pub struct ProgressHandle(pub Option<Arc<dyn Progress>>);

impl ProgressHandle {
    pub fn new(progress: Arc<dyn Progress>) -> Self {
        ProgressHandle(Some(progress))
    }

    pub fn planned(&self, stage: Stage, steps: usize) {
        if let Some(p) = &self.0 {
            p.planned(stage, steps);
        }
    }

    pub fn step(&self, stage: Stage) {
        if let Some(p) = &self.0 {
            p.step(stage);
        }
    }
}

impl fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "ProgressHandle(Some)" } else { "ProgressHandle(None)" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Record(Mutex<Vec<(Stage, Option<usize>)>>);

    impl Progress for Record {
        fn planned(&self, stage: Stage, steps: usize) {
            self.0.lock().unwrap().push((stage, Some(steps)));
        }
        fn step(&self, stage: Stage) {
            self.0.lock().unwrap().push((stage, None));
        }
    }

    #[test]
    fn handle_forwards_and_empty_handle_ignores() {
        let record = Arc::new(Record::default());
        let handle = ProgressHandle::new(record.clone());
        handle.planned(Stage::Collect, 2);
        handle.step(Stage::Collect);
        ProgressHandle::default().step(Stage::Evaluate);
        assert_eq!(*record.0.lock().unwrap(), [(Stage::Collect, Some(2)), (Stage::Collect, None)]);
    }
}
