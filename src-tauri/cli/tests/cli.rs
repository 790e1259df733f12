//! The real `yespo-admin-cli` binary on small token files: exit codes (0 all valid, 1 some
//! invalid, 2 unusable), the `--json` object a script reads, the problem export, the refusals, and
//! `tokens preview`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_yespo-admin-cli");
const APP: &str = "83b77a49-fc28-409b-aeaa-68c9d544ab9d";

fn fcm(i: usize) -> String {
    format!("f{i:07}:APA91b{}", "x".repeat(140))
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A profile of the tests' own (saved mappings), never the user's.
fn profile() -> &'static Path {
    static PROFILE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    PROFILE.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn run(args: &[&str]) -> Output {
    run_in(profile(), args)
}

fn run_in(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN).env("YESPO_ADMIN_HOME", home).args(args).output().expect("the CLI runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("the CLI exits with a code")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exactly one JSON object on stdout, with the keys every `--json` answer has.
fn one_object(out: &Output) -> Value {
    let text = stdout(out);
    assert_eq!(text.trim_end().lines().count(), 1, "one line on stdout: {text}");
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    assert!(value.is_object(), "{text}");
    value
}

fn assert_summary_keys(v: &Value) {
    for key in ["format", "encoding", "delimiter", "rows", "valid", "invalid", "warnings", "duplicates", "error"] {
        assert!(v.get(key).is_some(), "key {key} missing in {v}");
    }
}

/// `tokens validate FILE --json ARGS...`: the exit code and the object.
fn validate_json(path: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["tokens", "validate", path.to_str().unwrap(), "--json"];
    all.extend_from_slice(args);
    let out = run(&all);
    let v = one_object(&out);
    assert_summary_keys(&v);
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} is a count in {v}"));
    assert_eq!(n("valid") + n("invalid"), n("rows"), "{v}");
    (code(&out), v)
}

fn valid_csv(d: char) -> String {
    format!("token{d}external_id{d}os\n{}{d}a{d}Android\n{}{d}b{d}iOS\n", fcm(1), fcm(2))
}

#[test]
fn valid_semicolon_csv_exits_0_with_one_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", valid_csv(';'));
    let (code, v) = validate_json(&path, &["--app-id", APP]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["format"], "csv");
    assert_eq!(v["encoding"], "UTF-8");
    assert_eq!(v["delimiter"], ";");
    assert_eq!((v["rows"].as_u64(), v["valid"].as_u64(), v["invalid"].as_u64()), (Some(2), Some(2), Some(0)));
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["duplicates"], 0);
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v["mapping"]["columns"][0]["target"], "pushToken");
}

#[test]
fn tsv_delimiter_is_a_tab_in_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.tsv", valid_csv('\t'));
    let (code, v) = validate_json(&path, &["--app-id", APP]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["delimiter"], "\t");
    assert_eq!(v["rows"], 2);
    assert_eq!(v["error"], Value::Null);
}

#[test]
fn yespo_json_has_a_null_delimiter() {
    let contact = |id: &str, i: usize| {
        format!(
            r#"{{"externalCustomerId":"{id}","channels":[{{"type":"mobilepush","value":"{i:064x}","device":{{"appId":"{APP}","os":"iOS"}}}}]}}"#
        )
    };
    let body =
        format!("{{\"dedupeOn\":\"externalCustomerId\",\"contacts\":[{},{}]}}", contact("a", 1), contact("b", 2));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "body.json", body);
    let (code, v) = validate_json(&path, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["format"], "yespo-json");
    assert_eq!(v["delimiter"], Value::Null);
    assert_eq!((v["rows"].as_u64(), v["valid"].as_u64(), v["warnings"].as_u64()), (Some(2), Some(2), Some(0)));
    assert_eq!(v["dedupeOn"], "externalCustomerId");
    assert_eq!(v["error"], Value::Null);
}

#[test]
fn warnings_alone_still_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", valid_csv(','));
    // No --app-id: every token warns that it has no app id.
    let (code, v) = validate_json(&path, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["warnings"], 2);
    assert_eq!(v["invalid"], 0);
    assert_eq!(v["reasons"]["no_app_id"], 2);
}

#[test]
fn invalid_rows_exit_1_and_duplicates_are_counted() {
    let text = format!(
        "token,external_id,os,email\n{},a,Android,\n,b,Android,\n{},c,Android,john@\n{},a,Android,\n",
        fcm(1),
        fcm(3),
        fcm(4)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", text);
    let (code, v) = validate_json(&path, &["--app-id", APP]);
    assert_eq!(code, 1, "{v}");
    assert_eq!((v["rows"].as_u64(), v["valid"].as_u64(), v["invalid"].as_u64()), (Some(4), Some(2), Some(2)));
    assert_eq!(v["duplicates"], 1);
    assert_eq!(v["ready"], 1);
    assert_eq!(v["reasons"]["empty_token"], 1);
    assert_eq!(v["reasons"]["bad_email"], 1);
    assert_eq!(v["duplicateGroups"][0]["lines"], serde_json::json!([2, 5]));
    assert_eq!(v["duplicateGroups"][0]["winner"], 5);
    assert_eq!(v["error"], Value::Null);
}

fn assert_unusable(path: &Path) -> Value {
    let out = run(&["tokens", "validate", path.to_str().unwrap(), "--json"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let v = one_object(&out);
    assert_summary_keys(&v);
    let message = v["error"].as_str().unwrap_or_else(|| panic!("error is a message: {v}"));
    assert!(!message.is_empty());
    assert_eq!(v["rows"], 0);
    v
}

#[test]
fn empty_file_exits_2_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let v = assert_unusable(&write(dir.path(), "empty.csv", ""));
    assert!(v["error"].as_str().unwrap().contains("empty"), "{v}");
}

#[test]
fn truncated_json_exits_2_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let v = assert_unusable(&write(dir.path(), "cut.json", "[{\"a\":1},\n{\"b\":"));
    assert!(v["error"].as_str().unwrap().contains("line 2"), "{v}");
    assert_eq!(v["format"], "json-array", "the format was known before the pass failed");
}

#[test]
fn png_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[0; 64]);
    let v = assert_unusable(&write(dir.path(), "tokens.csv", png));
    assert!(v["error"].as_str().unwrap().contains("PNG"), "{v}");
    assert_eq!(v["format"], Value::Null);
}

#[test]
fn unusable_without_json_prints_the_error_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty.csv", "");
    let out = run(&["tokens", "validate", path.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("error:"), "{}", stderr(&out));
}

#[test]
fn problems_export_writes_the_invalid_rows() {
    let text = format!("token,external_id,os\n{},a,Android\n,b,Android\n{},c,Windows\n", fcm(1), fcm(3));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", text);
    let out_csv = dir.path().join("problems.csv");
    let (code, v) = validate_json(&path, &["--app-id", APP, "--problems", out_csv.to_str().unwrap()]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["problemRowsWritten"], 2);
    let bytes = std::fs::read(&out_csv).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0], "token,external_id,os,line,problem");
    assert!(lines[1].starts_with(",b,Android,3,"), "{}", lines[1]);
    assert!(lines[2].contains(",c,Windows,4,"), "{}", lines[2]);
    assert!(lines[2].contains("Windows"), "{}", lines[2]);
}

#[test]
fn dedupe_on_mobilepush_is_refused_with_a_hint_about_push() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", valid_csv(','));
    let (code, v) = {
        let out = run(&["tokens", "validate", path.to_str().unwrap(), "--json", "--dedupe-on", "mobilepush"]);
        (self::code(&out), one_object(&out))
    };
    assert_eq!(code, 2, "{v}");
    let message = v["error"].as_str().expect("an error message");
    assert!(message.contains("'push'"), "{message}");
    let out = run(&["tokens", "validate", path.to_str().unwrap(), "--dedupe-on", "mobilepush"]);
    assert_ne!(self::code(&out), 0);
    assert!(stderr(&out).contains("push"), "{}", stderr(&out));
    // Spelled Yespo's way it is accepted.
    let (code, v) = validate_json(&path, &["--dedupe-on", "push", "--app-id", APP]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["dedupeOn"], "push");
}

#[test]
fn a_bad_app_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", valid_csv(','));
    let out = run(&["tokens", "validate", path.to_str().unwrap(), "--json", "--app-id", "my-app"]);
    assert_eq!(code(&out), 2);
    assert!(one_object(&out)["error"].as_str().unwrap().contains("UUID"));
}

#[test]
fn a_mapping_file_maps_an_unknown_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", format!("token,uid,os\n{},u1,Android\n{},u1,Android\n", fcm(1), fcm(2)));
    let (code, v) = validate_json(&path, &["--app-id", APP]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["unmapped"], serde_json::json!(["uid"]));
    assert_eq!(v["duplicates"], 0);
    let mapping = write(
        dir.path(),
        "map.json",
        r#"{"columns":[{"column":"token","target":"pushToken"},{"column":"uid","target":"externalCustomerId"},{"column":"os","target":"os"}]}"#,
    );
    let (code, v) = validate_json(&path, &["--app-id", APP, "--mapping", mapping.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["unmapped"], serde_json::json!([]));
    assert_eq!(v["duplicates"], 1);
}

#[test]
fn a_saved_mapping_is_used_for_files_with_the_same_columns() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", format!("token,uid,os\n{},u1,Android\n{},u1,Android\n", fcm(1), fcm(2)));
    let mapping = write(
        dir.path(),
        "map.json",
        r#"{"columns":[{"column":"token","target":"pushToken"},{"column":"uid","target":"externalCustomerId"},{"column":"os","target":"os"}]}"#,
    );
    let p = path.to_str().unwrap();
    let saved = run_in(
        home.path(),
        &["tokens", "validate", p, "--json", "--app-id", APP, "--mapping", mapping.to_str().unwrap(), "--save-mapping"],
    );
    assert_eq!(code(&saved), 0, "{}", stderr(&saved));
    assert!(home.path().join("data/mappings.json").exists());
    // Another file with the same header (spelled differently) gets it without --mapping.
    let other = write(dir.path(), "again.csv", format!("Token,UID,OS\n{},u9,Android\n{},u9,Android\n", fcm(3), fcm(4)));
    let v =
        one_object(&run_in(home.path(), &["tokens", "validate", other.to_str().unwrap(), "--json", "--app-id", APP]));
    assert_eq!(v["duplicates"], 1, "{v}");
    // A profile without it: the column stays unmapped.
    let v = one_object(&run(&["tokens", "validate", other.to_str().unwrap(), "--json", "--app-id", APP]));
    assert_eq!(v["duplicates"], 0, "{v}");
}

#[test]
fn the_cli_finds_the_apps_profile_by_the_apps_identifier() {
    let conf: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tauri.conf.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(conf["identifier"], yespo_core::paths::APP_IDENTIFIER);
}

#[test]
fn encoding_and_delimiter_overrides() {
    let text = format!("token;first_name\n{};Олена\n", fcm(1));
    let bytes = cp1251(&text);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "short.csv", bytes);
    let (code, v) = validate_json(&path, &["--app-id", APP, "--encoding", "windows-1251", "--delimiter", ";"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["encoding"], "windows-1251");
    assert_eq!(v["delimiter"], ";");
    let out =
        run(&["tokens", "preview", path.to_str().unwrap(), "--json", "--encoding", "windows-1251", "--delimiter", ";"]);
    let p = one_object(&out);
    assert_eq!(p["rows"][0]["contact"]["firstName"], "Олена");
}

/// Windows-1251 for the few letters used here (the CLI crate has no encoding library).
fn cp1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            c if c.is_ascii() => c as u8,
            other => panic!("{other} is not in this little table"),
        })
        .collect()
}

#[test]
fn preview_json_returns_the_first_rows() {
    let text = format!("token,external_id,os\n{},a,Android\n,b,Android\n{},c,Android\n", fcm(1), fcm(3));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", text);
    let out = run(&["tokens", "preview", path.to_str().unwrap(), "--rows", "2", "--json", "--app-id", APP]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = one_object(&out);
    assert_eq!(v["format"], "csv");
    assert_eq!(v["columns"], serde_json::json!(["token", "external_id", "os"]));
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["valid"], true);
    assert_eq!(rows[0]["contact"]["externalCustomerId"], "a");
    assert_eq!(rows[1]["valid"], false);
    assert_eq!(rows[1]["problems"][0]["reason"], "empty_token");
}

#[test]
fn human_output_summarises_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tokens.csv", valid_csv(';'));
    let out = run(&["tokens", "validate", path.to_str().unwrap(), "--app-id", APP]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("delimiter ';'"), "{text}");
    assert!(text.contains("rows: 2"), "{text}");
    assert!(text.contains("ready to send: 2"), "{text}");
}

#[test]
fn problems_export_lines_are_right_for_crlf_files() {
    let text = format!("token,external_id,os\r\n{},a,Android\r\n,b,Android\r\n", fcm(1));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "excel.csv", text);
    let out_csv = dir.path().join("problems.csv");
    let (code, _) = validate_json(&path, &["--app-id", APP, "--problems", out_csv.to_str().unwrap()]);
    assert_eq!(code, 1);
    let text = String::from_utf8(std::fs::read(&out_csv).unwrap()[3..].to_vec()).unwrap();
    let row = text.lines().nth(1).expect("one problem row");
    assert!(row.starts_with(",b,Android,3,"), "{row}");
}
