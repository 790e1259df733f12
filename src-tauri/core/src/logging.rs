//! Logging: `tracing` to stderr and to a daily log file, every line scrubbed of live secrets
//! and with email addresses masked (`j***@example.com`): personal data stays out of log files.
//!
//! Secrets are redacted twice: [`crate::Secret`] formats as `<redacted>`, and the writers here
//! pass each finished line through [`crate::secret::scrub`], which replaces the text of any
//! secret still alive. Panics go through the same path (see [`install_panic_hook`]).

use crate::error::{AppError, AppResult};
use crate::secret::scrub;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

/// Log filter variable (falls back to `RUST_LOG`, then to [`DEFAULT_FILTER`]).
pub const FILTER_ENV: &str = "YESPO_ADMIN_LOG";
pub const DEFAULT_FILTER: &str = "info";
/// Log files are `yespo-admin.YYYY-MM-DD.log`; this many days are kept.
pub const LOG_FILE_PREFIX: &str = "yespo-admin";
pub const KEPT_LOG_FILES: usize = 14;

/// Wraps a `MakeWriter` so that every event is scrubbed before it is written.
#[derive(Debug, Clone)]
pub struct ScrubbingMakeWriter<M> {
    inner: M,
}

pub fn scrubbing<M>(inner: M) -> ScrubbingMakeWriter<M> {
    ScrubbingMakeWriter { inner }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for ScrubbingMakeWriter<M> {
    type Writer = ScrubbingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbingWriter { inner: self.inner.make_writer(), pending: Vec::new() }
    }
}

/// Collects one event and writes it, scrubbed, when flushed or dropped. Buffering the whole
/// event matters: a secret split across two `write` calls would slip past a per-call scrub.
pub struct ScrubbingWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> ScrubbingWriter<W> {
    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.pending);
        let result = self.inner.write_all(mask_emails(&scrub(&text)).as_bytes());
        self.pending.clear();
        result
    }
}

impl<W: Write> Write for ScrubbingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_pending()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for ScrubbingWriter<W> {
    fn drop(&mut self) {
        let _ = self.write_pending();
        let _ = self.inner.flush();
    }
}

/// Email addresses with all but the first character of the local part masked: enough to tell
/// two apart in a log, not enough to know whose they are.
pub fn mask_emails(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('@') {
        return std::borrow::Cow::Borrowed(text);
    }
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let (before, after) = (&rest[..at], &rest[at + 1..]);
        let start = before.char_indices().rev().take_while(|(_, c)| local(*c)).last().map_or(at, |(i, _)| i);
        let end = after.char_indices().find(|(_, c)| !domain(*c)).map_or(after.len(), |(i, _)| i);
        let host = after[..end].trim_end_matches('.');
        if start < at && host.contains('.') {
            let first = before[start..].chars().next().expect("a local part");
            out.push_str(&before[..start]);
            out.push(first);
            out.push_str("***@");
            out.push_str(host);
            rest = &after[host.len()..];
        } else {
            out.push_str(&rest[..=at]);
            rest = after;
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The filter the environment asks for (`YESPO_ADMIN_LOG`, else `RUST_LOG`), if any.
fn env_filter() -> Option<EnvFilter> {
    std::env::var(FILTER_ENV).or_else(|_| std::env::var("RUST_LOG")).ok().and_then(|text| EnvFilter::try_new(text).ok())
}

/// Changes the filter of the subscriber [`init`] installed.
static RELOAD: std::sync::OnceLock<tracing_subscriber::reload::Handle<EnvFilter, tracing_subscriber::Registry>> =
    std::sync::OnceLock::new();

/// Log at `level` (`info`, `debug`...) from now on (the Settings screen). The environment's
/// filter, when set, wins: whoever set it asked for exactly that. Returns whether it applied.
pub fn set_level(level: &str) -> bool {
    if env_filter().is_some() {
        return false;
    }
    let Some(handle) = RELOAD.get() else { return false };
    let applied = EnvFilter::try_new(level).ok().is_some_and(|f| handle.reload(f).is_ok());
    if applied {
        tracing::info!(level, "log level changed");
    }
    applied
}

/// What [`init`] set up.
#[derive(Debug, Clone)]
pub struct LoggingInfo {
    pub log_dir: PathBuf,
}

/// Installs the global subscriber: stderr plus a daily file in `log_dir`. Call once, first thing.
pub fn init(log_dir: &Path) -> AppResult<LoggingInfo> {
    std::fs::create_dir_all(log_dir).map_err(|error| {
        AppError::internal(format!("Cannot create the log folder {}", log_dir.display()))
            .with_details(error.to_string())
    })?;
    let file = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(log_dir)
        .map_err(|error| AppError::internal("Cannot open the log file").with_details(error.to_string()))?;

    let filter = env_filter().unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER));
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter);
    let _ = RELOAD.set(handle);

    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(scrubbing(io::stderr)))
        .with(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(scrubbing(file)))
        .try_init()
        .map_err(|error| AppError::internal("Logging was already set up").with_details(error.to_string()))?;

    install_panic_hook();
    Ok(LoggingInfo { log_dir: log_dir.to_path_buf() })
}

/// Routes panics through tracing (so they reach the log file, scrubbed) instead of the default
/// hook, which prints the raw message to stderr.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_owned());
        tracing::error!(target: "panic", %location, "panic: {}", scrub(&payload));
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn logged_secrets_are_redacted_however_they_are_logged() {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(scrubbing(move || sink.clone())));
        let api_key = Secret::new("apikey-5d41402abc4b2a76b9719d911017c592");
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(key = ?api_key, "as a field");
            tracing::info!("as display: {api_key}");
            // The leak the scrubber exists for: a raw copy of the text.
            tracing::warn!("raw copy: Basic user:{}", api_key.expose_secret());
        });
        let text = captured.text();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(!text.contains(api_key.expose_secret()), "secret leaked: {text}");
        assert_eq!(text.matches("<redacted>").count(), 3, "{text}");
    }

    #[test]
    fn email_addresses_are_masked() {
        assert_eq!(mask_emails("no address here"), "no address here");
        assert_eq!(
            mask_emails("Invalid contact jane.doe+x@mail.example.com, also bob@b.io."),
            "Invalid contact j***@mail.example.com, also b***@b.io."
        );
        assert_eq!(mask_emails("user@localhost and @handle and a@b"), "user@localhost and @handle and a@b");
        assert_eq!(mask_emails("значення: ірина@приклад.укр"), "значення: і***@приклад.укр");
    }

    #[test]
    fn a_secret_split_across_writes_is_still_scrubbed() {
        let captured = Captured::default();
        let secret = Secret::new("split-secret-value-0099");
        {
            let sink = captured.clone();
            let make = scrubbing(move || sink.clone());
            let mut writer = make.make_writer();
            writer.write_all(b"token=split-secret").unwrap();
            writer.write_all(b"-value-0099 end\n").unwrap();
        }
        assert_eq!(captured.text(), "token=<redacted> end\n");
        drop(secret);
    }
}
