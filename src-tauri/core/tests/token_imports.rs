//! The app's token-import registry (`tokens::imports::Imports`) against the sandbox: a file
//! opened, re-read, mapped (and the mapping remembered), checked, paged by filter, exported,
//! uploaded with its events watched; a job cancelled, then discarded with a report that adds
//! up; a job deleted.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use yespo_core::tokens::imports::{ChoicesInput, Imports, UploadEvent};
use yespo_core::tokens::journal::JobState;
use yespo_core::tokens::map::MappingStore;
use yespo_core::tokens::upload::UploadOptions;
use yespo_core::tokens::{Format, ReadOptions, RowFilter};
use yespo_core::yespo::{Auth, YespoClient};
use yespo_core::{ErrorCode, Secret};
use yespo_sandbox::Right;

const APP: &str = "83b77a49-fc28-409b-aeaa-68c9d544ab9d";

/// `n` rows; the OS column has a name no synonym matches; every 10th row's email is broken.
fn write_csv(path: &Path, n: usize) {
    let mut text = String::from("user_id;push_token;platform_of_device;app_id;email\n");
    for i in 1..=n {
        let email = if i % 10 == 0 { format!("u{i}-at-example.com") } else { format!("u{i}@example.com") };
        text.push_str(&format!(
            "imp-{i};{:064x};{};{APP};{email}\n",
            i * 31 + 7,
            if i % 2 == 0 { "iOS" } else { "Android" }
        ));
    }
    std::fs::write(path, text).unwrap();
}

fn imports(dir: &Path) -> Arc<Imports> {
    Arc::new(Imports::new(dir.join("uploads.sqlite"), MappingStore::new(dir.join("mappings.json"))))
}

async fn ended(events: &Mutex<Vec<UploadEvent>>) -> UploadEvent {
    for _ in 0..600 {
        if let Some(last) = events.lock().unwrap().last().cloned() {
            if matches!(last, UploadEvent::Ended(_) | UploadEvent::Failed { .. }) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the upload did not end within 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_goes_from_open_to_an_upload_and_its_report() {
    let sandbox = yespo_sandbox::testing::sandbox(10, |_| {}).await;
    let client = YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::FullAccess))),
    )
    .build()
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("tokens.csv");
    write_csv(&csv, 250);
    let imports = imports(dir.path());

    // Opened: sniffed (semicolons), the first rows checked, the OS column left unmapped.
    let view = imports.open(&csv, ReadOptions::default(), None).unwrap();
    assert_eq!(view.detected.delimiter, Some(';'));
    assert_eq!(view.preview.len(), 20);
    let columns = view.columns.clone().unwrap();
    assert_eq!(columns[2].name, "platform_of_device");
    assert_eq!(columns[2].target, None);
    assert_eq!(columns[1].samples.len(), 3, "three sample values per column");
    assert!(view.check.is_none());

    // Read as commas, every row is one column; back to the detection, the mapping returns.
    let wrong = imports.reread(view.id, ReadOptions { delimiter: Some(','), ..ReadOptions::default() }).unwrap();
    assert_eq!(wrong.columns.as_ref().unwrap().len(), 1);
    let view = imports.reread(view.id, ReadOptions::default()).unwrap();
    assert_eq!(view.columns.as_ref().unwrap().len(), 5);

    // The user maps the OS column; the mapping is remembered for the same header.
    let mut mapping = view.mapping.clone();
    mapping.columns[2].target = Some("os".parse().unwrap());
    let view =
        imports.choose(view.id, ChoicesInput { mapping: Some(mapping), remember: true, ..Default::default() }).unwrap();
    assert_eq!(view.columns.as_ref().unwrap()[2].target, Some("os".parse().unwrap()));
    let again = imports.open(&csv, ReadOptions::default(), None).unwrap();
    assert!(again.mapping_remembered);
    assert_eq!(again.columns.unwrap()[2].target, Some("os".parse().unwrap()));
    imports.close(again.id);
    assert_eq!(imports.view(again.id).unwrap_err().code, ErrorCode::NotFound);

    // Rows need a check first; then pages by filter.
    assert_eq!(imports.rows(view.id, RowFilter::All, 0, 10).unwrap_err().code, ErrorCode::Validation);
    let mut progress = 0;
    let checked = imports.check(view.id, &mut |_| progress += 1).unwrap();
    assert_eq!((checked.counts.all, checked.counts.invalid, checked.counts.valid), (250, 25, 225));
    let invalid = imports.rows(view.id, RowFilter::Invalid, 0, 100).unwrap();
    assert_eq!(invalid.total, 25);
    assert_eq!(invalid.rows.len(), 25);
    assert!(invalid.rows.iter().all(|r| !r.valid && r.line % 10 == 1), "lines 11, 21, ...");
    let tail = imports.rows(view.id, RowFilter::Invalid, 20, 100).unwrap();
    assert_eq!(tail.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [211, 221, 231, 241, 251]);
    let page = imports.rows(view.id, RowFilter::All, 240, 100).unwrap();
    assert_eq!((page.total, page.rows.len(), page.rows[0].line), (250, 10, 242));

    // Problem rows to CSV.
    let out = dir.path().join("problems.csv");
    assert_eq!(imports.export_problems(view.id, &out, false).unwrap(), 25);

    // The dry run with the account's rights; then the upload, watched to its end.
    let dry = imports.dry_run(view.id, None, Some(&client)).await.unwrap();
    assert_eq!((dry.contacts, dry.requests, dry.rejected), (225, 1, 25));
    assert!(dry.rights.as_deref().is_some_and(|r| r.starts_with("allowed")), "{:?}", dry.rights);
    let job = imports.start_upload(view.id, None, "acc-1", client.clone(), UploadOptions::default()).await.unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    assert!(imports.watch(job, Arc::new(move |e| seen.lock().unwrap().push(e))));
    let UploadEvent::Ended(report) = ended(&events).await else { panic!("the upload failed") };
    assert_eq!(report.state, JobState::Finished);
    assert_eq!((report.counts.confirmed, report.counts.rejected, report.counts.rows), (225, 25, 250));
    assert!(!imports.any_running());
    let history = imports.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].file_name, "tokens.csv");
    assert_eq!(history[0].summary.counts.confirmed, 225);
    assert!(imports.unfinished().unwrap().is_empty());
    let report_csv = dir.path().join("report.csv");
    assert_eq!(imports.export_report(job, &report_csv).unwrap(), 25);

    // A second upload cancelled at once, then discarded: nothing more is sent, every row is
    // counted, and the job is no longer offered for resume.
    sandbox.update_knobs(|k| k.import_speed = 50);
    let job2 = imports.start_upload(view.id, None, "acc-1", client.clone(), UploadOptions::default()).await.unwrap();
    imports.cancel(job2).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    imports.watch(job2, Arc::new(move |e| seen.lock().unwrap().push(e)));
    ended(&events).await;
    assert_eq!(imports.unfinished().unwrap().iter().map(|j| j.summary.job).collect::<Vec<_>>(), [job2]);
    sandbox.update_knobs(|k| k.import_speed = 0);
    let discarded = imports.discard(job2, Some(client.clone())).await.unwrap();
    assert_eq!(discarded.summary.state, JobState::Discarded);
    let c = discarded.summary.counts;
    assert_eq!(c.confirmed + c.rejected + c.failed + c.superseded + c.not_sent + c.unconfirmed, 250, "{c:?}");
    assert_eq!(c.unaccounted, 0);
    assert!(imports.unfinished().unwrap().is_empty());
    assert_eq!(imports.discard(job2, None).await.unwrap_err().code, ErrorCode::Validation);

    imports.delete(job2).unwrap();
    assert_eq!(imports.history().unwrap().len(), 1);
    assert_eq!(imports.delete(job2).unwrap_err().code, ErrorCode::NotFound);

    // A file that is not a token file is refused with a reason.
    let png = dir.path().join("logo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01").unwrap();
    let refused = imports.open(&png, ReadOptions::default(), None).unwrap_err();
    assert_eq!(refused.code, ErrorCode::Validation, "{refused:?}");
    let forced = imports.open(&csv, ReadOptions { format: Some(Format::Xlsx), ..ReadOptions::default() }, None);
    assert!(forced.is_err(), "a CSV read as XLSX is refused");
}
