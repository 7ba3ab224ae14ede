//! Every section reference in the sources (`SPEC` followed by the section sign and a number such
//! as 4.6, or the sign and number alone) must resolve to a heading of `docs/domain.md`: a Markdown
//! heading line that contains the same number as a whole token (4.6 is not satisfied by a heading
//! numbered 4.6.1 or 14.6).
//!
//! Scanned: `crates/`, `src-tauri/src`, `ui/src` and `tests/e2e` (`.rs`, `.ts`, `.mjs`; `target`,
//! `node_modules` and `dist` skipped). A reference whose nearest preceding document name on its
//! line is another document's (e.g. "MVT spec 2.1", then the sign and 4.3.4.4) cites that document
//! and is skipped.
//!
//! This file writes the section sign only as `SECTION` (`\u{a7}`), so it finds no references in
//! itself.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The section sign.
const SECTION: char = '\u{a7}';
/// Folders scanned, relative to the repository root.
const ROOTS: &[&str] = &["crates", "src-tauri/src", "ui/src", "tests/e2e"];
/// File types scanned.
const EXTENSIONS: &[&str] = &["rs", "ts", "mjs"];
/// Folders never entered.
const SKIP_DIRS: &[&str] = &["target", "node_modules", "dist"];
/// The name under which the code cites the domain rules.
const DOMAIN: &str = "SPEC";
/// Names of other documents whose sections the code may cite.
const FOREIGN: &[&str] = &["MVT", "Mapbox", "RFC", "ISO", "OGC", "IEEE", "OpenAPI"];

/// The repository root: two levels above this crate's manifest (`crates/griddesk`).
fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or_else(|| manifest.join("../.."), Path::to_path_buf)
}

/// The longest prefix of `s` of the form `N(.N)*`; empty if `s` does not start with a digit.
fn section_number(s: &str) -> &str {
    let b = s.as_bytes();
    let digits_at = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut end = digits_at(0);
    if end == 0 {
        return "";
    }
    while end < b.len() && b[end] == b'.' {
        let n = digits_at(end + 1);
        if n == 0 {
            break;
        }
        end += 1 + n;
    }
    &s[..end]
}

/// Every section reference of a line: the byte offset of its sign and its number (`4.6`).
/// Spaces between the sign and the number are allowed.
fn section_refs(line: &str) -> Vec<(usize, &str)> {
    line.char_indices()
        .filter(|&(_, c)| c == SECTION)
        .filter_map(|(at, c)| {
            let n = section_number(line[at + c.len_utf8()..].trim_start_matches(' '));
            (!n.is_empty()).then_some((at, n))
        })
        .collect()
}

/// The byte offset of the last occurrence of `word` in `hay` that stands as a word of its own.
fn rfind_word(hay: &str, word: &str) -> Option<usize> {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    hay.match_indices(word)
        .filter(|&(i, _)| {
            !alnum(hay[..i].chars().next_back()) && !alnum(hay[i + word.len()..].chars().next())
        })
        .map(|(i, _)| i)
        .last()
}

/// Whether a reference preceded by `before` (the text of its line before the sign) cites another
/// document: the nearest document name before it is a foreign one.
fn cites_other_document(before: &str) -> bool {
    let mut nearest: Option<(usize, bool)> = None;
    let names = FOREIGN
        .iter()
        .map(|n| (*n, true))
        .chain(std::iter::once((DOMAIN, false)));
    for (name, foreign) in names {
        if let Some(i) = rfind_word(before, name) {
            if nearest.is_none_or(|(j, _)| i > j) {
                nearest = Some((i, foreign));
            }
        }
    }
    nearest.is_some_and(|(_, foreign)| foreign)
}

/// The section numbers named by the headings of a Markdown text (fenced code skipped).
fn heading_numbers(text: &str) -> BTreeSet<String> {
    let mut fenced = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || !t.starts_with('#') {
            continue;
        }
        out.extend(section_refs(t).into_iter().map(|(_, n)| n.to_string()));
    }
    out
}

/// The source files to scan, in path order.
fn source_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = ROOTS.iter().map(|r| root.join(r)).collect();
    while let Some(p) = stack.pop() {
        // Symbolic links are neither followed nor read.
        let Ok(meta) = fs::symlink_metadata(&p) else {
            continue;
        };
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if meta.is_dir() {
            if SKIP_DIRS.contains(&name) {
                continue;
            }
            let entries =
                fs::read_dir(&p).unwrap_or_else(|e| panic!("cannot list {}: {e}", p.display()));
            stack.extend(entries.flatten().map(|e| e.path()));
        } else if meta.is_file()
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
        {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// One reference found in the sources.
struct Reference {
    file: String,
    line: usize,
    number: String,
    text: String,
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {SECTION}{}    {}",
            self.file, self.line, self.number, self.text
        )
    }
}

/// Every reference under `root`, split into domain references and other documents' ones.
fn references(root: &Path) -> (Vec<Reference>, Vec<Reference>) {
    let (mut domain, mut foreign) = (Vec::new(), Vec::new());
    for file in source_files(root) {
        let bytes =
            fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let text = String::from_utf8_lossy(&bytes);
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (i, line) in text.lines().enumerate() {
            for (at, number) in section_refs(line) {
                let r = Reference {
                    file: rel.clone(),
                    line: i + 1,
                    number: number.to_string(),
                    text: line.trim().chars().take(120).collect(),
                };
                if cites_other_document(&line[..at]) {
                    foreign.push(r);
                } else {
                    domain.push(r);
                }
            }
        }
    }
    (domain, foreign)
}

#[test]
fn every_section_reference_has_a_heading_in_domain_md() {
    let root = repo_root();
    let doc_path = root.join("docs").join("domain.md");
    let doc = fs::read_to_string(&doc_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", doc_path.display()));
    let headings = heading_numbers(&doc);
    assert!(
        !headings.is_empty(),
        "{} has no heading with a section number",
        doc_path.display()
    );

    let (domain, foreign) = references(&root);
    assert!(
        !domain.is_empty(),
        "no {SECTION} reference found under {}: is the repository root right?",
        root.display()
    );
    for r in &foreign {
        eprintln!("skipped, cites another document: {r}");
    }
    let unresolved: Vec<&Reference> = domain
        .iter()
        .filter(|r| !headings.contains(&r.number))
        .collect();
    for r in &unresolved {
        eprintln!("unresolved: {r}");
    }
    assert!(
        unresolved.is_empty(),
        "{} of {} {SECTION} references have no heading in {}:\n{}",
        unresolved.len(),
        domain.len(),
        doc_path.display(),
        unresolved
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// `$` stands for the section sign in the examples below.
fn s(t: &str) -> String {
    t.replace('$', &SECTION.to_string())
}

#[test]
fn references_are_parsed_as_whole_numbers() {
    let nums = |t: &str| -> Vec<String> {
        section_refs(&s(t))
            .into_iter()
            .map(|(_, n)| n.to_string())
            .collect()
    };
    assert_eq!(nums("(SPEC $4.6)."), ["4.6"]);
    assert_eq!(nums("SPEC $1.2 / $1.6 rule 5"), ["1.2", "1.6"]);
    assert_eq!(nums("see $4.6. Then"), ["4.6"]);
    assert_eq!(nums("$5.1–5.4 and $ 7"), ["5.1", "7"]);
    assert_eq!(nums("$4.3.4.4 and $14.6"), ["4.3.4.4", "14.6"]);
    assert_eq!(nums("$ alone, $x, $.5"), Vec::<String>::new());
}

#[test]
fn headings_match_whole_tokens_only() {
    let h = heading_numbers(&s(
        "# Title\n## $4 Workflow\n### $4.6.1 Detail\n### $14.6 Other\ntext $4.6\n\
         ```\n# $9.9 in a fence\n```\n  ### $5.1. Base\n",
    ));
    let want: BTreeSet<String> = ["4", "4.6.1", "14.6", "5.1"]
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(h, want);
    assert!(!h.contains("4.6"));
    assert!(!h.contains("9.9"));
}

#[test]
fn other_documents_are_told_apart() {
    let foreign = |t: &str| {
        let line = s(t);
        section_refs(&line)
            .into_iter()
            .map(|(at, _)| cites_other_document(&line[..at]))
            .collect::<Vec<_>>()
    };
    assert_eq!(foreign("area positive (MVT spec 2.1, $4.3.4.4)."), [true]);
    assert_eq!(foreign("(SPEC $4.2, $7)"), [false, false]);
    assert_eq!(foreign("(SPEC $4.3; MVT $4.3.4.4)"), [false, true]);
    assert_eq!(foreign("// Regions share $5.1: judge once"), [false]);
    assert_eq!(foreign("ISOLATED SPECIAL $1.6"), [false]);
}
