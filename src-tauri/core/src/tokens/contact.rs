//! A contact as read from a row, before and after its checks: borrowed text where the row allows
//! it (the full pass allocates little), turned into the API's [`Contact`] only for sending.
//!
//! Native rows (Yespo's own contact objects) deserialize straight into it, leniently in the ways
//! Yespo's own examples are lenient: ids and values as strings or numbers, one object where a
//! list is expected.

use crate::yespo::models::{Address, Channel, Contact, ContactField, Device, WebPushSubscription};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

type Text<'a> = Option<Cow<'a, str>>;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft<'a> {
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<i64>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub first_name: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub last_name: Text<'a>,
    #[serde(borrow, default, deserialize_with = "one_or_many")]
    pub channels: Vec<ChannelDraft<'a>>,
    #[serde(borrow, default)]
    pub address: Option<AddressDraft<'a>>,
    #[serde(borrow, default, deserialize_with = "one_or_many")]
    pub fields: Vec<FieldDraft<'a>>,
    #[serde(default, deserialize_with = "opt_id")]
    pub address_book_id: Option<i64>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub external_customer_id: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub contact_key: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub language_code: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub time_zone: Text<'a>,
    /// A provider's row that is not sent on purpose (a web-push or unsubscribed device): its
    /// reason is already given, the other rules are not applied.
    #[serde(skip)]
    pub skipped: bool,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelDraft<'a> {
    #[serde(rename = "type", borrow, default, deserialize_with = "text")]
    pub kind: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub value: Text<'a>,
    #[serde(borrow, default)]
    pub device: Option<DeviceDraft<'a>>,
    #[serde(borrow, default)]
    pub web_push_subscription: Option<&'a serde_json::value::RawValue>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDraft<'a> {
    #[serde(borrow, default, deserialize_with = "text")]
    pub app_id: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub device_model: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub os: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub locale: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub client_version: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub app_version: Text<'a>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub active: Option<bool>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct AddressDraft<'a> {
    #[serde(borrow, default, deserialize_with = "text")]
    pub region: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub town: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub address: Text<'a>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub postcode: Text<'a>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct FieldDraft<'a> {
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<i64>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub value: Text<'a>,
}

impl<'a> Draft<'a> {
    /// The channels of one type.
    /// The first value of a channel type.
    pub fn channel(&self, kind: &str) -> Option<&str> {
        self.channels.iter().filter(|c| c.kind.as_deref() == Some(kind)).find_map(|c| c.value.as_deref())
    }

    /// The contact to send: values trimmed, phones in digits, OS names in Yespo's spelling.
    pub fn to_contact(&self) -> Contact {
        let s = |t: &Text<'_>| t.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        Contact {
            id: self.id,
            first_name: s(&self.first_name),
            last_name: s(&self.last_name),
            channels: self
                .channels
                .iter()
                .map(|c| {
                    let kind = c.kind.as_deref().unwrap_or_default().trim().to_string();
                    let raw = c.value.as_deref().unwrap_or_default().trim();
                    let value = match kind.as_str() {
                        "sms" | "viber" => super::rules::normalise_phone(raw).unwrap_or_else(|| raw.to_string()),
                        _ => raw.to_string(),
                    };
                    Channel {
                        device: c.device.as_ref().filter(|_| kind == "mobilepush").map(|d| Device {
                            app_id: s(&d.app_id),
                            device_model: s(&d.device_model),
                            os: d.os.as_deref().map(|os| super::rules::canonical_os(os).unwrap_or(os).to_string()),
                            locale: s(&d.locale),
                            client_version: s(&d.client_version),
                            app_version: s(&d.app_version),
                            active: d.active,
                        }),
                        web_push_subscription: c
                            .web_push_subscription
                            .and_then(|raw| serde_json::from_str::<WebPushSubscription>(raw.get()).ok()),
                        kind: Some(kind),
                        value: Some(value),
                    }
                })
                .collect(),
            address: self.address.as_ref().map(|a| Address {
                region: s(&a.region),
                town: s(&a.town),
                address: s(&a.address),
                postcode: s(&a.postcode),
            }),
            fields: self
                .fields
                .iter()
                .filter_map(|f| Some(ContactField { id: f.id?, value: f.value.as_deref().map(str::to_string) }))
                .collect(),
            address_book_id: self.address_book_id,
            external_customer_id: s(&self.external_customer_id),
            contact_key: s(&self.contact_key),
            groups: Vec::new(),
            language_code: s(&self.language_code),
            time_zone: s(&self.time_zone),
        }
    }
}

/// Text from a string, a number or a boolean (Yespo's docs send numbers as strings and back).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    struct TextVisitor;
    impl<'de> Visitor<'de> for TextVisitor {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("text")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // A whole number beyond 2^53 has already lost digits in the parser: refuse it rather
            // than send another id or token than the file holds.
            if v.fract() == 0.0 && v.abs() >= 9_007_199_254_740_992.0 {
                return Err(E::custom(format!(
                    "the number {v} is too long to keep every digit: write it in quotes, as text"
                )));
            }
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(if v { "true" } else { "false" })))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(TextVisitor)
}

/// An id as a number or a string of digits.
fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match text(d)? {
        None => Ok(None),
        Some(t) if t.trim().is_empty() => Ok(None),
        Some(t) => t.trim().parse().map(Some).map_err(|_| de::Error::custom(format!("'{t}' is not a whole number"))),
    }
}

fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match text(d)? {
        None => Ok(None),
        Some(t) => match t.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(de::Error::custom(format!("'{t}' is not true or false"))),
        },
    }
}

/// A list, or one object where Yespo's JAXB past put a bare object for a one-item list.
fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ListVisitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(4).min(16));
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            Ok(vec![T::deserialize(de::value::MapAccessDeserializer::new(map))?])
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(ListVisitor(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_contact_reads_borrowed_and_leniently() {
        let json = r#"{"firstName":"John","channels":[{"type":"mobilepush","value":"8900-7654","device":{"appId":"83b77a49-fc28-409b-aeaa-68c9d544ab9d","os":"android","active":"true"}},{"type":"email","value":"tgsh@gmail.com"}],"externalCustomerId":"6add","fields":[{"id":"12345","value":"writer"},{"id":12346,"value":1814}],"unknown":{"x":1}}"#;
        let d: Draft<'_> = serde_json::from_str(json).unwrap();
        assert!(matches!(d.first_name, Some(Cow::Borrowed("John"))));
        assert_eq!(d.channel("email"), Some("tgsh@gmail.com"));
        assert_eq!(d.fields[0].id, Some(12345));
        assert_eq!(d.fields[1].value.as_deref(), Some("1814"));
        let c = d.to_contact();
        assert_eq!(c.channels[0].device.as_ref().unwrap().os.as_deref(), Some("Android"));
        assert_eq!(c.channels[0].device.as_ref().unwrap().active, Some(true));
        let one: Draft<'_> =
            serde_json::from_str(r#"{"channels":{"type":"sms","value":"+380 50 123 45 67"}}"#).unwrap();
        assert_eq!(one.to_contact().channels[0].value.as_deref(), Some("380501234567"));
        assert!(serde_json::from_str::<Draft<'_>>(r#"{"channels":"x"}"#).is_err());
    }
}
