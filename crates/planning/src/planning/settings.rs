//! Planning settings kept in the store (`plan_setting`): the permitted grid area range (a
//! warning, SPEC §1.2 / §1.6 rule 5), the proposal's target area and the snapping tolerance.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use crate::store::Store;
use rusqlite::{params, OptionalExtension};
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

const KEYS: [&str; 4] = [
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

    fn values(&self) -> [f64; 4] {
        [
            self.min_area_m2,
            self.max_area_m2,
            self.target_area_m2,
            self.tolerance_m,
        ]
    }

    /// Reads the settings (defaults for anything not stored).
    pub fn load(store: &Store) -> Result<Self> {
        let mut v = Self::default().values();
        for (k, slot) in KEYS.iter().zip(v.iter_mut()) {
            let s: Option<String> = store
                .conn()
                .query_row("SELECT value FROM plan_setting WHERE key = ?1", [k], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(s) = s {
                *slot = s.parse().map_err(|_| Error::StoreCorrupt {
                    path: store.path().to_path_buf(),
                    reason: format!("planning setting `{k}` is not a number: `{s}`"),
                })?;
            }
        }
        Ok(Self {
            min_area_m2: v[0],
            max_area_m2: v[1],
            target_area_m2: v[2],
            tolerance_m: v[3],
        })
    }

    /// Stores the settings in one transaction.
    pub fn save(&self, store: &mut Store) -> Result<()> {
        self.check()?;
        let v = self.values();
        store.transaction(|tx| {
            for (k, x) in KEYS.iter().zip(v) {
                tx.execute(
                    "INSERT INTO plan_setting (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![k, x.to_string()],
                )?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_defaults() {
        let mut s = Store::in_memory().unwrap();
        assert_eq!(PlanSettings::load(&s).unwrap(), PlanSettings::default());
        let mine = PlanSettings {
            min_area_m2: 3_000.0,
            max_area_m2: 40_000.0,
            target_area_m2: 12_000.0,
            tolerance_m: 0.25,
        };
        mine.save(&mut s).unwrap();
        assert_eq!(PlanSettings::load(&s).unwrap(), mine);
        let bad = PlanSettings {
            min_area_m2: 9e4,
            ..mine
        };
        assert!(bad.save(&mut s).is_err());
        assert_eq!(PlanSettings::load(&s).unwrap(), mine);
    }
}
