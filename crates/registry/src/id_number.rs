//! Resident identity numbers (公民身份号码), GB 11643-1999.
//!
//! 18 characters: a 6-digit address code (the county of first registration, GB/T 2260), an
//! 8-digit birth date (YYYYMMDD), a 3-digit sequence whose last digit is odd for men and even for
//! women, and a check character computed by ISO 7064 MOD 11-2 (GB 11643-1999, 4.3).

use crate::elder::Sex;
use crate::lang::Lang;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdNumberError {
    Length { got: usize },
    Characters,
    Province,
    BirthDate,
    BirthDateInFuture,
    CheckDigit { expected: char },
}

impl IdNumberError {
    pub fn message(&self, lang: Lang) -> String {
        use IdNumberError::*;
        match (self, lang) {
            (Length { got }, Lang::Zh) => format!("身份证号须为 18 位（当前 {got} 位）"),
            (Length { got }, Lang::En) => format!("must have 18 characters (has {got})"),
            (Characters, Lang::Zh) => "身份证号前 17 位须为数字，末位为数字或 X".into(),
            (Characters, Lang::En) => "must be 17 digits followed by a digit or X".into(),
            (Province, Lang::Zh) => "身份证号前两位不是有效的省级行政区划代码".into(),
            (Province, Lang::En) => "does not start with a valid province code".into(),
            (BirthDate, Lang::Zh) => "身份证号中的出生日期不存在".into(),
            (BirthDate, Lang::En) => "contains a birth date that does not exist".into(),
            (BirthDateInFuture, Lang::Zh) => "身份证号中的出生日期晚于今天".into(),
            (BirthDateInFuture, Lang::En) => "contains a birth date in the future".into(),
            (CheckDigit { expected }, Lang::Zh) => {
                format!("身份证号校验位错误（应为 {expected}）")
            }
            (CheckDigit { expected }, Lang::En) => {
                format!("has a wrong check character (expected {expected})")
            }
        }
    }
}

/// A checked identity number. The only way to get one is [`IdNumber::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// ISO 7064 MOD 11-2 check character for the first 17 digits.
pub fn check_character(first17: &str) -> char {
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl IdNumber {
    /// Checks an identity number as typed: surrounding spaces are dropped and a lower-case x is
    /// accepted for the check character. `today` bounds the birth date.
    pub fn parse(text: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let text = text.trim().to_ascii_uppercase();
        let count = text.chars().count();
        if count != 18 {
            return Err(IdNumberError::Length { got: count });
        }
        let bytes = text.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::Characters);
        }
        if !region::RegionCode::is_known_province_prefix(&text[..2]) {
            return Err(IdNumberError::Province);
        }
        let birth = birth_date_of(&text).ok_or(IdNumberError::BirthDate)?;
        if birth > today {
            return Err(IdNumberError::BirthDateInFuture);
        }
        let expected = check_character(&text[..17]);
        if bytes[17] as char != expected {
            return Err(IdNumberError::CheckDigit { expected });
        }
        Ok(IdNumber(text))
    }

    /// Builds a valid number from its parts; used by the demo generator.
    pub fn compose(address_code: &str, birth: NaiveDate, sequence: u16, sex: Sex) -> IdNumber {
        let mut seq = sequence % 1000;
        let odd = seq % 2 == 1;
        if odd != (sex == Sex::Male) {
            seq = if seq == 999 { 998 } else { seq + 1 };
        }
        let first17 = format!("{address_code:0<6.6}{}{seq:03}", birth.format("%Y%m%d"));
        let check = check_character(&first17);
        IdNumber(format!("{first17}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).expect("checked at parse")
    }

    /// GB 11643-1999, 4.2.3: the 17th character is odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The address code: the county where the number was first issued.
    pub fn address_code(&self) -> &str {
        &self.0[..6]
    }

    /// `110101********123X`: the address code and the last four characters stay visible.
    pub fn masked(&self) -> String {
        mask_identity(&self.0)
    }
}

/// Masks any stored identity-number text the same way, whether or not it parses today.
pub fn mask_identity(text: &str) -> String {
    crate::mask_middle(text, 6, 4)
}

fn birth_date_of(text: &str) -> Option<NaiveDate> {
    let year = text.get(6..10)?.parse().ok()?;
    let month = text.get(10..12)?.parse().ok()?;
    let day = text.get(12..14)?.parse().ok()?;
    if year < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn check(input: &str, expected: Result<(&str, Sex), IdNumberError>) {
        let got = IdNumber::parse(input, today())
            .map(|id| (id.birth_date().format("%Y-%m-%d").to_string(), id.sex()));
        let expected = expected.map(|(d, s)| (d.to_string(), s));
        assert_eq!(got, expected, "input {input}");
    }

    #[test]
    fn accepts_numbers_with_a_correct_check_character() {
        // The worked example of GB 11643-1999 (appendix A): 11010519491231002X.
        check("11010519491231002X", Ok(("1949-12-31", Sex::Female)));
        check("11010519491231002x", Ok(("1949-12-31", Sex::Female)));
        check(" 11010519491231002X ", Ok(("1949-12-31", Sex::Female)));
        check("440524188001010014", Err(IdNumberError::BirthDate));
        check("110101195001010017", Ok(("1950-01-01", Sex::Male)));
    }

    #[test]
    fn rejects_each_kind_of_bad_number() {
        check(
            "110105194912310021",
            Err(IdNumberError::CheckDigit { expected: 'X' }),
        );
        check("11010519491231002", Err(IdNumberError::Length { got: 17 }));
        check("", Err(IdNumberError::Length { got: 0 }));
        check("1101051949123100X2", Err(IdNumberError::Characters));
        check("11010519491231002Y", Err(IdNumberError::Characters));
        check("990105194912310028", Err(IdNumberError::Province));
        check("110105194902300028", Err(IdNumberError::BirthDate));
        check("110105203001010028", Err(IdNumberError::BirthDateInFuture));
        check(
            "１１０１０５１９４９１２３１００２X",
            Err(IdNumberError::Characters),
        );
        check(
            "'; DROP TABLE elders;--xx",
            Err(IdNumberError::Length { got: 25 }),
        );
    }

    #[test]
    fn compose_makes_numbers_that_parse_back() {
        let birth = NaiveDate::from_ymd_opt(1940, 2, 29).unwrap();
        for seq in [0, 1, 2, 998, 999] {
            for sex in [Sex::Male, Sex::Female] {
                let id = IdNumber::compose("371402", birth, seq, sex);
                let parsed = IdNumber::parse(id.as_str(), today()).unwrap();
                assert_eq!(parsed.sex(), sex);
                assert_eq!(parsed.birth_date(), birth);
                assert_eq!(parsed.address_code(), "371402");
            }
        }
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask_identity("11010519491231002X"), "110105********002X");
        assert_eq!(mask_identity("123"), "***");
    }
}
