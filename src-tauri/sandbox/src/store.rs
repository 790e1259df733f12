//! The sandbox account's data in memory, with the lookups Yespo's matching rules need.

use super::demo_data;
use super::model::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use yespo_core::yespo::lenient;

pub struct Store {
    pub contacts: BTreeMap<i64, Contact>,
    next_contact_id: i64,
    by_external: HashMap<String, i64>,
    /// Lower-cased email → contacts, oldest first (Yespo matches the most recently updated).
    by_email: HashMap<String, Vec<i64>>,
    by_phone: HashMap<String, Vec<i64>>,
    by_push: HashMap<String, i64>,
    pub segments: BTreeMap<i64, Segment>,
    next_segment_id: i64,
    pub emails: Vec<EmailMessage>,
    pub sms: Vec<SmsMessage>,
    pub pushes: Vec<MobilePushMessage>,
    pub categories: Vec<SubscriptionCategory>,
    pub fields: Vec<CustomField>,
    /// Events received (`POST event`), newest last, bounded.
    pub events: Vec<Value>,
}

/// Most events kept in memory.
const MAX_EVENTS: usize = 10_000;

impl Store {
    /// The demo account; `base_url` is the sandbox's own, which the messages' images point at.
    pub fn demo(seed: u64, contact_count: usize, base_url: &str) -> Store {
        let mut store = Store {
            contacts: BTreeMap::new(),
            next_contact_id: demo_data::FIRST_CONTACT_ID,
            by_external: HashMap::new(),
            by_email: HashMap::new(),
            by_phone: HashMap::new(),
            by_push: HashMap::new(),
            segments: BTreeMap::new(),
            next_segment_id: demo_data::FIRST_SEGMENT_ID,
            emails: demo_data::emails(base_url),
            sms: demo_data::sms(),
            pushes: demo_data::mobile_pushes(base_url),
            categories: demo_data::subscription_categories(),
            fields: demo_data::custom_fields(),
            events: Vec::new(),
        };
        for c in demo_data::contacts(seed, contact_count) {
            store.next_contact_id = store.next_contact_id.max(c.id + 1);
            store.index(&c);
            store.contacts.insert(c.id, c);
        }
        for s in demo_data::segments(seed, contact_count) {
            store.next_segment_id = store.next_segment_id.max(s.id + 1);
            store.segments.insert(s.id, s);
        }
        store
    }

    fn index(&mut self, c: &Contact) {
        if let Some(x) = &c.external_customer_id {
            self.by_external.insert(x.clone(), c.id);
        }
        for ch in &c.channels {
            match ch.kind.as_str() {
                "email" => self.by_email.entry(ch.value.to_lowercase()).or_default().push(c.id),
                "sms" => self.by_phone.entry(ch.value.clone()).or_default().push(c.id),
                "mobilepush" => {
                    self.by_push.insert(ch.value.clone(), c.id);
                }
                _ => {}
            }
        }
    }

    fn unindex(&mut self, c: &Contact) {
        if let Some(x) = &c.external_customer_id {
            if self.by_external.get(x) == Some(&c.id) {
                self.by_external.remove(x);
            }
        }
        for ch in &c.channels {
            let list = match ch.kind.as_str() {
                "email" => self.by_email.get_mut(&ch.value.to_lowercase()),
                "sms" => self.by_phone.get_mut(&ch.value),
                "mobilepush" => {
                    if self.by_push.get(&ch.value) == Some(&c.id) {
                        self.by_push.remove(&ch.value);
                    }
                    None
                }
                _ => None,
            };
            if let Some(list) = list {
                list.retain(|id| *id != c.id);
            }
        }
    }

    /// Store `c` (new or changed), keeping the indexes right. A changed contact moves to the end
    /// of its email/phone lists: it is now the most recently updated.
    pub fn save(&mut self, c: Contact) {
        if let Some(old) = self.contacts.remove(&c.id) {
            self.unindex(&old);
        }
        self.index(&c);
        self.contacts.insert(c.id, c);
    }

    pub fn new_contact_id(&mut self) -> i64 {
        let id = self.next_contact_id;
        self.next_contact_id += 1;
        id
    }

    pub fn erase(&mut self, id: i64) {
        if let Some(old) = self.contacts.remove(&id) {
            self.unindex(&old);
        }
        for s in self.segments.values_mut() {
            if let SegmentRule::Static(members) = &mut s.rule {
                members.remove(&id);
            }
        }
    }

    pub fn find_external(&self, x: &str) -> Option<i64> {
        self.by_external.get(x).copied()
    }
    pub fn find_email(&self, email: &str) -> Option<i64> {
        self.by_email.get(&email.to_lowercase()).and_then(|l| l.last().copied())
    }
    /// Every contact with this email (any case).
    pub fn all_with_email(&self, email: &str) -> Vec<i64> {
        self.by_email.get(&email.to_lowercase()).cloned().unwrap_or_default()
    }
    pub fn all_with_phone(&self, phone: &str) -> Vec<i64> {
        self.by_phone.get(phone).cloned().unwrap_or_default()
    }
    pub fn find_phone(&self, phone: &str) -> Option<i64> {
        self.by_phone.get(phone).and_then(|l| l.last().copied())
    }
    pub fn find_push(&self, token: &str) -> Option<i64> {
        self.by_push.get(token).copied()
    }

    pub fn find_field(&self, field_id: i64, value: &str) -> Option<i64> {
        self.contacts.values().rev().find(|c| c.field(field_id) == Some(value)).map(|c| c.id)
    }

    /// Live (not deleted) contact by id.
    pub fn live(&self, id: i64) -> Option<&Contact> {
        self.contacts.get(&id).filter(|c| !c.deleted)
    }

    pub fn segment_by_name(&self, name: &str) -> Option<i64> {
        self.segments.values().find(|s| s.name == name).map(|s| s.id)
    }

    /// A static segment by name, created when missing (as Yespo does for `groupNames`).
    pub fn static_segment(&mut self, name: &str) -> i64 {
        if let Some(id) = self.segment_by_name(name) {
            return id;
        }
        let id = self.next_segment_id;
        self.next_segment_id += 1;
        self.segments.insert(id, Segment { id, name: name.to_string(), rule: SegmentRule::Static(Default::default()) });
        id
    }

    /// Whether contact `c` is in segment `segment_id` (following combined segments).
    pub fn in_segment(&self, segment_id: i64, c: &Contact, depth: u8) -> bool {
        let Some(s) = self.segments.get(&segment_id) else { return false };
        match &s.rule {
            SegmentRule::Static(members) => members.contains(&c.id),
            SegmentRule::Dynamic(cond) => cond.matches(c),
            SegmentRule::Combined { of, all } => {
                if depth > 4 {
                    return false;
                }
                if *all {
                    of.iter().all(|o| self.in_segment(*o, c, depth + 1))
                } else {
                    of.iter().any(|o| self.in_segment(*o, c, depth + 1))
                }
            }
        }
    }

    /// Live members of a segment, by contact id.
    pub fn segment_members(&self, segment_id: i64) -> Vec<&Contact> {
        match self.segments.get(&segment_id).map(|s| &s.rule) {
            Some(SegmentRule::Static(members)) => members.iter().filter_map(|id| self.live(*id)).collect(),
            Some(_) => self.contacts.values().filter(|c| !c.deleted && self.in_segment(segment_id, c, 0)).collect(),
            None => Vec::new(),
        }
    }

    /// `GroupDto`s of the static segments a contact is in ("used only when receiving contacts").
    pub fn static_groups_of(&self, id: i64) -> Vec<Value> {
        self.segments
            .values()
            .filter(|s| matches!(&s.rule, SegmentRule::Static(m) if m.contains(&id)))
            .map(Segment::to_json)
            .collect()
    }

    pub fn full_json(&self, c: &Contact) -> Value {
        c.to_full_json(&self.static_groups_of(c.id))
    }

    /// Store a new email message under the next free id, and return the id.
    pub fn add_email(&mut self, mut message: EmailMessage) -> i64 {
        let id = self.emails.iter().map(|m| m.id + 1).max().unwrap_or(demo_data::FIRST_EMAIL_ID);
        message.id = id;
        self.emails.push(message);
        id
    }

    pub fn push_event(&mut self, event: Value) {
        if self.events.len() >= MAX_EVENTS {
            self.events.remove(0);
        }
        self.events.push(event);
    }

    pub fn field_def(&self, id: i64) -> Option<&CustomField> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// Write all the stored data to `out` in a stable order, for
    /// [`Sandbox::data_fingerprint`](crate::Sandbox::data_fingerprint). Each part is written with
    /// its derived `Debug`, so a field added to a stored type is covered without a change here;
    /// the store's own fields are all named, so one added to [`Store`] must be placed here too.
    pub fn write_data(&self, out: &mut impl std::fmt::Write) -> std::fmt::Result {
        let Store {
            contacts,
            next_contact_id,
            by_external,
            by_email,
            by_phone,
            by_push,
            segments,
            next_segment_id,
            emails,
            sms,
            pushes,
            categories,
            fields,
            events,
        } = self;
        // The indexes follow the contacts, but the email and phone lists also hold which
        // contact was updated last (the one Yespo matches); sorted, as hash order varies.
        fn sorted<K: Ord, V>(m: &HashMap<K, V>) -> BTreeMap<&K, &V> {
            m.iter().collect()
        }
        write!(out, "contacts={contacts:?};next_contact_id={next_contact_id};")?;
        write!(out, "by_external={:?};by_email={:?};", sorted(by_external), sorted(by_email))?;
        write!(out, "by_phone={:?};by_push={:?};", sorted(by_phone), sorted(by_push))?;
        write!(out, "segments={segments:?};next_segment_id={next_segment_id};")?;
        write!(out, "emails={emails:?};sms={sms:?};pushes={pushes:?};")?;
        write!(out, "categories={categories:?};fields={fields:?};events={events:?};")
    }
}

/// How a bulk import matches incoming contacts to stored ones (`dedupeOn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dedupe {
    Email,
    Sms,
    Push,
    EmailOrSms,
    Id,
    ExternalCustomerId,
    FieldId(i64),
}

impl Dedupe {
    /// `dedupeOn` as the spec enumerates it; `fieldId` needs the request's `fieldId`.
    pub fn parse(value: &str, field_id: Option<i64>) -> Result<Dedupe, String> {
        Ok(match value {
            "email" => Dedupe::Email,
            "sms" => Dedupe::Sms,
            "push" => Dedupe::Push,
            "email_or_sms" => Dedupe::EmailOrSms,
            "id" => Dedupe::Id,
            "externalCustomerId" => Dedupe::ExternalCustomerId,
            "fieldId" => Dedupe::FieldId(field_id.ok_or("dedupeOn is fieldId but fieldId is missing")?),
            other => {
                return Err(format!(
                    "dedupeOn '{other}' is not one of email, sms, push, email_or_sms, id, externalCustomerId, fieldId"
                ))
            }
        })
    }

    /// The incoming contact's value for this dedupe key, if it has one.
    pub fn value_of(self, c: &Contact) -> Option<String> {
        match self {
            Dedupe::Email => c.channel("email").map(str::to_string),
            Dedupe::Sms => c.channel("sms").map(str::to_string),
            Dedupe::Push => c.channel("mobilepush").map(str::to_string),
            Dedupe::EmailOrSms => c.channel("sms").or(c.channel("email")).map(str::to_string),
            Dedupe::Id => (c.id > 0).then(|| c.id.to_string()),
            Dedupe::ExternalCustomerId => c.external_customer_id.clone(),
            Dedupe::FieldId(f) => c.field(f).map(str::to_string),
        }
    }

    /// The stored contact an incoming one matches. `externalCustomerId`, when the incoming contact
    /// has one, takes priority over `dedupeOn` (spec, `ContactsBulkUpdate.contacts`).
    pub fn find(self, store: &Store, c: &Contact) -> Option<i64> {
        if let Some(x) = &c.external_customer_id {
            if let Some(id) = store.find_external(x) {
                return Some(id);
            }
        }
        match self {
            Dedupe::Email => c.channel("email").and_then(|e| store.find_email(e)),
            // Phone matches are checked first, then email.
            Dedupe::EmailOrSms => c
                .channel("sms")
                .and_then(|p| store.find_phone(p))
                .or_else(|| c.channel("email").and_then(|e| store.find_email(e))),
            Dedupe::Sms => c.channel("sms").and_then(|p| store.find_phone(p)),
            Dedupe::Push => c.channel("mobilepush").and_then(|t| store.find_push(t)),
            Dedupe::Id => store.contacts.contains_key(&c.id).then_some(c.id),
            Dedupe::ExternalCustomerId => None,
            Dedupe::FieldId(f) => c.field(f).and_then(|v| store.find_field(f, v)),
        }
    }

    /// The standard field this dedupe key lives in: it is never overwritten by an update.
    fn protected_field(self) -> Option<&'static str> {
        match self {
            Dedupe::Email => Some("email"),
            Dedupe::Sms => Some("sms"),
            Dedupe::Push => Some("mobilepush"),
            Dedupe::ExternalCustomerId => Some("externalCustomerId"),
            _ => None,
        }
    }
}

/// Which parts of a stored contact an update may change (`contactFields`, `customFieldsIDs`).
#[derive(Debug, Clone, Default)]
pub struct UpdateScope {
    /// `None`: every standard field.
    pub contact_fields: Option<HashSet<String>>,
    /// `None`: every custom field sent.
    pub custom_field_ids: Option<HashSet<i64>>,
}

impl UpdateScope {
    fn allows(&self, field: &str) -> bool {
        self.contact_fields.as_ref().is_none_or(|f| f.contains(field))
    }

    /// Apply `incoming` onto `stored` within this scope, never touching `protected`.
    pub fn merge(&self, stored: &mut Contact, incoming: &Contact, dedupe: Option<Dedupe>) {
        let protected = dedupe.and_then(Dedupe::protected_field);
        let may = |f: &str| self.allows(f) && protected != Some(f);
        if may("firstName") {
            stored.first_name = incoming.first_name.clone();
        }
        if may("lastName") {
            stored.last_name = incoming.last_name.clone();
        }
        if may("contactKey") {
            stored.contact_key = incoming.contact_key.clone();
        }
        if may("languageCode") {
            stored.language_code = incoming.language_code.clone();
        }
        if may("timeZone") {
            stored.time_zone = incoming.time_zone.clone();
        }
        if may("externalCustomerId") && incoming.external_customer_id.is_some() {
            stored.external_customer_id = incoming.external_customer_id.clone();
        }
        for kind in ["email", "sms", "mobilepush", "webpush", "viber", "appinbox", "widget", "inapp"] {
            // viber/appinbox/widget/inapp are not in the contactFields enum: they follow the contact.
            let listed = matches!(kind, "email" | "sms" | "mobilepush" | "webpush");
            if (listed && !may(kind)) || (!listed && self.contact_fields.is_some()) {
                continue;
            }
            let sent: Vec<Channel> = incoming.channels.iter().filter(|c| c.kind == kind).cloned().collect();
            if self.contact_fields.is_none() && sent.is_empty() {
                // Without contactFields only what was sent changes for channels: Yespo keeps
                // other channels (dropping them would lose push tokens on a name change).
                continue;
            }
            stored.channels.retain(|c| c.kind != kind);
            stored.channels.extend(sent);
        }
        if self.allows("address") || self.allows("town") || self.allows("region") || self.allows("postcode") {
            let mut a = stored.address.clone().unwrap_or_default();
            let inc = incoming.address.clone().unwrap_or_default();
            if self.allows("address") {
                a.address = inc.address;
            }
            if self.allows("town") || self.allows("address") {
                a.town = inc.town;
            }
            if self.allows("region") || self.allows("address") {
                a.region = inc.region;
            }
            if self.allows("postcode") || self.allows("address") {
                a.postcode = inc.postcode;
            }
            let empty = a == Address::default();
            stored.address = (!empty).then_some(a);
        }
        for (id, value) in &incoming.fields {
            if self.custom_field_ids.as_ref().is_none_or(|ids| ids.contains(id)) {
                stored.fields.retain(|(f, _)| f != id);
                stored.fields.push((*id, value.clone()));
            }
        }
    }
}

/// Turn one incoming contact (the spec's `Contact`/`ContactUpdate` JSON) into a [`Contact`],
/// checking what Yespo checks. Numbers sent as strings and the other way round are accepted.
pub fn parse_contact(store: &Store, v: &Value) -> Result<Contact, String> {
    let obj = v.as_object().ok_or("a contact must be a JSON object")?;
    let mut c = Contact::new(0);
    c.id = match obj.get("id") {
        None | Some(Value::Null) => 0,
        Some(x) => lenient_i64(x).ok_or("id must be a number")?,
    };
    c.first_name = name_field(obj.get("firstName"), "firstName")?;
    c.last_name = name_field(obj.get("lastName"), "lastName")?;
    c.external_customer_id = opt_string(obj.get("externalCustomerId"));
    c.contact_key = opt_string(obj.get("contactKey"));
    c.language_code = opt_string(obj.get("languageCode"));
    c.time_zone = opt_string(obj.get("timeZone"));
    if let Some(x) = &c.external_customer_id {
        if x.chars().count() > 100 {
            return Err("externalCustomerId is longer than 100 characters".into());
        }
    }
    // One element may come as a bare object (the one-or-many quirk); read in place, not copied.
    let channels: &[Value] = match obj.get("channels") {
        Some(Value::Array(a)) => a,
        Some(one @ Value::Object(_)) => std::slice::from_ref(one),
        None | Some(Value::Null) => &[],
        Some(_) => return Err("channels must be a list".into()),
    };
    if channels.is_empty() {
        return Err("channels: at least one channel is required".into());
    }
    for (i, ch) in channels.iter().enumerate() {
        let ch = parse_channel(ch).map_err(|e| format!("channels[{i}]: {e}"))?;
        if c.channels.iter().filter(|x| x.kind == ch.kind).count() >= 2 {
            return Err(format!("channels: more than two channels of type {}", ch.kind));
        }
        c.channels.push(ch);
    }
    if let Some(a) = obj.get("address").filter(|a| !a.is_null()) {
        let a = a.as_object().ok_or("address must be an object")?;
        c.address = Some(Address {
            region: opt_string(a.get("region")),
            town: opt_string(a.get("town")),
            address: opt_string(a.get("address")),
            postcode: opt_string(a.get("postcode")),
        });
    }
    let fields: &[Value] = match obj.get("fields") {
        Some(Value::Array(a)) => a,
        Some(one @ Value::Object(_)) => std::slice::from_ref(one),
        _ => &[],
    };
    for (i, f) in fields.iter().enumerate() {
        let id = f.get("id").and_then(lenient_i64).ok_or(format!("fields[{i}]: id must be a number"))?;
        let value = f.get("value").and_then(|v| opt_string(Some(v))).unwrap_or_default();
        let def = store.field_def(id).ok_or(format!("fields[{i}]: unknown additional field id {id}"))?;
        check_field_value(def, &value).map_err(|e| format!("fields[{i}] ({}): {e}", def.name))?;
        c.fields.push((id, value));
    }
    Ok(c)
}

fn parse_channel(v: &Value) -> Result<Channel, String> {
    let kind = v.get("type").and_then(Value::as_str).ok_or("type is missing")?;
    const KINDS: [&str; 8] = ["email", "sms", "viber", "mobilepush", "webpush", "appinbox", "widget", "inapp"];
    if !KINDS.contains(&kind) {
        return Err(format!("'{kind}' is not a channel type (email, sms, viber, mobilepush, webpush, ...)"));
    }
    let raw = v.get("value").and_then(|x| opt_string(Some(x))).unwrap_or_default();
    let value = raw.trim().to_string();
    if value.is_empty() {
        return Err(format!("{kind} value is empty"));
    }
    let value = match kind {
        "email" => {
            if !valid_email(&value) {
                return Err(format!("'{value}' is not a valid email address"));
            }
            value
        }
        "sms" | "viber" => normalise_phone(&value).ok_or(format!("'{value}' is not a valid phone number"))?,
        "mobilepush" => {
            if value.len() > 4096 || value.chars().any(char::is_whitespace) {
                return Err("the push token has spaces or is longer than 4096 characters".into());
            }
            value
        }
        _ => value,
    };
    let device = match v.get("device") {
        Some(d) if d.is_object() => {
            let device = Device {
                app_id: opt_string(d.get("appId")),
                device_model: opt_string(d.get("deviceModel")),
                os: opt_string(d.get("os")),
                locale: opt_string(d.get("locale")),
                client_version: opt_string(d.get("clientVersion")),
                app_version: opt_string(d.get("appVersion")),
                active: d.get("active").and_then(lenient_bool),
            };
            if let Some(app) = &device.app_id {
                if !looks_like_uuid(app) {
                    return Err(format!("device.appId '{app}' is not an app ID (a UUID)"));
                }
            }
            if let Some(cv) = &device.client_version {
                if cv != "native" && cv != "esputnik-1" {
                    return Err(format!("device.clientVersion '{cv}' is not native or esputnik-1"));
                }
            }
            if device.device_model.as_ref().is_some_and(|m| m.chars().count() > 50) {
                return Err("device.deviceModel is longer than 50 characters".into());
            }
            Some(device)
        }
        _ => None,
    };
    Ok(Channel { kind: kind.to_string(), value, device: if kind == "mobilepush" { device } else { None } })
}

fn name_field(v: Option<&Value>, name: &str) -> Result<Option<String>, String> {
    let s = opt_string(v);
    if let Some(s) = &s {
        if s.chars().count() > 40 {
            return Err(format!("{name} is longer than 40 characters"));
        }
    }
    Ok(s)
}

fn check_field_value(def: &CustomField, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    match def.kind {
        "NUMBER" => value.parse::<i64>().map(|_| ()).map_err(|_| format!("'{value}' is not a whole number")),
        "DECIMAL" => value.parse::<f64>().map(|_| ()).map_err(|_| format!("'{value}' is not a number")),
        "DATE" => valid_date(value)
            .then_some(())
            .ok_or(format!("'{value}' is not a date (yyyy-MM-dd, dd/MM/yyyy, dd.MM.yy or dd.MM.yyyy)")),
        "COMBOBOX" => def
            .allowed
            .contains(&value)
            .then_some(())
            .ok_or(format!("'{value}' is not one of {}", def.allowed.join(", "))),
        _ => Ok(()),
    }
}

// The value rules are the core's, so the app never calls valid what the emulator refuses.
use yespo_core::tokens::rules::valid_date;
pub use yespo_core::tokens::rules::{looks_like_uuid, normalise_phone, valid_email};

/// Text from an optional JSON value (string, number or boolean), by the client's lenient rules.
pub fn opt_string(v: Option<&Value>) -> Option<String> {
    v.and_then(lenient::as_text)
}

pub use yespo_core::yespo::lenient::{as_bool as lenient_bool, as_i64 as lenient_i64};

/// A contact's email for `GET contacts/email`.
pub fn contact_email_json(c: &Contact) -> Option<Value> {
    c.channel("email").map(|e| json!({"contactId": c.id, "email": e}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_accept_what_yespo_documents() {
        assert!(valid_email("tgsh@gmail.com"));
        assert!(!valid_email("tgsh@gmail"));
        assert!(!valid_email("no at sign"));
        assert_eq!(normalise_phone("+380 (67) 123-45-67").as_deref(), Some("380671234567"));
        assert!(normalise_phone("12ab").is_none());
        assert!(
            valid_date("1814-03-09") && valid_date("09/03/1814") && valid_date("09.03.14") && valid_date("09.03.1814")
        );
        assert!(!valid_date("1814-13-09") && !valid_date("yesterday"));
        assert!(looks_like_uuid("83b77a49-fc28-409b-aeaa-68c9d544ab9d"));
        assert!(!looks_like_uuid("83b77a49"));
    }

    #[test]
    fn the_seed_document_contact_parses() {
        let store = Store::demo(1, 10, "http://127.0.0.1:1");
        let v = serde_json::json!({
            "firstName": "John", "lastName": "Smith",
            "channels": [
                {"type": "mobilepush", "value": "8900-7654-6456-9876-0011",
                 "device": {"appId": "83b77a49-fc28-409b-aeaa-68c9d544ab9d", "deviceModel": "iPhone 13",
                            "os": "Android", "locale": "ua", "appVersion": "4.1.6"}},
                {"type": "email", "value": "tgsh@gmail.com"}],
            "externalCustomerId": "6add3c31-3ec6-4f34-b20e-8c757fe65270",
            "fields": [{"id": 12345, "value": "writer"}, {"id": 12346, "value": "1814-03-09"}]
        });
        let c = parse_contact(&store, &v).unwrap();
        assert_eq!(c.channel("email"), Some("tgsh@gmail.com"));
        assert_eq!(c.field(12346), Some("1814-03-09"));
        let bad = serde_json::json!({"channels": [{"type": "email", "value": "nope"}]});
        assert!(parse_contact(&store, &bad).unwrap_err().contains("not a valid email"));
        let unknown_field = serde_json::json!({"channels": [{"type": "sms", "value": "380501234567"}], "fields": [{"id": 1, "value": "x"}]});
        assert!(parse_contact(&store, &unknown_field).unwrap_err().contains("unknown additional field id 1"));
    }
}
