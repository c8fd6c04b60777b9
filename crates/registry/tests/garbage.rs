//! Every parser of outside input survives garbage without panicking, and what it accepts
//! satisfies the rule it stands for.

use chrono::NaiveDate;
use proptest::prelude::*;
use registry::elder::{normalize_icd10, parse_date, SearchTerm};
use registry::id_number::check_character;
use registry::{ElderInput, IdNumber, Phone, Sex};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn identity_parser_never_panics_and_accepts_only_valid_numbers(text in ".{0,40}") {
        if let Ok(id) = IdNumber::parse(&text, today()) {
            let s = id.as_str();
            prop_assert_eq!(s.len(), 18);
            prop_assert_eq!(s.chars().last().unwrap(), check_character(&s[..17]));
            prop_assert!(id.birth_date() <= today());
        }
    }

    #[test]
    fn digit_strings_parse_exactly_when_the_check_character_fits(digits in "[1-6][0-9]{16}", last in "[0-9X]") {
        let text = format!("{digits}{last}");
        let result = IdNumber::parse(&text, today());
        let birth_ok = NaiveDate::parse_from_str(&digits[6..14], "%Y%m%d").map(|d| d.format("%Y").to_string() >= "1900".into() && d <= today()).unwrap_or(false);
        let province_ok = region::RegionCode::is_known_province_prefix(&digits[..2]);
        let check_ok = check_character(&digits) == last.chars().next().unwrap();
        prop_assert_eq!(result.is_ok(), birth_ok && province_ok && check_ok, "{}", text);
    }

    #[test]
    fn composed_numbers_always_parse(days in 0i64..16000, seq in 0u16..1000, male in any::<bool>()) {
        let birth = NaiveDate::from_ymd_opt(1921, 1, 1).unwrap() + chrono::Duration::days(days);
        let sex = if male { Sex::Male } else { Sex::Female };
        let id = IdNumber::compose("371402", birth, seq, sex);
        let parsed = IdNumber::parse(id.as_str(), today()).unwrap();
        prop_assert_eq!((parsed.birth_date(), parsed.sex()), (birth, sex));
    }

    #[test]
    fn other_parsers_never_panic(text in "\\PC{0,60}") {
        let _ = Phone::parse(&text);
        let _ = parse_date(&text);
        let _ = normalize_icd10(&text);
        let _ = SearchTerm::classify(&text);
        let _ = registry::initials::pinyin_initials(&text);
        let _ = region::RegionCode::parse(&text);
    }

    #[test]
    fn validation_of_arbitrary_records_never_panics(
        name in "\\PC{0,60}", id in ".{0,20}", phone in ".{0,15}", date in ".{0,12}",
        region in ".{0,13}", conditions in proptest::collection::vec(".{0,8}", 0..4),
        categories in proptest::collection::vec(".{0,8}", 0..3),
    ) {
        let input = ElderInput {
            name: Some(name),
            id_number: Some(id),
            phone: Some(phone),
            birth_date: Some(date),
            region_code: Some(region),
            chronic_conditions: conditions,
            special_categories: categories,
            contacts: vec![(Some("张".into()), None, Some("x".into()))],
            ..Default::default()
        };
        // Contacts with a bad phone always fail: validation must say so, not panic.
        prop_assert!(input.validate(today()).is_err());
    }
}
