//! `/api/v1/audit` (system admins).

use super::{check, page_of, ListBody, OrApi};
use crate::extract::{parse_query, Caller};
use crate::{ApiError, WebState};
use axum::extract::State;
use axum::http::Uri;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::audit::{AuditFilter, AuditRow};

#[derive(Serialize)]
pub struct AuditJson {
    id: String,
    at: String,
    user_id: Option<String>,
    username: Option<String>,
    role: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_id: Option<String>,
    ip: Option<String>,
    outcome: &'static str,
    detail: Option<String>,
}

impl From<AuditRow> for AuditJson {
    fn from(r: AuditRow) -> AuditJson {
        AuditJson {
            id: r.id,
            at: r.at,
            user_id: r.user_id,
            username: r.username,
            role: r.role,
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            ip: r.ip,
            outcome: r.outcome.code(),
            detail: r.detail,
        }
    }
}

#[derive(Deserialize)]
pub struct Params {
    username: Option<String>,
    action: Option<String>,
    target_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// `from`/`to` accept a date (Asia/Shanghai) or an RFC 3339 time.
pub fn time_bound(
    errors: &mut Vec<registry::FieldError>,
    field: &str,
    value: &Option<String>,
    end_of_day: bool,
) -> Option<String> {
    let text = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(store::time_text(t.with_timezone(&chrono::Utc)));
    }
    match registry::elder::parse_date(text) {
        Some(d) => {
            let d = if end_of_day {
                d.succ_opt().unwrap_or(d)
            } else {
                d
            };
            let local = d
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_local_timezone(app::shanghai())
                .single()?;
            Some(store::time_text(local.with_timezone(&chrono::Utc)))
        }
        None => {
            errors.push(registry::FieldError::new(field, registry::Problem::Date));
            None
        }
    }
}

pub async fn search(
    State(state): State<WebState>,
    caller: Caller,
    uri: Uri,
) -> Result<Json<ListBody<AuditJson>>, ApiError> {
    let params: Params = parse_query(uri.query(), caller.lang)?;
    let mut errors = Vec::new();
    let page = page_of(&mut errors, &params.page, &params.per_page);
    let from = time_bound(&mut errors, "from", &params.from, false);
    let to = time_bound(&mut errors, "to", &params.to, true);
    check(errors, caller.lang)?;
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = AuditFilter {
        username: nonempty(params.username),
        action: nonempty(params.action),
        target_id: nonempty(params.target_id),
        from,
        to,
        ..Default::default()
    };
    let (rows, total) = state
        .app
        .search_audit(&caller.actor, filter, page)
        .await
        .or_api(caller.lang)?;
    Ok(Json(ListBody::new(
        rows.into_iter().map(AuditJson::from).collect(),
        total,
        page,
    )))
}
