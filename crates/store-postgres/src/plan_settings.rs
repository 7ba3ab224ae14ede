//! A district's planning settings (`griddesk_planning::planning::settings::PlanSettingsStore`):
//! grid area bounds and target, snapping tolerance, in `plan_setting`; saved with their audit
//! row in one transaction (sealed with it).

use crate::error::{Error, Result};
use crate::model::DistrictScope;
use griddesk_planning::planning::settings::{PlanSettings, PlanSettingsStore, KEYS};
use griddesk_store::AuditStore;
use postgres::GenericClient;

fn load(c: &mut impl GenericClient, district: &str) -> Result<PlanSettings> {
    let mut v = PlanSettings::default().values();
    for (k, slot) in KEYS.iter().zip(v.iter_mut()) {
        let s: Option<String> = c
            .query_opt(
                "SELECT value FROM plan_setting WHERE district = $1::text AND key = $2",
                &[&district, k],
            )
            .map_err(|e| {
                Error::of(
                    e,
                    format!("reading planning setting `{k}` of district {district}"),
                    None,
                )
            })?
            .map(|r| r.get(0));
        if let Some(s) = s {
            *slot = s.parse().map_err(|_| Error::Corrupt {
                what: "planning setting",
                key: format!("{district} {k}"),
                reason: format!("not a number: `{s}`"),
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

impl PlanSettingsStore for DistrictScope<'_> {
    fn load_plan_settings(&self) -> griddesk_core::Result<PlanSettings> {
        Ok(self.centre.with(|c| load(c, self.district.as_str()))?)
    }

    fn save_plan_settings(
        &mut self,
        settings: &PlanSettings,
        audit: &griddesk_core::audit::AuditEntry,
    ) -> griddesk_core::Result<()> {
        settings.check()?;
        let values = settings.values();
        let district = self.district;
        self.centre.transaction(|tx| {
            let d = district.as_str();
            for (k, x) in KEYS.iter().zip(values) {
                tx.exec(
                    "INSERT INTO plan_setting (district, key, value) VALUES ($1::text, $2, $3)
                     ON CONFLICT (district, key) DO UPDATE SET value = excluded.value",
                    &[&d, k, &x.to_string()],
                    || format!("saving planning setting `{k}` of district {d}"),
                    None,
                )?;
            }
            tx.district(district).record_audit(audit)?;
            Ok(())
        })
    }
}
