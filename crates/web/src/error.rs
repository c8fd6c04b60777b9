//! One error type for the API, one status mapping, one body shape:
//! `{"errors":[{"field": ..., "message": ...}]}`.

use app::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use registry::{FieldError, Lang};

#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub lang: Lang,
}

impl ApiError {
    pub fn new(error: AppError, lang: Lang) -> ApiError {
        ApiError { error, lang }
    }

    pub fn status(&self) -> StatusCode {
        status_of(&self.error)
    }
}

pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Stale => StatusCode::CONFLICT,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The `(field, message)` pairs an error shows, in the user's language. Internal errors are
/// logged with an id and answered with that id only.
pub fn messages(error: &AppError, lang: Lang) -> Vec<(String, String)> {
    let one = |zh: &str, en: &str| vec![(String::new(), lang.pick(zh, en).to_string())];
    match error {
        AppError::Invalid(errors) => errors
            .iter()
            .map(|e: &FieldError| (e.field.clone(), e.problem.message(lang)))
            .collect(),
        AppError::Unauthenticated => one("请先登录", "sign in first"),
        AppError::BadCredentials => one("用户名或密码错误", "wrong username or password"),
        AppError::Forbidden => one("您的角色无权执行此操作", "your role may not do this"),
        AppError::NotFound => one(
            "未找到，或不在您的数据权限范围内",
            "not found, or outside your data scope",
        ),
        AppError::RateLimited { retry_after_secs } => vec![(
            String::new(),
            match lang {
                Lang::Zh => format!("尝试次数过多，请 {retry_after_secs} 秒后再试"),
                Lang::En => format!("too many attempts; try again in {retry_after_secs} s"),
            },
        )],
        AppError::Unavailable { zh, en } => one(zh, en),
        AppError::Stale => one(
            "记录已被他人修改，请刷新后重试",
            "the record was changed meanwhile; reload and try again",
        ),
        AppError::Internal(detail) => {
            let error_id = uuid::Uuid::now_v7().to_string();
            tracing::error!(error.id = %error_id, "{detail}");
            vec![(
                String::new(),
                match lang {
                    Lang::Zh => format!("服务器内部错误（错误编号 {error_id}）"),
                    Lang::En => format!("internal error (error id {error_id})"),
                },
            )]
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let errors: Vec<serde_json::Value> = messages(&self.error, self.lang)
            .into_iter()
            .map(|(field, message)| serde_json::json!({"field": field, "message": message}))
            .collect();
        let mut response = (
            self.status(),
            axum::Json(serde_json::json!({ "errors": errors })),
        )
            .into_response();
        if let AppError::RateLimited { retry_after_secs } = self.error {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if matches!(self.error, AppError::Unauthenticated) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
