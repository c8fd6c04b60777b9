//! Delimited text: CSV as Excel, WPS and county systems save it — UTF-8 with or without a BOM,
//! UTF-16 with a BOM ("Unicode text"), or GB18030/GBK (what Chinese Excel writes for "CSV"),
//! separated by commas, tabs or semicolons.

use super::{RosterError, SheetRow, HEADER_SEARCH_ROWS, MAX_COLUMNS, MAX_ROWS};
use std::borrow::Cow;

/// The text of the file: a byte-order mark decides; else UTF-8 if the bytes are valid UTF-8;
/// else GB18030 (a superset of GBK and GB2312), which decodes any byte sequence.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom_length..]).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    }
}

/// The separator that the first lines use most (quoted text not counted); comma on a tie.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let candidates = [b',', b'\t', b';'];
    for line in text.lines().take(HEADER_SEARCH_ROWS) {
        let mut quoted = false;
        for b in line.bytes() {
            match b {
                b'"' => quoted = !quoted,
                _ if quoted => {}
                _ => {
                    if let Some(i) = candidates.iter().position(|c| *c == b) {
                        counts[i] += 1;
                    }
                }
            }
        }
    }
    let mut best = 0;
    for i in 1..candidates.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<SheetRow>, RosterError> {
    let text = decode(bytes);
    // Text files hold no NUL; a binary file that is neither zip nor OLE is not a roster.
    if text.contains('\0') {
        return Err(RosterError::NotARoster);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    // A spreadsheet shows one row per record and one per blank line, which the reader skips
    // silently (a quoted line break stays inside its row). A record's start position is where
    // the reader stood before those blank lines, so they are counted from there.
    let mut row = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // The input is valid UTF-8 and the reader is flexible: this does not happen, but a
            // reader error must not end in a panic either.
            Err(_) => return Err(RosterError::NotARoster),
        }
        let start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(0);
        let blank_lines = line_breaks_before(text.as_bytes(), start);
        row += 1 + blank_lines;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(RosterError::TooManyRows { max: MAX_ROWS });
        }
        rows.push(SheetRow {
            number: row,
            cells: record
                .iter()
                .take(MAX_COLUMNS)
                .map(|cell| Ok(cell.to_string()))
                .collect(),
        });
    }
    Ok(rows)
}

/// Line breaks (`\r\n`, `\n` or `\r`) between `start` and the next character that is not one:
/// the blank lines the reader skipped before a record. A `\n` right after a `\r` that ended the
/// previous record belongs to that record.
fn line_breaks_before(text: &[u8], start: usize) -> usize {
    let run = text.get(start..).unwrap_or_default();
    let run = match (start.checked_sub(1).and_then(|i| text.get(i)), run.first()) {
        (Some(b'\r'), Some(b'\n')) => &run[1..],
        _ => run,
    };
    let mut breaks = 0;
    let mut bytes = run.iter().peekable();
    while let Some(b) = bytes.next() {
        match b {
            b'\r' => {
                bytes.next_if_eq(&&b'\n');
                breaks += 1;
            }
            b'\n' => breaks += 1,
            _ => break,
        }
    }
    breaks
}
