/// Declares an enum whose variants have a stable storage/API code and a label in each language.
/// One definition keeps the three in step.
///
/// `TryFrom<String>` reads a *stored* code: exactly one of the codes, never trimmed or loose, and
/// anything else is an [`UnknownCode`](crate::UnknownCode) error (the store decodes columns with
/// it, so corrupt data is an error rather than a default).
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const CODES: &'static [&'static str] = &[$($code),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text.trim() { $($code => Some($name::$variant),)+ _ => None }
            }

            pub fn label(self, lang: $crate::Lang) -> &'static str {
                match self { $($name::$variant => lang.pick($zh, $en)),+ }
            }

            /// Accepts the code or the label in either language, as rosters write them.
            pub fn parse_loose(text: &str) -> Option<$name> {
                let text = text.trim();
                $name::parse(text).or_else(|| {
                    $name::ALL.iter().copied().find(|v| {
                        v.label($crate::Lang::Zh) == text
                            || v.label($crate::Lang::En).eq_ignore_ascii_case(text)
                    })
                })
            }
        }

        impl $crate::CodeEnum for $name {
            const CODES: &'static [&'static str] = $name::CODES;

            fn parse_loose(text: &str) -> Option<$name> {
                $name::parse_loose(text)
            }
        }

        impl ::core::convert::TryFrom<String> for $name {
            type Error = $crate::UnknownCode;

            fn try_from(code: String) -> ::core::result::Result<$name, $crate::UnknownCode> {
                match code.as_str() {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::UnknownCode::new(stringify!($name), code)),
                }
            }
        }
    };
}

/// What input checking needs of an enum declared with [`code_enum!`]: its codes (for the
/// "must be one of" message) and its loose parser.
pub trait CodeEnum: Sized {
    const CODES: &'static [&'static str];
    fn parse_loose(text: &str) -> Option<Self>;
}

/// A stored code that names no variant of its enum: the data is corrupt (or written by a newer
/// version), never silently read as some default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} code {code:?}")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub code: String,
}

impl UnknownCode {
    pub fn new(kind: &'static str, code: impl Into<String>) -> UnknownCode {
        UnknownCode {
            kind,
            code: code.into(),
        }
    }
}
