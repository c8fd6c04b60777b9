//! Device readings: `POST /api/v1/readings` (a device uploads, authenticated by its own
//! credential, answered only once its readings are stored) and
//! `GET /api/v1/elders/{id}/readings` (a person reads an elder's readings by kind and time).

use crate::api::{check, int_param};
use crate::extract::{bearer_of, lang_of, parse_query, Caller};
use crate::{ApiError, WebState};
use app::monitoring::ingest::{IngestError, IngestReport, Source};
use app::monitoring::{IngestDevice, ReadingRow};
use app::AppError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use monitoring::{ReadingError, Values};
use registry::{FieldError, Lang, Problem};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The largest upload a device may send (5,000 readings of ~100 bytes fit many times over).
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

/// The device that signed an upload with `Authorization: Bearer yyd_...`.
pub struct DeviceCaller {
    pub device: IngestDevice,
    pub lang: Lang,
}

impl FromRequestParts<WebState> for DeviceCaller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        // Only device credentials: a person's token is not looked up as one.
        let credential = bearer_of(parts).filter(|c| c.starts_with("yyd_"));
        let Some(credential) = credential else {
            return Err(ApiError::new(AppError::Unauthenticated, lang));
        };
        let device = state
            .app
            .authenticate_device(credential)
            .await
            .map_err(|e| ApiError::new(e, lang))?;
        Ok(DeviceCaller { device, lang })
    }
}

#[derive(Serialize)]
pub struct RejectionJson {
    /// Position in the payload (0 for a single object).
    index: usize,
    seq: Option<u64>,
    /// A stable code: `impossible_value`, `missing_field`, `bad_time`, `wrong_kind`, ...
    reason: &'static str,
    field: Option<&'static str>,
    message: String,
}

#[derive(Serialize)]
pub struct IngestJson {
    accepted: usize,
    duplicates: usize,
    conflicts: usize,
    rejected: Vec<RejectionJson>,
    /// Alerts these readings opened or updated.
    alerts: Vec<String>,
}

impl From<IngestReport> for IngestJson {
    fn from(r: IngestReport) -> IngestJson {
        IngestJson {
            accepted: r.accepted,
            duplicates: r.duplicates,
            conflicts: r.conflicts,
            rejected: r
                .rejected
                .into_iter()
                .map(|x| RejectionJson {
                    index: x.index,
                    seq: x.seq,
                    reason: x.reason,
                    field: x.field,
                    message: x.message,
                })
                .collect(),
            alerts: r.alerts,
        }
    }
}

/// The error of a payload refused as a whole, naming `payload` (or the field at fault).
fn payload_error(error: &ReadingError, lang: Lang) -> ApiError {
    let zh = match error {
        ReadingError::NotJson(_) => "不是有效的 JSON".to_string(),
        ReadingError::NotAnObject => "须为一个 JSON 对象或对象数组".to_string(),
        ReadingError::TooMany { max } => format!("一次最多上传 {max} 条读数"),
        other => format!("无法读取：{other}"),
    };
    ApiError::new(
        AppError::Invalid(vec![FieldError::new(
            error.field().unwrap_or("payload"),
            Problem::Invalid {
                zh,
                en: error.to_string(),
            },
        )]),
        lang,
    )
}

/// A response with the API's error body and a status `ApiError` does not map to.
fn error_with_status(status: StatusCode, field: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"errors": [{"field": field, "message": message}]})),
    )
        .into_response()
}

/// `POST /api/v1/readings`: the body is the device's payload as it would publish it over MQTT
/// (one JSON object or an array), any content type. 200 with what became of each reading, only
/// after they are stored; 422 when the payload as a whole is not readings; 503 when storage
/// failed (nothing was stored: send the same payload again).
pub async fn upload(
    State(state): State<WebState>,
    device: DeviceCaller,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let lang = device.lang;
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error_with_status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload",
                &match lang {
                    Lang::Zh => format!("上传内容超过 {} MiB", MAX_UPLOAD_BYTES >> 20),
                    Lang::En => format!("is larger than {} MiB", MAX_UPLOAD_BYTES >> 20),
                },
            )
        }
        Err(rejection) => return rejection.into_response(),
    };
    let source = Source::Http {
        device_id: device.device.id,
    };
    let result = state
        .app
        .ingest()
        .submit_and_wait(source, body.to_vec(), state.app.now())
        .await;
    match result {
        Ok(report) => Json(IngestJson::from(report)).into_response(),
        Err(IngestError::Payload(error)) => payload_error(&error, lang).into_response(),
        Err(error @ (IngestError::Storage(_) | IngestError::Closed)) => {
            tracing::warn!(%error, "readings upload not stored");
            let mut response = error_with_status(
                StatusCode::SERVICE_UNAVAILABLE,
                "",
                lang.pick(
                    "暂时无法保存读数，请稍后重新上传",
                    "the readings could not be stored; send them again later",
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            response
        }
    }
}

#[derive(Deserialize, Default)]
struct ReadingParams {
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
}

/// An RFC 3339 time from the query; a `+` of the offset that arrived as a space (unencoded in
/// the URL) is taken as meant.
fn time_param(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
) -> Option<DateTime<Utc>> {
    let text = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    let parsed = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc3339(&text.replace(' ', "+")));
    match parsed {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                Problem::Invalid {
                    zh: "须为 RFC 3339 时间，如 2026-11-23T07:30:00+08:00".into(),
                    en: "must be an RFC 3339 time such as 2026-11-23T07:30:00+08:00".into(),
                },
            ));
            None
        }
    }
}

#[derive(Serialize)]
pub struct ReadingJson {
    device_id: String,
    seq: i64,
    kind: String,
    measured_at: String,
    received_at: String,
    values: Value,
}

/// The values of a stored reading under the protocol's names for its kind, with the grade of a
/// blood pressure and the severity NEWS2 gives a vital-sign set (null when it calls for no
/// response).
fn values_json(values: &Values) -> Value {
    let mut fields = values.fields();
    match *values {
        Values::BloodPressure {
            systolic,
            diastolic,
            ..
        } => {
            let grade = monitoring::rule::bp_grade(systolic, diastolic);
            fields.insert("grade".into(), grade.into());
        }
        Values::Vitals { .. } => {
            let severity = monitoring::rule::news2(values).map(|f| f.severity.code());
            fields.insert("news2_severity".into(), severity.into());
        }
        _ => {}
    }
    Value::Object(fields)
}

impl From<ReadingRow> for ReadingJson {
    fn from(r: ReadingRow) -> ReadingJson {
        ReadingJson {
            values: values_json(&r.values),
            kind: r.values.kind().to_string(),
            device_id: r.device_id,
            seq: r.seq,
            measured_at: r.measured_at,
            received_at: r.received_at,
        }
    }
}

/// `GET /api/v1/elders/{id}/readings?kind=&from=&to=&limit=`: measured in `[from, to)`
/// (RFC 3339; by default the last 30 days), oldest first, at most `limit` (2,000; up to
/// 10,000).
pub async fn for_elder(
    State(state): State<WebState>,
    caller: Caller,
    Path(elder_id): Path<String>,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let params: ReadingParams = parse_query(uri.query(), caller.lang)?;
    let mut errors = Vec::new();
    let from = time_param(&mut errors, "from", &params.from);
    let to = time_param(&mut errors, "to", &params.to);
    let limit = int_param(
        &mut errors,
        "limit",
        &params.limit,
        1,
        app::monitoring::readings::MAX_READINGS,
    )
    .unwrap_or(app::monitoring::readings::DEFAULT_READINGS);
    check(errors, caller.lang)?;
    // Up to now, and the few minutes a device's clock may run ahead.
    let to = to.unwrap_or_else(|| state.app.now() + monitoring::reading::max_ahead());
    let from = from.unwrap_or(to - Duration::days(30));
    let rows = caller
        .run(state.app.elder_readings(
            &caller.actor,
            &elder_id,
            params.kind.as_deref(),
            from,
            to,
            limit,
        ))
        .await?;
    let items: Vec<ReadingJson> = rows.into_iter().map(ReadingJson::from).collect();
    Ok(Json(json!({ "items": items })))
}
