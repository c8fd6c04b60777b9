use super::*;
use proptest::prelude::*;

fn read(name: &str, bytes: &[u8]) -> Roster {
    read_roster(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn csv(text: &str) -> Roster {
    read("roster.csv", text.as_bytes())
}

/// (row number, name, id number) of every data row.
fn people(roster: &Roster) -> Vec<(usize, Option<String>, Option<String>)> {
    roster
        .rows
        .iter()
        .map(|r| (r.row, r.input.name.clone(), r.input.id_number.clone()))
        .collect()
}

fn fields(row: &RosterRow) -> Vec<&str> {
    row.problems.iter().map(|p| p.field.as_str()).collect()
}

const ID: &str = "371402194503150228";

/// The fixtures' first elder, read without a problem: identity number, phone, the birth date as
/// the file writes it, and long-term-care insurance.
fn first_row_reads<'r>(roster: &'r Roster, birth_date: &str) -> &'r RosterRow {
    let first = &roster.rows[0];
    assert!(first.problems.is_empty(), "{:?}", first.problems);
    assert_eq!(first.input.id_number.as_deref(), Some(ID));
    assert_eq!(first.input.phone.as_deref(), Some("13812345678"));
    assert_eq!(first.input.birth_date.as_deref(), Some(birth_date));
    assert_eq!(first.input.ltc_insurance, Some(true));
    first
}

#[test]
fn headers_in_chinese_and_english_are_recognized() {
    let check = |header: &str, expected: Option<Field>| {
        assert_eq!(Field::from_header(header), expected, "{header:?}")
    };
    check("姓名", Some(Field::Name));
    check(" *姓名 ", Some(Field::Name));
    check("name", Some(Field::Name));
    check("Name", Some(Field::Name));
    check("身份证号", Some(Field::IdNumber));
    check("身份证号码", Some(Field::IdNumber));
    check("公民身份号码", Some(Field::IdNumber));
    check("身份证号（18位）", Some(Field::IdNumber));
    check("ID Number", Some(Field::IdNumber));
    check("id_number", Some(Field::IdNumber));
    check("性别", Some(Field::Sex));
    check("出生日期", Some(Field::BirthDate));
    check("联系电话", Some(Field::Phone));
    check("电话", Some(Field::Phone));
    check("手机", Some(Field::Phone));
    check("住址", Some(Field::Address));
    check("家庭住址", Some(Field::Address));
    check("现住址", Some(Field::Address));
    check("区划代码", Some(Field::RegionCode));
    check("行政区划代码", Some(Field::RegionCode));
    check("居住情况", Some(Field::LivingSituation));
    check("居住状况", Some(Field::LivingSituation));
    check("特殊人群", Some(Field::SpecialCategories));
    check("人群类别", Some(Field::SpecialCategories));
    check("医保类型", Some(Field::MedicalInsurance));
    check("医疗保险", Some(Field::MedicalInsurance));
    check("长护险", Some(Field::LtcInsurance));
    check("长期护理保险", Some(Field::LtcInsurance));
    check("慢性病", Some(Field::ChronicConditions));
    check("慢病编码", Some(Field::ChronicConditions));
    check("状态", Some(Field::Status));
    check("档案状态", Some(Field::Status));
    check("紧急联系人", Some(Field::ContactName));
    check("联系人姓名", Some(Field::ContactName));
    check("联系人关系", Some(Field::ContactRelation));
    check("关系", Some(Field::ContactRelation));
    check("联系人电话", Some(Field::ContactPhone));
    check("管理机构ID", Some(Field::ResponsibleOrgId));
    check("管理机构ｉｄ", Some(Field::ResponsibleOrgId));
    check("responsible_org_id", Some(Field::ResponsibleOrgId));
    check("序号", Some(Field::Ignored));
    check("爱好", None);
    check("", None);
    check("(", None);
    for field in Field::ALL {
        assert_eq!(Field::from_header(field.header(Lang::Zh)), Some(field));
        assert_eq!(Field::from_header(field.header(Lang::En)), Some(field));
        assert_eq!(Field::from_input_field(field.input_field()), Some(field));
    }
}

#[test]
fn a_plain_csv_becomes_rows_of_input() {
    let roster = csv(&format!(
        "姓名,身份证号,性别,出生日期,联系电话,住址,区划代码,居住情况,特殊人群,医保类型,长护险,慢性病,状态,紧急联系人,联系人关系,联系人电话,管理机构ID\n\
         王秀英,{ID},女,1945年3月15日,138 1234 5678,新华街道1号,371402001,独居,\"低保、半失能\",职工医保,是,\"I10, e11.9；I25\",正常,李强,儿子,13900001111,org-1\n"
    ));
    assert_eq!(roster.header_row, 1);
    assert!(roster.warnings.is_empty());
    let row = &roster.rows[0];
    assert_eq!(row.row, 2);
    assert!(row.problems.is_empty(), "{:?}", row.problems);
    let input = &row.input;
    assert_eq!(input.name.as_deref(), Some("王秀英"));
    assert_eq!(input.id_number.as_deref(), Some(ID));
    assert_eq!(input.sex.as_deref(), Some("女"));
    assert_eq!(input.birth_date.as_deref(), Some("1945-03-15"));
    assert_eq!(input.phone.as_deref(), Some("13812345678"));
    assert_eq!(input.address.as_deref(), Some("新华街道1号"));
    assert_eq!(input.region_code.as_deref(), Some("371402001"));
    assert_eq!(input.living_situation.as_deref(), Some("独居"));
    assert_eq!(input.special_categories, ["低保", "半失能"]);
    assert_eq!(input.medical_insurance.as_deref(), Some("urban_employee"));
    assert_eq!(input.ltc_insurance, Some(true));
    assert_eq!(input.chronic_conditions, ["I10", "e11.9", "I25"]);
    assert_eq!(input.status.as_deref(), Some("alive"));
    assert_eq!(
        input.contacts,
        [(
            Some("李强".to_string()),
            Some("儿子".to_string()),
            Some("13900001111".to_string())
        )]
    );
    assert_eq!(input.responsible_org_id.as_deref(), Some("org-1"));
    // The registry accepts what the reader produced.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let valid = input.validate(today).expect("valid");
    assert_eq!(valid.chronic_conditions, ["I10", "E11.9", "I25"]);
}

#[test]
fn english_field_names_work_as_headers() {
    let roster = csv(&format!(
        "name,id_number,phone,ltc_insurance\nWang,{ID},13812345678,no\n"
    ));
    let input = &roster.rows[0].input;
    assert_eq!(input.name.as_deref(), Some("Wang"));
    assert_eq!(input.ltc_insurance, Some(false));
    assert_eq!(roster.column_for("phone"), Some("phone"));
}

#[test]
fn separators_and_encodings_are_detected() {
    let text = format!("姓名;身份证号;住址\n张三;{ID};\"幸福路 1 号; 2 单元\"\n");
    let expected = vec![(2, Some("张三".to_string()), Some(ID.to_string()))];
    let check = |bytes: Vec<u8>, what: &str| {
        let roster = read("r.csv", &bytes);
        assert_eq!(people(&roster), expected, "{what}");
        assert_eq!(
            roster.rows[0].input.address.as_deref(),
            Some("幸福路 1 号; 2 单元"),
            "{what}"
        );
    };
    check(text.clone().into_bytes(), "UTF-8");
    check(
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        "UTF-8 with BOM",
    );
    check(
        text.replace(';', "\t").replace("\t 2", "; 2").into_bytes(),
        "tabs",
    );
    let (gbk, _, lossy) = encoding_rs::GB18030.encode(&text);
    assert!(!lossy);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    check(gbk.into_owned(), "GB18030");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    check(gbk.into_owned(), "GBK");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    check(utf16, "UTF-16LE with BOM");
}

#[test]
fn row_numbers_are_those_a_spreadsheet_shows() {
    // Title row, header on row 2, a blank line, a quoted line break, a row of empty cells.
    let roster = csv(&format!(
        "某某县老年人花名册,,\n姓名,身份证号,住址\n甲,{ID},\"一号楼\n二单元\"\n\n乙,{ID},\n,,\n丙,{ID},\n"
    ));
    assert_eq!(roster.header_row, 2);
    let rows: Vec<(usize, String)> = roster
        .rows
        .iter()
        .map(|r| (r.row, r.input.name.clone().unwrap()))
        .collect();
    assert_eq!(rows, [(3, "甲".into()), (5, "乙".into()), (7, "丙".into())]);
    // Windows line ends, and a last line without one after a blank line.
    let roster = csv(&format!("姓名,身份证号\r\n甲,{ID}\r\n\r\n乙,{ID}"));
    let rows: Vec<usize> = roster.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, [2, 4]);
}

#[test]
fn a_missing_required_column_is_a_file_error_naming_it() {
    let check = |text: &str, field: Field| {
        assert_eq!(
            read_roster("r.csv", text.as_bytes()).unwrap_err(),
            RosterError::MissingColumn { field },
            "{text:?}"
        )
    };
    check("姓名,电话\n张三,13812345678\n", Field::IdNumber);
    check("身份证号,电话\n110,1\n", Field::Name);
    check("a,b,c\n1,2,3\n", Field::Name);
    assert_eq!(
        read_roster("r.csv", b"\0garbage").unwrap_err(),
        RosterError::NotARoster
    );
    let message = RosterError::MissingColumn {
        field: Field::IdNumber,
    }
    .problem()
    .message(Lang::Zh);
    assert!(message.contains("身份证号"), "{message}");
}

#[test]
fn unknown_and_repeated_columns_are_warnings_reported_once() {
    let roster = csv(&format!(
        "序号,姓名,身份证号,爱好,姓名\n1,甲,{ID},下棋,乙\n2,丙,{ID},,\n"
    ));
    let warnings: Vec<(usize, &str, WarningKind)> = roster
        .warnings
        .iter()
        .map(|w| (w.row, w.column.as_str(), w.kind))
        .collect();
    assert_eq!(
        warnings,
        [
            (1, "爱好", WarningKind::UnknownColumn),
            (1, "姓名", WarningKind::RepeatedColumn)
        ]
    );
    assert_eq!(roster.rows[0].input.name.as_deref(), Some("甲"));
    assert_eq!(
        roster.warnings[0].message(Lang::En),
        "unknown column, ignored"
    );
}

#[test]
fn empty_and_header_only_files() {
    for empty in ["", "   \n\n", "\u{feff}", ",,,\n,,\n"] {
        assert_eq!(
            read_roster("r.csv", empty.as_bytes()).unwrap_err(),
            RosterError::Empty,
            "{empty:?}"
        );
    }
    assert_eq!(read_roster("r.xlsx", b"").unwrap_err(), RosterError::Empty);
    let roster = csv("姓名,身份证号\n");
    assert!(roster.rows.is_empty());
    let roster = csv("\u{feff}姓名,身份证号\r\n\r\n");
    assert!(roster.rows.is_empty());
}

#[test]
fn cells_as_counties_write_them() {
    let roster = csv(
        "姓名,身份证号,联系电话,出生日期,长护险,特殊人群,医保类型,状态,居住情况,性别\n\
         甲,'３７１４０２１９４５０３１５０２２８,'13812345678,1945/03/15 0:00,√,五保、高龄,新农合,已去世,与子女同住,女性\n\
         乙,3.71402E+17,,1945.3.15,也许,,,,,\n",
    );
    let first = first_row_reads(&roster, "1945/03/15");
    assert_eq!(first.input.special_categories, ["tekun", "aged_80_plus"]);
    assert_eq!(
        first.input.medical_insurance.as_deref(),
        Some("urban_rural_resident")
    );
    assert_eq!(first.input.status.as_deref(), Some("deceased"));
    assert_eq!(first.input.living_situation.as_deref(), Some("with_family"));
    assert_eq!(first.input.sex.as_deref(), Some("female"));
    let second = &roster.rows[1];
    assert_eq!(fields(second), ["id_number", "ltc_insurance"]);
    assert_eq!(second.input.id_number, None);
    assert!(second.problems[0]
        .problem
        .message(Lang::Zh)
        .contains("文本格式"));
}

#[test]
fn formula_looking_cells_stay_text() {
    let formula = "=cmd|' /C calc'!A0";
    let roster = csv(&format!(
        "姓名,身份证号,住址\n\"{formula}\",{ID},@SUM(1+1)\n+1,{ID},-2+3\n"
    ));
    assert_eq!(roster.rows[0].input.name.as_deref(), Some(formula));
    assert_eq!(roster.rows[0].input.address.as_deref(), Some("@SUM(1+1)"));
    assert_eq!(roster.rows[1].input.name.as_deref(), Some("+1"));
    assert_eq!(roster.rows[1].input.address.as_deref(), Some("-2+3"));
}

#[test]
fn unbalanced_quotes_and_huge_fields_do_not_break_the_reader() {
    let roster = csv(&format!("姓名,身份证号\n甲,{ID}\n\"乙,{ID}\n丙,{ID}\n"));
    // The open quote swallows the rest of the file into one cell of row 3.
    assert_eq!(roster.rows.len(), 2);
    assert_eq!(roster.rows[1].row, 3);
    assert!(roster.rows[1].input.name.as_deref().unwrap().contains('丙'));

    let huge = "长".repeat(2_000_000);
    let roster = csv(&format!("姓名,身份证号\n{huge},{ID}\n"));
    assert_eq!(
        roster.rows[0].input.name.as_ref().map(String::len),
        Some(huge.len())
    );
    let errors = roster.rows[0]
        .input
        .validate(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
        .unwrap_err();
    assert_eq!(errors[0].field, "name");
}

#[test]
fn formats_are_decided_by_content_then_name() {
    let check = |name: &str, bytes: &[u8], expected: Result<Format, RosterError>| {
        assert_eq!(format_of(name, bytes), expected, "{name}")
    };
    check("r.csv", b"PK\x03\x04", Ok(Format::Xlsx));
    check("r.xlsx", b"a,b", Ok(Format::Xlsx));
    check("r.XLSX", b"a,b", Ok(Format::Xlsx));
    check("r.txt", b"a,b", Ok(Format::Csv));
    check("", b"a,b", Ok(Format::Csv));
    check("r.xls", b"a,b", Err(RosterError::LegacyOrEncryptedWorkbook));
    check(
        "r.xlsx",
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0],
        Err(RosterError::LegacyOrEncryptedWorkbook),
    );
    assert_eq!(
        read_roster("r.xlsx", b"PK\x03\x04 not really a zip").unwrap_err(),
        RosterError::UnreadableWorkbook
    );
    assert_eq!(
        read_roster("r.xlsx", b"name,id_number\n").unwrap_err(),
        RosterError::UnreadableWorkbook
    );
}

/// A minimal .xlsx writer for the tests: inline strings, numbers, dates, booleans, errors and
/// formulas in as many sheets as needed.
mod xlsx {
    use std::io::Write;

    pub enum C<'a> {
        S(&'a str),
        N(&'a str),
        /// A date-formatted serial number.
        D(f64),
        B(bool),
        E(&'a str),
        /// A formula and its cached value (none when never calculated).
        F(&'a str, Option<&'a str>),
        Blank,
    }

    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    pub fn sheet(rows: &[Vec<C>]) -> String {
        let mut xml = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (r, row) in rows.iter().enumerate() {
            xml.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
                xml.push_str(&match cell {
                    C::S(t) => format!(
                        r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#,
                        escape(t)
                    ),
                    C::N(n) => format!(r#"<c r="{at}"><v>{n}</v></c>"#),
                    C::D(serial) => format!(r#"<c r="{at}" s="1"><v>{serial}</v></c>"#),
                    C::B(b) => format!(r#"<c r="{at}" t="b"><v>{}</v></c>"#, u8::from(*b)),
                    C::E(e) => format!(r#"<c r="{at}" t="e"><v>{}</v></c>"#, escape(e)),
                    C::F(f, Some(v)) => format!(
                        r#"<c r="{at}" t="str"><f>{}</f><v>{}</v></c>"#,
                        escape(f),
                        escape(v)
                    ),
                    C::F(f, None) => format!(r#"<c r="{at}"><f>{}</f></c>"#, escape(f)),
                    C::Blank => String::new(),
                });
            }
            xml.push_str("</row>");
        }
        xml.push_str("</sheetData></worksheet>");
        xml
    }

    /// A workbook of `(name, hidden, sheet xml)` sheets.
    pub fn book(sheets: &[(&str, bool, String)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut put = |name: &str, text: &str| {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        };
        let overrides: String = (1..=sheets.len())
            .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
            .collect();
        put(
            "[Content_Types].xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>"#
            ),
        );
        put(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        );
        let entries: String = sheets
            .iter()
            .enumerate()
            .map(|(i, (name, hidden, _))| {
                let state = if *hidden { r#" state="hidden""# } else { "" };
                format!(
                    r#"<sheet name="{}" sheetId="{}"{state} r:id="rId{}"/>"#,
                    escape(name),
                    i + 1,
                    i + 1
                )
            })
            .collect();
        put(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{entries}</sheets></workbook>"#
            ),
        );
        let rels: String = (1..=sheets.len())
            .map(|i| format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
            .collect();
        put(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#
            ),
        );
        // Style 1 is the built-in date format 14.
        put(
            "xl/styles.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#,
        );
        for (i, (_, _, xml)) in sheets.iter().enumerate() {
            put(&format!("xl/worksheets/sheet{}.xml", i + 1), xml);
        }
        zip.finish().unwrap().into_inner()
    }
}

use xlsx::C::*;

fn small_book() -> Vec<u8> {
    let hidden = xlsx::sheet(&[vec![S("说明")]]);
    let roster = xlsx::sheet(&[
        vec![
            S("姓名"),
            S("身份证号"),
            S("联系电话"),
            S("出生日期"),
            S("长护险"),
            S("住址"),
            S("区划代码"),
        ],
        vec![
            S("王秀英"),
            S(ID),
            N("13812345678"),
            D(16511.0),
            B(true),
            F("=cmd|' /C calc'!A0", Some("缓存值")),
            N("371402001"),
        ],
        vec![
            S("=cmd|' /C calc'!A0"),
            N("371402194503150000"),
            N("1.3812345678E10"),
            D(16511.5),
            B(false),
            F("1+1", None),
            E("#N/A"),
        ],
        vec![Blank, Blank],
        vec![
            S("李四"),
            S(ID),
            N("2.5"),
            N("19450315"),
            N("1"),
            S(""),
            S(""),
        ],
    ]);
    xlsx::book(&[("说明", true, hidden), ("花名册", false, roster)])
}

#[test]
fn an_xlsx_is_read_from_its_first_visible_worksheet() {
    let roster = read("roster.xlsx", &small_book());
    let rows: Vec<(usize, &str)> = roster
        .rows
        .iter()
        .map(|r| (r.row, r.input.name.as_deref().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [(2, "王秀英"), (3, "=cmd|' /C calc'!A0"), (5, "李四")]
    );
    let first = first_row_reads(&roster, "1945-03-15");
    assert_eq!(
        first.input.address.as_deref(),
        Some("缓存值"),
        "a formula gives its cached value, never an evaluation"
    );
    assert_eq!(first.input.region_code.as_deref(), Some("371402001"));

    let second = &roster.rows[1];
    assert_eq!(
        fields(second),
        ["id_number", "region_code"],
        "an 18-digit number lost its last digits; #N/A is an error value"
    );
    assert_eq!(second.input.phone.as_deref(), Some("13812345678"));
    assert_eq!(second.input.birth_date.as_deref(), Some("1945-03-15"));
    assert_eq!(second.input.ltc_insurance, Some(false));
    assert_eq!(
        second.input.address, None,
        "an uncalculated formula is empty"
    );
    assert!(second.problems[1]
        .problem
        .message(Lang::En)
        .contains("#N/A"));

    let third = &roster.rows[2];
    assert_eq!(third.input.phone.as_deref(), Some("2.5"));
    assert_eq!(third.input.birth_date.as_deref(), Some("19450315"));
    assert_eq!(third.input.ltc_insurance, Some(true));
}

#[test]
fn an_xlsx_written_by_openpyxl_is_read() {
    let bytes = include_bytes!("../../tests/fixtures/roster.xlsx");
    let roster = read("花名册.xlsx", bytes);
    assert_eq!(roster.header_row, 2, "below the title row");
    let warnings: Vec<&str> = roster.warnings.iter().map(|w| w.column.as_str()).collect();
    assert_eq!(warnings, ["爱好"]);
    assert_eq!(roster.rows.len(), 3);
    let first = first_row_reads(&roster, "1945-03-15");
    assert_eq!(first.row, 3);
    assert_eq!(first.input.chronic_conditions, ["I10", "E11.9"]);
    assert_eq!(first.input.special_categories, ["低保", "半失能"]);
    let second = &roster.rows[1];
    assert_eq!(fields(second), ["id_number"]);
    assert_eq!(second.input.phone.as_deref(), Some("5341234567"));
    let third = &roster.rows[2];
    assert_eq!(third.input.name.as_deref(), Some("=cmd|' /C calc'!A0"));
    assert_eq!(third.input.phone, None, "an uncalculated formula is empty");
}

#[test]
fn a_truncated_xlsx_is_a_file_error_at_every_length() {
    let book = small_book();
    for length in 0..book.len() {
        match read_roster("roster.xlsx", &book[..length]) {
            Err(RosterError::UnreadableWorkbook | RosterError::Empty) => {}
            other => panic!("{length} bytes: {other:?}"),
        }
    }
}

#[test]
fn column_labels_fall_back_to_the_usual_header() {
    let roster = csv(&format!("*姓名 ,身份证号码,联系人电话\n甲,{ID},1\n"));
    assert_eq!(roster.column_for("name"), Some("*姓名"));
    assert_eq!(roster.column_label("id_number", Lang::En), "身份证号码");
    assert_eq!(
        roster.column_label("contacts[0].phone", Lang::Zh),
        "联系人电话"
    );
    assert_eq!(roster.column_label("region_code", Lang::Zh), "区划代码");
    assert_eq!(roster.column_label("region_code", Lang::En), "region_code");
    assert_eq!(roster.column_label("somewhere", Lang::En), "somewhere");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_are_read_or_refused_without_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        name in prop_oneof![Just("r.csv"), Just("r.xlsx"), Just("r"), Just("r.xls")],
    ) {
        let _ = read_roster(name, &bytes);
        let _ = read_roster(name, &[b"PK\x03\x04".as_slice(), &bytes].concat());
    }

    #[test]
    fn any_text_under_a_header_keeps_row_numbers_increasing(
        body in "[a-z0-9,;\t\"\r\n 、，姓名身份证号\u{0}-\u{7f}]{0,400}",
        header in prop_oneof![Just("姓名,身份证号\n"), Just("姓名\t身份证号\n"), Just("x\n姓名;身份证号\n")],
    ) {
        if let Ok(roster) = read_roster("r.csv", format!("{header}{body}").as_bytes()) {
            let mut last = roster.header_row;
            for row in &roster.rows {
                prop_assert!(row.row > last);
                last = row.row;
            }
        }
    }

    #[test]
    fn a_damaged_xlsx_is_read_or_refused_without_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut book = small_book();
        for (at, byte) in flips {
            let i = at.index(book.len());
            book[i] = byte;
        }
        let _ = read_roster("roster.xlsx", &book);
    }
}
