//! Which column holds what: the header names counties use, and how a row's cells become one
//! [`ElderInput`].

use super::values;
use super::{Cell, Column, SheetRow, Warning, WarningKind};
use registry::{ElderInput, FieldError, Lang, Problem};

/// What a roster column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    IdNumber,
    Sex,
    BirthDate,
    Phone,
    Address,
    RegionCode,
    LivingSituation,
    SpecialCategories,
    MedicalInsurance,
    LtcInsurance,
    ChronicConditions,
    Status,
    ContactName,
    ContactRelation,
    ContactPhone,
    ResponsibleOrgId,
    ResidenceOrgId,
    /// A column rosters carry that holds nothing of the record (`序号`, `备注`): read silently.
    Ignored,
}

/// Every header we recognize, the first of each list being the usual Chinese one and the last
/// our English field name. Compared after [`header_key`].
const HEADERS: &[(Field, &[&str])] = &[
    (Field::Name, &["姓名", "老人姓名", "name"]),
    (
        Field::IdNumber,
        &[
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "身份证",
            "身份证件号码",
            "证件号码",
            "id_number",
        ],
    ),
    (Field::Sex, &["性别", "gender", "sex"]),
    (
        Field::BirthDate,
        &["出生日期", "出生年月日", "date_of_birth", "birth_date"],
    ),
    (
        Field::Phone,
        &[
            "联系电话",
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "本人电话",
            "mobile",
            "phone",
        ],
    ),
    (
        Field::Address,
        &["住址", "家庭住址", "现住址", "居住地址", "地址", "address"],
    ),
    (
        Field::RegionCode,
        &[
            "区划代码",
            "行政区划代码",
            "所属区划代码",
            "区划编码",
            "region_code",
        ],
    ),
    (
        Field::LivingSituation,
        &["居住情况", "居住状况", "居住方式", "living_situation"],
    ),
    (
        Field::SpecialCategories,
        &[
            "特殊人群",
            "人群类别",
            "特殊人群类别",
            "人员类别",
            "special_categories",
        ],
    ),
    (
        Field::MedicalInsurance,
        &[
            "医保类型",
            "医疗保险",
            "医保",
            "医疗保险类型",
            "medical_insurance",
        ],
    ),
    (
        Field::LtcInsurance,
        &[
            "长护险",
            "长期护理保险",
            "是否参加长护险",
            "是否参加长期护理保险",
            "ltc_insurance",
        ],
    ),
    (
        Field::ChronicConditions,
        &[
            "慢性病",
            "慢病编码",
            "慢性病编码",
            "慢病",
            "chronic_conditions",
        ],
    ),
    (Field::Status, &["状态", "档案状态", "status"]),
    (
        Field::ContactName,
        &[
            "紧急联系人",
            "联系人姓名",
            "紧急联系人姓名",
            "联系人",
            "contact_name",
        ],
    ),
    (
        Field::ContactRelation,
        &[
            "联系人关系",
            "关系",
            "与老人关系",
            "紧急联系人关系",
            "contact_relation",
        ],
    ),
    (
        Field::ContactPhone,
        &[
            "联系人电话",
            "紧急联系人电话",
            "联系人手机",
            "contact_phone",
        ],
    ),
    (
        Field::ResponsibleOrgId,
        &["管理机构ID", "管理机构编号", "responsible_org_id"],
    ),
    (
        Field::ResidenceOrgId,
        &["入住机构ID", "入住机构编号", "residence_org_id"],
    ),
    (Field::Ignored, &["序号", "备注"]),
];

impl Field {
    pub const ALL: [Field; 18] = [
        Field::Name,
        Field::IdNumber,
        Field::Sex,
        Field::BirthDate,
        Field::Phone,
        Field::Address,
        Field::RegionCode,
        Field::LivingSituation,
        Field::SpecialCategories,
        Field::MedicalInsurance,
        Field::LtcInsurance,
        Field::ChronicConditions,
        Field::Status,
        Field::ContactName,
        Field::ContactRelation,
        Field::ContactPhone,
        Field::ResponsibleOrgId,
        Field::ResidenceOrgId,
    ];

    /// The name [`ElderInput::validate`] gives this column's errors.
    pub fn input_field(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::IdNumber => "id_number",
            Field::Sex => "sex",
            Field::BirthDate => "birth_date",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::RegionCode => "region_code",
            Field::LivingSituation => "living_situation",
            Field::SpecialCategories => "special_categories",
            Field::MedicalInsurance => "medical_insurance",
            Field::LtcInsurance => "ltc_insurance",
            Field::ChronicConditions => "chronic_conditions",
            Field::Status => "status",
            Field::ContactName => "contacts[0].name",
            Field::ContactRelation => "contacts[0].relation",
            Field::ContactPhone => "contacts[0].phone",
            Field::ResponsibleOrgId => "responsible_org_id",
            Field::ResidenceOrgId => "residence_org_id",
            Field::Ignored => "",
        }
    }

    pub fn from_input_field(field: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.input_field() == field)
    }

    /// The usual header: Chinese, or our English field name.
    pub fn header(self, lang: Lang) -> &'static str {
        let names = HEADERS
            .iter()
            .find(|(f, _)| *f == self)
            .map(|(_, names)| *names)
            .unwrap_or(&[""]);
        match lang {
            Lang::Zh => names[0],
            Lang::En => names[names.len() - 1],
        }
    }

    /// Recognizes a header as written: spaces, `*` required-marks, full-width forms, case and
    /// `_`/`-` do not matter, and a parenthesized note is dropped (`身份证号（18位）`).
    pub fn from_header(text: &str) -> Option<Field> {
        let key = header_key(text);
        if key.is_empty() {
            return None;
        }
        let find = |key: &str| {
            HEADERS
                .iter()
                .find(|(_, names)| names.iter().any(|n| header_key(n) == key))
                .map(|(f, _)| *f)
        };
        find(&key).or_else(|| {
            let before = key.split('(').next().unwrap_or("");
            (!before.is_empty() && before != key)
                .then(|| find(before))
                .flatten()
        })
    }
}

fn header_key(text: &str) -> String {
    text.chars()
        .map(values::ascii_fold_char)
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '_' | '-' | ':' | '\u{feff}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The columns of a header row, and a warning for each column that will be ignored.
pub(super) fn map_header(row: &SheetRow) -> (Vec<Column>, Vec<Warning>) {
    let mut columns = Vec::new();
    let mut warnings = Vec::new();
    for (index, cell) in row.cells.iter().enumerate() {
        let header = match cell {
            Ok(text) => text.trim().to_string(),
            Err(super::CellProblem::ExcelError(code)) => code.clone(),
            Err(super::CellProblem::DigitsLost) => String::new(),
        };
        if header.is_empty() {
            continue;
        }
        let mut field = Field::from_header(&header);
        let repeated = field.is_some_and(|f| {
            f != Field::Ignored && columns.iter().any(|c: &Column| c.field == Some(f))
        });
        if repeated {
            field = None;
        }
        if field.is_none() {
            warnings.push(Warning {
                row: row.number,
                column: header.clone(),
                kind: if repeated {
                    WarningKind::RepeatedColumn
                } else {
                    WarningKind::UnknownColumn
                },
            });
        }
        columns.push(Column {
            header,
            field,
            index,
        });
    }
    (columns, warnings)
}

/// One data row's cells as raw input, plus what the cells themselves already got wrong.
pub(super) fn to_input(columns: &[Column], cells: &[Cell]) -> (ElderInput, Vec<FieldError>) {
    let mut input = ElderInput::default();
    let mut problems = Vec::new();
    let mut contact: [Option<String>; 3] = [None, None, None];
    for column in columns {
        let Some(field) = column.field else { continue };
        if field == Field::Ignored {
            continue;
        }
        let text = match cells.get(column.index) {
            None => continue,
            Some(Err(problem)) => {
                problems.push(FieldError::new(field.input_field(), problem.problem()));
                continue;
            }
            Some(Ok(text)) => text.trim(),
        };
        if text.is_empty() {
            continue;
        }
        match field {
            Field::Name => input.name = Some(text.to_string()),
            Field::IdNumber => {
                let folded = values::number_text(text);
                if values::is_scientific(&folded) {
                    problems.push(FieldError::new(
                        field.input_field(),
                        super::CellProblem::DigitsLost.problem(),
                    ));
                } else {
                    input.id_number = Some(folded);
                }
            }
            Field::Sex => input.sex = Some(values::sex(text)),
            Field::BirthDate => input.birth_date = Some(values::date(text)),
            Field::Phone => input.phone = Some(values::number_text(text)),
            Field::Address => input.address = Some(text.to_string()),
            Field::RegionCode => input.region_code = Some(values::number_text(text)),
            Field::LivingSituation => input.living_situation = Some(values::living_situation(text)),
            Field::SpecialCategories => {
                input.special_categories =
                    values::list(text).map(values::special_category).collect()
            }
            Field::MedicalInsurance => {
                input.medical_insurance = Some(values::medical_insurance(text))
            }
            Field::LtcInsurance => match values::yes_no(text) {
                Some(flag) => input.ltc_insurance = Some(flag),
                None => problems.push(FieldError::new(
                    field.input_field(),
                    Problem::OneOf {
                        allowed: vec!["是", "否"],
                    },
                )),
            },
            Field::ChronicConditions => {
                input.chronic_conditions = values::list(text)
                    .flat_map(str::split_whitespace)
                    .map(values::ascii_fold)
                    .collect()
            }
            Field::Status => input.status = Some(values::status(text)),
            Field::ContactName => contact[0] = Some(text.to_string()),
            Field::ContactRelation => contact[1] = Some(text.to_string()),
            Field::ContactPhone => contact[2] = Some(values::number_text(text)),
            Field::ResponsibleOrgId => input.responsible_org_id = Some(text.to_string()),
            Field::ResidenceOrgId => input.residence_org_id = Some(text.to_string()),
            Field::Ignored => {}
        }
    }
    if contact.iter().any(Option::is_some) {
        let [name, relation, phone] = contact;
        input.contacts = vec![(name, relation, phone)];
    }
    (input, problems)
}
