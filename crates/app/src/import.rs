//! Roster import: CSV and Excel (.xlsx) files as counties keep them.
//!
//! The file is read whole by `interop`, then every row goes through the rules a record created
//! one by one obeys: [`registry::ElderInput::validate`], then [`App::complete_and_check`]
//! (defaults, region and organization existence, duplicates on file, data scope), plus one that
//! only a file can break: the same identity number twice in it. A bad row is reported (row,
//! column as the file names it, reason) and skipped.
//!
//! Rows are stored in batches of [`BATCH_ROWS`]. Each batch is one transaction that stores its
//! good rows and its row errors, moves the import's `next_row` marker and appends one audit
//! row, so a crash loses at most the batch in flight and never half of one. The import is
//! keyed by the file's SHA-256: sending the same file again resumes after the last committed
//! batch, and a file imported completely before answers with that import's report.

use crate::audit_log::Audit;
use crate::{Actor, App, AppError, Result};
use access::{Action, AuditAction};
use interop::{Roster, RosterRow};
use registry::{FieldError, Lang, Problem};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use store::elders::ElderColumns;
use store::imports::ImportBatchRow;

/// Rows per transaction: large enough that a county roster takes few commits, small enough
/// that a crash costs little and a transaction holds its locks briefly.
pub const BATCH_ROWS: usize = 500;

/// Stored file names are for people reading the import list; keep them short.
const FILE_NAME_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The column's header as the file wrote it.
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub batch_id: String,
    pub total_rows: usize,
    /// Rows stored, over every run of this file.
    pub stored: usize,
    /// Rows refused, over every run of this file.
    pub skipped: usize,
    /// Data rows already committed by an earlier, interrupted run of the same file (all of
    /// them when the file had been imported completely before).
    pub resumed_from_row: usize,
    /// Every refused row's problems, in row order.
    pub errors: Vec<RowError>,
    /// Columns that were ignored (unknown or repeated), each once, on the header row.
    pub warnings: Vec<RowError>,
    /// The file had been imported completely before: nothing was stored this time.
    pub already_imported: bool,
}

/// A row's problems, by validation field name, before they are put in the file's words.
type RowProblems = (usize, Vec<FieldError>);

impl App {
    pub async fn import_elders(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        lang: Lang,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport> {
        actor.require(self, Action::ImportElders).await?;
        let (sha256, roster) = read_file(file_name, bytes).await?;
        let roster = roster.map_err(|e| AppError::Invalid(vec![e.field_error()]))?;
        let warnings: Vec<RowError> = roster
            .warnings
            .iter()
            .map(|w| RowError {
                row: w.row,
                column: w.column.clone(),
                message: w.message(lang),
            })
            .collect();
        let total = roster.rows.len();

        let mut conn = self.store.acquire().await?;
        let earlier = store::imports::by_user_and_hash(&mut conn, actor.user_id(), &sha256).await?;
        let mut errors = match &earlier {
            Some(batch) => stored_errors(&mut conn, &batch.id).await?,
            None => Vec::new(),
        };
        drop(conn);
        if let Some(batch) = earlier
            .as_ref()
            .filter(|b| b.status == interop::ImportStatus::Done)
        {
            return Ok(report(batch, 0, errors, warnings, true));
        }
        let resumed_from = earlier
            .as_ref()
            .map_or(0, |b| usize::try_from(b.next_row).unwrap_or(0))
            .min(total);
        let mut batch_id = earlier.map(|b| b.id);
        progress(resumed_from, total);

        let file = FileRun {
            actor,
            roster: &roster,
            first_rows: first_occurrences(&roster.rows),
            sha256: &sha256,
            file_name: &short_file_name(file_name),
            lang,
            today: crate::today(self.now()),
        };
        let mut start = resumed_from;
        loop {
            let end = (start + BATCH_ROWS).min(total);
            let (id, batch_errors) = self
                .store_batch(&file, batch_id.as_deref(), start..end)
                .await?;
            batch_id = Some(id);
            errors.extend(batch_errors);
            progress(end, total);
            if end == total {
                break;
            }
            start = end;
        }

        let batch_id = batch_id.expect("the loop runs at least once");
        let mut conn = self.store.acquire().await?;
        let batch = store::imports::by_id(&mut conn, &batch_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(report(&batch, resumed_from, errors, warnings, false))
    }

    /// Checks and stores one batch of rows in one transaction together with the import's
    /// progress marker, its row errors and an audit row. The first batch of a new import also
    /// creates the import, so an import that never committed a batch left nothing behind.
    async fn store_batch(
        &self,
        file: &FileRun<'_>,
        batch_id: Option<&str>,
        range: std::ops::Range<usize>,
    ) -> Result<(String, Vec<RowError>)> {
        let authorized = crate::auth::system_access(self.now());
        let total = file.roster.rows.len();
        let (from, to) = (range.start as i64, range.end as i64);
        let mut tx = self.store.begin().await?;
        // Claim the rows first: a concurrent run of the same file waits here for this
        // transaction, then finds the marker moved and stops instead of storing them twice.
        let batch_id = match batch_id {
            Some(id) => {
                if !store::imports::advance_from(&mut tx, id, from, to, 0, 0).await? {
                    return Err(AppError::field("file", running_elsewhere()));
                }
                id.to_string()
            }
            None => {
                match store::imports::start(
                    &mut tx,
                    file.sha256,
                    file.file_name,
                    Some(&file.actor.user_id),
                    total as i64,
                )
                .await
                {
                    Ok(id) => id,
                    Err(store::StoreError::Conflict(_)) => {
                        return Err(AppError::field("file", running_elsewhere()))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };

        let mut good = Vec::new();
        let mut bad: Vec<RowProblems> = Vec::new();
        for row in &file.roster.rows[range.clone()] {
            match self.check_row(&mut tx, file, row).await? {
                Ok(columns) => good.push(columns),
                Err(problems) => bad.push((row.row, problems)),
            }
        }
        let now = self.now();
        store::elders::insert_many(&mut tx, &authorized, &good, now).await?;
        let mut errors = Vec::new();
        for (row, problems) in &bad {
            for problem in problems {
                let error = RowError {
                    row: *row,
                    column: file.roster.column_label(&problem.field, file.lang),
                    message: problem.problem.message(file.lang),
                };
                store::imports::add_error(
                    &mut tx,
                    &authorized,
                    &batch_id,
                    *row as i64,
                    &error.column,
                    &error.message,
                )
                .await?;
                errors.push(error);
            }
        }
        let (stored, skipped) = (good.len(), bad.len());
        store::imports::advance(&mut tx, &batch_id, to, stored as i64, skipped as i64).await?;
        if range.end == total {
            store::imports::finish(&mut tx, &batch_id).await?;
        }
        Audit::new(file.actor, AuditAction::ElderImport)
            .target("import", &batch_id)
            .detail(format!(
                "data rows {}-{} of {total}: stored {stored}, skipped {skipped}",
                range.start + 1,
                range.end
            ))
            .commit(tx)
            .await?;
        Ok((batch_id, errors))
    }

    /// One row through every rule; the record's stored columns, or its problems. Storage
    /// failures other than the row's own are errors of the whole batch.
    async fn check_row(
        &self,
        conn: &mut store::Conn,
        file: &FileRun<'_>,
        row: &RosterRow,
    ) -> Result<Result<ElderColumns, Vec<FieldError>>> {
        // What reading the cells found comes first; validation adds only other fields' errors.
        let mut problems = row.problems.clone();
        let valid = match row.input.validate(file.today) {
            Ok(valid) => Some(valid),
            Err(found) => {
                merge(&mut problems, found);
                None
            }
        };
        if let Some(first) = identity_key(row).and_then(|k| file.first_rows.get(&k)) {
            if *first != row.row && !problems.iter().any(|p| p.field == "id_number") {
                problems.push(FieldError::new(
                    "id_number",
                    Problem::Invalid {
                        zh: format!("与第 {first} 行的身份证号重复"),
                        en: format!("repeats the identity number of row {first}"),
                    },
                ));
            }
        }
        let Some(mut valid) = valid.filter(|_| problems.is_empty()) else {
            return Ok(Err(problems));
        };
        match self
            .complete_and_check(conn, file.actor, &mut valid, None)
            .await
        {
            Ok(()) => Ok(Ok(ElderColumns::from_valid(&valid))),
            Err(AppError::Invalid(found)) => {
                merge(&mut problems, found);
                Ok(Err(problems))
            }
            Err(other) => Err(other),
        }
    }
}

/// Adds the errors of fields that have none yet: a cell that could not be read already says
/// why its field is empty, and "required" would only repeat it.
fn merge(problems: &mut Vec<FieldError>, found: Vec<FieldError>) {
    let named: Vec<String> = problems.iter().map(|p| p.field.clone()).collect();
    problems.extend(found.into_iter().filter(|e| !named.contains(&e.field)));
}

/// What every batch of one run needs to know about the file.
struct FileRun<'a> {
    actor: &'a Actor,
    roster: &'a Roster,
    /// Identity number → the row it first appears on.
    first_rows: HashMap<String, usize>,
    sha256: &'a str,
    file_name: &'a str,
    lang: Lang,
    today: chrono::NaiveDate,
}

/// Hashes and parses off the async threads: a large workbook takes a while to unpack.
async fn read_file(
    file_name: &str,
    bytes: &[u8],
) -> Result<(String, Result<Roster, interop::RosterError>)> {
    let (name, bytes) = (file_name.to_string(), bytes.to_vec());
    tokio::task::spawn_blocking(move || {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        (sha256, interop::read_roster(&name, &bytes))
    })
    .await
    .map_err(|e| AppError::Internal(format!("reading the roster failed: {e}")))
}

/// The identity number as compared for repeats: what validation compares, trimmed and with
/// an upper-case X.
fn identity_key(row: &RosterRow) -> Option<String> {
    row.input
        .id_number
        .as_deref()
        .map(|t| t.trim().to_ascii_uppercase())
        .filter(|t| !t.is_empty())
}

fn first_occurrences(rows: &[RosterRow]) -> HashMap<String, usize> {
    let mut first = HashMap::new();
    for row in rows {
        if let Some(key) = identity_key(row) {
            first.entry(key).or_insert(row.row);
        }
    }
    first
}

fn short_file_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control())
        .take(FILE_NAME_MAX)
        .collect();
    if clean.trim().is_empty() {
        "upload".into()
    } else {
        clean
    }
}

fn running_elsewhere() -> Problem {
    Problem::Invalid {
        zh: "该文件正在由另一个导入任务处理，请稍后重新提交以继续".into(),
        en: "another import of this file is running; send it again later to continue".into(),
    }
}

async fn stored_errors(conn: &mut store::Conn, batch_id: &str) -> Result<Vec<RowError>> {
    let authorized = crate::auth::system_access(chrono::Utc::now());
    Ok(
        store::imports::errors(conn, &authorized, batch_id, i64::MAX)
            .await?
            .into_iter()
            .map(|(row, column, message)| RowError {
                row: usize::try_from(row).unwrap_or(0),
                column,
                message,
            })
            .collect(),
    )
}

fn report(
    batch: &ImportBatchRow,
    resumed_from: usize,
    errors: Vec<RowError>,
    warnings: Vec<RowError>,
    already_imported: bool,
) -> ImportReport {
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    ImportReport {
        batch_id: batch.id.clone(),
        total_rows: count(batch.total_rows),
        stored: count(batch.stored),
        skipped: count(batch.skipped),
        resumed_from_row: if already_imported {
            count(batch.next_row)
        } else {
            resumed_from
        },
        errors,
        warnings,
        already_imported,
    }
}
