//! Looking things up in a Yespo account: what the Browse screens show, shaped for them, with
//! what Yespo refused said part by part (one missing right does not hide the rest).

pub mod account;
pub mod contacts;
pub mod email_preview;
pub mod export;
pub mod messages;
pub mod once_map;
pub mod segments;
pub mod sms_length;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Everything the Browse screens keep between commands, owned in one place: the cached lists
/// and messages of every account, the message-read counts, and the exports running.
#[derive(Default)]
pub struct Browse {
    pub contacts: contacts::ContactLists,
    pub segments: segments::SegmentLists,
    pub messages: messages::MessageLists,
    exports: Mutex<HashMap<u64, CancellationToken>>,
}

impl Browse {
    /// Forgets what was cached for `account` (it logged out, was removed or changed).
    pub fn forget_account(&self, account: &str) {
        self.contacts.forget_account(account);
        self.segments.refresh(account);
        self.messages.forget_account(account);
    }

    /// Runs export `id` (the screen's own number, for Cancel) of `source` to `out`.
    pub async fn export(
        &self,
        client: &crate::yespo::YespoClient,
        account: &str,
        id: u64,
        source: &export::ExportSource,
        out: &Path,
        sink: &(dyn Fn(export::ExportProgress) + Sync),
    ) -> crate::AppResult<export::ExportProgress> {
        let cancel = CancellationToken::new();
        self.exports.lock().unwrap_or_else(|e| e.into_inner()).insert(id, cancel.clone());
        let from = export::ExportFrom { client, account, messages: &self.messages, segments: &self.segments };
        let done = export::export(&from, source, out, &cancel, sink).await;
        self.exports.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        done
    }

    /// Cancels export `id`; false when it is not running.
    pub fn cancel_export(&self, id: u64) -> bool {
        self.exports.lock().unwrap_or_else(|e| e.into_inner()).get(&id).map(CancellationToken::cancel).is_some()
    }
}
