//! Roster files as counties keep them: one row per elder under a header row whose column names
//! are Chinese (`姓名`, `身份证号`, …) or our English field names (`name`, `id_number`, …).
//!
//! [`read_roster`] turns a file into [`RosterRow`]s of raw [`ElderInput`] — nothing is judged
//! here beyond what the file format itself loses (an Excel number that dropped the last digits of
//! an identity number, an Excel error value, a yes/no cell that is neither) — or into one
//! file-level [`RosterError`]. Row numbers are the ones a spreadsheet program shows: the header
//! is row 1 when it is the first line.

mod columns;
mod delimited;
mod values;
mod workbook;

pub use columns::Field;

use registry::{ElderInput, FieldError, Lang, Problem};

/// More data rows than this is not a county roster; refuse rather than exhaust memory.
pub const MAX_ROWS: usize = 1_000_000;
/// Cells right of this column are never read.
pub const MAX_COLUMNS: usize = 512;
/// A title row or two above the header is common (`某某县老年人花名册`); look this far for it.
const HEADER_SEARCH_ROWS: usize = 10;

/// A whole roster: its columns as the file names them and its data rows.
#[derive(Debug, Clone)]
pub struct Roster {
    /// The spreadsheet row number of the header.
    pub header_row: usize,
    pub columns: Vec<Column>,
    /// Data rows that hold anything (blank rows are dropped), in file order.
    pub rows: Vec<RosterRow>,
    /// Columns that were ignored, each reported once.
    pub warnings: Vec<Warning>,
}

/// One column of the header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header text as the file wrote it (trimmed).
    pub header: String,
    /// What the column holds; `None` when it is not recognized or repeats an earlier column.
    pub field: Option<Field>,
    /// 0-based position in the row.
    pub index: usize,
}

/// One data row: the raw input and what reading its cells already found wrong.
#[derive(Debug, Clone)]
pub struct RosterRow {
    /// The row number a spreadsheet program shows (1-based; the header is above it).
    pub row: usize,
    pub input: ElderInput,
    /// Cell problems, named by [`ElderInput::validate`]'s field names (`id_number`,
    /// `contacts[0].phone`) so the caller can merge them with validation errors.
    pub problems: Vec<FieldError>,
}

/// Something about the file that is not an error: a column that was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub row: usize,
    /// The header text as written.
    pub column: String,
    pub kind: WarningKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    UnknownColumn,
    /// A second column for a field that an earlier column already fills.
    RepeatedColumn,
}

impl Warning {
    pub fn message(&self, lang: Lang) -> String {
        match (self.kind, lang) {
            (WarningKind::UnknownColumn, Lang::Zh) => "无法识别的列，已忽略".into(),
            (WarningKind::UnknownColumn, Lang::En) => "unknown column, ignored".into(),
            (WarningKind::RepeatedColumn, Lang::Zh) => "与前面的列重复，已忽略".into(),
            (WarningKind::RepeatedColumn, Lang::En) => "repeats an earlier column, ignored".into(),
        }
    }
}

/// Why a whole file cannot be read. Nothing of such a file is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    #[error("the file is empty")]
    Empty,
    #[error("the column {field:?} is missing")]
    MissingColumn { field: Field },
    #[error("not a CSV or Excel file")]
    NotARoster,
    #[error("an .xls (Excel 97-2003) or encrypted workbook")]
    LegacyOrEncryptedWorkbook,
    #[error("the .xlsx file is damaged or incomplete")]
    UnreadableWorkbook,
    #[error("the workbook has no worksheet")]
    NoWorksheet,
    #[error("more than {max} rows")]
    TooManyRows { max: usize },
    #[error("the workbook's cells hold too much text")]
    TooLarge,
    #[error("the workbook unpacks to more than {max_mib} MiB")]
    Unpacks { max_mib: u64 },
}

impl RosterError {
    /// The problem as a field error of the upload's `file` field, in both languages.
    pub fn problem(&self) -> Problem {
        let (zh, en) = match self {
            RosterError::Empty => ("文件为空，没有表头和数据".to_string(), "the file is empty".to_string()),
            RosterError::MissingColumn { field } => (
                format!("缺少“{}”列（表头须在前 {HEADER_SEARCH_ROWS} 行内）", field.header(Lang::Zh)),
                format!(
                    "has no “{}” ({}) column (the header must be within the first {HEADER_SEARCH_ROWS} rows)",
                    field.header(Lang::Zh),
                    field.header(Lang::En)
                ),
            ),
            RosterError::NotARoster => (
                "不是 CSV 或 Excel（.xlsx）文件".into(),
                "is not a CSV or Excel (.xlsx) file".into(),
            ),
            RosterError::LegacyOrEncryptedWorkbook => (
                "无法读取 .xls（Excel 97-2003）或加密的工作簿，请另存为不加密的 .xlsx 或 CSV".into(),
                "is an .xls (Excel 97-2003) or encrypted workbook; save it as an unencrypted .xlsx or CSV".into(),
            ),
            RosterError::UnreadableWorkbook => (
                "Excel 文件（.xlsx）已损坏或不完整".into(),
                "is a damaged or incomplete Excel (.xlsx) file".into(),
            ),
            RosterError::NoWorksheet => (
                "工作簿中没有工作表".into(),
                "has no worksheet".into(),
            ),
            RosterError::TooManyRows { max } => (
                format!("行数超过 {max}，请拆分后分别导入"),
                format!("has more than {max} rows; split it and import the parts"),
            ),
            RosterError::TooLarge => (
                "工作表内容过大".into(),
                "holds too much text".into(),
            ),
            RosterError::Unpacks { max_mib } => (
                format!("Excel 文件解压后超过 {max_mib} MiB（或共享字符串过多），不像是名册；请检查文件，或另存为 CSV 后导入"),
                format!("unpacks to more than {max_mib} MiB (or holds too many shared strings), which no roster does; check the file, or save it as CSV and import that"),
            ),
        };
        Problem::Invalid { zh, en }
    }

    pub fn field_error(&self) -> FieldError {
        FieldError::new("file", self.problem())
    }
}

/// How the bytes are laid out, decided by their first bytes and then the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// `.xlsx` is a zip archive; `.xls` and encrypted workbooks are OLE compound files.
pub fn format_of(file_name: &str, bytes: &[u8]) -> Result<Format, RosterError> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(ZIP) {
        return Ok(Format::Xlsx);
    }
    if bytes.starts_with(OLE) || matches!(extension.as_str(), "xls" | "et") {
        return Err(RosterError::LegacyOrEncryptedWorkbook);
    }
    match extension.as_str() {
        "xlsx" | "xlsm" => Ok(Format::Xlsx),
        _ => Ok(Format::Csv),
    }
}

/// Reads a roster file. The format comes from the content (a zip archive is a workbook) and
/// then the file name; anything else is read as delimited text.
pub fn read_roster(file_name: &str, bytes: &[u8]) -> Result<Roster, RosterError> {
    if bytes.is_empty() {
        return Err(RosterError::Empty);
    }
    let rows = match format_of(file_name, bytes)? {
        Format::Csv => delimited::read(bytes)?,
        Format::Xlsx => workbook::read(bytes)?,
    };
    Roster::from_sheet(rows)
}

/// One row of cells as a spreadsheet program shows it.
#[derive(Debug, Clone)]
pub(crate) struct SheetRow {
    pub number: usize,
    pub cells: Vec<Cell>,
}

/// A cell's text, or why the file no longer holds it.
pub(crate) type Cell = Result<String, CellProblem>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CellProblem {
    /// A number of more than 15 digits: Excel kept only the first 15.
    DigitsLost,
    /// `#N/A`, `#REF!`, …
    ExcelError(String),
}

impl CellProblem {
    pub(crate) fn problem(&self) -> Problem {
        match self {
            CellProblem::DigitsLost => Problem::Invalid {
                zh: "以数字或科学计数法保存，Excel 只保留 15 位有效数字，末尾数字已丢失；请将该列设置为文本格式后重新录入".into(),
                en: "was saved as a number (or in scientific notation) and Excel kept only 15 significant digits; format the column as text and enter it again".into(),
            },
            CellProblem::ExcelError(code) => Problem::Invalid {
                zh: format!("单元格为 Excel 错误值 {code}"),
                en: format!("holds the Excel error value {code}"),
            },
        }
    }
}

fn is_blank(row: &SheetRow) -> bool {
    row.cells
        .iter()
        .all(|c| c.as_ref().is_ok_and(|t| t.trim().is_empty()))
}

impl Roster {
    fn from_sheet(rows: Vec<SheetRow>) -> Result<Roster, RosterError> {
        let rows: Vec<SheetRow> = rows.into_iter().filter(|r| !is_blank(r)).collect();
        if rows.is_empty() {
            return Err(RosterError::Empty);
        }
        // The header is the first of the top rows that names both required columns; when none
        // does, the one that names the most columns says which is missing.
        let candidates: Vec<(usize, Vec<Column>, Vec<Warning>)> = rows
            .iter()
            .take(HEADER_SEARCH_ROWS)
            .enumerate()
            .map(|(i, row)| {
                let (columns, warnings) = columns::map_header(row);
                (i, columns, warnings)
            })
            .collect();
        let has = |columns: &[Column], field: Field| columns.iter().any(|c| c.field == Some(field));
        let found = candidates
            .iter()
            .find(|(_, columns, _)| has(columns, Field::Name) && has(columns, Field::IdNumber));
        let Some((header_index, columns, warnings)) = found.cloned() else {
            let best = candidates
                .iter()
                .max_by_key(|(i, columns, _)| {
                    (
                        columns.iter().filter(|c| c.field.is_some()).count(),
                        usize::MAX - i,
                    )
                })
                .map(|(_, columns, _)| columns.as_slice())
                .unwrap_or_default();
            let field = if has(best, Field::Name) {
                Field::IdNumber
            } else {
                Field::Name
            };
            return Err(RosterError::MissingColumn { field });
        };
        let header_row = rows[header_index].number;
        let data = &rows[header_index + 1..];
        if data.len() > MAX_ROWS {
            return Err(RosterError::TooManyRows { max: MAX_ROWS });
        }
        let rows = data
            .iter()
            .map(|row| {
                let (input, problems) = columns::to_input(&columns, &row.cells);
                RosterRow {
                    row: row.number,
                    input,
                    problems,
                }
            })
            .collect();
        Ok(Roster {
            header_row,
            columns,
            rows,
            warnings,
        })
    }

    /// The header text, as the file wrote it, of the column behind a validation field name
    /// (`name`, `contacts[0].phone`, …); `None` when no column fills that field.
    pub fn column_for(&self, field: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.field.is_some_and(|f| f.input_field() == field))
            .map(|c| c.header.as_str())
    }

    /// [`Roster::column_for`], else the usual header for that field in `lang` (a record's region
    /// or organization may come from defaults rather than a column).
    pub fn column_label(&self, field: &str, lang: Lang) -> String {
        if let Some(header) = self.column_for(field) {
            return header.to_string();
        }
        match Field::from_input_field(field) {
            Some(f) => f.header(lang).to_string(),
            None => field.to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
