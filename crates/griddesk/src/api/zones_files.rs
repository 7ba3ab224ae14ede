use crate::error::{Error, Result};
use crate::io::{ImportOptions, SourceOptions, TargetOptions};
#[allow(unused_imports)]
use crate::ports::*;
#[allow(unused_imports)]
use crate::zones::files::*;
use crate::zones::model::*;
use crate::zones::store::OnConflict;
use crate::Engine;
use std::path::Path;

impl Engine {
    /// Writes the zone files into `dir`; returns their manifest entry.
    pub fn write_zone_files(&self, dir: &Path) -> Result<ZoneFiles> {
        let z = self.zones();
        let records = ZoneRecords {
            units: z.data.units.clone(),
            people: z.data.people.clone(),
            layers: z
                .data
                .layers
                .iter()
                .filter(|l| l.code != DUTY_LAYER)
                .cloned()
                .collect(),
            duty: z
                .data
                .zones
                .iter()
                .filter(|zone| zone.layer == DUTY_LAYER)
                .filter(|zone| zone.unit.is_some() || !zone.people.is_empty())
                .map(|zone| (zone.code.clone(), (zone.unit.clone(), zone.people.clone())))
                .collect(),
        };
        let text = serde_json::to_string_pretty(&records)
            .map_err(|e| Error::Internal(format!("zones.json: {e}")))?;
        crate::io::atomic_write(&dir.join("zones.json"), text.as_bytes())?;
        let mut layers = Vec::new();
        for l in &records.layers {
            let file = format!("zones_{}.geojson", l.code);
            self.export_zones(&dir.join(&file), &l.code, &TargetOptions::default())?;
            layers.push((l.code.clone(), file));
        }
        self.export_road_lines(&dir.join("road_lines.geojson"), &TargetOptions::default())?;
        Ok(ZoneFiles {
            records: "zones.json".into(),
            layers,
            road_lines: "road_lines.geojson".into(),
        })
    }

    /// Loads zone files written by [`Engine::write_zone_files`]: the records in one
    /// transaction, then each layer file and the road lines (one transaction each).
    pub(crate) fn load_zone_files(&self, dir: &Path, files: &ZoneFiles) -> Result<()> {
        let path = dir.join(&files.records);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let r: ZoneRecords = serde_json::from_str(&text)
            .map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
        self.store().transaction(|tx| {
            // Parents before children.
            let mut units: Vec<&OrgUnit> = r.units.iter().filter(|u| u.parent.is_none()).collect();
            units.extend(r.units.iter().filter(|u| u.parent.is_some()));
            for u in units {
                tx.put_unit(u)?;
            }
            for p in &r.people {
                tx.put_person(p)?;
            }
            for l in &r.layers {
                tx.put_layer(l)?;
            }
            for (code, (unit, people)) in &r.duty {
                tx.link_duty(code, unit.as_deref(), people)?;
            }
            Ok(())
        })?;
        self.reload()?;
        for (layer, file) in &files.layers {
            let path = dir.join(file);
            self.import_zones_unchecked(
                &path,
                layer,
                ImportOptions::default(),
                &SourceOptions::default(),
                OnConflict::Refuse,
                crate::audit::AuditEntry::engine("import.zones", path.display().to_string()),
            )?;
        }
        let path = dir.join(&files.road_lines);
        self.import_road_lines_unchecked(
            &path,
            ImportOptions::default(),
            &SourceOptions::default(),
            crate::audit::AuditEntry::engine("import.road_lines", path.display().to_string()),
        )?;
        Ok(())
    }
}
