//! The typed Yespo API methods, each one request (paging streams: one request per page).

use super::client::{Answer, Call, YespoClient, MAX_CONTACTS_PER_REQUEST, MAX_PAGE_SIZE};
use super::lenient;
use super::models::*;
use crate::{AppError, AppResult};
use futures_util::stream::{self, Stream, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;

/// One page of a search: the items, the 1-based index of the first, and the total count when
/// Yespo sent a `TotalCount` header.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// 1-based index of the first row.
    pub start: usize,
    /// All matching rows, from the `TotalCount` header (not every search sends it).
    pub total: Option<u64>,
}

/// Filters of `GET v1/contacts`. `external_customer_id` cannot be combined with the others.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactSearch {
    /// Email address, exact.
    pub email: Option<String>,
    /// Phone number, exact.
    pub sms: Option<String>,
    /// First name (`firstname`).
    pub first_name: Option<String>,
    /// Last name (`lastname`).
    pub last_name: Option<String>,
    /// Your own id of the contact; alone, it finds at most one contact.
    pub external_customer_id: Option<String>,
    /// Sort by contact id (faster for full exports; only without conditions).
    pub sort_by_id: bool,
}

fn decode<T: DeserializeOwned>(answer: &Answer, what: &str) -> AppResult<T> {
    lenient::decode(&answer.body).map_err(|e| unreadable(answer, what, e))
}

fn decode_list<T: DeserializeOwned + Default + PartialEq>(answer: &Answer, what: &str) -> AppResult<Vec<T>> {
    lenient::decode_list(&answer.body).map_err(|e| unreadable(answer, what, e))
}

/// The message names where the answer went wrong; why (which may quote a value, e.g. an
/// email) and the body go to `details`, which is never logged.
fn unreadable(answer: &Answer, what: &str, e: lenient::DecodeError) -> AppError {
    let at = if e.path.is_empty() { String::new() } else { format!(" (at {})", e.path) };
    AppError::internal(format!("Yespo's answer to {what} could not be read{at}")).with_details(format!(
        "{}\n{}",
        e.message,
        crate::secret::scrub(&answer.body.chars().take(2000).collect::<String>())
    ))
}

fn total_count(answer: &Answer) -> Option<u64> {
    answer.headers.get("TotalCount").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok())
}

fn check_paging(start: usize, max: usize) -> AppResult<()> {
    if start == 0 {
        return Err(AppError::validation("Pages start at 1"));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&max) {
        return Err(AppError::validation(format!("A page holds 1 to {MAX_PAGE_SIZE} rows")));
    }
    Ok(())
}

fn paging(start: usize, max: usize) -> Vec<(&'static str, String)> {
    vec![("startindex", start.to_string()), ("maxrows", max.to_string())]
}

fn get(path: impl Into<String>, endpoint: &'static str) -> Call<'static> {
    Call { method: Method::GET, path: path.into(), endpoint, query: Vec::new(), body: None, idempotent: true }
}

/// `startindex`/`maxrows`, checked, plus an optional search parameter.
fn search_query(
    key: &'static str,
    value: Option<&str>,
    start: usize,
    max: usize,
) -> AppResult<Vec<(&'static str, String)>> {
    check_paging(start, max)?;
    let mut query = paging(start, max);
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
        query.push((key, v.to_string()));
    }
    Ok(query)
}

impl YespoClient {
    /// `GET v1/version`.
    pub async fn version_v1(&self) -> AppResult<Version> {
        decode(&self.send(get("v1/version", "/api/v1/version")).await?, "version")
    }

    /// `GET v2/version` (the call Yespo's docs use to test an OAuth token).
    pub async fn version_v2(&self) -> AppResult<Version> {
        decode(&self.send(get("v2/version", "/api/v2/version")).await?, "version")
    }

    /// `GET v1/account/info`: who the credentials belong to.
    pub async fn account_info(&self) -> AppResult<AccountInfo> {
        decode(&self.send(get("v1/account/info", "/api/v1/account/info")).await?, "account info")
    }

    /// `GET v1/balance`.
    pub async fn balance(&self) -> AppResult<Balance> {
        decode(&self.send(get("v1/balance", "/api/v1/balance")).await?, "balance")
    }

    /// Subscription categories of the account.
    pub async fn subscriptions(&self) -> AppResult<Vec<SubscriptionCategory>> {
        decode_list(&self.send(get("v1/subscriptions", "/api/v1/subscriptions")).await?, "subscriptions")
    }

    /// Address books with their custom fields.
    pub async fn address_books(&self) -> AppResult<AddressBooks> {
        decode(&self.send(get("v1/addressbooks", "/api/v1/addressbooks")).await?, "address books")
    }

    /// Sender names (`GET v1/interfaces/email`).
    pub async fn email_interfaces(&self) -> AppResult<Vec<Interface>> {
        decode_list(&self.send(get("v1/interfaces/email", "/api/v1/interfaces/email")).await?, "email senders")
    }

    /// SMS alpha names (`GET v1/interfaces/sms`).
    pub async fn sms_interfaces(&self) -> AppResult<Vec<Interface>> {
        decode_list(&self.send(get("v1/interfaces/sms", "/api/v1/interfaces/sms")).await?, "SMS senders")
    }

    /// One page of `GET v1/contacts` (`start` is 1-based, `max` ≤ 500).
    pub async fn search_contacts(&self, search: &ContactSearch, start: usize, max: usize) -> AppResult<Page<Contact>> {
        check_paging(start, max)?;
        let mut query = paging(start, max);
        let mut add = |key: &'static str, value: &Option<String>| {
            if let Some(v) = value.as_ref().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                query.push((key, v.to_string()));
            }
        };
        add("email", &search.email);
        add("sms", &search.sms);
        add("firstname", &search.first_name);
        add("lastname", &search.last_name);
        add("externalCustomerId", &search.external_customer_id);
        if search.sort_by_id {
            query.push(("sortBy", "contactId".into()));
        }
        let answer = self.send(Call { query, ..get("v1/contacts", "/api/v1/contacts") }).await?;
        Ok(Page { total: total_count(&answer), items: decode_list(&answer, "contact search")?, start })
    }

    /// Every contact matching `search`, fetched lazily page by page (`page_size` ≤ 500).
    ///
    /// ```no_run
    /// # async fn demo(client: yespo_core::yespo::YespoClient) -> yespo_core::AppResult<()> {
    /// use futures_util::StreamExt;
    /// use yespo_core::yespo::ContactSearch;
    /// let mut contacts = std::pin::pin!(client.contacts_stream(ContactSearch::default(), 500));
    /// while let Some(contact) = contacts.next().await {
    ///     println!("{:?}", contact?.channel("email"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn contacts_stream(
        &self,
        search: ContactSearch,
        page_size: usize,
    ) -> impl Stream<Item = AppResult<Contact>> + '_ {
        paged(page_size, move |start, max| {
            let search = search.clone();
            async move { self.search_contacts(&search, start, max).await }
        })
    }

    /// `GET v1/contact/{id}`.
    pub async fn contact(&self, id: i64) -> AppResult<Contact> {
        decode(&self.send(get(format!("v1/contact/{id}"), "/api/v1/contact/{id}")).await?, "contact")
    }

    /// Emails of contacts by id (`GET v1/contacts/email`).
    pub async fn contact_emails(&self, ids: &[i64]) -> AppResult<Vec<ContactEmail>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let call = Call { query: vec![("ids", list)], ..get("v1/contacts/email", "/api/v1/contacts/email") };
        let answer: ContactEmails = decode(&self.send(call).await?, "contact emails")?;
        Ok(answer.results)
    }

    /// Subscription categories of one contact.
    pub async fn contact_subscriptions(&self, id: i64) -> AppResult<Vec<SubscriptionCategory>> {
        let answer =
            self.send(get(format!("v1/contact/{id}/subscriptions"), "/api/v1/contact/{id}/subscriptions")).await?;
        decode_list(&answer, "contact subscriptions")
    }

    /// `POST v1/contacts`: add or update up to 3000 contacts; applied asynchronously (poll
    /// [`YespoClient::import_status`] with the answer's `async_session_id`).
    pub async fn add_contacts(&self, request: &ContactsBulkUpdate) -> AppResult<ContactBulkUpdateResult> {
        if request.contacts.len() > MAX_CONTACTS_PER_REQUEST {
            return Err(AppError::validation(format!(
                "At most {MAX_CONTACTS_PER_REQUEST} contacts per request, not {}",
                request.contacts.len()
            )));
        }
        let body = serde_json::to_vec(request)
            .map_err(|e| AppError::internal("Cannot encode contacts").with_details(e.to_string()))?;
        // Not retried here after a 5xx or a network error: Yespo runs bulk imports asynchronously,
        // so a blind re-send can start a second import and lose the first `asyncSessionId`.
        // Sending a batch again is the upload job's decision (and it records it). 429s are
        // retried: Yespo refuses those before doing anything.
        let call = Call {
            method: Method::POST,
            body: Some(body),
            idempotent: false,
            ..get("v1/contacts", "/api/v1/contacts")
        };
        decode(&self.send(call).await?, "the contact upload")
    }

    /// `POST v1/contact`: add one contact, or update the one with the same externalCustomerId,
    /// email or phone. Repeating the same call within a minute fails with `duplicate_request`.
    pub async fn add_contact(&self, contact: &Contact) -> AppResult<i64> {
        let body = serde_json::to_vec(contact)
            .map_err(|e| AppError::internal("Cannot encode the contact").with_details(e.to_string()))?;
        let call =
            Call { method: Method::POST, body: Some(body), idempotent: false, ..get("v1/contact", "/api/v1/contact") };
        let id: IdResult = decode(&self.send(call).await?, "the new contact")?;
        id.id.ok_or_else(|| AppError::internal("Yespo did not say which contact it saved"))
    }

    /// `PUT v1/contact/{id}`; Yespo answers in plain text (`Contact with id='…' has been updated`).
    pub async fn update_contact(&self, id: i64, contact: &Contact) -> AppResult<String> {
        let body = serde_json::to_vec(contact)
            .map_err(|e| AppError::internal("Cannot encode the contact").with_details(e.to_string()))?;
        let call = Call {
            method: Method::PUT,
            body: Some(body),
            idempotent: false,
            ..get(format!("v1/contact/{id}"), "/api/v1/contact/{id}")
        };
        Ok(self.send(call).await?.body)
    }

    /// `DELETE v1/contact/{id}`; `erase` removes all of the contact's data for good.
    pub async fn delete_contact(&self, id: i64, erase: bool) -> AppResult<String> {
        let call = Call {
            method: Method::DELETE,
            query: vec![("erase", erase.to_string())],
            idempotent: false,
            ..get(format!("v1/contact/{id}"), "/api/v1/contact/{id}")
        };
        Ok(self.send(call).await?.body)
    }

    /// `GET v1/importstatus/{id}`.
    pub async fn import_status(&self, session_id: &str) -> AppResult<ImportSessionStatus> {
        let id: String = form_urlencoded::byte_serialize(session_id.as_bytes()).collect();
        decode(&self.send(get(format!("v1/importstatus/{id}"), "/api/v1/importstatus/{id}")).await?, "import status")
    }

    /// One page of segments, optionally filtered by name.
    pub async fn groups(&self, name: Option<&str>, start: usize, max: usize) -> AppResult<Page<Group>> {
        let query = search_query("name", name, start, max)?;
        let answer = self.send(Call { query, ..get("v1/groups", "/api/v1/groups") }).await?;
        Ok(Page { total: total_count(&answer), items: decode_list(&answer, "segments")?, start })
    }

    /// One page of a segment's contacts.
    pub async fn group_contacts(&self, group_id: i64, start: usize, max: usize) -> AppResult<Page<Contact>> {
        check_paging(start, max)?;
        let call = Call {
            query: paging(start, max),
            ..get(format!("v1/group/{group_id}/contacts"), "/api/v1/group/{id}/contacts")
        };
        let answer = self.send(call).await?;
        Ok(Page { total: total_count(&answer), items: decode_list(&answer, "segment contacts")?, start })
    }

    /// One page of email messages, searched by part of the name or a tag.
    pub async fn email_messages(
        &self,
        search: Option<&str>,
        start: usize,
        max: usize,
    ) -> AppResult<Page<EmailMessage>> {
        let query = search_query("search", search, start, max)?;
        let answer = self.send(Call { query, ..get("v1/messages/email", "/api/v1/messages/email") }).await?;
        Ok(Page { total: total_count(&answer), items: decode_list(&answer, "email messages")?, start })
    }

    /// One email message with its HTML (`GET v1/messages/email/{id}`); the HTML is untrusted.
    pub async fn email_message(&self, id: i64) -> AppResult<EmailMessage> {
        decode(
            &self.send(get(format!("v1/messages/email/{id}"), "/api/v1/messages/email/{id}")).await?,
            "email message",
        )
    }

    /// The message's view-in-browser link.
    pub async fn email_view_link(&self, id: i64) -> AppResult<String> {
        let answer =
            self.send(get(format!("v1/messages/email/{id}/viewLink"), "/api/v1/messages/email/{id}/viewLink")).await?;
        let link: ViewLink = decode(&answer, "view link")?;
        link.link.ok_or_else(|| AppError::not_found("Yespo sent no view link for this message"))
    }

    /// One page of SMS messages, searched by part of the name or a tag.
    pub async fn sms_messages(&self, search: Option<&str>, start: usize, max: usize) -> AppResult<Page<SmsMessage>> {
        let query = search_query("search", search, start, max)?;
        let answer = self.send(Call { query, ..get("v1/messages/sms", "/api/v1/messages/sms") }).await?;
        Ok(Page { total: total_count(&answer), items: decode_list(&answer, "SMS messages")?, start })
    }

    /// One SMS message (`GET v1/messages/sms/{id}`).
    pub async fn sms_message(&self, id: i64) -> AppResult<SmsMessage> {
        decode(&self.send(get(format!("v1/messages/sms/{id}"), "/api/v1/messages/sms/{id}")).await?, "SMS message")
    }

    /// One page of mobile push messages, searched by part of the name or a tag.
    pub async fn mobilepush_messages(
        &self,
        search: Option<&str>,
        start: usize,
        max: usize,
    ) -> AppResult<Page<MobilePushMessage>> {
        let query = search_query("search", search, start, max)?;
        let answer = self.send(Call { query, ..get("v1/messages/mobilepush", "/api/v1/messages/mobilepush") }).await?;
        Ok(Page { total: total_count(&answer), items: decode_list(&answer, "mobile push messages")?, start })
    }

    /// One mobile push message with its language versions (`GET v1/messages/mobilepush/{id}`).
    pub async fn mobilepush_message(&self, id: i64) -> AppResult<MobilePushMessage> {
        decode(
            &self.send(get(format!("v1/messages/mobilepush/{id}"), "/api/v1/messages/mobilepush/{id}")).await?,
            "mobile push message",
        )
    }

    /// `POST v1/messages/email`: add an email message template; answers its id.
    pub async fn add_email_message(&self, message: &NewEmailMessage) -> AppResult<i64> {
        let body = serde_json::to_vec(message)
            .map_err(|e| AppError::internal("Cannot encode the email message").with_details(e.to_string()))?;
        // Not retried after a 5xx or a network error: the message may have been added, and a
        // second one would be a duplicate template.
        let call = Call {
            method: Method::POST,
            body: Some(body),
            idempotent: false,
            ..get("v1/messages/email", "/api/v1/messages/email")
        };
        let id: IdResult = decode(&self.send(call).await?, "the new email message")?;
        id.id.ok_or_else(|| AppError::internal("Yespo did not say which message it added"))
    }
}

/// Walk pages lazily: stops after a short page, or when `TotalCount` is reached.
pub fn paged<'a, T, F, Fut>(page_size: usize, fetch: F) -> impl Stream<Item = AppResult<T>> + 'a
where
    T: 'a,
    F: Fn(usize, usize) -> Fut + 'a,
    Fut: std::future::Future<Output = AppResult<Page<T>>> + 'a,
{
    let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
    stream::unfold((1usize, false, fetch), move |(start, done, fetch)| async move {
        if done {
            return None;
        }
        match fetch(start, page_size).await {
            Err(e) => Some((stream::iter(vec![Err(e)]), (start, true, fetch))),
            Ok(page) => {
                let got = page.items.len();
                let next = start + got;
                let finished = got < page_size || page.total.is_some_and(|t| next as u64 > t);
                let items: Vec<AppResult<T>> = page.items.into_iter().map(Ok).collect();
                Some((stream::iter(items), (next, finished, fetch)))
            }
        }
    })
    .flatten()
}
