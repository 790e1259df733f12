//! What the CLI prints: one JSON object with `--json`, else short text for a person.

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use yespo_core::tokens::upload::DryRun;
use yespo_core::tokens::{Detected, Mapping, RowView, Summary};

/// A line to stdout; a reader that went away (`| head`) ends the program quietly, not in a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        let mut out = std::io::stdout().lock();
        if writeln!(out, $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// A bar on stderr when a person is watching; hidden otherwise (scripts, pipes).
pub fn progress_bar(visible: bool, total: u64) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} reading {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)")
            .expect("a valid template"),
    );
    bar
}

fn delimiter(d: &Detected) -> Value {
    d.delimiter.map_or(Value::Null, |c| Value::String(c.to_string()))
}

/// Exit 2: the file cannot be used. The JSON object keeps the same keys as a summary.
pub fn unusable(json: bool, message: String, detected: Option<Detected>) -> ExitCode {
    if json {
        let out = json!({
            "format": detected.as_ref().map(|d| d.format),
            "encoding": detected.as_ref().and_then(|d| d.encoding.clone()),
            "delimiter": detected.as_ref().map_or(Value::Null, delimiter),
            "rows": 0, "valid": 0, "invalid": 0, "warnings": 0, "duplicates": 0,
            "error": message,
        });
        say!("{out}");
    } else {
        eprintln!("error: {message}");
    }
    ExitCode::from(2)
}

pub fn summary(
    json: bool,
    s: &Summary,
    mapping: &Mapping,
    columns: Option<&[String]>,
    problems: Option<&Path>,
    problems_written: Option<u64>,
) {
    if json {
        let mut out = serde_json::to_value(s).expect("a summary serialises");
        let obj = out.as_object_mut().expect("an object");
        obj.insert("delimiter".into(), delimiter(&s.detected));
        obj.insert("error".into(), Value::Null);
        if columns.is_some() {
            obj.insert("mapping".into(), serde_json::to_value(mapping).expect("a mapping serialises"));
        }
        if let Some(n) = problems_written {
            obj.insert("problemRowsWritten".into(), json!(n));
        }
        say!("{out}");
        return;
    }
    let d = &s.detected;
    let mut what = d.format.name().to_string();
    if let Some(e) = &d.encoding {
        what.push_str(&format!(", {e}{}", if d.bom { " with BOM" } else { "" }));
    }
    if let Some(c) = d.delimiter {
        what.push_str(&format!(", delimiter {}", if c == '\t' { "tab".to_string() } else { format!("'{c}'") }));
    }
    if let Some(sheet) = &d.sheet {
        what.push_str(&format!(", sheet \"{sheet}\""));
    }
    say!("file: {what}");
    if let Some(preset) = mapping.preset {
        say!("recognised: {preset:?} export");
    }
    say!(
        "rows: {}  valid: {}  invalid: {}  with warnings: {}  duplicates: {}  ready to send: {}",
        s.rows,
        s.valid,
        s.invalid,
        s.warnings,
        s.duplicates,
        s.ready
    );
    for (reason, n) in &s.reasons {
        say!("  {:<24} {n}", reason.as_str());
    }
    for g in s.duplicate_groups.iter().take(5) {
        let lines: Vec<String> = g.lines.iter().map(u64::to_string).collect();
        say!("  duplicate key on lines {}: line {} wins", lines.join(", "), g.winner);
    }
    if !s.unmapped.is_empty() {
        say!("columns not used: {}", s.unmapped.join(", "));
    }
    say!("dedupeOn: {}  contactFields: {}", s.dedupe_on, s.settings.contact_fields.join(", "));
    for note in &s.notes {
        say!("note: {note}");
    }
    for blocker in &s.blockers {
        say!("before uploading: {blocker}");
    }
    if let (Some(path), Some(n)) = (problems, problems_written) {
        say!("{n} invalid rows written to {}", path.display());
    }
}

/// A token shown to a person: its first and last 6 characters.
fn mask(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 14 {
        return token.to_string();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{head}…{tail}")
}

pub fn rows(json: bool, detected: &Detected, columns: Option<&[String]>, rows: &[RowView]) {
    if json {
        say!("{}", json!({ "format": detected.format, "columns": columns, "rows": rows }));
        return;
    }
    for r in rows {
        let status = if r.valid { "ok" } else { "INVALID" };
        let token = r.contact.as_ref().and_then(|c| c.channel("mobilepush")).map(mask).unwrap_or_default();
        let id = r.contact.as_ref().and_then(|c| c.external_customer_id.clone()).unwrap_or_default();
        say!("line {:>6}  {status:<8} {id:<38} {token}", r.line);
        for p in &r.problems {
            say!("              {:?}: {}", p.severity, p.message);
        }
    }
}

/// What an upload would do (`tokens upload --dry-run`).
pub fn dry_run(json: bool, d: &DryRun) {
    if json {
        let mut out = serde_json::to_value(d).expect("a dry run serialises");
        out.as_object_mut().expect("an object").insert("error".into(), Value::Null);
        say!("{out}");
        return;
    }
    say!(
        "would send {} contacts in {} requests ({} rows in the file: {} rejected here, {} superseded by a later duplicate)",
        d.contacts,
        d.requests,
        d.rows,
        d.rejected,
        d.superseded
    );
    say!("matched on: {}", d.dedupe_on);
    say!("overwritten: {}", if d.overwritten.is_empty() { "nothing".into() } else { d.overwritten.join(", ") });
    if !d.custom_fields.is_empty() {
        let ids: Vec<String> = d.custom_fields.iter().map(i64::to_string).collect();
        say!("custom fields overwritten: {}", ids.join(", "));
    }
    say!("left as they are: {}", d.kept.join(", "));
    if !d.add_to_segments.is_empty() {
        say!("added to segments: {}", d.add_to_segments.join(", "));
    }
    if !d.remove_from_segments.is_empty() {
        say!("removed from segments: {}", d.remove_from_segments.join(", "));
    }
    if d.restore_deleted {
        say!("contacts deleted in Yespo are restored");
    }
    for s in &d.side_effects {
        say!("yespo: {s}");
    }
    for w in &d.warnings {
        say!("warning: {w}");
    }
    for b in &d.blockers {
        say!("before uploading: {b}");
    }
    if let Some(r) = &d.rights {
        say!("rights: {r}");
    }
}
