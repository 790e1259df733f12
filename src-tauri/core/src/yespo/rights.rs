//! Access rights and API method groups: the one table that says who may call what.
//!
//! Yespo publishes the rights an OAuth app or API key can have and the groups of API methods
//! (seed 000, "Groups of API Methods by Functions in the System"), but not which right opens which
//! group (yespo-api.md §8). This table is our documented inference, used by the sandbox to answer
//! 403, by the client to say which right a 403 is about, and by the registration check:
//!
//! | Right                          | General | Update contacts | Read contacts | Activity | Events | Send messages | Other |
//! |--------------------------------|:-------:|:---------------:|:-------------:|:--------:|:------:|:-------------:|:-----:|
//! | Full access to API             | yes     | yes             | yes           | yes      | yes    | yes           | yes   |
//! | Access to events               | yes     |                 |               |          | yes    |               |       |
//! | Access to events and contacts  | yes     | yes             | yes           | yes      | yes    |               |       |
//! | Access to messages             | yes     |                 |               |          |        | yes           |       |
//!
//! "Other" is every endpoint that seed 000 puts in no group (orders, workflows, site, apps...):
//! only full access reaches it.

use serde::{Deserialize, Serialize};

/// The rights a registered OAuth app or an API key can be given (seed 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// "Full access to API".
    FullAccess,
    /// "Access to events".
    Events,
    /// "Access to events and contacts".
    EventsAndContacts,
    /// "Access to messages".
    Messages,
}

impl Right {
    /// Every right, in Yespo's order.
    pub const ALL: [Right; 4] = [Right::FullAccess, Right::Events, Right::EventsAndContacts, Right::Messages];

    /// The name Yespo's UI uses.
    pub fn label(self) -> &'static str {
        match self {
            Right::FullAccess => "Full access to API",
            Right::Events => "Access to events",
            Right::EventsAndContacts => "Access to events and contacts",
            Right::Messages => "Access to messages",
        }
    }

    /// Whether this right opens `group` (the table in the module docs).
    pub fn allows(self, group: MethodGroup) -> bool {
        use MethodGroup::*;
        match self {
            Right::FullAccess => true,
            Right::Events => matches!(group, General | Events),
            Right::EventsAndContacts => {
                matches!(group, General | UpdateContacts | ReadContacts | ContactActivity | Events)
            }
            Right::Messages => matches!(group, General | SendMessages),
        }
    }

    /// The smallest right that opens `group`: named in 403 answers so the user knows what to ask for.
    pub fn needed_for(group: MethodGroup) -> Right {
        match group {
            MethodGroup::General | MethodGroup::Events => Right::Events,
            MethodGroup::UpdateContacts | MethodGroup::ReadContacts | MethodGroup::ContactActivity => {
                Right::EventsAndContacts
            }
            MethodGroup::SendMessages => Right::Messages,
            MethodGroup::Other => Right::FullAccess,
        }
    }
}

/// The groups of API methods as seed 000 numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MethodGroup {
    /// 1. General methods: only authorisation needed.
    General,
    /// 2. Updating contacts and segments.
    UpdateContacts,
    /// 3. Reading contacts and segments.
    ReadContacts,
    /// 4. Contact activity data.
    ContactActivity,
    /// 5. Managing events.
    Events,
    /// 6. Managing (sending) messages.
    SendMessages,
    /// In no group: full access only.
    Other,
}

impl MethodGroup {
    /// The group's name for people.
    pub fn label(self) -> &'static str {
        match self {
            MethodGroup::General => "General methods",
            MethodGroup::UpdateContacts => "Updating contacts and segments",
            MethodGroup::ReadContacts => "Reading contacts and segments",
            MethodGroup::ContactActivity => "Contact activity data",
            MethodGroup::Events => "Managing events",
            MethodGroup::SendMessages => "Managing messages",
            MethodGroup::Other => "Other methods",
        }
    }
}

/// Which published rate limit an endpoint counts against (yespo-api.md §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateFamily {
    /// `GET contacts`: 50 requests per second.
    ContactsSearch,
    /// Message search, get by id and viewLink: 500 requests per hour by default.
    MessageReads,
    /// Events: 350 requests per second.
    Events,
    /// Everything else shares 200 requests per second.
    Default,
}

/// One API endpoint the sandbox serves: method, path (as the router spells it, after `/api`),
/// its method group (seed 000) and its rate family.
pub struct Endpoint {
    /// `GET`, `POST`...
    pub method: &'static str,
    /// `/api/v1/contact/{id}`.
    pub path: &'static str,
    /// Which right opens it.
    pub group: MethodGroup,
    /// Which published limit it counts against.
    pub rate: RateFamily,
}

const fn ep(method: &'static str, path: &'static str, group: MethodGroup, rate: RateFamily) -> Endpoint {
    Endpoint { method, path, group, rate }
}

use MethodGroup as G;
use RateFamily as R;

/// Every endpoint the sandbox serves. The router is built from handlers, but the rights and rate
/// middleware look each request up here, and a test checks every routed endpoint is listed.
pub const ENDPOINTS: &[Endpoint] = &[
    // 1.1 Protocol version
    ep("GET", "/api/v1/version", G::General, R::Default),
    ep("GET", "/api/v2/version", G::General, R::Default),
    // 1.2 Account information
    ep("GET", "/api/v1/account/info", G::General, R::Default),
    ep("GET", "/api/v1/balance", G::General, R::Default),
    ep("GET", "/api/v1/subscriptions", G::General, R::Default),
    ep("GET", "/api/v1/addressbooks", G::General, R::Default),
    // 1.3 Message management (reading templates is general)
    ep("GET", "/api/v1/messages/email", G::General, R::MessageReads),
    ep("GET", "/api/v1/messages/email/{id}", G::General, R::MessageReads),
    ep("GET", "/api/v1/messages/email/{id}/viewLink", G::General, R::MessageReads),
    ep("GET", "/api/v1/messages/sms", G::General, R::MessageReads),
    ep("GET", "/api/v1/messages/sms/{id}", G::General, R::MessageReads),
    // Seed 000 names only the email and SMS template calls; mobile push reads are the same kind
    // of call with the same published 500/hour limit, so they go with them (inferred).
    ep("GET", "/api/v1/messages/mobilepush", G::General, R::MessageReads),
    ep("GET", "/api/v1/messages/mobilepush/{id}", G::General, R::MessageReads),
    // Adding a template is in seed 000's message management; the spec gives it no limit of its own.
    ep("POST", "/api/v1/messages/email", G::General, R::Default),
    // 1.4 Interfaces
    ep("GET", "/api/v1/interfaces/email", G::General, R::Default),
    ep("GET", "/api/v1/interfaces/sms", G::General, R::Default),
    // 2. Updating contacts and segments
    ep("POST", "/api/v1/contacts", G::UpdateContacts, R::Default),
    ep("GET", "/api/v1/importstatus/{id}", G::UpdateContacts, R::Default),
    ep("POST", "/api/v1/contact", G::UpdateContacts, R::Default),
    ep("PUT", "/api/v1/contact/{id}", G::UpdateContacts, R::Default),
    ep("DELETE", "/api/v1/contact/{id}", G::UpdateContacts, R::Default),
    ep("POST", "/api/v1/group/{id}/contacts/detach", G::UpdateContacts, R::Default),
    // Seed 000 lists only detach in group 2; attach is its twin, so it goes with it.
    ep("POST", "/api/v1/group/{id}/contacts/attach", G::UpdateContacts, R::Default),
    // 3. Reading contacts and segments
    ep("GET", "/api/v1/contacts", G::ReadContacts, R::ContactsSearch),
    ep("GET", "/api/v1/contact/{id}", G::ReadContacts, R::Default),
    ep("GET", "/api/v1/contacts/email", G::ReadContacts, R::Default),
    ep("GET", "/api/v1/contact/{id}/subscriptions", G::ReadContacts, R::Default),
    ep("GET", "/api/v1/groups", G::ReadContacts, R::Default),
    ep("GET", "/api/v1/group/{id}/contacts", G::ReadContacts, R::Default),
    // 4. Contact activity
    ep("GET", "/api/v2/contacts/activity", G::ContactActivity, R::Default),
    // 5. Events
    ep("POST", "/api/v1/event", G::Events, R::Events),
    ep("POST", "/api/v2/event", G::Events, R::Events),
    // 6. Sending messages: status lookups only (the sandbox sends nothing).
    ep("GET", "/api/v1/message/status", G::SendMessages, R::Default),
    // In no group: full access only.
    ep("GET", "/api/v1/workflows", G::Other, R::Default),
];

/// The endpoint for a request, by method and the router's matched path.
pub fn endpoint(method: &str, matched_path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.method == method && e.path == matched_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_access_opens_everything_and_each_right_its_groups() {
        for e in ENDPOINTS {
            assert!(Right::FullAccess.allows(e.group));
            assert!(Right::needed_for(e.group).allows(e.group), "{} {}", e.method, e.path);
        }
        assert!(!Right::Events.allows(MethodGroup::ReadContacts));
        assert!(!Right::Messages.allows(MethodGroup::UpdateContacts));
        assert!(!Right::EventsAndContacts.allows(MethodGroup::SendMessages));
        assert!(Right::Messages.allows(MethodGroup::General));
    }

    #[test]
    fn endpoints_are_unique() {
        for (i, a) in ENDPOINTS.iter().enumerate() {
            for b in &ENDPOINTS[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{} {} twice", a.method, a.path);
            }
        }
    }
}
