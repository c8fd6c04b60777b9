//! `/api/v1/elders`: create, read, list and search, edit, history.

use crate::api::ListBody;
use crate::extract::Caller;
use crate::kit::JsonBody;
use crate::kit::{ListFilter, ListQuery};
use crate::{ApiError, WebState};
use app::elders::{input_from_row, ElderQuery, ElderView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use registry::ElderInput;
use serde::{Deserialize, Deserializer, Serialize};

/// Present and null are different in a PATCH: null clears the field, absent keeps it.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    name: Option<String>,
    relation: Option<String>,
    phone: Option<String>,
}

/// The writable fields of an elder record. On create only `name` and `id_number` are needed.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ElderBody {
    #[serde(default, deserialize_with = "present")]
    name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    id_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    sex: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    birth_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    address: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    region_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    living_situation: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    special_categories: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    medical_insurance: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    ltc_insurance: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    chronic_conditions: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    status: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    contacts: Option<Option<Vec<ContactBody>>>,
    #[serde(default, deserialize_with = "present")]
    responsible_org_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    residence_org_id: Option<Option<String>>,
    /// On update: the version the client edited; a newer stored version refuses the edit.
    version: Option<i64>,
}

impl ElderBody {
    /// Lays the fields this body names over `base`.
    fn apply_to(self, base: &mut ElderInput) {
        fn set<T>(target: &mut Option<T>, value: Option<Option<T>>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        set(&mut base.name, self.name);
        set(&mut base.id_number, self.id_number);
        set(&mut base.sex, self.sex);
        set(&mut base.birth_date, self.birth_date);
        set(&mut base.phone, self.phone);
        set(&mut base.address, self.address);
        set(&mut base.region_code, self.region_code);
        set(&mut base.living_situation, self.living_situation);
        set(&mut base.medical_insurance, self.medical_insurance);
        set(&mut base.ltc_insurance, self.ltc_insurance);
        set(&mut base.status, self.status);
        set(&mut base.responsible_org_id, self.responsible_org_id);
        set(&mut base.residence_org_id, self.residence_org_id);
        if let Some(v) = self.special_categories {
            base.special_categories = v.unwrap_or_default();
        }
        if let Some(v) = self.chronic_conditions {
            base.chronic_conditions = v.unwrap_or_default();
        }
        if let Some(v) = self.contacts {
            base.contacts = v
                .unwrap_or_default()
                .into_iter()
                .map(|c| (c.name, c.relation, c.phone))
                .collect();
        }
    }
}

#[derive(Serialize)]
pub struct ContactJson {
    name: String,
    relation: String,
    phone: String,
}

#[derive(Serialize)]
pub struct ElderJson {
    id: String,
    name: String,
    id_number: String,
    identity_masked: bool,
    sex: String,
    /// Null where the identity number is masked.
    birth_date: Option<String>,
    age: i32,
    phone: Option<String>,
    address: Option<String>,
    region_code: Option<String>,
    living_situation: Option<String>,
    special_categories: Vec<String>,
    medical_insurance: Option<String>,
    ltc_insurance: bool,
    chronic_conditions: Vec<String>,
    status: String,
    contacts: Vec<ContactJson>,
    responsible_org_id: Option<String>,
    residence_org_id: Option<String>,
    created_at: String,
    updated_at: String,
    version: i64,
}

impl From<ElderView> for ElderJson {
    fn from(v: ElderView) -> ElderJson {
        ElderJson {
            id: v.id,
            name: v.name,
            id_number: v.id_number,
            identity_masked: v.identity_masked,
            sex: v.sex,
            birth_date: v.birth_date,
            age: v.age,
            phone: v.phone,
            address: v.address,
            region_code: v.region_code,
            living_situation: v.living_situation,
            special_categories: v.special_categories,
            medical_insurance: v.medical_insurance,
            ltc_insurance: v.ltc_insurance,
            chronic_conditions: v.chronic_conditions,
            status: v.status,
            contacts: v
                .contacts
                .into_iter()
                .map(|c| ContactJson {
                    name: c.name,
                    relation: c.relation,
                    phone: c.phone,
                })
                .collect(),
            responsible_org_id: v.responsible_org_id,
            residence_org_id: v.residence_org_id,
            created_at: v.created_at,
            updated_at: v.updated_at,
            version: v.version,
        }
    }
}

#[derive(Serialize)]
pub struct CreatedBody {
    id: String,
}

/// `POST /api/v1/elders` → 201 `{"id": ...}`.
pub async fn create(
    State(state): State<WebState>,
    caller: Caller,
    JsonBody(body): JsonBody<ElderBody>,
) -> Result<(StatusCode, Json<CreatedBody>), ApiError> {
    let mut input = ElderInput::default();
    body.apply_to(&mut input);
    let id = caller
        .run(state.app.create_elder(&caller.actor, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedBody { id })))
}

pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ElderJson>, ApiError> {
    caller.json(state.app.get_elder(&caller.actor, &id)).await
}

/// `PATCH` (or `PUT`) `/api/v1/elders/{id}`: the named fields change, the rest stay.
pub async fn update(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ElderBody>,
) -> Result<Json<ElderJson>, ApiError> {
    let row = caller
        .run(state.app.elder_for_edit(&caller.actor, &id))
        .await?;
    let version = body.version;
    let mut input = input_from_row(&row);
    body.apply_to(&mut input);
    caller
        .run(state.app.update_elder(&caller.actor, &id, &input, version))
        .await?;
    caller.json(state.app.get_elder(&caller.actor, &id)).await
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    region: Option<String>,
    status: Option<String>,
    living_situation: Option<String>,
    sex: Option<String>,
    category: Option<String>,
    condition: Option<String>,
    org_id: Option<String>,
    care_level: Option<String>,
    min_age: Option<String>,
    max_age: Option<String>,
}

impl ListFilter for ListParams {
    type Checked = ElderQuery;
    fn check(self, errors: &mut Vec<registry::FieldError>) -> ElderQuery {
        let min_age = crate::api::int_param(errors, "min_age", &self.min_age, 0, 150);
        let max_age = crate::api::int_param(errors, "max_age", &self.max_age, 0, 150);
        ElderQuery {
            q: self.q,
            region: self.region,
            status: self.status,
            living_situation: self.living_situation,
            sex: self.sex,
            category: self.category,
            condition: self.condition,
            org_id: self.org_id,
            care_level: self.care_level,
            min_age,
            max_age,
        }
    }
}

/// `GET /api/v1/elders?q=&region=&status=&...&page=&per_page=`
pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    ListQuery {
        page,
        filter: query,
        ..
    }: ListQuery<ListParams>,
) -> Result<Json<ListBody<ElderJson>>, ApiError> {
    let found = state.app.list_elders(&caller.actor, &query, page).await;
    ListBody::answer(found, page, caller.lang, ElderJson::from)
}

#[derive(Serialize)]
pub struct ChangeJson {
    changed_at: String,
    username: String,
    field: String,
    old_value: Option<String>,
    new_value: Option<String>,
}

pub async fn history(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ListBody<ChangeJson>>, ApiError> {
    let rows = caller
        .run(state.app.elder_history(&caller.actor, &id))
        .await?;
    let items: Vec<ChangeJson> = rows
        .into_iter()
        .map(|r| ChangeJson {
            changed_at: r.changed_at,
            username: r.username,
            field: r.field,
            old_value: r.old_value,
            new_value: r.new_value,
        })
        .collect();
    Ok(ListBody::all(items))
}
