//! Pinyin initials of a name, for search as users type it (张三丰 → zsf).

use pinyin::ToPinyin;

/// Lower-case initials: Han characters by their most common reading, Latin letters as they are,
/// everything else dropped.
pub fn pinyin_initials(name: &str) -> String {
    let mut out = String::new();
    for (ch, reading) in name.chars().zip(name.to_pinyin()) {
        match reading {
            Some(p) => out.push_str(p.first_letter()),
            None if ch.is_ascii_alphabetic() => out.push(ch.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_names() {
        assert_eq!(pinyin_initials("张三丰"), "zsf");
        assert_eq!(pinyin_initials("欧阳娜娜"), "oynn");
        assert_eq!(pinyin_initials("阿依古丽·买买提"), "ayglmmt");
        assert_eq!(pinyin_initials("Tom李"), "toml");
        assert_eq!(pinyin_initials(""), "");
    }
}
