//! The filing standard in the store: `filing_condition` and `time_limit`.

use super::{FilingCondition, FilingStandard};
use crate::error::Result;

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait FilingStore {
    /// How many filing conditions are stored.
    fn condition_count(&self) -> Result<i64>;
    /// Reads the stored standard.
    fn load_standard(&self) -> Result<FilingStandard>;
    /// Replaces every condition of the classes that `conds` mention (validated first), inside the
    /// caller's transaction.
    fn replace_conditions(&self, conds: &[FilingCondition]) -> Result<()>;
}
