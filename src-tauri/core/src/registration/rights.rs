//! Check 4: which method groups the app's token opens. One probe per group of seed 000, each a
//! request that cannot change anything even if Yespo carried it out: a GET where the group has
//! one, and for the write-only group (events) a body Yespo must refuse before it can act. Yespo
//! checks rights before it reads a request (the sandbox does the same), so 403 means "denied",
//! and any other answer, 200, 400 or 404, means the request got past the rights check.

use super::report::{CheckData, CheckId, CheckResult, Finding, Verdict};
use crate::error::ErrorCode;
use crate::yespo::client::{status_of, Call};
use crate::yespo::rights::{MethodGroup, Right};
use crate::yespo::YespoClient;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One harmless request per method group.
pub struct Probe {
    pub group: MethodGroup,
    /// What is sent, for the report (`GET v1/version`).
    pub request: &'static str,
    /// Why it cannot change anything, for the report and for whoever changes the probe.
    pub harmless: &'static str,
    call: fn() -> Call<'static>,
}

fn call(method: Method, path: &str, endpoint: &'static str, query: &[(&'static str, &str)]) -> Call<'static> {
    Call {
        method,
        path: path.to_string(),
        endpoint,
        query: query.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        body: None,
        // Reads may be sent again after a network error; the event probe must not be.
        idempotent: true,
    }
}

/// The probes, in seed 000's order, then the methods in no group.
pub const PROBES: &[Probe] = &[
    Probe {
        group: MethodGroup::General,
        request: "GET v1/version",
        // A read of the API's version number: no account data in, none out.
        harmless: "A read of the API version: it reads no account data and changes nothing.",
        call: || call(Method::GET, "v1/version", "/api/v1/version", &[]),
    },
    Probe {
        group: MethodGroup::UpdateContacts,
        request: "GET v1/importstatus/{a made-up session id}",
        // Group 2's only read: the status of a bulk import. The all-zero id names no import, so
        // an allowed token gets "not found" (404); nothing is imported or changed.
        harmless: "A read of the status of an import that does not exist (an all-zero id): a GET changes nothing, and no import is started.",
        call: || {
            call(
                Method::GET,
                "v1/importstatus/00000000-0000-0000-0000-000000000000",
                "/api/v1/importstatus/{id}",
                &[],
            )
        },
    },
    Probe {
        group: MethodGroup::ReadContacts,
        request: "GET v1/groups?maxrows=1",
        // Segments rather than contacts: the answer holds at most one segment's name, never a
        // person's email or phone.
        harmless: "A read of at most one segment (its name and type, no personal data): a GET changes nothing.",
        call: || call(Method::GET, "v1/groups", "/api/v1/groups", &[("startindex", "1"), ("maxrows", "1")]),
    },
    Probe {
        group: MethodGroup::ContactActivity,
        request: "GET v2/contacts/activity (one minute of 1 January 2000, 1 row)",
        // A window long before any Yespo account existed: nothing to return, nothing changed.
        harmless: "A read of one minute of activity on 1 January 2000, before Yespo existed: it returns nothing and changes nothing.",
        call: || {
            call(
                Method::GET,
                "v2/contacts/activity",
                "/api/v2/contacts/activity",
                &[("dateFrom", "2000-01-01T00:00:00"), ("dateTo", "2000-01-01T00:01:00"), ("maxrows", "1")],
            )
        },
    },
    Probe {
        group: MethodGroup::Events,
        request: "POST v1/event with a body that is not valid JSON",
        // The events group has no read. A JSON body cut off in the middle cannot be parsed, so
        // no event can come of it: an allowed token gets 400. Sent once (never retried).
        harmless: "The events group has only writes, so this sends an event whose JSON is cut off in the middle: it cannot be read, so Yespo refuses it (400) and no event is recorded.",
        call: || Call {
            body: Some(br#"{"eventTypeKey":"#.to_vec()),
            idempotent: false,
            ..call(Method::POST, "v1/event", "/api/v1/event", &[])
        },
    },
    Probe {
        group: MethodGroup::SendMessages,
        request: "GET v1/message/status?ids=0",
        // Group 6's read: the delivery status of sent messages. Id 0 was never sent; nothing is
        // sent or changed.
        harmless: "A read of the delivery status of message id 0, which was never sent: a GET sends nothing and changes nothing.",
        call: || call(Method::GET, "v1/message/status", "/api/v1/message/status", &[("ids", "0")]),
    },
    Probe {
        group: MethodGroup::Other,
        request: "GET v1/workflows?maxrows=1",
        // Methods in none of seed 000's groups (workflows, orders, site...) need full access.
        harmless: "A read of at most one workflow's name: a GET changes nothing.",
        call: || call(Method::GET, "v1/workflows", "/api/v1/workflows", &[("startindex", "1"), ("maxrows", "1")]),
    },
];

/// What a probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Allowed,
    Denied,
    /// No answer that says either way (the login failed, the network, a server error).
    Unknown,
}

/// One row of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeResult {
    pub group: MethodGroup,
    pub group_label: String,
    pub request: String,
    pub harmless: String,
    pub access: Access,
    /// The HTTP status Yespo answered, when it answered.
    pub status: Option<u16>,
    /// What the answer means, in words.
    pub note: String,
}

/// A feature of this app and whether the token's rights let it work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FeatureAccess {
    pub feature: String,
    pub works: bool,
    /// The groups it needs, by name.
    pub needs: Vec<String>,
}

/// The rights check's data for the screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RightsMatrix {
    pub probes: Vec<ProbeResult>,
    /// The right of seed 000 the allowed groups match, or `None` for a custom or unknown set.
    pub right: Option<Right>,
    /// The right's name, or "custom/unknown".
    pub right_label: String,
    pub features: Vec<FeatureAccess>,
    /// Where the token came from ("the account's login", "the round trip's login").
    pub token_from: String,
}

/// This app's features and the groups each needs.
pub const FEATURES: &[(&str, &[MethodGroup])] = &[
    // Address books (general) for the field mapping; POST contacts and importstatus to upload.
    ("Token files", &[MethodGroup::General, MethodGroup::UpdateContacts]),
    ("Contacts", &[MethodGroup::ReadContacts]),
    ("Segments", &[MethodGroup::ReadContacts]),
    ("Messages", &[MethodGroup::General]),
    ("Account panel", &[MethodGroup::General]),
];

/// Run every probe with `client` (a token of the app) and say what it found.
pub async fn check_rights(client: &YespoClient, token_from: &str) -> CheckResult {
    let mut probes = Vec::with_capacity(PROBES.len());
    for probe in PROBES {
        probes.push(run_probe(client, probe).await);
    }
    rights_result(probes, token_from)
}

async fn run_probe(client: &YespoClient, probe: &Probe) -> ProbeResult {
    let answer = client.send((probe.call)()).await;
    let (access, status, note) = match answer {
        Ok(a) => (Access::Allowed, Some(a.status.as_u16()), "Allowed: Yespo answered the request.".to_string()),
        Err(e) => {
            let status = status_of(&e);
            match e.code {
                ErrorCode::Forbidden => {
                    (Access::Denied, status, "Denied: Yespo refused it for lack of rights (403).".into())
                }
                // Past the rights check, refused for what was asked: the group is open.
                ErrorCode::Validation | ErrorCode::NotFound | ErrorCode::DuplicateRequest => (
                    Access::Allowed,
                    status,
                    format!("Allowed: Yespo got past the rights check and refused the request itself ({}).", e.message),
                ),
                _ => (Access::Unknown, status, format!("Not known: {}", e.message)),
            }
        }
    };
    ProbeResult {
        group: probe.group,
        group_label: probe.group.label().to_string(),
        request: probe.request.to_string(),
        harmless: probe.harmless.to_string(),
        access,
        status,
        note,
    }
}

/// The matrix, the right it matches, the features that work, as a check result.
pub fn rights_result(probes: Vec<ProbeResult>, token_from: &str) -> CheckResult {
    let known = probes.iter().all(|p| p.access != Access::Unknown);
    let allowed = |g: MethodGroup| probes.iter().any(|p| p.group == g && p.access == Access::Allowed);
    let right = if known {
        Right::ALL.into_iter().find(|r| probes.iter().all(|p| r.allows(p.group) == (p.access == Access::Allowed)))
    } else {
        None
    };
    let right_label = right.map_or_else(|| "custom/unknown".to_string(), |r| r.label().to_string());
    let features: Vec<FeatureAccess> = FEATURES
        .iter()
        .map(|(feature, needs)| FeatureAccess {
            feature: feature.to_string(),
            works: needs.iter().all(|g| allowed(*g)),
            needs: needs.iter().map(|g| g.label().to_string()).collect(),
        })
        .collect();
    let mut findings: Vec<Finding> = probes
        .iter()
        .map(|p| {
            let verdict = match p.access {
                Access::Allowed | Access::Denied => Verdict::Pass,
                Access::Unknown => Verdict::Warn,
            };
            let word = match p.access {
                Access::Allowed => "allowed",
                Access::Denied => "denied",
                Access::Unknown => "not known",
            };
            Finding::new(verdict, format!("{}: {word} ({}).", p.group_label, p.request))
        })
        .collect();
    let missing: Vec<&FeatureAccess> = features.iter().filter(|f| !f.works).collect();
    for f in &missing {
        findings.push(Finding::new(
            Verdict::Warn,
            format!("{} will not work: it needs {}.", f.feature, f.needs.join(" and ")),
        ));
    }
    let (summary, fix) = if !known {
        let unknown: Vec<&str> =
            probes.iter().filter(|p| p.access == Access::Unknown).map(|p| p.group_label.as_str()).collect();
        (
            format!("Some groups could not be probed ({}).", unknown.join(", ")),
            Some("Run the check again; if it keeps failing, see each row's note.".to_string()),
        )
    } else {
        let summary = match right {
            Some(r) => format!("The app has \"{}\" ({}).", r.label(), token_from),
            None => format!("The allowed groups match none of Yespo's named rights: custom/unknown ({token_from})."),
        };
        let fix = (!missing.is_empty()).then(|| suggest(&probes, &missing));
        (summary, fix)
    };
    let matrix = RightsMatrix { probes, right, right_label, features, token_from: token_from.to_string() };
    CheckResult::from_findings(CheckId::Rights, summary, fix, findings).with_data(CheckData::Rights(matrix))
}

/// The fix for features that do not work: the named right that opens what they need and keeps
/// what the app has now (else full access).
fn suggest(probes: &[ProbeResult], missing: &[&FeatureAccess]) -> String {
    let needed: Vec<MethodGroup> = FEATURES
        .iter()
        .filter(|(name, _)| missing.iter().any(|f| f.feature == *name))
        .flat_map(|(_, groups)| groups.iter().copied())
        .chain(probes.iter().filter(|p| p.access == Access::Allowed).map(|p| p.group))
        .collect();
    let right = Right::ALL.into_iter().rev().find(|r| needed.iter().all(|g| r.allows(*g))).unwrap_or(Right::FullAccess);
    let names: Vec<&str> = missing.iter().map(|f| f.feature.as_str()).collect();
    format!(
        "For {} to work, give the app \"{}\" in Yespo (For partners → the app → Edit), then log in again.",
        names.join(", "),
        right.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: MethodGroup, access: Access) -> ProbeResult {
        ProbeResult {
            group,
            group_label: group.label().into(),
            request: String::new(),
            harmless: String::new(),
            access,
            status: None,
            note: String::new(),
        }
    }

    fn matrix_for(right: Right) -> Vec<ProbeResult> {
        PROBES
            .iter()
            .map(|p| row(p.group, if right.allows(p.group) { Access::Allowed } else { Access::Denied }))
            .collect()
    }

    #[test]
    fn each_right_is_named_by_its_matrix_and_a_mix_is_custom() {
        for right in Right::ALL {
            let result = rights_result(matrix_for(right), "test");
            let Some(CheckData::Rights(m)) = result.data else { panic!("no matrix") };
            assert_eq!(m.right, Some(right));
        }
        let mut odd = matrix_for(Right::Events);
        odd[2].access = Access::Allowed; // reading contacts without updating them
        let result = rights_result(odd, "test");
        let Some(CheckData::Rights(m)) = result.data else { panic!("no matrix") };
        assert_eq!((m.right, m.right_label.as_str()), (None, "custom/unknown"));
    }

    #[test]
    fn the_fix_names_the_narrowest_right_that_keeps_what_the_app_has() {
        let fix = rights_result(matrix_for(Right::Events), "test").fix.unwrap();
        assert!(
            fix.starts_with("For Token files, Contacts, Segments to work")
                && fix.contains("\"Access to events and contacts\""),
            "{fix}"
        );
        let fix = rights_result(matrix_for(Right::Messages), "test").fix.unwrap();
        assert!(fix.contains("\"Full access to API\""), "{fix}");
        assert!(rights_result(matrix_for(Right::FullAccess), "test").fix.is_none());
    }

    #[test]
    fn every_group_is_probed_once_and_each_probe_says_why_it_is_harmless() {
        for (i, p) in PROBES.iter().enumerate() {
            assert!(PROBES[i + 1..].iter().all(|q| q.group != p.group), "{:?} twice", p.group);
            assert!(p.harmless.len() > 40, "{:?}", p.group);
            let c = (p.call)();
            let known = crate::yespo::rights::endpoint(c.method.as_str(), c.endpoint)
                .unwrap_or_else(|| panic!("{} is not in the rights table", c.endpoint));
            assert_eq!(known.group, p.group, "{}", p.request);
            // Only GETs, but for the group that has none.
            assert!(c.method == Method::GET || p.group == MethodGroup::Events, "{}", p.request);
        }
    }
}
