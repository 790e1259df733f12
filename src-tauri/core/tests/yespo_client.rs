//! The Yespo client against the sandbox over HTTP: every method in normal and quirk mode,
//! paging, refresh on 401, error mapping, retries, throttling, cancellation, and no secret in logs.

mod common;

use async_trait::async_trait;
use futures_util::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use yespo_core::yespo::*;
use yespo_core::{AppError, AppResult, ErrorCode, Secret};
use yespo_sandbox::{Right, Sandbox};

fn client(sandbox: &Sandbox, right: Right) -> YespoClient {
    let base = format!("{}/api", sandbox.base_url());
    YespoClient::builder(&base, Auth::ApiKey(Secret::new(sandbox.api_key(right)))).build().unwrap()
}

/// A full-access client that retries quickly.
fn retrying_client(sandbox: &Sandbox) -> YespoClient {
    YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::FullAccess))),
    )
    .retry(fast_retries())
    .build()
    .unwrap()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        ..RetryPolicy::default()
    }
}

/// Everything every read method returns, for comparing normal and quirk mode.
#[derive(Debug, PartialEq)]
struct Snapshot {
    v1: Version,
    v2: Version,
    account: AccountInfo,
    balance: Balance,
    subscriptions: Vec<SubscriptionCategory>,
    books: AddressBooks,
    email_senders: Vec<Interface>,
    sms_senders: Vec<Interface>,
    contacts: Page<Contact>,
    by_external: Page<Contact>,
    contact: Contact,
    emails: Vec<ContactEmail>,
    one_email: Vec<ContactEmail>,
    contact_subscriptions: Vec<SubscriptionCategory>,
    groups: Page<Group>,
    one_group: Page<Group>,
    group_contacts: Page<Contact>,
    email_messages: Page<EmailMessage>,
    email_message: EmailMessage,
    view_link: String,
    sms_messages: Page<SmsMessage>,
    sms_message: SmsMessage,
    mobilepush_messages: Page<MobilePushMessage>,
    mobilepush_message: MobilePushMessage,
}

async fn snapshot(c: &YespoClient, member: i64) -> Snapshot {
    Snapshot {
        v1: c.version_v1().await.unwrap(),
        v2: c.version_v2().await.unwrap(),
        account: c.account_info().await.unwrap(),
        balance: c.balance().await.unwrap(),
        subscriptions: c.subscriptions().await.unwrap(),
        books: c.address_books().await.unwrap(),
        email_senders: c.email_interfaces().await.unwrap(),
        sms_senders: c.sms_interfaces().await.unwrap(),
        contacts: c.search_contacts(&ContactSearch::default(), 11, 20).await.unwrap(),
        by_external: c
            .search_contacts(
                &ContactSearch { external_customer_id: Some("cus-000010".into()), ..Default::default() },
                1,
                5,
            )
            .await
            .unwrap(),
        contact: c.contact(member).await.unwrap(),
        emails: c.contact_emails(&[member, 100000002, 100000003]).await.unwrap(),
        one_email: c.contact_emails(&[100000002]).await.unwrap(),
        contact_subscriptions: c.contact_subscriptions(member).await.unwrap(),
        groups: c.groups(None, 1, 50).await.unwrap(),
        one_group: c.groups(Some("vip customers"), 1, 50).await.unwrap(),
        group_contacts: c.group_contacts(200_001, 1, 10).await.unwrap(),
        email_messages: c.email_messages(Some("black friday"), 1, 10).await.unwrap(),
        email_message: c.email_message(3_000_001).await.unwrap(),
        view_link: c.email_view_link(3_000_001).await.unwrap(),
        sms_messages: c.sms_messages(None, 1, 50).await.unwrap(),
        sms_message: c.sms_message(4_000_001).await.unwrap(),
        mobilepush_messages: c.mobilepush_messages(None, 1, 50).await.unwrap(),
        mobilepush_message: c.mobilepush_message(5_000_003).await.unwrap(),
    }
}

#[tokio::test]
async fn every_method_round_trips_and_quirk_mode_decodes_to_the_same_values() {
    let sandbox = common::sandbox(2000, |_| {}).await;
    let c = client(&sandbox, Right::FullAccess);
    let member = c.group_contacts(200_001, 1, 1).await.unwrap().items[0].id.unwrap();
    let normal = snapshot(&c, member).await;
    // Spot checks that the values are really there.
    assert_eq!(normal.v2.protocol_version.as_deref(), Some("1.0"));
    assert!(normal.account.organisation_name.is_some() && normal.account.org_id.is_some());
    assert_eq!(normal.balance.bonus_emails, Some(2500));
    assert_eq!(normal.balance.senders_reserved_balances["sms"][0].sender_name.as_deref(), Some("DemoStore"));
    let fields: Vec<i64> =
        normal.books.address_book[0].field_groups.iter().flat_map(|g| g.fields.iter().filter_map(|f| f.id)).collect();
    assert!(fields.contains(&12345) && fields.contains(&12346));
    assert_eq!(normal.contacts.total, Some(2000));
    assert_eq!(normal.contacts.items.len(), 20);
    assert_eq!(normal.contacts.items[0].id, Some(100_000_011));
    assert_eq!(normal.by_external.items.len(), 1);
    assert_eq!(normal.contact.id, Some(member));
    assert!(normal.contact.groups.iter().any(|g| g.id == Some(200_001)));
    assert_eq!(normal.one_email.len(), 1);
    assert_eq!(normal.groups.items.len(), 12);
    assert_eq!(normal.one_group.items.len(), 1);
    assert!(normal.email_messages.total.unwrap() >= 2);
    assert!(normal.email_message.html_text.as_deref().unwrap().contains("<html"));
    assert!(normal.view_link.starts_with(sandbox.base_url()));
    assert_eq!(normal.sms_messages.total, Some(10));
    assert!(normal.sms_message.text.is_some());
    assert_eq!(normal.mobilepush_messages.total, Some(6));
    let flash = &normal.mobilepush_messages.items[0];
    assert_eq!(flash.image_source.as_deref(), Some(&*format!("{}/img/promo.png", sandbox.base_url())));
    assert_eq!(flash.buttons.len(), 2);
    assert_eq!(flash.buttons[1].custom_data.as_deref(), Some(r#"{"remindInMinutes":60}"#));
    assert_eq!(flash.sound_enabled, Some(true));
    assert_eq!(flash.base.subscriptions_keys, ["promo"]);
    let welcome = &normal.mobilepush_message;
    assert_eq!(welcome.base.languages, ["en", "uk"]);
    assert_eq!(welcome.translations[0].base.language_code.as_deref(), Some("uk"));
    assert!(welcome.translations[0].title.as_deref().unwrap().starts_with("Ласкаво"));
    assert_eq!(&normal.mobilepush_messages.items[2], welcome);

    sandbox.update_knobs(|k| k.quirks = true);
    let quirky = snapshot(&c, member).await;
    assert_eq!(quirky, normal);
}

#[tokio::test]
async fn writes_and_import_status_round_trip_in_both_modes() {
    let sandbox = common::sandbox(10, |_| {}).await;
    let c = client(&sandbox, Right::FullAccess);
    for quirks in [false, true] {
        sandbox.update_knobs(|k| k.quirks = quirks);
        let tag = if quirks { "q" } else { "n" };
        let contact = |i: usize| Contact {
            first_name: Some("Client".into()),
            channels: vec![Channel {
                kind: Some("email".into()),
                value: Some(format!("{tag}{i}@example.com")),
                ..Default::default()
            }],
            external_customer_id: Some(format!("{tag}-{i}")),
            ..Default::default()
        };
        let mut bad = contact(99);
        bad.channels[0].value = Some("broken".into());
        let mut request = ContactsBulkUpdate::new(vec![contact(1), contact(2), bad], DedupeOn::ExternalCustomerId);
        request.group_names = vec!["Client test".into()];
        let result = c.add_contacts(&request).await.unwrap();
        assert_eq!(result.failed_contacts.len(), 1, "quirks={quirks}");
        assert!(result.failed_contacts[0].error.as_deref().unwrap().contains("not a valid email"));
        assert_eq!(result.failed_contacts[0].contact.external_customer_id.as_deref(), Some(&*format!("{tag}-99")));
        let session = result.async_session_id.unwrap();
        let mut status = c.import_status(&session).await.unwrap();
        while !status.is_done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            status = c.import_status(&session).await.unwrap();
        }
        assert_eq!(status.status.as_deref(), Some("FINISHED"));
        assert_eq!(status.mapping.len(), 2);
        assert!(status.timestamp.is_some());

        let id = c.add_contact(&contact(3)).await.unwrap();
        let text = c.update_contact(id, &Contact { last_name: Some("Updated".into()), ..contact(3) }).await.unwrap();
        assert_eq!(text, format!("Contact with id='{id}' has been updated"));
        assert_eq!(c.contact(id).await.unwrap().last_name.as_deref(), Some("Updated"));
        assert!(c.delete_contact(id, false).await.unwrap().contains("deleted"));
        assert_eq!(c.contact(id).await.unwrap_err().code, ErrorCode::NotFound);
    }
    // A request over the limit never leaves the machine.
    let many = vec![Contact::default(); 3001];
    let before = sandbox.api_requests();
    let err = c.add_contacts(&ContactsBulkUpdate::new(many, DedupeOn::Email)).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(sandbox.api_requests(), before);
}

#[tokio::test]
async fn an_added_email_message_reads_back_in_both_modes() {
    let sandbox = common::sandbox(10, |_| {}).await;
    let c = client(&sandbox, Right::FullAccess);
    for quirks in [false, true] {
        sandbox.update_knobs(|k| k.quirks = quirks);
        let message = NewEmailMessage {
            name: format!("Client-added {quirks}"),
            from: "\"Demo Store\" <news@demo-store.example>".into(),
            subject: "Added by the client".into(),
            html_text: "<p>Hello</p>".into(),
            tags: vec!["client-added".into()],
            ..Default::default()
        };
        let id = c.add_email_message(&message).await.unwrap();
        let read = c.email_message(id).await.unwrap();
        assert_eq!(read.base.id, Some(id));
        assert_eq!(read.base.name.as_deref(), Some(&*message.name));
        assert_eq!(read.html_text.as_deref(), Some("<p>Hello</p>"));
        assert_eq!(read.base.tags, ["client-added"]);
        let found = c.email_messages(Some("client-added"), 1, 10).await.unwrap();
        assert_eq!(found.items.last(), Some(&read));
    }
    // A required field left empty: Yespo's words, as a validation error.
    let before = sandbox.api_requests();
    let err = c.add_email_message(&NewEmailMessage { name: "No HTML".into(), ..Default::default() }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(err.message.contains("is required"), "{}", err.message);
    assert_eq!(sandbox.api_requests() - before, 1, "a refused add is not sent again");
}

#[tokio::test]
async fn mobile_push_reads_share_the_hourly_message_read_budget() {
    let sandbox = common::sandbox(10, |_| {}).await;
    let c = YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::Messages))),
    )
    .rate_limits(RateLimits { message_reads_per_hour: 2, ..RateLimits::default() })
    .build()
    .unwrap();
    c.mobilepush_messages(Some("push"), 1, 10).await.unwrap();
    c.mobilepush_message(5_000_001).await.unwrap();
    // The budget is spent for every message read, email and push alike, before anything is sent.
    let before = sandbox.api_requests();
    assert_eq!(c.email_messages(None, 1, 1).await.unwrap_err().code, ErrorCode::RateLimited);
    assert_eq!(c.mobilepush_messages(None, 1, 1).await.unwrap_err().code, ErrorCode::RateLimited);
    assert_eq!(sandbox.api_requests(), before);
    // Other calls have their own budget.
    c.account_info().await.unwrap();
}

#[tokio::test]
async fn the_paging_stream_yields_exactly_total_count_items() {
    let sandbox = common::sandbox(1234, |_| {}).await;
    let c = client(&sandbox, Right::FullAccess);
    let before = sandbox.api_requests();
    let ids: Vec<i64> =
        c.contacts_stream(ContactSearch::default(), 500).map(|r| r.unwrap().id.unwrap()).collect().await;
    assert_eq!(ids.len(), 1234);
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 1234);
    assert_eq!(sandbox.api_requests() - before, 3, "1234 contacts in pages of 500 take 3 requests");
    // Lazy: taking 10 fetches one page.
    let before = sandbox.api_requests();
    let first: Vec<_> = c.contacts_stream(ContactSearch::default(), 100).take(10).collect().await;
    assert_eq!(first.len(), 10);
    assert_eq!(sandbox.api_requests() - before, 1);
    // A filter that matches nothing: an empty stream.
    let none: Vec<_> = c
        .contacts_stream(ContactSearch { email: Some("nobody@nowhere.example".into()), ..Default::default() }, 50)
        .collect()
        .await;
    assert!(none.is_empty());
}

/// Hands out a token; counts refreshes.
struct CountingProvider {
    current: Mutex<Secret>,
    refreshed_to: Option<Secret>,
    refreshes: AtomicUsize,
}

#[async_trait]
impl TokenProvider for CountingProvider {
    async fn access_token(&self) -> AppResult<Secret> {
        Ok(self.current.lock().unwrap().clone())
    }
    async fn refresh(&self, rejected: &Secret) -> AppResult<Secret> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        assert_eq!(rejected, &*self.current.lock().unwrap(), "the rejected token is the one sent");
        match &self.refreshed_to {
            Some(t) => {
                *self.current.lock().unwrap() = t.clone();
                Ok(t.clone())
            }
            None => Err(AppError::new(ErrorCode::AuthExpired, "refresh token expired")),
        }
    }
}

#[tokio::test]
async fn a_401_with_bearer_refreshes_once_and_retries_once() {
    let sandbox = common::sandbox(10, |_| {}).await;
    let good = common::oauth_token(&sandbox, Right::FullAccess).await;
    let base = format!("{}/api", sandbox.base_url());
    let provider = Arc::new(CountingProvider {
        current: Mutex::new(Secret::new("expired-token-0000")),
        refreshed_to: Some(Secret::new(good)),
        refreshes: AtomicUsize::new(0),
    });
    let c = YespoClient::builder(&base, Auth::Bearer(provider.clone())).build().unwrap();
    let before = sandbox.api_requests();
    assert!(c.account_info().await.unwrap().user_email.is_some());
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(sandbox.api_requests() - before, 2);
    // The new token stays in use: no more refreshes.
    c.version_v2().await.unwrap();
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);

    // A refresh that yields another refused token: auth_expired after exactly one refresh.
    let still_bad = Arc::new(CountingProvider {
        current: Mutex::new(Secret::new("expired-token-1111")),
        refreshed_to: Some(Secret::new("also-bad-token-2222")),
        refreshes: AtomicUsize::new(0),
    });
    let c = YespoClient::builder(&base, Auth::Bearer(still_bad.clone())).build().unwrap();
    let before = sandbox.api_requests();
    let err = c.account_info().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthExpired);
    assert_eq!(still_bad.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(sandbox.api_requests() - before, 2);
    // A refresh that fails outright: its error comes through.
    let dead = Arc::new(CountingProvider {
        current: Mutex::new(Secret::new("expired-token-3333")),
        refreshed_to: None,
        refreshes: AtomicUsize::new(0),
    });
    let c = YespoClient::builder(&base, Auth::Bearer(dead)).build().unwrap();
    assert_eq!(c.account_info().await.unwrap_err().code, ErrorCode::AuthExpired);
}

#[tokio::test]
async fn http_errors_map_to_app_error_codes() {
    let sandbox = common::sandbox(10, |_| {}).await;
    let c = client(&sandbox, Right::Events);
    let err = c.search_contacts(&ContactSearch::default(), 1, 10).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(err.message.contains("Reading contacts and segments"), "{}", err.message);
    assert!(err.message.contains("Access to events and contacts"), "{}", err.message);
    assert!(err.details.as_deref().unwrap().starts_with("HTTP 403"));

    let c = client(&sandbox, Right::FullAccess);
    assert_eq!(c.contact(999).await.unwrap_err().code, ErrorCode::NotFound);
    let err = c.add_contact(&Contact::default()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(err.message.contains("at least one channel"), "Yespo's words: {}", err.message);
    let contact = Contact {
        channels: vec![Channel { kind: Some("sms".into()), value: Some("380671234567".into()), ..Default::default() }],
        ..Default::default()
    };
    c.add_contact(&contact).await.unwrap();
    assert_eq!(c.add_contact(&contact).await.unwrap_err().code, ErrorCode::DuplicateRequest);
    let err = c.search_contacts(&ContactSearch::default(), 1, 501).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);

    let wrong_key =
        YespoClient::builder(&format!("{}/api", sandbox.base_url()), Auth::ApiKey(Secret::new("0123456789abcdef")))
            .build()
            .unwrap();
    let err = wrong_key.version_v1().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthExpired);

    sandbox.update_knobs(|k| {
        k.burst_429 = 100;
    });
    let impatient = YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::FullAccess))),
    )
    .retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
    .build()
    .unwrap();
    let err = impatient.version_v1().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert_eq!(err.retry_after_secs, Some(1));
    sandbox.update_knobs(|k| {
        k.burst_429 = 0;
        k.error_rate = 1.0;
    });
    let err = impatient.version_v1().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Network);

    let down = YespoClient::builder("http://127.0.0.1:9/api", Auth::ApiKey(Secret::new("k")))
        .retry(fast_retries())
        .build()
        .unwrap();
    let err = down.version_v1().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Network);
    assert!(err.message.contains("after 5 tries"), "{}", err.message);
}

#[tokio::test]
async fn a_bulk_contact_upload_that_fails_is_not_sent_again_by_the_client() {
    // Yespo imports a bulk request asynchronously: sending it again is the upload job's call.
    let sandbox = common::sandbox(10, |k| k.error_rate = 1.0).await;
    let c = retrying_client(&sandbox);
    let batch = |email: &str| {
        let channel = Channel { kind: Some("email".into()), value: Some(email.into()), ..Default::default() };
        ContactsBulkUpdate::new(vec![Contact { channels: vec![channel], ..Default::default() }], DedupeOn::Email)
    };
    let err = c.add_contacts(&batch("a@example.com")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Network);
    assert_eq!(sandbox.api_requests(), 1, "the 500 was not followed by a second POST");
    // A read in the same state is retried.
    assert!(c.version_v1().await.is_err());
    assert_eq!(sandbox.api_requests(), 6, "1 POST, then 5 tries of the GET");
    // A dropped connection is not re-sent either.
    sandbox.update_knobs(|k| {
        k.error_rate = 0.0;
        k.drop_rate = 1.0;
    });
    assert!(c.add_contacts(&batch("b@example.com")).await.is_err());
    assert_eq!(sandbox.api_requests(), 7);
}

#[tokio::test]
async fn a_network_error_does_not_carry_the_url_and_its_personal_data() {
    let down = YespoClient::builder("http://127.0.0.1:9/api", Auth::ApiKey(Secret::new("k")))
        .retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
        .build()
        .unwrap();
    let search = ContactSearch { email: Some("jane.doe@example.com".into()), ..ContactSearch::default() };
    let err = down.search_contacts(&search, 1, 5).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Network);
    let text = format!("{err:?}");
    assert!(!text.contains("jane.doe") && !text.contains("v1/contacts"), "{text}");
}

#[tokio::test]
async fn yespos_words_in_an_error_message_are_scrubbed_of_live_secrets() {
    let sandbox = common::sandbox(10, |_| {}).await;
    let c = client(&sandbox, Right::FullAccess);
    // Yespo echoes what it was sent; here that is a live secret (a token pasted in the wrong
    // place), which must not reach the UI in the message any more than in the details.
    let token = Secret::new("9f8e7d6c-a-token-pasted-into-the-wrong-field");
    let err = c.import_status(token.expose_secret()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(err.message.contains("Import session"), "Yespo's words: {}", err.message);
    assert!(!err.message.contains(token.expose_secret()), "{}", err.message);
    assert!(!err.details.unwrap().contains(token.expose_secret()));
}

#[tokio::test]
async fn a_429_storm_is_ridden_out_with_retry_after() {
    let sandbox = common::sandbox(10, |k| k.burst_429 = 3).await;
    let c = client(&sandbox, Right::FullAccess);
    let started = Instant::now();
    assert!(c.account_info().await.is_ok());
    assert_eq!(sandbox.api_requests(), 4, "three 429s, then success");
    assert!(started.elapsed() >= Duration::from_secs(3), "Retry-After: 1 was honoured each time");
}

#[tokio::test]
async fn client_side_limits_keep_a_burst_within_yespos_rate() {
    // The sandbox enforces 50/s on contact search; 120 searches at once must all pass,
    // because the client spaces them out itself.
    let sandbox = common::sandbox(100, |k| k.rate_limits = true).await;
    let c = client(&sandbox, Right::FullAccess);
    let search = ContactSearch::default();
    let calls = (0..120).map(|_| c.search_contacts(&search, 1, 1));
    let results = futures_util::future::join_all(calls).await;
    let failed: Vec<&AppError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(sandbox.api_requests(), 120, "no request was refused and retried");
}

#[tokio::test]
async fn gets_succeed_through_a_30_percent_server_error_rate() {
    let sandbox = common::sandbox(100, |k| k.error_rate = 0.3).await;
    let c = retrying_client(&sandbox);
    for i in 0..40 {
        c.search_contacts(&ContactSearch::default(), 1 + i, 5).await.unwrap_or_else(|e| panic!("request {i}: {e:?}"));
    }
    assert!(sandbox.api_requests() > 40, "some requests were retried");
    // Dropped connections are retried too.
    sandbox.update_knobs(|k| {
        k.error_rate = 0.0;
        k.drop_rate = 0.3;
    });
    for _ in 0..20 {
        c.version_v1().await.unwrap();
    }
}

#[tokio::test]
async fn cancelling_stops_retries_promptly() {
    let sandbox = common::sandbox(10, |k| k.error_rate = 1.0).await;
    let c = YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::FullAccess))),
    )
    .retry(RetryPolicy {
        base_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(5),
        max_attempts: 10,
        max_total: Duration::from_secs(60),
    })
    .build()
    .unwrap();
    let token = CancellationToken::new();
    let cancellable = c.with_cancel(token.clone());
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        token.cancel();
    });
    let started = Instant::now();
    let err = cancellable.account_info().await.unwrap_err();
    canceller.await.unwrap();
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(2), "stopped after {:?}", started.elapsed());
    let sent = sandbox.api_requests();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sandbox.api_requests(), sent, "nothing more is sent after cancelling");
}

#[test]
fn base_urls_are_checked() {
    for ok in KNOWN_BASE_URLS {
        assert!(YespoClient::builder(ok, Auth::ApiKey(Secret::new("k"))).build().is_ok(), "{ok}");
    }
    assert!(YespoClient::builder("http://127.0.0.1:8080/api", Auth::ApiKey(Secret::new("k"))).build().is_ok());
    for bad in ["http://yespo.io/api", "ftp://yespo.io/api", "not a url"] {
        let err = YespoClient::builder(bad, Auth::ApiKey(Secret::new("k")))
            .build()
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"));
        assert_eq!(err.code, ErrorCode::Validation);
    }
}

/// Requests a stand-in server saw: which server, User-Agent, Authorization.
type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// A stand-in server that records requests and redirects `/api/v1/version` to another host.
#[tokio::test]
async fn no_redirect_to_another_host_and_a_user_agent_is_sent() {
    use axum::http::HeaderMap;
    let seen: Seen = Arc::default();
    let record = |seen: Seen, name: &'static str| {
        move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).map(str::to_owned);
                seen.lock().unwrap().push((name.to_string(), h("user-agent"), h("authorization")));
                r#"{"version":"1","protocolVersion":"1.0"}"#
            }
        }
    };
    // The other host: 127.0.0.2 is loopback too, but not the same host.
    let other = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let other_url = format!("http://{}/api/v1/version", other.local_addr().unwrap());
    let other_app = axum::Router::new().route("/api/v1/version", axum::routing::get(record(seen.clone(), "other")));
    tokio::spawn(async move { axum::serve(other, other_app).await.unwrap() });
    let redirect_to = other_url.clone();
    let first_app = axum::Router::new()
        .route(
            "/api/v1/version",
            axum::routing::get(move || async move { axum::response::Redirect::temporary(&redirect_to) }),
        )
        .route("/api/v2/version", axum::routing::get(record(seen.clone(), "first")));
    let first = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api", first.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(first, first_app).await.unwrap() });

    let c = YespoClient::builder(&base, Auth::ApiKey(Secret::new("redirect-test-key"))).build().unwrap();
    c.version_v2().await.unwrap();
    let err = c.version_v1().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Internal, "the redirect is not followed: {err:?}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "the other host never got a request: {seen:?}");
    let (_, agent, auth) = &seen[0];
    assert!(agent.as_deref().unwrap().starts_with(&format!("YespoAdmin/{}", env!("CARGO_PKG_VERSION"))));
    assert!(auth.as_deref().unwrap().starts_with("Basic "));
}
