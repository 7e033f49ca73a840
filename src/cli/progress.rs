//! The progress display of a load: a bar on standard error, drawn by a
//! thread that polls the library's byte counter (the library draws
//! nothing). Shown only on a terminal and without `--quiet`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use fundtrace::ingest::{Progress, Source};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A running display; [`LoadDisplay::finish`] clears it.
pub struct LoadDisplay {
    counter: Arc<Progress>,
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LoadDisplay {
    /// Starts drawing the load of `sources` (their total size is the 100 %).
    pub fn start(sources: &[Source]) -> LoadDisplay {
        let total: u64 = sources
            .iter()
            .map(|s| std::fs::metadata(&s.path).map_or(0, |m| m.len()))
            .sum();
        let counter = Progress::shared();
        let done = Arc::new(AtomicBool::new(false));
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "loading {bytes}/{total_bytes} [{wide_bar}] {bytes_per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        let thread = {
            let counter = Arc::clone(&counter);
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                // Quick loads finish before the first draw and show nothing.
                std::thread::sleep(Duration::from_millis(500));
                while !done.load(Ordering::Relaxed) {
                    bar.set_position(counter.bytes().min(total));
                    std::thread::sleep(Duration::from_millis(100));
                }
                bar.finish_and_clear();
            })
        };
        LoadDisplay {
            counter,
            done,
            thread: Some(thread),
        }
    }

    /// The counter the load updates.
    pub fn counter(&self) -> Arc<Progress> {
        Arc::clone(&self.counter)
    }

    /// Stops and clears the display.
    pub fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
