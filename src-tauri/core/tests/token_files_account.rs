//! The token reader with an account at hand: the account's custom fields, read from the sandbox
//! over HTTP (`GET addressbooks`), match columns by name and check field ids and values.

use std::sync::atomic::AtomicBool;
use yespo_core::tokens::map::{AccountField, Target};
use yespo_core::tokens::{validate_file, Choices, ReadOptions, Reason, TokenFile};
use yespo_core::yespo::{Auth, YespoClient};
use yespo_core::Secret;
use yespo_sandbox::Right;

const APP: &str = "83b77a49-fc28-409b-aeaa-68c9d544ab9d";

#[tokio::test]
async fn the_accounts_fields_map_columns_by_name_and_check_values() {
    let sandbox = yespo_sandbox::testing::sandbox(0, |_| {}).await;
    let client = YespoClient::builder(
        &format!("{}/api", sandbox.base_url()),
        Auth::ApiKey(Secret::new(sandbox.api_key(Right::FullAccess))),
    )
    .build()
    .unwrap();
    let fields = AccountField::from_address_books(&client.address_books().await.unwrap());
    let birthday = fields.iter().find(|f| f.name == "Birthday").expect("the demo account has a Birthday field");
    assert_eq!(birthday.kind.as_deref(), Some("DATE"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.csv");
    let token = |i: u32| format!("{i:064x}");
    std::fs::write(
        &path,
        format!(
            "push_token,external_id,os,Birthday,99999\n{},a,iOS,1990-05-01,\n{},b,iOS,31.02.19x,\n{},c,iOS,,z\n",
            token(1),
            token(2),
            token(3)
        ),
    )
    .unwrap();
    let file = TokenFile::open(&path, &ReadOptions::default()).unwrap();
    let choices = Choices { app_id: Some(APP.into()), account_fields: Some(fields.clone()), ..Choices::default() };
    assert_eq!(file.plan(&choices).mapping.target_of("Birthday"), Some(Target::Field(birthday.id)));
    let v = validate_file(&file, &choices, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!((v.summary.rows, v.summary.valid, v.summary.invalid), (3, 1, 2));
    assert_eq!(v.summary.reasons.get(&Reason::BadFieldValue), Some(&1));
    assert_eq!(v.summary.reasons.get(&Reason::UnknownField), Some(&1));
    let rows = v.page(&file, 0, 3).unwrap();
    assert!(rows[1].problems.iter().any(|p| p.message.contains("Birthday") && p.message.contains("not a date")));
    assert!(rows[2].problems.iter().any(|p| p.message.contains("no custom field 99999")));

    // Without the account, the same file has no way to know: both rows pass.
    let without = Choices { app_id: Some(APP.into()), ..Choices::default() };
    let v = validate_file(&file, &without, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(v.summary.invalid, 0);
}
