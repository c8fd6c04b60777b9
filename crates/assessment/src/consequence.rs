//! What a result means for the elder: the self-care level that institutional operating
//! subsidies are paid by, and the amounts.
//!
//! Amounts: Dezhou plan (policy seed document 002): an institution receives per resident per
//! year a provincial subsidy of 600 / 1,200 / 2,400 yuan for self-care / semi-dependent / fully
//! dependent residents, plus 200 yuan municipal.
//!
//! Mapping from each instrument's band to the three levels. The plan names the levels but not
//! the instrument; the default below is the common reading of 自理 / 半失能 / 失能 and every
//! deployment may replace it (`[assessment.subsidy_levels]`):
//! - GB/T 42195-2022: 能力完好 → 自理; 轻度失能, 中度失能 → 半失能; 重度失能, 完全失能 → 失能.
//! - 生活自理能力评估表: 可自理 → 自理; 轻度依赖, 中度依赖 → 半失能; 不能自理 → 失能.
//! - Barthel (WS/T 431): 无需依赖 → 自理; 轻度依赖, 中度依赖 → 半失能; 重度依赖 → 失能.
//! - Long-term-care grade (once the official table is loaded): 0 基本正常 → 自理; 1 轻度, 2 中度
//!   → 半失能; 3–5 重度失能 → 失能.
//!
//! When several instruments have a current result, GB/T 42195 (the ability assessment the
//! subsidy rules are written for) decides, then the long-term-care grade, then the self-care
//! form, then Barthel.

use crate::outcome::Line;

/// 自理 / 半失能 / 失能.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SelfCareLevel {
    SelfCare,
    SemiDependent,
    FullyDependent,
}

impl SelfCareLevel {
    pub const ALL: [SelfCareLevel; 3] = [
        SelfCareLevel::SelfCare,
        SelfCareLevel::SemiDependent,
        SelfCareLevel::FullyDependent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SelfCareLevel::SelfCare => "self_care",
            SelfCareLevel::SemiDependent => "semi_dependent",
            SelfCareLevel::FullyDependent => "fully_dependent",
        }
    }

    pub fn parse(text: &str) -> Option<SelfCareLevel> {
        SelfCareLevel::ALL
            .into_iter()
            .find(|l| l.code() == text.trim())
    }

    pub fn label(self) -> Line {
        match self {
            SelfCareLevel::SelfCare => Line::new("自理", "self-care"),
            SelfCareLevel::SemiDependent => Line::new("半失能", "semi-dependent"),
            SelfCareLevel::FullyDependent => Line::new("失能", "fully dependent"),
        }
    }
}

/// Instruments in the order in which they decide the care level.
pub const CARE_LEVEL_INSTRUMENTS: [&str; 4] = [
    "gbt42195_2022",
    "ltc_disability_2021",
    "selfcare_phs3",
    "barthel",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsidyPolicy {
    /// Provincial yuan per resident per year, by level.
    pub provincial_yuan: [i64; 3],
    pub municipal_yuan: i64,
    /// `(instrument id, band code) → level`.
    pub mapping: Vec<(String, String, SelfCareLevel)>,
    pub source: &'static str,
}

impl Default for SubsidyPolicy {
    fn default() -> SubsidyPolicy {
        use SelfCareLevel::*;
        let rows: [(&str, &str, SelfCareLevel); 19] = [
            ("gbt42195_2022", "intact", SelfCare),
            ("gbt42195_2022", "mild", SemiDependent),
            ("gbt42195_2022", "moderate", SemiDependent),
            ("gbt42195_2022", "severe", FullyDependent),
            ("gbt42195_2022", "complete", FullyDependent),
            ("selfcare_phs3", "independent", SelfCare),
            ("selfcare_phs3", "mild", SemiDependent),
            ("selfcare_phs3", "moderate", SemiDependent),
            ("selfcare_phs3", "dependent", FullyDependent),
            ("barthel", "none", SelfCare),
            ("barthel", "mild", SemiDependent),
            ("barthel", "moderate", SemiDependent),
            ("barthel", "severe", FullyDependent),
            ("ltc_disability_2021", "basically_normal", SelfCare),
            ("ltc_disability_2021", "mild", SemiDependent),
            ("ltc_disability_2021", "moderate", SemiDependent),
            ("ltc_disability_2021", "severe_1", FullyDependent),
            ("ltc_disability_2021", "severe_2", FullyDependent),
            ("ltc_disability_2021", "severe_3", FullyDependent),
        ];
        SubsidyPolicy {
            provincial_yuan: [600, 1200, 2400],
            municipal_yuan: 200,
            mapping: rows
                .into_iter()
                .map(|(i, b, l)| (i.to_string(), b.to_string(), l))
                .collect(),
            source: "德州市医养结合实施方案（002）：省级 600/1200/2400 元，市级 200 元，每人每年",
        }
    }
}

impl SubsidyPolicy {
    pub fn level_of(&self, instrument: &str, band: &str) -> Option<SelfCareLevel> {
        self.mapping
            .iter()
            .find(|(i, b, _)| i == instrument && b == band)
            .map(|m| m.2)
    }

    /// Yuan per year (provincial, municipal, total) an elder at `level` brings: only as the
    /// resident of an institution. It follows where the elder lives now, so it is computed when
    /// read rather than stored with the assessment.
    pub fn for_elder(
        &self,
        level: Option<SelfCareLevel>,
        lives_in_institution: bool,
    ) -> Option<(i64, i64, i64)> {
        level
            .filter(|_| lives_in_institution)
            .map(|level| self.yuan(level))
    }

    /// Yuan per resident per year: (provincial, municipal, total).
    pub fn yuan(&self, level: SelfCareLevel) -> (i64, i64, i64) {
        let provincial = self.provincial_yuan[level as usize];
        (
            provincial,
            self.municipal_yuan,
            provincial + self.municipal_yuan,
        )
    }

    /// Replaces one mapping row (configuration).
    pub fn set(&mut self, instrument: &str, band: &str, level: SelfCareLevel) {
        self.mapping
            .retain(|(i, b, _)| !(i == instrument && b == band));
        self.mapping
            .push((instrument.to_string(), band.to_string(), level));
    }
}

/// The current result of one instrument for an elder, as the care summary needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentResult {
    pub instrument: String,
    pub band: Option<String>,
    pub grade: Option<i64>,
    pub assessed_on: String,
}

/// The elder's levels that follow from their current results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareSummary {
    /// GB/T 42195 final grade 0..4, when assessed.
    pub ability_grade: Option<i64>,
    pub ability_band: Option<String>,
    /// 自理 / 半失能 / 失能 and the instrument that decided it.
    pub care_level: Option<(SelfCareLevel, String)>,
    /// Long-term-care level 0..5 when the official table is loaded.
    pub ltc_level: Option<i64>,
}

impl CareSummary {
    pub fn from_results(results: &[CurrentResult], policy: &SubsidyPolicy) -> CareSummary {
        let find = |id: &str| results.iter().find(|r| r.instrument == id);
        let ability = find("gbt42195_2022");
        let care_level = CARE_LEVEL_INSTRUMENTS.iter().find_map(|id| {
            let r = find(id)?;
            let level = policy.level_of(id, r.band.as_deref()?)?;
            Some((level, id.to_string()))
        });
        CareSummary {
            ability_grade: ability.and_then(|r| r.grade),
            ability_band: ability.and_then(|r| r.band.clone()),
            care_level,
            ltc_level: find("ltc_disability_2021").and_then(|r| r.grade),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(instrument: &str, band: &str, grade: Option<i64>) -> CurrentResult {
        CurrentResult {
            instrument: instrument.into(),
            band: Some(band.into()),
            grade,
            assessed_on: "2026-11-01".into(),
        }
    }

    #[test]
    fn subsidy_amounts_follow_the_dezhou_plan() {
        let p = SubsidyPolicy::default();
        assert_eq!(p.yuan(SelfCareLevel::SelfCare), (600, 200, 800));
        assert_eq!(p.yuan(SelfCareLevel::SemiDependent), (1200, 200, 1400));
        assert_eq!(p.yuan(SelfCareLevel::FullyDependent), (2400, 200, 2600));
    }

    #[test]
    fn every_band_of_the_level_instruments_has_a_level() {
        let p = SubsidyPolicy::default();
        for id in ["gbt42195_2022", "selfcare_phs3", "barthel"] {
            for band in &crate::catalog().get(id).unwrap().bands {
                assert!(p.level_of(id, &band.code).is_some(), "{id} {}", band.code);
            }
        }
    }

    #[test]
    fn gbt42195_decides_before_barthel_and_subsidy_needs_an_institution() {
        let p = SubsidyPolicy::default();
        let results = [
            result("barthel", "none", None),
            result("gbt42195_2022", "severe", Some(3)),
        ];
        let summary = CareSummary::from_results(&results, &p);
        assert_eq!(
            summary.care_level,
            Some((SelfCareLevel::FullyDependent, "gbt42195_2022".into()))
        );
        assert_eq!(summary.ability_grade, Some(3));
        let level = summary.care_level.map(|c| c.0);
        assert_eq!(p.for_elder(level, false), None, "at home");
        assert_eq!(p.for_elder(level, true), Some((2400, 200, 2600)));
        let only_barthel = CareSummary::from_results(&results[..1], &p);
        assert_eq!(
            only_barthel.care_level,
            Some((SelfCareLevel::SelfCare, "barthel".into()))
        );
    }

    #[test]
    fn configuration_replaces_a_mapping_row() {
        let mut p = SubsidyPolicy::default();
        p.set("gbt42195_2022", "moderate", SelfCareLevel::FullyDependent);
        assert_eq!(
            p.level_of("gbt42195_2022", "moderate"),
            Some(SelfCareLevel::FullyDependent)
        );
        assert_eq!(p.mapping.len(), 19);
    }
}
