//! One row, from its raw form to a checked contact: build the [`Draft`] (a native Yespo object, a
//! flat object's keys or a table's cells through the [`Mapping`]), fill what the user gave once
//! for the file (app ids), then apply every rule of a single row. Rules that need other rows
//! (duplicates, shared tokens) run after the pass, on the hashes this returns.

use super::contact::{ChannelDraft, DeviceDraft, Draft, FieldDraft};
use super::map::{self, Mapping, Target, Unsubscribed};
use super::problem::{ProblemSink, Reason};
use super::read::table::NotText;
use super::rules;
use crate::yespo::models::DedupeOn;
use std::borrow::Cow;
use std::collections::HashMap;

/// How rows are read and checked: fixed for one pass over a file.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mapping: Mapping,
    pub dedupe_on: DedupeOn,
    /// The custom field used when `dedupe_on` is `fieldId`.
    pub field_id: Option<i64>,
    /// The account's custom fields by id, when an account is at hand (unknown ids and values of
    /// the wrong type are then errors).
    pub account_fields: Option<HashMap<i64, super::map::AccountField>>,
}

/// The shape of a file's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Yespo's own contact objects.
    Native,
    /// Named columns: a table's header, or the keys of flat JSON objects.
    Columns(Vec<String>),
}

/// A row as read.
pub enum RowInput<'a> {
    /// A table row: the cell of column `i`, `Err(())` if it is not text in the file's encoding.
    Cells(&'a dyn Fn(usize) -> Result<Option<Cow<'a, str>>, NotText>),
    /// One JSON element.
    Json(&'a [u8]),
    /// A JSON element too large to keep.
    Oversized,
}

/// The standard fields (as `contactFields` names them) a row carries, as bits.
pub const CONTACT_FIELDS: [&str; 13] = [
    "firstName",
    "lastName",
    "email",
    "sms",
    "mobilepush",
    "externalCustomerId",
    "languageCode",
    "timeZone",
    "contactKey",
    "address",
    "town",
    "region",
    "postcode",
];

fn field_bit(name: &str) -> u32 {
    CONTACT_FIELDS.iter().position(|f| *f == name).map_or(0, |i| 1 << i)
}

/// What the pass keeps of a checked row.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// The dedupe key's hash (valid rows only).
    pub key: Option<u64>,
    /// The first push token's hash.
    pub token: Option<u64>,
    /// [`CONTACT_FIELDS`] present, as bits.
    pub carried: u32,
}

/// The custom field ids seen in a pass (a file has a handful: a list beats a hash set).
#[derive(Debug, Default, Clone)]
pub struct FieldIds(pub Vec<i64>);

impl FieldIds {
    pub fn add(&mut self, id: i64) {
        if !self.0.contains(&id) {
            self.0.push(id);
        }
    }
    pub fn merge(&mut self, other: &FieldIds) {
        for id in &other.0 {
            self.add(*id);
        }
    }
}

/// Which column is which, resolved once per file.
#[derive(Debug, Default)]
struct Columns {
    /// Column of each standard target, by its place in [`Target::STANDARD`] (an array, not a
    /// map: looked up ~20 times per row).
    by_target: [Option<usize>; Target::STANDARD.len()],
    fields: Vec<(usize, i64)>,
    /// JSON objects: key → column.
    index: HashMap<String, usize>,
    names: Vec<String>,
}

pub struct Checker {
    plan: Plan,
    shape: Shape,
    columns: Columns,
}

/// Hash seeds that keep keys of different kinds apart (an email never equals an id).
const KEY_EXTERNAL: u64 = 1;
const KEY_EMAIL: u64 = 2;
const KEY_SMS: u64 = 3;
const KEY_PUSH: u64 = 4;
const KEY_ID: u64 = 5;
const KEY_FIELD: u64 = 6;

impl Checker {
    pub fn new(plan: Plan, shape: Shape) -> Checker {
        let mut columns = Columns::default();
        if let Shape::Columns(names) = &shape {
            for (i, name) in names.iter().enumerate() {
                columns.index.insert(name.clone(), i);
                match plan.mapping.target_of(name) {
                    Some(Target::Field(id)) => columns.fields.push((i, id)),
                    Some(t) => {
                        if let Some(slot) = t.slot() {
                            columns.by_target[slot].get_or_insert(i);
                        }
                    }
                    None => {}
                }
            }
            columns.names = names.clone();
        }
        Checker { plan, shape, columns }
    }

    fn has(&self, t: Target) -> bool {
        t.slot().is_some_and(|slot| self.columns.by_target[slot].is_some())
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Checks one row: problems into `sink`, and the facts the pass keeps. `with` receives the
    /// finished draft (for the preview and the batches).
    pub fn check<S: ProblemSink>(
        &self,
        input: RowInput<'_>,
        sink: &mut S,
        fields: &mut FieldIds,
        with: Option<&mut dyn FnMut(&Draft<'_>)>,
    ) -> Facts {
        match input {
            RowInput::Oversized => {
                sink.add(Reason::Unreadable, "", || "this contact is larger than 1 MB: not a contact".into());
                Facts::default()
            }
            RowInput::Json(bytes) => match &self.shape {
                // One UTF-8 check for the element (fast), then a parser that does not check
                // each string again.
                Shape::Native => match std::str::from_utf8(bytes)
                    .map_err(|e| serde_json::Error::io(std::io::Error::other(format!("the text is not UTF-8 ({e})"))))
                    .and_then(serde_json::from_str::<Draft<'_>>)
                {
                    Ok(draft) => self.finish(draft, sink, fields, with),
                    Err(e) => {
                        sink.add(Reason::Unreadable, "", || json_problem(bytes, &e));
                        Facts::default()
                    }
                },
                Shape::Columns(_) => {
                    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes) {
                        Ok(object) => {
                            let mut cells: Vec<Option<String>> = vec![None; self.columns.names.len()];
                            for (k, v) in object {
                                if let Some(&i) = self.columns.index.get(&k) {
                                    cells[i] = json_text(v);
                                }
                            }
                            let get = |i: usize| -> Result<Option<Cow<'_, str>>, NotText> {
                                Ok(cells
                                    .get(i)
                                    .and_then(|c| c.as_deref())
                                    .map(str::trim)
                                    .filter(|s| !s.is_empty())
                                    .map(Cow::Borrowed))
                            };
                            let draft = self.draft_from_cells(&get, sink);
                            self.finish(draft, sink, fields, with)
                        }
                        Err(e) => {
                            sink.add(Reason::Unreadable, "", || json_problem(bytes, &e));
                            Facts::default()
                        }
                    }
                }
            },
            RowInput::Cells(get) => {
                let draft = self.draft_from_cells(get, sink);
                self.finish(draft, sink, fields, with)
            }
        }
    }

    /// The dedupe key of a valid row as text with its kind, for the exact check of duplicates.
    pub fn key_text(&self, draft: &Draft<'_>) -> Option<(u64, String)> {
        self.dedupe_key(draft).map(|(kind, key)| (kind, key.into_owned()))
    }

    fn cell<'a>(
        &self,
        get: &dyn Fn(usize) -> Result<Option<Cow<'a, str>>, NotText>,
        t: Target,
        sink: &mut impl ProblemSink,
    ) -> Option<Cow<'a, str>> {
        let i = self.columns.by_target[t.slot()?]?;
        match get(i) {
            Ok(v) => v,
            Err(NotText) => {
                let name = &self.columns.names[i];
                sink.add(Reason::Unreadable, name, || {
                    format!("the value in \"{name}\" is not text in the file's encoding: choose the file's encoding")
                });
                None
            }
        }
    }

    /// A draft from named cells, through the mapping and the provider's preset.
    fn draft_from_cells<'a>(
        &self,
        get: &dyn Fn(usize) -> Result<Option<Cow<'a, str>>, NotText>,
        sink: &mut impl ProblemSink,
    ) -> Draft<'a> {
        let c = |t: Target, sink: &mut _| self.cell(get, t, sink);
        let mut draft = Draft {
            first_name: c(Target::FirstName, sink),
            last_name: c(Target::LastName, sink),
            external_customer_id: c(Target::ExternalCustomerId, sink),
            contact_key: c(Target::ContactKey, sink),
            language_code: c(Target::LanguageCode, sink),
            time_zone: c(Target::TimeZone, sink),
            ..Draft::default()
        };
        let (region, town, address, postcode) =
            (c(Target::Region, sink), c(Target::Town, sink), c(Target::Address, sink), c(Target::Postcode, sink));
        if region.is_some() || town.is_some() || address.is_some() || postcode.is_some() {
            draft.address = Some(super::contact::AddressDraft { region, town, address, postcode });
        }
        if let Some(email) = c(Target::Email, sink) {
            draft.channels.push(ChannelDraft { kind: Some("email".into()), value: Some(email), ..Default::default() });
        }
        if let Some(phone) = c(Target::Phone, sink) {
            draft.channels.push(ChannelDraft { kind: Some("sms".into()), value: Some(phone), ..Default::default() });
        }
        let mut os = c(Target::Os, sink);
        let mut active = c(Target::Active, sink).and_then(|a| match a.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "t" => Some(true),
            "false" | "0" | "no" | "f" => Some(false),
            _ => None,
        });
        let mut skip_device = false;
        if let Some(code) = self.has(Target::OneSignalDeviceType).then(|| c(Target::OneSignalDeviceType, sink)) {
            match map::onesignal_device_type(code.as_deref().unwrap_or("")) {
                Ok(name) => os = Some(Cow::Borrowed(name)),
                Err(what) => {
                    sink.add(Reason::NotMobilePush, "device_type", || {
                        format!("skipped: {what}, not a mobile-push device")
                    });
                    skip_device = true;
                }
            }
        }
        if let Some(flag) = c(Target::OneSignalUnsubscribed, sink) {
            if matches!(flag.to_ascii_lowercase().as_str(), "t" | "true" | "1" | "yes") {
                match self.plan.mapping.unsubscribed {
                    Unsubscribed::Skip => {
                        sink.add(Reason::Unsubscribed, "invalid_identifier", || {
                            "skipped: the device is unsubscribed (invalid_identifier); choose \"send as inactive\" to keep it".into()
                        });
                        skip_device = true;
                    }
                    Unsubscribed::Inactive => active = Some(false),
                }
            }
        }
        let token = c(Target::PushToken, sink);
        let has_token_column = self.has(Target::PushToken);
        if has_token_column && !skip_device {
            let device = DeviceDraft {
                app_id: c(Target::AppId, sink),
                device_model: c(Target::DeviceModel, sink),
                os,
                locale: c(Target::Locale, sink),
                client_version: c(Target::ClientVersion, sink),
                app_version: c(Target::AppVersion, sink),
                active,
            };
            // An empty token is kept as an empty channel so the rules can say so.
            draft.channels.push(ChannelDraft {
                kind: Some("mobilepush".into()),
                value: Some(token.unwrap_or_default()),
                device: Some(device),
                web_push_subscription: None,
            });
        }
        draft.skipped = skip_device;
        if let Some(list) = c(Target::BrazePushTokens, sink) {
            if !skip_device {
                braze_tokens(&list, &mut draft, sink);
            }
        }
        for &(i, id) in &self.columns.fields {
            match get(i) {
                Ok(Some(v)) => draft.fields.push(FieldDraft { id: Some(id), value: Some(v) }),
                Ok(None) => {}
                Err(NotText) => {
                    let name = &self.columns.names[i];
                    sink.add(Reason::Unreadable, name, || {
                        format!("the value in \"{name}\" is not text in the file's encoding")
                    });
                }
            }
        }
        draft
    }

    fn finish<S: ProblemSink>(
        &self,
        mut draft: Draft<'_>,
        sink: &mut S,
        fields: &mut FieldIds,
        with: Option<&mut dyn FnMut(&Draft<'_>)>,
    ) -> Facts {
        self.fill_app_ids(&mut draft);
        let mut facts = Facts::default();
        self.rules(&draft, sink, &mut facts, fields);
        if let Some(f) = with {
            f(&draft);
        }
        facts
    }

    /// Push tokens without an app id get the one the user gave for their platform.
    fn fill_app_ids(&self, draft: &mut Draft<'_>) {
        let m = &self.plan.mapping;
        if m.app_id.is_none() && m.app_ids.is_empty() {
            return;
        }
        for ch in draft.channels.iter_mut().filter(|c| c.kind.as_deref() == Some("mobilepush")) {
            let device = ch.device.get_or_insert_with(DeviceDraft::default);
            if device.app_id.as_deref().is_none_or(|a| a.trim().is_empty()) {
                let os = device.os.as_deref().and_then(rules::canonical_os);
                if let Some(app) = m.app_id_for(os) {
                    device.app_id = Some(Cow::Owned(app.to_string()));
                }
            }
        }
    }

    fn rules<S: ProblemSink>(&self, d: &Draft<'_>, sink: &mut S, facts: &mut Facts, facts_fields: &mut FieldIds) {
        if d.skipped {
            return;
        }
        let too_long = |sink: &mut S, field: &str, value: &Option<Cow<'_, str>>, max: usize| {
            if let Some(v) = value {
                let n = v.chars().count();
                if n > max {
                    sink.add(Reason::TooLong, field, || {
                        format!("{field} has {n} characters; Yespo accepts at most {max}")
                    });
                }
            }
        };
        too_long(sink, "firstName", &d.first_name, rules::MAX_NAME_CHARS);
        too_long(sink, "lastName", &d.last_name, rules::MAX_NAME_CHARS);
        too_long(sink, "externalCustomerId", &d.external_customer_id, rules::MAX_EXTERNAL_ID_CHARS);
        too_long(sink, "contactKey", &d.contact_key, rules::MAX_TEXT_CHARS);
        too_long(sink, "languageCode", &d.language_code, rules::MAX_TEXT_CHARS);
        too_long(sink, "timeZone", &d.time_zone, rules::MAX_TEXT_CHARS);
        if let Some(a) = &d.address {
            too_long(sink, "address.region", &a.region, rules::MAX_TEXT_CHARS);
            too_long(sink, "address.town", &a.town, rules::MAX_TEXT_CHARS);
            too_long(sink, "address.address", &a.address, rules::MAX_TEXT_CHARS);
            too_long(sink, "address.postcode", &a.postcode, rules::MAX_TEXT_CHARS);
        }
        if let Some(x) = d.external_customer_id.as_deref() {
            if rules::looks_excel_mangled(x) {
                sink.add(Reason::ExcelNumber, "externalCustomerId", || excel_message("externalCustomerId", x));
            }
        }

        if d.channels.is_empty() {
            sink.add(Reason::NoChannel, "channels", || "no channel: the row has no push token, email or phone".into());
        }
        let mut per_kind: [usize; 8] = [0; 8];
        for (i, ch) in d.channels.iter().enumerate() {
            let kind = ch.kind.as_deref().unwrap_or("").trim();
            let Some(k) = rules::CHANNEL_TYPES.iter().position(|t| *t == kind) else {
                sink.add(Reason::UnknownChannelType, "channels", || {
                    format!("'{kind}' is not a channel type (email, sms, mobilepush, webpush, ...)")
                });
                continue;
            };
            per_kind[k] += 1;
            if per_kind[k] == rules::MAX_CHANNELS_PER_TYPE + 1 {
                sink.add(Reason::TooManyChannels, "channels", || {
                    format!("more than two {kind} channels: Yespo keeps at most two of one type")
                });
            }
            let value = ch.value.as_deref().unwrap_or("").trim();
            if d.channels[..i].iter().any(|o| {
                o.kind.as_deref().map(str::trim) == Some(kind) && o.value.as_deref().map(str::trim) == Some(value)
            }) {
                sink.add(Reason::SameChannelTwice, "channels", || format!("the same {kind} channel is listed twice"));
            }
            match kind {
                "email" if !rules::valid_email(value) => {
                    sink.add(Reason::BadEmail, "email", || {
                        if value.is_empty() {
                            "the email is empty".into()
                        } else {
                            format!("'{value}' is not an email address Yespo accepts")
                        }
                    });
                }
                "sms" | "viber" => {
                    if rules::looks_excel_mangled(value) {
                        sink.add(Reason::ExcelNumber, "phone", || excel_message("the phone", value));
                    } else if !rules::valid_phone(value) {
                        sink.add(Reason::BadPhone, "phone", || {
                            format!(
                                "'{value}' is not a phone number Yespo accepts (international format, 7 to 15 digits)"
                            )
                        });
                    }
                }
                "mobilepush" => self.push_rules(ch, value, sink),
                _ => {}
            }
        }

        for f in &d.fields {
            let Some(id) = f.id else {
                sink.add(Reason::UnknownField, "fields", || "a custom field without an id".into());
                continue;
            };
            if let Some(known) = &self.plan.account_fields {
                match known.get(&id) {
                    None => {
                        sink.add(Reason::UnknownField, "fields", || format!("the account has no custom field {id}"))
                    }
                    Some(field) => {
                        if let Some(problem) = f.value.as_deref().and_then(|v| field.value_problem(v)) {
                            sink.add(Reason::BadFieldValue, "fields", || format!("{} ({id}): {problem}", field.name));
                        }
                    }
                }
            }
            if let Some(v) = f.value.as_deref() {
                if let Some(n) = rules::chars_over(v, rules::MAX_TEXT_CHARS) {
                    sink.add(Reason::TooLong, "fields", || {
                        format!("custom field {id} has {n} characters; at most {} are accepted", rules::MAX_TEXT_CHARS)
                    });
                }
                if rules::looks_excel_mangled(v) {
                    sink.add(Reason::ExcelNumber, "fields", || excel_message(&format!("custom field {id}"), v));
                }
            }
            facts_fields.add(id);
        }

        // Carried standard fields (what the default contactFields will list).
        let mut carried = 0;
        let mut mark = |present: bool, name: &str| {
            if present {
                carried |= field_bit(name);
            }
        };
        mark(d.first_name.is_some(), "firstName");
        mark(d.last_name.is_some(), "lastName");
        mark(d.channel("email").is_some(), "email");
        mark(d.channel("sms").is_some(), "sms");
        mark(d.channel("mobilepush").is_some(), "mobilepush");
        mark(d.external_customer_id.is_some(), "externalCustomerId");
        mark(d.language_code.is_some(), "languageCode");
        mark(d.time_zone.is_some(), "timeZone");
        mark(d.contact_key.is_some(), "contactKey");
        if let Some(a) = &d.address {
            mark(a.address.is_some(), "address");
            mark(a.town.is_some(), "town");
            mark(a.region.is_some(), "region");
            mark(a.postcode.is_some(), "postcode");
        }
        facts.carried = carried;

        match self.dedupe_key(d) {
            Some((kind, key)) => {
                if kind == KEY_FIELD && rules::chars_over(&key, rules::MAX_DEDUPE_FIELD_CHARS).is_some() {
                    sink.add(Reason::TooLong, "fields", || {
                        "the dedupe field's value is longer than 50 characters".into()
                    });
                }
                facts.key = Some(xxhash_rust::xxh3::xxh3_64_with_seed(key.as_bytes(), kind));
            }
            None => {
                let on = dedupe_name(self.plan.dedupe_on);
                sink.add(Reason::NoDedupeKey, "", || {
                    format!("nothing to match the contact on: no {on} (dedupeOn) and no externalCustomerId")
                });
            }
        }
        facts.token = d
            .channel("mobilepush")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| xxhash_rust::xxh3::xxh3_64(t.as_bytes()));
    }

    fn push_rules(&self, ch: &ChannelDraft<'_>, token: &str, sink: &mut impl ProblemSink) {
        if token.is_empty() {
            sink.add(Reason::EmptyToken, "pushToken", || "the push token is empty".into());
        } else if rules::looks_excel_mangled(token) {
            sink.add(Reason::ExcelNumber, "pushToken", || excel_message("the push token", token));
        } else if let Some(problem) = rules::token_problem(token) {
            sink.add(Reason::BadToken, "pushToken", || problem.to_string());
        }
        let device = ch.device.as_ref();
        let app_id = device.and_then(|d| d.app_id.as_deref()).map(str::trim).filter(|a| !a.is_empty());
        match app_id {
            None => sink.add(Reason::NoAppId, "device.appId", || {
                "no Yespo app id: give the app id (a UUID from Yespo's mobile app settings) before uploading".into()
            }),
            Some(app) if !rules::looks_like_uuid(app) => {
                sink.add(Reason::BadAppId, "device.appId", || format!("'{app}' is not a Yespo app id (a UUID)"))
            }
            Some(_) => {}
        }
        let os = device.and_then(|d| d.os.as_deref()).map(str::trim).filter(|o| !o.is_empty());
        let canonical = match os {
            Some(os) => match rules::canonical_os(os) {
                Some(c) => Some(c),
                None => {
                    sink.add(Reason::BadOs, "device.os", || {
                        format!("'{os}' is not a mobile OS Yespo knows ({})", rules::MOBILE_OS.join(", "))
                    });
                    None
                }
            },
            None => {
                sink.add(Reason::MissingDeviceFields, "device.os", || "the device's OS is missing".into());
                None
            }
        };
        if let Some(d) = device {
            if let Some(model) = d.device_model.as_deref() {
                if let Some(n) = rules::chars_over(model, rules::MAX_DEVICE_MODEL_CHARS) {
                    sink.add(Reason::TooLong, "device.deviceModel", || {
                        format!("device.deviceModel has {n} characters; Yespo accepts at most 50")
                    });
                }
            }
            for (name, v) in [("device.locale", &d.locale), ("device.appVersion", &d.app_version)] {
                if v.as_deref().is_some_and(|v| rules::chars_over(v, rules::MAX_TEXT_CHARS).is_some()) {
                    sink.add(Reason::TooLong, name, || {
                        format!("{name} is longer than {} characters", rules::MAX_TEXT_CHARS)
                    });
                }
            }
            if let Some(cv) = d.client_version.as_deref() {
                if cv != "native" && cv != "esputnik-1" {
                    sink.add(Reason::BadClientVersion, "device.clientVersion", || {
                        format!("device.clientVersion '{cv}' is not native or esputnik-1")
                    });
                }
            }
        }
        if !token.is_empty() && (os.is_none() || canonical.is_some()) {
            if let Some(w) = rules::token_shape_warning(token, canonical) {
                sink.add(Reason::TokenShape, "pushToken", || w);
            }
        }
    }

    /// The key Yespo matches the contact on: `externalCustomerId` whenever the contact has one,
    /// else the `dedupeOn` value (`email_or_sms`: the phone first, then the email).
    fn dedupe_key<'d>(&self, d: &'d Draft<'_>) -> Option<(u64, Cow<'d, str>)> {
        if let Some(x) = d.external_customer_id.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
            return Some((KEY_EXTERNAL, Cow::Borrowed(x)));
        }
        let email = || {
            d.channel("email").map(str::trim).filter(|e| !e.is_empty()).map(|e| {
                if e.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(e.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(e)
                }
            })
        };
        let sms = || d.channel("sms").and_then(rules::normalise_phone).map(Cow::Owned);
        match self.plan.dedupe_on {
            DedupeOn::ExternalCustomerId => None,
            DedupeOn::Email => email().map(|e| (KEY_EMAIL, e)),
            DedupeOn::Sms => sms().map(|s| (KEY_SMS, s)),
            DedupeOn::EmailOrSms => sms().map(|s| (KEY_SMS, s)).or_else(|| email().map(|e| (KEY_EMAIL, e))),
            DedupeOn::Push => {
                d.channel("mobilepush").map(str::trim).filter(|t| !t.is_empty()).map(|t| (KEY_PUSH, Cow::Borrowed(t)))
            }
            DedupeOn::Id => d.id.map(|id| (KEY_ID, Cow::Owned(id.to_string()))),
            DedupeOn::FieldId => {
                let field = self.plan.field_id?;
                d.fields
                    .iter()
                    .find(|f| f.id == Some(field))
                    .and_then(|f| f.value.as_deref())
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| (KEY_FIELD, Cow::Borrowed(v)))
            }
        }
    }
}

/// `dedupeOn` as Yespo spells it.
pub fn dedupe_name(d: DedupeOn) -> &'static str {
    match d {
        DedupeOn::Email => "email",
        DedupeOn::Sms => "sms",
        DedupeOn::Push => "push",
        DedupeOn::EmailOrSms => "email_or_sms",
        DedupeOn::Id => "id",
        DedupeOn::ExternalCustomerId => "externalCustomerId",
        DedupeOn::FieldId => "fieldId",
    }
}

pub fn parse_dedupe(name: &str) -> Option<DedupeOn> {
    serde_json::from_value(serde_json::Value::String(name.trim().to_string())).ok()
}

fn excel_message(what: &str, value: &str) -> String {
    format!("{what} '{value}' looks like a number Excel rewrote in scientific notation: its digits are lost; export the column as text")
}

/// A JSON value as a cell's text: strings as they are, numbers as written, containers as JSON.
fn json_text(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// A sentence for a JSON element serde could not read (with the element's own position).
fn json_problem(bytes: &[u8], e: &serde_json::Error) -> String {
    let what = if bytes.first().is_some_and(|b| *b != b'{') { "not a JSON object".to_string() } else { e.to_string() };
    format!("this contact cannot be read: {what}")
}

/// Braze's `push_tokens`: one mobile-push channel per token, at most two (Yespo's limit).
fn braze_tokens<'a>(list: &str, draft: &mut Draft<'a>, sink: &mut impl ProblemSink) {
    #[derive(serde::Deserialize)]
    struct BrazeToken {
        #[serde(default)]
        platform: Option<String>,
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        notifications_enabled: Option<bool>,
    }
    let tokens: Vec<BrazeToken> = match serde_json::from_str(list) {
        Ok(t) => t,
        Err(e) => {
            sink.add(Reason::Unreadable, "push_tokens", || format!("push_tokens is not a list of tokens: {e}"));
            return;
        }
    };
    let mut kept = 0;
    let mut web = 0;
    let mut extra = 0;
    for t in tokens {
        let platform = t.platform.as_deref().unwrap_or("").to_ascii_lowercase();
        let os = match platform.as_str() {
            "ios" => Some("iOS"),
            "android" | "kindle" | "fireos" => Some("Android"),
            p if p.contains("web") => {
                web += 1;
                continue;
            }
            _ => None,
        };
        if kept == rules::MAX_CHANNELS_PER_TYPE {
            extra += 1;
            continue;
        }
        kept += 1;
        draft.channels.push(ChannelDraft {
            kind: Some("mobilepush".into()),
            value: Some(Cow::Owned(t.token.unwrap_or_default())),
            device: Some(DeviceDraft {
                os: os.map(Cow::Borrowed).or_else(|| t.platform.map(Cow::Owned)),
                active: t.notifications_enabled,
                ..Default::default()
            }),
            web_push_subscription: None,
        });
    }
    if extra > 0 {
        sink.add(Reason::ExtraTokens, "push_tokens", || {
            format!("{extra} more push token(s) not sent: Yespo keeps at most two per contact")
        });
    }
    if web > 0 {
        sink.add(Reason::ExtraTokens, "push_tokens", || {
            format!("{web} web push token(s) not sent: this file is for mobile push")
        });
    }
}

/// Whether the first objects of a JSON file are Yespo contacts (they have `channels`) or flat
/// objects to map by their keys (returned in order of first appearance).
pub fn json_shape(samples: &[&[u8]]) -> Shape {
    let mut keys: Vec<String> = Vec::new();
    for bytes in samples {
        let Ok(KeysInOrder(object_keys)) = serde_json::from_slice::<KeysInOrder>(bytes) else { continue };
        if object_keys.iter().any(|k| k == "channels") {
            return Shape::Native;
        }
        for k in object_keys {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    if keys.is_empty() {
        Shape::Native
    } else {
        Shape::Columns(keys)
    }
}

pub fn carried_names(bits: u32) -> Vec<String> {
    CONTACT_FIELDS.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, f)| f.to_string()).collect()
}

/// An object's keys in the file's order (serde_json's map sorts them).
struct KeysInOrder(Vec<String>);

impl<'de> serde::Deserialize<'de> for KeysInOrder {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = KeysInOrder;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<KeysInOrder, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(k);
                }
                Ok(KeysInOrder(keys))
            }
        }
        d.deserialize_map(V)
    }
}
