//! The Contacts list's pages against the sandbox: fetched once however many ask at once, cached
//! until a refresh, a search by email, and a list that moves on stops waiting for the old query.

use std::sync::Arc;
use yespo_core::browse::contacts::{ContactLists, ContactQuery, ContactSource, PAGE};
use yespo_core::yespo::{Auth, YespoClient};
use yespo_core::{ErrorCode, Secret};
use yespo_sandbox::Right;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_fetched_once_cached_and_cancelled_when_the_list_moves_on() {
    let sandbox = yespo_sandbox::testing::sandbox(2_000, |_| {}).await;
    let client = YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::FullAccess))),
    )
    .build()
    .unwrap();
    let lists = Arc::new(ContactLists::new());
    let all = ContactSource::Search(ContactQuery::default());

    // Five callers, one request.
    let asks: Vec<_> = (0..5)
        .map(|_| {
            let (lists, client, all) = (lists.clone(), client.clone(), all.clone());
            tokio::spawn(async move { lists.page(&client, "acc", 1, &all, 0).await })
        })
        .collect();
    for ask in asks {
        let page = ask.await.unwrap().unwrap();
        assert_eq!((page.start, page.rows.len(), page.total, page.last), (0, PAGE, Some(2_000), false));
    }
    assert_eq!(lists.requests(), 1);
    let again = lists.page(&client, "acc", 1, &all, 0).await.unwrap();
    assert_eq!(lists.requests(), 1, "cached");
    let last = lists.page(&client, "acc", 1, &all, 4).await.unwrap();
    assert!(last.rows.is_empty() && last.last);
    lists.refresh("acc", &all);
    lists.page(&client, "acc", 1, &all, 0).await.unwrap();
    assert_eq!(lists.requests(), 3, "a refresh fetches again");

    // A search by a contact's email finds it.
    let email = again.rows.iter().find_map(|r| r.email.clone()).expect("a contact with an email");
    let query = ContactSource::Search(ContactQuery { email: Some(format!(" {email} ")), ..ContactQuery::default() });
    let found = lists.page(&client, "acc", 1, &query, 0).await.unwrap();
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].email.as_deref(), Some(email.as_str()));

    // A slow search, then the same list asks for another: the first stops waiting.
    sandbox.update_knobs(|k| k.latency_ms = 1_000);
    let slow = ContactSource::Search(ContactQuery { last_name: Some("Smith".into()), ..ContactQuery::default() });
    let waiting = {
        let (lists, client) = (lists.clone(), client.clone());
        tokio::spawn(async move { lists.page(&client, "acc", 7, &slow, 0).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    sandbox.update_knobs(|k| k.latency_ms = 0);
    lists.page(&client, "acc", 7, &all, 1).await.unwrap();
    assert_eq!(waiting.await.unwrap().unwrap_err().code, ErrorCode::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_span_pages_and_a_contact_comes_in_full() {
    let sandbox = yespo_sandbox::testing::sandbox(1_200, |_| {}).await;
    let client = YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::FullAccess))),
    )
    .build()
    .unwrap();
    let lists = ContactLists::new();
    let all = ContactSource::Search(ContactQuery::default());
    let across = lists.rows(&client, "acc", 1, &all, 450, 100).await.unwrap();
    assert_eq!((across.start, across.rows.len(), across.total), (450, 100, Some(1_200)));
    assert_eq!(lists.requests(), 2, "rows 450..550 are on pages 0 and 1");
    let first = lists.rows(&client, "acc", 1, &all, 0, 500).await.unwrap();
    assert_eq!(first.rows[450].id, across.rows[0].id, "the same rows, in order");
    let tail = lists.rows(&client, "acc", 1, &all, 1_150, 100).await.unwrap();
    assert_eq!(tail.rows.len(), 50);
    assert!(tail.last);

    let with_fields = first.rows.iter().filter_map(|r| r.id).next().unwrap();
    let detail = yespo_core::browse::contacts::detail(&client, with_fields).await.unwrap();
    assert_eq!(detail.contact.id, Some(with_fields));
    assert!(
        detail.fields.iter().all(|f| f.name.is_some()),
        "every field has its address-book name: {:?}",
        detail.fields
    );
    assert!(detail.subscriptions.error.is_none());

    // A segment's members come through the same list, without a total (Yespo sends none).
    let segment = client
        .groups(None, 1, 500)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|g| g.kind.as_deref() == Some("Static"))
        .unwrap();
    let members = ContactSource::Segment(segment.id.unwrap());
    let page = lists.rows(&client, "acc", 2, &members, 0, 100).await.unwrap();
    assert!(!page.rows.is_empty(), "the demo's static segments have members");
    assert_eq!(page.total, None);
    let all_members: Vec<_> = client.group_contacts(segment.id.unwrap(), 1, 500).await.unwrap().items;
    assert_eq!(page.rows.first().and_then(|r| r.id), all_members.first().and_then(|c| c.id));
}
