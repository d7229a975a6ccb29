//! How `eval` shows its progress: a bar on a terminal, or (`--progress`) plain lines on stderr
//! for scripts and logs, at most one a second per stage.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::eval::progress::{Progress, ProgressHandle, Stage};

/// A bar of the evaluation's steps (objects collected, then definitions evaluated).
pub struct Bar(indicatif::ProgressBar);

impl Bar {
    pub fn start(what: &str) -> Arc<Bar> {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
                .map(|s| s.progress_chars("=> "))
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(format!("loading {what}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Arc::new(Bar(bar))
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn planned(&self, _stage: Stage, steps: usize) {
        self.0.inc_length(steps as u64);
    }

    fn step(&self, stage: Stage) {
        self.0.set_message(stage.describe());
        self.0.inc(1);
    }
}

/// `stigrun: collecting objects 120/340` lines.
#[derive(Default)]
pub struct Lines(Mutex<LineState>);

#[derive(Default)]
struct LineState {
    /// (planned, done) per stage: collect, evaluate.
    counts: [(usize, usize); 2],
    last_printed: Option<Instant>,
}

fn slot(stage: Stage) -> usize {
    match stage {
        Stage::Collect => 0,
        Stage::Evaluate => 1,
    }
}

impl Progress for Lines {
    fn planned(&self, stage: Stage, steps: usize) {
        if let Ok(mut state) = self.0.lock() {
            state.counts[slot(stage)].0 += steps;
        }
    }

    fn step(&self, stage: Stage) {
        let Ok(mut state) = self.0.lock() else { return };
        let (planned, done) = {
            let count = &mut state.counts[slot(stage)];
            count.1 += 1;
            *count
        };
        let due = state.last_printed.is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if due || done == planned {
            state.last_printed = Some(Instant::now());
            // Progress is best effort: a closed stderr must not stop the scan.
            let _ = writeln!(std::io::stderr(), "stigrun: {} {done}/{planned}", stage.describe());
        }
    }
}

/// The progress display for this run: lines with `--progress`, a bar on a terminal, else none.
pub enum Display {
    Bar(Arc<Bar>),
    Lines,
    None,
}

impl Display {
    pub fn choose(lines: bool, what: &str) -> (Display, ProgressHandle) {
        if lines {
            (Display::Lines, ProgressHandle::new(Arc::new(Lines::default())))
        } else if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            let bar = Bar::start(what);
            (Display::Bar(bar.clone()), ProgressHandle::new(bar))
        } else {
            (Display::None, ProgressHandle::default())
        }
    }

    pub fn finish(&self) {
        if let Display::Bar(bar) = self {
            bar.finish();
        }
    }
}
