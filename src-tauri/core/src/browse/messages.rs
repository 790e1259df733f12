//! Message templates (email, SMS, mobile push): searches and reads. Yespo allows 500 message
//! reads an hour (a search page, a message, a view link: each one read), so every answer is
//! cached until Refresh, nothing cached is asked again, the reads of the last hour are counted
//! per account, and once Yespo says the limit is reached no read is sent until it may work.

use super::email_preview::{self, ImageFailure, ImageLimits, InlineImage, PreparedEmail};
use super::once_map::OnceMap;
use super::sms_length::{sms_length, SmsLength};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::yespo::models::{EmailMessage, MessageBase, MobilePushMessage, SmsMessage};
use crate::yespo::YespoClient;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Rows per search request: Yespo's maximum.
pub const PAGE: usize = 500;
/// Yespo's published default for message reads.
pub const READS_PER_HOUR: u32 = 500;
/// The budget is "low" (and shown) from this many reads left.
const LOW_AT: u32 = 50;
const HOUR: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum MessageKind {
    Email,
    Sms,
    Push,
}

/// A message as the list shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MessageRow {
    pub id: i64,
    pub kind: MessageKind,
    pub name: Option<String>,
    /// The email's subject, the SMS's text, the push's title.
    pub summary: Option<String>,
    pub from: Option<String>,
    pub tags: Vec<String>,
    pub language: Option<String>,
    pub languages: Vec<String>,
}

/// Message reads this app made for an account in the last hour.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReadBudget {
    pub limit: u32,
    pub used: u32,
    pub remaining: u32,
    /// Few reads left: the screens say so.
    pub low: bool,
    /// Yespo refused a read for the limit: none is sent before this time (UTC, RFC 3339).
    pub blocked_until: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MessagePage {
    pub start: u64,
    pub rows: Vec<MessageRow>,
    pub total: Option<u64>,
    pub last: bool,
    pub as_of: String,
    pub budget: ReadBudget,
}

/// One language version of an email.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EmailVersion {
    pub language: Option<String>,
    pub subject: Option<String>,
    pub from: Option<String>,
}

/// An email template ready to show: its facts and the sanitised document of one language.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EmailPreview {
    pub id: i64,
    pub name: Option<String>,
    pub subject: Option<String>,
    pub from: Option<String>,
    pub language: Option<String>,
    pub versions: Vec<EmailVersion>,
    pub tags: Vec<String>,
    pub subscriptions_keys: Vec<String>,
    /// The sanitised HTML document for the preview frame, remote images held back.
    pub prepared: PreparedEmail,
    /// The message has no HTML (an AMP-only or empty template).
    pub empty: bool,
    pub as_of: String,
    pub budget: ReadBudget,
}

/// The preview with its remote images fetched by the app and written into it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EmailWithImages {
    pub document: String,
    pub loaded: u32,
    pub failures: Vec<ImageFailure>,
}

/// One language version of an SMS, with its length in parts.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsVersion {
    pub language: Option<String>,
    pub from: Option<String>,
    pub text: String,
    pub length: SmsLength,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsView {
    pub id: i64,
    pub name: Option<String>,
    pub tags: Vec<String>,
    /// Links in the text are replaced by tracked ones when sent.
    pub track_urls: bool,
    pub versions: Vec<SmsVersion>,
    pub as_of: String,
    pub budget: ReadBudget,
}

/// A push button as the phone shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PushButtonView {
    pub label: Option<String>,
    pub link: Option<String>,
}

/// One language version of a mobile push, as plain text.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PushVersion {
    pub language: Option<String>,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub text: Option<String>,
    pub link: Option<String>,
    /// `web` (opens the browser) or `deep` (opens the app), when there is a link.
    pub link_kind: Option<String>,
    /// Image URLs (the image, then a carousel's): not loaded until the user asks.
    pub images: Vec<String>,
    pub buttons: Vec<PushButtonView>,
    pub custom_data: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PushView {
    pub id: i64,
    pub name: Option<String>,
    pub tags: Vec<String>,
    pub versions: Vec<PushVersion>,
    pub ttl_sec: Option<i64>,
    pub sound: Option<bool>,
    pub badge: Option<i64>,
    pub as_of: String,
    pub budget: ReadBudget,
}

fn link_kind(link: &str) -> &'static str {
    let lower = link.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        "web"
    } else {
        "deep"
    }
}

#[derive(Default)]
struct ReadLog {
    at: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl ReadLog {
    fn budget(&mut self) -> ReadBudget {
        let now = Instant::now();
        while self.at.front().is_some_and(|t| now.duration_since(*t) >= HOUR) {
            self.at.pop_front();
        }
        let blocked = self.blocked_until.filter(|until| *until > now);
        self.blocked_until = blocked;
        let used = self.at.len() as u32;
        let remaining = if blocked.is_some() { 0 } else { READS_PER_HOUR.saturating_sub(used) };
        ReadBudget {
            limit: READS_PER_HOUR,
            used,
            remaining,
            low: remaining <= LOW_AT,
            blocked_until: blocked.map(|until| crate::clock::text_in(until - now)),
        }
    }
}

type SearchKey = (String, MessageKind, String, usize);

/// The message caches and read counts of every account.
pub struct MessageLists {
    pages: OnceMap<SearchKey, MessagePageData>,
    emails: OnceMap<(String, i64), Arc<EmailMessage>>,
    sms: OnceMap<(String, i64), Arc<SmsMessage>>,
    pushes: OnceMap<(String, i64), Arc<MobilePushMessage>>,
    view_links: OnceMap<(String, i64), String>,
    images: OnceMap<String, Arc<InlineImage>>,
    reads: Mutex<HashMap<String, ReadLog>>,
    /// Fetches remote images (any host, no credentials): never the Yespo client.
    image_http: reqwest::Client,
}

#[derive(Clone)]
struct MessagePageData {
    rows: Vec<MessageRow>,
    total: Option<u64>,
    as_of: String,
}

impl Default for MessageLists {
    fn default() -> Self {
        MessageLists::new()
    }
}

fn row_of(kind: MessageKind, base: &MessageBase, summary: Option<&String>) -> Option<MessageRow> {
    Some(MessageRow {
        id: base.id?,
        kind,
        name: base.name.clone(),
        summary: summary.cloned(),
        from: base.from.clone(),
        tags: base.tags.clone(),
        language: base.language_code.clone(),
        languages: base.languages.clone(),
    })
}

impl MessageLists {
    pub fn new() -> MessageLists {
        let image_http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("YespoAdmin/", env!("CARGO_PKG_VERSION"), " (email preview images)"))
            .build()
            .expect("the image client builds with static settings");
        MessageLists {
            pages: OnceMap::default(),
            emails: OnceMap::default(),
            sms: OnceMap::default(),
            pushes: OnceMap::default(),
            view_links: OnceMap::default(),
            images: OnceMap::default(),
            reads: Mutex::new(HashMap::new()),
            image_http,
        }
    }

    fn log<T>(&self, account: &str, f: impl FnOnce(&mut ReadLog) -> T) -> T {
        let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        f(reads.entry(account.to_string()).or_default())
    }

    /// The account's read budget as this app counted it.
    pub fn budget(&self, account: &str) -> ReadBudget {
        self.log(account, ReadLog::budget)
    }

    /// One message read: refused here while Yespo's limit holds, counted, and a 429 from Yespo
    /// turned into the budget's own words.
    async fn read<T>(&self, account: &str, call: impl std::future::Future<Output = AppResult<T>>) -> AppResult<T> {
        let budget = self.budget(account);
        if let Some(until) = &budget.blocked_until {
            return Err(limit_reached(until, &budget));
        }
        self.log(account, |log| log.at.push_back(Instant::now()));
        match call.await {
            Err(e) if e.code == ErrorCode::RateLimited => {
                // Yespo does not say when the hour's window frees a read: wait for the server's
                // word, else until our oldest counted read is an hour old, else a quarter hour.
                let wait = e.retry_after_secs.map(Duration::from_secs).unwrap_or_else(|| {
                    self.log(account, |log| {
                        log.at.front().map(|t| HOUR.saturating_sub(t.elapsed())).unwrap_or(Duration::from_secs(900))
                    })
                });
                let wait = wait.max(Duration::from_secs(60));
                self.log(account, |log| log.blocked_until = Some(Instant::now() + wait));
                let budget = self.budget(account);
                Err(limit_reached(budget.blocked_until.as_deref().unwrap_or_default(), &budget)
                    .with_details(e.details.unwrap_or(e.message)))
            }
            other => other,
        }
    }

    /// Rows `start..start + count` of the `kind` messages matching `search` (part of the name
    /// or a tag; empty: all), from cached 500-row pages.
    pub async fn rows(
        &self,
        client: &YespoClient,
        account: &str,
        kind: MessageKind,
        search: &str,
        start: u64,
        count: usize,
    ) -> AppResult<MessagePage> {
        let search = search.trim().to_string();
        let first = start as usize / PAGE;
        let end = start as usize + count.min(PAGE);
        let mut out = MessagePage {
            start,
            rows: Vec::new(),
            total: None,
            last: false,
            as_of: String::new(),
            budget: self.budget(account),
        };
        for page in first..end.div_ceil(PAGE).max(first + 1) {
            let key = (account.to_string(), kind, search.clone(), page);
            let got = self
                .pages
                .get_or_try_init(&key, || self.read(account, fetch_page(client, kind, &search, page)))
                .await?;
            let from = (start as usize).saturating_sub(page * PAGE).min(got.rows.len());
            let to = (end - page * PAGE).min(got.rows.len());
            out.rows.extend_from_slice(&got.rows[from..to]);
            out.total = got.total;
            out.as_of = got.as_of.clone();
            out.last = got.rows.len() < PAGE;
            if out.last {
                break;
            }
        }
        out.budget = self.budget(account);
        Ok(out)
    }

    /// Names of cached messages matching `text`, for the palette: no read is spent on typing.
    pub fn cached_matches(&self, account: &str, text: &str, max: usize) -> Vec<MessageRow> {
        let text = text.trim().to_lowercase();
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<MessageRow> = self
            .pages
            .made()
            .into_iter()
            .filter(|((a, ..), _)| a == account)
            .flat_map(|(_, page)| page.rows)
            .filter(|r| r.name.as_deref().is_some_and(|n| n.to_lowercase().contains(&text)))
            .filter(|r| seen.insert((r.kind, r.id)))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out.truncate(max);
        out
    }

    async fn email(&self, client: &YespoClient, account: &str, id: i64) -> AppResult<Arc<EmailMessage>> {
        self.emails
            .get_or_try_init(&(account.to_string(), id), || async {
                Ok::<_, AppError>(Arc::new(self.read(account, client.email_message(id)).await?))
            })
            .await
    }

    /// An email template, sanitised for the preview, in `language` (or its main language).
    pub async fn email_preview(
        &self,
        client: &YespoClient,
        account: &str,
        id: i64,
        language: Option<&str>,
    ) -> AppResult<EmailPreview> {
        let message = self.email(client, account, id).await?;
        let version = email_version(&message, language);
        let html = version.html_text.as_deref().or(version.raw_html.as_deref()).unwrap_or_default();
        let prepared = email_preview::prepare(html, version.css.as_deref().or(message.css.as_deref()));
        let mut versions = vec![EmailVersion {
            language: message.base.language_code.clone(),
            subject: message.subject.clone(),
            from: message.base.from.clone(),
        }];
        versions.extend(message.translations.iter().map(|t| EmailVersion {
            language: t.base.language_code.clone(),
            subject: t.subject.clone().or_else(|| message.subject.clone()),
            from: t.base.from.clone().or_else(|| message.base.from.clone()),
        }));
        Ok(EmailPreview {
            id,
            name: message.base.name.clone(),
            subject: version.subject.clone().or_else(|| message.subject.clone()),
            from: version.base.from.clone().or_else(|| message.base.from.clone()),
            language: version.base.language_code.clone().or_else(|| message.base.language_code.clone()),
            versions,
            tags: message.base.tags.clone(),
            subscriptions_keys: message.base.subscriptions_keys.clone(),
            empty: html.trim().is_empty(),
            prepared,
            as_of: crate::clock::now_text(),
            budget: self.budget(account),
        })
    }

    /// The preview with its remote images fetched here (never by the web view) and inlined.
    /// The message itself comes from the cache: it was read to be shown.
    pub async fn email_with_images(
        &self,
        client: &YespoClient,
        account: &str,
        id: i64,
        language: Option<&str>,
    ) -> AppResult<EmailWithImages> {
        let preview = self.email_preview(client, account, id, language).await?;
        let (images, failures) = self.cached_images(&preview.prepared.remote_images).await;
        Ok(EmailWithImages {
            document: email_preview::with_images(&preview.prepared, &images),
            loaded: images.len() as u32,
            failures,
        })
    }

    /// Yespo's hosted web version of an email (one read, then cached).
    pub async fn email_view_link(&self, client: &YespoClient, account: &str, id: i64) -> AppResult<String> {
        self.view_links
            .get_or_try_init(&(account.to_string(), id), || self.read(account, client.email_view_link(id)))
            .await
    }

    /// An SMS template with each language's length in parts.
    pub async fn sms(&self, client: &YespoClient, account: &str, id: i64) -> AppResult<SmsView> {
        let message = self
            .sms
            .get_or_try_init(&(account.to_string(), id), || async {
                Ok::<_, AppError>(Arc::new(self.read(account, client.sms_message(id)).await?))
            })
            .await?;
        let version = |m: &SmsMessage| {
            let text = m.text.clone().or_else(|| message.text.clone()).unwrap_or_default();
            SmsVersion {
                language: m.base.language_code.clone(),
                from: m.base.from.clone().or_else(|| message.base.from.clone()),
                length: sms_length(&text),
                text,
            }
        };
        let mut versions = vec![version(&message)];
        versions.extend(message.translations.iter().map(version));
        Ok(SmsView {
            id,
            name: message.base.name.clone(),
            tags: message.base.tags.clone(),
            track_urls: message.track_urls.unwrap_or(false),
            versions,
            as_of: crate::clock::now_text(),
            budget: self.budget(account),
        })
    }

    /// A mobile push template, each language as the phone would show it (plain text).
    pub async fn push(&self, client: &YespoClient, account: &str, id: i64) -> AppResult<PushView> {
        let message = self
            .pushes
            .get_or_try_init(&(account.to_string(), id), || async {
                Ok::<_, AppError>(Arc::new(self.read(account, client.mobilepush_message(id)).await?))
            })
            .await?;
        let version = |m: &MobilePushMessage| {
            let or = |mine: &Option<String>, main: &Option<String>| mine.clone().or_else(|| main.clone());
            let link = or(&m.link, &message.link).filter(|l| !l.trim().is_empty());
            let mut images: Vec<String> = or(&m.image_source, &message.image_source).into_iter().collect();
            images.extend(if m.images.is_empty() { message.images.clone() } else { m.images.clone() });
            images.retain(|u| !u.trim().is_empty());
            images.dedup();
            let buttons = if m.buttons.is_empty() { &message.buttons } else { &m.buttons };
            PushVersion {
                language: m.base.language_code.clone(),
                title: or(&m.title, &message.title),
                subtitle: or(&m.subtitle, &message.subtitle),
                text: or(&m.text, &message.text),
                link_kind: link.as_deref().map(|l| link_kind(l).to_string()),
                link,
                images,
                buttons: buttons
                    .iter()
                    .map(|b| PushButtonView { label: b.label.clone(), link: b.link.clone() })
                    .collect(),
                custom_data: or(&m.custom_data, &message.custom_data),
            }
        };
        let mut versions = vec![version(&message)];
        versions.extend(message.translations.iter().map(version));
        Ok(PushView {
            id,
            name: message.base.name.clone(),
            tags: message.base.tags.clone(),
            versions,
            ttl_sec: message.ttl_sec,
            sound: message.sound_enabled,
            badge: message.badge_count,
            as_of: crate::clock::now_text(),
            budget: self.budget(account),
        })
    }

    /// Images fetched here and returned as `data:` URIs (a push's image, on "Load images").
    pub async fn images(&self, urls: &[String]) -> (HashMap<String, String>, Vec<ImageFailure>) {
        let (images, failures) = self.cached_images(urls).await;
        (images.into_iter().map(|(url, image)| (url, image.data_uri)).collect(), failures)
    }

    /// `urls` fetched by the app (a few at a time, sizes and types checked), each once.
    async fn cached_images(&self, urls: &[String]) -> (HashMap<String, InlineImage>, Vec<ImageFailure>) {
        let mut images = HashMap::new();
        let mut wanted = Vec::new();
        for url in urls {
            match self.images.get(url) {
                Some(image) => {
                    images.insert(url.clone(), (*image).clone());
                }
                None => wanted.push(url.clone()),
            }
        }
        let (fetched, failures) = email_preview::fetch_images(&self.image_http, &wanted, ImageLimits::default()).await;
        for (url, image) in fetched {
            let image = Arc::new(image);
            let _ = self.images.get_or_try_init(&url, || async { Ok::<_, AppError>(image.clone()) }).await;
            images.insert(url, (*image).clone());
        }
        (images, failures)
    }

    /// Forgets the cached searches of `account` (Refresh); messages stay cached until the
    /// account is forgotten, since each costs a read and templates rarely change.
    pub fn refresh(&self, account: &str) {
        self.pages.retain(|(a, ..)| a != account);
    }

    /// Forgets the account's messages too (Refresh on an open message).
    pub fn refresh_message(&self, account: &str, id: i64) {
        let other = |(a, i): &(String, i64)| !(a == account && *i == id);
        self.emails.retain(other);
        self.sms.retain(other);
        self.pushes.retain(other);
        self.view_links.retain(other);
    }

    /// Forgets everything of `account` (it logged out or was removed); the read count stays.
    pub fn forget_account(&self, account: &str) {
        self.refresh(account);
        self.emails.retain(|(a, _)| a != account);
        self.sms.retain(|(a, _)| a != account);
        self.pushes.retain(|(a, _)| a != account);
        self.view_links.retain(|(a, _)| a != account);
    }
}

fn limit_reached(until: &str, budget: &ReadBudget) -> AppError {
    let mut e = AppError::new(
        ErrorCode::RateLimited,
        format!(
            "Yespo allows {} message reads an hour and says this account has used them (this app made {} in the last hour). \
             Messages already opened still show; new reads are possible again around {until} (UTC).",
            budget.limit, budget.used
        ),
    );
    e.retry_after_secs = time::OffsetDateTime::parse(until, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t - time::OffsetDateTime::now_utc()).whole_seconds().max(0) as u64);
    e
}

fn email_version<'a>(message: &'a EmailMessage, language: Option<&str>) -> &'a EmailMessage {
    language
        .and_then(|l| message.translations.iter().find(|t| t.base.language_code.as_deref() == Some(l)))
        .unwrap_or(message)
}

async fn fetch_page(client: &YespoClient, kind: MessageKind, search: &str, page: usize) -> AppResult<MessagePageData> {
    let search = Some(search).filter(|s| !s.is_empty());
    let start = page * PAGE + 1;
    let (rows, total) = match kind {
        MessageKind::Email => {
            let found = client.email_messages(search, start, PAGE).await?;
            (found.items.iter().filter_map(|m| row_of(kind, &m.base, m.subject.as_ref())).collect(), found.total)
        }
        MessageKind::Sms => {
            let found = client.sms_messages(search, start, PAGE).await?;
            (found.items.iter().filter_map(|m| row_of(kind, &m.base, m.text.as_ref())).collect(), found.total)
        }
        MessageKind::Push => {
            let found = client.mobilepush_messages(search, start, PAGE).await?;
            (found.items.iter().filter_map(|m| row_of(kind, &m.base, m.title.as_ref())).collect(), found.total)
        }
    };
    Ok(MessagePageData { rows, total, as_of: crate::clock::now_text() })
}
