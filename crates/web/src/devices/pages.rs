//! Home devices: the list of the caller's scope, registering a device bound to an elder,
//! binding an unbound one, unbinding. Registering and binding answer with the device's HTTP
//! credential, shown on that one page only: it is stored as a hash and cannot be shown again.

use crate::kit::text;
use crate::kit::CsrfForm;
use crate::kit::Filters;
use crate::ui::form::{encode, page_links, FormErrors, Opt, PageLink};
use crate::ui::{render, see_other, t, thousands, PageResult, Section, Session, Ui};
use crate::WebState;
use access::Action;
use app::monitoring::{DeviceView, RegisteredDevice};
use app::{AppError, Page};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use monitoring::DeviceKind;
use registry::Lang;
use serde::Deserialize;

const PER_PAGE: i64 = 50;

/// A device as the list and the elder's page show it.
pub struct DeviceLine {
    pub id: String,
    /// The id as a path segment.
    pub path: String,
    pub kind: &'static str,
    pub elder_name: String,
    pub elder_href: String,
    pub bound: bool,
    pub since: String,
    pub last_seen: String,
    pub rejected: i64,
    pub last_rejection: String,
    /// Readings under a seq used before with other content, and when the last one came.
    pub conflicts: i64,
    pub last_conflict: String,
}

impl DeviceLine {
    pub fn of(d: &DeviceView, lang: Lang) -> DeviceLine {
        DeviceLine {
            path: encode(&d.id),
            kind: d.kind.label(lang),
            elder_name: d.elder_name.clone().unwrap_or_default(),
            elder_href: d
                .elder_id
                .as_deref()
                .map(|e| format!("/elders/{e}"))
                .unwrap_or_default(),
            bound: d.bound,
            since: if d.bound {
                d.bound_at.as_deref().map(app::local_time_text)
            } else {
                d.unbound_at.as_deref().map(app::local_time_text)
            }
            .unwrap_or_default(),
            last_seen: d
                .last_seen_at
                .as_deref()
                .map(app::local_time_text)
                .unwrap_or_default(),
            rejected: d.rejected,
            last_rejection: d.last_rejection.clone().unwrap_or_default(),
            conflicts: d.conflicts,
            last_conflict: d
                .last_conflict_at
                .as_deref()
                .map(app::local_time_text)
                .unwrap_or_default(),
            id: d.id.clone(),
        }
    }
}

fn kind_options(lang: Lang, current: &str) -> Vec<Opt> {
    DeviceKind::ALL
        .iter()
        .map(|k| Opt::new(k.code(), k.label(lang), current))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// List

#[derive(Deserialize, Default)]
pub struct ListParams {
    elder_id: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "devices/list.html")]
struct ListPage {
    ui: Ui,
    lines: Vec<DeviceLine>,
    total: String,
    pages: Vec<PageLink>,
    elder_id: String,
    can_manage: bool,
    /// Where the unbind forms return to.
    here: String,
}

pub async fn list(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<ListParams>,
) -> PageResult {
    let lang = session.lang;
    let page = crate::kit::ui_page_or_refuse(&session, &params.page, PER_PAGE)?;
    let elder_id = params
        .elder_id
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    let (devices, total) = session
        .run(
            state
                .app
                .list_devices(&session.actor, elder_id.as_deref(), page),
        )
        .await?;
    let elder_id = elder_id.unwrap_or_default();
    let page = ListPage {
        lines: devices.iter().map(|d| DeviceLine::of(d, lang)).collect(),
        total: thousands(total),
        pages: page_links(
            "/devices",
            &[("elder_id", elder_id.clone())],
            page,
            total,
            lang,
        ),
        can_manage: session.actor.may(Action::ManageDevices),
        here: session.here.clone(),
        elder_id,
        ui: session.ui(Section::Devices),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// Register and bind

#[derive(Deserialize, Default)]
pub struct NewParams {
    elder_id: Option<String>,
    device_id: Option<String>,
}

#[derive(Template)]
#[template(path = "devices/form.html")]
struct FormPage {
    ui: Ui,
    /// Binding a registered device anew, rather than registering one.
    binding: bool,
    action: &'static str,
    device_id: String,
    kinds: Vec<Opt>,
    elder_id: String,
    elder_name: String,
    errors: FormErrors,
}

impl FormPage {}

fn form_fields() -> Vec<String> {
    ["device_id", "kind", "elder_id"].map(String::from).to_vec()
}

fn field_label(field: &str, lang: Lang) -> String {
    match field {
        "device_id" => t(lang, "设备编号").into(),
        "kind" => t(lang, "设备类型").into(),
        "elder_id" => t(lang, "老人档案编号").into(),
        other => other.into(),
    }
}

/// The elder's name for the form's hint, when the id names one the caller sees.
async fn elder_name(state: &WebState, session: &Session, elder_id: &str) -> String {
    if elder_id.trim().is_empty() {
        return String::new();
    }
    state
        .app
        .get_elder(&session.actor, elder_id.trim())
        .await
        .map(|e| e.name)
        .unwrap_or_default()
}

/// What the register or bind form shows: the user's input and the errors beside it.
struct Filled {
    device_id: String,
    kind: String,
    elder_id: String,
    errors: FormErrors,
}

async fn form_page(
    state: &WebState,
    session: &Session,
    binding: bool,
    filled: Filled,
    status: StatusCode,
) -> PageResult {
    let page = FormPage {
        action: if binding {
            "/devices/bind"
        } else {
            "/devices/new"
        },
        kinds: kind_options(session.lang, &filled.kind),
        elder_name: elder_name(state, session, &filled.elder_id).await,
        binding,
        device_id: filled.device_id,
        elder_id: filled.elder_id,
        errors: filled.errors,
        ui: session.ui(Section::Devices),
    };
    Ok(render(status, &page))
}

async fn blank_form(
    state: &WebState,
    session: &Session,
    params: NewParams,
    binding: bool,
) -> PageResult {
    session.require(&state.app, Action::ManageDevices).await?;
    let filled = Filled {
        device_id: text(&params.device_id),
        kind: DeviceKind::BloodPressureMonitor.code().into(),
        elder_id: text(&params.elder_id),
        errors: FormErrors::default(),
    };
    form_page(state, session, binding, filled, StatusCode::OK).await
}

/// `GET /devices/new`: the register form, the elder filled in when coming from their page.
pub async fn new_form(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<NewParams>,
) -> PageResult {
    blank_form(&state, &session, params, false).await
}

/// `GET /devices/bind`: binding a registered, unbound device (by its printed id) to an elder.
pub async fn bind_form(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<NewParams>,
) -> PageResult {
    blank_form(&state, &session, params, true).await
}

#[derive(Template)]
#[template(path = "devices/credential.html")]
struct CredentialPage {
    ui: Ui,
    device: DeviceLine,
    credential: String,
    rebound: bool,
}

fn credential_page(session: &Session, registered: RegisteredDevice, rebound: bool) -> PageResult {
    let page = CredentialPage {
        device: DeviceLine::of(&registered.device, session.lang),
        credential: registered.credential,
        rebound,
        ui: session.ui(Section::Devices),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    State(state): State<WebState>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let (device_id, kind, elder_id) = (
        form.text("device_id"),
        form.text("kind"),
        form.text("elder_id"),
    );
    match state
        .app
        .register_device(&session.actor, &device_id, &kind, &elder_id)
        .await
    {
        Ok(registered) => credential_page(&session, registered, false),
        Err(e @ AppError::Invalid(_)) => {
            let lang = session.lang;
            let filled = Filled {
                errors: FormErrors::from_error(&e, lang, form_fields(), |f| field_label(f, lang)),
                device_id,
                kind,
                elder_id,
            };
            form_page(
                &state,
                &session,
                false,
                filled,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(session.refuse(&e)),
    }
}

/// `POST /devices/bind`.
pub async fn bind(
    State(state): State<WebState>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let (device_id, elder_id) = (form.text("device_id"), form.text("elder_id"));
    let result = if device_id.trim().is_empty() {
        Err(AppError::field("device_id", registry::Problem::Required))
    } else {
        state
            .app
            .bind_device(&session.actor, device_id.trim(), &elder_id)
            .await
    };
    match result {
        Ok(registered) => credential_page(&session, registered, true),
        Err(e @ (AppError::Invalid(_) | AppError::NotFound)) => {
            let lang = session.lang;
            // An unknown device is a problem of the id typed, not a missing page.
            let e = match e {
                AppError::NotFound => AppError::field(
                    "device_id",
                    registry::Problem::Invalid {
                        zh: "未找到这台设备：尚未登记，或已绑定给您管辖范围以外的老人".into(),
                        en: "no such device: not registered, or bound to an elder outside your scope"
                            .into(),
                    },
                ),
                other => other,
            };
            let filled = Filled {
                errors: FormErrors::from_error(&e, lang, form_fields(), |f| field_label(f, lang)),
                device_id,
                kind: String::new(),
                elder_id,
            };
            form_page(
                &state,
                &session,
                true,
                filled,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(session.refuse(&e)),
    }
}

pub async fn unbind(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    session
        .run(state.app.unbind_device(&session.actor, &id))
        .await?;
    Ok(see_other(&form.next_or("/devices".into())))
}

/// The elder's devices, for the elder's page.
pub async fn of_elder(
    state: &WebState,
    session: &Session,
    elder_id: &str,
) -> Result<Vec<DeviceLine>, AppError> {
    let (devices, _) = state
        .app
        .list_devices(&session.actor, Some(elder_id), Page::new(Some(1), Some(50)))
        .await?;
    Ok(devices
        .iter()
        .map(|d| DeviceLine::of(d, session.lang))
        .collect())
}
