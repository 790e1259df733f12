//! The TypeScript declarations of the IPC payloads (by ts-rs, from the Rust types), kept in
//! `ui/types/ipc.d.ts`: the UI's JavaScript is type-checked against what Rust really sends, and
//! `tests/ipc_types.rs` fails when the file is out of date.

use crate::browse_commands::LoadedImages;
use crate::registration_commands::RegistrationSetup;
use crate::token_commands::Written;
use crate::window_events::DropEvent;
use ts_rs::TS;
use yespo_core::browse::account::{
    AccountOverview, BalanceView, Organisation, Part, ReservedBalance, SubscriptionView,
};
use yespo_core::browse::contacts::{ContactDetail, ContactPage, ContactQuery, ContactRow, ContactSource, FieldValue};
use yespo_core::browse::email_preview::{ImageFailure, PreparedEmail, Removed};
use yespo_core::browse::export::{ExportProgress, ExportSource, ExportState};
use yespo_core::browse::messages::{
    EmailPreview, EmailVersion, EmailWithImages, MessageKind, MessagePage, MessageRow, PushButtonView, PushVersion,
    PushView, ReadBudget, SmsVersion, SmsView,
};
use yespo_core::browse::segments::{SegmentKind, SegmentList, SegmentQuery, SegmentRow};
use yespo_core::browse::sms_length::{SmsEncoding, SmsLength};
use yespo_core::forget::ForgetPreview;
use yespo_core::login::ClientAuthStyle;
use yespo_core::registration::logo::LogoFacts;
use yespo_core::registration::report::{CheckData, CheckId, CheckResult, Finding, Verdict};
use yespo_core::registration::rights::{Access, FeatureAccess, ProbeResult, RightsMatrix};
use yespo_core::registration::round_trip::RoundTripFacts;
use yespo_core::registration::text::ReportFormat;
use yespo_core::registration::{CheckInput, Endpoints, Report, RoundTripEvent, Subject};
use yespo_core::settings::{LogLevel, Settings, SettingsView, Theme};
use yespo_core::tokens::imports::{
    CheckView, ChoicesInput, ColumnView, FileView, FilterCounts, JobView, RowsPage, TargetView, Targets, UploadEvent,
};
use yespo_core::tokens::journal::{BatchState, Counts, JobState};
use yespo_core::tokens::map::{AccountField, ColumnMapping, Preset, Unsubscribed};
use yespo_core::tokens::read::{Detected, Format, ReadOptions};
use yespo_core::tokens::upload::report::{BatchCounts, JobSummary};
use yespo_core::tokens::upload::{BatchChange, DryRun, RunReport, UploadProgress};
use yespo_core::tokens::validate::{DuplicateGroup, Progress, RowFilter, RowView, Summary};
use yespo_core::tokens::{ImportSettings, Mapping, Problem, Reason, Severity};
use yespo_core::yespo::models::{Address, Channel, Contact, ContactField, Device, Group, WebPushSubscription};
use yespo_core::yespo::rights::{MethodGroup, Right};
use yespo_core::{AppError, ErrorCode};

/// How the file starts: it is generated.
pub const HEADER: &str = "// The IPC payloads, generated from the Rust types by ts-rs: do not edit.\n\
// After changing a payload type: UPDATE_IPC_TYPES=1 cargo test --test ipc_types\n";

/// Every payload type, one `export type` each, in a stable order.
pub fn declarations() -> String {
    // JSON numbers: i64/u64 arrive in JavaScript as numbers, not bigints.
    let cfg = ts_rs::Config::new().with_large_int("number");
    let mut out = String::from(HEADER);
    macro_rules! declare {
        ($($t:ty),* $(,)?) => {$(
            out.push_str("\nexport ");
            out.push_str(&<$t as TS>::decl(&cfg));
            out.push('\n');
        )*};
    }
    declare!(
        AppError,
        ErrorCode,
        // Opening, mapping and checking a file.
        FileView,
        ColumnView,
        Detected,
        Format,
        ReadOptions,
        Mapping,
        ColumnMapping,
        Preset,
        Unsubscribed,
        AccountField,
        ChoicesInput,
        Progress,
        CheckView,
        Summary,
        FilterCounts,
        DuplicateGroup,
        ImportSettings,
        RowFilter,
        RowsPage,
        RowView,
        Problem,
        Reason,
        Severity,
        Targets,
        TargetView,
        Contact,
        Channel,
        Device,
        WebPushSubscription,
        Address,
        ContactField,
        Group,
        // Uploading and the history.
        DryRun,
        UploadEvent,
        UploadProgress,
        BatchChange,
        BatchState,
        JobState,
        RunReport,
        Counts,
        JobView,
        JobSummary,
        BatchCounts,
        Written,
        DropEvent,
        // Browse.
        AccountOverview,
        Part<()>,
        Organisation,
        BalanceView,
        ReservedBalance,
        SubscriptionView,
        ContactQuery,
        ContactSource,
        ContactPage,
        ContactRow,
        ContactDetail,
        FieldValue,
        SegmentKind,
        SegmentRow,
        SegmentList,
        SegmentQuery,
        MessageKind,
        MessageRow,
        ReadBudget,
        MessagePage,
        EmailVersion,
        EmailPreview,
        PreparedEmail,
        Removed,
        EmailWithImages,
        ImageFailure,
        SmsEncoding,
        SmsLength,
        SmsVersion,
        SmsView,
        PushButtonView,
        PushVersion,
        PushView,
        LoadedImages,
        ExportSource,
        ExportState,
        ExportProgress,
        // Registration check.
        RegistrationSetup,
        CheckInput,
        Endpoints,
        Report,
        Subject,
        Verdict,
        CheckId,
        CheckResult,
        Finding,
        CheckData,
        RightsMatrix,
        ProbeResult,
        Access,
        FeatureAccess,
        MethodGroup,
        Right,
        LogoFacts,
        RoundTripFacts,
        RoundTripEvent,
        ReportFormat,
        ClientAuthStyle,
        // Settings.
        Settings,
        SettingsView,
        Theme,
        LogLevel,
        ForgetPreview,
    );
    out
}
