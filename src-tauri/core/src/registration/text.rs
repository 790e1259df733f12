//! The report as Markdown (Export), plain text (Copy) and JSON (Export). The verdicts come
//! first, then each check in full; the rights check adds its matrix with why each probe is
//! harmless. The logo's preview image stays out of the files.

use super::report::{CheckData, Verdict};
use super::Report;
use crate::error::{AppError, AppResult};

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✓",
        Verdict::Warn => "!",
        Verdict::Fail => "✗",
        Verdict::Skipped => "–",
    }
}

/// Text for a Markdown table cell: no pipes, no line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

impl Report {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let s = &self.subject;
        let mut out = format!("# Registration check: {}\n\n", self.verdict.label());
        out += &format!("- Client ID: `{}`\n", s.client_id);
        out += &format!("- Callback URL as registered: `{}`\n", s.callback_url);
        if s.app_sends != s.callback_url {
            out += &format!("- Callback URL the app sends: `{}`\n", s.app_sends);
        }
        if let Some(name) = &s.account_name {
            out += &format!("- Account: {name}\n");
        }
        out += &format!("- Authorization server: {}\n", s.endpoints.authorize_url);
        out += &format!("- Checked at: {} (Yespo Admin {})\n", self.checked_at, env!("CARGO_PKG_VERSION"));
        out += "- The Client Secret is not in this report.\n\n";
        out += "| Check | Verdict | What was seen |\n|---|---|---|\n";
        for c in &self.checks {
            out +=
                &format!("| {} | {} {} | {} |\n", cell(&c.title), mark(c.verdict), c.verdict.label(), cell(&c.summary));
        }
        for c in &self.checks {
            out += &format!("\n## {} — {}\n\n{}\n", c.title, c.verdict.label(), c.summary);
            if let Some(fix) = &c.fix {
                out += &format!("\n**Fix:** {fix}\n");
            }
            if let Some(copy) = &c.copy {
                out += &format!("\nExact value: `{copy}`\n");
            }
            // The rights table says per group what its findings would: keep what needs attention.
            let rights = matches!(c.data, Some(CheckData::Rights(_)));
            let findings: Vec<_> = c.findings.iter().filter(|f| !rights || f.verdict != Verdict::Pass).collect();
            if !findings.is_empty() {
                out.push('\n');
                for f in findings {
                    out += &format!("- {} {}\n", mark(f.verdict), f.text);
                }
            }
            match &c.data {
                Some(CheckData::Rights(m)) => {
                    out += &format!("\nNamed right: **{}** ({}).\n\n", m.right_label, m.token_from);
                    out += "| Method group | Probe | Result | Why the probe is harmless |\n|---|---|---|---|\n";
                    for p in &m.probes {
                        let status = p.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
                        out += &format!(
                            "| {} | {} | {:?}{} | {} |\n",
                            cell(&p.group_label),
                            cell(&p.request),
                            p.access,
                            status,
                            cell(&p.harmless)
                        );
                    }
                    out += "\n| Feature of Yespo Admin | Works | Needs |\n|---|---|---|\n";
                    for f in &m.features {
                        out += &format!(
                            "| {} | {} | {} |\n",
                            cell(&f.feature),
                            if f.works { "yes" } else { "no" },
                            cell(&f.needs.join(", "))
                        );
                    }
                }
                Some(CheckData::Logo(l)) => {
                    let dims = match (l.width, l.height) {
                        (Some(w), Some(h)) => format!("{w}×{h}"),
                        _ => "unknown size".into(),
                    };
                    out += &format!(
                        "\nFile: {} — {}, {}, {} bytes.\n",
                        l.file_name,
                        l.format.as_deref().unwrap_or("unknown format"),
                        dims,
                        l.bytes
                    );
                }
                _ => {}
            }
        }
        out
    }

    /// The report as plain text, for the clipboard.
    pub fn to_text(&self) -> String {
        let s = &self.subject;
        let mut out = format!("Registration check: {}\n", self.verdict.label());
        out += &format!("Client ID: {}\nCallback URL as registered: {}\n", s.client_id, s.callback_url);
        if s.app_sends != s.callback_url {
            out += &format!("Callback URL the app sends: {}\n", s.app_sends);
        }
        if let Some(name) = &s.account_name {
            out += &format!("Account: {name}\n");
        }
        out += &format!("Checked at: {}\n", self.checked_at);
        for c in &self.checks {
            out += &format!("\n[{}] {}: {}\n", c.verdict.label(), c.title, c.summary);
            if let Some(fix) = &c.fix {
                out += &format!("  Fix: {fix}\n");
            }
            if let Some(CheckData::Rights(m)) = &c.data {
                out += &format!("  Named right: {}\n", m.right_label);
                for p in &m.probes {
                    out += &format!("  {}: {:?}\n", p.group_label, p.access);
                }
            }
        }
        out
    }

    /// The report as JSON (without the logo's preview image).
    pub fn to_json(&self) -> AppResult<String> {
        let mut copy = self.clone();
        for c in &mut copy.checks {
            if let Some(CheckData::Logo(l)) = &mut c.data {
                l.preview = None;
            }
        }
        serde_json::to_string_pretty(&copy)
            .map_err(|e| AppError::internal("The report could not be written as JSON").with_details(e.to_string()))
    }
}

/// The files the report can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Markdown,
    Json,
}

impl ReportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Json => "json",
        }
    }

    /// The save dialog's filter name.
    pub fn label(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "Markdown",
            ReportFormat::Json => "JSON",
        }
    }
}

impl Report {
    /// `registration-check-202612021130.md`.
    pub fn file_name(&self, format: ReportFormat) -> String {
        let stamp: String = self.checked_at.chars().filter(char::is_ascii_digit).take(12).collect();
        format!("registration-check-{stamp}.{}", format.extension())
    }

    /// Write the report to `path` (a temp file beside it, renamed into place).
    pub fn save(&self, format: ReportFormat, path: &std::path::Path) -> AppResult<()> {
        let text = match format {
            ReportFormat::Markdown => self.to_markdown(),
            ReportFormat::Json => self.to_json()?,
        };
        crate::config_file::write_atomically(path, text.as_bytes())
    }
}
