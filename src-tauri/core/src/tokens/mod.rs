//! The token pipeline's reading half: a mobile-push token export in, checked contacts out.
//!
//! Data flows one way: [`read`] (sniff, decode, cut into rows with their lines) → [`map`]
//! (columns → contact fields; provider presets) → [`check`] (the rules of one row, on a
//! [`contact::Draft`]) → [`validate`] (the whole file: counts, duplicates, shared tokens, the
//! summary, pages of rows, the problem export and the ready batches). A stage never reaches back
//! into an earlier one.

pub mod check;
pub mod contact;
pub mod file;
pub mod imports;
pub mod journal;
pub mod map;
pub mod problem;
pub mod read;
pub mod rules;
pub mod settings;
pub mod upload;
pub mod validate;

pub use check::{Plan, Shape};
pub use file::{validate_file, Choices, TokenFile};
pub use map::{Mapping, Target};
pub use problem::{Problem, Reason, Severity};
pub use read::{Detected, Format, ReadError, ReadErrorKind, ReadOptions};
pub use settings::ImportSettings;
pub use validate::{preview, validate, Batch, Progress, RowFilter, RowView, Summary, Validation};
