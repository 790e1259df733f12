//! The time as the journal, the history and the Browse screens write it.

/// UTC to the second, RFC 3339 (`2026-12-01T10:00:00Z`).
pub fn now_text() -> String {
    text_in(std::time::Duration::ZERO)
}

/// The time `after` from now, written like [`now_text`].
pub fn text_in(after: std::time::Duration) -> String {
    let now = time::OffsetDateTime::now_utc();
    let t = now + after;
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
