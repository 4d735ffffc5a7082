//! How far a crawl has got, on standard error: a spinner on a terminal; elsewhere (a log file, a
//! CI job) plain lines every so many pages or seconds. A crawl that fails at its first page
//! prints no progress, only its error.

use crate::text::count;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Pages between two progress lines.
const LINE_EVERY_PAGES: usize = 50;
/// Time between two progress lines on a slow crawl.
const LINE_EVERY: Duration = Duration::from_secs(10);

/// What became of one URL, for the counts.
pub(super) enum Tick {
    /// Handed on to be read (or known unchanged).
    Read,
    /// Left out: robots.txt, not HTML, gone.
    Skipped,
    /// Could not be fetched.
    Failed,
}

/// Progress of one crawl.
pub(super) struct Progress {
    show: Show,
    started: Instant,
    last_line: Instant,
    read: usize,
    skipped: usize,
    failed: usize,
}

enum Show {
    Nothing,
    Bar(indicatif::ProgressBar),
    Lines,
}

impl Progress {
    /// Progress shown when `enabled`, as a bar when standard error is a terminal.
    pub(super) fn new(enabled: bool) -> Progress {
        let show = match enabled {
            false => Show::Nothing,
            true if std::io::stderr().is_terminal() => {
                let bar = indicatif::ProgressBar::new_spinner();
                if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos} pages  {per_sec}  {msg}") {
                    bar.set_style(style);
                }
                Show::Bar(bar)
            }
            true => Show::Lines,
        };
        let now = Instant::now();
        Progress { show, started: now, last_line: now, read: 0, skipped: 0, failed: 0 }
    }

    /// Counts one URL; `queued` URLs are still waiting.
    pub(super) fn tick(&mut self, what: Tick, queued: usize) {
        match what {
            Tick::Read => self.read += 1,
            Tick::Skipped => self.skipped += 1,
            Tick::Failed => self.failed += 1,
        }
        let done = self.read + self.skipped + self.failed;
        match &self.show {
            Show::Nothing => {}
            Show::Bar(bar) => {
                bar.inc(1);
                bar.set_message(self.counts(queued));
            }
            Show::Lines => {
                let due = done.is_multiple_of(LINE_EVERY_PAGES) || self.last_line.elapsed() >= LINE_EVERY;
                if done > 1 && due {
                    self.last_line = Instant::now();
                    let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
                    let line =
                        format!("crawl: {} ({rate:.1}/s), {}", count(done, "page", "pages"), self.counts(queued));
                    // A closed standard error must not stop the crawl.
                    let _ = writeln!(std::io::stderr().lock(), "{line}");
                }
            }
        }
    }

    fn counts(&self, queued: usize) -> String {
        format!("{} queued, {} skipped, {} failed", queued, self.skipped, self.failed)
    }

    /// Clears the bar.
    pub(super) fn finish(&self) {
        if let Show::Bar(bar) = &self.show {
            bar.finish_and_clear();
        }
    }
}
