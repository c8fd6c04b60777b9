//! `/api/v1/audit` (system admins).

use crate::api::ListBody;
use crate::extract::Caller;
use crate::kit::{ListFilter, ListQuery};
use crate::{ApiError, WebState};
use app::audit_log::{AuditFilter, AuditRow};
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

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
    /// The record grant a read relied on.
    grant_id: Option<String>,
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
            grant_id: r.grant_id,
        }
    }
}

/// The filters of the audit log, in the API and on its page.
#[derive(Deserialize, Default)]
pub struct Params {
    pub(crate) username: Option<String>,
    pub(crate) action: Option<String>,
    pub(crate) target_id: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
}

impl ListFilter for Params {
    type Checked = AuditFilter;
    fn check(self, errors: &mut Vec<registry::FieldError>) -> AuditFilter {
        let from = time_bound(errors, "from", &self.from, false);
        let to = time_bound(errors, "to", &self.to, true);
        let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        AuditFilter {
            username: nonempty(self.username),
            action: nonempty(self.action),
            target_id: nonempty(self.target_id),
            from,
            to,
            ..Default::default()
        }
    }
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
        return Some(app::time_text(t.with_timezone(&chrono::Utc)));
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
            Some(app::time_text(local.with_timezone(&chrono::Utc)))
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
    ListQuery { page, filter, .. }: ListQuery<Params>,
) -> Result<Json<ListBody<AuditJson>>, ApiError> {
    let found = state.app.search_audit(&caller.actor, filter, page).await;
    ListBody::answer(found, page, caller.lang, AuditJson::from)
}
