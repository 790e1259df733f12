//! The time as the journal, the history and the Browse screens write it.

/// UTC to the second, RFC 3339 (`2026-12-01T10:00:00Z`).
pub fn now_text() -> String {
    let t = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
