//! Roster upload: a CSV or Excel (.xlsx) file in a multipart form; the report lists what was
//! stored and every row that was skipped, with its row, column and reason.

use crate::kit::CsrfUpload;
use crate::ui::{render, t, thousands, PageResult, Section, Session, Ui};
use crate::WebState;
use access::Action;
use app::import::{ImportReport, RowError};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

pub struct RowLine {
    pub row: String,
    pub column: String,
    pub message: String,
}

pub struct ReportView {
    pub file_name: String,
    pub total_rows: String,
    pub stored: String,
    pub skipped: String,
    pub resumed_from_row: usize,
    pub already_imported: bool,
    pub rows: Vec<RowLine>,
    /// Columns the import ignored (unknown or repeated headers).
    pub warnings: Vec<RowLine>,
}

#[derive(Template)]
#[template(path = "imports/page.html")]
struct ImportPage {
    ui: Ui,
    report: Option<ReportView>,
    errors: Vec<String>,
}

pub async fn page(State(state): State<WebState>, session: Session) -> PageResult {
    session.require(&state.app, Action::ImportElders).await?;
    let page = ImportPage {
        ui: session.ui(Section::Import),
        report: None,
        errors: Vec::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn upload(State(state): State<WebState>, upload: CsrfUpload) -> PageResult {
    let session = &upload.session;
    let lang = session.lang;
    let show = |report: Option<ReportView>, errors: Vec<String>, status: StatusCode| {
        let page = ImportPage {
            ui: session.ui(Section::Import),
            report,
            errors,
        };
        render(status, &page)
    };
    if upload.bytes.is_empty() {
        let message = t(lang, "请选择要上传的 CSV 或 Excel（.xlsx）文件").to_string();
        return Ok(show(None, vec![message], StatusCode::UNPROCESSABLE_ENTITY));
    }
    let result = state
        .app
        .import_elders(
            &session.actor,
            &upload.file_name,
            &upload.bytes,
            lang,
            &|_, _| {},
        )
        .await;
    match result {
        Ok(report) => Ok(show(
            Some(report_view(upload.file_name, report)),
            Vec::new(),
            StatusCode::OK,
        )),
        Err(e) => {
            let status = crate::error::status_of(&e);
            Ok(show(None, crate::ui::message_lines(&e, lang), status))
        }
    }
}

fn row_line(e: RowError) -> RowLine {
    RowLine {
        row: e.row.to_string(),
        column: e.column,
        message: e.message,
    }
}

fn report_view(file_name: String, report: ImportReport) -> ReportView {
    ReportView {
        file_name,
        total_rows: thousands(report.total_rows as i64),
        stored: thousands(report.stored as i64),
        skipped: thousands(report.skipped as i64),
        resumed_from_row: report.resumed_from_row,
        already_imported: report.already_imported,
        rows: report.errors.into_iter().map(row_line).collect(),
        warnings: report.warnings.into_iter().map(row_line).collect(),
    }
}
