//! The unified social credit code (统一社会信用代码, GB 32100-2015), §Credit code in
//! docs/registers.md: 18 characters from the 31-character set `0-9 A-H J-N P-R T U W-Y`
//! (no I, O, S, V, Z); the first is the registering authority, the second the kind of body,
//! characters 3–8 the GB/T 2260 division code (digits), 9–17 the organisation code, and the
//! 18th a check character: with the characters' values `v_i` and the weights `3^(i-1) mod 31`,
//! `c = 31 - (Σ v_i w_i mod 31)`, where 31 is written `0`.

use crate::message::{Message, MessageCode as C};
use crate::Reason;

/// The code's characters in value order.
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

/// The check character of the first 17 characters (`None` when one is not in the set).
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    let mut n = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
        n += 1;
    }
    if n != 17 || first17.chars().count() != 17 {
        return None;
    }
    let c = (31 - sum % 31) % 31;
    CHARSET.chars().nth(c as usize)
}

/// Checks a code as a person typed it (trimmed, lower case accepted) and returns it in upper
/// case, or why it is not a valid code.
pub fn parse_credit_code(s: &str) -> Result<String, Reason> {
    let code = s.trim().to_ascii_uppercase();
    let n = code.chars().count();
    if n != 18 {
        return Err(Message::new(C::CreditCodeLength)
            .text("code", &code)
            .int("length", n as i64)
            .en(format!(
                "unified social credit code `{code}` has {n} characters (18 expected)"
            )));
    }
    if let Some((i, c)) = code.chars().enumerate().find(|(_, c)| value(*c).is_none()) {
        return Err(Message::new(C::CreditCodeChar)
            .text("code", &code)
            .int("position", i as i64 + 1)
            .text("char", c.to_string())
            .en(format!(
                "unified social credit code `{code}`: character {} `{c}` is not allowed (I, O, S, V and Z are never used)",
                i + 1
            )));
    }
    if !code.chars().skip(2).take(6).all(|c| c.is_ascii_digit()) {
        return Err(Message::new(C::CreditCodeDivision)
            .text("code", &code)
            .en(format!(
                "unified social credit code `{code}`: characters 3–8 must be the division code (digits)"
            )));
    }
    let (head, last) = code.split_at(17);
    let expected = check_char(head).unwrap_or('0');
    if !last.starts_with(expected) {
        return Err(Message::new(C::CreditCodeCheck)
            .text("code", &code)
            .text("expected", expected.to_string())
            .en(format!(
                "unified social credit code `{code}`: the check character should be `{expected}`"
            )));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_codes_pass() {
        // Codes printed on public business licences.
        for c in ["91350100M000100Y43", "91310000775785552L"] {
            assert_eq!(parse_credit_code(c), Ok(c.to_string()), "{c}");
        }
        assert_eq!(
            parse_credit_code(" 91350100m000100y43 "),
            Ok("91350100M000100Y43".into())
        );
    }

    #[test]
    fn each_fault_has_its_code() {
        let e = |s: &str| parse_credit_code(s).unwrap_err().message.code;
        assert_eq!(e("9135010"), C::CreditCodeLength);
        assert_eq!(e("91350100M000100Y4I"), C::CreditCodeChar);
        assert_eq!(e("913501A0M000100Y43"), C::CreditCodeDivision);
        assert_eq!(e("91350100M000100Y44"), C::CreditCodeCheck);
    }

    proptest! {
        /// Every 17 characters complete to a valid code, and changing any one character of a
        /// valid code makes it invalid (the weights are units mod 31).
        #[test]
        fn check_character_catches_single_changes(
            head in proptest::collection::vec(0usize..31, 17),
            pos in 0usize..18,
            delta in 1usize..31,
        ) {
            let mut chars: Vec<char> = head.iter().map(|&i| CHARSET.chars().nth(i).unwrap()).collect();
            // Characters 3–8 are digits.
            for c in chars.iter_mut().skip(2).take(6) {
                if !c.is_ascii_digit() { *c = '1'; }
            }
            let h: String = chars.iter().collect();
            let code = format!("{h}{}", check_char(&h).unwrap());
            prop_assert_eq!(parse_credit_code(&code), Ok(code.clone()));
            let mut v: Vec<char> = code.chars().collect();
            let old = value(v[pos]).unwrap() as usize;
            v[pos] = CHARSET.chars().nth((old + delta) % 31).unwrap();
            let changed: String = v.iter().collect();
            prop_assert!(parse_credit_code(&changed).is_err());
        }
    }
}
