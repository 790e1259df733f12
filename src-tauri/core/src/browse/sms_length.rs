//! How long an SMS is: its encoding, its length in the units that encoding counts, and the parts
//! it is sent in.
//!
//! 3GPP TS 23.038 §6.2.1: a text is sent in the GSM 7-bit default alphabet when every character
//! is in its basic table (one septet) or its extension table (two: the escape, then the
//! character); otherwise in UCS-2, counted here as UTF-16 code units (what phones send, so an
//! emoji is two). One part holds 160 septets or 70 units; a longer text is sent in parts of 153 or
//! 67, the rest of each part being the concatenation header (3GPP TS 23.040 §9.2.3.24.1). A part
//! never ends inside an escape pair or a surrogate pair: that character starts the next part.
//!
//! National language shift tables (TS 23.038 §6.2.1.2.4, e.g. Turkish) are not used: not every
//! sender and phone supports them, so a text that needs one is counted as UCS-2.
//!
//! The empty text is one part of 0 units, as phones show it.

use serde::Serialize;

/// The GSM 7-bit default alphabet, by code (0x00–0x7F). 0x1B is the escape to the extension
/// table, not a character of its own.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The default alphabet's extension table: form feed ^ { } \ [ ~ ] | €.
const EXTENSION: &str = "\u{0C}^{}\\[~]|€";

const ESCAPE: char = '\u{1B}';

/// How the text is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SmsEncoding {
    /// GSM 7-bit default alphabet (with its extension table).
    Gsm7,
    /// UCS-2 (UTF-16 code units).
    Ucs2,
}

/// How long a text is as an SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets for GSM-7 (an extension-table character is two), UTF-16 code units for UCS-2.
    pub units: u32,
    /// Parts the text is sent in (1 for the empty text).
    pub parts: u32,
    /// Units one part holds: 160 or 70 for a one-part text, 153 or 67 for each part of a longer one.
    pub per_part: u32,
    /// Units still free in the last part.
    pub left_in_part: u32,
}

/// The encoding, length and parts of `text` as an SMS.
pub fn sms_length(text: &str) -> SmsLength {
    let (encoding, width): (SmsEncoding, fn(char) -> u32) = if text.chars().all(|c| gsm7_septets(c).is_some()) {
        (SmsEncoding::Gsm7, |c| gsm7_septets(c).unwrap_or(2))
    } else {
        (SmsEncoding::Ucs2, |c| c.len_utf16() as u32)
    };
    let (single, multi) = match encoding {
        SmsEncoding::Gsm7 => (160, 153),
        SmsEncoding::Ucs2 => (70, 67),
    };
    let units = text.chars().map(width).fold(0u32, u32::saturating_add);
    if units <= single {
        return SmsLength { encoding, units, parts: 1, per_part: single, left_in_part: single - units };
    }
    let mut parts = 1u32;
    let mut filled = 0;
    for w in text.chars().map(width) {
        if filled + w > multi {
            parts += 1;
            filled = 0;
        }
        filled += w;
    }
    SmsLength { encoding, units, parts, per_part: multi, left_in_part: multi - filled }
}

/// Septets `c` takes in the GSM 7-bit default alphabet, if it is in it.
fn gsm7_septets(c: char) -> Option<u32> {
    if c != ESCAPE && BASIC.contains(c) {
        Some(1)
    } else if EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn length(encoding: SmsEncoding, units: u32, parts: u32, per_part: u32, left_in_part: u32) -> SmsLength {
        SmsLength { encoding, units, parts, per_part, left_in_part }
    }

    #[test]
    fn the_basic_table_has_its_128_codes_in_order() {
        let codes: Vec<char> = BASIC.chars().collect();
        assert_eq!(codes.len(), 128);
        assert_eq!(
            [codes[0x00], codes[0x0A], codes[0x1B], codes[0x24], codes[0x40], codes[0x5F], codes[0x60], codes[0x7F]],
            ['@', '\n', ESCAPE, '¤', '¡', '§', '¿', 'à']
        );
        assert_eq!(EXTENSION.chars().count(), 10);
    }

    #[test]
    fn an_empty_text_is_one_empty_part() {
        assert_eq!(sms_length(""), length(SmsEncoding::Gsm7, 0, 1, 160, 160));
    }

    #[test]
    fn gsm_160_chars_are_one_part() {
        assert_eq!(sms_length(&"a".repeat(160)), length(SmsEncoding::Gsm7, 160, 1, 160, 0));
    }

    #[test]
    fn gsm_161_chars_are_two_parts_of_153() {
        assert_eq!(sms_length(&"a".repeat(161)), length(SmsEncoding::Gsm7, 161, 2, 153, 145));
        assert_eq!(sms_length(&"a".repeat(306)), length(SmsEncoding::Gsm7, 306, 2, 153, 0));
        assert_eq!(sms_length(&"a".repeat(307)).parts, 3);
    }

    #[test]
    fn extension_characters_count_two() {
        assert_eq!(sms_length("€"), length(SmsEncoding::Gsm7, 2, 1, 160, 158));
        assert_eq!(sms_length("^{}\\[~]|\u{0C}").units, 18);
        let with_euro = format!("{}€", "a".repeat(159));
        assert_eq!(sms_length(&with_euro), length(SmsEncoding::Gsm7, 161, 2, 153, 145));
    }

    #[test]
    fn an_extension_pair_is_not_split_across_parts() {
        // 152 septets, then € (2) would end the first part at 154: it starts the second instead.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        assert_eq!(sms_length(&text), length(SmsEncoding::Gsm7, 164, 2, 153, 141));
    }

    #[test]
    fn greek_capitals_and_accents_of_the_table_stay_gsm() {
        assert_eq!(sms_length("ΔΦΓΛΩΠΨΣΘΞ ÄÖÑÜäöñüàèéùìòÇßÆæØøÅå£¥§¿¡").encoding, SmsEncoding::Gsm7);
        // The table has a capital C cedilla only (TS 23.038 0x09); a small one needs UCS-2.
        assert_eq!(sms_length("ç").encoding, SmsEncoding::Ucs2);
        // The escape code on its own is not a character that can be sent.
        assert_eq!(sms_length("\u{1B}").encoding, SmsEncoding::Ucs2);
    }

    #[test]
    fn one_emoji_makes_it_ucs2() {
        assert_eq!(sms_length("Hello 👋"), length(SmsEncoding::Ucs2, 8, 1, 70, 62));
    }

    #[test]
    fn ucs2_70_units_are_one_part_and_71_are_two() {
        assert_eq!(sms_length(&"ж".repeat(70)), length(SmsEncoding::Ucs2, 70, 1, 70, 0));
        assert_eq!(sms_length(&"ж".repeat(71)), length(SmsEncoding::Ucs2, 71, 2, 67, 63));
    }

    #[test]
    fn a_surrogate_pair_is_not_split_across_parts() {
        // 66 units, then 👋 (2) would end the first part at 68: it starts the second instead.
        let text = format!("{}👋{}", "ж".repeat(66), "ж".repeat(5));
        assert_eq!(sms_length(&text), length(SmsEncoding::Ucs2, 73, 2, 67, 60));
    }

    #[test]
    fn a_cyrillic_text_is_ucs2() {
        let text = "Привіт! Ваше замовлення №123 готове до видачі.";
        let units = text.encode_utf16().count() as u32;
        assert_eq!(sms_length(text), length(SmsEncoding::Ucs2, units, 1, 70, 70 - units));
    }

    #[test]
    fn serialises_in_camel_case() {
        assert_eq!(
            serde_json::to_value(sms_length("€")).unwrap(),
            json!({"encoding": "gsm7", "units": 2, "parts": 1, "perPart": 160, "leftInPart": 158})
        );
        assert_eq!(serde_json::to_value(SmsEncoding::Ucs2).unwrap(), json!("ucs2"));
    }
}
