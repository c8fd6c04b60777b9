//! `/api/v1/organizations`.

use crate::api::ListBody;
use crate::extract::Caller;
use crate::kit::{created, JsonBody};
use crate::kit::{ListFilter, ListQuery};
use crate::{ApiError, WebState};
use app::orgs::{OrgFilter, OrgRow};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use registry::organization::OrgInput;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct BedsJson {
    medical: i64,
    elderly_care: i64,
    nursing: i64,
    hospice: i64,
    home: i64,
}

#[derive(Serialize)]
pub struct OrgJson {
    id: String,
    name: String,
    kind: &'static str,
    category: &'static str,
    grade: Option<String>,
    operator: &'static str,
    region_code: String,
    address: Option<String>,
    phone: Option<String>,
    medical_licence: Option<String>,
    elderly_care_licence: Option<String>,
    beds: BedsJson,
    services: Vec<String>,
    created_at: String,
    updated_at: String,
}

impl From<OrgRow> for OrgJson {
    fn from(r: OrgRow) -> OrgJson {
        OrgJson {
            region_code: region::display_code_of(&r.region_code),
            id: r.id,
            name: r.name,
            kind: r.kind.code(),
            category: r.category.code(),
            grade: r.grade,
            operator: r.operator.code(),
            address: r.address,
            phone: r.phone,
            medical_licence: r.medical_licence,
            elderly_care_licence: r.elderly_care_licence,
            beds: BedsJson {
                medical: r.beds_medical,
                elderly_care: r.beds_elderly_care,
                nursing: r.beds_nursing,
                hospice: r.beds_hospice,
                home: r.beds_home,
            },
            services: app::unframe_list(&r.services),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BedsBody {
    medical: Option<i64>,
    elderly_care: Option<i64>,
    nursing: Option<i64>,
    hospice: Option<i64>,
    home: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgBody {
    name: Option<String>,
    kind: Option<String>,
    grade: Option<String>,
    operator: Option<String>,
    region_code: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    medical_licence: Option<String>,
    elderly_care_licence: Option<String>,
    beds: Option<BedsBody>,
    services: Option<Vec<String>>,
}

impl OrgBody {
    fn apply_to(self, base: &mut OrgInput) {
        let keep = |target: &mut Option<String>, v: Option<String>| {
            if v.is_some() {
                *target = v;
            }
        };
        keep(&mut base.name, self.name);
        keep(&mut base.kind, self.kind);
        keep(&mut base.grade, self.grade);
        keep(&mut base.operator, self.operator);
        keep(&mut base.region_code, self.region_code);
        keep(&mut base.address, self.address);
        keep(&mut base.phone, self.phone);
        keep(&mut base.medical_licence, self.medical_licence);
        keep(&mut base.elderly_care_licence, self.elderly_care_licence);
        if let Some(b) = self.beds {
            for (slot, v) in
                base.beds
                    .iter_mut()
                    .zip([b.medical, b.elderly_care, b.nursing, b.hospice, b.home])
            {
                if let Some(v) = v {
                    *slot = Some(v.to_string());
                }
            }
        }
        if let Some(s) = self.services {
            base.services = s;
        }
    }
}

#[derive(Deserialize)]
pub struct ListParams {
    region: Option<String>,
    category: Option<String>,
    kind: Option<String>,
    q: Option<String>,
}

impl ListFilter for ListParams {
    type Checked = OrgFilter;
    fn check(self, errors: &mut Vec<registry::FieldError>) -> OrgFilter {
        let params = self;
        let region_prefix = match params.region.as_deref().filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => match region::RegionCode::parse(r) {
                Ok(c) => Some(c.prefix().to_string()),
                Err(_) => {
                    errors.push(registry::FieldError::new(
                        "region",
                        registry::Problem::RegionCode,
                    ));
                    None
                }
            },
        };
        OrgFilter {
            region_prefix,
            category: params.category.filter(|c| !c.is_empty()),
            kind: params.kind.filter(|c| !c.is_empty()),
            name_prefix: params.q.filter(|c| !c.trim().is_empty()),
            ..Default::default()
        }
    }
}

pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    ListQuery { page, filter, .. }: ListQuery<ListParams>,
) -> Result<Json<ListBody<OrgJson>>, ApiError> {
    let found = state.app.list_orgs(&caller.actor, filter, page).await;
    ListBody::answer(found, page, caller.lang, OrgJson::from)
}

pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OrgJson>, ApiError> {
    caller.json(state.app.get_org(&caller.actor, &id)).await
}

pub async fn create(
    State(state): State<WebState>,
    caller: Caller,
    JsonBody(body): JsonBody<OrgBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let mut input = OrgInput::default();
    body.apply_to(&mut input);
    let id = caller
        .run(state.app.create_org(&caller.actor, &input))
        .await?;
    Ok(created(id))
}

pub async fn update(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<OrgBody>,
) -> Result<Json<OrgJson>, ApiError> {
    let row = caller.run(state.app.get_org(&caller.actor, &id)).await?;
    let mut input = app::orgs::input_from_row(&row);
    body.apply_to(&mut input);
    caller
        .run(state.app.update_org(&caller.actor, &id, &input))
        .await?;
    get(State(state), caller, Path(id)).await
}
