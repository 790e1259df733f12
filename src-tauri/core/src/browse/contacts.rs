//! Lists of contacts (a contact search, or a segment's members): Yespo's pages of 500, cached
//! per account and source until an explicit refresh. A page is fetched once however many callers ask for it at
//! the same moment, and a list that moves on to another query stops waiting for the old one.

use super::once_map::OnceMap;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::yespo::models::Contact;
use crate::yespo::{ContactSearch, YespoClient};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Rows per request: Yespo's maximum for `GET contacts`.
pub const PAGE: usize = 500;

/// What the user searches by (Yespo's own filters; empty: every contact).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ContactQuery {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl ContactQuery {
    pub fn search(&self) -> ContactSearch {
        let clean = |v: &Option<String>| v.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        ContactSearch {
            email: clean(&self.email),
            sms: clean(&self.phone),
            first_name: clean(&self.first_name),
            last_name: clean(&self.last_name),
            external_customer_id: clean(&self.external_id),
            sort_by_id: false,
        }
    }
}

/// Where a list's contacts come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ContactSource {
    /// Yespo's contact search (empty: every contact).
    Search(ContactQuery),
    /// A segment's members (`GET group/{id}/contacts`).
    Segment(i64),
}

impl ContactSource {
    /// One page of this source's contacts, straight from Yespo.
    pub async fn fetch(
        &self,
        client: &YespoClient,
        start: usize,
        max: usize,
    ) -> AppResult<crate::yespo::Page<Contact>> {
        match self {
            ContactSource::Search(query) => client.search_contacts(&query.search(), start, max).await,
            ContactSource::Segment(id) => client.group_contacts(*id, start, max).await,
        }
    }
}

/// A contact as the list shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactRow {
    pub id: Option<i64>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    /// Mobile-push devices on the contact.
    pub push_devices: u32,
}

impl From<&Contact> for ContactRow {
    fn from(c: &Contact) -> Self {
        ContactRow {
            id: c.id,
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.channel("email").map(str::to_string),
            phone: c.channel("sms").map(str::to_string),
            external_id: c.external_customer_id.clone(),
            push_devices: c.channels.iter().filter(|ch| ch.kind.as_deref() == Some("mobilepush")).count() as u32,
        }
    }
}

/// One page of a query's rows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactPage {
    /// 0-based index of the first row.
    pub start: u64,
    pub rows: Vec<ContactRow>,
    /// Every matching contact (Yespo's `TotalCount`), when it said.
    pub total: Option<u64>,
    /// The page ended the list (fewer rows than asked for).
    pub last: bool,
    /// When Yespo answered (UTC, RFC 3339).
    pub as_of: String,
}

/// An account's id, a source and a page number: one cached page.
type PageKey = (String, ContactSource, usize);

/// The cached pages, and what each list on screen is showing now.
#[derive(Default)]
pub struct ContactLists {
    pages: OnceMap<PageKey, ContactPage>,
    /// List (a screen's own number) → its source and the token that stops its waits.
    views: Mutex<HashMap<u64, (ContactSource, CancellationToken)>>,
    /// Requests actually sent, for the benchmark and the tests.
    requests: std::sync::atomic::AtomicU64,
}

fn now() -> String {
    crate::clock::now_text()
}

impl ContactLists {
    pub fn new() -> ContactLists {
        ContactLists::default()
    }

    /// Requests sent to Yespo so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The token of `view` for `query`: a new source cancels what the view waited for.
    fn view_token(&self, view: u64, query: &ContactSource) -> CancellationToken {
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        match views.get(&view) {
            Some((current, token)) if current == query => token.clone(),
            _ => {
                if let Some((_, old)) = views.insert(view, (query.clone(), CancellationToken::new())) {
                    old.cancel();
                }
                views[&view].1.clone()
            }
        }
    }

    /// Page `page` (0-based, of [`PAGE`] rows) of `source` for list `view`: from the cache, or
    /// fetched once. `cancelled` when the view has moved on to another source meanwhile.
    pub async fn page(
        &self,
        client: &YespoClient,
        account: &str,
        view: u64,
        source: &ContactSource,
        page: usize,
    ) -> AppResult<ContactPage> {
        let token = self.view_token(view, source);
        let key = (account.to_string(), source.clone(), page);
        let fetch = self.pages.get_or_try_init(&key, || async {
            self.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let found = source.fetch(client, page * PAGE + 1, PAGE).await?;
            Ok::<_, AppError>(ContactPage {
                start: (page * PAGE) as u64,
                last: found.items.len() < PAGE,
                rows: found.items.iter().map(ContactRow::from).collect(),
                total: found.total,
                as_of: now(),
            })
        });
        tokio::select! {
            // A dropped fetch leaves the slot empty: the next caller fetches it.
            _ = token.cancelled() => Err(AppError::new(ErrorCode::Cancelled, "The list moved on to another search")),
            page = fetch => page,
        }
    }

    /// Rows `start..start + count` of `source` for list `view` (the pages they fall in, each
    /// fetched once); `total` as Yespo said, or the rows known so far with `last` false.
    pub async fn rows(
        &self,
        client: &YespoClient,
        account: &str,
        view: u64,
        query: &ContactSource,
        start: u64,
        count: usize,
    ) -> AppResult<ContactPage> {
        let first = start as usize / PAGE;
        let end = start as usize + count.min(PAGE);
        let mut out = ContactPage { start, rows: Vec::new(), total: None, last: false, as_of: String::new() };
        for page in first..end.div_ceil(PAGE).max(first + 1) {
            let got = self.page(client, account, view, query, page).await?;
            let from = (start as usize).saturating_sub(page * PAGE).min(got.rows.len());
            let to = (end - page * PAGE).min(got.rows.len());
            out.rows.extend_from_slice(&got.rows[from..to]);
            out.total = got.total;
            out.as_of = got.as_of;
            out.last = got.last;
            if got.last {
                break;
            }
        }
        Ok(out)
    }

    /// Forgets the cached pages of `query` (Refresh).
    pub fn refresh(&self, account: &str, query: &ContactSource) {
        self.pages.retain(|(a, s, _)| !(a == account && s == query));
    }

    /// Forgets everything cached for `account` (it logged out or was removed).
    pub fn forget_account(&self, account: &str) {
        self.pages.retain(|(a, _, _)| a != account);
    }
}

/// A custom field's value with its address-book name and type.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldValue {
    pub id: i64,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub value: Option<String>,
}

/// Everything the detail pane shows of one contact.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetail {
    pub contact: Contact,
    pub fields: Vec<FieldValue>,
    /// Subscription categories the contact is subscribed to, or why Yespo did not say.
    pub subscriptions: crate::browse::account::Part<Vec<crate::browse::account::SubscriptionView>>,
    pub as_of: String,
}

/// One contact in full: `GET contact/{id}`, its subscriptions and the names of its fields.
pub async fn detail(client: &YespoClient, id: i64) -> AppResult<ContactDetail> {
    let (contact, subscriptions, books) =
        tokio::join!(client.contact(id), client.contact_subscriptions(id), client.address_books());
    let contact = contact?;
    let names: HashMap<i64, crate::tokens::map::AccountField> = books
        .map(|b| crate::tokens::map::AccountField::from_address_books(&b))
        .unwrap_or_default()
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let fields = contact
        .fields
        .iter()
        .map(|f| FieldValue {
            id: f.id,
            name: names.get(&f.id).map(|n| n.name.clone()),
            kind: names.get(&f.id).and_then(|n| n.kind.clone()),
            value: f.value.clone(),
        })
        .collect();
    let subscriptions = subscriptions
        .map(|list| {
            list.into_iter()
                .map(|s| crate::browse::account::SubscriptionView {
                    id: s.id,
                    key: s.key,
                    name: s.name,
                    contacts: None,
                })
                .collect()
        })
        .into();
    Ok(ContactDetail { contact, fields, subscriptions, as_of: now() })
}
