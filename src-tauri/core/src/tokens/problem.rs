//! What can be wrong with a row: a closed set of reasons, each invalid (the row is not sent) or a
//! warning (sent, but shown), with a sentence a marketer can act on.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row will not be sent.
    Invalid,
    /// The row is sent; the user should look at it.
    Warning,
}

/// The reasons, as stable codes for counts, filters and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // Invalid.
    /// The row could not be read: broken JSON, wrong types, not text in the file's encoding.
    Unreadable,
    NoChannel,
    NoDedupeKey,
    EmptyToken,
    BadToken,
    BadAppId,
    BadEmail,
    BadPhone,
    TooLong,
    TooManyChannels,
    SameChannelTwice,
    UnknownChannelType,
    UnknownField,
    BadFieldValue,
    BadOs,
    BadClientVersion,
    /// A provider's row that is not a mobile-push device (OneSignal web push, email, SMS).
    NotMobilePush,
    /// A device the provider marked unsubscribed, skipped by the user's choice.
    Unsubscribed,
    // Warnings.
    TokenShape,
    ExcelNumber,
    SharedToken,
    MissingDeviceFields,
    /// A push token without a Yespo app id: the upload waits until one is given.
    NoAppId,
    /// More push tokens than Yespo keeps per contact (Braze lists); the rest are not sent.
    ExtraTokens,
}

impl Reason {
    pub fn severity(self) -> Severity {
        use Reason::*;
        match self {
            TokenShape | ExcelNumber | SharedToken | MissingDeviceFields | NoAppId | ExtraTokens => Severity::Warning,
            _ => Severity::Invalid,
        }
    }

    /// The code as written in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        use Reason::*;
        match self {
            Unreadable => "unreadable",
            NoChannel => "no_channel",
            NoDedupeKey => "no_dedupe_key",
            EmptyToken => "empty_token",
            BadToken => "bad_token",
            BadAppId => "bad_app_id",
            BadEmail => "bad_email",
            BadPhone => "bad_phone",
            TooLong => "too_long",
            TooManyChannels => "too_many_channels",
            SameChannelTwice => "same_channel_twice",
            UnknownChannelType => "unknown_channel_type",
            UnknownField => "unknown_field",
            BadFieldValue => "bad_field_value",
            BadOs => "bad_os",
            BadClientVersion => "bad_client_version",
            NotMobilePush => "not_mobile_push",
            Unsubscribed => "unsubscribed",
            TokenShape => "token_shape",
            ExcelNumber => "excel_number",
            SharedToken => "shared_token",
            MissingDeviceFields => "missing_device_fields",
            NoAppId => "no_app_id",
            ExtraTokens => "extra_tokens",
        }
    }

    pub const ALL: [Reason; 24] = {
        use Reason::*;
        [
            Unreadable,
            NoChannel,
            NoDedupeKey,
            EmptyToken,
            BadToken,
            BadAppId,
            BadEmail,
            BadPhone,
            TooLong,
            TooManyChannels,
            SameChannelTwice,
            UnknownChannelType,
            UnknownField,
            BadFieldValue,
            BadOs,
            BadClientVersion,
            NotMobilePush,
            Unsubscribed,
            TokenShape,
            ExcelNumber,
            SharedToken,
            MissingDeviceFields,
            NoAppId,
            ExtraTokens,
        ]
    };

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// One problem of one row: the reason, where (a field or column name), and the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub reason: Reason,
    pub severity: Severity,
    /// The contact field (`device.appId`) or the file's column the problem is in, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

/// Where the checks put what they find. The full pass only counts (`ReasonSet`); the preview,
/// the report and the problem export collect sentences (`Vec<Problem>`), built only then.
pub trait ProblemSink {
    fn add(&mut self, reason: Reason, field: &str, message: impl FnOnce() -> String);
}

/// The bits of the warning reasons (kept in step with [`Reason::severity`] by a test).
const WARNING_MASK: u32 = {
    use Reason::*;
    (1 << TokenShape as u32)
        | (1 << ExcelNumber as u32)
        | (1 << SharedToken as u32)
        | (1 << MissingDeviceFields as u32)
        | (1 << NoAppId as u32)
        | (1 << ExtraTokens as u32)
};

/// The reasons of one row as bits: what the full pass keeps per row, without any text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReasonSet(u32);

impl ReasonSet {
    pub fn insert(&mut self, reason: Reason) {
        self.0 |= reason.bit();
    }
    pub fn contains(self, reason: Reason) -> bool {
        self.0 & reason.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn invalid(self) -> bool {
        self.0 & !WARNING_MASK != 0
    }
    pub fn warning(self) -> bool {
        self.0 & WARNING_MASK != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        Reason::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

impl ProblemSink for ReasonSet {
    fn add(&mut self, reason: Reason, _field: &str, _message: impl FnOnce() -> String) {
        self.insert(reason);
    }
}

impl ProblemSink for Vec<Problem> {
    fn add(&mut self, reason: Reason, field: &str, message: impl FnOnce() -> String) {
        self.push(Problem {
            reason,
            severity: reason.severity(),
            field: (!field.is_empty()).then(|| field.to_string()),
            message: message(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_mask_matches_the_severities() {
        for reason in Reason::ALL {
            let mut set = ReasonSet::default();
            set.insert(reason);
            assert_eq!(set.warning(), reason.severity() == Severity::Warning, "{reason:?}");
            assert_eq!(set.invalid(), reason.severity() == Severity::Invalid, "{reason:?}");
        }
    }
}
