//! The Account panel's reads against the sandbox: six parts, each with its answer.

use yespo_core::browse::account;
use yespo_core::yespo::{Auth, YespoClient};
use yespo_core::Secret;
use yespo_sandbox::Right;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_has_every_part() {
    let sandbox = yespo_sandbox::testing::sandbox(10, |_| {}).await;
    for right in [Right::FullAccess, Right::Messages] {
        let client = YespoClient::builder(
            &format!("{}/api", sandbox.base_url()),
            Auth::ApiKey(Secret::new(sandbox.api_key(right))),
        )
        .build()
        .unwrap();
        let o = account::overview(&client).await;
        let organisation = o.organisation.value.expect("the organisation");
        assert_eq!(organisation.name.as_deref(), Some("Demo Store (Yespo sandbox)"));
        let balance = o.balance.value.expect("the balance");
        assert!(balance.currency.is_some() && balance.current.is_some(), "{balance:?}");
        assert!(!balance.reserved.is_empty());
        let fields = o.fields.value.expect("the fields");
        assert!(!fields.is_empty());
        assert!(fields.windows(2).all(|w| w[0].id < w[1].id), "sorted by id: {fields:?}");
        assert!(o.subscriptions.value.is_some() && o.subscriptions.error.is_none());
        assert!(!o.email_senders.value.expect("email senders").is_empty());
        assert!(o.sms_senders.value.is_some());
        assert!(o.as_of.ends_with('Z'), "{}", o.as_of);
    }
}
