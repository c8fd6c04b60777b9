//! `/api/v1/users` (system admins).

use crate::api::ListBody;
use crate::auth::api::MeBody;
use crate::extract::Caller;
use crate::kit::{created, JsonBody};
use crate::kit::{ListQuery, NoFilter};
use crate::{ApiError, WebState};
use app::users::UserInput;
use app::users::UserView;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct UserJson {
    #[serde(flatten)]
    who: MeBody,
    phone: Option<String>,
    active: bool,
    caregiver_certified: bool,
    trained_on: Option<String>,
    created_at: String,
}

impl From<UserView> for UserJson {
    fn from(u: UserView) -> UserJson {
        UserJson {
            who: MeBody {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                role: u.role.code(),
                org_id: u.org_id,
                region_code: u
                    .region_code
                    .as_deref()
                    .and_then(|c| region::RegionCode::parse(c).ok())
                    .map(|c| c.display_code()),
                elder_id: u.elder_id,
            },
            phone: u.phone.as_deref().map(registry::phone::mask_phone),
            active: u.active == 1,
            caregiver_certified: u.caregiver_certified == 1,
            trained_on: u.trained_on,
            created_at: u.created_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    username: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
    org_id: Option<String>,
    region_code: Option<String>,
    elder_id: Option<String>,
    phone: Option<String>,
    active: Option<bool>,
    caregiver_certified: Option<bool>,
    trained_on: Option<String>,
    password: Option<String>,
}

impl UserBody {
    fn into_input(self, base: UserInput) -> UserInput {
        UserInput {
            username: self.username.or(base.username),
            display_name: self.display_name.or(base.display_name),
            role: self.role.or(base.role),
            org_id: self.org_id.or(base.org_id),
            region_code: self.region_code.or(base.region_code),
            elder_id: self.elder_id.or(base.elder_id),
            phone: self.phone.or(base.phone),
            active: self.active.or(base.active),
            caregiver_certified: self.caregiver_certified.or(base.caregiver_certified),
            trained_on: self.trained_on.or(base.trained_on),
            password: self.password,
        }
    }
}

pub fn input_from_row(u: &UserView) -> UserInput {
    UserInput {
        username: Some(u.username.clone()),
        display_name: Some(u.display_name.clone()),
        role: Some(u.role.code().to_string()),
        org_id: u.org_id.clone(),
        region_code: u.region_code.clone(),
        elder_id: u.elder_id.clone(),
        phone: u.phone.clone(),
        active: Some(u.active == 1),
        caregiver_certified: Some(u.caregiver_certified == 1),
        trained_on: u.trained_on.clone(),
        password: None,
    }
}

pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    ListQuery { page, .. }: ListQuery<NoFilter>,
) -> Result<Json<ListBody<UserJson>>, ApiError> {
    let found = state.app.list_users(&caller.actor, page).await;
    ListBody::answer(found, page, caller.lang, UserJson::from)
}

pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UserJson>, ApiError> {
    caller.json(state.app.get_user(&caller.actor, &id)).await
}

pub async fn create(
    State(state): State<WebState>,
    caller: Caller,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let id = caller
        .run(
            state
                .app
                .create_user(&caller.actor, &body.into_input(UserInput::default())),
        )
        .await?;
    Ok(created(id))
}

pub async fn update(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<Json<UserJson>, ApiError> {
    let row = caller.run(state.app.get_user(&caller.actor, &id)).await?;
    caller
        .run(
            state
                .app
                .update_user(&caller.actor, &id, &body.into_input(input_from_row(&row))),
        )
        .await?;
    get(State(state), caller, Path(id)).await
}
