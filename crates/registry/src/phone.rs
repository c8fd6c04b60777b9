//! Phone numbers: mainland mobile (11 digits, 1[3-9]…) or landline with its area code.

use crate::lang::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Accepts `13812345678`, `+86 138 1234 5678`, `0534-1234567`, `(0534)12345678`; stores digits
    /// (and one hyphen after a landline's area code).
    pub fn parse(text: &str) -> Option<Phone> {
        let mut digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        if let Some(rest) = digits.strip_prefix("+86") {
            digits = rest.to_string();
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let bytes = digits.as_bytes();
        if bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
            return Some(Phone(digits));
        }
        if bytes.first() == Some(&b'0') && (10..=12).contains(&bytes.len()) {
            let area_len = if matches!(bytes[1], b'1' | b'2') {
                3
            } else {
                4
            };
            return Some(Phone(format!(
                "{}-{}",
                &digits[..area_len],
                &digits[area_len..]
            )));
        }
        None
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// `138****5678`: the first three and last four characters stay visible.
pub fn mask_phone(text: &str) -> String {
    crate::mask_middle(text, 3, 4)
}

pub fn phone_hint(lang: Lang) -> &'static str {
    lang.pick("手机号或带区号固话", "mobile or landline with area code")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mobiles_and_landlines() {
        let ok = |t: &str| Phone::parse(t).map(|p| p.0);
        assert_eq!(ok("13812345678").as_deref(), Some("13812345678"));
        assert_eq!(ok("+86 138 1234 5678").as_deref(), Some("13812345678"));
        assert_eq!(ok("0534-2345678").as_deref(), Some("0534-2345678"));
        assert_eq!(ok("010-12345678").as_deref(), Some("010-12345678"));
        assert_eq!(ok("12812345678"), None);
        assert_eq!(ok("1381234567"), None);
        assert_eq!(ok("<script>"), None);
        assert_eq!(ok(""), None);
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }
}
