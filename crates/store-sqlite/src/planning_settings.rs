//! The planning settings in the store: table `plan_setting` (key, value).

use crate::error::sql_error;
use crate::error::Error;
use crate::store::Store;
use griddesk_planning::planning::settings::{PlanSettings, PlanSettingsStore, KEYS};
use rusqlite::{params, OptionalExtension};

impl PlanSettingsStore for Store {
    /// Reads the settings (defaults for anything not stored).
    fn load_plan_settings(&self) -> griddesk_core::Result<PlanSettings> {
        let store = self;
        let mut v = PlanSettings::default().values();
        for (k, slot) in KEYS.iter().zip(v.iter_mut()) {
            let s: Option<String> = store
                .conn()
                .query_row("SELECT value FROM plan_setting WHERE key = ?1", [k], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(sql_error)?;
            if let Some(s) = s {
                *slot = s.parse().map_err(|_| Error::StoreCorrupt {
                    path: store.path().to_path_buf(),
                    reason: format!("planning setting `{k}` is not a number: `{s}`"),
                })?;
            }
        }
        Ok(PlanSettings {
            min_area_m2: v[0],
            max_area_m2: v[1],
            target_area_m2: v[2],
            tolerance_m: v[3],
        })
    }

    fn save_plan_settings(
        &mut self,
        settings: &PlanSettings,
        audit: &griddesk_core::audit::AuditEntry,
    ) -> griddesk_core::Result<()> {
        settings.check()?;
        let v = settings.values();
        self.transaction(|tx| {
            for (k, x) in KEYS.iter().zip(v) {
                tx.execute(
                    "INSERT INTO plan_setting (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![k, x.to_string()],
                )
                .map_err(sql_error)?;
            }
            griddesk_store::AuditStore::record_audit(tx, audit)?;
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
        assert_eq!(s.load_plan_settings().unwrap(), PlanSettings::default());
        let mine = PlanSettings {
            min_area_m2: 3_000.0,
            max_area_m2: 40_000.0,
            target_area_m2: 12_000.0,
            tolerance_m: 0.25,
        };
        s.save_plan_settings(
            &mine,
            &griddesk_core::audit::AuditEntry::engine("settings.planning", "plan"),
        )
        .unwrap();
        assert_eq!(s.load_plan_settings().unwrap(), mine);
        let bad = PlanSettings {
            min_area_m2: 9e4,
            ..mine
        };
        assert!(s
            .save_plan_settings(
                &bad,
                &griddesk_core::audit::AuditEntry::engine("settings.planning", "plan")
            )
            .is_err());
        assert_eq!(s.load_plan_settings().unwrap(), mine);
    }
}
