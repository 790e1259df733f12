//! The upload job against the sandbox over HTTP: every row accounted for through faults, cancel
//! and resume, nothing sent without the rights, no resume on a changed file.

mod common;

use common::MemoryStore;
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
    let seen = std::mem::take(&mut *seen.lock().unwrap());
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

/// Creates a job for `path` and runs it.
async fn upload_file(
    journal_path: &Path,
    path: &Path,
    client: &YespoClient,
    options: UploadOptions,
    sink: ProgressSink,
    cancel: CancellationToken,
) -> (i64, upload::RunReport) {
    let src = source(path);
    let settings = src.validation.summary.settings.clone();
    let job = upload::create_job(&Journal::open(journal_path).unwrap(), &src, &settings, "demo").unwrap();
    let report = upload::run(journal_path, job, client.clone(), src, options, sink, cancel).await.unwrap();
    (job, report)
}

/// Resumes `job` on its file as it is now.
async fn resume(journal_path: &Path, job: i64, client: &YespoClient) -> upload::RunReport {
    let journal = Journal::open(journal_path).unwrap();
    upload::may_resume(&journal.job(job).unwrap().unwrap(), "demo").unwrap();
    let src = source_for_job(&journal, job);
    upload::run(journal_path, job, client.clone(), src, fast(), recorder().0, CancellationToken::new()).await.unwrap()
}

/// A file with `n` good rows, 3 invalid rows and 2 rows a later duplicate supersedes.
fn write_mixed(dir: &Path, name: &str, n: usize) -> PathBuf {
    let path = write_tokens(dir, name, n, &[]);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("bad-1,{},Symbian,x,1\n,", token(900_000)));
    text.push_str(&token(900_001));
    text.push_str(",iOS,x,1\nbad-3,,Android,x,1\n");
    // Rows 0 and 1 again, later: these win, the first ones are superseded.
    for i in 0..2 {
        text.push_str(&format!("{},{},iOS,iPhone 16,6.0.0\n", ext(i), token(i)));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_storm_loses_no_row_and_yespo_holds_each_contact_once() {
    let s = setup(Arc::new(MemoryStore::default()), |k| {
        k.access_token_ttl_secs = 3;
        k.rate_limits = true;
        k.import_speed = 6_000;
    })
    .await;
    let account = log_in(&s).await;
    let client = s.sessions.client(&account.id).await.unwrap();
    let contacts_before = total(&client).await;
    let refreshes_before = s.sandbox.token_requests("refresh_token");
    let dir = tempfile::tempdir().unwrap();
    let path = write_mixed(dir.path(), "storm.csv", 30_000);
    s.sandbox.update_knobs(|k| {
        k.error_rate = 0.10;
        k.drop_rate = 0.05;
        k.burst_429 = 3;
        k.import_fail_next = 1;
    });
    // A second burst of 429s mid-way.
    let burst = {
        let knobs = s.sandbox.knobs();
        let sandbox_url = s.sandbox.base_url().to_string();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            // Not `import_fail_next` again: the knobs were read before the first import
            // spent it, and a second ERROR would not be the one this test plans.
            let k = yespo_sandbox::Knobs { burst_429: 4, import_fail_next: 0, ..knobs };
            http().put(format!("{sandbox_url}/__sandbox/knobs")).json(&k).send().await.unwrap();
        })
    };
    let journal_path = dir.path().join("uploads.sqlite");
    let (job, report) =
        upload_file(&journal_path, &path, &client, fast(), recorder().0, CancellationToken::new()).await;
    burst.await.unwrap();
    s.sandbox.update_knobs(|k| {
        k.error_rate = 0.0;
        k.drop_rate = 0.0;
    });
    let c = report.counts;
    adds_up(&c);
    assert_eq!(report.state, JobState::Finished, "{report:?}");
    assert_eq!((c.rows, c.rejected, c.superseded), (30_005, 3, 2), "{c:?}");
    assert_eq!((c.unconfirmed, c.not_sent), (0, 0), "{c:?}");
    assert!(report.requests >= 10, "{}", report.requests);
    assert!(
        s.sandbox.token_requests("refresh_token") > refreshes_before,
        "the token expired and was refreshed mid-upload"
    );

    // The one import that ended in ERROR failed its batch's rows, unless the job had sent that
    // batch again anyway (its first answer dropped); either way the failed rows are its rows.
    let journal = Journal::open(&journal_path).unwrap();
    let batches = journal.batches(job).unwrap();
    assert_eq!(batches.len(), 10);
    assert_eq!(batches.iter().map(|b| b.attempts as u64).sum::<u64>(), report.requests, "every request recorded");
    let failed_batches: Vec<_> = batches.iter().filter(|b| b.state == BatchState::Failed).collect();
    assert!(failed_batches.len() <= 1, "{failed_batches:?}");
    assert_eq!(c.failed, failed_batches.iter().map(|b| b.contacts).sum::<u64>(), "{c:?}");
    for b in &failed_batches {
        assert!(b.error.as_deref().unwrap_or_default().contains("ERROR"), "{b:?}");
    }
    let outcomes = journal.outcomes(job).unwrap();
    assert!(outcomes.iter().filter(|o| o.2 == RowOutcome::Rejected).all(|o| o.1 >= 30_002 && o.3.is_some()));
    assert_eq!(
        outcomes.iter().filter(|o| o.2 == RowOutcome::Superseded).map(|o| o.1).collect::<Vec<_>>(),
        vec![2, 3],
        "lines 2 and 3 lose to their later duplicates"
    );

    // Yespo holds each confirmed row's contact once, with its token; nothing else was created.
    let everyone = all_contacts(&client).await;
    let confirmed = journal.confirmed(job).unwrap();
    assert_eq!(confirmed.len() as u64, c.confirmed);
    for (row, id) in &confirmed {
        let contact = &everyone[&id.expect("a contact id")];
        let token_of_row = if *row >= 30_005 - 2 { token((*row - 30_003) as usize) } else { token(*row as usize) };
        assert_eq!(contact.channel("mobilepush"), Some(token_of_row.as_str()), "row {row}");
    }
    assert_eq!(total(&client).await, contacts_before + c.confirmed, "each contact once, and no other");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_mid_way_accounts_for_every_row_and_resume_sends_only_the_rest() {
    let sandbox = sandbox(0, |k| k.import_speed = 4_000).await;
    let client = key_client(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let path = write_mixed(dir.path(), "cancel.csv", 15_000);
    let journal_path = dir.path().join("uploads.sqlite");
    let cancel = CancellationToken::new();
    let sink = {
        let cancel = cancel.clone();
        Arc::new(move |p: UploadProgress| {
            if p.batch.is_some_and(|b| b.state == BatchState::Confirmed) {
                cancel.cancel();
            }
        }) as ProgressSink
    };
    // Two batches in memory at once: the third is sent only once the first is confirmed.
    let options = UploadOptions { max_pending: 2, ..fast() };
    let (job, first) = upload_file(&journal_path, &path, &client, options, sink, cancel).await;
    let c = first.counts;
    adds_up(&c);
    assert_eq!(first.state, JobState::Cancelled);
    assert!(c.confirmed >= 3000 && c.not_sent > 0, "{c:?}");
    assert_eq!((c.rejected, c.superseded), (3, 2));
    let journal = Journal::open(&journal_path).unwrap();
    assert_eq!(journal.unfinished().unwrap()[0].id, job, "the job is offered for resume");
    let confirmed_first: Vec<u64> = journal
        .batches(job)
        .unwrap()
        .iter()
        .filter(|b| b.state == BatchState::Confirmed)
        .map(|b| b.first_line)
        .collect();
    let requests_so_far = sandbox.bulk_requests().len();

    let second = resume(&journal_path, job, &client).await;
    assert_eq!(second.state, JobState::Finished);
    adds_up(&second.counts);
    assert_eq!((second.counts.confirmed, second.counts.rows), (15_000, 15_005), "{:?}", second.counts);
    // No batch confirmed in the first run was sent again.
    let first_keys: Vec<String> = confirmed_first.iter().map(|line| ext((*line - 2) as usize)).collect();
    for r in &sandbox.bulk_requests()[requests_so_far..] {
        assert!(!first_keys.contains(r.first_key.as_ref().unwrap()), "{r:?} was confirmed before");
    }
    assert_eq!(total(&client).await, 15_000, "each contact once");
    assert!(journal.unfinished().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changed_after_a_stop_is_not_resumed() {
    let sandbox = sandbox(0, |_| {}).await;
    let client = key_client(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tokens(dir.path(), "tokens.csv", 4000, &[]);
    let journal_path = dir.path().join("uploads.sqlite");
    let stopped = CancellationToken::new();
    stopped.cancel();
    let (job, report) = upload_file(&journal_path, &path, &client, fast(), recorder().0, stopped).await;
    assert_eq!((report.state, report.counts.not_sent), (JobState::Cancelled, 4000));
    assert!(sandbox.bulk_requests().is_empty(), "a cancelled job sends nothing");

    // The same size, one character different: only the content fingerprint tells.
    let text = std::fs::read_to_string(&path).unwrap().replacen(&token(7), &token(7).replace('0', "1"), 1);
    assert_eq!(text.len() as u64, std::fs::metadata(&path).unwrap().len());
    std::fs::write(&path, text).unwrap();
    let journal = Journal::open(&journal_path).unwrap();
    let record = journal.job(job).unwrap().unwrap();
    upload::may_resume(&record, "demo").expect("the quick checks pass: same size");
    let again = source_for_job(&journal, job);
    let err = upload::same_content(&record, &again.validation).unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(err.message.contains("changed since job"), "{}", err.message);
    let err = upload::run(&journal_path, job, client.clone(), again, fast(), recorder().0, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(err.message.contains("resume refused"), "{}", err.message);
    // Another account may not resume it either.
    let err = upload::may_resume(&record, "someone else").unwrap_err();
    assert!(err.message.contains("uploads to the account 'demo'"), "{}", err.message);
    // A different size is refused before the file is read.
    std::fs::write(&path, "external_id,push_token\n").unwrap();
    assert!(upload::may_resume(&record, "demo").unwrap_err().message.contains("changed since job"));
    assert!(sandbox.bulk_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_without_contact_rights_is_refused_before_any_contact_is_sent() {
    let sandbox = sandbox(0, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let path = write_tokens(dir.path(), "tokens.csv", 10, &[]);
    for right in [Right::Events, Right::Messages] {
        let client = key_client(&sandbox, right);
        let err =
            upload::check_rights(&client, yespo_core::yespo::models::DedupeOn::ExternalCustomerId).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
        assert!(err.message.contains("may not update contacts"), "{}", err.message);
        assert!(err.message.contains("Access to events and contacts"), "names the right: {}", err.message);
    }
    // Run anyway: the first 403 stops the job; nothing reached the import.
    let client = key_client(&sandbox, Right::Events);
    let journal_path = dir.path().join("uploads.sqlite");
    let (_, report) = upload_file(&journal_path, &path, &client, fast(), recorder().0, CancellationToken::new()).await;
    assert_eq!(report.state, JobState::Interrupted);
    assert_eq!(report.error.as_ref().map(|e| e.code), Some(ErrorCode::Forbidden));
    assert_eq!(report.counts.not_sent, 10);
    adds_up(&report.counts);
    assert!(sandbox.bulk_requests().is_empty(), "no contact was sent");
    // The full-access key passes the same check.
    upload::check_rights(&key_client(&sandbox, Right::FullAccess), yespo_core::yespo::models::DedupeOn::Push)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_still_running_is_check_later_and_a_recheck_confirms_it() {
    let sandbox = sandbox(0, |k| k.import_speed = 1_000).await;
    let client = key_client(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tokens(dir.path(), "tokens.csv", 2_000, &[]);
    let journal_path = dir.path().join("uploads.sqlite");
    let options = UploadOptions { unknown_after: Duration::from_millis(300), ..fast() };
    let (job, report) =
        upload_file(&journal_path, &path, &client, options, recorder().0, CancellationToken::new()).await;
    assert_eq!(report.state, JobState::Finished);
    assert_eq!((report.counts.unconfirmed, report.counts.confirmed), (2_000, 0));
    let journal = Journal::open(&journal_path).unwrap();
    let summary = upload::report::summary(&journal, job).unwrap();
    assert_eq!((summary.batches.unknown, summary.check_later.len()), (1, 1));
    let outcome = &journal.outcomes(job).unwrap()[0];
    assert!(outcome.3.as_deref().unwrap().contains("check again later"), "{outcome:?}");

    // Later, from the history.
    let mut counts = upload::recheck(&journal_path, job, &client).await.unwrap();
    for _ in 0..100 {
        if counts.confirmed == 2_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        counts = upload::recheck(&journal_path, job, &client).await.unwrap();
    }
    assert_eq!((counts.confirmed, counts.unconfirmed), (2_000, 0), "{counts:?}");
    adds_up(&counts);
    assert_eq!(upload::report::summary(&journal, job).unwrap().batches.confirmed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_lists_every_row_that_was_not_confirmed_with_why() {
    let sandbox = sandbox(0, |_| {}).await;
    let client = key_client(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let path = write_mixed(dir.path(), "mixed.csv", 100);
    let journal_path = dir.path().join("uploads.sqlite");
    let (job, report) =
        upload_file(&journal_path, &path, &client, fast(), recorder().0, CancellationToken::new()).await;
    assert_eq!((report.counts.confirmed, report.counts.rejected, report.counts.superseded), (100, 3, 2));
    let journal = Journal::open(&journal_path).unwrap();
    let out = dir.path().join("report.csv");
    let written = upload::report::write_csv(&journal, job, &source_for_job(&journal, job), &out).unwrap();
    assert_eq!(written, 5);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("external_id,push_token,os,device_model,app_version,line,outcome,reason"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 5, "{text}");
    assert!(
        rows[0].starts_with(&format!("{},{},iOS,iPhone 15,5.0.0,2,superseded,line 105", ext(0), token(0))),
        "{}",
        rows[0]
    );
    assert!(rows[2].contains(",104,rejected,") || rows.iter().any(|r| r.contains(",rejected,")), "{text}");
    assert_eq!(rows.iter().filter(|r| r.contains(",rejected,")).count(), 3, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_runs_once_at_a_time() {
    let sandbox = sandbox(0, |k| k.import_speed = 3_000).await;
    let client = key_client(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tokens(dir.path(), "tokens.csv", 6_000, &[]);
    let journal_path = dir.path().join("uploads.sqlite");
    let src = source(&path);
    let settings = src.validation.summary.settings.clone();
    let job = upload::create_job(&Journal::open(&journal_path).unwrap(), &src, &settings, "demo").unwrap();
    let first = {
        let (journal_path, client, src) = (journal_path.clone(), client.clone(), src.clone());
        tokio::spawn(async move {
            upload::run(&journal_path, job, client, src, fast(), recorder().0, CancellationToken::new()).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second =
        upload::run(&journal_path, job, client.clone(), src.clone(), fast(), recorder().0, CancellationToken::new())
            .await
            .unwrap_err();
    assert!(second.message.contains("is being uploaded right now"), "{}", second.message);
    let report = first.await.unwrap().unwrap();
    assert_eq!(report.counts.confirmed, 6_000);
    assert_eq!(sandbox.bulk_requests().len(), 2, "the second run sent nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_every_answer_is_lost_the_job_sends_again_and_yespo_still_holds_each_contact_once() {
    let sandbox = sandbox(0, |k| k.drop_rate = 1.0).await;
    let client = key_client(&sandbox, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let path = write_tokens(dir.path(), "tokens.csv", 6_000, &[]);
    let journal_path = dir.path().join("uploads.sqlite");
    // The network comes back after a while; half the lost answers were to requests that took effect.
    let heal = {
        let url = format!("{}/__sandbox/knobs", sandbox.base_url());
        let knobs = yespo_sandbox::Knobs { drop_rate: 0.0, ..sandbox.knobs() };
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(800)).await;
            http().put(url).json(&knobs).send().await.unwrap();
        })
    };
    let (job, report) =
        upload_file(&journal_path, &path, &client, fast(), recorder().0, CancellationToken::new()).await;
    heal.await.unwrap();
    assert_eq!((report.state, report.counts.confirmed), (JobState::Finished, 6_000), "{report:?}");
    let batches = Journal::open(&journal_path).unwrap().batches(job).unwrap();
    assert!(batches.iter().all(|b| b.attempts > 1), "each batch was sent again: {batches:?}");
    assert!(sandbox.bulk_requests().len() > 2, "some lost answers had taken effect");
    assert_eq!(total(&client).await, 6_000, "each contact once");
}
