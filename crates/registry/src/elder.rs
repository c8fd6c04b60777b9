//! The elderly record (老年人档案): what it holds and how raw input becomes a valid record.

use crate::field::{self, FieldError, Problem};
use crate::id_number::IdNumber;
use crate::initials::pinyin_initials;
use crate::phone::Phone;
use chrono::{Datelike, NaiveDate};
use region::RegionCode;

code_enum!(Sex {
    Male = "male", "男", "male";
    Female = "female", "女", "female";
});

code_enum!(
    /// Who the elder lives with; empty-nest (空巢) means only with a spouse who is also old.
    LivingSituation {
        Alone = "alone", "独居", "living alone";
        EmptyNest = "empty_nest", "空巢", "empty nest";
        WithFamily = "with_family", "与家人同住", "with family";
        Institution = "institution", "机构养老", "in an institution";
    }
);

code_enum!(
    /// Special categories that decide subsidies and priority. `aged_80_plus` is derived from the
    /// birth date, never entered.
    SpecialCategory {
        Aged80Plus = "aged_80_plus", "80岁以上高龄", "aged 80+";
        Disabled = "disabled", "失能", "disabled";
        SemiDisabled = "semi_disabled", "半失能", "semi-disabled";
        Dibao = "dibao", "低保", "minimum living allowance";
        Tekun = "tekun", "特困（三无/五保）", "extreme poverty (sanwu/wubao)";
        FamilyPlanningSpecial = "family_planning_special", "计生特殊家庭", "family-planning special family";
        PovertyRegistered = "poverty_registered", "建档立卡", "registered poor household";
    }
);

code_enum!(MedicalInsurance {
    UrbanEmployee = "urban_employee", "城镇职工医保", "urban employee insurance";
    UrbanRuralResident = "urban_rural_resident", "城乡居民医保", "urban-rural resident insurance";
    Commercial = "commercial", "商业保险", "commercial insurance";
    Uninsured = "none", "无", "none";
});

code_enum!(ElderStatus {
    Alive = "alive", "在册", "alive";
    Deceased = "deceased", "已故", "deceased";
    MovedAway = "moved_away", "已迁出", "moved away";
});

/// A family contact: who is called when something happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

/// Raw input as it arrives from a form, the API or a roster row. Every field is optional text
/// so that nothing is lost before it is checked; [`ElderInput::validate`] turns it into a
/// [`ValidElder`] or a list of field errors.
#[derive(Debug, Clone, Default)]
pub struct ElderInput {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub region_code: Option<String>,
    pub living_situation: Option<String>,
    pub special_categories: Vec<String>,
    pub medical_insurance: Option<String>,
    pub ltc_insurance: Option<bool>,
    pub chronic_conditions: Vec<String>,
    pub status: Option<String>,
    pub contacts: Vec<(Option<String>, Option<String>, Option<String>)>,
    pub responsible_org_id: Option<String>,
    pub residence_org_id: Option<String>,
}

/// A record that passed every rule of this module. Region and organization existence are
/// checked against storage by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidElder {
    pub name: String,
    pub name_initials: String,
    pub id_number: IdNumber,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub phone: Option<Phone>,
    pub address: Option<String>,
    pub region_code: Option<RegionCode>,
    pub living_situation: Option<LivingSituation>,
    pub special_categories: Vec<SpecialCategory>,
    pub medical_insurance: Option<MedicalInsurance>,
    pub ltc_insurance: bool,
    pub chronic_conditions: Vec<String>,
    pub status: ElderStatus,
    pub contacts: Vec<Contact>,
    pub responsible_org_id: Option<String>,
    pub residence_org_id: Option<String>,
}

pub const NAME_MAX: usize = 50;
pub const ADDRESS_MAX: usize = 200;
pub const RELATION_MAX: usize = 20;
pub const MAX_CONTACTS: usize = 5;
pub const MAX_CONDITIONS: usize = 30;

impl ElderInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidElder, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = field::text(&mut errors, "name", self.name.as_deref(), NAME_MAX, true);
        let id_number = field::required(&mut errors, "id_number", &self.id_number, |t| {
            IdNumber::parse(t, today).map_err(Problem::IdNumber)
        });
        let sex = field::optional(&mut errors, "sex", &self.sex, field::code::<Sex>);
        let birth_date =
            field::optional(
                &mut errors,
                "birth_date",
                &self.birth_date,
                |t| match parse_date(t) {
                    None => Err(Problem::Date),
                    Some(d) if d > today => Err(Problem::DateInFuture),
                    Some(d) => Ok(d),
                },
            );
        if let Some(id) = &id_number {
            if sex.is_some_and(|s| s != id.sex()) {
                errors.push(FieldError::new(
                    "sex",
                    Problem::IdNumberMismatch { what: "性别/sex" },
                ));
            }
            if birth_date.is_some_and(|d| d != id.birth_date()) {
                errors.push(FieldError::new(
                    "birth_date",
                    Problem::IdNumberMismatch {
                        what: "出生日期/birth date",
                    },
                ));
            }
        }
        let phone = field::optional(&mut errors, "phone", &self.phone, field::phone);
        let address = field::text(
            &mut errors,
            "address",
            self.address.as_deref(),
            ADDRESS_MAX,
            false,
        );
        let region_code = field::optional(
            &mut errors,
            "region_code",
            &self.region_code,
            field::region_code,
        );
        let living_situation = field::optional(
            &mut errors,
            "living_situation",
            &self.living_situation,
            field::code::<LivingSituation>,
        );
        let mut special_categories: Vec<SpecialCategory> =
            field::codes(&mut errors, "special_categories", &self.special_categories);
        // Age-derived; whatever the input says, it is recomputed below.
        special_categories.retain(|c| *c != SpecialCategory::Aged80Plus);
        if special_categories.contains(&SpecialCategory::Disabled)
            && special_categories.contains(&SpecialCategory::SemiDisabled)
        {
            errors.push(FieldError::new(
                "special_categories",
                Problem::Invalid {
                    zh: "失能与半失能不能同时选择".into(),
                    en: "cannot be both disabled and semi-disabled".into(),
                },
            ));
        }
        let medical_insurance = field::optional(
            &mut errors,
            "medical_insurance",
            &self.medical_insurance,
            field::code::<MedicalInsurance>,
        );
        let mut chronic_conditions = Vec::new();
        for text in self
            .chronic_conditions
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            match normalize_icd10(text) {
                Some(code) if !chronic_conditions.contains(&code) => chronic_conditions.push(code),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "chronic_conditions",
                    Problem::Icd10 {
                        code: text.chars().take(20).collect(),
                    },
                )),
            }
        }
        if chronic_conditions.len() > MAX_CONDITIONS {
            errors.push(FieldError::new(
                "chronic_conditions",
                Problem::OutOfRange {
                    min: 0,
                    max: MAX_CONDITIONS as i64,
                },
            ));
        }
        let status = field::optional(&mut errors, "status", &self.status, field::code)
            .unwrap_or(ElderStatus::Alive);
        let mut contacts = Vec::new();
        if self.contacts.len() > MAX_CONTACTS {
            errors.push(FieldError::new(
                "contacts",
                Problem::OutOfRange {
                    min: 0,
                    max: MAX_CONTACTS as i64,
                },
            ));
        }
        for (i, (c_name, c_relation, c_phone)) in self.contacts.iter().enumerate() {
            let blank = [c_name, c_relation, c_phone]
                .iter()
                .all(|v| field::non_empty(v).is_none());
            if blank {
                continue;
            }
            let name = field::text(
                &mut errors,
                &format!("contacts[{i}].name"),
                c_name.as_deref(),
                NAME_MAX,
                true,
            );
            let relation = field::text(
                &mut errors,
                &format!("contacts[{i}].relation"),
                c_relation.as_deref(),
                RELATION_MAX,
                false,
            );
            let phone = field::required(
                &mut errors,
                &format!("contacts[{i}].phone"),
                c_phone,
                field::phone,
            );
            if let (Some(name), Some(phone)) = (name, phone) {
                contacts.push(Contact {
                    name,
                    relation: relation.unwrap_or_default(),
                    phone: phone.as_str().to_string(),
                });
            }
        }
        let responsible_org_id = field::non_empty(&self.responsible_org_id).map(str::to_string);
        let residence_org_id = field::non_empty(&self.residence_org_id).map(str::to_string);

        if !errors.is_empty() {
            return Err(errors);
        }
        let id_number = id_number.expect("no errors means the id parsed");
        let name = name.expect("no errors means the name is present");
        let birth_date = id_number.birth_date();
        if age_on(birth_date, today) >= 80 {
            special_categories.insert(0, SpecialCategory::Aged80Plus);
        }
        special_categories.sort();
        Ok(ValidElder {
            name_initials: pinyin_initials(&name),
            name,
            sex: id_number.sex(),
            birth_date,
            id_number,
            phone,
            address,
            region_code,
            living_situation,
            special_categories,
            medical_insurance,
            ltc_insurance: self.ltc_insurance.unwrap_or(false),
            chronic_conditions,
            status,
            contacts,
            responsible_org_id,
            residence_org_id,
        })
    }
}

/// `YYYY-MM-DD` (also `YYYY/MM/DD` and `YYYYMMDD`, as rosters write them); the date must exist.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(text, format) {
            if d.year() >= 1900 {
                return Some(d);
            }
        }
    }
    None
}

/// Age in completed years on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// ICD-10 code shape: a letter, two digits, optionally a dot and up to six more characters (the
/// Chinese clinical edition extends codes like `I10.x00`). Returns the code upper-cased.
pub fn normalize_icd10(text: &str) -> Option<String> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 3 || bytes.len() > 10 {
        return None;
    }
    if !bytes[0].is_ascii_alphabetic() || !bytes[1].is_ascii_digit() || !bytes[2].is_ascii_digit() {
        return None;
    }
    let rest = &text[3..];
    if !rest.is_empty() {
        let tail = rest.strip_prefix('.')?;
        if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
    }
    let mut code = text[..3].to_ascii_uppercase();
    if !rest.is_empty() {
        // The 'x' placeholder of the clinical edition stays lower case (I10.x00).
        code.push_str(rest);
    }
    Some(code)
}

/// Display names for the chronic conditions the platform tracks most (ICD-10 categories).
pub fn condition_name(code: &str, lang: crate::Lang) -> Option<&'static str> {
    let category = code.get(..3)?;
    let (zh, en) = match category {
        "I10" | "I11" | "I12" | "I13" | "I15" => ("高血压", "hypertension"),
        "E10" => ("1型糖尿病", "type 1 diabetes"),
        "E11" | "E14" => ("2型糖尿病", "type 2 diabetes"),
        "I20" | "I21" | "I25" => ("冠心病", "coronary heart disease"),
        "I63" | "I64" | "I69" => ("脑卒中", "stroke"),
        "J44" => ("慢阻肺", "COPD"),
        "N18" => ("慢性肾病", "chronic kidney disease"),
        "F00" | "F01" | "F03" | "G30" => ("认知障碍/痴呆", "dementia"),
        "G20" => ("帕金森病", "Parkinson's disease"),
        "M81" => ("骨质疏松", "osteoporosis"),
        "M17" => ("膝关节病", "knee osteoarthritis"),
        "C34" => ("肺癌", "lung cancer"),
        "I50" => ("心力衰竭", "heart failure"),
        "H25" => ("白内障", "cataract"),
        "F32" => ("抑郁", "depression"),
        _ => return None,
    };
    Some(lang.pick(zh, en))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn input(name: &str, id: &str) -> ElderInput {
        ElderInput {
            name: Some(name.into()),
            id_number: Some(id.into()),
            ..Default::default()
        }
    }

    fn fields(result: Result<ValidElder, Vec<FieldError>>) -> Vec<String> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn name_and_identity_number_are_enough() {
        let elder = input("张三丰", "11010519491231002X")
            .validate(today())
            .unwrap();
        assert_eq!(elder.sex, Sex::Female);
        assert_eq!(
            elder.birth_date,
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(elder.name_initials, "zsf");
        assert_eq!(elder.status, ElderStatus::Alive);
        assert!(
            elder.special_categories.is_empty(),
            "76 years old is not 80+"
        );
    }

    #[test]
    fn eighty_plus_is_derived_from_the_birth_date() {
        let id = IdNumber::compose(
            "371402",
            NaiveDate::from_ymd_opt(1946, 11, 23).unwrap(),
            1,
            Sex::Male,
        );
        let elder = input("王五", id.as_str()).validate(today()).unwrap();
        assert_eq!(elder.special_categories, vec![SpecialCategory::Aged80Plus]);
        let id = IdNumber::compose(
            "371402",
            NaiveDate::from_ymd_opt(1946, 11, 24).unwrap(),
            1,
            Sex::Male,
        );
        let mut raw = input("王五", id.as_str());
        raw.special_categories = vec!["aged_80_plus".into(), "低保".into()];
        let elder = raw.validate(today()).unwrap();
        assert_eq!(elder.special_categories, vec![SpecialCategory::Dibao]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut raw = input("", "110105194912310021");
        raw.sex = Some("male".into());
        raw.birth_date = Some("1949-02-30".into());
        raw.phone = Some("12345".into());
        raw.region_code = Some("abc".into());
        raw.living_situation = Some("moon".into());
        raw.chronic_conditions = vec!["I10".into(), "<script>".into()];
        raw.contacts = vec![(Some("李四".into()), None, Some("999".into()))];
        assert_eq!(
            fields(raw.validate(today())),
            [
                "name",
                "id_number",
                "birth_date",
                "phone",
                "region_code",
                "living_situation",
                "chronic_conditions",
                "contacts[0].phone"
            ]
        );
    }

    #[test]
    fn sex_and_birth_date_must_agree_with_the_identity_number() {
        let mut raw = input("张三", "11010519491231002X");
        raw.sex = Some("male".into());
        raw.birth_date = Some("1949-12-30".into());
        assert_eq!(fields(raw.validate(today())), ["sex", "birth_date"]);
        raw.sex = Some("女".into());
        raw.birth_date = Some("1949/12/31".into());
        assert!(raw.validate(today()).is_ok());
    }

    #[test]
    fn over_long_and_control_text_is_refused() {
        let long = "长".repeat(NAME_MAX + 1);
        assert_eq!(
            fields(input(&long, "11010519491231002X").validate(today())),
            ["name"]
        );
        assert!(input(&"长".repeat(NAME_MAX), "11010519491231002X")
            .validate(today())
            .is_ok());
        assert_eq!(
            fields(input("a\u{0}b", "11010519491231002X").validate(today())),
            ["name"]
        );
    }

    #[test]
    fn icd10_codes() {
        assert_eq!(normalize_icd10("i10").as_deref(), Some("I10"));
        assert_eq!(normalize_icd10("E11.9").as_deref(), Some("E11.9"));
        assert_eq!(normalize_icd10("I10.x00").as_deref(), Some("I10.x00"));
        for bad in ["", "I1", "110", "I10.", "I10x", "I10.<b>", "DROP TABLE"] {
            assert_eq!(normalize_icd10(bad), None, "{bad}");
        }
    }

    #[test]
    fn age_counts_completed_years() {
        let birth = NaiveDate::from_ymd_opt(1946, 11, 24).unwrap();
        assert_eq!(age_on(birth, today()), 79);
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()),
            80
        );
    }
}

/// How a search box entry is read: an identity number (or its start), a phone number, pinyin
/// initials, or the start of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// Digits (and a final X): matches the start of an identity number, or a whole phone number.
    Digits(String),
    /// Latin letters: the start of the name's pinyin initials (`zsf` for 张三丰).
    Initials(String),
    /// Anything else: the start of the name.
    Name(String),
}

impl SearchTerm {
    pub fn classify(q: &str) -> Option<SearchTerm> {
        let q: String = q
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() || c == &' ')
            .take(50)
            .collect();
        let q = q.trim();
        if q.is_empty() {
            return None;
        }
        let upper = q.to_ascii_uppercase();
        let compact: String = upper.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits_then_x = compact.len() >= 3
            && compact
                .bytes()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || (b == b'X' && i == compact.len() - 1));
        if digits_then_x {
            return Some(SearchTerm::Digits(compact));
        }
        if q.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Some(SearchTerm::Initials(q.to_ascii_lowercase()));
        }
        Some(SearchTerm::Name(q.to_string()))
    }
}

#[cfg(test)]
mod search_tests {
    use super::SearchTerm::{self, *};

    #[test]
    fn search_terms_are_classified() {
        let check = |q: &str, expected: Option<SearchTerm>| {
            assert_eq!(SearchTerm::classify(q), expected, "{q}")
        };
        check("", None);
        check("   ", None);
        check("110105", Some(Digits("110105".into())));
        check(
            "11010519491231002x",
            Some(Digits("11010519491231002X".into())),
        );
        check("138-1234-5678", Some(Digits("13812345678".into())));
        check("ZSF", Some(Initials("zsf".into())));
        check("张三", Some(Name("张三".into())));
        check("张'; --", Some(Name("张'; --".into())));
        check("12", Some(Name("12".into())));
    }
}
