//! Where the CLI's words go. Results go to standard output, and a reader that stops early
//! (`| head -1`) ends the command quietly with success; messages, logs and progress go to
//! standard error, in colour only on a terminal and never with `NO_COLOR` set; a failure is one
//! line on standard error.

use std::io::{IsTerminal, Write};

/// Standard output was closed by its reader: the command stops, and that is not a failure.
#[derive(Debug, thiserror::Error)]
#[error("standard output was closed")]
pub struct OutputClosed;

/// Writes one line of results to standard output.
pub fn line(args: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args).and_then(|()| out.write_all(b"\n")).map_err(|e| match e.kind() {
        std::io::ErrorKind::BrokenPipe => anyhow::Error::new(OutputClosed),
        _ => anyhow::Error::new(e).context("cannot write to standard output"),
    })
}

/// Writes a line of results to standard output (see [`line`]); `?` passes a closed output on.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::output::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// Writes a message to standard error. A closed standard error is ignored: the message was for
/// a person who is no longer listening, and the work goes on.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}
pub(crate) use note;

/// How a command that failed ends: the exit status, and the line for standard error (none when
/// the reader of standard output went away, which is a success).
pub fn failure(e: &anyhow::Error) -> Option<String> {
    if e.chain().any(|cause| cause.is::<OutputClosed>()) {
        return None;
    }
    Some(format!("error: {}", healthsearch::ingest::report::error_chain(e.as_ref())))
}

/// Whether text on standard error may carry colour: only on a terminal, and not when `NO_COLOR`
/// is set to anything but the empty string (<https://no-color.org>).
pub fn colour_on_stderr() -> bool {
    colour(std::io::stderr().is_terminal(), std::env::var_os("NO_COLOR"))
}

fn colour(terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Sends logs to standard error, as text or JSON lines. `default` is the filter when `RUST_LOG`
/// is not set.
pub fn init_logging(json: bool, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour_on_stderr());
    if json {
        builder.json().flatten_event(true).with_current_span(true).init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, None));
        assert!(colour(true, Some("".into())), "an empty NO_COLOR does not count");
        assert!(!colour(true, Some("1".into())));
        assert!(!colour(false, None));
    }

    #[test]
    fn a_closed_output_is_not_a_failure_and_other_errors_are_one_line() {
        let closed = anyhow::Error::new(OutputClosed).context("printing results");
        assert_eq!(failure(&closed), None);
        let io = std::io::Error::new(std::io::ErrorKind::IsADirectory, "Is a directory (os error 21)");
        let e = anyhow::Error::new(io).context("cannot read x");
        assert_eq!(failure(&e).as_deref(), Some("error: cannot read x: Is a directory (os error 21)"));
    }
}
