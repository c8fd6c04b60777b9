//! Cell values as rosters write them, brought to what [`registry::ElderInput`] reads: full-width
//! digits, apostrophe-prefixed numbers, `1949年12月31日`, and the everyday words counties use
//! for codes (`五保` for 特困, `职工医保`, `正常`). Unknown words pass through unchanged so that
//! validation names them.

/// Full-width ASCII forms (`１２３`, `（`, `Ｘ`) and the ideographic space to ASCII.
pub(crate) fn ascii_fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

pub(crate) fn ascii_fold(text: &str) -> String {
    text.chars().map(ascii_fold_char).collect()
}

/// An identity, phone or code cell: folded, without spaces, without the leading apostrophe that
/// makes a spreadsheet keep digits as text.
pub(crate) fn number_text(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(ascii_fold_char)
        .filter(|c| !c.is_whitespace())
        .collect();
    folded
        .strip_prefix('\'')
        .map(str::to_string)
        .unwrap_or(folded)
}

/// `1.10105E+17`: what a spreadsheet saved for a long number it had already rounded.
pub(crate) fn is_scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && !exponent.is_empty()
        && [whole, fraction, exponent]
            .iter()
            .all(|part| part.bytes().all(|b| b.is_ascii_digit()))
}

/// `1949年12月31日` → `1949-12-31`; a time after the date (`1949/12/31 0:00`) is dropped.
pub(crate) fn date(text: &str) -> String {
    let folded = ascii_fold(text);
    let first = folded.split_whitespace().next().unwrap_or("");
    if let Some((year, rest)) = first.split_once('年') {
        if let Some((month, rest)) = rest.split_once('月') {
            let day = rest.strip_suffix('日').unwrap_or(rest);
            if let (Ok(month), Ok(day)) = (month.parse::<u8>(), day.parse::<u8>()) {
                return format!("{year}-{month:02}-{day:02}");
            }
            return format!("{year}-{month}-{day}");
        }
    }
    first.to_string()
}

/// Splits a cell holding several values: `低保、失能`, `I10,E11`, `I10；E11`.
pub(crate) fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(['、', ',', ';', '，', '；', '|', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// `是`/`否` and their everyday forms; `None` for anything else.
pub(crate) fn yes_no(text: &str) -> Option<bool> {
    let text = ascii_fold(text).trim().to_lowercase();
    match text.as_str() {
        "是" | "有" | "已参保" | "参保" | "参加" | "已参加" | "yes" | "y" | "true" | "1" | "√" => {
            Some(true)
        }
        "否" | "无" | "未参保" | "不参保" | "未参加" | "no" | "n" | "false" | "0" | "×" => {
            Some(false)
        }
        _ => None,
    }
}

fn synonym(text: &str, table: &[(&[&str], &str)]) -> String {
    let text = text.trim();
    table
        .iter()
        .find(|(words, _)| words.contains(&text))
        .map(|(_, code)| code.to_string())
        .unwrap_or_else(|| text.to_string())
}

pub(crate) fn sex(text: &str) -> String {
    synonym(text, &[(&["男性"], "male"), (&["女性"], "female")])
}

pub(crate) fn living_situation(text: &str) -> String {
    synonym(
        text,
        &[
            (&["独居老人", "一人居住"], "alone"),
            (&["空巢老人"], "empty_nest"),
            (&["与子女同住", "与家人居住", "与子女居住"], "with_family"),
            (&["入住机构", "养老机构", "机构"], "institution"),
        ],
    )
}

pub(crate) fn medical_insurance(text: &str) -> String {
    synonym(
        text,
        &[
            (
                &[
                    "职工医保",
                    "城镇职工",
                    "城镇职工医疗保险",
                    "城镇职工基本医疗保险",
                ],
                "urban_employee",
            ),
            (
                &[
                    "居民医保",
                    "城乡居民",
                    "城乡居民医疗保险",
                    "城乡居民基本医疗保险",
                    "新农合",
                    "新型农村合作医疗",
                ],
                "urban_rural_resident",
            ),
            (&["商业", "商业医疗保险"], "commercial"),
            (&["未参保", "没有"], "none"),
        ],
    )
}

pub(crate) fn status(text: &str) -> String {
    synonym(
        text,
        &[
            (&["正常", "在世", "健在", "存活"], "alive"),
            (&["死亡", "已死亡", "去世", "已去世"], "deceased"),
            (&["迁出", "外迁", "已外迁"], "moved_away"),
        ],
    )
}

pub(crate) fn special_category(text: &str) -> String {
    synonym(
        text,
        &[
            (&["高龄", "80岁以上", "八十岁以上"], "aged_80_plus"),
            (&["失能老人", "完全失能"], "disabled"),
            (&["半失能老人", "部分失能"], "semi_disabled"),
            (&["低保户", "低保对象"], "dibao"),
            (
                &["特困", "特困人员", "特困供养", "三无", "五保", "五保户"],
                "tekun",
            ),
            (
                &["计生特扶", "计生特殊家庭", "失独"],
                "family_planning_special",
            ),
            (&["建档立卡户", "建档立卡贫困户"], "poverty_registered"),
        ],
    )
}
