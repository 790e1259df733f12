//! What Yespo accepts in a contact's values: one place for the reader's validation and the
//! sandbox's checks, so the app never calls valid what the emulator (and Yespo) would refuse.
//!
//! Limits come from Yespo's docs and spec (yespo-api.md §3.1–3.2, §3.11); where Yespo documents
//! none, the number here is the emulator's and says so.

/// `firstName` and `lastName`: at most 40 characters (Yespo's docs).
pub const MAX_NAME_CHARS: usize = 40;
/// `device.deviceModel`: at most 50 characters (a published client's entity).
pub const MAX_DEVICE_MODEL_CHARS: usize = 50;
/// `externalCustomerId`: no documented limit; the sandbox refuses above 100.
pub const MAX_EXTERNAL_ID_CHARS: usize = 100;
/// A push token: FCM tokens are ~160 characters; the sandbox refuses above 4096.
pub const MAX_TOKEN_CHARS: usize = 4096;
/// An email address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Free-text values without a documented limit (locale, app version, custom field values).
pub const MAX_TEXT_CHARS: usize = 255;
/// A custom field used as the dedupe key (`dedupeOn: fieldId`).
pub const MAX_DEDUPE_FIELD_CHARS: usize = 50;
/// Yespo keeps at most two channels of one type per contact.
pub const MAX_CHANNELS_PER_TYPE: usize = 2;

/// Channel types of the spec's `Channel.type` enum.
pub const CHANNEL_TYPES: [&str; 8] = ["email", "sms", "viber", "mobilepush", "webpush", "appinbox", "widget", "inapp"];

/// `device.os` values a mobile-push device can have, in the spelling sent to Yespo.
pub const MOBILE_OS: [&str; 3] = ["Android", "iOS", "HarmonyOS"];

/// The spelling Yespo gets for an OS written any other way (`ios`, `IOS`, `iPadOS`, `huawei`).
pub fn canonical_os(os: &str) -> Option<&'static str> {
    let os = os.trim();
    let is = |name: &str| os.eq_ignore_ascii_case(name);
    if is("android") || is("amazon") || is("fireos") {
        Some("Android")
    } else if is("ios") || is("ipados") || is("iphone os") {
        Some("iOS")
    } else if is("harmonyos") || is("huawei") || is("hms") {
        Some("HarmonyOS")
    } else {
        None
    }
}

/// At most `max` characters (counted only when the bytes could exceed it: the pass checks
/// several values of every row).
pub fn chars_over(s: &str, max: usize) -> Option<usize> {
    if s.len() <= max {
        return None;
    }
    let n = s.chars().count();
    (n > max).then_some(n)
}

pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 64
        && s.len() <= MAX_EMAIL_CHARS
        && domain.len() >= 3
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s.bytes().any(|c| c.is_ascii_whitespace() || matches!(c, b',' | b';' | b'<' | b'>' | b'"'))
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

/// Digits only, 7 to 15 of them (E.164 without the plus); spaces, dashes and brackets dropped.
pub fn normalise_phone(s: &str) -> Option<String> {
    let body = s.trim();
    let body = body.strip_prefix('+').unwrap_or(body);
    let mut digits = String::with_capacity(body.len());
    for ch in body.chars() {
        match ch {
            '0'..='9' => digits.push(ch),
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return None,
        }
    }
    (7..=15).contains(&digits.len()).then_some(digits)
}

/// Whether [`normalise_phone`] would accept it, without building the digits.
pub fn valid_phone(s: &str) -> bool {
    let body = s.trim();
    let body = body.strip_prefix('+').unwrap_or(body);
    let mut digits = 0;
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b' ' | b'-' | b'(' | b')' | b'.' => {}
            _ => return false,
        }
    }
    (7..=15).contains(&digits)
}

pub fn looks_like_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A push token Yespo would refuse outright: empty, with spaces, or too long.
pub fn token_problem(token: &str) -> Option<&'static str> {
    if token.is_empty() {
        Some("the push token is empty")
    } else if token.len() > MAX_TOKEN_CHARS {
        Some("the push token is longer than 4096 characters")
    } else if token.bytes().any(|b| b.is_ascii_whitespace()) {
        Some("the push token has spaces in it")
    } else {
        None
    }
}

/// The shape of a push token, for the platform warning (not a rule Yespo enforces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenShape {
    /// 64 hex digits: an APNs device token (iOS).
    Apns,
    /// A long base64url string with a `:` (FCM registration token; Android, or iOS via FCM).
    Fcm,
    /// Something else (HMS tokens, test values, a column mapped wrongly).
    Other,
}

pub fn token_shape(token: &str) -> TokenShape {
    let b = token.as_bytes();
    if b.len() == 64 {
        return if b.iter().all(u8::is_ascii_hexdigit) { TokenShape::Apns } else { TokenShape::Other };
    }
    // An FCM token is `<instance id>:<base64url>`, the `:` within the first 40 characters; the
    // prefix is enough to tell (every row's token is checked).
    let head = &b[..b.len().min(48)];
    if b.len() >= 100
        && memchr::memchr(b':', &head[..head.len().min(40)]).is_some()
        && head.iter().all(|c| BASE64URL_OR_COLON[*c as usize])
    {
        return TokenShape::Fcm;
    }
    TokenShape::Other
}

/// The bytes of an FCM token: base64url and `:` (a table: every row's token is checked).
static BASE64URL_OR_COLON: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':';
        c += 1;
    }
    t
};

/// A token that does not fit the device's platform, as a sentence; `None` when it fits.
pub fn token_shape_warning(token: &str, os: Option<&str>) -> Option<String> {
    let shape = token_shape(token);
    match (shape, os) {
        (TokenShape::Apns, Some("Android")) => Some("an APNs (iOS) token on an Android device".into()),
        (TokenShape::Other, Some("Android" | "iOS")) | (TokenShape::Other, None) => {
            Some("the token looks neither like an FCM nor an APNs token".into())
        }
        _ => None,
    }
}

/// A value Excel has turned into a number in scientific notation (`8.9E+15`, `1,23457E+19`):
/// the digits are gone and cannot be recovered from the file.
pub fn looks_excel_mangled(s: &str) -> bool {
    let b = s.trim().as_bytes();
    // Excel shows at most 15 digits, so its scientific notation is short.
    if b.len() > 24 || b.is_empty() || !b[0].is_ascii_digit() {
        return false;
    }
    let Some(e) = b.iter().position(|c| *c == b'E' || *c == b'e') else { return false };
    let (mantissa, exp) = (&b[..e], &b[e + 1..]);
    let exp = exp.strip_prefix(b"+").unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa[0].is_ascii_digit()
        && mantissa.iter().all(|c| c.is_ascii_digit() || *c == b'.' || *c == b',')
        && mantissa.iter().filter(|c| !c.is_ascii_digit()).count() <= 1
        && !exp.is_empty()
        && exp.len() <= 3
        && exp.iter().all(u8::is_ascii_digit)
}

/// The date formats Yespo accepts in date fields.
pub fn valid_date(s: &str) -> bool {
    let parts = |sep: char| -> Option<Vec<u32>> { s.split(sep).map(|p| p.parse().ok()).collect() };
    let ok = |y: u32, m: u32, d: u32| (1..=12).contains(&m) && (1..=31).contains(&d) && y > 0;
    if s.len() == 10 && s.as_bytes()[4] == b'-' {
        return parts('-').is_some_and(|p| p.len() == 3 && ok(p[0], p[1], p[2]));
    }
    if s.contains('/') {
        return parts('/').is_some_and(|p| p.len() == 3 && s.len() == 10 && ok(p[2], p[1], p[0]));
    }
    if s.contains('.') {
        return parts('.').is_some_and(|p| p.len() == 3 && (s.len() == 8 || s.len() == 10) && ok(p[2], p[1], p[0]));
    }
    false
}

/// `eventKeyForNewContacts`: at most 100 characters, none of `< ; ’ \ / | " ` ' ^ ? ! , >`.
pub fn valid_event_key(key: &str) -> bool {
    key.chars().count() <= 100 && !key.chars().any(|c| "<;’\\/|\"`'^?!,>".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_phones_and_ids() {
        assert!(valid_email("tgsh@gmail.com"));
        assert!(!valid_email("tgsh@gmail"));
        assert!(!valid_email("john@"));
        assert!(!valid_email("a b@x.com"));
        assert_eq!(normalise_phone("+38 (050) 123-45-67").as_deref(), Some("380501234567"));
        assert_eq!(normalise_phone("12345"), None);
        assert_eq!(normalise_phone("38050abc4567"), None);
        assert!(looks_like_uuid("83b77a49-fc28-409b-aeaa-68c9d544ab9d"));
        assert!(!looks_like_uuid("83b77a49fc28409baeaa68c9d544ab9d"));
    }

    #[test]
    fn token_shapes_and_excel_numbers() {
        let apns = "a".repeat(64);
        let fcm = format!("dXk3:APA91b{}", "x".repeat(140));
        assert_eq!(token_shape(&apns), TokenShape::Apns);
        assert_eq!(token_shape(&fcm), TokenShape::Fcm);
        assert!(token_shape_warning(&apns, Some("Android")).is_some());
        assert!(token_shape_warning(&apns, Some("iOS")).is_none());
        assert!(token_shape_warning(&fcm, Some("iOS")).is_none());
        assert!(token_shape_warning("8900-7654", Some("Android")).is_some());
        assert!(looks_excel_mangled("8.9E+15"));
        assert!(looks_excel_mangled("1,23457E+19"));
        assert!(!looks_excel_mangled("E15"));
        assert!(!looks_excel_mangled("83b77a49-fc28"));
        assert!(!looks_excel_mangled("1e5x"));
        assert_eq!(token_problem(""), Some("the push token is empty"));
        assert_eq!(canonical_os("IOS"), Some("iOS"));
        assert_eq!(canonical_os("Windows"), None);
    }
}
