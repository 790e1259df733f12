//! `tokens upload`, `history` and `status` of the real binary against the Yespo sandbox over
//! HTTP: exit codes and the `--json` object, a SIGKILL mid-upload then `--resume` (no confirmed
//! batch sent twice, every contact once), Ctrl-C then resume, and the refusals.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use yespo_core::tokens::journal::{BatchState, Journal};
use yespo_core::yespo::{Auth, ContactSearch, YespoClient};
use yespo_core::Secret;
use yespo_sandbox::{Right, Sandbox};

const BIN: &str = env!("CARGO_BIN_EXE_yespo-admin-cli");
const APP: &str = "83b77a49-fc28-409b-aeaa-68c9d544ab9d";

fn ext(i: usize) -> String {
    format!("mig-{i:06}")
}

fn write_tokens(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::from("external_id,push_token,os\n");
    for i in 0..n {
        text.push_str(&format!("{},{:064x},{}\n", ext(i), i * 7919 + 1, if i % 2 == 0 { "iOS" } else { "Android" }));
    }
    let path = dir.join("tokens.csv");
    std::fs::write(&path, text).unwrap();
    path
}

struct Cli {
    home: tempfile::TempDir,
    url: String,
    key: String,
}

impl Cli {
    fn new(sandbox: &Sandbox, right: Right) -> Cli {
        Cli {
            home: tempfile::tempdir().unwrap(),
            url: format!("{}/api", sandbox.base_url()),
            key: sandbox.api_key(right),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.env("YESPO_ADMIN_HOME", self.home.path()).env("YESPO_API_KEY", &self.key).args(args);
        c
    }

    fn upload_args<'a>(&'a self, file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["tokens", "upload", file, "--api-url", &self.url, "--app-id", APP, "--json"];
        args.extend_from_slice(extra);
        args
    }

    /// Runs to the end off the async runtime (the sandbox serves on it meanwhile).
    async fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        tokio::task::spawn_blocking(move || command.output().expect("the CLI runs")).await.unwrap()
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the CLI starts")
    }

    fn journal(&self) -> Journal {
        Journal::open(&self.home.path().join("data/uploads.sqlite")).unwrap()
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn one_object(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim_end().lines().count(),
        1,
        "one line on stdout: {text}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn assert_upload_keys(v: &Value) {
    for key in
        ["job", "rows", "confirmed", "rejected", "failed", "superseded", "not_sent", "unconfirmed", "requests", "error"]
    {
        assert!(v.get(key).is_some(), "key {key} missing in {v}");
    }
}

fn client(sandbox: &Sandbox) -> YespoClient {
    YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::FullAccess))),
    )
    .build()
    .unwrap()
}

/// How many contacts the account has per external id (pages of 500; the list has no external
/// ids, so each contact is looked up by the ids the journal confirmed).
async fn contacts_total(sandbox: &Sandbox) -> u64 {
    client(sandbox).search_contacts(&ContactSearch::default(), 1, 1).await.unwrap().total.unwrap()
}

/// Waits (polling the shared journal) until `done` holds for job 1's batches.
async fn wait_for(cli: &Cli, what: &str, done: impl Fn(&[yespo_core::tokens::journal::BatchRecord]) -> bool) {
    let started = Instant::now();
    loop {
        let batches = cli.journal().batches(1).unwrap_or_default();
        if done(&batches) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "timed out waiting for {what}: {batches:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_confirms_every_row_and_history_and_status_show_it() {
    let sandbox = yespo_sandbox::testing::sandbox(0, |_| {}).await;
    let cli = Cli::new(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let file = write_tokens(dir.path(), 6500);
    let file = file.to_str().unwrap();

    let dry = cli.run(&cli.upload_args(file, &["--dry-run"])).await;
    assert_eq!(code(&dry), 0, "{}", String::from_utf8_lossy(&dry.stderr));
    let d = one_object(&dry);
    assert_eq!((d["contacts"].as_u64(), d["requests"].as_u64()), (Some(6500), Some(3)));
    assert!(d["rights"].as_str().unwrap().starts_with("allowed"), "{d}");
    assert!(sandbox.bulk_requests().is_empty(), "a dry run sends nothing");

    let out = cli.run(&cli.upload_args(file, &[])).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let v = one_object(&out);
    assert_upload_keys(&v);
    assert_eq!(
        (v["rows"].as_u64(), v["confirmed"].as_u64(), v["requests"].as_u64()),
        (Some(6500), Some(6500), Some(3))
    );
    assert!(v["error"].is_null());
    assert_eq!(contacts_total(&sandbox).await, 6500);

    let history = one_object(&cli.run(&["tokens", "history", "--json"]).await);
    assert_eq!(history["jobs"][0]["confirmed"].as_u64(), Some(6500), "{history}");
    assert_eq!(history["jobs"][0]["state"], "finished");
    let status = one_object(&cli.run(&["tokens", "status", "1", "--json"]).await);
    assert_eq!(status["batches"]["confirmed"].as_u64(), Some(3), "{status}");
    let report = dir.path().join("report.csv");
    let status = cli.run(&["tokens", "status", "1", "--report", report.to_str().unwrap(), "--json"]).await;
    assert_eq!(one_object(&status)["reportRows"].as_u64(), Some(0), "every row was confirmed");

    let deleted = one_object(&cli.run(&["tokens", "history", "--delete", "1", "--json"]).await);
    assert_eq!(deleted["jobs"].as_array().map(Vec::len), Some(0), "{deleted}");
    assert_eq!(code(&cli.run(&["tokens", "history", "--delete", "1", "--json"]).await), 2, "no job 1 any more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_upload_then_resume_sends_no_confirmed_batch_again() {
    // Slow enough imports that the kill lands mid-way.
    let sandbox = yespo_sandbox::testing::sandbox(0, |k| k.import_speed = 6_000).await;
    let cli = Cli::new(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let file = write_tokens(dir.path(), 30_000);
    let file = file.to_str().unwrap();

    let mut child = cli.spawn(&cli.upload_args(file, &[]));
    wait_for(&cli, "two confirmed batches", |b| b.iter().filter(|b| b.state == BatchState::Confirmed).count() >= 2)
        .await;
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(status.code().is_none(), "killed by a signal, not finished");
    let journal = cli.journal();
    let batches = journal.batches(1).unwrap();
    assert!(batches.len() < 10 || batches.iter().any(|b| b.state != BatchState::Confirmed), "the kill came mid-way");
    let confirmed_keys: Vec<String> =
        batches.iter().filter(|b| b.state == BatchState::Confirmed).map(|b| ext((b.first_line - 2) as usize)).collect();
    assert!(journal.unfinished().unwrap().iter().any(|j| j.id == 1), "the killed job is unfinished");
    let seen_before = sandbox.bulk_requests().len();

    let out = cli.run(&cli.upload_args(file, &["--resume"])).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let v = one_object(&out);
    assert_upload_keys(&v);
    assert_eq!(
        (v["job"].as_i64(), v["rows"].as_u64(), v["confirmed"].as_u64()),
        (Some(1), Some(30_000), Some(30_000)),
        "{v}"
    );
    for r in &sandbox.bulk_requests()[seen_before..] {
        assert!(!confirmed_keys.contains(r.first_key.as_ref().unwrap()), "{r:?} was confirmed before the kill");
    }
    // Exactly the file's contacts, once each.
    assert_eq!(contacts_total(&sandbox).await, 30_000);
    let ids: std::collections::HashSet<i64> =
        journal.confirmed(1).unwrap().into_iter().map(|(_, id)| id.unwrap()).collect();
    assert_eq!(ids.len(), 30_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_cancels_cleanly_a_changed_file_is_refused_and_resume_finishes() {
    let sandbox = yespo_sandbox::testing::sandbox(0, |k| k.import_speed = 6_000).await;
    let cli = Cli::new(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tokens(dir.path(), 30_000);
    let file = path.to_str().unwrap();

    let child = cli.spawn(&cli.upload_args(file, &[]));
    wait_for(&cli, "a confirmed batch", |b| b.iter().any(|b| b.state == BatchState::Confirmed)).await;
    let interrupt = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(interrupt.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let v = one_object(&out);
    assert_upload_keys(&v);
    assert_eq!(v["state"], "cancelled");
    let sum: u64 = ["confirmed", "rejected", "failed", "superseded", "not_sent", "unconfirmed"]
        .iter()
        .map(|k| v[k].as_u64().unwrap())
        .sum();
    assert_eq!(Some(sum), v["rows"].as_u64(), "the counts add up: {v}");
    // Stopped mid-way: some rows confirmed, the others not sent or sent and not yet confirmed.
    let confirmed = v["confirmed"].as_u64().unwrap();
    assert!((3000..30_000).contains(&confirmed), "{v}");
    assert!(v["resume"].as_str().unwrap().contains("--resume"), "says how to resume: {v}");

    // The file changes (same size): resume is refused with the reason.
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, original.replacen("mig-000007", "mig-000008", 1)).unwrap();
    let refused = cli.run(&cli.upload_args(file, &["--resume"])).await;
    assert_eq!(code(&refused), 2);
    let r = one_object(&refused);
    assert!(r["error"].as_str().unwrap().contains("changed since job 1"), "{r}");

    // The report of the stopped job still comes, from the journal alone.
    let report = dir.path().join("report.csv");
    let status = cli.run(&["tokens", "status", "1", "--report", report.to_str().unwrap(), "--json"]).await;
    assert_eq!(code(&status), 0);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.trim_start_matches('\u{feff}').starts_with("line,outcome,reason"), "{text}");
    assert!(String::from_utf8_lossy(&status.stderr).contains("lines, outcomes and reasons only"));

    std::fs::write(&path, original).unwrap();
    let out = cli.run(&cli.upload_args(file, &["--resume"])).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(one_object(&out)["confirmed"].as_u64(), Some(30_000));
    assert_eq!(contacts_total(&sandbox).await, 30_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_rights_a_key_or_an_account_nothing_is_sent_and_the_exit_is_2() {
    let sandbox = yespo_sandbox::testing::sandbox(0, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_tokens(dir.path(), 10);
    let file = file.to_str().unwrap();

    let events_only = Cli::new(&sandbox, Right::Events);
    let out = events_only.run(&events_only.upload_args(file, &[])).await;
    assert_eq!(code(&out), 2);
    let v = one_object(&out);
    assert_upload_keys(&v);
    let error = v["error"].as_str().unwrap();
    assert!(error.contains("may not update contacts") && error.contains("Access to events and contacts"), "{error}");

    let mut no_key = events_only.command(&events_only.upload_args(file, &[]));
    no_key.env_remove("YESPO_API_KEY");
    let out = tokio::task::spawn_blocking(move || no_key.output().unwrap()).await.unwrap();
    assert_eq!(code(&out), 2);
    assert!(one_object(&out)["error"].as_str().unwrap().contains("YESPO_API_KEY"));

    let out = events_only.run(&["tokens", "upload", file, "--json"]).await;
    assert_eq!(code(&out), 2);
    assert!(one_object(&out)["error"].as_str().unwrap().contains("--account"));

    let out = events_only.run(&["tokens", "upload", file, "--account", "Nobody", "--json"]).await;
    assert_eq!(code(&out), 2);
    assert!(one_object(&out)["error"].as_str().unwrap().contains("No account named 'Nobody'"));
    assert!(sandbox.bulk_requests().is_empty(), "nothing was sent");
}
