//! Looking things up in a Yespo account: what the Browse screens show, shaped for them, with
//! what Yespo refused said part by part (one missing right does not hide the rest).

pub mod account;
pub mod contacts;
