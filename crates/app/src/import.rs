//! Roster import: CSV and Excel (.xlsx) files as counties keep them.

use crate::{Actor, App, Result};
use registry::Lang;

#[derive(Debug, Clone)]
pub struct RowError {
    /// 1-based row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub batch_id: String,
    pub total_rows: usize,
    pub stored: usize,
    pub skipped: usize,
    /// Data rows already committed by an earlier, interrupted run of the same file.
    pub resumed_from_row: usize,
    pub errors: Vec<RowError>,
}

impl App {
    pub async fn import_elders(
        &self,
        _actor: &Actor,
        _file_name: &str,
        _bytes: &[u8],
        _lang: Lang,
        _progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport> {
        Err(crate::AppError::Internal("import not built yet".into()))
    }
}
