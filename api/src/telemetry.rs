//! Structured logs with tracing. Every line about a request carries its `request_id` (from the
//! request span). Logs never contain tokens, passwords or personal data: paths are logged
//! without their query string, and bodies are never logged.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber writing JSON lines to `file` (tests check logs for leaks).
pub fn init_to_file(file: std::fs::File, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .try_init();
}

/// Installs the global subscriber writing to stdout. Safe to call more than once.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
