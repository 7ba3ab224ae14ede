//! The street registers (docs/registers.md).

pub mod check;
pub mod credit;
pub mod index;
pub mod industry;
pub mod model;
pub mod rules;
pub mod store;
pub mod tiles;

pub use index::{ObjectPage, ObjectQuery, ObjectRow, RegisterData, RegisterIndex, StreetHint};
pub use model::*;
pub use store::RegistersStore;
