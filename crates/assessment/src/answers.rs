//! Answer sets as they arrive (`{"B1.1": 4, "coma": false, ...}`) and why one is refused.

use registry::{FieldError, Lang, Problem};

/// The answers of one assessment, keyed by item id (or input name). JSON is the edge format
/// of every client, so the raw values are kept as JSON values and checked item by item.
pub type Answers = serde_json::Map<String, serde_json::Value>;

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerProblem {
    /// The instrument has no item or input of this name.
    Unknown,
    /// A required item has no answer.
    Missing,
    /// The value is not one of the item's options.
    NotAnOption { allowed: Vec<String> },
    /// The value has the wrong JSON type.
    WrongType {
        expected_zh: &'static str,
        expected_en: &'static str,
    },
    /// A number outside the plausible range.
    OutOfRange { min: String, max: String },
    /// Two answers that must not be given together (MNA-SF F1 and F2).
    Conflicts { with: String },
    /// An answer set for which the standard gives no result (free text explains).
    Invalid { zh: String, en: String },
}

/// A refused answer, naming its item.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerError {
    pub item: String,
    /// The item's name on the form, for messages (`上下楼梯`).
    pub item_name_zh: String,
    pub item_name_en: String,
    pub problem: AnswerProblem,
}

impl AnswerError {
    pub fn message(&self, lang: Lang) -> String {
        use AnswerProblem::*;
        let name = match lang {
            Lang::Zh if !self.item_name_zh.is_empty() => {
                format!("{}（{}）", self.item, self.item_name_zh)
            }
            Lang::En if !self.item_name_en.is_empty() => {
                format!("{} ({})", self.item, self.item_name_en)
            }
            _ => self.item.clone(),
        };
        match (&self.problem, lang) {
            (Unknown, Lang::Zh) => format!("{name}：该量表没有此项"),
            (Unknown, Lang::En) => format!("{name}: this instrument has no such item"),
            (Missing, Lang::Zh) => format!("{name}：未作答，所有条目均须作答"),
            (Missing, Lang::En) => format!("{name}: not answered; every item is required"),
            (NotAnOption { allowed }, Lang::Zh) => {
                format!("{name}：取值须为 {} 之一", allowed.join("、"))
            }
            (NotAnOption { allowed }, Lang::En) => {
                format!("{name}: must be one of {}", allowed.join(", "))
            }
            (WrongType { expected_zh, .. }, Lang::Zh) => format!("{name}：须为{expected_zh}"),
            (WrongType { expected_en, .. }, Lang::En) => format!("{name}: must be {expected_en}"),
            (OutOfRange { min, max }, Lang::Zh) => format!("{name}：须在 {min} 到 {max} 之间"),
            (OutOfRange { min, max }, Lang::En) => {
                format!("{name}: must be between {min} and {max}")
            }
            (Conflicts { with }, Lang::Zh) => format!("{name}：不能与 {with} 同时填写"),
            (Conflicts { with }, Lang::En) => {
                format!("{name}: cannot be given together with {with}")
            }
            (Invalid { zh, .. }, Lang::Zh) => format!("{name}：{zh}"),
            (Invalid { en, .. }, Lang::En) => format!("{name}: {en}"),
        }
    }

    /// The same error as a registry field error, field = the item id.
    pub fn to_field_error(&self) -> FieldError {
        FieldError::new(
            self.item.clone(),
            Problem::Invalid {
                zh: self.message(Lang::Zh),
                en: self.message(Lang::En),
            },
        )
    }
}
