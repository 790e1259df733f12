//! The Segments list: every segment of the account read once (`GET groups`, 500 a page) and
//! cached until Refresh, then searched and filtered by type here, so typing in the search box
//! costs no request. A segment's members are a [`super::contacts::ContactSource::Segment`].

use super::once_map::OnceMap;
use crate::error::AppResult;
use crate::yespo::models::Group;
use crate::yespo::YespoClient;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Segments per request: Yespo's maximum for `GET groups`.
const PAGE: usize = 500;

/// Yespo's segment types (`GroupDto.type`, capitalised on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SegmentKind {
    /// A list of contacts added by hand or by API ("Static").
    Static,
    /// Contacts matching conditions ("Dynamic").
    Dynamic,
    /// Other segments combined ("Combined").
    Combined,
    /// A type this app does not know yet.
    Other,
}

impl SegmentKind {
    fn of(wire: Option<&str>) -> SegmentKind {
        match wire.map(str::to_ascii_lowercase).as_deref() {
            Some("static") => SegmentKind::Static,
            Some("dynamic") => SegmentKind::Dynamic,
            Some("combined") => SegmentKind::Combined,
            _ => SegmentKind::Other,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRow {
    pub id: i64,
    pub name: String,
    pub kind: SegmentKind,
    /// The type as Yespo wrote it.
    pub kind_text: Option<String>,
}

/// What the Segments list shows for a search.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SegmentList {
    pub rows: Vec<SegmentRow>,
    /// Segments of each type in the whole account, for the type filter's labels.
    pub counts: HashMap<SegmentKind, u32>,
    /// Every segment of the account.
    pub total: u32,
    /// When Yespo answered (UTC, RFC 3339).
    pub as_of: String,
}

/// A segment search: part of the name (any case) and the types wanted (empty: all).
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SegmentQuery {
    pub name: String,
    pub kinds: Vec<SegmentKind>,
}

struct Read {
    rows: Vec<SegmentRow>,
    as_of: String,
}

/// Every account's segments, read once each.
#[derive(Default)]
pub struct SegmentLists {
    read: OnceMap<String, Arc<Read>>,
}

impl SegmentLists {
    /// The segments of `account` matching `query`, by name.
    pub async fn list(&self, client: &YespoClient, account: &str, query: &SegmentQuery) -> AppResult<SegmentList> {
        let read = self.read.get_or_try_init(&account.to_string(), || read_all(client)).await?;
        let name = query.name.trim().to_lowercase();
        let mut counts = HashMap::new();
        for row in &read.rows {
            *counts.entry(row.kind).or_insert(0) += 1;
        }
        let rows = read
            .rows
            .iter()
            .filter(|r| query.kinds.is_empty() || query.kinds.contains(&r.kind))
            .filter(|r| name.is_empty() || r.name.to_lowercase().contains(&name) || r.id.to_string() == name)
            .cloned()
            .collect();
        Ok(SegmentList { rows, counts, total: read.rows.len() as u32, as_of: read.as_of.clone() })
    }

    /// Reads the segments again at the next [`SegmentLists::list`] (Refresh).
    pub fn refresh(&self, account: &str) {
        self.read.retain(|a| a != account);
    }
}

async fn read_all(client: &YespoClient) -> AppResult<Arc<Read>> {
    let mut groups: Vec<Group> = Vec::new();
    loop {
        let page = client.groups(None, groups.len() + 1, PAGE).await?;
        let got = page.items.len();
        groups.extend(page.items);
        if got < PAGE {
            break;
        }
    }
    let mut rows: Vec<SegmentRow> = groups
        .into_iter()
        .filter_map(|g| {
            Some(SegmentRow {
                id: g.id?,
                kind: SegmentKind::of(g.kind.as_deref()),
                name: g.name.unwrap_or_default(),
                kind_text: g.kind,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    Ok(Arc::new(Read { rows, as_of: crate::clock::now_text() }))
}
