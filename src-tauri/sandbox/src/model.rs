//! What the sandbox stores, and how each thing looks on the wire (Yespo's JSON shapes).

use serde_json::{json, Map, Value};

/// A contact's channel: email address, phone, push token...
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// `email`, `sms`, `viber`, `mobilepush`, `webpush`, `appinbox`, `widget`, `inapp`.
    pub kind: String,
    pub value: String,
    /// Only for `mobilepush`.
    pub device: Option<Device>,
}

/// The device behind a mobile-push token.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Device {
    pub app_id: Option<String>,
    pub device_model: Option<String>,
    pub os: Option<String>,
    pub locale: Option<String>,
    pub client_version: Option<String>,
    pub app_version: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Address {
    pub region: Option<String>,
    pub town: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub channels: Vec<Channel>,
    pub address: Option<Address>,
    /// Custom field values by field id (ids come from `addressbooks`).
    pub fields: Vec<(i64, String)>,
    pub external_customer_id: Option<String>,
    pub contact_key: Option<String>,
    pub language_code: Option<String>,
    pub time_zone: Option<String>,
    /// Keys of the subscription categories the contact is subscribed to.
    pub subscriptions: Vec<String>,
    /// Deleted without `erase`: hidden, but can be restored.
    pub deleted: bool,
}

/// The one address book every demo contact belongs to.
pub const ADDRESS_BOOK_ID: i64 = 7200;

impl Contact {
    pub fn new(id: i64) -> Self {
        Contact {
            id,
            first_name: None,
            last_name: None,
            channels: Vec::new(),
            address: None,
            fields: Vec::new(),
            external_customer_id: None,
            contact_key: None,
            language_code: None,
            time_zone: None,
            subscriptions: Vec::new(),
            deleted: false,
        }
    }

    /// The first channel of a kind (`email`, `sms`, `mobilepush`...).
    pub fn channel(&self, kind: &str) -> Option<&str> {
        self.channels.iter().find(|c| c.kind == kind).map(|c| c.value.as_str())
    }

    pub fn field(&self, id: i64) -> Option<&str> {
        self.fields.iter().find(|(f, _)| *f == id).map(|(_, v)| v.as_str())
    }

    /// `BaseContact`, the reduced shape `GET contacts` answers with.
    pub fn to_base_json(&self) -> Value {
        let mut m = Map::new();
        put_opt(&mut m, "firstName", &self.first_name);
        put_opt(&mut m, "lastName", &self.last_name);
        m.insert("channels".into(), Value::Array(self.channels.iter().map(Channel::to_json).collect()));
        m.insert("fields".into(), fields_json(&self.fields));
        m.insert("addressBookId".into(), json!(ADDRESS_BOOK_ID));
        m.insert("id".into(), json!(self.id));
        Value::Object(m)
    }

    /// `Contact`, the full shape of `GET contact/{id}` and `GET group/{id}/contacts`; `groups`
    /// are the static segments the contact is in.
    pub fn to_full_json(&self, groups: &[Value]) -> Value {
        let mut m = Map::new();
        put_opt(&mut m, "firstName", &self.first_name);
        put_opt(&mut m, "lastName", &self.last_name);
        m.insert("channels".into(), Value::Array(self.channels.iter().map(Channel::to_json).collect()));
        if let Some(a) = &self.address {
            let mut am = Map::new();
            put_opt(&mut am, "region", &a.region);
            put_opt(&mut am, "town", &a.town);
            put_opt(&mut am, "address", &a.address);
            put_opt(&mut am, "postcode", &a.postcode);
            m.insert("address".into(), Value::Object(am));
        }
        m.insert("fields".into(), fields_json(&self.fields));
        m.insert("addressBookId".into(), json!(ADDRESS_BOOK_ID));
        m.insert("id".into(), json!(self.id));
        put_opt(&mut m, "contactKey", &self.contact_key);
        put_opt(&mut m, "externalCustomerId", &self.external_customer_id);
        m.insert("groups".into(), Value::Array(groups.to_vec()));
        put_opt(&mut m, "languageCode", &self.language_code);
        put_opt(&mut m, "timeZone", &self.time_zone);
        Value::Object(m)
    }
}

impl Channel {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind));
        m.insert("value".into(), json!(self.value));
        if let Some(d) = &self.device {
            let mut dm = Map::new();
            put_opt(&mut dm, "appId", &d.app_id);
            put_opt(&mut dm, "deviceModel", &d.device_model);
            put_opt(&mut dm, "os", &d.os);
            put_opt(&mut dm, "locale", &d.locale);
            put_opt(&mut dm, "clientVersion", &d.client_version);
            put_opt(&mut dm, "appVersion", &d.app_version);
            if let Some(active) = d.active {
                dm.insert("active".into(), json!(active));
            }
            m.insert("device".into(), Value::Object(dm));
        }
        Value::Object(m)
    }
}

fn fields_json(fields: &[(i64, String)]) -> Value {
    Value::Array(fields.iter().map(|(id, value)| json!({"id": id, "value": value})).collect())
}

fn put_opt(m: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        m.insert(key.into(), json!(v));
    }
}

/// Segment kinds as Yespo names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    Static,
    Dynamic,
    Combined,
}

impl SegmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Static => "Static",
            SegmentKind::Dynamic => "Dynamic",
            SegmentKind::Combined => "Combined",
        }
    }
}

/// The condition of a dynamic segment (a tiny subset of Yespo's segment builder).
#[derive(Debug, Clone)]
pub enum Condition {
    HasChannel(&'static str),
    DeviceOs(&'static str),
    Language(&'static str),
    Subscribed(&'static str),
    FieldEquals(i64, &'static str),
    EmailDomain(&'static str),
}

impl Condition {
    pub fn matches(&self, c: &Contact) -> bool {
        match self {
            Condition::HasChannel(kind) => c.channel(kind).is_some(),
            Condition::DeviceOs(os) => {
                c.channels.iter().any(|ch| ch.device.as_ref().and_then(|d| d.os.as_deref()) == Some(*os))
            }
            Condition::Language(lang) => c.language_code.as_deref() == Some(*lang),
            Condition::Subscribed(key) => c.subscriptions.iter().any(|s| s == key),
            Condition::FieldEquals(id, value) => c.field(*id) == Some(*value),
            Condition::EmailDomain(domain) => c.channel("email").is_some_and(|e| e.ends_with(domain)),
        }
    }
}

#[derive(Debug, Clone)]
pub enum SegmentRule {
    /// Members are listed explicitly (attach/detach).
    Static(std::collections::BTreeSet<i64>),
    /// Every contact that matches.
    Dynamic(Condition),
    /// Contacts in all (`all = true`) or any of these segments.
    Combined { of: Vec<i64>, all: bool },
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub rule: SegmentRule,
}

impl Segment {
    pub fn kind(&self) -> SegmentKind {
        match self.rule {
            SegmentRule::Static(_) => SegmentKind::Static,
            SegmentRule::Dynamic(_) => SegmentKind::Dynamic,
            SegmentRule::Combined { .. } => SegmentKind::Combined,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "type": self.kind().as_str()})
    }
}

#[derive(Debug, Clone)]
pub struct EmailMessage {
    pub id: i64,
    pub name: String,
    pub from: String,
    pub subject: String,
    pub html: String,
    /// `rawHtml` when it was given (`POST messages/email`); else the answer repeats `html`.
    pub raw_html: Option<String>,
    pub amp_html: Option<String>,
    pub css: Option<String>,
    pub tags: Vec<String>,
    pub language: String,
    /// Other language versions (code, subject, html).
    pub translations: Vec<(String, String, String)>,
    pub subscription_keys: Vec<String>,
}

impl EmailMessage {
    /// `GET messages/email/{id}`, and each item of `GET messages/email` (the spec requires
    /// `htmlText` there too).
    pub fn to_full_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "languageCode": self.language,
            "tags": self.tags,
            "subscriptionsKeys": self.subscription_keys,
            "languages": self.languages(),
            "from": self.from,
            "subject": self.subject,
            "htmlText": self.html,
            "rawHtml": self.raw_html.as_ref().unwrap_or(&self.html),
            "translations": self.translations.iter().map(|(lang, subject, html)| json!({
                "id": self.id,
                "name": self.name,
                "languageCode": lang,
                "from": self.from,
                "subject": subject,
                "htmlText": html,
            })).collect::<Vec<_>>(),
        });
        if let Some(css) = &self.css {
            v["css"] = json!(css);
        }
        if let Some(amp) = &self.amp_html {
            v["ampHtml"] = json!(amp);
        }
        v
    }

    fn languages(&self) -> Vec<String> {
        std::iter::once(self.language.clone()).chain(self.translations.iter().map(|t| t.0.clone())).collect()
    }
}

#[derive(Debug, Clone)]
pub struct SmsMessage {
    pub id: i64,
    pub name: String,
    pub from: String,
    pub text: String,
    pub tags: Vec<String>,
    pub language: String,
    pub track_urls: bool,
}

impl SmsMessage {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "languageCode": self.language,
            "tags": self.tags,
            "subscriptionsKeys": [],
            "languages": [self.language],
            "from": self.from,
            "text": self.text,
            "trackUrls": self.track_urls,
            "translations": [],
        })
    }
}

/// A mobile push message template (`BaseMobilePushMessage`).
#[derive(Debug, Clone, Default)]
pub struct MobilePushMessage {
    pub id: i64,
    pub name: String,
    pub language: String,
    pub tags: Vec<String>,
    pub subscription_keys: Vec<String>,
    pub content: PushContent,
    /// Other language versions (code, content).
    pub translations: Vec<(String, PushContent)>,
}

/// What a push shows, per language version.
#[derive(Debug, Clone, Default)]
pub struct PushContent {
    pub title: String,
    /// Shown on iOS only.
    pub subtitle: Option<String>,
    pub text: String,
    /// A web link or a deep link into the app (`demostore://...`).
    pub link: Option<String>,
    pub image_source: Option<String>,
    /// A carousel: up to 10 image URLs.
    pub images: Vec<String>,
    /// A JSON object, as a string.
    pub custom_data: Option<String>,
    pub ttl_sec: Option<i64>,
    pub buttons: Vec<PushButton>,
    pub sound_enabled: bool,
    pub badge_count: Option<i64>,
}

/// `MobilePushButton`.
#[derive(Debug, Clone, Default)]
pub struct PushButton {
    pub action_id: String,
    pub label: String,
    pub link: Option<String>,
    pub custom_data: Option<String>,
}

impl MobilePushMessage {
    /// `GET messages/mobilepush/{id}`, and each item of `GET messages/mobilepush`.
    pub fn to_json(&self) -> Value {
        let mut m = self.version_json(&self.language, &self.content);
        let languages: Vec<&str> =
            std::iter::once(self.language.as_str()).chain(self.translations.iter().map(|t| t.0.as_str())).collect();
        m.insert("languages".into(), json!(languages));
        let translations = self.translations.iter().map(|(lang, c)| Value::Object(self.version_json(lang, c)));
        m.insert("translations".into(), Value::Array(translations.collect()));
        Value::Object(m)
    }

    /// One language version: the base message's fields, or a `MobilePushMessage` translation.
    fn version_json(&self, language: &str, c: &PushContent) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("name".into(), json!(self.name));
        m.insert("languageCode".into(), json!(language));
        m.insert("tags".into(), json!(self.tags));
        m.insert("subscriptionsKeys".into(), json!(self.subscription_keys));
        m.insert("title".into(), json!(c.title));
        put_opt(&mut m, "subtitle", &c.subtitle);
        m.insert("text".into(), json!(c.text));
        put_opt(&mut m, "link", &c.link);
        put_opt(&mut m, "imageSource", &c.image_source);
        put_opt(&mut m, "customData", &c.custom_data);
        if let Some(ttl) = c.ttl_sec {
            m.insert("ttlSec".into(), json!(ttl));
        }
        let buttons = c.buttons.iter().map(|b| {
            let mut bm = Map::new();
            bm.insert("actionId".into(), json!(b.action_id));
            bm.insert("label".into(), json!(b.label));
            put_opt(&mut bm, "link", &b.link);
            put_opt(&mut bm, "customData", &b.custom_data);
            Value::Object(bm)
        });
        m.insert("buttons".into(), Value::Array(buttons.collect()));
        m.insert("soundEnabled".into(), json!(c.sound_enabled));
        if let Some(badge) = c.badge_count {
            m.insert("badgeCount".into(), json!(badge));
        }
        m.insert("images".into(), json!(c.images));
        m
    }
}

/// A subscription category (`GET subscriptions`).
#[derive(Debug, Clone)]
pub struct SubscriptionCategory {
    pub id: i64,
    pub key: &'static str,
    pub name: &'static str,
    pub group_id: i64,
}

/// A custom field of the address book.
#[derive(Debug, Clone)]
pub struct CustomField {
    pub id: i64,
    pub name: &'static str,
    pub key: &'static str,
    /// `TEXTFIELD`, `DATE`, `COMBOBOX`, `NUMBER`...
    pub kind: &'static str,
    pub allowed: &'static [&'static str],
    pub group: &'static str,
}
