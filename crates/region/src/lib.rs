//! The national administrative division tree (行政区划) and its codes.
//!
//! Codes follow GB/T 2260 for province, city and county (6 digits), GB/T 10114 for townships
//! (9 digits) and the statistical division codes (统计用区划代码) for villages and communities
//! (12 digits). A code is stored in its *significant* form — trailing zero groups dropped — so that
//! "this region and everything below it" is a string-prefix test: province `37`, city `3714`,
//! county `371402`, township `371402001`, village `371402001001`.

use std::fmt;

/// The five levels of the division hierarchy, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Province,
    City,
    County,
    Township,
    Village,
}

impl Level {
    /// Number of significant digits a code of this level has.
    pub fn digits(self) -> usize {
        match self {
            Level::Province => 2,
            Level::City => 4,
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "province" => Level::Province,
            "city" => Level::City,
            "county" => Level::County,
            "township" => Level::Township,
            "village" => Level::Village,
            _ => return None,
        })
    }

    pub fn from_digits(digits: usize) -> Option<Level> {
        Some(match digits {
            2 => Level::Province,
            4 => Level::City,
            6 => Level::County,
            9 => Level::Township,
            12 => Level::Village,
            _ => return None,
        })
    }

    /// The level directly below, if any.
    pub fn child(self) -> Option<Level> {
        match self {
            Level::Province => Some(Level::City),
            Level::City => Some(Level::County),
            Level::County => Some(Level::Township),
            Level::Township => Some(Level::Village),
            Level::Village => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("a region code has only digits")]
    NotDigits,
    #[error("a region code has 6, 9 or 12 digits")]
    Length,
    #[error("no province has code {0}")]
    UnknownProvince(String),
    #[error("the code's digit groups do not form a valid hierarchy")]
    Hierarchy,
}

/// A checked administrative division code, held in its significant form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

/// First two digits of every province-level division (GB/T 2260), including Hong Kong, Macao
/// and Taiwan, which have codes but no lower levels in the mainland statistical tables.
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

impl RegionCode {
    /// Parses a 6-, 9- or 12-digit code (or an already significant 2/4-digit one) and drops the
    /// trailing zero groups: `370000` → province `37`, `371402000000` → county `371402`.
    pub fn parse(text: &str) -> Result<RegionCode, RegionCodeError> {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError::NotDigits);
        }
        if ![2, 4, 6, 9, 12].contains(&text.len()) {
            return Err(RegionCodeError::Length);
        }
        let groups: [(usize, usize); 5] = [(0, 2), (2, 4), (4, 6), (6, 9), (9, 12)];
        let mut significant = 0;
        let mut seen_zero_group = false;
        for (start, end) in groups {
            if end > text.len() {
                break;
            }
            let group = &text[start..end];
            if group.bytes().all(|b| b == b'0') {
                seen_zero_group = true;
            } else if seen_zero_group {
                return Err(RegionCodeError::Hierarchy);
            } else {
                significant = end;
            }
        }
        if significant == 0 {
            return Err(RegionCodeError::Hierarchy);
        }
        let code = &text[..significant];
        if !PROVINCES.contains(&&code[..2]) {
            return Err(RegionCodeError::UnknownProvince(code[..2].to_string()));
        }
        Ok(RegionCode(code.to_string()))
    }

    /// The significant digits; a region's subtree is every code that starts with these.
    pub fn prefix(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        Level::from_digits(self.0.len()).expect("constructed codes have a valid length")
    }

    /// The code as published: 6 digits for province, city and county, 9 for a township and 12
    /// for a village or community.
    pub fn display_code(&self) -> String {
        match self.level() {
            Level::Province | Level::City | Level::County => format!("{:0<6}", self.0),
            Level::Township | Level::Village => self.0.clone(),
        }
    }

    pub fn parent(&self) -> Option<RegionCode> {
        let digits = match self.level() {
            Level::Province => return None,
            Level::City => 2,
            Level::County => 4,
            Level::Township => 6,
            Level::Village => 9,
        };
        Some(RegionCode(self.0[..digits].to_string()))
    }

    /// True when `other` is this region or lies below it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The chain from the province down to this code.
    pub fn ancestors_and_self(&self) -> Vec<RegionCode> {
        let mut chain = vec![self.clone()];
        while let Some(parent) = chain.last().and_then(|c| c.parent()) {
            chain.push(parent);
        }
        chain.reverse();
        chain
    }

    /// The province-level code only (first two digits), used to check the first digits of an
    /// identity number.
    pub fn is_known_province_prefix(two_digits: &str) -> bool {
        PROVINCES.contains(&two_digits)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_code())
    }
}

/// One node of the division tree as the registry keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
}

impl Region {
    pub fn level(&self) -> Level {
        self.code.level()
    }
}

/// A line of a division list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// Reads a division list as the statistics bureau publishes it: one `code,name` (or tab- or
/// space-separated) pair per line; a header line and blank lines are skipped. Parents must
/// appear in the list or already be known to the caller; the list is returned top-down.
pub fn parse_division_list(text: &str) -> Result<Vec<Region>, Vec<ListError>> {
    let mut regions = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (code, name) = match line.split_once([',', '\t', ' ']) {
            Some((c, n)) => (c.trim(), n.trim().trim_matches('"')),
            None => (line, ""),
        };
        if index == 0 && !code.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let message = match RegionCode::parse(code) {
            Ok(_) if name.is_empty() => "a name is missing".to_string(),
            Ok(_) if name.chars().count() > 50 || name.chars().any(char::is_control) => {
                "the name is longer than 50 characters or has control characters".to_string()
            }
            Ok(code) => {
                regions.push(Region {
                    code,
                    name: name.to_string(),
                });
                continue;
            }
            Err(e) => e.to_string(),
        };
        errors.push(ListError {
            line: index + 1,
            message,
        });
    }
    if errors.is_empty() {
        regions.sort_by(|a, b| (a.code.level(), &a.code).cmp(&(b.code.level(), &b.code)));
        Ok(regions)
    } else {
        Err(errors)
    }
}

/// A stored code as published (`display_code`), or the text itself when it is not a code: for
/// showing what is stored without hiding a corrupt value.
pub fn display_code_of(stored: &str) -> String {
    RegionCode::parse(stored)
        .map(|c| c.display_code())
        .unwrap_or_else(|_| stored.to_string())
}

#[cfg(test)]
mod tests {

    #[test]
    fn stored_codes_show_as_published_and_anything_else_as_it_is() {
        assert_eq!(display_code_of("3714"), "371400");
        assert_eq!(display_code_of("371402001"), "371402001");
        assert_eq!(display_code_of("not a code"), "not a code");
    }

    use super::*;

    fn check(input: &str, expected: Result<(&str, Level), RegionCodeError>) {
        let got = RegionCode::parse(input).map(|c| (c.prefix().to_string(), c.level()));
        let expected = expected.map(|(p, l)| (p.to_string(), l));
        assert_eq!(got, expected, "input {input}");
    }

    #[test]
    fn parses_every_level_to_its_significant_digits() {
        check("370000", Ok(("37", Level::Province)));
        check("371400", Ok(("3714", Level::City)));
        check("371402", Ok(("371402", Level::County)));
        check("371402001", Ok(("371402001", Level::Township)));
        check("371402001001", Ok(("371402001001", Level::Village)));
        check("371402000000", Ok(("371402", Level::County)));
        check("370000000000", Ok(("37", Level::Province)));
        check("37", Ok(("37", Level::Province)));
    }

    #[test]
    fn rejects_garbage() {
        check("", Err(RegionCodeError::NotDigits));
        check("37a000", Err(RegionCodeError::NotDigits));
        check("３７００００", Err(RegionCodeError::NotDigits));
        check("3700000", Err(RegionCodeError::Length));
        check("000000", Err(RegionCodeError::Hierarchy));
        check("370001", Err(RegionCodeError::Hierarchy));
        check("990000", Err(RegionCodeError::UnknownProvince("99".into())));
    }

    #[test]
    fn division_lists_are_read_top_down() {
        let text =
            "code,name\n371402,德城区\n370000,山东省\n\n371400\t德州市\n371402001 新华街道\n";
        let regions = parse_division_list(text).unwrap();
        let codes: Vec<_> = regions
            .iter()
            .map(|r| r.code.prefix().to_string())
            .collect();
        assert_eq!(codes, ["37", "3714", "371402", "371402001"]);
        assert_eq!(regions[3].name, "新华街道");
        let errors = parse_division_list("370000,山东省\n37x,坏\n371400\n").unwrap_err();
        let lines: Vec<_> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3]);
        assert!(parse_division_list("").unwrap().is_empty());
    }

    #[test]
    fn subtree_is_a_prefix_relation() {
        let city = RegionCode::parse("371400").unwrap();
        let county = RegionCode::parse("371402").unwrap();
        let other = RegionCode::parse("371302").unwrap();
        assert!(city.contains(&county));
        assert!(city.contains(&city));
        assert!(!city.contains(&other));
        assert!(!county.contains(&city));
        assert_eq!(county.parent(), Some(city));
        assert_eq!(county.display_code(), "371402");
        assert_eq!(RegionCode::parse("37").unwrap().display_code(), "370000");
        let village = RegionCode::parse("371402001001").unwrap();
        let chain: Vec<_> = village
            .ancestors_and_self()
            .iter()
            .map(|c| c.prefix().to_string())
            .collect();
        assert_eq!(chain, ["37", "3714", "371402", "371402001", "371402001001"]);
    }
}
