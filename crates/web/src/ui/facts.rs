//! A record's facts as data: the label/value lists (`<dl class="facts">`) of the detail pages,
//! drawn by the `facts` macro.

/// One fact of a record: its label and value; an empty value shows as "—".
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    /// Codes, numbers and phones are shown in a monospace font.
    pub mono: bool,
    /// The page the value links to.
    pub href: Option<String>,
    /// A remark after the value, in brackets.
    pub note: &'static str,
}

impl Fact {
    pub fn new(label: &'static str, value: impl Into<String>) -> Fact {
        Fact {
            label,
            value: value.into(),
            mono: false,
            href: None,
            note: "",
        }
    }

    /// A fact in a monospace font.
    pub fn mono(self) -> Fact {
        Fact { mono: true, ..self }
    }

    /// A fact whose value links to `href`.
    pub fn link(self, href: String) -> Fact {
        Fact {
            href: Some(href),
            ..self
        }
    }

    /// A fact with a remark after its value.
    pub fn note(self, note: &'static str) -> Fact {
        Fact { note, ..self }
    }
}
