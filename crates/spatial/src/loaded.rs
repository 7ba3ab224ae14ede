//! [`Loaded`]: the indexes of one consistent state of a store, with the state derived from them
//! (analytics columns, the evaluation input, overdue flags) that is dropped with them.

use crate::index::SpatialIndex;
use crate::locate::GridLocator;
use std::any::Any;
use std::sync::{Arc, Mutex, OnceLock};

/// Row-aligned overdue flags of the analytics snapshot and the moment they were judged at.
pub type OverdueAt = (chrono::NaiveDateTime, Arc<Vec<bool>>);

/// State derived from one [`Loaded`] by a crate above this one, typed by that crate.
pub type Derived = Arc<dyn Any + Send + Sync>;

/// Indexes of one consistent state of the store.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub index: SpatialIndex,
    pub locator: GridLocator,
    /// Changes with every rebuild from the store (not with in-place edits), so that state
    /// derived from an index can tell it is stale.
    pub generation: u64,
    /// Columnar case snapshot for analytics, built on first use (the analytics crate's
    /// `CaseColumns`).
    pub analytics: OnceLock<Derived>,
    /// The last evaluation input built from the store, with its period and audit position.
    pub evaluation: Arc<Mutex<Option<Derived>>>,
    /// The workflow's overdue judgement of every snapshot row at one moment (§4.6).
    pub overdue: Arc<Mutex<Option<OverdueAt>>>,
}

impl Loaded {
    /// Indexes whose analytics columns are built on first use, under a fresh generation.
    pub fn new(index: SpatialIndex, locator: GridLocator) -> Self {
        Loaded {
            index,
            locator,
            generation: next_generation(),
            analytics: Default::default(),
            evaluation: Default::default(),
            overdue: Default::default(),
        }
    }
}

static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A generation number no index has had yet.
pub fn next_generation() -> u64 {
    GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
