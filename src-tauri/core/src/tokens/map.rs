//! From a file's columns (or a JSON object's keys) to a contact's fields: auto-matching by
//! synonyms, the presets of the push providers people migrate from, and the user's saved choice.
//!
//! A [`Mapping`] is a plain value (JSON) the user can edit and save; it is remembered per header
//! signature ([`header_signature`]) and offered again for a file with the same columns.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// What a column becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    PushToken,
    ExternalCustomerId,
    AppId,
    Os,
    DeviceModel,
    Locale,
    AppVersion,
    ClientVersion,
    /// The device's `active` flag (`true`/`false`, `1`/`0`, `yes`/`no`).
    Active,
    Email,
    Phone,
    FirstName,
    LastName,
    LanguageCode,
    TimeZone,
    ContactKey,
    Region,
    Town,
    Address,
    Postcode,
    /// A custom field of the account's address book, by id.
    Field(i64),
    /// OneSignal's `device_type` code: the OS, or "not a mobile-push device".
    OneSignalDeviceType,
    /// OneSignal's `invalid_identifier`: the device unsubscribed.
    OneSignalUnsubscribed,
    /// Braze's `push_tokens` list of `{app, platform, token}`.
    BrazePushTokens,
}

impl Target {
    /// Every target but custom fields, in the order the UI lists them.
    pub const STANDARD: [Target; 23] = [
        Target::PushToken,
        Target::ExternalCustomerId,
        Target::AppId,
        Target::Os,
        Target::DeviceModel,
        Target::Locale,
        Target::AppVersion,
        Target::ClientVersion,
        Target::Active,
        Target::Email,
        Target::Phone,
        Target::FirstName,
        Target::LastName,
        Target::LanguageCode,
        Target::TimeZone,
        Target::ContactKey,
        Target::Region,
        Target::Town,
        Target::Address,
        Target::Postcode,
        Target::OneSignalDeviceType,
        Target::OneSignalUnsubscribed,
        Target::BrazePushTokens,
    ];

    /// The place of a standard target in [`Target::STANDARD`] (`None` for custom fields).
    pub fn slot(self) -> Option<usize> {
        use Target::*;
        Some(match self {
            PushToken => 0,
            ExternalCustomerId => 1,
            AppId => 2,
            Os => 3,
            DeviceModel => 4,
            Locale => 5,
            AppVersion => 6,
            ClientVersion => 7,
            Active => 8,
            Email => 9,
            Phone => 10,
            FirstName => 11,
            LastName => 12,
            LanguageCode => 13,
            TimeZone => 14,
            ContactKey => 15,
            Region => 16,
            Town => 17,
            Address => 18,
            Postcode => 19,
            OneSignalDeviceType => 20,
            OneSignalUnsubscribed => 21,
            BrazePushTokens => 22,
            Field(_) => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Target::PushToken => "pushToken",
            Target::ExternalCustomerId => "externalCustomerId",
            Target::AppId => "appId",
            Target::Os => "os",
            Target::DeviceModel => "deviceModel",
            Target::Locale => "locale",
            Target::AppVersion => "appVersion",
            Target::ClientVersion => "clientVersion",
            Target::Active => "active",
            Target::Email => "email",
            Target::Phone => "phone",
            Target::FirstName => "firstName",
            Target::LastName => "lastName",
            Target::LanguageCode => "languageCode",
            Target::TimeZone => "timeZone",
            Target::ContactKey => "contactKey",
            Target::Region => "region",
            Target::Town => "town",
            Target::Address => "address",
            Target::Postcode => "postcode",
            Target::Field(_) => "field",
            Target::OneSignalDeviceType => "oneSignalDeviceType",
            Target::OneSignalUnsubscribed => "oneSignalUnsubscribed",
            Target::BrazePushTokens => "brazePushTokens",
        }
    }

    /// Header spellings that mean this target (compared after [`normalise`]).
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Target::PushToken => &[
                "token",
                "pushtoken",
                "devicetoken",
                "registrationid",
                "fcmtoken",
                "apnstoken",
                "mobilepush",
                "fcmregistrationtoken",
                "apnsdevicetoken",
                "gcmtoken",
                "regid",
            ],
            Target::ExternalCustomerId => {
                &["externalid", "externalcustomerid", "userid", "customerid", "externaluserid", "clientid"]
            }
            Target::AppId => &["appid", "applicationid", "yespoappid"],
            Target::Os => &["os", "platform", "operatingsystem", "deviceplatform"],
            Target::DeviceModel => &["model", "devicemodel"],
            Target::Locale => &["locale", "language", "devicelocale"],
            Target::AppVersion => &["appversion", "applicationversion"],
            Target::ClientVersion => &["clientversion"],
            Target::Active => &["active", "isactive", "tokenactive"],
            Target::Email => &["email", "emailaddress", "mail"],
            Target::Phone => &["phone", "sms", "phonenumber", "mobile", "mobilephone", "msisdn"],
            Target::FirstName => &["firstname", "first", "givenname", "name"],
            Target::LastName => &["lastname", "last", "surname", "familyname"],
            Target::LanguageCode => &["languagecode"],
            Target::TimeZone => &["timezone", "tz"],
            Target::ContactKey => &["contactkey"],
            Target::Region => &["region", "state", "province"],
            Target::Town => &["town", "city"],
            Target::Address => &["address", "street", "addressline"],
            Target::Postcode => &["postcode", "zip", "zipcode", "postalcode"],
            Target::Field(_)
            | Target::OneSignalDeviceType
            | Target::OneSignalUnsubscribed
            | Target::BrazePushTokens => &[],
        }
    }

    /// The standard field `contactFields` names for it (what an upload would update).
    pub fn contact_field(self) -> Option<&'static str> {
        Some(match self {
            Target::PushToken
            | Target::AppId
            | Target::Os
            | Target::DeviceModel
            | Target::Locale
            | Target::AppVersion
            | Target::ClientVersion
            | Target::Active
            | Target::OneSignalDeviceType
            | Target::OneSignalUnsubscribed
            | Target::BrazePushTokens => "mobilepush",
            Target::ExternalCustomerId => "externalCustomerId",
            Target::Email => "email",
            Target::Phone => "sms",
            Target::FirstName => "firstName",
            Target::LastName => "lastName",
            Target::LanguageCode => "languageCode",
            Target::TimeZone => "timeZone",
            Target::ContactKey => "contactKey",
            Target::Region => "region",
            Target::Town => "town",
            Target::Address => "address",
            Target::Postcode => "postcode",
            Target::Field(_) => return None,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Field(id) => write!(f, "field:{id}"),
            other => f.write_str(other.name()),
        }
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(id) = s.strip_prefix("field:") {
            return id.trim().parse().map(Target::Field).map_err(|_| format!("'{s}': a field id is a number"));
        }
        Target::STANDARD
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("'{s}' is not a contact field this app can fill"))
    }
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The providers whose exports are recognised by their shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// OneSignal's players/subscriptions CSV export.
    OneSignal,
    /// Braze's user export (one JSON object per line).
    Braze,
}

/// What to do with devices the provider marked unsubscribed (OneSignal's `invalid_identifier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Unsubscribed {
    /// Not sent (reported as skipped).
    #[default]
    Skip,
    /// Sent with `device.active: false`.
    Inactive,
}

/// One column and what it becomes (`None`: not used; listed as unmapped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ColumnMapping {
    pub column: String,
    /// `pushToken`, `field:123`... (`Target`'s text form).
    #[ts(type = "string | null")]
    pub target: Option<Target>,
}

/// How rows become contacts: the columns' targets and the values a file cannot carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Mapping {
    #[serde(default)]
    pub preset: Option<Preset>,
    /// Tabular files and JSON objects that are not Yespo contacts; empty for Yespo's own shape.
    #[serde(default)]
    pub columns: Vec<ColumnMapping>,
    /// The Yespo app id for push tokens without one (no other provider's export carries it).
    #[serde(default)]
    pub app_id: Option<String>,
    /// Per platform (`iOS`, `Android`, `HarmonyOS`) when the apps differ; wins over `app_id`.
    #[serde(default)]
    pub app_ids: BTreeMap<String, String>,
    #[serde(default)]
    pub unsubscribed: Unsubscribed,
}

impl Mapping {
    pub fn target_of(&self, column: &str) -> Option<Target> {
        self.columns.iter().find(|c| c.column == column).and_then(|c| c.target)
    }

    pub fn unmapped(&self) -> Vec<&str> {
        self.columns.iter().filter(|c| c.target.is_none()).map(|c| c.column.as_str()).collect()
    }

    /// The app id for a device of `os` (canonical spelling), if the user gave one.
    pub fn app_id_for(&self, os: Option<&str>) -> Option<&str> {
        os.and_then(|os| self.app_ids.get(os)).or(self.app_id.as_ref()).map(String::as_str)
    }

    /// A column mapped twice to a single-valued target is an error the user must fix.
    pub fn check(&self) -> Result<(), String> {
        let mut seen: BTreeMap<Target, &str> = BTreeMap::new();
        for c in &self.columns {
            let Some(t) = c.target else { continue };
            if let Some(first) = seen.insert(t, &c.column) {
                return Err(format!("the columns \"{first}\" and \"{}\" are both mapped to {t}", c.column));
            }
        }
        Ok(())
    }
}

/// Header text compared case-, space-, underscore-, dash- and dot-insensitively.
pub fn normalise(header: &str) -> String {
    header.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '.')).flat_map(char::to_lowercase).collect()
}

/// The signature a mapping is remembered by: the normalised column names, in order.
pub fn header_signature(columns: &[String]) -> String {
    let joined: Vec<String> = columns.iter().map(|c| normalise(c)).collect();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(joined.join("\u{1f}").as_bytes()))
}

/// An account's custom field (from `GET addressbooks`): to match columns by name and to check
/// values by type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AccountField {
    pub id: i64,
    pub name: String,
    /// `TEXTFIELD`, `NUMBER`, `DECIMAL`, `DATE`, `COMBOBOX`… (upper case), when Yespo says.
    #[serde(default)]
    pub kind: Option<String>,
    /// A combobox's values.
    #[serde(default)]
    pub allowed: Vec<String>,
}

impl AccountField {
    /// Every custom field of every address book of the account.
    pub fn from_address_books(books: &crate::yespo::models::AddressBooks) -> Vec<AccountField> {
        books
            .address_book
            .iter()
            .flat_map(|b| b.field_groups.iter())
            .flat_map(|g| g.fields.iter())
            .filter_map(|f| {
                Some(AccountField {
                    id: f.id?,
                    name: f.name.clone().unwrap_or_default(),
                    kind: f.description.as_ref().and_then(|d| d.kind()),
                    allowed: f
                        .description
                        .as_ref()
                        .and_then(|d| d.allowed_values.as_ref())
                        .map(|a| a.possible_values.clone())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Why Yespo would refuse `value` in this field, if it would.
    pub fn value_problem(&self, value: &str) -> Option<String> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match self.kind.as_deref() {
            Some("NUMBER") => value.parse::<i64>().is_err().then(|| format!("'{value}' is not a whole number")),
            Some("DECIMAL") => value.parse::<f64>().is_err().then(|| format!("'{value}' is not a number")),
            Some("DATE") => (!super::rules::valid_date(value))
                .then(|| format!("'{value}' is not a date (yyyy-MM-dd, dd/MM/yyyy, dd.MM.yy or dd.MM.yyyy)")),
            Some("COMBOBOX") if !self.allowed.is_empty() => (!self.allowed.iter().any(|a| a == value))
                .then(|| format!("'{value}' is not one of {}", self.allowed.join(", "))),
            _ => None,
        }
    }
}

/// Which provider's export these columns are, if any.
pub fn recognise(columns: &[String]) -> Option<Preset> {
    let has = |name: &str| columns.iter().any(|c| normalise(c) == normalise(name));
    if has("identifier") && has("device_type") {
        Some(Preset::OneSignal)
    } else if has("push_tokens") && (has("external_id") || has("braze_id")) {
        Some(Preset::Braze)
    } else {
        None
    }
}

/// The preset's own names for its columns (checked against the providers' docs: OneSignal's
/// CSV export columns and `device_type` codes; Braze's user export object).
fn preset_target(preset: Preset, column: &str) -> Option<Option<Target>> {
    let n = normalise(column);
    let t = match (preset, n.as_str()) {
        (Preset::OneSignal, "identifier") => Some(Target::PushToken),
        (Preset::OneSignal, "externaluserid") => Some(Target::ExternalCustomerId),
        (Preset::OneSignal, "devicetype") => Some(Target::OneSignalDeviceType),
        (Preset::OneSignal, "devicemodel") => Some(Target::DeviceModel),
        (Preset::OneSignal, "language") => Some(Target::Locale),
        (Preset::OneSignal, "gameversion") => Some(Target::AppVersion),
        (Preset::OneSignal, "invalididentifier") => Some(Target::OneSignalUnsubscribed),
        // OneSignal's own ids and the OS *version* (`device_os`: "14.2") have no Yespo field.
        (Preset::OneSignal, "id" | "deviceos" | "timezone" | "country") => None,
        (Preset::Braze, "externalid") => Some(Target::ExternalCustomerId),
        (Preset::Braze, "firstname") => Some(Target::FirstName),
        (Preset::Braze, "lastname") => Some(Target::LastName),
        (Preset::Braze, "email") => Some(Target::Email),
        (Preset::Braze, "phone") => Some(Target::Phone),
        (Preset::Braze, "pushtokens") => Some(Target::BrazePushTokens),
        (Preset::Braze, "language") => Some(Target::LanguageCode),
        (Preset::Braze, "timezone") => Some(Target::TimeZone),
        (Preset::Braze, "brazeid" | "userid") => None,
        _ => return None,
    };
    Some(t)
}

/// The mapping a file's columns get without questions: the preset's, then synonyms, then the
/// account's custom fields by id or by name. Each target is used once (the first column wins).
pub fn suggest(columns: &[String], fields: &[AccountField]) -> Mapping {
    let preset = recognise(columns);
    let mut used: Vec<Target> = Vec::new();
    let mut out = Vec::with_capacity(columns.len());
    for column in columns {
        let n = normalise(column);
        let target = preset
            .and_then(|p| preset_target(p, column))
            .unwrap_or_else(|| {
                Target::STANDARD
                    .into_iter()
                    .find(|t| t.synonyms().contains(&n.as_str()))
                    .or_else(|| custom_field(column, &n, fields))
            })
            .filter(|t| !used.contains(t));
        if let Some(t) = target {
            used.push(t);
        }
        out.push(ColumnMapping { column: column.clone(), target });
    }
    Mapping { preset, columns: out, ..Mapping::default() }
}

/// `12345`, `field:12345` or `field_12345`, or an account field's name.
fn custom_field(column: &str, normalised: &str, fields: &[AccountField]) -> Option<Target> {
    let digits = normalised.strip_prefix("field").unwrap_or(normalised).trim_start_matches(':');
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.parse().ok().map(Target::Field);
    }
    fields.iter().find(|f| normalise(&f.name) == normalised || f.name == column).map(|f| Target::Field(f.id))
}

/// OneSignal's `device_type` codes (its Player model): the OS of a mobile-push device, or what
/// the row is instead.
pub fn onesignal_device_type(code: &str) -> Result<&'static str, String> {
    match code.trim() {
        "0" => Ok("iOS"),
        "1" | "2" => Ok("Android"),
        "13" => Ok("HarmonyOS"),
        other => Err(match other {
            "3" => "a Windows Phone device".into(),
            "4" => "a Chrome app".into(),
            "5" => "a Chrome web push subscription".into(),
            "6" => "a Windows device".into(),
            "7" => "a Safari web push subscription".into(),
            "8" => "a Firefox web push subscription".into(),
            "9" => "a macOS device".into(),
            "10" => "an Alexa device".into(),
            "11" => "an email subscription".into(),
            "12" => "a Huawei web subscription".into(),
            "14" => "an SMS subscription".into(),
            "" => "a row without a device type".into(),
            code => format!("device type {code}"),
        }),
    }
}

/// A saved mapping per header signature, in one JSON file of the data folder.
pub struct MappingStore {
    path: std::path::PathBuf,
}

impl MappingStore {
    pub fn new(path: std::path::PathBuf) -> Self {
        MappingStore { path }
    }

    /// Where the mappings are kept.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The store of the app's profile: `mappings.json` in its data folder.
    pub fn in_profile(paths: &crate::paths::AppPaths) -> Self {
        MappingStore::new(paths.data_dir.join("mappings.json"))
    }

    fn load_all(&self) -> BTreeMap<String, Mapping> {
        std::fs::read(&self.path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// The mapping saved for these columns, if any, with columns added or gone reconciled.
    pub fn get(&self, columns: &[String]) -> Option<Mapping> {
        let mut mapping = self.load_all().remove(&header_signature(columns))?;
        // Same signature, maybe another spelling (`UID` for `uid`): take this file's names.
        if mapping.columns.len() == columns.len() {
            for (saved, actual) in mapping.columns.iter_mut().zip(columns) {
                saved.column = actual.clone();
            }
        }
        Some(mapping)
    }

    pub fn save(&self, columns: &[String], mapping: &Mapping) -> std::io::Result<()> {
        let mut all = self.load_all();
        all.insert(header_signature(columns), mapping.clone());
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&all).map_err(std::io::Error::other)?)?;
        std::fs::rename(tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn synonyms_match_whatever_the_spelling() {
        let m = suggest(
            &cols(&[
                "Push Token",
                "external-id",
                "APP_ID",
                "Platform",
                "deviceModel",
                "Language",
                "e-mail",
                "SMS",
                "First Name",
                "notes",
                "12345",
                "Favourite colour",
            ]),
            &[AccountField { id: 777, name: "Favourite colour".into(), ..AccountField::default() }],
        );
        let targets: Vec<Option<Target>> = m.columns.iter().map(|c| c.target).collect();
        assert_eq!(
            targets,
            vec![
                Some(Target::PushToken),
                Some(Target::ExternalCustomerId),
                Some(Target::AppId),
                Some(Target::Os),
                Some(Target::DeviceModel),
                Some(Target::Locale),
                Some(Target::Email),
                Some(Target::Phone),
                Some(Target::FirstName),
                None,
                Some(Target::Field(12345)),
                Some(Target::Field(777)),
            ]
        );
        assert_eq!(m.unmapped(), vec!["notes"]);
        assert_eq!(m.preset, None);
    }

    #[test]
    fn slots_follow_the_standard_list() {
        for (i, t) in Target::STANDARD.into_iter().enumerate() {
            assert_eq!(t.slot(), Some(i), "{t}");
        }
        assert_eq!(Target::Field(1).slot(), None);
    }

    #[test]
    fn onesignal_and_braze_are_recognised() {
        let onesignal = suggest(
            &cols(&[
                "id",
                "identifier",
                "session_count",
                "language",
                "timezone",
                "game_version",
                "device_os",
                "device_type",
                "device_model",
                "invalid_identifier",
                "external_user_id",
            ]),
            &[],
        );
        assert_eq!(onesignal.preset, Some(Preset::OneSignal));
        assert_eq!(onesignal.target_of("identifier"), Some(Target::PushToken));
        assert_eq!(onesignal.target_of("device_os"), None);
        assert_eq!(onesignal.target_of("game_version"), Some(Target::AppVersion));
        assert_eq!(onesignal.target_of("external_user_id"), Some(Target::ExternalCustomerId));
        assert_eq!(onesignal_device_type("0"), Ok("iOS"));
        assert!(onesignal_device_type("5").unwrap_err().contains("web push"));
        let braze = suggest(&cols(&["external_id", "first_name", "email", "push_tokens", "custom_attributes"]), &[]);
        assert_eq!(braze.preset, Some(Preset::Braze));
        assert_eq!(braze.target_of("push_tokens"), Some(Target::BrazePushTokens));
    }

    #[test]
    fn mappings_are_json_values_saved_per_header() {
        let columns = cols(&["token", "uid"]);
        let mut m = suggest(&columns, &[]);
        m.columns[1].target = Some(Target::ExternalCustomerId);
        m.app_id = Some("83b77a49-fc28-409b-aeaa-68c9d544ab9d".into());
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"target\":\"pushToken\""), "{json}");
        assert_eq!(serde_json::from_str::<Mapping>(&json).unwrap(), m);
        let dir = tempfile::tempdir().unwrap();
        let store = MappingStore::new(dir.path().join("mappings.json"));
        assert_eq!(store.get(&columns), None);
        store.save(&columns, &m).unwrap();
        let again = store.get(&cols(&["Token", "UID"])).expect("saved for this header");
        assert_eq!(again.target_of("UID"), Some(Target::ExternalCustomerId), "renamed to this file's spelling");
        assert_eq!(again.app_id, m.app_id);
        assert!("field:x".parse::<Target>().is_err());
        let twice = Mapping {
            columns: vec![
                ColumnMapping { column: "a".into(), target: Some(Target::Email) },
                ColumnMapping { column: "b".into(), target: Some(Target::Email) },
            ],
            ..Mapping::default()
        };
        assert!(twice.check().is_err());
    }
}
