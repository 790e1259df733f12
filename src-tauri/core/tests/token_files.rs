//! The token-file reader end to end: small files written into a temporary folder, opened, sniffed,
//! validated and paged through the public API, with the outcomes a marketer would see (counts,
//! lines, reasons, what was detected).

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use yespo_core::tokens::map::{AccountField, Preset, Target, Unsubscribed};
use yespo_core::tokens::{
    preview, validate_file, Choices, Format, ReadError, ReadErrorKind, ReadOptions, Reason, RowFilter, RowView,
    Severity, TokenFile, Validation,
};
use yespo_core::yespo::DedupeOn;

/// A Yespo app id (a UUID), the seed's.
const APP: &str = "83b77a49-fc28-409b-aeaa-68c9d544ab9d";

/// An FCM-shaped token, distinct per `i` (no token-shape warning on Android or iOS).
fn fcm(i: usize) -> String {
    format!("f{i:07}:APA91b{}", "x".repeat(140))
}

/// An APNs device token (64 hex digits), distinct per `i`.
fn apns(i: usize) -> String {
    format!("{i:064x}")
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("the test file is written");
    path
}

fn open_with(path: &Path, options: &ReadOptions) -> TokenFile {
    match TokenFile::open(path, options) {
        Ok(f) => f,
        Err(e) => panic!("{} should open: {:?} {}", path.display(), e.kind, e.message),
    }
}

fn open(path: &Path) -> TokenFile {
    open_with(path, &ReadOptions::default())
}

fn open_err(path: &Path, options: &ReadOptions) -> ReadError {
    match TokenFile::open(path, options) {
        Ok(f) => panic!("{} should not open, but was read as {:?}", path.display(), f.detected()),
        Err(e) => e,
    }
}

fn try_validate(file: &TokenFile, choices: &Choices) -> Result<Validation, ReadError> {
    validate_file(file, choices, &mut |_| {}, &AtomicBool::new(false))
}

/// A full pass that must succeed; every pass checks that each row is valid or invalid.
fn validate(file: &TokenFile, choices: &Choices) -> Validation {
    match try_validate(file, choices) {
        Ok(v) => {
            let s = &v.summary;
            assert_eq!(s.valid + s.invalid, s.rows, "valid + invalid == rows");
            assert!(s.ready <= s.valid, "ready {} <= valid {}", s.ready, s.valid);
            v
        }
        Err(e) => panic!("validation should succeed: {:?} {}", e.kind, e.message),
    }
}

fn validate_err(file: &TokenFile, choices: &Choices) -> ReadError {
    match try_validate(file, choices) {
        Ok(v) => panic!("validation should fail, got {} rows", v.summary.rows),
        Err(e) => e,
    }
}

fn with_app() -> Choices {
    Choices { app_id: Some(APP.into()), ..Choices::default() }
}

fn all_rows(v: &Validation, file: &TokenFile) -> Vec<RowView> {
    let rows = v.page(file, 0, v.summary.rows as usize).expect("the rows can be read again");
    assert_eq!(rows.len() as u64, v.summary.rows);
    rows
}

fn reasons(row: &RowView) -> BTreeSet<Reason> {
    row.problems.iter().map(|p| p.reason).collect()
}

fn lines(rows: &[RowView]) -> Vec<u64> {
    rows.iter().map(|r| r.line).collect()
}

fn count(v: &Validation, reason: Reason) -> u64 {
    v.summary.reasons.get(&reason).copied().unwrap_or(0)
}

fn first_name(row: &RowView) -> Option<&str> {
    row.contact.as_ref()?.first_name.as_deref()
}

fn external_id(row: &RowView) -> Option<&str> {
    row.contact.as_ref()?.external_customer_id.as_deref()
}

fn token(row: &RowView) -> Option<&str> {
    row.contact.as_ref()?.channel("mobilepush")
}

fn device(row: &RowView) -> &yespo_core::yespo::Device {
    let contact = row.contact.as_ref().expect("a contact");
    let push = contact.channels.iter().find(|c| c.kind.as_deref() == Some("mobilepush")).expect("a push channel");
    push.device.as_ref().expect("a device")
}

/// A file written, opened and validated, kept together so pages can be read again.
struct Checked {
    _dir: tempfile::TempDir,
    file: TokenFile,
    v: Validation,
    rows: Vec<RowView>,
}

fn check(name: &str, text: &str, choices: &Choices) -> Checked {
    let dir = tempdir();
    let path = write(dir.path(), name, text);
    let file = open(&path);
    let v = validate(&file, choices);
    let rows = all_rows(&v, &file);
    Checked { _dir: dir, file, v, rows }
}

/// A one-row token CSV with `extra` columns (header, value) next to a valid token.
fn one_row_csv(extra: &[(&str, &str)]) -> String {
    let mut header = vec!["token".to_string(), "external_id".to_string(), "os".to_string()];
    let mut row = vec![fcm(1), "x1".to_string(), "Android".to_string()];
    for (h, v) in extra {
        header.push(h.to_string());
        row.push(v.to_string());
    }
    format!("{}\n{}\n", header.join(","), row.join(","))
}

/// The seed's contact: a push token with its device, an email, an external id, a custom field.
fn seed_contact(external_id: &str, token: &str) -> String {
    format!(
        r#"{{"firstName":"John","channels":[{{"type":"mobilepush","value":"{token}","device":{{"appId":"{APP}","os":"android"}}}},{{"type":"email","value":"tgsh@gmail.com"}}],"externalCustomerId":"{external_id}","fields":[{{"id":12345,"value":"writer"}}]}}"#
    )
}

fn native_contact(external_id: &str, channels: &str) -> String {
    format!(r#"{{"externalCustomerId":"{external_id}","channels":[{channels}]}}"#)
}

fn push_channel(token: &str) -> String {
    format!(r#"{{"type":"mobilepush","value":"{token}","device":{{"appId":"{APP}","os":"Android"}}}}"#)
}

// ---------------------------------------------------------------------------------------------
// Formats, from the content whatever the extension.

#[test]
fn yespo_body_with_settings_before_the_contacts_keeps_its_settings() {
    let body = format!(
        "{{\"dedupeOn\":\"externalCustomerId\",\"contactFields\":[\"firstName\",\"mobilepush\",\"email\"],\"customFieldsIDs\":[12345],\n\"contacts\":[\n{},\n{}\n]}}\n",
        seed_contact("6add", &fcm(1)),
        seed_contact("6ade", &fcm(2))
    );
    let c = check("body.json", &body, &Choices::default());
    let s = &c.v.summary;
    assert_eq!(s.detected.format, Format::YespoJson);
    assert_eq!(s.detected.delimiter, None);
    assert_eq!((s.rows, s.valid, s.invalid, s.warnings, s.duplicates), (2, 2, 0, 0, 0));
    assert_eq!(s.settings.dedupe_on, DedupeOn::ExternalCustomerId);
    assert_eq!(s.dedupe_on, "externalCustomerId");
    assert_eq!(s.settings.custom_fields_ids, vec![12345]);
    assert_eq!(s.settings.contact_fields, vec!["firstName", "mobilepush", "email"]);
    assert_eq!(lines(&c.rows), vec![3, 4]);
    assert_eq!(external_id(&c.rows[0]), Some("6add"));
    assert_eq!(device(&c.rows[0]).os.as_deref(), Some("Android"), "the OS is sent in Yespo's spelling");
}

#[test]
fn yespo_body_with_settings_after_the_contacts_keeps_its_settings() {
    let body = format!(
        "{{\"contacts\":[{},\n{}],\n\"dedupeOn\":\"externalCustomerId\",\"contactFields\":[\"firstName\",\"mobilepush\",\"email\"],\"customFieldsIDs\":[12345, \"12346\"]}}",
        seed_contact("6add", &fcm(1)),
        seed_contact("6ade", &fcm(2))
    );
    let c = check("body.txt", &body, &Choices::default());
    let s = &c.v.summary;
    assert_eq!(s.detected.format, Format::YespoJson);
    assert_eq!((s.rows, s.valid, s.invalid), (2, 2, 0));
    assert_eq!(s.settings.dedupe_on, DedupeOn::ExternalCustomerId);
    assert_eq!(s.settings.custom_fields_ids, vec![12345, 12346]);
    assert_eq!(s.settings.contact_fields, vec!["firstName", "mobilepush", "email"]);
    assert_eq!(lines(&c.rows), vec![1, 2]);
}

#[test]
fn bare_json_array_of_yespo_contacts() {
    let text = format!("[\n{},\n{}\n]\n", seed_contact("a", &fcm(1)), seed_contact("b", &fcm(2)));
    let c = check("contacts.json", &text, &Choices::default());
    let s = &c.v.summary;
    assert_eq!(s.detected.format, Format::JsonArray);
    assert_eq!(c.file.columns(), None, "Yespo's own contacts need no mapping");
    assert_eq!((s.rows, s.valid, s.invalid), (2, 2, 0));
    assert_eq!(s.dedupe_on, "push", "no dedupeOn in a bare array: the push token");
    assert_eq!(lines(&c.rows), vec![2, 3]);
    assert_eq!(first_name(&c.rows[1]), Some("John"));
}

#[test]
fn ndjson_with_blank_lines_counts_contacts_and_reports_real_lines() {
    let text = format!(
        "{}\n\n{}\r\n   \n\n{}\n\n",
        native_contact("a", &push_channel(&fcm(1))),
        native_contact("b", &push_channel(&fcm(2))),
        native_contact("c", &push_channel(&fcm(3)))
    );
    let c = check("contacts.ndjson", &text, &Choices::default());
    let s = &c.v.summary;
    assert_eq!(s.detected.format, Format::Ndjson);
    assert_eq!((s.rows, s.valid, s.invalid), (3, 3, 0), "blank lines are not rows");
    assert_eq!(lines(&c.rows), vec![1, 3, 6]);
    assert_eq!(c.rows.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1, 2]);
}

#[test]
fn flat_json_objects_are_mapped_by_synonyms() {
    let text = format!(
        "[{{\"token\":\"{}\",\"external_id\":\"u1\",\"os\":\"ios\"}},\n {{\"token\":\"{}\",\"external_id\":\"u2\",\"os\":\"iOS\",\"note\":\"x\"}}]",
        apns(1),
        apns(2)
    );
    let c = check("flat.json", &text, &with_app());
    let s = &c.v.summary;
    assert_eq!(s.detected.format, Format::JsonArray);
    let mut columns: Vec<&str> =
        c.file.columns().expect("flat objects have columns").iter().map(|c| c.as_str()).collect();
    columns.sort_unstable();
    assert_eq!(columns, vec!["external_id", "note", "os", "token"]);
    let m = c.file.suggested_mapping(&[]);
    assert_eq!(m.target_of("token"), Some(Target::PushToken));
    assert_eq!(m.target_of("external_id"), Some(Target::ExternalCustomerId));
    assert_eq!(s.unmapped, vec!["note"]);
    assert_eq!((s.rows, s.valid, s.invalid, s.warnings), (2, 2, 0, 0));
    assert_eq!(token(&c.rows[1]), Some(apns(2).as_str()));
    assert_eq!(external_id(&c.rows[1]), Some("u2"));
    assert_eq!(device(&c.rows[0]).os.as_deref(), Some("iOS"));
    assert_eq!(device(&c.rows[0]).app_id.as_deref(), Some(APP));
    assert_eq!(lines(&c.rows), vec![1, 2]);
    let cells = c.rows[1].cells.as_ref().expect("flat objects have cells");
    for value in [apns(2), "u2".into(), "iOS".into(), "x".into()] {
        assert!(cells.contains(&value), "{value} in {cells:?}");
    }
}

#[test]
fn flat_json_columns_keep_the_files_key_order() {
    let text = format!("[{{\"token\":\"{}\",\"external_id\":\"u1\",\"os\":\"iOS\"}}]", apns(1));
    let dir = tempdir();
    let path = write(dir.path(), "flat.json", text);
    let file = open(&path);
    assert_eq!(file.columns().unwrap(), ["token", "external_id", "os"]);
}

#[test]
fn csv_saved_as_txt_is_read_as_csv() {
    let c = check("tokens.txt", &format!("token,external_id,os\n{},a,Android\n", fcm(1)), &with_app());
    assert_eq!(c.v.summary.detected.format, Format::Csv);
    assert_eq!(c.v.summary.detected.delimiter, Some(','));
    assert_eq!((c.v.summary.rows, c.v.summary.valid), (1, 1));
}

#[test]
fn json_saved_as_csv_is_read_as_json() {
    let text = format!("[{}]", seed_contact("a", &fcm(1)));
    let c = check("tokens.csv", &text, &Choices::default());
    assert_eq!(c.v.summary.detected.format, Format::JsonArray);
    assert_eq!(c.v.summary.detected.delimiter, None);
    assert_eq!((c.v.summary.rows, c.v.summary.valid), (1, 1));
    let ndjson = check("tokens.csv", &native_contact("a", &push_channel(&fcm(1))), &Choices::default());
    assert_eq!(ndjson.v.summary.detected.format, Format::Ndjson);
}

// ---------------------------------------------------------------------------------------------
// CSV: delimiters, Excel's habits, encodings.

#[test]
fn csv_delimiters_comma_semicolon_tab_and_pipe_are_detected() {
    for d in [',', ';', '\t', '|'] {
        let text = format!(
            "token{d}external_id{d}os{d}first_name\n{}{d}a{d}Android{d}Ann\n{}{d}b{d}iOS{d}Bob\n",
            fcm(1),
            fcm(2)
        );
        let c = check("tokens.csv", &text, &with_app());
        let s = &c.v.summary;
        assert_eq!(s.detected.delimiter, Some(d), "delimiter {d:?}");
        assert_eq!((s.rows, s.valid, s.invalid, s.warnings), (2, 2, 0, 0), "delimiter {d:?}");
        assert_eq!(first_name(&c.rows[1]), Some("Bob"), "delimiter {d:?}");
    }
}

#[test]
fn excel_sep_line_sets_the_delimiter_and_lines_stay_file_lines() {
    let text = format!("sep=;\ntoken;external_id;os\n{};a;Android\n{};b;Android\n", fcm(1), fcm(2));
    let c = check("excel.csv", &text, &with_app());
    let s = &c.v.summary;
    assert!(s.detected.excel_sep_line);
    assert_eq!(s.detected.delimiter, Some(';'));
    assert_eq!((s.rows, s.valid), (2, 2));
    assert_eq!(lines(&c.rows), vec![3, 4], "the first data row is line 3");
    let columns = c.file.columns().unwrap();
    assert_eq!(columns[0], "token", "the sep= line is not the header");
}

#[test]
fn quoted_fields_with_delimiters_and_line_breaks() {
    let text = format!(
        "token,external_id,first_name,os\n{},\"a,1\",\"John\nSmith\",Android\n{},b,\"Jane \"\"JJ\"\"\",Android\n{},c,Ann,Android\n",
        fcm(1),
        fcm(2),
        fcm(3)
    );
    let c = check("quoted.csv", &text, &with_app());
    assert_eq!((c.v.summary.rows, c.v.summary.valid), (3, 3));
    assert_eq!(lines(&c.rows), vec![2, 4, 5], "the row after a two-line field starts on line 4");
    assert_eq!(external_id(&c.rows[0]), Some("a,1"));
    assert_eq!(first_name(&c.rows[0]), Some("John\nSmith"));
    assert_eq!(first_name(&c.rows[1]), Some("Jane \"JJ\""));
}

#[test]
fn crlf_and_lf_line_ends_read_the_same() {
    let lf = format!("token,external_id,os\n{},a,Android\n{},\"b\nc\",Android\n{},d,Android\n", fcm(1), fcm(2), fcm(3));
    let crlf = lf.replace('\n', "\r\n");
    let a = check("lf.csv", &lf, &with_app());
    let b = check("crlf.csv", &crlf, &with_app());
    for c in [&a, &b] {
        assert_eq!((c.v.summary.rows, c.v.summary.valid, c.v.summary.warnings), (3, 3, 0));
        assert_eq!(external_id(&c.rows[2]), Some("d"), "no stray \\r in the last column");
        assert_eq!(device(&c.rows[0]).os.as_deref(), Some("Android"));
    }
    assert_eq!(lines(&a.rows), vec![2, 3, 5]);
    assert_eq!(external_id(&a.rows[1]), Some("b\nc"));
    assert_eq!(external_id(&b.rows[1]), Some("b\r\nc"));
}

/// The lines a CRLF file's rows are reported on, through every way a line reaches the user.
#[test]
fn crlf_rows_report_their_own_file_lines() {
    let text =
        format!("token,external_id,os\r\n{},a,Android\r\n{},b,Android\r\n{},a,Android\r\n", fcm(1), fcm(2), fcm(3));
    let c = check("crlf.csv", &text, &with_app());
    assert_eq!(lines(&c.rows), vec![2, 3, 4]);
    assert_eq!(c.v.summary.duplicate_groups[0].lines, vec![2, 4]);
    assert_eq!(c.rows[0].superseded_by, Some(4));
    // Excel's `sep=` line and its "Unicode text" (UTF-16LE, tabs) are CRLF as well.
    let sep = check("sep.csv", &format!("sep=;\r\ntoken;external_id;os\r\n{};a;Android\r\n", fcm(1)), &with_app());
    assert_eq!(lines(&sep.rows), vec![3]);
    let dir = tempdir();
    let path = write(dir.path(), "unicode.txt", utf16(&excel_unicode_text(), false));
    let file = open(&path);
    let v = validate(&file, &with_app());
    assert_eq!(lines(&all_rows(&v, &file)), vec![2, 3]);
}

#[test]
fn utf8_bom_is_not_glued_to_the_first_header() {
    let text = format!("\u{feff}token,external_id,os\n{},a,Android\n", fcm(1));
    let c = check("bom.csv", &text, &with_app());
    let s = &c.v.summary;
    assert!(s.detected.bom);
    assert_eq!(s.detected.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(c.file.columns().unwrap()[0], "token");
    assert_eq!(c.file.suggested_mapping(&[]).target_of("token"), Some(Target::PushToken));
    assert_eq!((s.rows, s.valid, s.invalid), (1, 1, 0));
    assert_eq!(token(&c.rows[0]), Some(fcm(1).as_str()));
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out: Vec<u8> = if big_endian { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    out
}

fn excel_unicode_text() -> String {
    format!("token\texternal_id\tos\tfirst_name\r\n{}\ta\tAndroid\tОлена\r\n{}\tb\tiOS\tJürgen\r\n", fcm(1), apns(2))
}

#[test]
fn utf16le_with_bom_excel_unicode_text() {
    let dir = tempdir();
    let path = write(dir.path(), "unicode.txt", utf16(&excel_unicode_text(), false));
    let file = open(&path);
    let v = validate(&file, &with_app());
    let s = &v.summary;
    assert_eq!(s.detected.encoding.as_deref(), Some("UTF-16LE"));
    assert!(s.detected.bom);
    assert_eq!(s.detected.delimiter, Some('\t'));
    assert_eq!(file.columns().unwrap()[0], "token");
    assert_eq!((s.rows, s.valid, s.invalid, s.warnings), (2, 2, 0, 0));
    let rows = all_rows(&v, &file);
    assert_eq!(first_name(&rows[0]), Some("Олена"));
    assert_eq!(first_name(&rows[1]), Some("Jürgen"));
    assert_eq!(external_id(&rows[1]), Some("b"));
}

#[test]
fn utf16be_with_bom_excel_unicode_text() {
    let dir = tempdir();
    let path = write(dir.path(), "unicode.txt", utf16(&excel_unicode_text(), true));
    let file = open(&path);
    let v = validate(&file, &with_app());
    let s = &v.summary;
    assert_eq!(s.detected.encoding.as_deref(), Some("UTF-16BE"));
    assert!(s.detected.bom);
    assert_eq!(s.detected.delimiter, Some('\t'));
    assert_eq!(file.columns().unwrap()[0], "token");
    assert_eq!((s.rows, s.valid, s.invalid), (2, 2, 0));
    let rows = all_rows(&v, &file);
    assert_eq!(first_name(&rows[0]), Some("Олена"));
}

fn cp1251(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn windows_1251_without_bom_is_detected_and_names_read_back() {
    let text = format!(
        "token;external_id;os;first_name;last_name;town\r\n\
         {};a;Android;Олена;Шевченко;Київ\r\n\
         {};b;Android;Іван;Петренко;Львів\r\n\
         {};c;Android;Михайло;Грушевський;Харків\r\n",
        fcm(1),
        fcm(2),
        fcm(3)
    );
    let dir = tempdir();
    let path = write(dir.path(), "cyrillic.csv", cp1251(&text));
    let file = open(&path);
    let v = validate(&file, &with_app());
    assert_eq!(v.summary.detected.encoding.as_deref(), Some("windows-1251"));
    assert!(!v.summary.detected.bom);
    assert_eq!((v.summary.rows, v.summary.valid), (3, 3));
    let rows = all_rows(&v, &file);
    let names: Vec<_> = rows.iter().map(|r| first_name(r).unwrap_or_default().to_string()).collect();
    assert_eq!(names, vec!["Олена", "Іван", "Михайло"]);
    assert_eq!(rows[1].contact.as_ref().unwrap().last_name.as_deref(), Some("Петренко"));
    // Read in place, cell by cell: no working copy to wait for before the first rows show.
    assert_eq!(file.source().cell_encoding.map(|e| e.name()), Some("windows-1251"));
    let mut problems = tempfile::NamedTempFile::new().unwrap();
    v.export_problems(&file, problems.path(), true).unwrap();
    let mut exported = String::new();
    std::io::Read::read_to_string(&mut problems, &mut exported).unwrap();
    assert!(exported.starts_with('\u{feff}'), "the problem export is UTF-8 with a BOM");
}

#[test]
fn encoding_and_delimiter_overrides_are_honoured() {
    // A short file: too little text to tell the code page, so the user says it.
    let text = format!("token;first_name\n{};Ян, Олег\n", fcm(1));
    let dir = tempdir();
    let path = write(dir.path(), "short.csv", cp1251(&text));
    let options = ReadOptions { encoding: Some("windows-1251".into()), delimiter: Some(';'), ..ReadOptions::default() };
    let file = open_with(&path, &options);
    assert_eq!(file.detected().encoding.as_deref(), Some("windows-1251"));
    assert_eq!(file.detected().delimiter, Some(';'));
    let v = validate(&file, &with_app());
    let rows = all_rows(&v, &file);
    assert_eq!(first_name(&rows[0]), Some("Ян, Олег"));

    // The delimiter override wins over a detected one: the same file split on commas has
    // other columns.
    let comma = open_with(&path, &ReadOptions { delimiter: Some(','), ..options.clone() });
    assert_eq!(comma.detected().delimiter, Some(','));
    assert_eq!(comma.columns().unwrap().len(), 1);
    // A cp1251 alias works as well; an unknown label is a clear error.
    let alias = open_with(&path, &ReadOptions { encoding: Some("cp1251".into()), ..ReadOptions::default() });
    assert_eq!(alias.detected().encoding.as_deref(), Some("windows-1251"));
    let bad = open_err(&path, &ReadOptions { encoding: Some("klingon-8".into()), ..ReadOptions::default() });
    assert_eq!(bad.kind, ReadErrorKind::Unusable);
    assert!(bad.message.contains("klingon-8"), "{}", bad.message);
}

#[test]
fn header_only_csv_is_unusable_no_data_rows() {
    let dir = tempdir();
    let path = write(dir.path(), "header.csv", "token,external_id,os\n\n");
    let file = open(&path);
    let e = validate_err(&file, &with_app());
    assert_eq!(e.kind, ReadErrorKind::Unusable);
    assert!(e.message.contains("no data rows"), "{}", e.message);
}

#[test]
fn blank_lines_and_empty_rows_are_skipped() {
    let text = format!("token,external_id,os\n\n{},a,Android\n\n,,\n \t, ,\n{},b,Android\n\n", fcm(1), fcm(2));
    let c = check("blank.csv", &text, &with_app());
    assert_eq!((c.v.summary.rows, c.v.summary.valid, c.v.summary.invalid), (2, 2, 0));
    assert_eq!(external_id(&c.rows[0]), Some("a"));
    assert_eq!(lines(&c.rows)[1], 7, "after rows of empty cells the line is right");
}

#[test]
fn rows_after_blank_lines_report_their_own_line() {
    let text = format!("token,external_id,os\n\n{},a,Android\n\n\n\n{},b,Android\n", fcm(1), fcm(2));
    let c = check("blank.csv", &text, &with_app());
    assert_eq!(lines(&c.rows), vec![3, 7]);
}

#[test]
fn duplicate_and_blank_header_names_get_distinct_names() {
    let text = format!("token,name,name,,external_id, name \n{},Ann,B,c,x1,d\n", fcm(1));
    let c = check("headers.csv", &text, &with_app());
    let columns: Vec<&str> = c.file.columns().unwrap().iter().map(|c| c.as_str()).collect();
    assert_eq!(columns, vec!["token", "name", "name (2)", "column 4", "external_id", "name (3)"]);
    let m = c.file.suggested_mapping(&[]);
    assert_eq!(m.target_of("name"), Some(Target::FirstName));
    assert_eq!(m.target_of("name (2)"), None);
    assert_eq!(first_name(&c.rows[0]), Some("Ann"));
    assert_eq!(c.v.summary.unmapped, vec!["name (2)", "column 4", "name (3)"]);
}

// ---------------------------------------------------------------------------------------------
// XLSX.

fn save(workbook: &mut rust_xlsxwriter::Workbook, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    workbook.save(&path).expect("the workbook is saved");
    path
}

#[test]
fn xlsx_reads_only_the_first_of_two_sheets() {
    let dir = tempdir();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Tokens").unwrap();
    for (c, h) in ["token", "external_id", "os"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, fcm(1)).unwrap();
    ws.write_string(1, 1, "a").unwrap();
    ws.write_string(1, 2, "Android").unwrap();
    let other = wb.add_worksheet().set_name("Notes").unwrap();
    other.write_string(0, 0, "token").unwrap();
    other.write_string(1, 0, fcm(2)).unwrap();
    other.write_string(2, 0, fcm(3)).unwrap();
    // Saved as .csv: the content says it is a workbook.
    let path = save(&mut wb, dir.path(), "tokens.csv");
    let file = open(&path);
    let v = validate(&file, &with_app());
    let d = &v.summary.detected;
    assert_eq!(d.format, Format::Xlsx);
    assert_eq!(d.sheet.as_deref(), Some("Tokens"));
    assert_eq!(d.sheets, Some(2));
    assert_eq!(d.encoding, None);
    assert_eq!((v.summary.rows, v.summary.valid, v.summary.warnings), (1, 1, 0));
    let rows = all_rows(&v, &file);
    assert_eq!(rows[0].cells.as_deref(), Some(&[fcm(1), "a".into(), "Android".into()][..]));
}

#[test]
fn xlsx_numeric_token_is_an_excel_number_warning() {
    let dir = tempdir();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "token").unwrap();
    ws.write_string(0, 1, "external_id").unwrap();
    ws.write_string(0, 2, "os").unwrap();
    ws.write_number(1, 0, 8.9e15).unwrap();
    ws.write_string(1, 1, "a").unwrap();
    ws.write_string(1, 2, "Android").unwrap();
    ws.write_string(2, 0, fcm(2)).unwrap();
    ws.write_number(2, 1, 1234567.0).unwrap();
    ws.write_string(2, 2, "Android").unwrap();
    let path = save(&mut wb, dir.path(), "tokens.xlsx");
    let file = open(&path);
    let v = validate(&file, &with_app());
    assert_eq!(count(&v, Reason::ExcelNumber), 1);
    assert_eq!(Reason::ExcelNumber.severity(), Severity::Warning);
    let rows = all_rows(&v, &file);
    assert_eq!(token(&rows[0]), Some("8.9E+15"), "the cell as Excel shows it");
    assert!(reasons(&rows[0]).contains(&Reason::ExcelNumber), "{:?}", rows[0].problems);
    assert_eq!(external_id(&rows[1]), Some("1234567"), "whole numbers without .0");
    assert!(reasons(&rows[1]).is_empty(), "{:?}", rows[1].problems);
}

#[test]
fn xlsx_lines_are_sheet_rows_even_after_a_blank_row() {
    let dir = tempdir();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "token").unwrap();
    ws.write_string(0, 1, "external_id").unwrap();
    ws.write_string(0, 2, "os").unwrap();
    ws.write_string(1, 0, fcm(1)).unwrap();
    ws.write_string(1, 1, "a").unwrap();
    ws.write_string(1, 2, "Android").unwrap();
    // Row 3 is blank; rows 4 and 6 have data (5 blank too).
    ws.write_string(3, 0, "").unwrap();
    ws.write_string(3, 1, "b").unwrap();
    ws.write_string(3, 2, "Android").unwrap();
    ws.write_string(5, 0, fcm(3)).unwrap();
    ws.write_string(5, 1, "c").unwrap();
    ws.write_string(5, 2, "Android").unwrap();
    let path = save(&mut wb, dir.path(), "tokens.xlsx");
    let file = open(&path);
    let v = validate(&file, &with_app());
    assert_eq!((v.summary.rows, v.summary.valid, v.summary.invalid), (3, 2, 1));
    let rows = all_rows(&v, &file);
    assert_eq!(lines(&rows), vec![2, 4, 6]);
    assert!(reasons(&rows[1]).contains(&Reason::EmptyToken));
    assert_eq!(v.indices(RowFilter::Invalid), vec![1]);
}

// ---------------------------------------------------------------------------------------------
// The rules of one row (check.rs), each with its reason.

fn only_row(c: &Checked) -> &RowView {
    assert_eq!(c.rows.len(), 1);
    &c.rows[0]
}

#[test]
fn rule_no_channel() {
    let c = check("no-channel.csv", "external_id,first_name\nx1,John\n", &with_app());
    let row = only_row(&c);
    assert!(!row.valid);
    assert_eq!(reasons(row), BTreeSet::from([Reason::NoChannel]));
    assert_eq!((c.v.summary.valid, c.v.summary.invalid), (0, 1));
}

#[test]
fn rule_no_dedupe_key_with_dedupe_on_email() {
    let text = format!(
        "token,os,email,external_id\n{},Android,,\n{},Android,ann@example.com,\n{},Android,,x3\n",
        fcm(1),
        fcm(2),
        fcm(3)
    );
    let choices = Choices { dedupe_on: Some(DedupeOn::Email), ..with_app() };
    let c = check("no-key.csv", &text, &choices);
    assert_eq!(reasons(&c.rows[0]), BTreeSet::from([Reason::NoDedupeKey]));
    assert!(c.rows[1].valid, "the email is the key: {:?}", c.rows[1].problems);
    assert!(c.rows[2].valid, "an external id is always a key: {:?}", c.rows[2].problems);
    assert_eq!(c.v.summary.dedupe_on, "email");
    assert_eq!((c.v.summary.valid, c.v.summary.invalid), (2, 1));
}

#[test]
fn rule_empty_token() {
    let text = format!("token,external_id,os\n,x1,Android\n  ,x2,Android\n{},x3,Android\n", fcm(3));
    let c = check("empty-token.csv", &text, &with_app());
    assert_eq!(reasons(&c.rows[0]), BTreeSet::from([Reason::EmptyToken]));
    assert_eq!(reasons(&c.rows[1]), BTreeSet::from([Reason::EmptyToken]));
    assert!(c.rows[2].valid);
    assert_eq!(count(&c.v, Reason::EmptyToken), 2);
}

#[test]
fn rule_bad_token_with_spaces_or_too_long() {
    let long = "a".repeat(4097);
    let text = format!("token,external_id,os\n\"abc def\",x1,Android\n{long},x2,Android\n");
    let c = check("bad-token.csv", &text, &with_app());
    assert!(reasons(&c.rows[0]).contains(&Reason::BadToken), "{:?}", c.rows[0].problems);
    assert!(reasons(&c.rows[1]).contains(&Reason::BadToken), "{:?}", c.rows[1].problems);
    assert_eq!(c.v.summary.invalid, 2);
}

#[test]
fn rule_bad_app_id_is_not_replaced_by_the_chosen_one() {
    let c = check("bad-app.csv", &one_row_csv(&[("app_id", "my-app")]), &with_app());
    let row = only_row(&c);
    assert_eq!(reasons(row), BTreeSet::from([Reason::BadAppId]));
    assert!(!row.valid);
}

#[test]
fn rule_bad_email() {
    let c = check("bad-email.csv", &one_row_csv(&[("email", "john@")]), &with_app());
    assert_eq!(reasons(only_row(&c)), BTreeSet::from([Reason::BadEmail]));
}

#[test]
fn rule_bad_phone_and_a_good_phone_normalised() {
    let text =
        format!("token,external_id,os,phone\n{},x1,Android,12345\n{},x2,Android,+38 (050) 123-45-67\n", fcm(1), fcm(2));
    let c = check("phones.csv", &text, &with_app());
    assert_eq!(reasons(&c.rows[0]), BTreeSet::from([Reason::BadPhone]));
    assert!(c.rows[1].valid);
    assert_eq!(c.rows[1].contact.as_ref().unwrap().channel("sms"), Some("380501234567"));
}

#[test]
fn rule_first_name_longer_than_40_characters() {
    // Counted in characters, not bytes: 40 Cyrillic letters (80 bytes) are fine.
    let text = format!(
        "token,external_id,os,first_name\n{},x1,Android,{}\n{},x2,Android,{}\n",
        fcm(1),
        "Ж".repeat(41),
        fcm(2),
        "Ж".repeat(40)
    );
    let c = check("names.csv", &text, &with_app());
    assert_eq!(reasons(&c.rows[0]), BTreeSet::from([Reason::TooLong]));
    assert!(c.rows[1].valid, "{:?}", c.rows[1].problems);
}

#[test]
fn rule_more_than_two_channels_of_one_type() {
    let emails = r#"{"type":"email","value":"a@example.com"},{"type":"email","value":"b@example.com"},{"type":"email","value":"c@example.com"}"#;
    let pushes = format!("{},{},{}", push_channel(&fcm(1)), push_channel(&fcm(2)), push_channel(&fcm(3)));
    let two = format!("{},{}", push_channel(&fcm(4)), push_channel(&fcm(5)));
    let text = format!(
        "{}\n{}\n{}\n",
        native_contact("x1", emails),
        native_contact("x2", &pushes),
        native_contact("x3", &two)
    );
    let c = check("channels.ndjson", &text, &Choices::default());
    assert_eq!(reasons(&c.rows[0]), BTreeSet::from([Reason::TooManyChannels]));
    assert_eq!(reasons(&c.rows[1]), BTreeSet::from([Reason::TooManyChannels]));
    assert!(c.rows[2].valid, "two tokens are fine: {:?}", c.rows[2].problems);
}

#[test]
fn rule_the_same_channel_twice() {
    let channels = format!(
        r#"{},{{"type":"email","value":"a@example.com"}},{{"type":"email","value":" a@example.com "}}"#,
        push_channel(&fcm(1))
    );
    let c = check("twice.ndjson", &native_contact("x1", &channels), &Choices::default());
    assert_eq!(reasons(only_row(&c)), BTreeSet::from([Reason::SameChannelTwice]));
}

#[test]
fn rule_unknown_channel_type() {
    let channels = format!(r#"{},{{"type":"telegram","value":"@john"}}"#, push_channel(&fcm(1)));
    let c = check("telegram.ndjson", &native_contact("x1", &channels), &Choices::default());
    assert_eq!(reasons(only_row(&c)), BTreeSet::from([Reason::UnknownChannelType]));
}

#[test]
fn rule_unknown_custom_field_when_the_account_fields_are_known() {
    let text = format!("token,external_id,os,field:12345,field_999\n{},x1,Android,writer,blue\n", fcm(1));
    let known = Choices {
        account_fields: Some(vec![AccountField { id: 12345, name: "Occupation".into(), ..AccountField::default() }]),
        ..with_app()
    };
    let c = check("fields.csv", &text, &known);
    let m = c.file.suggested_mapping(&[]);
    assert_eq!(m.target_of("field:12345"), Some(Target::Field(12345)));
    assert_eq!(m.target_of("field_999"), Some(Target::Field(999)));
    assert_eq!(reasons(only_row(&c)), BTreeSet::from([Reason::UnknownField]));
    // Without an account at hand the ids cannot be checked.
    let unknown = check("fields.csv", &text, &with_app());
    assert!(only_row(&unknown).valid);
    assert_eq!(unknown.v.summary.settings.custom_fields_ids, vec![999, 12345]);
}

#[test]
fn rule_bad_os() {
    let text = format!("token,external_id,os\n{},x1,Windows\n{},x2,ANDROID\n{},x3,huawei\n", fcm(1), fcm(2), fcm(3));
    let c = check("os.csv", &text, &with_app());
    assert_eq!(reasons(&c.rows[0]), BTreeSet::from([Reason::BadOs]));
    assert!(c.rows[1].valid);
    assert_eq!(device(&c.rows[1]).os.as_deref(), Some("Android"));
    assert_eq!(device(&c.rows[2]).os.as_deref(), Some("HarmonyOS"));
}

#[test]
fn rule_bad_client_version() {
    let text =
        format!("token,external_id,os,client_version\n{},x1,Android,2.0\n{},x2,Android,native\n", fcm(1), fcm(2));
    let c = check("cv.csv", &text, &with_app());
    assert_eq!(reasons(&c.rows[0]), BTreeSet::from([Reason::BadClientVersion]));
    assert!(c.rows[1].valid);
}

#[test]
fn warning_token_shape_apns_token_on_android() {
    let text = format!("token,external_id,os\n{},x1,Android\n{},x2,iOS\n", apns(1), apns(2));
    let c = check("shape.csv", &text, &with_app());
    assert_eq!(reasons(&c.rows[0]), BTreeSet::from([Reason::TokenShape]));
    assert!(c.rows[0].valid, "a warning does not make the row invalid");
    assert!(reasons(&c.rows[1]).is_empty(), "APNs on iOS is right");
    assert_eq!((c.v.summary.valid, c.v.summary.warnings, c.v.summary.ready), (2, 1, 2));
}

#[test]
fn warning_excel_mangled_numbers() {
    let text = format!(
        "token,external_id,os,phone\n{},1.23457E+19,Android,\n8.9E+15,x2,Android,\n{},x3,Android,3.8E+11\n",
        fcm(1),
        fcm(3)
    );
    let c = check("excel.csv", &text, &with_app());
    for row in &c.rows {
        assert!(reasons(row).contains(&Reason::ExcelNumber), "line {}: {:?}", row.line, row.problems);
        assert!(row.valid, "line {}: {:?}", row.line, row.problems);
    }
    assert_eq!(count(&c.v, Reason::ExcelNumber), 3);
}

#[test]
fn warning_shared_token_between_different_contacts_but_not_repeats() {
    let shared = fcm(1);
    let own = fcm(2);
    let text =
        format!("token,external_id,os\n{shared},x1,Android\n{shared},x2,Android\n{own},x3,Android\n{own},x3,Android\n");
    let c = check("shared.csv", &text, &with_app());
    let s = &c.v.summary;
    assert_eq!(count(&c.v, Reason::SharedToken), 2);
    assert!(reasons(&c.rows[0]).contains(&Reason::SharedToken));
    assert!(reasons(&c.rows[1]).contains(&Reason::SharedToken));
    assert!(!reasons(&c.rows[2]).contains(&Reason::SharedToken));
    assert!(!reasons(&c.rows[3]).contains(&Reason::SharedToken));
    assert!(c.rows[0].problems.iter().any(|p| p.message.contains("line 3")), "{:?}", c.rows[0].problems);
    assert_eq!(s.duplicates, 1, "x3 repeated is a duplicate");
    assert_eq!(c.rows[2].superseded_by, Some(5));
    assert_eq!((s.valid, s.warnings, s.ready), (4, 2, 3));
}

#[test]
fn warning_missing_os() {
    let c = check("no-os.csv", &format!("token,external_id\n{},x1\n", fcm(1)), &with_app());
    let row = only_row(&c);
    assert_eq!(reasons(row), BTreeSet::from([Reason::MissingDeviceFields]));
    assert!(row.valid);
}

#[test]
fn warning_no_app_id_until_one_is_chosen() {
    let text = format!("token,external_id,os\n{},x1,Android\n", fcm(1));
    let without = check("tokens.csv", &text, &Choices::default());
    assert_eq!(reasons(only_row(&without)), BTreeSet::from([Reason::NoAppId]));
    assert_eq!(without.v.summary.warnings, 1);
    assert!(only_row(&without).valid);
    let with = check("tokens.csv", &text, &with_app());
    assert!(reasons(only_row(&with)).is_empty());
    assert_eq!(with.v.summary.warnings, 0);
    assert_eq!(device(only_row(&with)).app_id.as_deref(), Some(APP));
}

#[test]
fn warning_braze_extra_tokens() {
    let tokens: Vec<String> =
        (1..=3).map(|i| format!(r#"{{"app":"A","platform":"android","token":"{}"}}"#, fcm(i))).collect();
    let text = format!("{{\"external_id\":\"b1\",\"first_name\":\"Ann\",\"push_tokens\":[{}]}}\n", tokens.join(","));
    let c = check("braze.ndjson", &text, &with_app());
    let row = only_row(&c);
    assert_eq!(reasons(row), BTreeSet::from([Reason::ExtraTokens]));
    assert!(row.valid);
    let contact = row.contact.as_ref().unwrap();
    assert_eq!(contact.channels.iter().filter(|c| c.kind.as_deref() == Some("mobilepush")).count(), 2);
}

// ---------------------------------------------------------------------------------------------
// Duplicates and batches.

#[test]
fn duplicates_the_last_row_wins() {
    let text = format!(
        "token,external_id,os\n{},x1,Android\n{},x2,Android\n{},x1,Android\n{},x1,Android\n,x9,Android\n",
        fcm(1),
        fcm(2),
        fcm(3),
        fcm(4)
    );
    let c = check("dups.csv", &text, &with_app());
    let s = &c.v.summary;
    assert_eq!(s.duplicates, 2, "two repeats of x1");
    assert_eq!(s.duplicate_groups.len(), 1);
    assert_eq!(s.duplicate_groups[0].lines, vec![2, 4, 5]);
    assert_eq!(s.duplicate_groups[0].winner, 5);
    assert_eq!(c.rows[0].superseded_by, Some(5));
    assert_eq!(c.rows[2].superseded_by, Some(5));
    assert_eq!(c.rows[3].superseded_by, None);
    assert_eq!(c.rows[1].superseded_by, None);
    assert_eq!((s.valid, s.invalid), (4, 1));
    assert_eq!(s.ready, s.valid - 2);
    assert_eq!(c.v.indices(RowFilter::Duplicates), vec![0, 2, 3]);
}

#[test]
fn external_id_takes_priority_over_dedupe_on() {
    let text = format!(
        "token,external_id,email,os\n{},x1,same@example.com,Android\n{},x2,same@example.com,Android\n{},,other@example.com,Android\n{},,OTHER@example.com,Android\n",
        fcm(1),
        fcm(2),
        fcm(3),
        fcm(4)
    );
    let choices = Choices { dedupe_on: Some(DedupeOn::Email), ..with_app() };
    let c = check("email.csv", &text, &choices);
    let s = &c.v.summary;
    assert_eq!(s.duplicates, 1, "only the two rows without an external id, same email in any case");
    assert_eq!(s.duplicate_groups[0].lines, vec![4, 5]);
    assert_eq!(c.rows[0].superseded_by, None);
    assert_eq!(c.rows[1].superseded_by, None);
}

#[test]
fn batches_hold_only_the_winners_at_most_3000_each_with_their_lines() {
    let n = 7000;
    let mut text = String::from("token,external_id,os\n");
    for i in 0..n {
        // The last 10 rows repeat the external ids of the first 10: those rows lose.
        let ext = if i >= n - 10 { i - (n - 10) } else { i };
        text.push_str(&format!("{},x{ext},Android\n", fcm(i)));
    }
    let dir = tempdir();
    let path = write(dir.path(), "many.csv", &text);
    let file = open(&path);
    let v = validate(&file, &with_app());
    let s = &v.summary;
    assert_eq!((s.rows, s.valid, s.duplicates, s.ready), (7000, 7000, 10, 6990));
    let mut sizes = Vec::new();
    let mut seen_lines = Vec::new();
    let mut skipped = Vec::new();
    v.for_each_batch(&file, 3000, &mut |batch| {
        assert!(batch.contacts.len() <= 3000);
        assert_eq!(batch.contacts.len(), batch.lines.len());
        assert_eq!(batch.contacts.len(), batch.rows.len());
        for ((contact, line), row) in batch.contacts.iter().zip(&batch.lines).zip(&batch.rows) {
            assert_eq!(*line, row + 2, "a CSV row's line is its index + 2");
            assert_eq!(contact.channel("mobilepush"), Some(fcm(*row as usize).as_str()));
        }
        sizes.push(batch.contacts.len());
        seen_lines.extend(batch.lines);
        for s in &batch.skipped {
            assert!(s.superseded, "{s:?}");
            assert!(s.reason.contains("and is sent instead"), "{}", s.reason);
            skipped.push(s.line);
        }
        true
    })
    .unwrap();
    assert_eq!(sizes, vec![3000, 3000, 990]);
    assert_eq!(skipped, (2..=11).collect::<Vec<u64>>(), "the superseded rows come with the batches");
    assert_eq!(seen_lines.len() as u64, s.ready);
    assert!(!seen_lines.contains(&2), "row 0 (line 2) lost to line 6992");
    assert!(seen_lines.contains(&6992));
    let expected: Vec<u64> = (12..=7001).collect();
    assert_eq!(seen_lines, expected);
}

// ---------------------------------------------------------------------------------------------
// Providers.

const ONESIGNAL_HEADER: &str = "id,identifier,session_count,language,timezone,game_version,device_os,device_type,device_model,ad_id,tags,last_active,created_at,invalid_identifier,sdk,test_type,ip,external_user_id";

fn onesignal_csv() -> String {
    let rows = [
        format!("a1,{},12,en,7200,1.2.0,17.1,0,\"iPhone14,2\",,\"{{\"\"level\"\":\"\"3\"\"}}\",2024-03-01 10:00:00,2023-06-01 09:00:00,f,050103,,10.0.0.1,u1", apns(1)),
        format!("a2,{},3,uk,7200,1.2.0,14,1,Pixel 7,,{{}},2024-03-01 10:00:00,2023-06-01 09:00:00,f,050103,,10.0.0.2,u2", fcm(2)),
        "a3,https://fcm.googleapis.com/fcm/send/abc,1,en,0,,,5,,,{},2024-03-01,2023-06-01,f,150900,,10.0.0.3,u3".to_string(),
        "a4,ann@example.com,1,en,0,,,11,,,{},2024-03-01,2023-06-01,f,,,10.0.0.4,u4".to_string(),
        format!("a5,{},2,en,0,1.1.0,13,1,Galaxy S21,,{{}},2024-03-01,2023-06-01,t,050103,,10.0.0.5,u5", fcm(5)),
    ];
    format!("{ONESIGNAL_HEADER}\n{}\n", rows.join("\n"))
}

#[test]
fn onesignal_export_is_recognised_and_mapped() {
    let dir = tempdir();
    let path = write(dir.path(), "onesignal.csv", onesignal_csv());
    let file = open(&path);
    let mapping = file.suggested_mapping(&[]);
    assert_eq!(mapping.preset, Some(Preset::OneSignal));
    assert_eq!(mapping.target_of("identifier"), Some(Target::PushToken));
    assert_eq!(mapping.target_of("external_user_id"), Some(Target::ExternalCustomerId));
    assert_eq!(mapping.target_of("device_type"), Some(Target::OneSignalDeviceType));
    assert_eq!(mapping.target_of("device_os"), None);
    let v = validate(&file, &with_app());
    let s = &v.summary;
    assert_eq!((s.rows, s.valid, s.invalid), (5, 2, 3));
    assert_eq!(count(&v, Reason::NotMobilePush), 2);
    assert_eq!(count(&v, Reason::Unsubscribed), 1);
    let rows = all_rows(&v, &file);
    assert!(rows[0].valid && rows[1].valid, "{:?} {:?}", rows[0].problems, rows[1].problems);
    assert_eq!(device(&rows[0]).os.as_deref(), Some("iOS"));
    assert_eq!(device(&rows[0]).device_model.as_deref(), Some("iPhone14,2"));
    assert_eq!(device(&rows[1]).os.as_deref(), Some("Android"));
    assert_eq!(device(&rows[1]).app_version.as_deref(), Some("1.2.0"));
    assert_eq!(device(&rows[1]).locale.as_deref(), Some("uk"));
    assert_eq!(external_id(&rows[1]), Some("u2"));
    assert!(reasons(&rows[2]).contains(&Reason::NotMobilePush), "{:?}", rows[2].problems);
    assert!(reasons(&rows[3]).contains(&Reason::NotMobilePush), "{:?}", rows[3].problems);
    assert!(reasons(&rows[4]).contains(&Reason::Unsubscribed), "{:?}", rows[4].problems);
    assert!(s.unmapped.iter().any(|c| c == "tags"));
}

#[test]
fn onesignal_unsubscribed_devices_sent_as_inactive_when_chosen() {
    let dir = tempdir();
    let path = write(dir.path(), "onesignal.csv", onesignal_csv());
    let file = open(&path);
    let mut mapping = file.suggested_mapping(&[]);
    mapping.unsubscribed = Unsubscribed::Inactive;
    let v = validate(&file, &Choices { mapping: Some(mapping), ..with_app() });
    assert_eq!((v.summary.valid, v.summary.invalid), (3, 2));
    assert_eq!(count(&v, Reason::Unsubscribed), 0);
    let rows = all_rows(&v, &file);
    assert!(rows[4].valid, "{:?}", rows[4].problems);
    assert_eq!(device(&rows[4]).active, Some(false));
    assert_eq!(device(&rows[1]).active, None, "subscribed devices carry no active flag");
}

#[test]
fn braze_export_builds_channels_from_push_tokens() {
    let line = |id: &str, name: &str, tokens: &[(&str, String)]| {
        let list: Vec<String> = tokens
            .iter()
            .map(|(p, t)| format!(r#"{{"app":"A","platform":"{p}","token":"{t}","notifications_enabled":true}}"#))
            .collect();
        format!(
            r#"{{"external_id":"{id}","first_name":"{name}","email":"{id}@example.com","push_tokens":[{}],"custom_attributes":{{"tier":"gold"}}}}"#,
            list.join(",")
        )
    };
    let text = format!(
        "{}\n{}\n{}\n",
        line("b1", "Ann", &[("ios", apns(1)), ("android", fcm(1))]),
        line("b2", "Bob", &[("android", fcm(2))]),
        line("b3", "Cid", &[("web", "https://push.example/abc".into())]),
    );
    let c = check("braze.json", &text, &with_app());
    assert_eq!(c.v.summary.detected.format, Format::Ndjson);
    assert_eq!(c.file.suggested_mapping(&[]).preset, Some(Preset::Braze));
    let contact = c.rows[0].contact.as_ref().unwrap();
    let pushes: Vec<_> = contact.channels.iter().filter(|c| c.kind.as_deref() == Some("mobilepush")).collect();
    assert_eq!(pushes.len(), 2);
    assert_eq!(pushes[0].value.as_deref(), Some(apns(1).as_str()));
    assert_eq!(pushes[0].device.as_ref().unwrap().os.as_deref(), Some("iOS"));
    assert_eq!(pushes[1].device.as_ref().unwrap().os.as_deref(), Some("Android"));
    assert_eq!(pushes[1].device.as_ref().unwrap().app_id.as_deref(), Some(APP));
    assert_eq!(contact.channel("email"), Some("b1@example.com"));
    assert_eq!(contact.first_name.as_deref(), Some("Ann"));
    assert_eq!(contact.external_customer_id.as_deref(), Some("b1"));
    assert!(c.rows[0].valid && c.rows[1].valid, "{:?}", c.rows[0].problems);
    // A web push token only: not sent, and the email stays.
    assert!(reasons(&c.rows[2]).contains(&Reason::ExtraTokens), "{:?}", c.rows[2].problems);
    assert_eq!(c.rows[2].contact.as_ref().unwrap().channel("mobilepush"), None);
    assert!(c.v.summary.unmapped.iter().any(|c| c == "custom_attributes"));
}

// ---------------------------------------------------------------------------------------------
// The mapping and the settings.

#[test]
fn an_edited_mapping_changes_the_result() {
    let text = format!("token,uid,os\n{},u1,Android\n{},u1,Android\n", fcm(1), fcm(2));
    let dir = tempdir();
    let path = write(dir.path(), "uid.csv", &text);
    let file = open(&path);
    let before = validate(&file, &with_app());
    assert_eq!(before.summary.unmapped, vec!["uid"]);
    assert_eq!(before.summary.duplicates, 0, "tokens differ, and uid means nothing yet");

    let mut mapping = file.suggested_mapping(&[]);
    let uid = mapping.columns.iter_mut().find(|c| c.column == "uid").unwrap();
    uid.target = Some(Target::ExternalCustomerId);
    let after = validate(&file, &Choices { mapping: Some(mapping), ..with_app() });
    assert!(after.summary.unmapped.is_empty());
    assert_eq!(after.summary.duplicates, 1);
    assert_eq!(after.summary.ready, 1);
    let rows = all_rows(&after, &file);
    assert_eq!(external_id(&rows[1]), Some("u1"));
    assert!(after.summary.settings.contact_fields.contains(&"externalCustomerId".to_string()));
}

#[test]
fn a_mapping_with_one_target_twice_is_refused() {
    let dir = tempdir();
    let path = write(dir.path(), "t.csv", format!("token,uid\n{},u1\n", fcm(1)));
    let file = open(&path);
    let mut mapping = file.suggested_mapping(&[]);
    mapping.columns[1].target = Some(Target::PushToken);
    let e = validate_err(&file, &Choices { mapping: Some(mapping), ..with_app() });
    assert_eq!(e.kind, ReadErrorKind::Unusable);
    assert!(e.message.contains("both mapped"), "{}", e.message);
}

#[test]
fn a_token_csv_updates_exactly_the_fields_it_carries() {
    let text = format!(
        "token,external_id,os,first_name,email,notes\n{},x1,Android,Ann,ann@example.com,n\n{},x2,Android,,,\n",
        fcm(1),
        fcm(2)
    );
    let c = check("fields.csv", &text, &with_app());
    assert_eq!(c.v.summary.settings.contact_fields, vec!["firstName", "email", "mobilepush", "externalCustomerId"]);
    assert!(!c.v.summary.settings.update_all_fields);
    assert!(c.v.summary.settings.custom_fields_ids.is_empty());
}

#[test]
fn a_yespo_body_without_contact_fields_gets_a_note_about_nulling() {
    let body = format!("{{\"dedupeOn\":\"push\",\"contacts\":[{}]}}", seed_contact("a", &fcm(1)));
    let c = check("body.json", &body, &Choices::default());
    let s = &c.v.summary;
    assert!(s.notes.iter().any(|n| n.contains("contactFields") && n.contains("null")), "notes: {:?}", s.notes);
    let mut fields = s.settings.contact_fields.clone();
    fields.sort();
    assert_eq!(fields, vec!["email", "externalCustomerId", "firstName", "mobilepush"]);
    assert_eq!(s.settings.custom_fields_ids, vec![12345], "the custom fields the contacts carry");
}

#[test]
fn preview_checks_the_first_rows_without_a_pass() {
    let text = format!("token,external_id,os\n{},a,Android\n,b,Android\n{},c,Android\n", fcm(1), fcm(3));
    let dir = tempdir();
    let path = write(dir.path(), "p.csv", &text);
    let file = open(&path);
    let rows = preview(&file, file.plan(&with_app()), 2).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(lines(&rows), vec![2, 3]);
    assert!(rows[0].valid);
    assert!(reasons(&rows[1]).contains(&Reason::EmptyToken));
}

// ---------------------------------------------------------------------------------------------
// Pages, filters and the problem export.

#[test]
fn page_in_the_middle_of_a_csv() {
    let mut text = String::from("token,external_id,os\n");
    for i in 0..1000 {
        text.push_str(&format!("{},x{i},Android\n", fcm(i)));
    }
    let c = check("1000.csv", &text, &with_app());
    let page = c.v.page(&c.file, 700, 5).unwrap();
    assert_eq!(page.iter().map(|r| r.index).collect::<Vec<_>>(), vec![700, 701, 702, 703, 704]);
    assert_eq!(lines(&page), vec![702, 703, 704, 705, 706]);
    assert_eq!(external_id(&page[0]), Some("x700"));
    assert_eq!(external_id(&page[4]), Some("x704"));
    let tail = c.v.page(&c.file, 998, 10).unwrap();
    assert_eq!(lines(&tail), vec![1000, 1001]);
    assert!(c.v.page(&c.file, 1000, 5).unwrap().is_empty());
}

#[test]
fn a_file_changed_after_the_check_is_refused_not_misread() {
    let mut text = String::from("token,external_id,os\n");
    for i in 0..100 {
        text.push_str(&format!("{},x{i},Android\n", fcm(i)));
    }
    let c = check("changing.csv", &text, &with_app());
    text.push_str(&format!("{},x100,Android\n", fcm(100)));
    std::fs::write(&c.file.source().path, &text).unwrap();
    let e = c.v.page(&c.file, 10, 5).unwrap_err();
    assert!(e.message.contains("changed"), "{}", e.message);
    assert!(c.v.for_each_batch(&c.file, 3000, &mut |_| true).is_err());
}

#[test]
fn page_in_the_middle_of_a_json_array() {
    let mut text = String::from("[\n");
    for i in 0..1000 {
        let sep = if i == 999 { "" } else { "," };
        text.push_str(&format!("{}{sep}\n", native_contact(&format!("x{i}"), &push_channel(&fcm(i)))));
    }
    text.push_str("]\n");
    let c = check("1000.json", &text, &Choices::default());
    assert_eq!(c.v.summary.rows, 1000);
    let page = c.v.page(&c.file, 700, 5).unwrap();
    assert_eq!(page.iter().map(|r| r.index).collect::<Vec<_>>(), vec![700, 701, 702, 703, 704]);
    assert_eq!(lines(&page), vec![702, 703, 704, 705, 706]);
    assert_eq!(external_id(&page[2]), Some("x702"));
    assert_eq!(token(&page[2]), Some(fcm(702).as_str()));
}

#[test]
fn row_filter_invalid_gives_the_invalid_indices() {
    let mut text = String::from("token,external_id,os\n");
    let mut expected = Vec::new();
    for i in 0..300 {
        if i % 97 == 5 {
            text.push_str(&format!(",x{i},Android\n"));
            expected.push(i as u64);
        } else {
            text.push_str(&format!("{},x{i},Android\n", fcm(i)));
        }
    }
    let c = check("filter.csv", &text, &with_app());
    assert_eq!(c.v.indices(RowFilter::Invalid), expected);
    assert_eq!(c.v.indices(RowFilter::Valid).len() as u64, c.v.summary.valid);
    assert_eq!(c.v.indices(RowFilter::All).len(), 300);
    assert!(c.v.indices(RowFilter::Warnings).is_empty());
    for i in expected {
        let row = &c.v.page(&c.file, i, 1).unwrap()[0];
        assert!(!row.valid);
        assert_eq!(row.line, i + 2);
    }
}

#[test]
fn export_problems_writes_the_invalid_rows_in_the_files_own_columns() {
    let text = format!(
        "token;external_id;os;email\n{};x1;Android;a@example.com\n{};x2;Android;john@\n{};x3;;\n;x4;Android;\n",
        fcm(1),
        fcm(2),
        fcm(3)
    );
    let c = check("problems.csv", &text, &with_app());
    assert_eq!((c.v.summary.invalid, c.v.summary.warnings), (2, 1));
    let out = c._dir.path().join("out.csv");
    let written = c.v.export_problems(&c.file, &out, false).unwrap();
    assert_eq!(written, 2);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "a UTF-8 BOM for Excel");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, vec!["token", "external_id", "os", "email", "line", "problem"]);
    let records: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0][..5], [fcm(2), "x2".into(), "Android".into(), "john@".into(), "3".into()]);
    assert!(records[0][5].contains("john@"), "{}", records[0][5]);
    assert_eq!(records[1][1], "x4");
    assert_eq!(records[1][4], "5");
    assert!(records[1][5].contains("empty"), "{}", records[1][5]);
    // With warnings: the row without an OS as well.
    let written = c.v.export_problems(&c.file, &out, true).unwrap();
    assert_eq!(written, 3);
}

// ---------------------------------------------------------------------------------------------
// Malformed input: a clear error, never a panic.

#[test]
fn truncated_json_is_unusable_and_names_the_line() {
    let dir = tempdir();
    let path = write(dir.path(), "cut.json", "[{\"a\":1},\n{\"b\":");
    let file = open(&path);
    let e = validate_err(&file, &Choices::default());
    assert_eq!(e.kind, ReadErrorKind::Unusable);
    assert!(e.message.contains("line 2"), "{}", e.message);
    let body = write(
        dir.path(),
        "cut-body.json",
        format!("{{\"contacts\":[\n{},\n{}", seed_contact("a", &fcm(1)), "{\"channels\":["),
    );
    let e = validate_err(&open(&body), &Choices::default());
    assert_eq!(e.kind, ReadErrorKind::Unusable);
    assert!(e.message.contains("line 3"), "{}", e.message);
}

#[test]
fn wrong_types_make_that_row_unreadable_and_the_others_fine() {
    let body = format!(
        "{{\"contacts\":[{},\n{{\"channels\":\"x\"}},\n{},\n{{\"externalCustomerId\":{{\"a\":1}},\"channels\":[]}},\n42]}}",
        seed_contact("a", &fcm(1)),
        seed_contact("b", &fcm(2))
    );
    let c = check("types.json", &body, &Choices::default());
    let s = &c.v.summary;
    assert_eq!((s.rows, s.valid, s.invalid), (5, 2, 3));
    assert_eq!(count(&c.v, Reason::Unreadable), 3);
    assert!(c.rows[0].valid && c.rows[2].valid);
    for i in [1, 3, 4] {
        assert_eq!(reasons(&c.rows[i]), BTreeSet::from([Reason::Unreadable]), "row {i}");
    }
    assert_eq!(lines(&c.rows), vec![1, 2, 3, 4, 5]);
}

#[test]
fn png_named_csv_is_refused() {
    let dir = tempdir();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let path = write(dir.path(), "tokens.csv", png);
    let e = open_err(&path, &ReadOptions::default());
    assert_eq!(e.kind, ReadErrorKind::Unusable);
    assert!(e.message.contains("PNG"), "{}", e.message);
}

#[test]
fn binary_garbage_without_a_known_signature_is_refused() {
    let dir = tempdir();
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let path = write(dir.path(), "noise.csv", bytes);
    let e = open_err(&path, &ReadOptions::default());
    assert_eq!(e.kind, ReadErrorKind::Unusable);
}

#[test]
fn empty_files_are_refused() {
    let dir = tempdir();
    for (name, bytes) in [("empty.csv", &b""[..]), ("blank.csv", b"\n\r\n  \n"), ("bom.csv", b"\xef\xbb\xbf")] {
        let path = write(dir.path(), name, bytes);
        let e = open_err(&path, &ReadOptions::default());
        assert_eq!(e.kind, ReadErrorKind::Unusable, "{name}");
        assert!(e.message.contains("empty") || e.message.contains("no data"), "{name}: {}", e.message);
    }
    let missing = open_err(&dir.path().join("nope.csv"), &ReadOptions::default());
    assert_eq!(missing.kind, ReadErrorKind::Unusable);
}

/// Writes `head`, then `fill` bytes of `byte` in 1 MB pieces, then `tail`.
fn write_big(path: &Path, head: &[u8], byte: u8, fill: usize, tail: &[u8]) {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(head).unwrap();
    let piece = vec![byte; 1 << 20];
    let mut left = fill;
    while left > 0 {
        let n = left.min(piece.len());
        out.write_all(&piece[..n]).unwrap();
        left -= n;
    }
    out.write_all(tail).unwrap();
    out.flush().unwrap();
}

const BIG: usize = 100 << 20;

#[test]
fn csv_with_a_100_mb_header_line_is_a_clear_error() {
    let dir = tempdir();
    let path = dir.path().join("huge-header.csv");
    let tail = format!("\n{},a,b\n", fcm(1));
    write_big(&path, b"token,external_id,", b'x', BIG, tail.as_bytes());
    let started = Instant::now();
    let result = TokenFile::open(&path, &ReadOptions::default());
    match result {
        Err(e) => assert_eq!(e.kind, ReadErrorKind::Unusable, "{}", e.message),
        Ok(file) => {
            let longest = file.columns().unwrap().iter().map(|c| c.len()).max().unwrap();
            panic!(
                "a 100 MB header line was accepted as {} columns (the longest name {} bytes) in {:?}",
                file.columns().unwrap().len(),
                longest,
                started.elapsed()
            );
        }
    }
}

#[test]
fn ndjson_with_a_100_mb_line_is_an_oversized_unreadable_row() {
    let dir = tempdir();
    let path = dir.path().join("huge-line.ndjson");
    let first =
        format!("{}\n{{\"externalCustomerId\":\"big\",\"note\":\"", native_contact("a", &push_channel(&fcm(1))));
    let last = format!("\"}}\n{}\n", native_contact("c", &push_channel(&fcm(3))));
    write_big(&path, first.as_bytes(), b'x', BIG, last.as_bytes());
    let started = Instant::now();
    let file = open(&path);
    assert_eq!(file.detected().format, Format::Ndjson);
    let v = validate(&file, &Choices::default());
    let s = &v.summary;
    assert_eq!((s.rows, s.valid, s.invalid), (3, 2, 1));
    assert_eq!(count(&v, Reason::Unreadable), 1);
    let rows = all_rows(&v, &file);
    assert_eq!(lines(&rows), vec![1, 2, 3]);
    assert!(rows[1].problems.iter().any(|p| p.message.contains("1 MB")), "{:?}", rows[1].problems);
    assert_eq!(external_id(&rows[2]), Some("c"));
    eprintln!("100 MB NDJSON line read in {:?}", started.elapsed());
}

#[test]

fn ndjson_oversized_last_line_ending_on_a_block_boundary_is_still_a_row() {
    let dir = tempdir();
    let path = dir.path().join("edge.ndjson");
    let first = format!("{}\n", native_contact("a", &push_channel(&fcm(1))));
    // The whole file is exactly 3 MiB and its last line (over 1 MB) has no line break.
    let fill = (3 << 20) - first.len();
    write_big(&path, first.as_bytes(), b'x', fill, b"");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 3 << 20);
    let file = open(&path);
    let v = validate(&file, &Choices::default());
    assert_eq!(v.summary.rows, 2, "the oversized last line is a row (Unreadable), not dropped");
    assert_eq!(count(&v, Reason::Unreadable), 1);
}

#[test]
fn ndjson_oversized_last_line_without_a_line_break_is_a_row() {
    let dir = tempdir();
    let path = dir.path().join("edge.ndjson");
    let first = format!("{}\n", native_contact("a", &push_channel(&fcm(1))));
    write_big(&path, first.as_bytes(), b'x', (3 << 20) + 1000, b"");
    let file = open(&path);
    let v = validate(&file, &Choices::default());
    assert_eq!((v.summary.rows, v.summary.invalid), (2, 1));
    assert_eq!(count(&v, Reason::Unreadable), 1);
}

#[test]
fn invalid_utf8_in_one_row_makes_that_row_unreadable_when_utf8_is_forced() {
    let mut bytes =
        format!("token,external_id,os,first_name\n{},x1,Android,Ann\n{},x2,Android,J", fcm(1), fcm(2)).into_bytes();
    bytes.extend_from_slice(b"\xff\xferg");
    bytes.extend_from_slice(format!("\n{},x3,Android,Olena\n", fcm(3)).as_bytes());
    let dir = tempdir();
    let path = write(dir.path(), "bad-bytes.csv", &bytes);
    let options = ReadOptions { encoding: Some("utf-8".into()), ..ReadOptions::default() };
    let file = open_with(&path, &options);
    let v = validate(&file, &with_app());
    assert_eq!((v.summary.rows, v.summary.valid, v.summary.invalid), (3, 2, 1));
    let rows = all_rows(&v, &file);
    assert_eq!(reasons(&rows[1]), BTreeSet::from([Reason::Unreadable]));
    assert!(rows[1].problems[0].message.contains("first_name"), "{}", rows[1].problems[0].message);
    assert_eq!(rows[1].line, 3);
}

#[test]
fn one_bad_byte_in_a_utf8_file_does_not_garble_every_name() {
    let mut bytes = format!(
        "token,external_id,os,first_name\n{},x1,Android,Олена\n{},x2,Android,Іван\n{},x4,Android,J",
        fcm(1),
        fcm(2),
        fcm(4)
    )
    .into_bytes();
    bytes.extend_from_slice(b"\xffrg");
    bytes.extend_from_slice(format!("\n{},x3,Android,Михайло\n", fcm(3)).as_bytes());
    let dir = tempdir();
    let path = write(dir.path(), "stray-byte.csv", &bytes);
    let file = open(&path);
    let v = validate(&file, &with_app());
    let rows = all_rows(&v, &file);
    assert_eq!(first_name(&rows[0]), Some("Олена"), "detected {:?}", file.detected().encoding);
    assert_eq!(first_name(&rows[3]), Some("Михайло"));
    assert_eq!(reasons(&rows[2]), BTreeSet::from([Reason::Unreadable]));
}

#[test]
fn invalid_utf8_after_the_sniffed_sample_makes_that_row_unreadable() {
    let mut text = String::from("token,external_id,os,first_name\n");
    let mut i = 0;
    while text.len() < 80 * 1024 {
        text.push_str(&format!("{},x{i},Android,Олена\n", fcm(i)));
        i += 1;
    }
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(format!("{},bad,Android,J", fcm(i)).as_bytes());
    bytes.extend_from_slice(b"\xff\xfe\n");
    bytes.extend_from_slice(format!("{},last,Android,Ann\n", fcm(i + 1)).as_bytes());
    let dir = tempdir();
    let path = write(dir.path(), "late-bad-bytes.csv", &bytes);
    let file = open(&path);
    assert_eq!(file.detected().encoding.as_deref(), Some("UTF-8"));
    let v = validate(&file, &with_app());
    assert_eq!(v.summary.invalid, 1);
    assert_eq!(count(&v, Reason::Unreadable), 1);
    assert_eq!(v.summary.rows, i as u64 + 2);
    assert_eq!(v.indices(RowFilter::Invalid), vec![i as u64]);
}

#[test]
fn json_nesting_bomb_is_a_row_error_not_a_stack_overflow() {
    let depth = 100_000;
    let bomb = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let object_bomb = format!("{{\"channels\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
    let body = format!(
        "{{\"contacts\":[{},\n{bomb},\n{object_bomb},\n{}]}}",
        seed_contact("a", &fcm(1)),
        seed_contact("b", &fcm(2))
    );
    let c = check("bomb.json", &body, &Choices::default());
    let s = &c.v.summary;
    assert_eq!((s.rows, s.valid, s.invalid), (4, 2, 2));
    assert_eq!(reasons(&c.rows[1]), BTreeSet::from([Reason::Unreadable]));
    assert_eq!(reasons(&c.rows[2]), BTreeSet::from([Reason::Unreadable]));
    // The same bomb in a bare array and as NDJSON.
    let array = check("bomb-array.json", &format!("[{bomb},\n{}]", seed_contact("a", &fcm(1))), &Choices::default());
    assert_eq!((array.v.summary.rows, array.v.summary.invalid), (2, 1));
    let lines_file =
        check("bomb.ndjson", &format!("{object_bomb}\n{}\n", seed_contact("a", &fcm(1))), &Choices::default());
    assert_eq!((lines_file.v.summary.rows, lines_file.v.summary.invalid), (2, 1));
}

#[test]
fn csv_unclosed_quote_does_not_silently_lose_the_rows_after_it() {
    let mut text = String::from("token,external_id,os\n");
    for i in 0..10 {
        let quote = if i == 3 { "\"" } else { "" };
        text.push_str(&format!("{},{quote}x{i},Android\n", fcm(i)));
    }
    let dir = tempdir();
    let path = write(dir.path(), "quote.csv", &text);
    // The error may come when the file is opened (a small file is read whole) or from the pass.
    let result = TokenFile::open(&path, &ReadOptions::default()).and_then(|file| try_validate(&file, &with_app()));
    match result {
        Err(e) => {
            assert_eq!(e.kind, ReadErrorKind::Unusable);
            assert!(e.message.contains("line 5"), "{}", e.message);
        }
        Ok(v) => assert_eq!(v.summary.rows, 10, "rows after the bad quote are lost"),
    }
}

/// Found in review: inputs that once changed a value silently, panicked, or gave a per-row
/// message for what is a file-level choice.
#[test]
fn review_findings_give_clear_answers() {
    let dir = tempdir();
    // A number too long for the parser to keep: refused, not sent as another id.
    let big = write(
        dir.path(),
        "big.json",
        r#"[{"externalCustomerId":123456789012345678901234,"channels":[{"type":"email","value":"a@b.com"}]}]"#,
    );
    let v = validate(&open(&big), &Choices::default());
    assert_eq!((v.summary.rows, v.summary.invalid), (1, 1));
    assert_eq!(v.summary.reasons.get(&Reason::Unreadable), Some(&1));
    // 300 channels of one type: counted without overflow.
    let channels: Vec<String> = (0..300).map(|i| format!(r#"{{"type":"email","value":"a{i}@b.com"}}"#)).collect();
    let many = write(
        dir.path(),
        "many.json",
        format!(r#"[{{"externalCustomerId":"1","channels":[{}]}}]"#, channels.join(",")),
    );
    let v = validate(&open(&many), &Choices::default());
    assert_eq!(v.summary.reasons.get(&Reason::TooManyChannels), Some(&1));
    // One object over several lines is not NDJSON.
    let pretty = write(dir.path(), "pretty.json", "{\n \"externalCustomerId\": \"1\",\n \"channels\": []\n}\n");
    let e = TokenFile::open(&pretty, &ReadOptions::default()).err().expect("refused");
    assert!(e.message.contains("one JSON object over several lines"), "{}", e.message);
    // Keys a table cannot give are refused once, before the pass.
    let csv = write(dir.path(), "t.csv", format!("token,external_id\n{},1\n", fcm(1)));
    let file = open(&csv);
    for (dedupe, field_id, says) in [(DedupeOn::Id, None, "contact ids"), (DedupeOn::FieldId, None, "--field-id")] {
        let choices = Choices { dedupe_on: Some(dedupe), field_id, ..with_app() };
        let e = validate_file(&file, &choices, &mut |_| {}, &AtomicBool::new(false)).err().expect("refused");
        assert!(e.message.contains(says), "{}", e.message);
    }
}
