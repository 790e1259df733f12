//! What an upload will do, said before anything is sent: the dry-run summary and the rights check.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::tokens::check::dedupe_name;
use crate::tokens::settings::ImportSettings;
use crate::tokens::validate::Validation;
use crate::yespo::models::{ContactsBulkUpdate, DedupeOn, CONTACT_FIELD_NAMES};
use crate::yespo::{YespoClient, MAX_CONTACTS_PER_REQUEST};
use serde::Serialize;

/// Yespo's side effects of `POST contacts` (seed 002, "Uploading Mobile Token Base"), and the
/// spec's rule on the dedupe field.
const SIDE_EFFECTS: [&str; 3] = [
    "New contacts generate events; updated or existing contacts do not start workflows.",
    "Contacts with an email address are created as confirmed (as if imported from a file); no double opt-in.",
    "Yespo applies the contacts asynchronously: it may take a few minutes; each request is confirmed through its import status.",
];

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DryRun {
    pub rows: u64,
    /// Contacts that will be sent (valid, the last of each group of duplicates).
    pub contacts: u64,
    pub rejected: u64,
    pub superseded: u64,
    /// `ceil(contacts / 3000)`.
    pub requests: u64,
    pub dedupe_on: String,
    /// Standard fields the upload overwrites.
    pub overwritten: Vec<String>,
    /// Standard fields it leaves as they are.
    pub kept: Vec<String>,
    /// Custom fields (by id) it overwrites.
    pub custom_fields: Vec<i64>,
    pub update_all_fields: bool,
    pub add_to_segments: Vec<String>,
    pub remove_from_segments: Vec<String>,
    pub restore_deleted: bool,
    pub event_key_for_new_contacts: Option<String>,
    pub side_effects: Vec<String>,
    /// What the user should know (e.g. "update all fields" nulls missing data).
    pub warnings: Vec<String>,
    /// What must be fixed before the upload may start.
    pub blockers: Vec<String>,
    /// The rights check, once made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rights: Option<String>,
}

/// The standard field a dedupe key lives in (never updated by Yespo).
pub fn dedupe_field(dedupe: DedupeOn) -> Option<&'static str> {
    match dedupe {
        DedupeOn::Email => Some("email"),
        DedupeOn::Sms => Some("sms"),
        DedupeOn::Push => Some("mobilepush"),
        DedupeOn::ExternalCustomerId => Some("externalCustomerId"),
        _ => None,
    }
}

/// The summary for a checked file and its settings.
pub fn dry_run(validation: &Validation, settings: &ImportSettings) -> DryRun {
    let s = &validation.summary;
    let superseded = s.valid - s.ready;
    let protected = dedupe_field(settings.dedupe_on);
    let mut warnings = Vec::new();
    let updated: Vec<&str> = if settings.update_all_fields {
        warnings.push(
            "Every standard field is updated: fields the file has no data for are set to empty (null) in Yespo."
                .to_string(),
        );
        CONTACT_FIELD_NAMES.to_vec()
    } else {
        CONTACT_FIELD_NAMES.iter().copied().filter(|f| settings.contact_fields.iter().any(|c| c == f)).collect()
    };
    let overwritten: Vec<String> = updated.iter().filter(|f| Some(**f) != protected).map(|f| f.to_string()).collect();
    let kept: Vec<String> =
        CONTACT_FIELD_NAMES.iter().filter(|f| !overwritten.iter().any(|o| o == *f)).map(|f| f.to_string()).collect();
    let mut side_effects: Vec<String> = SIDE_EFFECTS.iter().map(|s| s.to_string()).collect();
    side_effects.push(match protected {
        Some(field) => format!("The dedupe field ({field}) is never updated: contacts are matched on it."),
        None => format!(
            "The dedupe key ({}) is never updated: contacts are matched on it.",
            dedupe_name(settings.dedupe_on)
        ),
    });
    if settings.event_key_for_new_contacts.is_some() {
        side_effects.push("Each new contact also generates the event named in eventKeyForNewContacts.".into());
    }
    if !settings.restore_deleted {
        side_effects.push("Contacts deleted in Yespo stay deleted (restoreDeleted is off): they are skipped.".into());
    }
    if let Some(field) =
        protected.filter(|f| settings.contact_fields.iter().any(|c| c == f) && *f != "externalCustomerId")
    {
        warnings.push(format!(
            "dedupeOn is {}: Yespo never updates the {field} of a contact it matches, so contacts that exist keep \
             their old {field}. Choose externalCustomerId as the dedupe key if the file has it.",
            dedupe_name(settings.dedupe_on)
        ));
    }
    warnings.extend(s.notes.iter().cloned());
    let mut blockers = s.blockers.clone();
    if s.ready == 0 {
        blockers.push("No row is ready to send.".into());
    }
    DryRun {
        rows: s.rows,
        contacts: s.ready,
        rejected: s.invalid,
        superseded,
        requests: s.ready.div_ceil(MAX_CONTACTS_PER_REQUEST as u64),
        dedupe_on: dedupe_name(settings.dedupe_on).to_string(),
        overwritten,
        kept,
        custom_fields: settings.custom_fields_ids.clone(),
        update_all_fields: settings.update_all_fields,
        add_to_segments: settings.group_names.clone(),
        remove_from_segments: settings.group_names_exclude.clone(),
        restore_deleted: settings.restore_deleted,
        event_key_for_new_contacts: settings.event_key_for_new_contacts.clone(),
        side_effects,
        warnings,
        blockers,
        rights: None,
    }
}

/// Whether the account may update contacts, asked without changing anything: a bulk request with
/// no contacts, which Yespo refuses as invalid (400) before it acts when the rights allow the
/// call, and refuses with 403 when they do not. Returns what was seen; a 403 is an error naming
/// the right to ask for.
pub async fn check_rights(client: &YespoClient, dedupe: DedupeOn) -> AppResult<String> {
    let probe = ContactsBulkUpdate::new(Vec::new(), dedupe);
    match client.add_contacts(&probe).await {
        Err(e) if e.code == ErrorCode::Validation => {
            Ok("allowed: Yespo refused an empty request as invalid, not for lack of rights".into())
        }
        Ok(_) => Ok("allowed: Yespo accepted an empty request (nothing was imported)".into()),
        Err(e) if e.code == ErrorCode::Forbidden => Err(AppError::new(
            ErrorCode::Forbidden,
            format!("This account may not update contacts, so nothing was sent. {}", e.message),
        )
        .with_details("POST contacts with no contacts was refused with 403")),
        Err(e) => Err(e),
    }
}
