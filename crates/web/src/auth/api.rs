use crate::extract::Caller;
use crate::kit::{JsonBody, UserLang};
use crate::{ApiError, WebState};
use app::auth::SessionKind;
use app::{AppError, LoginError};
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    username: String,
    password: String,
}

#[derive(Serialize)]
pub struct TokenBody {
    token: String,
    token_type: &'static str,
    user: MeBody,
}

/// Who a user is: the body of `/auth/me`, and the first fields of a user in `/users`.
#[derive(Serialize)]
pub struct MeBody {
    pub(crate) id: String,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) role: &'static str,
    pub(crate) org_id: Option<String>,
    pub(crate) region_code: Option<String>,
    pub(crate) elder_id: Option<String>,
}

fn me_body(actor: &app::Actor) -> MeBody {
    MeBody {
        id: actor.user_id().to_string(),
        username: actor.username().to_string(),
        display_name: actor.display_name().to_string(),
        role: actor.role().code(),
        org_id: actor.org_id().map(str::to_string),
        region_code: actor.region_code().map(str::to_string),
        elder_id: actor.elder_id().map(str::to_string),
    }
}

/// `POST /api/v1/auth/login` `{"username","password"}` → `{"token": ...}`.
pub async fn login(
    State(state): State<WebState>,
    UserLang(lang): UserLang,
    parts: Parts,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Json<TokenBody>, ApiError> {
    match state
        .app
        .login(
            &body.username,
            &body.password,
            state.client_ip(&parts),
            SessionKind::Bearer,
        )
        .await
    {
        Ok(ok) => Ok(Json(TokenBody {
            token: ok.token,
            token_type: "Bearer",
            user: me_body(&ok.actor),
        })),
        Err(LoginError::WrongCredentials) => Err(ApiError::new(AppError::BadCredentials, lang)),
        Err(LoginError::RateLimited { retry_after_secs }) => Err(ApiError::new(
            AppError::RateLimited { retry_after_secs },
            lang,
        )),
        Err(LoginError::App(e)) => Err(ApiError::new(e, lang)),
    }
}

pub async fn logout(State(state): State<WebState>, caller: Caller) -> Result<StatusCode, ApiError> {
    caller
        .run(state.app.logout(&caller.actor, &caller.token))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(caller: Caller) -> Json<MeBody> {
    Json(me_body(&caller.actor))
}
