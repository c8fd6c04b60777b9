//! Excel workbooks (.xlsx): the first visible worksheet, streamed cell by cell so that a huge
//! or hostile sheet is cut off by our limits rather than held in memory whole.
//!
//! A formula cell gives the value Excel cached when it last saved the file; nothing is ever
//! evaluated here. Numbers become text without `.0` or exponents; date cells become
//! `YYYY-MM-DD`.

use super::{Cell, CellProblem, RosterError, SheetRow, HEADER_SEARCH_ROWS, MAX_COLUMNS, MAX_ROWS};
use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

/// Cell text held at most; far above any county roster, far below the memory we have.
const MAX_TEXT_BYTES: usize = 256 * 1024 * 1024;

/// Excel keeps 15 significant digits; an integer at or above this lost its last ones.
const EXACT_DIGITS_LIMIT: f64 = 1e15;

/// Excel's last day, 9999-12-31, as a serial number.
const LAST_SERIAL_DAY: f64 = 2_958_466.0;

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<SheetRow>, RosterError> {
    // The zip and XML decoders are third-party code fed with untrusted bytes; should one of
    // them panic on a malformed file, that is a damaged file, not a crashed import.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_unpacked_size(bytes)?;
        read_first_sheet(bytes)
    }))
    .unwrap_or(Err(RosterError::UnreadableWorkbook))
}

/// What a workbook may unpack to at most, whatever its size: far above a million-row roster.
const MAX_UNPACKED_BYTES: u64 = 1024 * 1024 * 1024;
/// What any workbook may unpack to, however small.
const MIN_UNPACKED_ALLOWANCE: u64 = 32 * 1024 * 1024;
/// Real workbooks unpack to 5–20 times their size; a zip bomb to thousands.
const MAX_UNPACK_RATIO: u64 = 50;
/// The shared-strings table is read whole into memory by the workbook reader, each string at
/// least a `String` (24 bytes) plus its text: its estimated size may not pass this.
const MAX_SHARED_STRINGS_MEMORY: u64 = 256 * 1024 * 1024;
const SHARED_STRING_OVERHEAD: u64 = 48;
/// Parts a workbook may hold (sheets, styles, relationships…).
const MAX_PARTS: usize = 10_000;

/// Unpacks every part of the archive into nothing, counting, before the workbook reader sees
/// it: the declared sizes in a zip are the sender's word, so only the bytes that actually come
/// out of the decompressor count, and reading stops at the first byte past the allowance. The
/// shared-strings table is also counted in strings, since that is what costs memory.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), RosterError> {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| RosterError::UnreadableWorkbook)?;
    if archive.len() > MAX_PARTS {
        return Err(RosterError::Unpacks {
            max_mib: MAX_UNPACKED_BYTES >> 20,
        });
    }
    let allowance = (bytes.len() as u64)
        .saturating_mul(MAX_UNPACK_RATIO)
        .clamp(MIN_UNPACKED_ALLOWANCE, MAX_UNPACKED_BYTES);
    let too_large = RosterError::Unpacks {
        max_mib: allowance >> 20,
    };
    let mut unpacked = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut part = archive
            .by_index(index)
            .map_err(|_| RosterError::UnreadableWorkbook)?;
        let shared_strings = part.name().eq_ignore_ascii_case("xl/sharedStrings.xml");
        let mut strings = StringCounter::default();
        let mut part_bytes = 0u64;
        loop {
            let n = match part.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => return Err(RosterError::UnreadableWorkbook),
            };
            unpacked += n as u64;
            part_bytes += n as u64;
            if unpacked > allowance {
                return Err(too_large);
            }
            if shared_strings {
                strings.feed(&buffer[..n]);
                if strings.count * SHARED_STRING_OVERHEAD + part_bytes > MAX_SHARED_STRINGS_MEMORY {
                    return Err(too_large);
                }
            }
        }
    }
    Ok(())
}

/// Counts `<si` (one shared string each) across chunk boundaries.
#[derive(Default)]
struct StringCounter {
    count: u64,
    /// How much of `<si` the previous chunk ended with.
    matched: usize,
}

impl StringCounter {
    fn feed(&mut self, chunk: &[u8]) {
        const OPEN: &[u8] = b"<si";
        for &byte in chunk {
            if byte == OPEN[self.matched] {
                self.matched += 1;
                if self.matched == OPEN.len() {
                    self.count += 1;
                    self.matched = 0;
                }
            } else {
                self.matched = usize::from(byte == OPEN[0]);
            }
        }
    }
}

fn read_first_sheet(bytes: &[u8]) -> Result<Vec<SheetRow>, RosterError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|error| match error {
        calamine::XlsxError::Password => RosterError::LegacyOrEncryptedWorkbook,
        _ => RosterError::UnreadableWorkbook,
    })?;
    let worksheets: Vec<&calamine::Sheet> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .collect();
    let name = worksheets
        .iter()
        .find(|s| s.visible == SheetVisible::Visible)
        .or(worksheets.first())
        .map(|s| s.name.clone())
        .ok_or(RosterError::NoWorksheet)?;
    let mut cells = workbook
        .worksheet_cells_reader(&name)
        .map_err(|_| RosterError::UnreadableWorkbook)?;
    let mut rows: BTreeMap<u32, Vec<(usize, Cell)>> = BTreeMap::new();
    let mut text_bytes = 0usize;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|_| RosterError::UnreadableWorkbook)?
    {
        let (row, column) = cell.get_position();
        let column = column as usize;
        if column >= MAX_COLUMNS {
            continue;
        }
        let value = cell_text(cell.get_value());
        if let Ok(text) = &value {
            if text.trim().is_empty() {
                continue;
            }
            text_bytes += text.len();
            if text_bytes > MAX_TEXT_BYTES {
                return Err(RosterError::TooLarge);
            }
        }
        if rows.len() > MAX_ROWS + HEADER_SEARCH_ROWS && !rows.contains_key(&row) {
            return Err(RosterError::TooManyRows { max: MAX_ROWS });
        }
        rows.entry(row).or_default().push((column, value));
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| {
            let width = cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
            let mut dense: Vec<Cell> = vec![Ok(String::new()); width];
            for (column, value) in cells {
                dense[column] = value;
            }
            SheetRow {
                number: row as usize + 1,
                cells: dense,
            }
        })
        .collect())
}

fn cell_text(value: &DataRef<'_>) -> Cell {
    Ok(match value {
        DataRef::Empty => String::new(),
        DataRef::String(text) => text.clone(),
        DataRef::SharedString(text) => text.to_string(),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(n) => return number_text(*n),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(date) if date.is_datetime() => {
            let serial = date.as_f64();
            if !(1.0..LAST_SERIAL_DAY).contains(&serial) {
                return number_text(serial);
            }
            let (year, month, day, ..) = date.to_ymd_hms_milli();
            format!("{year:04}-{month:02}-{day:02}")
        }
        DataRef::DateTime(duration) => return number_text(duration.as_f64()),
        DataRef::DateTimeIso(text) => text.split('T').next().unwrap_or_default().to_string(),
        DataRef::DurationIso(text) => text.clone(),
        DataRef::Error(code) => return Err(CellProblem::ExcelError(code.to_string())),
    })
}

/// Whole numbers as integers (`13812345678`, not `13812345678.0` or `1.38E10`); others in
/// their shortest exact decimal form, never with an exponent.
fn number_text(n: f64) -> Cell {
    if n.is_finite() && n.fract() == 0.0 {
        if n.abs() >= EXACT_DIGITS_LIMIT {
            return Err(CellProblem::DigitsLost);
        }
        return Ok(format!("{n:.0}"));
    }
    Ok(n.to_string())
}
