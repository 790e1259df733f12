//! Segments, messages and exports against the sandbox: segments filtered by type and name from
//! one read; each message read once and counted; the hourly limit turned into the budget's words
//! without another request; a sanitised preview with images fetched only on demand; SMS and push
//! views; CSV exports of contacts, a segment's members and messages, and a cancel that leaves no
//! file.

use std::sync::Mutex;
use tokio_util::sync::CancellationToken;
use yespo_core::browse::contacts::{ContactQuery, ContactSource};
use yespo_core::browse::export::{self, ExportFrom, ExportSource, ExportState};
use yespo_core::browse::messages::{MessageKind, MessageLists};
use yespo_core::browse::segments::{SegmentKind, SegmentLists, SegmentQuery};
use yespo_core::yespo::{Auth, YespoClient};
use yespo_core::{ErrorCode, Secret};
use yespo_sandbox::{Right, Sandbox};

fn client(sandbox: &Sandbox, right: Right) -> YespoClient {
    YespoClient::builder(&format!("{}/api", sandbox.base_url()), Auth::ApiKey(Secret::new(sandbox.api_key(right))))
        .build()
        .unwrap()
}

fn count(sandbox: &Sandbox, since: u64, path: &str) -> usize {
    sandbox.requests_since(since).iter().filter(|r| r.path == path).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_are_read_once_and_filtered_here() {
    let sandbox = yespo_sandbox::testing::sandbox(200, |_| {}).await;
    let client = client(&sandbox, Right::FullAccess);
    let lists = SegmentLists::default();
    let before = sandbox.last_request_seq();
    let all = lists.list(&client, "acc", &SegmentQuery::default()).await.unwrap();
    assert_eq!(all.total as usize, all.rows.len());
    assert!(all.counts[&SegmentKind::Static] > 0 && all.counts[&SegmentKind::Dynamic] > 0);
    let statics = lists
        .list(&client, "acc", &SegmentQuery { name: String::new(), kinds: vec![SegmentKind::Static] })
        .await
        .unwrap();
    assert!(statics.rows.iter().all(|r| r.kind == SegmentKind::Static && r.kind_text.as_deref() == Some("Static")));
    assert_eq!(statics.rows.len() as u32, all.counts[&SegmentKind::Static]);
    let vip = lists.list(&client, "acc", &SegmentQuery { name: "vip".into(), kinds: vec![] }).await.unwrap();
    assert!(vip.rows.len() >= 2 && vip.rows.iter().all(|r| r.name.to_lowercase().contains("vip")), "{:?}", vip.rows);
    let by_id =
        lists.list(&client, "acc", &SegmentQuery { name: vip.rows[0].id.to_string(), kinds: vec![] }).await.unwrap();
    assert_eq!(by_id.rows.len(), 1, "by id");
    assert_eq!(count(&sandbox, before, "/api/v1/groups"), 1, "one read, searched here");
    lists.refresh("acc");
    lists.list(&client, "acc", &SegmentQuery::default()).await.unwrap();
    assert_eq!(count(&sandbox, before, "/api/v1/groups"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_read_once_and_the_hourly_limit_is_told_not_retried() {
    let sandbox = yespo_sandbox::testing::sandbox(10, |_| {}).await;
    let client = client(&sandbox, Right::Messages);
    let messages = MessageLists::new();
    let before = sandbox.last_request_seq();

    let page = messages.rows(&client, "acc", MessageKind::Email, "", 0, 100).await.unwrap();
    assert!(page.rows.len() > 10 && page.total == Some(page.rows.len() as u64));
    messages.rows(&client, "acc", MessageKind::Email, "", 20, 10).await.unwrap();
    assert_eq!(count(&sandbox, before, "/api/v1/messages/email"), 1, "the page is cached");

    let hostile = page.rows.iter().find(|r| r.name.as_deref() == Some("Security test: script and onerror")).unwrap();
    let preview = messages.email_preview(&client, "acc", hostile.id, None).await.unwrap();
    messages.email_preview(&client, "acc", hostile.id, None).await.unwrap();
    assert_eq!(count(&sandbox, before, &format!("/api/v1/messages/email/{}", hostile.id)), 1, "read once");
    let document = preview.prepared.document.to_lowercase();
    assert!(!document.contains("<script") && !document.contains("onerror") && !document.contains("javascript:"));
    assert!(preview.prepared.removed.scripts >= 1 && preview.prepared.removed.event_handlers >= 1);
    assert!(!preview.prepared.remote_images.is_empty());
    assert_eq!(count(&sandbox, before, "/img/logo.png"), 0, "no image before it is asked for");
    let loaded = messages.email_with_images(&client, "acc", hostile.id, None).await.unwrap();
    assert!(loaded.document.contains("data:image/png;base64,"), "the logo is inlined");
    assert!(!loaded.failures.is_empty(), "the missing image is reported: {:?}", loaded.failures);
    assert_eq!(count(&sandbox, before, "/img/logo.png"), 1);
    assert!(sandbox.requests_since(before).iter().all(|r| !r.path.starts_with("/attacker")));

    let sms = messages.rows(&client, "acc", MessageKind::Sms, "", 0, 10).await.unwrap();
    let view = messages.sms(&client, "acc", sms.rows[0].id).await.unwrap();
    assert!(view.versions[0].length.parts >= 1 && !view.versions[0].text.is_empty());
    let pushes = messages.rows(&client, "acc", MessageKind::Push, "", 0, 10).await.unwrap();
    let with_image = pushes.rows.iter().find(|r| r.name.as_deref() == Some("Flash sale push")).unwrap();
    let push = messages.push(&client, "acc", with_image.id).await.unwrap();
    assert!(push.versions[0].title.is_some() && !push.versions[0].images.is_empty());
    assert_eq!(push.versions[0].link_kind.as_deref(), Some("web"));
    let welcome = pushes.rows.iter().find(|r| r.name.as_deref() == Some("Welcome push")).unwrap();
    assert_eq!(messages.push(&client, "acc", welcome.id).await.unwrap().versions.len(), 2, "two languages");
    let budget = messages.budget("acc");
    // Reads: three searches, the email, the SMS and the two pushes.
    assert_eq!(budget.used, 7, "{budget:?}");
    assert_eq!(budget.remaining, 493);
    assert!(!budget.low && budget.blocked_until.is_none());
    // The names of what was read, for the palette, without a read.
    let seq = sandbox.last_request_seq();
    assert!(messages.cached_matches("acc", "flash", 5).iter().any(|r| r.kind == MessageKind::Push));
    assert_eq!(sandbox.last_request_seq(), seq);

    // Yespo's limit reached: the read that hits it says so, and the next is not even sent.
    sandbox.update_knobs(|k| {
        k.rate_limits = true;
        k.message_reads_per_hour = 1;
    });
    let mut refused = None;
    for row in page.rows.iter().skip(1).take(3) {
        if let Err(e) = messages.email_preview(&client, "acc", row.id, None).await {
            refused = Some(e);
            break;
        }
    }
    let refused = refused.expect("the limit is reached");
    assert_eq!(refused.code, ErrorCode::RateLimited);
    assert!(refused.message.contains("500 message reads an hour"), "{}", refused.message);
    let budget = messages.budget("acc");
    assert!(budget.blocked_until.is_some() && budget.remaining == 0 && budget.low);
    let seq = sandbox.last_request_seq();
    let again = messages.email_preview(&client, "acc", page.rows[5].id, None).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::RateLimited);
    assert_eq!(sandbox.last_request_seq(), seq, "no request while blocked");
    assert!(messages.email_preview(&client, "acc", hostile.id, None).await.is_ok(), "what was read still shows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_export_to_csv_page_by_page_and_a_cancel_leaves_no_file() {
    let sandbox = yespo_sandbox::testing::sandbox(1_234, |_| {}).await;
    let client = client(&sandbox, Right::FullAccess);
    let (messages, segments) = (MessageLists::new(), SegmentLists::default());
    let from = ExportFrom { client: &client, account: "acc", messages: &messages, segments: &segments };
    let dir = tempfile::tempdir().unwrap();
    let seen = Mutex::new(Vec::new());
    let sink = |p: export::ExportProgress| seen.lock().unwrap().push(p);
    let never = CancellationToken::new();

    let all = dir.path().join("all.csv");
    let done = export::export(
        &from,
        &ExportSource::Contacts(ContactSource::Search(ContactQuery::default())),
        &all,
        &never,
        &sink,
    )
    .await
    .unwrap();
    assert_eq!((done.state, done.rows), (ExportState::Done, 1_234));
    assert_eq!(done.requests, 1 + 3, "the fields, then three pages of 500");
    let text = std::fs::read_to_string(&all).unwrap();
    assert!(text.starts_with("\u{feff}id,externalCustomerId,"));
    assert_eq!(text.lines().count(), 1_235);
    assert!(text.lines().next().unwrap().contains("field:Loyalty tier"), "custom fields by name");
    let ids: std::collections::BTreeSet<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(ids.len(), 1_234, "no contact twice");
    {
        let progress = seen.lock().unwrap();
        assert_eq!(progress.first().unwrap().state, ExportState::Running);
        assert_eq!(progress.last().unwrap().state, ExportState::Done);
    }

    let segment = segments
        .list(&client, "acc", &SegmentQuery { name: "VIP customers".into(), kinds: vec![] })
        .await
        .unwrap()
        .rows[0]
        .clone();
    let members = dir.path().join("vip.csv");
    let done =
        export::export(&from, &ExportSource::Contacts(ContactSource::Segment(segment.id)), &members, &never, &sink)
            .await
            .unwrap();
    let expected = client.group_contacts(segment.id, 1, 500).await.unwrap().items.len() as u64;
    assert_eq!((done.state, done.rows), (ExportState::Done, expected));

    let emails = dir.path().join("emails.csv");
    let done = export::export(
        &from,
        &ExportSource::Messages { kind: MessageKind::Email, search: String::new() },
        &emails,
        &never,
        &sink,
    )
    .await
    .unwrap();
    assert_eq!(done.state, ExportState::Done);
    assert_eq!(Some(done.rows), messages.rows(&client, "acc", MessageKind::Email, "", 0, 1).await.unwrap().total);

    // A cancelled export leaves nothing behind, not even its temporary file.
    sandbox.update_knobs(|k| k.latency_ms = 300);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        stop.cancel();
    });
    let cancelled = dir.path().join("cancelled.csv");
    let done = export::export(
        &from,
        &ExportSource::Contacts(ContactSource::Search(ContactQuery::default())),
        &cancelled,
        &cancel,
        &sink,
    )
    .await
    .unwrap();
    assert_eq!(done.state, ExportState::Cancelled);
    assert!(!cancelled.exists());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 3, "only the three finished exports: {left:?}");
}
