use crate::api::workflow::IndexEdit;
use crate::code::{ClassCode, ComponentCode};
use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C};
use crate::model::Component;
#[allow(unused_imports)]
use crate::ports::*;
#[allow(unused_imports)]
use crate::register::*;
use crate::store::Writer;
use crate::users::Session;
use crate::Engine;
use chrono::NaiveDateTime;
use geo_types::Point;

impl Engine {
    /// The next free 16-digit code for a minor class in this district.
    pub fn next_component_code(&self, class_code: &str) -> Result<ComponentCode> {
        let class = ClassCode::parse(class_code)?;
        let district = self
            .loaded()
            .index
            .district
            .as_ref()
            .map(|d| d.code)
            .ok_or_else(|| {
                Error::Invalid(
                    Message::new(C::NoDistrict).en("the store has no district: import one first"),
                )
            })?;
        self.store().db().next_code(district, class)
    }

    /// Registers a component (administrators and inspectors); returns it with its code and grid.
    pub fn create_component(
        &self,
        by: &Session,
        c: &NewComponent,
        at: NaiveDateTime,
    ) -> Result<ComponentRecord> {
        self.with_desk(|store, desk, index| {
            check_editor(desk, by, c.code.as_deref().unwrap_or("(new)"))?;
            let class = ClassCode::parse(&c.class_code)?;
            let Some(entry) = index.code_tables.components.get(class.as_str()) else {
                return Err(Error::Invalid(Message::new(C::ClassNotInTable).text("class", class).term("kind", crate::model::CaseKind::Component).en(format!(
                    "component class {class} is not in the component code table"
                ))));
            };
            if !valid_point(c.location) {
                return Err(Error::Invalid(Message::new(C::NotLonLat).en("component location is not a longitude/latitude")));
            }
            let district = index
                .district
                .as_ref()
                .map(|d| d.code)
                .ok_or_else(|| Error::Invalid(Message::new(C::NoDistrict).en("the store has no district: import one first")))?;
            let grid = index.grid_at(c.location[0], c.location[1]).map(|i| index.grids[i].code);
            let (comp, rec) = store.transaction(|tx| {
                let code = match c.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    Some(k) => {
                        let k = ComponentCode::parse(k)?;
                        if k.class_code() != class || k.district() != district {
                            return Err(Error::Invalid(Message::new(C::ComponentCodeMismatch).text("code", k).text("district", district).text("class", class).en(format!(
                                "component code {k} does not belong to district {district} and class {class}"
                            ))));
                        }
                        k
                    }
                    None => tx.next_code(district, class)?,
                };
                let comp = Component {
                    code,
                    class_code: class,
                    owner: c.owner.as_deref().map(Into::into),
                    maintainer: c.maintainer.as_deref().map(Into::into),
                    state: c.state,
                    location: Point::new(c.location[0], c.location[1]),
                    grid,
                    sample: false,
                };
                Writer::on(tx).insert_component(&comp)?;
                let rec = ComponentRecord::of(&comp, Some(entry.name.clone()));
                tx.write_history(code.as_str(), at, by, "create", None, Some(&rec), c.note.as_deref())?;
                Ok((comp, rec))
            })?;
            Ok((rec, vec![IndexEdit::Component(comp)]))
        })
    }

    /// Edits or moves a component (administrators and inspectors); the change is recorded.
    pub fn edit_component(
        &self,
        by: &Session,
        code: &str,
        edit: &ComponentEdit,
        at: NaiveDateTime,
    ) -> Result<ComponentRecord> {
        self.with_desk(|store, desk, index| {
            check_editor(desk, by, code)?;
            ComponentCode::parse(code)?;
            // The committed row, not the index: another process may have changed it since the
            // index was built, and the history's "before" must be what was really there.
            let old = store
                .db()
                .read_component(code)?
                .ok_or_else(|| Error::NotFound {
                    what: "component",
                    key: code.to_string(),
                })?;
            if let Some(seen) = &edit.expected {
                let name = index
                    .code_tables
                    .components
                    .get(old.class_code.as_str())
                    .map(|e| e.name.clone());
                let now = ComponentRecord::of(&old, name);
                if !crate::register::unchanged_since(seen, &now) {
                    return Err(Error::PlanConflict(
                        Message::new(C::ComponentChangedSince)
                            .text("component", code)
                            .en(format!(
                                "component {code} was changed by someone else after you opened it: reopen it and edit again"
                            )),
                    ));
                }
            }
            let mut new = old.clone();
            let mut what: Vec<&str> = Vec::new();
            let text = |v: &Option<String>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            if let Some(o) = &edit.owner {
                new.owner = text(o).map(Into::into);
            }
            if let Some(m) = &edit.maintainer {
                new.maintainer = text(m).map(Into::into);
            }
            if new.owner != old.owner || new.maintainer != old.maintainer {
                what.push("edit");
            }
            if let Some(s) = edit.state {
                new.state = s;
                if s != old.state {
                    what.push("state");
                }
            }
            if let Some(p) = edit.location {
                if !valid_point(p) {
                    return Err(Error::Invalid(
                        Message::new(C::NotLonLat)
                            .en("component location is not a longitude/latitude"),
                    ));
                }
                new.location = Point::new(p[0], p[1]);
                new.grid = index.grid_at(p[0], p[1]).map(|i| index.grids[i].code);
                if new.location != old.location {
                    what.push("move");
                }
            }
            let name = index
                .code_tables
                .components
                .get(old.class_code.as_str())
                .map(|e| e.name.clone());
            let before = ComponentRecord::of(&old, name.clone());
            let after = ComponentRecord::of(&new, name);
            if what.is_empty() {
                return Ok((after, vec![]));
            }
            store.transaction(|tx| {
                tx.update_component(code, &new)?;
                tx.write_history(
                    code,
                    at,
                    by,
                    &what.join("+"),
                    Some(&before),
                    Some(&after),
                    edit.note.as_deref(),
                )
            })?;
            Ok((after, vec![IndexEdit::Component(new)]))
        })
    }

    /// The recorded changes of a component, oldest first.
    pub fn component_history(&self, code: &str) -> Result<Vec<ComponentChange>> {
        self.store().db().component_history(code.trim())
    }

    /// One component as the UI shows it.
    pub fn component(&self, code: &str) -> Result<ComponentRecord> {
        let cc = ComponentCode::parse(code)?;
        let l = self.loaded();
        let c = l
            .index
            .components
            .iter()
            .find(|c| c.code == cc)
            .ok_or_else(|| Error::NotFound {
                what: "component",
                key: code.to_string(),
            })?;
        Ok(ComponentRecord::of(
            c,
            l.index
                .code_tables
                .components
                .get(c.class_code.as_str())
                .map(|e| e.name.clone()),
        ))
    }
}
