//! Field-level validation problems, translated at the edge into the user's language.

use crate::lang::Lang;
use crate::CodeEnum;
use std::ops::RangeInclusive;

/// Why one input field was refused. Each variant carries what the message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    ControlCharacters,
    OneOf {
        allowed: Vec<&'static str>,
    },
    IdNumber(crate::IdNumberError),
    IdNumberMismatch {
        what: &'static str,
    },
    Phone,
    Date,
    DateInFuture,
    DateBeforeBirth,
    RegionCode,
    UnknownRegion,
    UnknownOrganization,
    Icd10 {
        code: String,
    },
    Duplicate {
        existing_id: String,
    },
    /// The identity number is on file in a record the caller may not read: which one is not
    /// said, only what to do.
    DuplicateElsewhere,
    NotANumber,
    OutOfRange {
        min: i64,
        max: i64,
    },
    Invalid {
        zh: String,
        en: String,
    },
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        use Problem::*;
        match (self, lang) {
            (Required, Lang::Zh) => "必填".into(),
            (Required, Lang::En) => "is required".into(),
            (TooLong { max }, Lang::Zh) => format!("不能超过 {max} 个字符"),
            (TooLong { max }, Lang::En) => format!("must be at most {max} characters"),
            (ControlCharacters, Lang::Zh) => "含有不可见的控制字符".into(),
            (ControlCharacters, Lang::En) => "contains control characters".into(),
            (OneOf { allowed }, Lang::Zh) => format!("取值须为：{}", allowed.join("、")),
            (OneOf { allowed }, Lang::En) => format!("must be one of: {}", allowed.join(", ")),
            (IdNumber(e), lang) => e.message(lang),
            (IdNumberMismatch { what }, Lang::Zh) => format!("与身份证号推算的{what}不一致"),
            (IdNumberMismatch { what }, Lang::En) => {
                format!("does not match the {what} in the identity number")
            }
            (Phone, Lang::Zh) => "电话号码格式不正确（11 位手机号或带区号的固话）".into(),
            (Phone, Lang::En) => {
                "is not a valid phone number (11-digit mobile or landline with area code)".into()
            }
            (Date, Lang::Zh) => "不是有效日期（格式 YYYY-MM-DD）".into(),
            (Date, Lang::En) => "is not a valid date (YYYY-MM-DD)".into(),
            (DateInFuture, Lang::Zh) => "不能晚于今天".into(),
            (DateInFuture, Lang::En) => "cannot be in the future".into(),
            (DateBeforeBirth, Lang::Zh) => "不能早于出生日期".into(),
            (DateBeforeBirth, Lang::En) => "cannot be before the date of birth".into(),
            (RegionCode, Lang::Zh) => "行政区划代码须为 6、9 或 12 位数字".into(),
            (RegionCode, Lang::En) => "must be a 6-, 9- or 12-digit division code".into(),
            (UnknownRegion, Lang::Zh) => "该行政区划不存在".into(),
            (UnknownRegion, Lang::En) => "is not a known region".into(),
            (UnknownOrganization, Lang::Zh) => "该机构不存在".into(),
            (UnknownOrganization, Lang::En) => "is not a known organization".into(),
            (Icd10 { code }, Lang::Zh) => format!("“{code}”不是有效的 ICD-10 编码"),
            (Icd10 { code }, Lang::En) => format!("“{code}” is not a valid ICD-10 code"),
            (Duplicate { existing_id }, Lang::Zh) => {
                format!("该身份证号已建档（档案 {existing_id}）")
            }
            (Duplicate { existing_id }, Lang::En) => {
                format!("a record with this identity number already exists ({existing_id})")
            }
            (DuplicateElsewhere, Lang::Zh) => "该身份证号已由其他机构建档；请联系该档案的管理机构或区县管理员办理档案转移，或申请授权查看".into(),
            (DuplicateElsewhere, Lang::En) => "a record with this identity number is kept by another organization; ask that organization or the county administrator to transfer it to you or to grant you access".into(),
            (NotANumber, Lang::Zh) => "须为整数".into(),
            (NotANumber, Lang::En) => "must be a whole number".into(),
            (OutOfRange { min, max }, Lang::Zh) => format!("须在 {min} 到 {max} 之间"),
            (OutOfRange { min, max }, Lang::En) => format!("must be between {min} and {max}"),
            (Invalid { zh, .. }, Lang::Zh) => zh.clone(),
            (Invalid { en, .. }, Lang::En) => en.clone(),
        }
    }
}

/// A problem tied to the field it belongs to (`id_number`, `contacts[0].phone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> FieldError {
        FieldError {
            field: field.into(),
            problem,
        }
    }
}

/// Checks free text: trims, refuses control characters and over-long values.
pub fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max_chars: usize,
    required: bool,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    match value {
        None => {
            if required {
                errors.push(FieldError::new(field, Problem::Required));
            }
            None
        }
        Some(v) if v.chars().count() > max_chars => {
            errors.push(FieldError::new(field, Problem::TooLong { max: max_chars }));
            None
        }
        Some(v) if v.chars().any(|c| c.is_control()) => {
            errors.push(FieldError::new(field, Problem::ControlCharacters));
            None
        }
        Some(v) => Some(v.to_string()),
    }
}

/// The trimmed text of an input field, or `None` when it is missing or blank.
pub fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// A code that must be one of `allowed`; anything else lists them.
pub fn listed(text: &str, allowed: &[&'static str]) -> Result<&'static str, Problem> {
    allowed
        .iter()
        .find(|code| **code == text)
        .copied()
        .ok_or_else(|| Problem::OneOf {
            allowed: allowed.to_vec(),
        })
}

/// An optional code (blank is `None`) that must be one of `allowed`.
pub fn one_of(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    allowed: &[&'static str],
) -> Option<&'static str> {
    let text = value.map(str::trim).filter(|v| !v.is_empty())?;
    listed(text, allowed)
        .map_err(|problem| errors.push(FieldError::new(field, problem)))
        .ok()
}

/// An optional region code (blank is `None`), as the prefix that selects its subtree.
pub fn region_prefix(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
) -> Option<String> {
    optional(errors, field, value, |t| {
        region_code(t).map(|code| code.prefix().to_string())
    })
}

/// A region code (6, 9 or 12 digits).
pub fn region_code(text: &str) -> Result<region::RegionCode, Problem> {
    region::RegionCode::parse(text).map_err(|_| Problem::RegionCode)
}

/// A mainland phone number.
pub fn phone(text: &str) -> Result<crate::Phone, Problem> {
    crate::Phone::parse(text).ok_or(Problem::Phone)
}

/// A whole number in `range`.
pub fn whole_number(text: &str, range: RangeInclusive<i64>) -> Result<i64, Problem> {
    let n = text.parse::<i64>().map_err(|_| Problem::NotANumber)?;
    within(n, range)
}

/// Records [`Problem::OutOfRange`] against `field` unless `value` lies in `range`.
pub fn in_range(errors: &mut Vec<FieldError>, field: &str, value: i64, range: RangeInclusive<i64>) {
    if let Err(problem) = within(value, range) {
        errors.push(FieldError::new(field, problem));
    }
}

fn within(value: i64, range: RangeInclusive<i64>) -> Result<i64, Problem> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(Problem::OutOfRange {
            min: *range.start(),
            max: *range.end(),
        })
    }
}

/// Reads an optional field: blank is `None`; otherwise `parse` decides, and the problem it
/// reports is recorded against `field`.
pub fn optional<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, Problem>,
) -> Option<T> {
    let text = non_empty(value)?;
    parse(text)
        .map_err(|problem| errors.push(FieldError::new(field, problem)))
        .ok()
}

/// Reads a required field: blank is recorded as [`Problem::Required`]; otherwise as [`optional`].
pub fn required<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, Problem>,
) -> Option<T> {
    if non_empty(value).is_none() {
        errors.push(FieldError::new(field, Problem::Required));
        return None;
    }
    optional(errors, field, value, parse)
}

/// Parses one code (or label) of a [`code_enum!`] enum; anything else lists the codes allowed.
pub fn code<T: CodeEnum>(text: &str) -> Result<T, Problem> {
    T::parse_loose(text).ok_or_else(|| Problem::OneOf {
        allowed: T::CODES.to_vec(),
    })
}

/// Reads a multiple choice of codes: blanks are skipped, repeats kept once, and every unknown
/// value is recorded against `field`.
pub fn codes<T: CodeEnum + PartialEq>(
    errors: &mut Vec<FieldError>,
    field: &str,
    values: &[String],
) -> Vec<T> {
    let mut chosen = Vec::new();
    for text in values.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        match code(text) {
            Ok(c) if !chosen.contains(&c) => chosen.push(c),
            Ok(_) => {}
            Err(problem) => errors.push(FieldError::new(field, problem)),
        }
    }
    chosen
}
