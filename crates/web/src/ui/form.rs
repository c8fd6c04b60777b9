//! Plain HTML forms: the posted fields, the options of selects and checkboxes, and the errors
//! shown next to each field.

use super::t;
use crate::error::messages;
use app::AppError;
use app::Page;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use registry::{FieldError, Lang, Problem};

/// Everything but the unreserved characters of RFC 3986 is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one query or path component.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// `a=1&b=x%20y` from pairs, leaving out empty values.
pub fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A local path to return to after signing in or switching language; anything else (another
/// host, `//host`, a scheme) becomes `/`.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control()) =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The fields of a posted form, in order; a name may repeat (checkboxes).
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// The posted pairs (read by the kit's CSRF-checked extractors).
    pub fn new(pairs: Vec<(String, String)>) -> FormData {
        FormData(pairs)
    }

    /// The first value of a field, or "".
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The first field whose name or value holds a NUL byte: bad input in any form.
    pub fn field_with_nul(&self) -> Option<String> {
        self.0
            .iter()
            .find(|(name, value)| name.contains('\0') || value.contains('\0'))
            .map(|(name, _)| match name.contains('\0') {
                true => "form".to_string(),
                false => name.clone(),
            })
    }

    /// The value, or None when it is absent or blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.trim().is_empty())
    }

    /// Where to go after the form: its `next` field (a local path only), else `default`.
    pub fn next_or(&self, default: String) -> String {
        match self.opt("next") {
            Some(next) => local_path(Some(&next)),
            None => default,
        }
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A checkbox: present means ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// One option of a `<select>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Opt {
        let value = value.into();
        Opt {
            selected: value == current,
            label: label.into(),
            value,
        }
    }
}

/// The options of a select over a code enum, after a blank one.
pub fn code_options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: &str,
    blank: &str,
) -> Vec<Opt> {
    let mut options = vec![Opt::new("", blank, current)];
    options.extend(all.iter().map(|v| Opt::new(code(*v), label(*v), current)));
    options
}

/// [`code_options`] over a `code_enum!` type, labelled in `lang`; with `default = code`, no
/// blank option and `code` chosen while nothing is.
macro_rules! enum_options {
    ($ty:ident, $lang:expr, $current:expr, default = $default:expr) => {{
        let current: &str = $current;
        let current = if current.is_empty() {
            $default
        } else {
            current
        };
        $ty::ALL
            .iter()
            .map(|v| $crate::ui::form::Opt::new(v.code(), v.label($lang), current))
            .collect()
    }};
    ($ty:ident, $lang:expr, $current:expr, $blank:expr) => {
        $crate::ui::form::code_options($ty::ALL, $ty::code, |v| v.label($lang), $current, $blank)
    };
}
pub(crate) use enum_options;

/// One checkbox of a group.
pub struct Check {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A message shown beside the field it belongs to.
pub struct FieldMsg {
    pub field: String,
    /// The field's name as the user sees it, for the summary at the top of the form.
    pub label: String,
    pub message: String,
    /// A page that explains the problem (the existing record of a duplicate), and its text.
    pub link: Option<String>,
    pub link_text: &'static str,
}

/// The errors of a submitted form. Those whose field the form shows appear beside it; the
/// rest (and errors of no field) appear at the top.
#[derive(Default)]
pub struct FormErrors {
    pub items: Vec<FieldMsg>,
    pub shown_fields: Vec<String>,
}

impl FormErrors {
    /// The errors of a failed use case, in the user's language.
    pub fn from_error(
        error: &AppError,
        lang: Lang,
        shown_fields: Vec<String>,
        label: impl Fn(&str) -> String,
    ) -> FormErrors {
        let items = match error {
            AppError::Invalid(errors) => errors
                .iter()
                .map(|e: &FieldError| FieldMsg {
                    field: e.field.clone(),
                    label: label(&e.field),
                    message: e.problem.message(lang),
                    link: match &e.problem {
                        Problem::Duplicate { existing_id } if !existing_id.is_empty() => {
                            Some(format!("/elders/{existing_id}"))
                        }
                        _ => None,
                    },
                    link_text: t(lang, "查看已有档案"),
                })
                .collect(),
            other => messages(other, lang)
                .into_iter()
                .map(|(field, message)| FieldMsg {
                    label: label(&field),
                    field,
                    message,
                    link: None,
                    link_text: "",
                })
                .collect(),
        };
        FormErrors {
            items,
            shown_fields,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether a field has an error beside it (for `aria-invalid`).
    pub fn invalid(&self, field: &str) -> bool {
        self.items.iter().any(|e| e.field == field)
    }

    /// The errors of one field (shown beside it).
    pub fn of(&self, field: &str) -> Vec<&FieldMsg> {
        self.items.iter().filter(|e| e.field == field).collect()
    }

    /// The errors no field of the form shows.
    pub fn general(&self) -> Vec<&FieldMsg> {
        self.items
            .iter()
            .filter(|e| !self.shown_fields.contains(&e.field))
            .collect()
    }
}

/// One link of a list's page navigation; an empty `href` is a gap (…).
pub struct PageLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// First, previous, a window around the current page, next, last.
pub fn page_links(
    path: &str,
    current: &[(&str, String)],
    page: Page,
    total: i64,
    lang: Lang,
) -> Vec<PageLink> {
    let (page, per_page) = (page.page, page.per_page);
    let last = ((total + per_page - 1) / per_page).max(1);
    if last <= 1 {
        return Vec::new();
    }
    let href = |p: i64| {
        let p = p.to_string();
        let mut pairs: Vec<(&str, &str)> = current.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.push(("page", &p));
        format!("{path}?{}", query(&pairs))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(PageLink {
            label: t(lang, "上一页").into(),
            href: href(page - 1),
            current: false,
        });
    }
    let mut numbers: Vec<i64> = vec![1];
    numbers.extend((page - 2).max(2)..=(page + 2).min(last - 1));
    numbers.push(last);
    numbers.dedup();
    let mut previous = 0;
    for n in numbers {
        if n > previous + 1 {
            links.push(PageLink {
                label: "…".into(),
                href: String::new(),
                current: false,
            });
        }
        links.push(PageLink {
            label: n.to_string(),
            href: href(n),
            current: n == page,
        });
        previous = n;
    }
    if page < last {
        links.push(PageLink {
            label: t(lang, "下一页").into(),
            href: href(page + 1),
            current: false,
        });
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/elders?q=x")), "/elders?q=x");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn page_links_keep_the_filters_and_skip_far_pages() {
        let current = [("q", "wxy".to_string()), ("sex", String::new())];
        let links = page_links(
            "/elders",
            &current,
            Page::new(Some(5), Some(20)),
            400,
            Lang::En,
        );
        let labels: Vec<&str> = links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Previous", "1", "…", "3", "4", "5", "6", "7", "…", "20", "Next"]
        );
        assert_eq!(links[1].href, "/elders?q=wxy&page=1");
        assert!(links[5].current);
        assert!(page_links(
            "/elders",
            &current,
            Page::new(Some(1), Some(20)),
            20,
            Lang::Zh
        )
        .is_empty());
    }

    #[test]
    fn queries_encode_and_skip_blanks() {
        assert_eq!(
            query(&[("q", "王 a&b"), ("page", ""), ("sex", "male")]),
            "q=%E7%8E%8B%20a%26b&sex=male"
        );
    }
}
