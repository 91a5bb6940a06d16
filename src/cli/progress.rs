//! The sweep's progress on stderr: a bar on a terminal, a line per batch in a log, nothing
//! with `--json`.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};

use crate::lifecycle::SweepProgress;

/// How the sweep's progress is shown.
pub(crate) enum Progress {
    /// A bar, made at the first batch (when the total is known).
    Bar(Option<ProgressBar>),
    /// A line per batch: stderr is a file or a pipe.
    Lines,
    /// Nothing: `--json`.
    Silent,
}

impl Progress {
    /// A bar when stderr is a terminal, lines otherwise; nothing for `--json`.
    pub(crate) fn on_stderr(json: bool) -> Progress {
        if json {
            Progress::Silent
        } else if std::io::stderr().is_terminal() {
            Progress::Bar(None)
        } else {
            Progress::Lines
        }
    }

    /// After each committed batch.
    pub(crate) fn batch(&mut self, p: &SweepProgress) {
        match self {
            Progress::Bar(bar) => {
                let bar = bar.get_or_insert_with(|| {
                    let style = ProgressStyle::with_template(
                        "{bar:30} {pos}/{len} orphans, eta {eta}: {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
                    ProgressBar::new(p.expected as u64).with_style(style)
                });
                bar.set_message(format!("{}.{} -> {}", p.model, p.field, p.content_type));
                bar.set_position(p.done as u64);
            }
            Progress::Lines => {
                let _ = writeln!(
                    std::io::stderr(),
                    "swept {}/{} orphans (batch {}: {} rows of {}.{} -> {})",
                    p.done,
                    p.expected,
                    p.batches,
                    p.batch_rows,
                    p.model,
                    p.field,
                    p.content_type
                );
            }
            Progress::Silent => {}
        }
    }

    /// The sweep is over: the bar is cleared, for the report.
    pub(crate) fn finish(self) {
        if let Progress::Bar(Some(bar)) = self {
            bar.finish_and_clear();
        }
    }
}
