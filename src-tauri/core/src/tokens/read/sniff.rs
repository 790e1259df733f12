//! What a file is, from its first bytes: never from its name.
//!
//! Order: binary signatures (Excel, images, archives), then the text encoding (BOM, UTF-16
//! without BOM, valid UTF-8, else `chardetng`'s guess), then the format (JSON shapes by their first
//! structure, else CSV) and, for CSV, the delimiter (Excel's `sep=` line, else the candidate that
//! splits the sample's lines into the most consistent number of fields).

use super::{Format, ReadError};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// How much of the file the sniffers look at.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// Delimiters tried, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// What the raw bytes say before any decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Text,
    Xlsx,
}

/// Recognises files that are not text, and says what to do with the ones people drop by mistake.
pub fn container(sample: &[u8]) -> Result<Container, ReadError> {
    let starts = |magic: &[u8]| sample.starts_with(magic);
    if sample.is_empty() {
        return Err(ReadError::unusable("the file is empty"));
    }
    if starts(b"PK\x03\x04") {
        return Ok(Container::Xlsx);
    }
    let refuse = |what: &str| Err(ReadError::unusable(format!("this is {what}, not a token file")));
    if starts(b"\x89PNG\r\n\x1a\n") {
        return refuse("a PNG image");
    }
    if starts(b"\xff\xd8\xff") {
        return refuse("a JPEG image");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return refuse("a GIF image");
    }
    if starts(b"%PDF") {
        return refuse("a PDF document");
    }
    if starts(b"\x1f\x8b") {
        return Err(ReadError::unusable(
            "this file is gzip-compressed (OneSignal's CSV export comes as .csv.gz): unpack it first, then drop the .csv",
        ));
    }
    if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Err(ReadError::unusable(
            "this is an Excel 97–2003 workbook (.xls): open it in Excel and save it as .xlsx or as CSV UTF-8",
        ));
    }
    Ok(Container::Text)
}

/// The text encoding: the BOM's, or the user's, or a guess. Returns it with the BOM's length.
pub fn encoding(sample: &[u8]) -> (&'static Encoding, usize) {
    if let Some((enc, bom)) = Encoding::for_bom(sample) {
        return (enc, bom);
    }
    if let Some(enc) = utf16_without_bom(sample) {
        return (enc, 0);
    }
    if valid_utf8_prefix(sample) || mostly_utf8(sample) {
        return (UTF_8, 0);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, false);
    (detector.guess(None, chardetng::Utf8Detection::Allow), 0)
}

/// UTF-16 text without a BOM shows as a NUL in every other byte of ASCII text.
fn utf16_without_bom(sample: &[u8]) -> Option<&'static Encoding> {
    let pairs = sample.len() / 2;
    if pairs < 4 {
        return None;
    }
    let even = sample.iter().step_by(2).take(pairs).filter(|b| **b == 0).count();
    let odd = sample.iter().skip(1).step_by(2).take(pairs).filter(|b| **b == 0).count();
    if odd * 10 >= pairs * 7 && even == 0 {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 7 && odd == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Valid UTF-8, allowing a character cut off at the end of the sample.
fn valid_utf8_prefix(sample: &[u8]) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && sample.len() - e.valid_up_to() < 4,
    }
}

/// UTF-8 text with a stray bad byte or two (a hand-edited file): read as UTF-8, so the bad bytes
/// make their rows unreadable instead of every name being garbled by a legacy-code-page guess.
fn mostly_utf8(sample: &[u8]) -> bool {
    let (mut valid_multibyte, mut invalid, mut rest) = (0usize, 0usize, sample);
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                valid_multibyte += text.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                valid_multibyte += std::str::from_utf8(good).map_or(0, |t| t.chars().filter(|c| !c.is_ascii()).count());
                match e.error_len() {
                    Some(n) => {
                        invalid += 1;
                        rest = &bad[n..];
                    }
                    None => break,
                }
            }
        }
    }
    valid_multibyte >= 4 && invalid * 10 <= valid_multibyte
}

/// Text with NULs or many control characters is not a token file (an image renamed `.csv`).
pub fn looks_binary(text: &str) -> bool {
    let controls = text.chars().filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\x0c')).count();
    text.contains('\0') || controls * 100 > text.chars().count().max(1)
}

/// The format of decoded text (BOM and `sep=` line removed).
pub fn format(text: &str) -> Format {
    let t = text.trim_start();
    if t.starts_with('[') {
        Format::JsonArray
    } else if t.starts_with('{') {
        if has_top_level_contacts(t) {
            Format::YespoJson
        } else {
            Format::Ndjson
        }
    } else {
        Format::Csv
    }
}

/// Whether the first object has a `"contacts": [` at its top level.
fn has_top_level_contacts(t: &str) -> bool {
    let b = t.as_bytes();
    let (mut depth, mut i) = (0u32, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 && b.get(start..i) == Some(b"contacts") {
                    let rest = b.get(i + 1..).unwrap_or_default();
                    let rest = std::str::from_utf8(rest).unwrap_or_default().trim_start();
                    if let Some(after_colon) = rest.strip_prefix(':') {
                        if after_colon.trim_start().starts_with('[') {
                            return true;
                        }
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// Excel's `sep=;` first line: the delimiter and the line's length (with its line break).
pub fn excel_sep_line(text: &str) -> Option<(u8, usize)> {
    let rest = text.strip_prefix("sep=")?;
    let d = *rest.as_bytes().first()?;
    // Only a one-byte (ASCII) delimiter: anything else is not Excel's line (and `rest[1..]`
    // would cut a character in two).
    if !d.is_ascii() {
        return None;
    }
    let after = &rest[1..];
    let newline = if after.starts_with("\r\n") {
        2
    } else if after.starts_with('\n') {
        1
    } else {
        return None;
    };
    (d.is_ascii() && d != b'"' && d != b'\n').then_some((d, 4 + 1 + newline))
}

/// The delimiter that splits the sample's complete lines into the most consistent field count.
pub fn delimiter(text: &str) -> u8 {
    // Only whole records: drop what follows the last line break (the sample may end mid-line).
    let whole = match text.rfind('\n') {
        Some(i) if i + 1 < text.len() => &text[..=i],
        _ => text,
    };
    let mut best = (DELIMITERS[0], 0usize, 0usize);
    for d in DELIMITERS {
        let mut reader =
            csv::ReaderBuilder::new().delimiter(d).has_headers(false).flexible(true).from_reader(whole.as_bytes());
        let counts: Vec<usize> = reader.byte_records().take(50).filter_map(Result::ok).map(|r| r.len()).collect();
        let Some(&header) = counts.first() else { continue };
        if header < 2 {
            continue;
        }
        // Rows agreeing with the header's field count; ties go to more fields.
        let agree = counts.iter().filter(|c| **c == header).count();
        if (agree, header) > (best.1, best.2) {
            best = (d, agree, header);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_and_sep_lines() {
        assert_eq!(delimiter("a;b;c\n1;2,5;3\n4;5;6\n"), b';');
        assert_eq!(delimiter("a,b,c\n1,\"x;y\",3\n"), b',');
        assert_eq!(delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(delimiter("a|b|c\n1|2|3\n"), b'|');
        assert_eq!(delimiter("token\nabc\n"), b',');
        // Decimal commas inside a semicolon file do not win.
        assert_eq!(delimiter("id;amount\n1;2,50\n2;3,75\n"), b';');
        assert_eq!(excel_sep_line("sep=;\r\na;b\n"), Some((b';', 7)));
        assert_eq!(excel_sep_line("sep=,\nx"), Some((b',', 6)));
        assert_eq!(excel_sep_line("separator\n"), None);
        // Found by fuzzing: a non-ASCII character after `sep=` (it panicked on a char boundary).
        assert_eq!(excel_sep_line("sep=é\ntoken\n"), None);
        assert_eq!(excel_sep_line("sep=\u{fffd}"), None);
    }

    #[test]
    fn formats_from_the_first_structure() {
        assert_eq!(format("  [ {} ]"), Format::JsonArray);
        assert_eq!(format("{\"dedupeOn\": \"push\", \"contacts\": [ ]}"), Format::YespoJson);
        assert_eq!(format("{\"external_id\": \"1\", \"push_tokens\": [{\"contacts\": []}]}\n{}"), Format::Ndjson);
        assert_eq!(format("token,email\n"), Format::Csv);
    }

    #[test]
    fn encodings_and_binary_files() {
        assert_eq!(encoding(b"\xef\xbb\xbfa,b").0, UTF_8);
        assert_eq!(encoding(b"\xff\xfea\0,\0b\0"), (UTF_16LE, 2));
        assert_eq!(
            encoding("a,b\nc,d\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect::<Vec<_>>().as_slice()).0,
            UTF_16LE
        );
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251
            .encode("ім'я,прізвище,телефон\nОлена,Шевченко,380501234567\nІван,Петренко,380671112233\n");
        assert_eq!(encoding(&cp1251).0, encoding_rs::WINDOWS_1251);
        assert!(container(b"\x89PNG\r\n\x1a\n....").is_err());
        assert!(container(b"").is_err());
        assert_eq!(container(b"PK\x03\x04...").unwrap(), Container::Xlsx);
        assert!(looks_binary("a\0b"));
        assert!(!looks_binary("token,email\r\nabc,x@y.z\n"));
    }
}
