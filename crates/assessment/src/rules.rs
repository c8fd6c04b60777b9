//! The deployment's choices where a standard leaves a rule open (standards README, the
//! UNCONFIRMED items). Each has the documented default; none is hard-coded in the scoring.

use serde::Deserialize;

/// How GB/T 42195 C.4's two "raise one grade" rules combine when both apply (standards README
/// §1, UNCONFIRMED). Default: one grade in total, the reading of the training material
/// ("满足以下任一条件……上调一个能力等级").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stacking {
    #[default]
    OneInTotal,
    /// Each rule raises one grade (+2 when both apply), capped at 4.
    PerRule,
}

impl Stacking {
    pub fn parse(text: &str) -> Option<Stacking> {
        match text.trim() {
            "one_in_total" => Some(Stacking::OneInTotal),
            "per_rule" => Some(Stacking::PerRule),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Stacking::OneInTotal => "one_in_total",
            Stacking::PerRule => "per_rule",
        }
    }
}

/// Which Morse band set decides the band (standards README §7). Default `cn_common`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MorseBandSet {
    #[default]
    CnCommon,
    MorseOriginal,
}

impl MorseBandSet {
    pub fn parse(text: &str) -> Option<MorseBandSet> {
        match text.trim() {
            "cn_common" => Some(MorseBandSet::CnCommon),
            "morse_original" => Some(MorseBandSet::MorseOriginal),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MorseBandSet::CnCommon => "cn_common",
            MorseBandSet::MorseOriginal => "morse_original",
        }
    }
}

/// `(min, max, grade)`: the inclusive score range of one domain grade.
pub type GradeRange = (i64, i64, u8);

/// The official long-term-care tables (医保办发〔2021〕37号 附件), loaded by a deployment that
/// has checked them against the official text. Without it only the domain totals are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LtcTable {
    pub source: String,
    /// Per domain (`adl`, `cognition`, `sensory`): inclusive score ranges for the domain grades
    /// 0 能力完好, 1 轻度受损, 2 中度受损, 3 重度受损.
    pub domain_grades: Vec<(String, Vec<GradeRange>)>,
    /// `combination[adl_grade][worse of cognition and sensory grade]` = level 0..5.
    pub combination: [[u8; 4]; 4],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLtcTable {
    source: String,
    domain_grades: std::collections::BTreeMap<String, Vec<RawRange>>,
    combination: Vec<Vec<u8>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    grade: u8,
    min: i64,
    max: i64,
}

impl LtcTable {
    /// Reads the table file (JSON):
    /// `{"source": "...", "domain_grades": {"adl": [{"grade":0,"min":..,"max":..}, ...],
    /// "cognition": [...], "sensory": [...]}, "combination": [[l,l,l,l], x4]}`.
    /// Every domain's ranges must cover its whole score range exactly once.
    pub fn parse(text: &str) -> Result<LtcTable, String> {
        let raw: RawLtcTable = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if raw.source.trim().is_empty() {
            return Err("source: name the official text the table was checked against".into());
        }
        let mut domain_grades = Vec::new();
        // ADL items score in steps of 5, so only multiples of 5 are reachable there.
        for (domain, max, step) in [("adl", 100, 5), ("cognition", 16, 1), ("sensory", 12, 1)] {
            let ranges = raw
                .domain_grades
                .get(domain)
                .ok_or_else(|| format!("domain_grades.{domain} is missing"))?;
            for score in (0..=max).step_by(step) {
                let hits = ranges
                    .iter()
                    .filter(|r| r.min <= score && score <= r.max)
                    .count();
                if hits != 1 {
                    return Err(format!(
                        "domain_grades.{domain}: score {score} falls in {hits} ranges (must be exactly 1)"
                    ));
                }
            }
            if ranges.iter().any(|r| r.grade > 3) {
                return Err(format!("domain_grades.{domain}: grades are 0..3"));
            }
            domain_grades.push((
                domain.to_string(),
                ranges.iter().map(|r| (r.min, r.max, r.grade)).collect(),
            ));
        }
        if let Some(extra) = raw
            .domain_grades
            .keys()
            .find(|k| !["adl", "cognition", "sensory"].contains(&k.as_str()))
        {
            return Err(format!("domain_grades.{extra}: unknown domain"));
        }
        if raw.combination.len() != 4 || raw.combination.iter().any(|row| row.len() != 4) {
            return Err("combination: must be 4 rows of 4 levels".into());
        }
        let mut combination = [[0u8; 4]; 4];
        for (r, row) in raw.combination.iter().enumerate() {
            for (c, level) in row.iter().enumerate() {
                if *level > 5 {
                    return Err(format!("combination[{r}][{c}]: levels are 0..5"));
                }
                combination[r][c] = *level;
            }
        }
        Ok(LtcTable {
            source: raw.source,
            domain_grades,
            combination,
        })
    }

    pub fn domain_grade(&self, domain: &str, score: i64) -> Option<u8> {
        self.domain_grades
            .iter()
            .find(|(d, _)| d == domain)?
            .1
            .iter()
            .find(|(min, max, _)| *min <= score && score <= *max)
            .map(|r| r.2)
    }
}

/// Every open choice, with its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub gbt_stacking: Stacking,
    pub morse_bands: MorseBandSet,
    /// GDS-15 positive screen at total >= this (default 5; some Chinese studies use 8).
    pub gds_positive_at: i64,
    pub ltc_table: Option<LtcTable>,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            gbt_stacking: Stacking::OneInTotal,
            morse_bands: MorseBandSet::CnCommon,
            gds_positive_at: 5,
            ltc_table: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(adl_first_max: i64) -> String {
        format!(
            r#"{{"source":"test","domain_grades":{{
              "adl":[{{"grade":0,"min":{},"max":100}},{{"grade":1,"min":65,"max":{}}},{{"grade":2,"min":45,"max":60}},{{"grade":3,"min":0,"max":40}}],
              "cognition":[{{"grade":0,"min":16,"max":16}},{{"grade":1,"min":12,"max":15}},{{"grade":2,"min":8,"max":11}},{{"grade":3,"min":0,"max":7}}],
              "sensory":[{{"grade":0,"min":12,"max":12}},{{"grade":1,"min":8,"max":11}},{{"grade":2,"min":4,"max":7}},{{"grade":3,"min":0,"max":3}}]}},
              "combination":[[0,1,2,3],[1,1,2,3],[2,2,3,4],[3,4,4,5]]}}"#,
            adl_first_max + 1,
            adl_first_max
        )
    }

    #[test]
    fn a_table_that_covers_every_score_once_loads() {
        let t = LtcTable::parse(&table(95)).unwrap();
        assert_eq!(t.domain_grade("adl", 100), Some(0));
        assert_eq!(t.domain_grade("adl", 95), Some(1));
        assert_eq!(t.domain_grade("adl", 40), Some(3));
        assert_eq!(t.domain_grade("cognition", 11), Some(2));
    }

    proptest::proptest! {
        #[test]
        fn table_files_of_garbage_are_refused_without_panicking(text in ".{0,400}") {
            let _ = LtcTable::parse(&text);
        }

        #[test]
        fn tables_with_random_numbers_never_panic(
            bounds in proptest::collection::vec((-5i64..120, -5i64..120, 0u8..6), 0..14),
            combination in proptest::collection::vec(proptest::collection::vec(0u8..9, 0..6), 0..6),
        ) {
            let ranges = |n: usize| -> Vec<serde_json::Value> {
                bounds.iter().skip(n).step_by(3).map(|(min, max, grade)| {
                    serde_json::json!({"grade": grade, "min": min, "max": max})
                }).collect()
            };
            let text = serde_json::json!({"source": "random", "domain_grades": {
                "adl": ranges(0), "cognition": ranges(1), "sensory": ranges(2)},
                "combination": combination}).to_string();
            if let Ok(table) = LtcTable::parse(&text) {
                for score in 0..=100 {
                    let _ = table.domain_grade("adl", score);
                }
            }
        }
    }

    #[test]
    fn gaps_and_overlaps_are_refused() {
        // ADL 40 then falls in no range.
        let err = LtcTable::parse(&table(95).replace(r#""min":0,"max":40"#, r#""min":0,"max":39"#))
            .unwrap_err();
        assert!(err.contains("adl"), "{err}");
        assert!(LtcTable::parse("{}").is_err());
        assert!(LtcTable::parse("not json").is_err());
    }
}
