//! User administration (system administrators): list, create, edit, reset a password.

use crate::kit::Filters;
use crate::kit::{form_saved, form_shown, CsrfForm, FormAt, RecordForm};
use crate::ui::form::{page_links, FormData, FormErrors, Opt, PageLink};
use crate::ui::{render, t, thousands, PageResult, Section, Session, Ui};
use crate::WebState;
use access::{Action, Role};
use app::users::UserInput;
use app::users::UserView;
use app::Page;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use registry::Lang;
use serde::Deserialize;
use std::collections::HashMap;

const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListParams {
    page: Option<String>,
}

pub struct UserLine {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org: String,
    pub region: String,
    pub linked_elder: bool,
    pub active: bool,
    pub created_at: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    ui: Ui,
    lines: Vec<UserLine>,
    total: String,
    pages: Vec<PageLink>,
}

/// Organization names by id, for showing users' organizations.
async fn org_names(state: &WebState, session: &Session) -> Vec<(String, String)> {
    crate::orgs::pages::org_choices(state, session, Default::default()).await
}

pub async fn list(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<ListParams>,
) -> PageResult {
    let lang = session.lang;
    let mut ignored = Vec::new();
    let page = Page::new(
        crate::api::int_param(&mut ignored, "page", &params.page, 1, 1_000_000),
        Some(PER_PAGE),
    );
    let (rows, total) = session
        .run(state.app.list_users(&session.actor, page))
        .await?;
    let orgs: HashMap<String, String> = org_names(&state, &session).await.into_iter().collect();
    let lines = rows
        .into_iter()
        .map(|u| UserLine {
            role: u.role.label(lang).to_string(),
            org: u
                .org_id
                .as_ref()
                .map(|o| orgs.get(o).cloned().unwrap_or_else(|| o.clone()))
                .unwrap_or_default(),
            region: u
                .region_code
                .as_deref()
                .map(region::display_code_of)
                .unwrap_or_default(),
            linked_elder: u.elder_id.is_some(),
            active: u.active == 1,
            created_at: app::local_time_text(&u.created_at),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    let page = ListPage {
        lines,
        total: thousands(total),
        pages: page_links("/users", &[], page, total, lang),
        ui: session.ui(Section::Users),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Default)]
pub struct UserValues {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_id: String,
    pub region_code: String,
    pub elder_id: String,
    pub phone: String,
    pub active: bool,
    pub caregiver_certified: bool,
    pub trained_on: String,
}

impl UserValues {
    fn from_row(u: &UserView) -> UserValues {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        UserValues {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.code().to_string(),
            org_id: s(&u.org_id),
            region_code: u
                .region_code
                .as_deref()
                .map(region::display_code_of)
                .unwrap_or_default(),
            elder_id: s(&u.elder_id),
            phone: s(&u.phone),
            active: u.active == 1,
            caregiver_certified: u.caregiver_certified == 1,
            trained_on: s(&u.trained_on),
        }
    }

    fn from_form(form: &FormData, username: Option<String>) -> UserValues {
        UserValues {
            username: username.unwrap_or_else(|| form.text("username")),
            display_name: form.text("display_name"),
            role: form.text("role"),
            org_id: form.text("org_id"),
            region_code: form.text("region_code"),
            elder_id: form.text("elder_id"),
            phone: form.text("phone"),
            active: form.checked("active"),
            caregiver_certified: form.checked("caregiver_certified"),
            trained_on: form.text("trained_on"),
        }
    }

    fn to_input(&self, password: Option<String>) -> UserInput {
        let opt = |v: &str| Some(v.to_string()).filter(|v| !v.trim().is_empty());
        UserInput {
            username: opt(&self.username),
            display_name: opt(&self.display_name),
            role: opt(&self.role),
            org_id: opt(&self.org_id),
            region_code: opt(&self.region_code),
            elder_id: opt(&self.elder_id),
            phone: opt(&self.phone),
            active: Some(self.active),
            caregiver_certified: Some(self.caregiver_certified),
            trained_on: opt(&self.trained_on),
            password,
        }
    }
}

#[derive(Template)]
#[template(path = "users/form.html")]
pub(crate) struct FormPage {
    ui: Ui,
    editing: Option<String>,
    action: String,
    v: UserValues,
    roles: Vec<Opt>,
    orgs: Vec<Opt>,
    errors: FormErrors,
}

impl FormPage {}

const FORM_FIELDS: [&str; 11] = [
    "username",
    "display_name",
    "role",
    "org_id",
    "region_code",
    "elder_id",
    "phone",
    "active",
    "caregiver_certified",
    "trained_on",
    "password",
];

impl RecordForm for UserValues {
    type Page = FormPage;

    fn label(field: &str, lang: Lang) -> String {
        match field {
            "username" => t(lang, "用户名"),
            "display_name" => t(lang, "姓名"),
            "role" => t(lang, "角色"),
            "org_id" => t(lang, "所属机构"),
            "region_code" => t(lang, "所属区划"),
            "elder_id" => t(lang, "关联老人档案编号"),
            "phone" => t(lang, "电话"),
            "active" => t(lang, "启用"),
            "caregiver_certified" => t(lang, "持有护理员证书"),
            "trained_on" => t(lang, "最近培训日期"),
            "password" => t(lang, "密码"),
            other => return other.to_string(),
        }
        .to_string()
    }

    fn shown_fields() -> Vec<String> {
        FORM_FIELDS.map(String::from).to_vec()
    }

    async fn page(self, at: FormAt<'_>, errors: FormErrors) -> FormPage {
        let FormAt {
            state,
            session,
            editing,
        } = at;
        let v = self;
        let lang = session.lang;
        let blank = t(lang, "（无）");
        let mut roles = vec![Opt::new("", t(lang, "（请选择）"), &v.role)];
        roles.extend(
            Role::ALL
                .iter()
                .map(|r| Opt::new(r.code(), r.label(lang), &v.role)),
        );
        let mut orgs = vec![Opt::new("", blank, &v.org_id)];
        let names = org_names(state, session).await;
        if !v.org_id.is_empty() && !names.iter().any(|(id, _)| *id == v.org_id) {
            orgs.push(Opt::new(v.org_id.clone(), v.org_id.clone(), &v.org_id));
        }
        orgs.extend(
            names
                .into_iter()
                .map(|(id, name)| Opt::new(id, name, &v.org_id)),
        );
        FormPage {
            action: match &editing {
                Some(id) => format!("/users/{id}/edit"),
                None => "/users/new".into(),
            },
            ui: session.ui(Section::Users),
            editing,
            v,
            roles,
            orgs,
            errors,
        }
    }
}

pub async fn new_form(State(state): State<WebState>, session: Session) -> PageResult {
    session.require(&state.app, Action::ManageUsers).await?;
    let v = UserValues {
        active: true,
        ..Default::default()
    };
    form_shown(&state, &session, None, v).await
}

pub async fn create(
    State(state): State<WebState>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let v = UserValues::from_form(&form, None);
    let input = v.to_input(form.opt("password"));
    let saved = state.app.create_user(&session.actor, &input).await;
    let saved = saved.map(|_| "/users".to_string());
    form_saved(&state, &session, None, v, saved).await
}

pub async fn edit_form(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let row = session.run(state.app.get_user(&session.actor, &id)).await?;
    form_shown(&state, &session, Some(id), UserValues::from_row(&row)).await
}

pub async fn update(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    // The username is fixed once created; show the stored one again on an error.
    let row = session.run(state.app.get_user(&session.actor, &id)).await?;
    let v = UserValues::from_form(&form, Some(row.username));
    let input = v.to_input(form.opt("password"));
    let saved = state.app.update_user(&session.actor, &id, &input).await;
    let saved = saved.map(|()| "/users".to_string());
    form_saved(&state, &session, Some(id), v, saved).await
}
