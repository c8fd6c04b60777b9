//! The instrument catalogue, read once from `data/instruments.json` (schema 1).
//!
//! The JSON is the data: items, option texts and scores, domains, bands. What the JSON writes as
//! prose (band rules of NEWS2 and the blood-pressure table, the inputs of the instruments without
//! items) is given a typed form here, next to the citation of each instrument.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const DEFINITIONS: &str = include_str!("../data/instruments.json");

/// All instruments, parsed once. Panics only if the embedded file is broken, which the tests
/// of this crate would catch first.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::parse(DEFINITIONS).expect("embedded instruments.json parses"))
}

#[derive(Debug)]
pub struct Catalog {
    pub schema_version: u32,
    /// The date of the definitions file; part of every instrument's version.
    pub generated: String,
    pub instruments: Vec<Instrument>,
}

impl Catalog {
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let file: RawFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.schema_version != 1 {
            return Err(format!(
                "unsupported schema_version {}",
                file.schema_version
            ));
        }
        let instruments = file
            .instruments
            .into_iter()
            .map(|raw| Instrument::from_raw(raw, &file.generated))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalog {
            schema_version: file.schema_version,
            generated: file.generated,
            instruments,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }
}

#[derive(Debug, Clone)]
pub struct Domain {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub max: i64,
}

#[derive(Debug, Clone)]
pub struct ItemOption {
    pub score: i64,
    /// What a client sends for this option; the score, or a word for yes/no items.
    pub value: serde_json::Value,
    pub label_zh: String,
    pub label_en: String,
}

/// How an item is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// The answer is one of the option scores.
    Score,
    /// `yes` / `no` (or true / false); the answer named scores 1 (GDS-15).
    YesNo { one_point_for_yes: bool },
    /// AD8: `yes` (a change) scores 1; `no` and `unknown` (N/A, don't know) score 0.
    ChangeYesNoUnknown,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub number: Option<u32>,
    pub domain: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    pub kind: AnswerKind,
    pub options: Vec<ItemOption>,
    pub note: Option<String>,
    /// Objective anchors printed for options 1..5 (TCM questions 9, 14, 17, 28).
    pub anchors_zh: Vec<String>,
    pub required: bool,
}

impl Item {
    pub fn scores(&self) -> Vec<i64> {
        let mut scores: Vec<i64> = self.options.iter().map(|o| o.score).collect();
        scores.dedup();
        scores
    }
}

/// An input of an instrument that has no items (NEWS2, blood pressure, glucose, identity
/// number), or an extra input beside the items (GB/T 42195's adjustment inputs).
#[derive(Debug, Clone)]
pub struct InputSpec {
    pub name: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub kind: InputKind,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    Integer {
        min: i64,
        max: i64,
    },
    /// A number; with `decimals`, rounded half up to that many places before use.
    Decimal {
        min: f64,
        max: f64,
        decimals: Option<u32>,
    },
    Bool,
    Choice(&'static [&'static str]),
    Text {
        max_chars: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Band {
    pub code: String,
    pub grade: Option<i64>,
    pub name_zh: String,
    pub name_en: String,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// The rule as the standard words it, where it is not a score range.
    pub rule: Option<String>,
}

/// One row of a NEWS2 parameter table (`parameters[].bands[]`).
#[derive(Debug, Clone, Deserialize)]
pub struct ParameterBand {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub on_oxygen: Option<bool>,
    pub value: Option<String>,
    pub score: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Parameter {
    pub id: String,
    #[serde(default)]
    pub bands: Vec<ParameterBand>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Constitution {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub items: Vec<u32>,
    #[serde(default)]
    pub reverse_scored_items: Vec<u32>,
}

#[derive(Debug, Clone)]
pub struct Instrument {
    pub id: String,
    /// `id@generated-date` of the definitions file; stored with every assessment.
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub confidence: String,
    /// The standard and the section of the standards README the scoring follows.
    pub citation: &'static str,
    pub domains: Vec<Domain>,
    pub items: Vec<Item>,
    pub inputs: Vec<InputSpec>,
    pub bands: Vec<Band>,
    /// Alternative band sets by name (Morse).
    pub band_sets: BTreeMap<String, Vec<Band>>,
    pub min_total: Option<i64>,
    pub max_total: Option<i64>,
    pub parameters: Vec<Parameter>,
    pub constitutions: Vec<Constitution>,
    /// Final levels (long-term-care grade 0..5).
    pub levels: Vec<Band>,
    /// Scored by two assessors together; the result counts once the second one confirms.
    pub needs_second_assessor: bool,
    /// Only an assessor (评估员) may record it.
    pub assessor_only: bool,
    /// Months until a reassessment is due, for instruments that set a level.
    pub reassess_months: Option<u32>,
    /// Whether a result can be stored on an elder's record (the identity checker cannot).
    pub recordable: bool,
}

impl Instrument {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn input(&self, name: &str) -> Option<&InputSpec> {
        self.inputs.iter().find(|i| i.name == name)
    }

    pub fn name(&self, lang: registry::Lang) -> &str {
        lang.pick(&self.name_zh, &self.name_en)
    }

    pub fn band(&self, code: &str) -> Option<&Band> {
        self.bands
            .iter()
            .chain(self.band_sets.values().flatten())
            .chain(self.levels.iter())
            .find(|b| b.code == code)
    }

    fn from_raw(raw: RawInstrument, generated: &str) -> Result<Instrument, String> {
        let profile = profile(&raw.id);
        let scale_labels = raw.answer_scale.as_ref().map(|s| s.labels.clone());
        let items = raw
            .items
            .iter()
            .map(|item| item_from_raw(item, scale_labels.as_deref(), &raw.id))
            .collect::<Result<Vec<_>, _>>()?;
        let bands = if raw.id == "bp_grade_cn" {
            raw.categories.iter().map(band_from_raw).collect()
        } else {
            raw.bands.iter().map(band_from_raw).collect()
        };
        let band_sets = raw
            .band_sets
            .iter()
            .map(|(name, set)| (name.clone(), set.bands.iter().map(band_from_raw).collect()))
            .collect();
        let levels = raw
            .final_levels
            .iter()
            .map(|l| Band {
                code: LTC_LEVEL_CODES
                    .get(l.level as usize)
                    .copied()
                    .unwrap_or("unknown")
                    .to_string(),
                grade: Some(l.level),
                name_zh: l.name_zh.clone(),
                name_en: l.name_en.clone(),
                min: None,
                max: None,
                rule: None,
            })
            .collect();
        Ok(Instrument {
            version: format!("{}@{}", raw.id, generated),
            id: raw.id,
            name_zh: raw.name_zh,
            name_en: raw.name_en,
            confidence: raw.confidence,
            citation: profile.citation,
            domains: raw
                .domains
                .into_iter()
                .map(|d| Domain {
                    id: d.id,
                    name_zh: d.name_zh,
                    name_en: d.name_en,
                    max: d.max,
                })
                .collect(),
            items,
            inputs: profile.inputs,
            bands,
            band_sets,
            min_total: raw.scoring.as_ref().and_then(|s| s.min),
            max_total: raw.scoring.as_ref().and_then(|s| s.max),
            parameters: raw.parameters,
            constitutions: raw.constitutions,
            levels,
            needs_second_assessor: profile.needs_second_assessor,
            assessor_only: profile.assessor_only,
            reassess_months: profile.reassess_months,
            recordable: profile.recordable,
        })
    }
}

/// Codes of the long-term-care final levels 0..5.
pub const LTC_LEVEL_CODES: [&str; 6] = [
    "basically_normal",
    "mild",
    "moderate",
    "severe_1",
    "severe_2",
    "severe_3",
];

struct Profile {
    citation: &'static str,
    inputs: Vec<InputSpec>,
    needs_second_assessor: bool,
    assessor_only: bool,
    reassess_months: Option<u32>,
    recordable: bool,
}

fn input(
    name: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    kind: InputKind,
    required: bool,
) -> InputSpec {
    InputSpec {
        name,
        label_zh,
        label_en,
        kind,
        required,
    }
}

/// What the JSON leaves to prose: citations, inputs, and how each instrument is used.
fn profile(id: &str) -> Profile {
    let plain = |citation| Profile {
        citation,
        inputs: vec![],
        needs_second_assessor: false,
        assessor_only: false,
        reassess_months: None,
        recordable: true,
    };
    match id {
        "gbt42195_2022" => Profile {
            inputs: vec![
                input(
                    "coma",
                    "昏迷（A.5.11）",
                    "coma (A.5.11)",
                    InputKind::Bool,
                    false,
                ),
                input(
                    "dementia_or_mental_disorder",
                    "确诊痴呆（F00–F03）或精神科确诊的其他精神和行为障碍（F04–F99）（A.4.1）",
                    "diagnosed dementia (F00–F03) or another mental disorder diagnosed by a psychiatrist (F04–F99) (A.4.1)",
                    InputKind::Bool,
                    false,
                ),
                input(
                    "risk_events_30d",
                    "近30天内照护风险事件次数（跌倒、噎食、自杀、自伤、走失、其他，合计）（A.2.14）",
                    "care-risk events in the past 30 days, all types summed (A.2.14)",
                    InputKind::Integer { min: 0, max: 999 },
                    false,
                ),
            ],
            needs_second_assessor: true,
            assessor_only: true,
            reassess_months: Some(12),
            ..plain("GB/T 42195-2022 老年人能力评估规范, Annex B (items) and C.3–C.5 (grade); standards README §1")
        },
        "selfcare_phs3" => Profile {
            reassess_months: Some(12),
            ..plain("国家基本公共卫生服务规范（第三版）老年人生活自理能力评估表; standards README §2")
        },
        "tcm_constitution_33" => Profile {
            reassess_months: Some(12),
            ..plain("国家基本公共卫生服务规范（第三版）老年人中医药健康管理服务记录表, 体质判定标准表; standards README §3")
        },
        "ltc_disability_2021" => Profile {
            needs_second_assessor: true,
            assessor_only: true,
            reassess_months: Some(12),
            ..plain("长期护理失能等级评估标准（试行）医保办发〔2021〕37号; standards README §4")
        },
        "barthel" => plain("Barthel Index (Mahoney & Barthel 1965), bands as WS/T 431 护理分级; standards README §5"),
        "news2" => Profile {
            inputs: vec![
                input("respiration_rate", "呼吸频率（次/分）", "respiration rate (/min)", InputKind::Integer { min: 0, max: 80 }, true),
                input("spo2", "血氧饱和度 SpO2（%）", "SpO2 (%)", InputKind::Integer { min: 40, max: 100 }, true),
                input("spo2_scale", "SpO2 量表（1 默认；2 仅用于医生确定的高碳酸血症呼吸衰竭）", "SpO2 scale (1 default; 2 for hypercapnic respiratory failure, prescribed)", InputKind::Choice(&["1", "2"]), false),
                input("on_oxygen", "吸氧", "on oxygen", InputKind::Bool, true),
                input("systolic_bp", "收缩压（mmHg）", "systolic BP (mmHg)", InputKind::Integer { min: 30, max: 300 }, true),
                input("pulse", "脉搏（次/分）", "pulse (/min)", InputKind::Integer { min: 10, max: 300 }, true),
                input("consciousness", "意识（ACVPU）", "consciousness (ACVPU)", InputKind::Choice(&["alert", "new_confusion", "voice", "pain", "unresponsive"]), true),
                input("temperature", "体温（℃）", "temperature (°C)", InputKind::Decimal { min: 25.0, max: 45.0, decimals: Some(1) }, true),
            ],
            ..plain("NEWS2, Royal College of Physicians 2017, chart 1 and the clinical-response thresholds; standards README §6")
        },
        "gds15" => plain("GDS-15 (Sheikh & Yesavage 1986), Stanford scoring key; standards README §7"),
        "minicog" => plain("Mini-Cog (Borson 2000), standardized scoring; standards README §7"),
        "ad8" => plain("AD8 (Galvin 2005); standards README §7"),
        "morse" => plain("Morse Fall Scale (Morse 1989); band sets per standards README §7"),
        "braden" => plain("Braden Scale (Bergstrom & Braden 1987); standards README §7"),
        "mna_sf" => Profile {
            // F1 or F2 may be given as the measurement instead of the option.
            inputs: vec![
                input("bmi", "体质指数 BMI（kg/m²），代替 F1 选项", "BMI (kg/m²), instead of the F1 option", InputKind::Decimal { min: 8.0, max: 80.0, decimals: None }, false),
                input("calf_cm", "小腿围（cm），无法取得 BMI 时代替 F2 选项", "calf circumference (cm), instead of the F2 option when BMI is unavailable", InputKind::Decimal { min: 10.0, max: 80.0, decimals: None }, false),
            ],
            ..plain("MNA-SF (Rubenstein 2001; Kaiser 2009); standards README §7")
        },
        "bp_grade_cn" => Profile {
            inputs: vec![
                input("systolic", "收缩压（mmHg）", "systolic (mmHg)", InputKind::Integer { min: 40, max: 300 }, true),
                input("diastolic", "舒张压（mmHg）", "diastolic (mmHg)", InputKind::Integer { min: 20, max: 200 }, true),
            ],
            ..plain("中国高血压防治指南 2018年修订版, 血压水平分类; standards README §8")
        },
        "glucose_cn" => Profile {
            inputs: vec![
                input("context", "测量时点", "measurement context", InputKind::Choice(&["fasting", "postprandial_2h", "random"]), true),
                input("mmol_l", "血糖（mmol/L）", "glucose (mmol/L)", InputKind::Decimal { min: 0.5, max: 40.0, decimals: None }, true),
                input("diabetic", "已确诊糖尿病", "known diabetes", InputKind::Bool, false),
            ],
            ..plain("中国2型糖尿病防治指南（2020年版）, WHO 1999 criteria and hypoglycaemia levels; standards README §8")
        },
        "cn_resident_id" => Profile {
            inputs: vec![input("id_number", "公民身份号码", "identity number", InputKind::Text { max_chars: 32 }, true)],
            recordable: false,
            ..plain("GB 11643-1999 公民身份号码, ISO 7064 MOD 11-2; standards README §9")
        },
        _ => plain("standards README"),
    }
}

fn band_from_raw(raw: &RawBand) -> Band {
    Band {
        code: raw.code.clone().unwrap_or_default(),
        grade: raw.grade,
        name_zh: raw.name_zh.clone().unwrap_or_default(),
        name_en: raw
            .name_en
            .clone()
            .unwrap_or_else(|| raw.name_zh.clone().unwrap_or_default()),
        min: raw.min,
        max: raw.max,
        rule: raw.rule.clone(),
    }
}

fn item_from_raw(
    raw: &RawItem,
    scale: Option<&[RawOption]>,
    instrument: &str,
) -> Result<Item, String> {
    let (kind, options) = if let Some(yes) = &raw.scores_1_if {
        let one_point_for_yes = match yes.as_str() {
            "yes" => true,
            "no" => false,
            other => return Err(format!("{}: scores_1_if {other}", raw.id)),
        };
        let score = |is_yes: bool| i64::from(is_yes == one_point_for_yes);
        (
            AnswerKind::YesNo { one_point_for_yes },
            vec![
                opt(score(true), "yes".into(), "是", "yes"),
                opt(score(false), "no".into(), "否", "no"),
            ],
        )
    } else if instrument == "ad8" {
        (
            AnswerKind::ChangeYesNoUnknown,
            vec![
                opt(1, "yes".into(), "是，有变化", "yes, a change"),
                opt(0, "no".into(), "无变化", "no, no change"),
                opt(0, "unknown".into(), "不适用/不知道", "N/A, don't know"),
            ],
        )
    } else if !raw.options.is_empty() {
        (
            AnswerKind::Score,
            raw.options
                .iter()
                .map(|o| opt(o.score, o.score.into(), &o.label_zh, &o.label_en))
                .collect(),
        )
    } else if let (Some(scale), false) = (scale, raw.scores.is_empty()) {
        (
            AnswerKind::Score,
            scale
                .iter()
                .map(|o| opt(o.score, o.score.into(), &o.label_zh, &o.label_en))
                .collect(),
        )
    } else if instrument == "minicog" && raw.id == "clock_draw" {
        // The rule text of the item, as two options (normal 2, abnormal or refused 0).
        (
            AnswerKind::Score,
            vec![
                opt(
                    2,
                    2.into(),
                    "正常：数字齐全、顺序与位置正确，指针指向要求的时间",
                    "normal",
                ),
                opt(0, 0.into(), "异常或拒绝画钟", "abnormal"),
            ],
        )
    } else if !raw.scores.is_empty() {
        (
            AnswerKind::Score,
            raw.scores
                .iter()
                .map(|s| opt(*s, (*s).into(), &format!("{s} 分"), &format!("{s} points")))
                .collect(),
        )
    } else {
        return Err(format!("{instrument} item {} has no options", raw.id));
    };
    Ok(Item {
        id: raw.id.clone(),
        number: raw.number,
        domain: raw.domain.clone(),
        name_zh: raw.name_zh.clone(),
        name_en: raw.name_en.clone(),
        kind,
        options,
        note: raw.note.clone().or_else(|| raw.rule.clone()),
        anchors_zh: raw.option_anchors_zh.clone(),
        // MNA-SF F1 and F2 are alternatives: exactly one of them is checked by the scorer.
        required: !(instrument == "mna_sf" && raw.id.starts_with('F')),
    })
}

fn opt(score: i64, value: serde_json::Value, zh: &str, en: &str) -> ItemOption {
    ItemOption {
        score,
        value,
        label_zh: zh.to_string(),
        label_en: en.to_string(),
    }
}

#[derive(Deserialize)]
struct RawFile {
    schema_version: u32,
    generated: String,
    instruments: Vec<RawInstrument>,
}

#[derive(Deserialize)]
struct RawInstrument {
    id: String,
    name_zh: String,
    name_en: String,
    #[serde(default)]
    confidence: String,
    #[serde(default)]
    domains: Vec<RawDomain>,
    #[serde(default)]
    items: Vec<RawItem>,
    #[serde(default)]
    bands: Vec<RawBand>,
    #[serde(default)]
    categories: Vec<RawBand>,
    #[serde(default)]
    band_sets: BTreeMap<String, RawBandSet>,
    #[serde(default)]
    answer_scale: Option<RawScale>,
    #[serde(default)]
    constitutions: Vec<Constitution>,
    #[serde(default)]
    final_levels: Vec<RawLevel>,
    #[serde(default)]
    parameters: Vec<Parameter>,
    #[serde(default)]
    scoring: Option<RawScoring>,
}

#[derive(Deserialize)]
struct RawDomain {
    id: String,
    name_zh: String,
    name_en: String,
    max: i64,
}

#[derive(Deserialize)]
struct RawItem {
    id: String,
    #[serde(default)]
    number: Option<u32>,
    #[serde(default)]
    domain: Option<String>,
    name_zh: String,
    name_en: String,
    #[serde(default)]
    options: Vec<RawOption>,
    #[serde(default)]
    scores: Vec<i64>,
    #[serde(default)]
    scores_1_if: Option<String>,
    #[serde(default)]
    option_anchors_zh: Vec<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    rule: Option<String>,
}

#[derive(Deserialize, Clone)]
struct RawOption {
    score: i64,
    label_zh: String,
    label_en: String,
}

#[derive(Deserialize)]
struct RawScale {
    labels: Vec<RawOption>,
}

#[derive(Deserialize)]
struct RawBand {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    grade: Option<i64>,
    #[serde(default)]
    name_zh: Option<String>,
    #[serde(default)]
    name_en: Option<String>,
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    max: Option<i64>,
    #[serde(default)]
    rule: Option<String>,
}

#[derive(Deserialize)]
struct RawBandSet {
    bands: Vec<RawBand>,
}

#[derive(Deserialize)]
struct RawLevel {
    level: i64,
    name_zh: String,
    name_en: String,
}

#[derive(Deserialize)]
struct RawScoring {
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    max: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_has_every_instrument_of_the_standards_file() {
        let ids: Vec<&str> = catalog()
            .instruments
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "gbt42195_2022",
                "selfcare_phs3",
                "tcm_constitution_33",
                "ltc_disability_2021",
                "barthel",
                "news2",
                "gds15",
                "minicog",
                "ad8",
                "morse",
                "braden",
                "mna_sf",
                "bp_grade_cn",
                "glucose_cn",
                "cn_resident_id"
            ]
        );
    }

    #[test]
    fn the_copy_matches_the_research_file_when_it_is_present() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/standards/instruments.json");
        if let Ok(text) = std::fs::read_to_string(shared) {
            assert_eq!(
                text, DEFINITIONS,
                "data/instruments.json differs from shared/standards/instruments.json: copy the new version and review the scoring"
            );
        }
    }

    #[test]
    fn domain_maxima_agree_with_the_items() {
        for instrument in &catalog().instruments {
            for domain in &instrument.domains {
                let max: i64 = instrument
                    .items
                    .iter()
                    .filter(|i| i.domain.as_deref() == Some(domain.id.as_str()))
                    .map(|i| i.scores().into_iter().max().unwrap_or(0))
                    .sum();
                assert_eq!(max, domain.max, "{} {}", instrument.id, domain.id);
            }
            if let (Some(max), false) = (instrument.max_total, instrument.items.is_empty()) {
                if instrument.id != "mna_sf" && instrument.id != "tcm_constitution_33" {
                    let sum: i64 = instrument
                        .items
                        .iter()
                        .map(|i| i.scores().into_iter().max().unwrap_or(0))
                        .sum();
                    assert_eq!(sum, max, "{}", instrument.id);
                }
            }
        }
    }

    #[test]
    fn gbt42195_has_26_items_and_five_grades() {
        let gbt = catalog().get("gbt42195_2022").unwrap();
        assert_eq!(gbt.items.len(), 26);
        assert_eq!(gbt.item("B2.4").unwrap().scores(), [3, 2, 1, 0]);
        assert_eq!(gbt.item("B3.9").unwrap().scores(), [2, 1, 0]);
        assert_eq!(gbt.item("B4.1").unwrap().scores(), [2, 1, 0]);
        let grades: Vec<_> = gbt.bands.iter().map(|b| b.grade).collect();
        assert_eq!(grades, [Some(0), Some(1), Some(2), Some(3), Some(4)]);
    }
}
