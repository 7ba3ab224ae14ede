//! Planning settings kept in the store (`plan_setting`): the permitted grid area range (a
//! warning, SPEC §1.2 / §1.6 rule 5), the proposal's target area and the snapping tolerance.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use serde::{Deserialize, Serialize};

/// Thresholds used by the guard, the proposal and the vertex finder.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlanSettings {
    /// Warn below this grid area, m².
    pub min_area_m2: f64,
    /// Warn above this grid area, m².
    pub max_area_m2: f64,
    /// Area the auto-proposal aims for, m² (万米 = 10 000).
    pub target_area_m2: f64,
    /// How far from a given point an existing vertex or edge is still taken to be meant, metres.
    pub tolerance_m: f64,
}

impl Default for PlanSettings {
    fn default() -> Self {
        Self {
            min_area_m2: 2_000.0,
            max_area_m2: 50_000.0,
            target_area_m2: 10_000.0,
            tolerance_m: 0.5,
        }
    }
}

pub const KEYS: [&str; 4] = [
    "min_area_m2",
    "max_area_m2",
    "target_area_m2",
    "tolerance_m",
];

impl PlanSettings {
    /// Checks that the values make sense.
    pub fn check(&self) -> Result<()> {
        let ok = |v: f64| v.is_finite() && v > 0.0;
        if !(ok(self.min_area_m2) && ok(self.max_area_m2) && ok(self.target_area_m2)) {
            return Err(Error::Invalid(
                Message::new(C::AreasNotPositive).en("planning areas must be positive numbers"),
            ));
        }
        if self.min_area_m2 >= self.max_area_m2 {
            return Err(Error::Invalid(
                Message::new(C::MinNotBelowMax)
                    .area("min", self.min_area_m2)
                    .area("max", self.max_area_m2)
                    .en(format!(
                        "minimum grid area {} m² is not below the maximum {} m²",
                        self.min_area_m2, self.max_area_m2
                    )),
            ));
        }
        if !(self.tolerance_m.is_finite() && self.tolerance_m >= 0.0 && self.tolerance_m <= 50.0) {
            return Err(Error::Invalid(
                Message::new(C::ToleranceRange)
                    .length("tolerance", self.tolerance_m)
                    .en(format!(
                        "tolerance {} m must be between 0 and 50 m",
                        self.tolerance_m
                    )),
            ));
        }
        Ok(())
    }

    pub fn values(&self) -> [f64; 4] {
        [
            self.min_area_m2,
            self.max_area_m2,
            self.target_area_m2,
            self.tolerance_m,
        ]
    }
}

/// Where the planning settings are kept: implemented by each backend.
pub trait PlanSettingsStore {
    /// Reads the settings (defaults for anything not stored).
    fn load_plan_settings(&self) -> Result<PlanSettings>;
    /// Checks and stores the settings in one transaction.
    /// Saves the settings and their audit row in one transaction.
    fn save_plan_settings(
        &mut self,
        s: &PlanSettings,
        audit: &griddesk_core::audit::AuditEntry,
    ) -> Result<()>;
}
