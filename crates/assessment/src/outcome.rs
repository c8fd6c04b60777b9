//! What scoring returns. Plain data; the web layer gives it its JSON shape.

/// A sentence in both languages (explanations of how a grade follows from the scores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub zh: String,
    pub en: String,
}

impl Line {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Line {
        Line {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn pick(&self, lang: registry::Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscore {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub score: i64,
    pub max: i64,
}

/// The TCM verdicts as the form writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    No,
    Tendency,
    Basically,
    Yes,
}

impl Verdict {
    /// 是 / 倾向是 / 基本是 / 否.
    pub fn as_form(self) -> &'static str {
        match self {
            Verdict::Yes => "是",
            Verdict::Tendency => "倾向是",
            Verdict::Basically => "基本是",
            Verdict::No => "否",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Verdict::Yes => "yes",
            Verdict::Tendency => "tendency",
            Verdict::Basically => "basically yes",
            Verdict::No => "no",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstitutionResult {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub score: i64,
    pub verdict: Verdict,
}

/// A notable finding beside the band (a positive screen, isolated systolic hypertension, a
/// provisional result, answers to re-check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub code: String,
    pub text: Line,
}

/// The identity-number checker's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCheck {
    pub valid: bool,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// `male` / `female`.
    pub sex: Option<String>,
    /// The 6-digit address code.
    pub region_code: Option<String>,
    /// The 18-digit form of a valid 15-digit number.
    pub upgraded: Option<String>,
    pub reason: Option<Line>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub instrument: String,
    pub version: String,
    pub total: Option<i64>,
    pub max_total: Option<i64>,
    /// The band code of the result (for GB/T 42195 the band of the final grade).
    pub band: Option<String>,
    pub band_name: Option<Line>,
    /// Numbered bands only: the final grade.
    pub grade: Option<i64>,
    /// GB/T 42195 only: the grade from the total, before the C.4 change rules.
    pub initial_grade: Option<i64>,
    pub subscores: Vec<Subscore>,
    /// NEWS2: score of each parameter, by the parameter id of instruments.json.
    pub parameter_scores: Vec<(String, i64)>,
    pub constitutions: Vec<ConstitutionResult>,
    /// Morse: the band under every published band set.
    pub band_sets: Vec<(String, String)>,
    pub flags: Vec<Flag>,
    pub id_check: Option<IdCheck>,
    /// Derived values (glucose value as rounded, hypoglycaemia level).
    pub values: Vec<(String, serde_json::Value)>,
    /// The result rests on a rule the deployment has not confirmed (long-term-care grade
    /// without the official table).
    pub provisional: bool,
    /// How the band or grade follows from the scores, step by step.
    pub explanation: Vec<Line>,
}

impl Outcome {
    pub(crate) fn new(instrument: &crate::Instrument) -> Outcome {
        Outcome {
            instrument: instrument.id.clone(),
            version: instrument.version.clone(),
            total: None,
            max_total: instrument.max_total,
            band: None,
            band_name: None,
            grade: None,
            initial_grade: None,
            subscores: vec![],
            parameter_scores: vec![],
            constitutions: vec![],
            band_sets: vec![],
            flags: vec![],
            id_check: None,
            values: vec![],
            provisional: false,
            explanation: vec![],
        }
    }

    pub fn has_flag(&self, code: &str) -> bool {
        self.flags.iter().any(|f| f.code == code)
    }

    pub fn subscore(&self, id: &str) -> Option<i64> {
        self.subscores.iter().find(|s| s.id == id).map(|s| s.score)
    }

    /// A one-line summary for lists: `band name (total)`.
    pub fn summary(&self, lang: registry::Lang) -> String {
        let band = self
            .band_name
            .as_ref()
            .map(|b| b.pick(lang).to_string())
            .unwrap_or_default();
        match (self.total, band.is_empty()) {
            (Some(t), false) => format!("{band}（{t}）"),
            (Some(t), true) => t.to_string(),
            (None, _) => band,
        }
    }
}
