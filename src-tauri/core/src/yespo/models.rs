//! Yespo's data, as typed Rust. Every field the OpenAPI spec has is here; unknown fields are
//! ignored, and every field that may be missing is an `Option` (or an empty list). Decoding is
//! lenient ([`super::lenient`]); encoding is canonical JSON.

use super::lenient;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET v1/version`, `GET v2/version`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub protocol_version: Option<String>,
}

/// `GET v1/account/info`. `orgId` is not in the spec but Yespo sends it (the Shopify app reads it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub user_email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub organisation_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub org_id: Option<i64>,
}

/// `GET v1/balance`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub current_balance: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub credit_limit: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub currency: Option<String>,
    /// Reserved balance by media type (`sms`, `viber`...) and sender.
    #[serde(default, deserialize_with = "lenient::map_of_lists")]
    pub senders_reserved_balances: BTreeMap<String, Vec<SenderBalance>>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub bonus_emails: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub bonus_smses: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SenderBalance {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub sender_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub balance: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub sender_name: Option<String>,
}

/// An item of `GET v1/subscriptions`, and (without counts and dates) of
/// `GET v1/contact/{id}/subscriptions`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionCategory {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub group_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub contacts_count: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub created_date: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub updated_date: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
}

/// `GET v1/addressbooks`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressBooks {
    #[serde(default, deserialize_with = "lenient::list")]
    pub address_book: Vec<AddressBook>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressBook {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub address_book_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub field_groups: Vec<FieldGroup>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldGroup {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub profile_key: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub fields: Vec<FieldInfo>,
}

/// A custom contact field (its `id` is what contacts' `fields[].id` refer to).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldInfo {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub field_key: Option<String>,
    #[serde(default)]
    pub description: Option<FieldDescription>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescription {
    /// `TEXTFIELD`, `DATE`, `COMBOBOX`... (the docs also show lower case: compare with
    /// [`FieldDescription::kind`]).
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    pub field_type: Option<String>,
    #[serde(default)]
    pub allowed_values: Option<AllowedValues>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub required: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub readonly: Option<bool>,
}

impl FieldDescription {
    /// The field type in upper case, whichever case Yespo sent.
    pub fn kind(&self) -> Option<String> {
        self.field_type.as_ref().map(|t| t.to_ascii_uppercase())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedValues {
    #[serde(default, deserialize_with = "lenient::list")]
    pub possible_values: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub min_value: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub max_value: Option<i64>,
}

/// A sender name (`GET v1/interfaces/email`) or alpha name (`GET v1/interfaces/sms`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Interface {
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub value: Option<String>,
}

/// A contact: the full `Contact` of `GET contact/{id}` and `GET group/{id}/contacts`, the reduced
/// `BaseContact` of `GET contacts` (fewer fields set), and the items of `POST contacts`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_i64")]
    pub id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub channels: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "lenient::list")]
    pub fields: Vec<ContactField>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_i64")]
    pub address_book_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub external_customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub contact_key: Option<String>,
    /// Static segments the contact is in ("used only when receiving contacts").
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "lenient::list")]
    pub groups: Vec<Group>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub language_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub time_zone: Option<String>,
}

impl Contact {
    /// The first channel value of a type (`email`, `sms`, `mobilepush`...).
    pub fn channel(&self, kind: &str) -> Option<&str> {
        self.channels.iter().find(|c| c.kind.as_deref() == Some(kind)).and_then(|c| c.value.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    /// `email`, `sms`, `viber`, `mobilepush`, `webpush`, `appinbox`, `widget`, `inapp`.
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_push_subscription: Option<WebPushSubscription>,
}

/// The device of a `mobilepush` channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub device_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub locale: Option<String>,
    /// `native` or `esputnik-1`.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub client_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub app_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
}

/// The subscription of a `webpush` channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct WebPushSubscription {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_i64")]
    pub app_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub user_agent_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub user_agent_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub subscription_page: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub sw_active_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub town: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub postcode: Option<String>,
}

/// A custom field value; `id` comes from [`AddressBooks`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct ContactField {
    #[serde(deserialize_with = "lenient::i64")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub value: Option<String>,
}

/// A segment (`GroupDto`); `kind` is `Static`, `Dynamic` or `Combined`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Group {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    pub kind: Option<String>,
}

/// `GET v1/contacts/email`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContactEmails {
    #[serde(default, deserialize_with = "lenient::list")]
    pub results: Vec<ContactEmail>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactEmail {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub contact_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub email: Option<String>,
}

/// The standard fields `contactFields` of a bulk update may name (the spec's enum).
pub const CONTACT_FIELD_NAMES: [&str; 15] = [
    "firstName",
    "lastName",
    "contactKey",
    "ordersInfo",
    "languageCode",
    "timeZone",
    "email",
    "sms",
    "mobilepush",
    "webpush",
    "address",
    "town",
    "region",
    "postcode",
    "externalCustomerId",
];

/// `dedupeOn` of a bulk update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DedupeOn {
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "sms")]
    Sms,
    /// Mobile push token (the value is `push`, not `mobilepush`).
    #[serde(rename = "push")]
    Push,
    #[serde(rename = "email_or_sms")]
    EmailOrSms,
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "externalCustomerId")]
    ExternalCustomerId,
    #[serde(rename = "fieldId")]
    FieldId,
}

/// The body of `POST v1/contacts` (at most [`super::MAX_CONTACTS_PER_REQUEST`] contacts).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactsBulkUpdate {
    pub contacts: Vec<Contact>,
    pub dedupe_on: DedupeOn,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_id: Option<i64>,
    /// Standard fields to update; `None` updates all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_fields: Option<Vec<String>>,
    #[serde(rename = "customFieldsIDs", skip_serializing_if = "Option::is_none")]
    pub custom_fields_ids: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_names: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_names_exclude: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_deleted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_key_for_new_contacts: Option<String>,
}

impl ContactsBulkUpdate {
    pub fn new(contacts: Vec<Contact>, dedupe_on: DedupeOn) -> Self {
        ContactsBulkUpdate {
            contacts,
            dedupe_on,
            field_id: None,
            contact_fields: None,
            custom_fields_ids: None,
            group_names: Vec::new(),
            group_names_exclude: Vec::new(),
            restore_deleted: None,
            event_key_for_new_contacts: None,
        }
    }
}

/// The answer of `POST v1/contacts`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactBulkUpdateResult {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub async_session_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub failed_contacts: Vec<FailedContact>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub error_message: Option<String>,
}

/// A contact Yespo refused, with why.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FailedContact {
    #[serde(flatten)]
    pub contact: Contact,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub error: Option<String>,
}

/// `GET v1/importstatus/{id}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImportSessionStatus {
    /// `STARTED`, `IMPORTING`, `FINISHED` or `ERROR`.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub status: Option<String>,
    /// The spec says `timestamp`; an older client knew it as `timestamps`.
    #[serde(default, alias = "timestamps", deserialize_with = "lenient::opt_string")]
    pub timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub mapping: Vec<DedupeMapping>,
}

impl ImportSessionStatus {
    /// FINISHED or ERROR: polling can stop.
    pub fn is_done(&self) -> bool {
        matches!(self.status.as_deref(), Some("FINISHED") | Some("ERROR"))
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DedupeMapping {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub dedupe_value: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub contact_id: Option<i64>,
}

/// What every message template has, whatever the channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageBase {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub language_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub subscriptions_keys: Vec<String>,
    /// Language codes of a multilingual message (reads only).
    #[serde(default, deserialize_with = "lenient::list")]
    pub languages: Vec<String>,
    /// Email: `"Name" <address>`; SMS: the alpha name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub from: Option<String>,
}

/// An email message (`BaseEmailMessage`, and `EmailMessage` for its translations).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailMessage {
    #[serde(flatten)]
    pub base: MessageBase,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub subject: Option<String>,
    /// Untrusted HTML: never render it unsanitised.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub html_text: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub raw_html: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub amp_html: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub css: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub translations: Vec<EmailMessage>,
}

/// An SMS message (`BaseSmsMessage`, and `SmsMessage` for its translations).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsMessage {
    #[serde(flatten)]
    pub base: MessageBase,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub track_urls: Option<bool>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub translations: Vec<SmsMessage>,
}

/// `GET v1/messages/email/{id}/viewLink`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ViewLink {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub link: Option<String>,
}

/// `{"id": …}` answers (`POST v1/contact`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IdResult {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub id: Option<i64>,
}

/// A mobile push message (`BaseMobilePushMessage`, and `MobilePushMessage` for its translations).
/// `base.from` is always empty: a push has no sender.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MobilePushMessage {
    #[serde(flatten)]
    pub base: MessageBase,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub title: Option<String>,
    /// Shown on iOS only.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub subtitle: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub text: Option<String>,
    /// A web link (opens in the browser) or a deep link into the app.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub link: Option<String>,
    /// The URL of the message's one image.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub image_source: Option<String>,
    /// Extra parameters for the app: a JSON object as a string.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub custom_data: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub ttl_sec: Option<i64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub buttons: Vec<MobilePushButton>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub sound_enabled: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub badge_count: Option<i64>,
    /// A carousel's image URLs (up to 10).
    #[serde(default, deserialize_with = "lenient::list")]
    pub images: Vec<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub translations: Vec<MobilePushMessage>,
}

/// A button of a mobile push message (`MobilePushButton`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MobilePushButton {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub action_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub label: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub ios_icon_path: Option<String>,
    /// A URL or a deep link.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub link: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub custom_data: Option<String>,
}

/// The body of `POST v1/messages/email` (`BaseEmailMessage` as written: `from`, `htmlText`,
/// `name` and `subject` are required).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEmailMessage {
    pub name: String,
    /// `"Name" <address>`.
    pub from: String,
    pub subject: String,
    pub html_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subscriptions_keys: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amp_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub css: Option<String>,
}
