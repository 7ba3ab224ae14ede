//! Pinyin initials (拼音首字母) of names, for searching class names as people type them on a
//! phone: 暴露垃圾 is found by `bllj` (docs/station.md, "Phones"). The readings come from the
//! `pinyin` crate's table; a character with several readings (多音字, 行 is xíng or háng) keeps
//! the first letter of each, so `hds` and `xds` both find 行道树 (the phone matches a query
//! against these slots, `ui/src/phone/inspector.ts`, so that the search works offline).

use pinyin::ToPinyinMulti;

/// One entry per character of `text`: the lower-case first letters of its readings (a Han
/// character), the character itself lower-cased (an ASCII letter or digit), or empty
/// (anything else: punctuation, spaces, symbols).
pub fn initials(text: &str) -> Vec<String> {
    text.chars()
        .map(|c| match c.to_pinyin_multi() {
            Some(readings) => {
                let mut letters = String::new();
                for p in readings {
                    if let Some(l) = p.first_letter().chars().next() {
                        let l = l.to_ascii_lowercase();
                        if !letters.contains(l) {
                            letters.push(l);
                        }
                    }
                }
                letters
            }
            None if c.is_ascii_alphanumeric() => c.to_ascii_lowercase().to_string(),
            None => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_by_their_initials() {
        let i = initials("暴露垃圾");
        assert_eq!(i.len(), 4);
        assert!(i[0].contains('b'), "{i:?}");
        assert_eq!(&i[1..], ["l", "l", "j"]);
        // 多音字: 行 reads xíng and háng, both kept.
        let t = initials("行道树");
        assert!(t[0].contains('x') && t[0].contains('h'), "{t:?}");
        assert_eq!(&t[1..], ["d", "s"]);
        // ASCII stays itself (lower case); anything else is an empty slot.
        assert_eq!(initials("A-1 井"), ["a", "", "1", "", "j"]);
    }
}
