//! The Account panel: organisation, balance, subscription categories, the address-book fields
//! (the ids the token import maps to), email senders and SMS alpha names. Six reads at once; each
//! part carries its own answer or its own error (a key without a right still sees the rest).

use crate::error::AppError;
use crate::tokens::map::AccountField;
use crate::yespo::models::Interface;
use crate::yespo::YespoClient;
use serde::Serialize;

/// One part of the panel: its value, or why Yespo did not give it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Part<T> {
    pub value: Option<T>,
    pub error: Option<AppError>,
}

impl<T> From<Result<T, AppError>> for Part<T> {
    fn from(result: Result<T, AppError>) -> Self {
        match result {
            Ok(value) => Part { value: Some(value), error: None },
            Err(error) => Part { value: None, error: Some(error) },
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Organisation {
    pub name: Option<String>,
    /// The user the API key or login belongs to.
    pub user_email: Option<String>,
    pub org_id: Option<i64>,
}

/// Money left, in the account's currency.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BalanceView {
    pub current: Option<f64>,
    pub credit_limit: Option<f64>,
    pub currency: Option<String>,
    pub bonus_emails: Option<i64>,
    pub bonus_sms: Option<i64>,
    /// Balance set aside per channel and sender (`sms`, `viber`...).
    pub reserved: Vec<ReservedBalance>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReservedBalance {
    pub channel: String,
    pub sender: Option<String>,
    pub balance: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    pub id: Option<i64>,
    pub key: Option<String>,
    pub name: Option<String>,
    pub contacts: Option<i64>,
}

/// The whole panel, as Yespo answered at `as_of` (UTC, RFC 3339).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountOverview {
    pub as_of: String,
    pub organisation: Part<Organisation>,
    pub balance: Part<BalanceView>,
    pub subscriptions: Part<Vec<SubscriptionView>>,
    /// Every custom field of every address book (id, name, type, a combobox's values).
    pub fields: Part<Vec<AccountField>>,
    pub email_senders: Part<Vec<String>>,
    pub sms_senders: Part<Vec<String>>,
}

fn names(interfaces: Vec<Interface>) -> Vec<String> {
    interfaces.into_iter().filter_map(|i| i.value).collect()
}

/// Reads the six parts at once.
pub async fn overview(client: &YespoClient) -> AccountOverview {
    let (info, balance, subscriptions, books, email, sms) = tokio::join!(
        client.account_info(),
        client.balance(),
        client.subscriptions(),
        client.address_books(),
        client.email_interfaces(),
        client.sms_interfaces(),
    );
    let as_of = crate::clock::now_text();
    AccountOverview {
        as_of,
        organisation: info
            .map(|i| Organisation { name: i.organisation_name, user_email: i.user_email, org_id: i.org_id })
            .into(),
        balance: balance
            .map(|b| BalanceView {
                current: b.current_balance,
                credit_limit: b.credit_limit,
                currency: b.currency,
                bonus_emails: b.bonus_emails,
                bonus_sms: b.bonus_smses,
                reserved: b
                    .senders_reserved_balances
                    .into_iter()
                    .flat_map(|(channel, senders)| {
                        senders.into_iter().map(move |s| ReservedBalance {
                            channel: channel.clone(),
                            sender: s.sender_name,
                            balance: s.balance,
                        })
                    })
                    .collect(),
            })
            .into(),
        subscriptions: subscriptions
            .map(|list| {
                list.into_iter()
                    .map(|s| SubscriptionView { id: s.id, key: s.key, name: s.name, contacts: s.contacts_count })
                    .collect()
            })
            .into(),
        fields: books
            .map(|b| {
                let mut fields = AccountField::from_address_books(&b);
                fields.sort_by_key(|f| f.id);
                fields
            })
            .into(),
        email_senders: email.map(names).into(),
        sms_senders: sms.map(names).into(),
    }
}
