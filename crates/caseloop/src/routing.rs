//! Routing rules (派遣规则): which department handles a case, as data.
//!
//! A rule names a case kind, a class (a 4-digit minor class, a 2-digit major class or any), an
//! area class (A/B/C or any) or a street (9-digit code or any), and a department. A case is
//! routed by the matching rule that is most specific, compared in this order: class (minor >
//! major > any), street (named > any), area class (named > any), kind (named > any). A rule
//! with every field `*` is the default. Component cases go first to the department whose name
//! is the component's 养护单位 (maintainer), when there is one; rules decide otherwise.

use crate::code::StreetCode;
use crate::error::{Error, Result};
use crate::filing::AreaClass;
use crate::message::{Message, MessageCode as C};
use crate::model::CaseKind;
use serde::{Deserialize, Serialize};

/// One routing rule; `None` fields match anything (`*` in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// Row id in the store (`None` for a rule not stored yet).
    pub id: Option<i64>,
    pub kind: Option<CaseKind>,
    /// `None`, a 2-digit major class or a 4-digit minor class.
    pub class_code: Option<String>,
    pub area_class: Option<AreaClass>,
    pub street: Option<StreetCode>,
    /// Department code.
    pub department: String,
}

impl RoutingRule {
    /// Checks the class pattern.
    pub fn validate(&self) -> Result<()> {
        if let Some(c) = &self.class_code {
            if !(c.len() == 2 || c.len() == 4) || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::Invalid(
                    Message::new(C::RoutingClassInvalid)
                        .text("class", c)
                        .en(format!(
                    "routing rule: class `{c}` must be a 2-digit major or 4-digit minor class, or *"
                )),
                ));
            }
        }
        if self.department.trim().is_empty() {
            return Err(Error::Invalid(
                Message::new(C::RoutingNoDepartment).en("routing rule: no department"),
            ));
        }
        Ok(())
    }

    fn matches(
        &self,
        kind: CaseKind,
        class: &str,
        area: AreaClass,
        street: Option<&StreetCode>,
    ) -> bool {
        self.kind.is_none_or(|k| k == kind)
            && self
                .class_code
                .as_deref()
                .is_none_or(|c| class.starts_with(c))
            && self.area_class.is_none_or(|a| a == area)
            && self.street.is_none_or(|s| Some(&s) == street)
    }

    fn specificity(&self) -> (usize, bool, bool, bool) {
        (
            self.class_code.as_ref().map_or(0, String::len),
            self.street.is_some(),
            self.area_class.is_some(),
            self.kind.is_some(),
        )
    }
}

/// The routing table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routing {
    rules: Vec<RoutingRule>,
}

impl Routing {
    /// A table of these rules.
    pub fn new(rules: Vec<RoutingRule>) -> Self {
        Self { rules }
    }

    /// The rules, in store order.
    pub fn rules(&self) -> &[RoutingRule] {
        &self.rules
    }

    /// The department for a case, or `None` if no rule matches (no default rule).
    pub fn route(
        &self,
        kind: CaseKind,
        class: &str,
        area: AreaClass,
        street: Option<&StreetCode>,
    ) -> Option<&str> {
        self.rules
            .iter()
            .filter(|r| r.matches(kind, class, area, street))
            .max_by_key(|r| r.specificity())
            .map(|r| r.department.as_str())
    }
}

pub fn star<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "*".to_string(), ToString::to_string)
}

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait RoutingStore {
    /// Reads the stored rules.
    fn load_routing(&self) -> Result<Routing>;
    /// Inserts a rule; returns its id.
    fn insert_rule(&self, r: &RoutingRule) -> Result<i64>;
    /// Deletes a rule by id.
    fn delete_rule(&self, id: i64) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(
        kind: Option<CaseKind>,
        class: Option<&str>,
        area: Option<AreaClass>,
        street: Option<&str>,
        dept: &str,
    ) -> RoutingRule {
        RoutingRule {
            id: None,
            kind,
            class_code: class.map(str::to_string),
            area_class: area,
            street: street.map(|s| StreetCode::parse(s).unwrap()),
            department: dept.into(),
        }
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let r = Routing::new(vec![
            rule(None, None, None, None, "default"),
            rule(Some(CaseKind::Event), Some("05"), None, None, "enforcement"),
            rule(Some(CaseKind::Event), Some("0505"), None, None, "traffic"),
            rule(
                Some(CaseKind::Event),
                Some("0599"),
                None,
                Some("331003001"),
                "street1",
            ),
            rule(
                Some(CaseKind::Event),
                Some("01"),
                Some(AreaClass::A),
                None,
                "sanitation-core",
            ),
            rule(Some(CaseKind::Event), Some("01"), None, None, "sanitation"),
        ]);
        let s1 = StreetCode::parse("331003001").unwrap();
        let s2 = StreetCode::parse("331003002").unwrap();
        let ev = CaseKind::Event;
        assert_eq!(
            r.route(ev, "0505", AreaClass::B, Some(&s1)),
            Some("traffic")
        );
        assert_eq!(
            r.route(ev, "0504", AreaClass::B, Some(&s1)),
            Some("enforcement")
        );
        assert_eq!(
            r.route(ev, "0599", AreaClass::B, Some(&s1)),
            Some("street1")
        );
        assert_eq!(
            r.route(ev, "0599", AreaClass::B, Some(&s2)),
            Some("enforcement")
        );
        assert_eq!(
            r.route(ev, "0102", AreaClass::A, None),
            Some("sanitation-core")
        );
        assert_eq!(r.route(ev, "0102", AreaClass::B, None), Some("sanitation"));
        assert_eq!(r.route(ev, "0301", AreaClass::B, None), Some("default"));
        assert_eq!(
            r.route(CaseKind::Component, "0505", AreaClass::B, None),
            Some("default")
        );
        assert_eq!(
            Routing::default().route(ev, "0101", AreaClass::B, None),
            None
        );
    }

    #[test]
    fn class_patterns_are_validated() {
        assert!(rule(None, Some("5"), None, None, "d").validate().is_err());
        assert!(rule(None, Some("05a1"), None, None, "d")
            .validate()
            .is_err());
        assert!(rule(None, Some("0501"), None, None, "").validate().is_err());
        assert!(rule(None, Some("05"), None, None, "d").validate().is_ok());
    }
}
