//! The import settings of an upload (`dedupeOn`, `contactFields`, `customFieldsIDs`, segments…):
//! the file's own when it is Yespo's "Add contacts" body, else safe defaults for this file.
//!
//! The default that matters: Yespo reads an empty `contactFields` as "update every field, and
//! set to null those without data" — for a token base that would wipe the names and emails of
//! existing contacts. So the settings list exactly the standard fields the file carries; updating
//! every field is an explicit choice (`update_all_fields`) that the screen warns about.

use super::check::{dedupe_name, parse_dedupe, Plan};
use super::map::Target;
use super::rules;
use crate::yespo::models::DedupeOn;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportSettings {
    #[serde(with = "dedupe_serde")]
    #[ts(type = "string")]
    pub dedupe_on: DedupeOn,
    #[serde(default)]
    pub field_id: Option<i64>,
    /// Exactly the standard fields to update.
    pub contact_fields: Vec<String>,
    /// Send no `contactFields`: Yespo then updates every field and nulls those without data.
    #[serde(default)]
    pub update_all_fields: bool,
    #[serde(rename = "customFieldsIDs")]
    pub custom_fields_ids: Vec<i64>,
    #[serde(default)]
    pub group_names: Vec<String>,
    #[serde(default)]
    pub group_names_exclude: Vec<String>,
    #[serde(default)]
    pub restore_deleted: bool,
    #[serde(default)]
    pub event_key_for_new_contacts: Option<String>,
}

mod dedupe_serde {
    use crate::yespo::models::DedupeOn;
    pub fn serialize<S: serde::Serializer>(d: &DedupeOn, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(d, s)
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DedupeOn, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

/// The settings keys of a Yespo body as found in the file (each `None` when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSettings {
    pub dedupe_on: Option<DedupeOn>,
    pub field_id: Option<i64>,
    pub contact_fields: Option<Vec<String>>,
    pub custom_fields_ids: Option<Vec<i64>>,
    pub group_names: Vec<String>,
    pub group_names_exclude: Vec<String>,
    pub restore_deleted: Option<bool>,
    pub event_key_for_new_contacts: Option<String>,
    /// What was wrong or ignored, as sentences.
    pub notes: Vec<String>,
}

impl FileSettings {
    /// The body's keys other than `contacts` (raw JSON values, as the splitter kept them).
    pub fn parse(keys: &[(String, Vec<u8>)]) -> FileSettings {
        let mut s = FileSettings::default();
        for (key, raw) in keys {
            let value: serde_json::Value = match serde_json::from_slice(raw) {
                Ok(v) => v,
                Err(_) => {
                    s.notes.push(format!("the setting \"{key}\" is not valid JSON: ignored"));
                    continue;
                }
            };
            let strings = |v: &serde_json::Value| -> Option<Vec<String>> {
                match v {
                    serde_json::Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
                    serde_json::Value::String(x) => Some(vec![x.clone()]),
                    serde_json::Value::Null => Some(Vec::new()),
                    _ => None,
                }
            };
            let id = |v: &serde_json::Value| v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
            let mut bad = false;
            match key.as_str() {
                "dedupeOn" => match value.as_str().and_then(parse_dedupe) {
                    Some(d) => s.dedupe_on = Some(d),
                    None if value.as_str() == Some("mobilepush") => {
                        s.notes.push("dedupeOn \"mobilepush\" is spelled \"push\" in Yespo's API: read as push".into());
                        s.dedupe_on = Some(DedupeOn::Push);
                    }
                    None => bad = true,
                },
                "fieldId" => match id(&value) {
                    Some(i) => s.field_id = Some(i),
                    None => bad = true,
                },
                "contactFields" => match strings(&value) {
                    Some(list) => s.contact_fields = Some(list),
                    None => bad = true,
                },
                "customFieldsIDs" => {
                    let items = match &value {
                        serde_json::Value::Array(a) => a.clone(),
                        other => vec![other.clone()],
                    };
                    match items.iter().map(id).collect::<Option<Vec<i64>>>() {
                        Some(ids) => s.custom_fields_ids = Some(ids),
                        None => bad = true,
                    }
                }
                "groupNames" => match strings(&value) {
                    Some(list) => s.group_names = list,
                    None => bad = true,
                },
                "groupNamesExclude" => match strings(&value) {
                    Some(list) => s.group_names_exclude = list,
                    None => bad = true,
                },
                "restoreDeleted" => match value.as_bool() {
                    Some(b) => s.restore_deleted = Some(b),
                    None => bad = true,
                },
                "eventKeyForNewContacts" => match value.as_str() {
                    Some(k) if rules::valid_event_key(k) => s.event_key_for_new_contacts = Some(k.to_string()),
                    _ => bad = true,
                },
                other => s.notes.push(format!("\"{other}\" is not an import setting of Yespo's API: ignored")),
            }
            if bad {
                s.notes.push(format!("the setting \"{key}\" has a value Yespo would refuse: ignored"));
            }
        }
        s
    }
}

/// The dedupe key for a file when the user and the file say nothing: the external id when the
/// file has one (seed 002: "upload your contact list with external user ID as the main
/// identifier"; and Yespo never updates the dedupe field, so with `push` a contact matched by its
/// external id would keep its old token), else the push token for a token file, else the channel
/// the file has.
pub fn default_dedupe(plan_targets: &[Target], native: bool) -> DedupeOn {
    let has = |t: Target| plan_targets.contains(&t);
    if has(Target::ExternalCustomerId) {
        DedupeOn::ExternalCustomerId
    } else if native || has(Target::PushToken) || has(Target::BrazePushTokens) {
        DedupeOn::Push
    } else if has(Target::Email) {
        DedupeOn::Email
    } else if has(Target::Phone) {
        DedupeOn::Sms
    } else {
        DedupeOn::ExternalCustomerId
    }
}

impl ImportSettings {
    /// The settings for this file: the file's own where it has them, else the defaults; notes say
    /// what was changed and why.
    pub fn for_file(
        file: &FileSettings,
        plan: &Plan,
        carried: Vec<String>,
        custom_fields: Vec<i64>,
    ) -> (ImportSettings, Vec<String>) {
        let mut notes = Vec::new();
        let contact_fields = match &file.contact_fields {
            Some(list) if !list.is_empty() => list.clone(),
            Some(_) | None => {
                if file.dedupe_on.is_some() {
                    notes.push(format!(
                        "the file leaves contactFields empty, which makes Yespo update every field and set to null those \
                         without data; limited to the fields the file carries: {}",
                        carried.join(", ")
                    ));
                }
                carried
            }
        };
        let mut custom_fields_ids = file.custom_fields_ids.clone().unwrap_or(custom_fields);
        custom_fields_ids.sort_unstable();
        custom_fields_ids.dedup();
        let dedupe_on = plan.dedupe_on;
        if file.dedupe_on.is_some_and(|d| d != dedupe_on) {
            notes.push(format!(
                "dedupeOn is {} (chosen), not the file's {}",
                dedupe_name(dedupe_on),
                dedupe_name(file.dedupe_on.expect("checked"))
            ));
        }
        (
            ImportSettings {
                dedupe_on,
                field_id: plan.field_id.or(file.field_id),
                contact_fields,
                update_all_fields: false,
                custom_fields_ids,
                group_names: file.group_names.clone(),
                group_names_exclude: file.group_names_exclude.clone(),
                restore_deleted: file.restore_deleted.unwrap_or(false),
                event_key_for_new_contacts: file.event_key_for_new_contacts.clone(),
            },
            notes,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_settings_are_read_and_odd_ones_noted() {
        let keys = vec![
            ("dedupeOn".to_string(), b"\"externalCustomerId\"".to_vec()),
            ("contactFields".to_string(), b"[\"firstName\",\"mobilepush\"]".to_vec()),
            ("customFieldsIDs".to_string(), b"[12345, \"12346\"]".to_vec()),
            ("groupNames".to_string(), b"\"Migrated\"".to_vec()),
            ("colour".to_string(), b"1".to_vec()),
        ];
        let s = FileSettings::parse(&keys);
        assert_eq!(s.dedupe_on, Some(DedupeOn::ExternalCustomerId));
        assert_eq!(s.custom_fields_ids, Some(vec![12345, 12346]));
        assert_eq!(s.group_names, vec!["Migrated"]);
        assert_eq!(s.notes.len(), 1);
        let push = FileSettings::parse(&[("dedupeOn".to_string(), b"\"mobilepush\"".to_vec())]);
        assert_eq!(push.dedupe_on, Some(DedupeOn::Push));
    }
}
