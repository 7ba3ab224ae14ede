//! Administrative and facility codes (GB/T 2260, GB/T 30428.1 / CJ/T 213, CJ/T 214).
//!
//! * district: 6 digits (GB/T 2260)
//! * street: district + 3 digits; community: street + 3 digits (12 digits)
//! * unit grid: community (12) + 3-digit sequence = 15 digits; legacy CJ/T 213 codes have a
//!   2-digit sequence (14 digits) and are migrated by inserting a leading `0` into the sequence.
//! * component: district (6) + major class (2) + minor class (2) + sequence (6) = 16 digits.

use crate::error::{Error, Result};
use crate::message::{Message, MessageCode as C, Reason};
use serde::{Deserialize, Serialize};
use std::fmt;

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn invalid(code: &str, reason: Reason) -> Error {
    Error::InvalidCode {
        code: code.to_string(),
        reason,
    }
}

macro_rules! fixed_code {
    ($(#[$m:meta])* $name:ident, $len:expr, $what:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Number of digits.
            pub const LEN: usize = $len;

            /// Parses a code of exactly the right number of ASCII digits.
            pub fn parse(s: &str) -> Result<Self> {
                let t = s.trim();
                if t.len() != $len || !all_digits(t) {
                    return Err(invalid(
                        s,
                        Message::new(C::CodeDigits)
                            .with("thing", crate::message::thing($what))
                            .int("digits", $len)
                            .en(format!("{} code must be {} digits", $what, $len)),
                    ));
                }
                let mut b = [0u8; $len];
                b.copy_from_slice(t.as_bytes());
                Ok(Self(b))
            }

            /// The code as a string slice.
            pub fn as_str(&self) -> &str {
                // Only ASCII digits are ever stored.
                std::str::from_utf8(&self.0).unwrap_or_default()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        /// A code crosses the IPC boundary as its digits (see the `Serialize` impl).
        #[cfg(feature = "ts")]
        impl ts_rs::TS for $name {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &ts_rs::Config) -> String {
                "string".into()
            }
            fn inline(_: &ts_rs::Config) -> String {
                "string".into()
            }
        }
    };
}

fixed_code!(
    /// GB/T 2260 county-level code, 6 digits (e.g. `331003` 黄岩区).
    DistrictCode, 6, "district");
fixed_code!(
    /// Street (街道/乡镇) code: district + 3 digits = 9 digits.
    StreetCode, 9, "street");
fixed_code!(
    /// Community (社区/村) code: street + 3 digits = 12 digits.
    CommunityCode, 12, "community");
fixed_code!(
    /// Unit grid code: community + 3-digit sequence = 15 digits.
    GridCode, 15, "unit grid");
fixed_code!(
    /// Class code in a component or event table: major (2) + minor (2) = 4 digits.
    ClassCode, 4, "class");
fixed_code!(
    /// Component (部件) code: district 6 + major 2 + minor 2 + sequence 6 = 16 digits.
    ComponentCode, 16, "component");

impl DistrictCode {
    /// Appends a 3-digit street number.
    pub fn street(&self, n: u16) -> Result<StreetCode> {
        check_range(n, 1, 999, "street number")?;
        StreetCode::parse(&format!("{}{n:03}", self))
    }
}

impl ClassCode {
    /// The 2-digit major class (大类).
    pub fn major(&self) -> &str {
        &self.as_str()[..2]
    }
}

impl StreetCode {
    /// The district part.
    pub fn district(&self) -> DistrictCode {
        DistrictCode::parse(&self.as_str()[..6]).unwrap_or(DistrictCode(*b"000000"))
    }
    /// Appends a 3-digit community number.
    pub fn community(&self, n: u16) -> Result<CommunityCode> {
        check_range(n, 1, 999, "community number")?;
        CommunityCode::parse(&format!("{}{n:03}", self))
    }
}

impl CommunityCode {
    /// The street part (first 9 digits).
    pub fn street(&self) -> StreetCode {
        StreetCode::parse(&self.as_str()[..9]).unwrap_or(StreetCode(*b"000000000"))
    }
    /// Appends a 3-digit grid sequence (001–999).
    pub fn grid(&self, seq: u16) -> Result<GridCode> {
        check_range(seq, 1, 999, "grid sequence")?;
        GridCode::parse(&format!("{}{seq:03}", self))
    }
}

impl GridCode {
    /// Parses a 15-digit code, or a 14-digit legacy CJ/T 213 code (2-digit sequence), which is
    /// migrated by inserting a leading `0` into the sequence (`…12` → `…012`).
    pub fn parse_or_migrate(s: &str) -> Result<(Self, bool)> {
        let t = s.trim();
        if t.len() == 14 && all_digits(t) {
            let migrated = format!("{}0{}", &t[..12], &t[12..]);
            return Ok((Self::parse(&migrated)?, true));
        }
        if t.len() != 15 {
            return Err(invalid(
                s,
                Message::new(C::GridCodeDigits)
                    .en("unit grid code must be 15 digits (or a 14-digit legacy code)"),
            ));
        }
        Ok((Self::parse(t)?, false))
    }
    /// The community part (first 12 digits).
    pub fn community(&self) -> CommunityCode {
        CommunityCode::parse(&self.as_str()[..12]).unwrap_or(CommunityCode(*b"000000000000"))
    }
    /// The 3-digit sequence within the community.
    pub fn sequence(&self) -> u16 {
        self.as_str()[12..].parse().unwrap_or(0)
    }
    /// The sequence as shown on the map (`"007"`).
    pub fn sequence_str(&self) -> &str {
        &self.as_str()[12..]
    }
}

impl ComponentCode {
    /// Builds a code from its parts. `minor` is the 4-digit class code (major + minor).
    pub fn from_parts(district: DistrictCode, minor: &str, seq: u32) -> Result<Self> {
        if minor.len() != 4 || !all_digits(minor) {
            return Err(invalid(
                minor,
                Message::new(C::CodeDigits)
                    .with("thing", crate::message::thing("class"))
                    .int("digits", 4)
                    .en("component class code must be 4 digits"),
            ));
        }
        if seq == 0 || seq > 999_999 {
            return Err(invalid(
                &seq.to_string(),
                Message::new(C::ComponentSequenceRange).en("component sequence must be 1–999999"),
            ));
        }
        Self::parse(&format!("{district}{minor}{seq:06}"))
    }
    /// The district part.
    pub fn district(&self) -> DistrictCode {
        DistrictCode::parse(&self.as_str()[..6]).unwrap_or(DistrictCode(*b"000000"))
    }
    /// The 2-digit major class (大类).
    pub fn major(&self) -> &str {
        &self.as_str()[6..8]
    }
    /// The 4-digit class code (大类 + 小类), as in the code table.
    pub fn class(&self) -> &str {
        &self.as_str()[6..10]
    }
    /// The class code as a typed value.
    pub fn class_code(&self) -> ClassCode {
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.0[6..10]);
        ClassCode(b)
    }
    /// The 6-digit sequence.
    pub fn sequence(&self) -> u32 {
        self.as_str()[10..].parse().unwrap_or(0)
    }
}

fn check_range(n: u16, lo: u16, hi: u16, what: &str) -> Result<()> {
    if n < lo || n > hi {
        return Err(Error::Invalid(
            Message::new(C::NumberRange)
                .with("thing", crate::message::thing(what))
                .int("value", n)
                .int("min", lo)
                .int("max", hi)
                .en(format!("{what} {n} outside {lo}–{hi}")),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_real_examples() {
        let g = GridCode::parse("320582107234001").unwrap();
        assert_eq!(g.community().as_str(), "320582107234");
        assert_eq!(g.community().street().as_str(), "320582107");
        assert_eq!(g.sequence(), 1);
        let c = ComponentCode::parse("3205820305007077").unwrap();
        assert_eq!(c.major(), "03");
        assert_eq!(c.class(), "0305");
        assert_eq!(c.sequence(), 7077);
        assert_eq!(c.district().as_str(), "320582");
    }

    #[test]
    fn rejects_bad_codes() {
        assert!(GridCode::parse("32058210723400").is_err());
        assert!(GridCode::parse("3205821072340A1").is_err());
        assert!(ComponentCode::parse("320582030500707").is_err());
        assert!(GridCode::parse_or_migrate("123").is_err());
        assert!(GridCode::parse_or_migrate("").is_err());
        assert!(
            ComponentCode::from_parts(DistrictCode::parse("331003").unwrap(), "01x1", 1).is_err()
        );
    }

    #[test]
    fn migrates_legacy_grid_codes() {
        let (g, migrated) = GridCode::parse_or_migrate("33100300100112").unwrap();
        assert!(migrated);
        assert_eq!(g.as_str(), "331003001001012");
        let (g, migrated) = GridCode::parse_or_migrate("331003001001012").unwrap();
        assert!(!migrated);
        assert_eq!(g.sequence(), 12);
    }

    proptest! {
        #[test]
        fn grid_code_round_trips(d in 100000u32..999999, s in 1u16..999, c in 1u16..999, q in 1u16..999) {
            let dc = DistrictCode::parse(&d.to_string()).unwrap();
            let g = dc.street(s).unwrap().community(c).unwrap().grid(q).unwrap();
            prop_assert_eq!(g.as_str().len(), 15);
            prop_assert_eq!(g.sequence(), q);
            prop_assert_eq!(g.community().street().district(), dc);
            prop_assert_eq!(GridCode::parse(g.as_str()).unwrap(), g);
        }

        /// A legacy CJ/T 213 code (sequence 01–99) migrates to exactly the code the builder
        /// makes for the same community and sequence, which parses back unchanged as a
        /// 15-digit code; and migration keeps the order of codes (the boundary rule gives a
        /// shared edge to the lowest code, so migrating must not change which grid that is).
        #[test]
        fn legacy_migration_equals_the_built_code_and_keeps_the_order(
            d in 100000u32..999999,
            s in 1u16..999,
            c in 1u16..999,
            seq in 1u16..100,
            other_c in 1u16..999,
            other_seq in 1u16..100,
        ) {
            let community = DistrictCode::parse(&d.to_string())
                .unwrap()
                .street(s)
                .unwrap()
                .community(c)
                .unwrap();
            let legacy = format!("{community}{seq:02}");
            prop_assert_eq!(legacy.len(), 14);
            let (g, migrated) = GridCode::parse_or_migrate(&legacy).unwrap();
            prop_assert!(migrated);
            prop_assert_eq!(g, community.grid(seq).unwrap());
            prop_assert_eq!(g.community(), community);
            prop_assert_eq!(g.sequence(), seq);
            prop_assert_eq!(GridCode::parse_or_migrate(g.as_str()).unwrap(), (g, false));
            // Order: two legacy codes compare as their migrated codes do.
            let other_community = community.street().community(other_c).unwrap();
            let other = format!("{other_community}{other_seq:02}");
            let (h, _) = GridCode::parse_or_migrate(&other).unwrap();
            prop_assert_eq!(legacy.cmp(&other), g.cmp(&h));
        }

        #[test]
        fn component_code_parts(d in 100000u32..999999, minor in "[0-9]{4}", seq in 1u32..999_999) {
            let dc = DistrictCode::parse(&d.to_string()).unwrap();
            let c = ComponentCode::from_parts(dc, &minor, seq).unwrap();
            prop_assert_eq!(c.class(), minor.as_str());
            prop_assert_eq!(c.sequence(), seq);
            prop_assert_eq!(c.district(), dc);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,20}") {
            let _ = GridCode::parse_or_migrate(&s);
            let _ = ComponentCode::parse(&s);
        }
    }
}
