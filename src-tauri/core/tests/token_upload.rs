//! The upload job against the sandbox over HTTP: every row accounted for through faults, cancel
//! and resume, nothing sent without the rights, no resume on a changed file.

mod common;

use common::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use yespo_core::tokens::journal::{BatchState, Counts, JobState, Journal, RowOutcome};
use yespo_core::tokens::upload::{self, ProgressSink, UploadOptions, UploadProgress, UploadSource};
use yespo_core::tokens::{validate_file, Choices, ReadOptions, TokenFile};
use yespo_core::yespo::models::Contact;
use yespo_core::yespo::{Auth, ContactSearch, YespoClient};
use yespo_core::{ErrorCode, Secret};
use yespo_sandbox::{Right, Sandbox};

const APP: &str = "83b77a49-fc28-409b-aeaa-68c9d544ab9d";

fn token(i: usize) -> String {
    format!("{:064x}", (i as u128) * 7919 + 1)
}

fn ext(i: usize) -> String {
    format!("up-{i:06}")
}

/// A token file of `n` rows; the first ones carry `existing` contacts' external ids.
fn write_tokens(dir: &Path, name: &str, n: usize, existing: &[String]) -> PathBuf {
    let mut text = String::from("external_id,push_token,os,device_model,app_version\n");
    for i in 0..n {
        let id = existing.get(i).cloned().unwrap_or_else(|| ext(i));
        let (os, model) = if i % 2 == 0 { ("iOS", "iPhone 15") } else { ("Android", "Pixel 8") };
        text.push_str(&format!("{id},{},{os},{model},5.{}.0\n", token(i), i % 10));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn source(path: &Path) -> UploadSource {
    let file = TokenFile::open(path, &ReadOptions::default()).unwrap();
    let choices = Choices { app_id: Some(APP.into()), ..Choices::default() };
    let validation = validate_file(&file, &choices, &mut |_| {}, &Default::default()).unwrap();
    UploadSource { file: Arc::new(file), validation: Arc::new(validation), read_options: ReadOptions::default() }
}

/// The same file checked again with a job's recipe, as a resume does.
fn source_for_job(journal: &Journal, job: i64) -> UploadSource {
    let record = journal.job(job).unwrap().unwrap();
    let (recipe, _) = upload::job_setup(&record).unwrap();
    let file = TokenFile::open(Path::new(&record.job.file_path), &recipe.read_options).unwrap();
    let validation = validate_file(&file, &recipe.choices(), &mut |_| {}, &Default::default()).unwrap();
    UploadSource { file: Arc::new(file), validation: Arc::new(validation), read_options: recipe.read_options }
}

fn key_client(sandbox: &Sandbox, right: Right) -> YespoClient {
    YespoClient::builder(&format!("{}/api", sandbox.base_url()), Auth::ApiKey(Secret::new(sandbox.api_key(right))))
        .build()
        .unwrap()
}

fn fast() -> UploadOptions {
    UploadOptions {
        poll_first: Duration::from_millis(20),
        poll_max: Duration::from_millis(200),
        retry_first: Duration::from_millis(20),
        retry_max: Duration::from_millis(200),
        unknown_after: Duration::from_secs(60),
        send_attempts: 20,
        ..UploadOptions::default()
    }
}

/// Progress events, kept.
fn recorder() -> (ProgressSink, Arc<Mutex<Vec<UploadProgress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let seen = seen.clone();
        Arc::new(move |p: UploadProgress| seen.lock().unwrap().push(p)) as ProgressSink
    };
    (sink, seen)
}

fn adds_up(c: &Counts) {
    assert_eq!(c.unaccounted, 0, "{c:?}");
    assert_eq!(c.confirmed + c.rejected + c.failed + c.superseded + c.not_sent + c.unconfirmed, c.rows, "{c:?}");
}

async fn find(client: &YespoClient, external: &str) -> Option<Contact> {
    let search = ContactSearch { external_customer_id: Some(external.into()), ..ContactSearch::default() };
    client.search_contacts(&search, 1, 5).await.unwrap().items.into_iter().next()
}

/// Every contact of the account by id (pages of 500, as an export reads them).
async fn all_contacts(client: &YespoClient) -> HashMap<i64, Contact> {
    let mut out = HashMap::new();
    let mut start = 1;
    loop {
        let page = client.search_contacts(&ContactSearch::default(), start, 500).await.unwrap();
        let n = page.items.len();
        for c in page.items {
            assert!(out.insert(c.id.unwrap(), c).is_none(), "a contact listed twice");
        }
        if n < 500 {
            return out;
        }
        start += 500;
    }
}

async fn total(client: &YespoClient) -> u64 {
    client.search_contacts(&ContactSearch::default(), 1, 1).await.unwrap().total.expect("TotalCount")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_contacts_are_found_with_their_tokens_and_other_fields_stay() {
    let sandbox = sandbox(100, |_| {}).await;
    let client = key_client(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    // 20 rows update contacts that exist, with names, emails and addresses the file lacks.
    let mut before = HashMap::new();
    for i in 1..=40 {
        let id = format!("cus-{i:06}");
        if let Some(c) = find(&client, &id).await {
            before.insert(id, c);
        }
    }
    let existing: Vec<String> = before.keys().take(20).cloned().collect();
    let mut before_full = HashMap::new();
    for id in &existing {
        before_full.insert(id.clone(), client.contact(before[id].id.unwrap()).await.unwrap());
    }
    assert_eq!(existing.len(), 20, "the demo account has contacts with external ids");
    let contacts_before = total(&client).await;
    let path = write_tokens(dir.path(), "tokens.csv", 10_000, &existing);
    let src = source(&path);
    let settings = src.validation.summary.settings.clone();
    assert!(!settings.contact_fields.iter().any(|f| f == "firstName" || f == "email"), "{:?}", settings.contact_fields);

    let dry = upload::dry_run(&src.validation, &settings);
    assert_eq!((dry.contacts, dry.requests), (10_000, 4));
    assert!(dry.kept.iter().any(|f| f == "email"), "{:?}", dry.kept);
    assert!(dry.overwritten.iter().all(|f| f != "externalCustomerId"), "the dedupe field is never updated");
    assert!(dry.side_effects.iter().any(|s| s.contains("generate events")));
    upload::check_rights(&client, settings.dedupe_on).await.expect("a full-access key may update contacts");

    let journal_path = dir.path().join("uploads.sqlite");
    let job = upload::create_job(&Journal::open(&journal_path).unwrap(), &src, &settings, "demo").unwrap();
    let (sink, seen) = recorder();
    let report =
        upload::run(&journal_path, job, client.clone(), src, fast(), sink, CancellationToken::new()).await.unwrap();
    assert_eq!(report.state, JobState::Finished);
    assert_eq!((report.counts.rows, report.counts.confirmed), (10_000, 10_000), "{:?}", report.counts);
    adds_up(&report.counts);
    assert_eq!(report.requests, 4);

    // Progress: throttled counters plus every state change, ending with the job's.
    let seen = seen.lock().unwrap();
    assert_eq!(seen.last().unwrap().state, JobState::Finished);
    assert_eq!(seen.last().unwrap().confirmed, 10_000);
    let confirmations = seen.iter().filter(|p| p.batch.is_some_and(|b| b.state == BatchState::Confirmed)).count();
    assert_eq!(confirmations, 4, "each batch's confirmation is reported");

    // Every row is in Yespo with its token and device, under the id the import mapping gave.
    let journal = Journal::open(&journal_path).unwrap();
    let ids: HashMap<u64, Option<i64>> = journal.confirmed(job).unwrap().into_iter().collect();
    assert_eq!(ids.len(), 10_000);
    // Every row is in Yespo under the id the import mapping gave, with its token and device.
    let everyone = all_contacts(&client).await;
    let distinct: std::collections::HashSet<i64> = ids.values().map(|id| id.expect("a contact id")).collect();
    assert_eq!(distinct.len(), 10_000, "10,000 rows, 10,000 contacts");
    for i in 0..10_000usize {
        let c = &everyone[&ids[&(i as u64)].unwrap()];
        let push = c.channels.iter().find(|ch| ch.kind.as_deref() == Some("mobilepush")).expect("a push channel");
        assert_eq!(push.value.as_deref(), Some(token(i).as_str()), "row {i}");
        let device = push.device.as_ref().expect("its device");
        assert_eq!(device.os.as_deref(), Some(if i % 2 == 0 { "iOS" } else { "Android" }));
        assert_eq!(device.device_model.as_deref(), Some(if i % 2 == 0 { "iPhone 15" } else { "Pixel 8" }));
        assert_eq!(device.app_version.as_deref(), Some(format!("5.{}.0", i % 10).as_str()));
        assert_eq!(device.app_id.as_deref(), Some(APP));
    }
    // Found by external id (every existing one and a sample of the new), as the same contact.
    for i in (0..20).chain((20..10_000).step_by(97)) {
        let id = existing.get(i).cloned().unwrap_or_else(|| ext(i));
        let c = find(&client, &id).await.unwrap_or_else(|| panic!("{id} is not found by its external id"));
        assert_eq!(c.id, ids[&(i as u64)], "row {i}");
        if let Some(old) = before.get(&id) {
            // Fields the file does not carry stay as they were (contactFields lists only the file's).
            assert_eq!((&c.first_name, &c.last_name), (&old.first_name, &old.last_name), "row {i}");
            assert_eq!(c.channel("email"), old.channel("email"), "row {i}");
            assert_eq!(c.channel("sms"), old.channel("sms"), "row {i}");
            assert_eq!(c.fields, old.fields, "row {i}");
            let (full, full_before) = (client.contact(c.id.unwrap()).await.unwrap(), &before_full[&id]);
            assert_eq!(full.address, full_before.address, "row {i}");
            assert_eq!(full.language_code, full_before.language_code, "row {i}");
        }
    }
    assert_eq!(total(&client).await, contacts_before + 10_000 - 20, "each contact once");
}
