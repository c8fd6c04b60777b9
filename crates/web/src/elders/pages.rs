//! The elderly record: list with search and filters, the elder's page, and the create and edit
//! forms whose server-side errors appear next to their fields.

use crate::assessments::pages::{elder_panel, ElderPanel, RequestForm};
use crate::kit::text;
use crate::kit::{filtered_rows, form_saved, form_shown, CsrfForm, FormAt, RecordForm};
use crate::kit::{ui_page, Filters};
use crate::ui::facts::Fact;
use crate::ui::form::enum_options;
use crate::ui::form::{page_links, Check, FormData, FormErrors, Opt, PageLink};
use crate::ui::region_names::{self, RegionNames};
use crate::ui::{render, t, thousands, OrPage, PageResult, Section, Session, Ui};
use crate::WebState;
use access::Action;
use app::elders::{field_label, input_from_row, ElderQuery, ElderView};
use app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use registry::elder::condition_name;
use registry::{ElderInput, ElderStatus, Lang, LivingSituation, MedicalInsurance, Sex};
use registry::{FieldError, Problem, SpecialCategory};
use serde::Deserialize;
use std::collections::HashMap;

const PER_PAGE: i64 = 20;
/// Contact rows the form offers.
const CONTACT_ROWS: usize = 3;

fn code_label<T: Copy>(
    parse: fn(&str) -> Option<T>,
    label: fn(T, Lang) -> &'static str,
) -> impl Fn(&str, Lang) -> String {
    move |code, lang| {
        parse(code)
            .map(|v| label(v, lang).to_string())
            .unwrap_or_else(|| code.to_string())
    }
}

fn conditions_text(codes: &[String], lang: Lang) -> String {
    codes
        .iter()
        .map(|c| match condition_name(c, lang) {
            Some(name) => format!("{name} {c}"),
            None => c.clone(),
        })
        .collect::<Vec<_>>()
        .join(lang.pick("、", ", "))
}

fn categories_text(codes: &[String], lang: Lang) -> String {
    codes
        .iter()
        .map(|c| code_label(SpecialCategory::parse, SpecialCategory::label)(c, lang))
        .collect::<Vec<_>>()
        .join(lang.pick("、", ", "))
}

// ---------------------------------------------------------------------------------------------
// List

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    region: Option<String>,
    status: Option<String>,
    living_situation: Option<String>,
    sex: Option<String>,
    category: Option<String>,
    condition: Option<String>,
    care_level: Option<String>,
    min_age: Option<String>,
    max_age: Option<String>,
    /// Records managed by or living in one organization (from its page).
    org: Option<String>,
    page: Option<String>,
}

pub struct ElderLine {
    pub id: String,
    pub name: String,
    pub sex: String,
    pub age: i32,
    pub id_number: String,
    pub phone: String,
    pub region: String,
    pub living: String,
    pub categories: String,
    pub conditions: String,
    pub status: String,
    pub inactive: bool,
}

#[derive(Template)]
#[template(path = "elders/list.html")]
struct ListPage {
    ui: Ui,
    q: String,
    min_age: String,
    max_age: String,
    condition: String,
    org: String,
    regions: Vec<Opt>,
    statuses: Vec<Opt>,
    livings: Vec<Opt>,
    sexes: Vec<Opt>,
    categories: Vec<Opt>,
    care_levels: Vec<Opt>,
    filtered: bool,
    errors: FormErrors,
    lines: Vec<ElderLine>,
    total: String,
    pages: Vec<PageLink>,
    can_create: bool,
}

pub async fn list(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<ListParams>,
) -> PageResult {
    let lang = session.lang;
    let mut errors = Vec::new();
    let page = ui_page(&mut errors, &params.page, PER_PAGE);
    let min_age = crate::api::int_param(&mut errors, "min_age", &params.min_age, 0, 150);
    let max_age = crate::api::int_param(&mut errors, "max_age", &params.max_age, 0, 150);
    let query_input = ElderQuery {
        q: params.q.clone().filter(|q| !q.trim().is_empty()),
        region: params.region.clone(),
        status: params.status.clone(),
        living_situation: params.living_situation.clone(),
        sex: params.sex.clone(),
        category: params.category.clone(),
        condition: params.condition.clone(),
        org_id: params.org.clone().filter(|o| !o.trim().is_empty()),
        care_level: params.care_level.clone(),
        min_age,
        max_age,
    };
    let found = state.app.list_elders(&session.actor, &query_input, page);
    let (views, total, form_errors) =
        filtered_rows(&session, errors, found, &FILTERS, filter_label).await?;
    let mut names = RegionNames::default();
    let mut lines = Vec::with_capacity(views.len());
    for v in views {
        let region = match &v.region_code {
            Some(code) => names.short_path(&state.app, code).await,
            None => String::new(),
        };
        lines.push(line_of(v, region, lang));
    }
    let current = [
        ("q", text(&params.q)),
        ("region", text(&params.region)),
        ("status", text(&params.status)),
        ("living_situation", text(&params.living_situation)),
        ("sex", text(&params.sex)),
        ("category", text(&params.category)),
        ("condition", text(&params.condition)),
        ("min_age", text(&params.min_age)),
        ("max_age", text(&params.max_age)),
        ("org", text(&params.org)),
    ];
    let filtered = current.iter().any(|(_, v)| !v.is_empty());
    let pages = page_links("/elders", &current, page, total, lang);
    let any = t(lang, "不限");
    let page = ListPage {
        q: text(&params.q),
        min_age: text(&params.min_age),
        max_age: text(&params.max_age),
        condition: text(&params.condition),
        org: text(&params.org),
        regions: region_names::filter_options(
            &state.app,
            &session.actor,
            &text(&params.region),
            any,
        )
        .await,
        statuses: enum_options!(ElderStatus, lang, &text(&params.status), any),
        livings: enum_options!(LivingSituation, lang, &text(&params.living_situation), any),
        sexes: enum_options!(Sex, lang, &text(&params.sex), any),
        categories: enum_options!(SpecialCategory, lang, &text(&params.category), any),
        care_levels: {
            let current = text(&params.care_level);
            let mut options = vec![Opt::new("", any, &current)];
            for level in assessment::SelfCareLevel::ALL {
                options.push(Opt::new(level.code(), level.label().pick(lang), &current));
            }
            options.push(Opt::new(
                "unassessed",
                lang.pick("未评估", "not assessed"),
                &current,
            ));
            options
        },
        filtered,
        errors: form_errors,
        lines,
        total: thousands(total),
        pages,
        can_create: session.actor.may(Action::CreateElder),
        ui: session.ui(Section::Elders),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The filters of the list, each with its errors beside it.
const FILTERS: [&str; 10] = [
    "q",
    "region",
    "status",
    "living_situation",
    "sex",
    "category",
    "condition",
    "care_level",
    "min_age",
    "max_age",
];

fn filter_label(field: &str, lang: Lang) -> String {
    match field {
        "region" => t(lang, "区划").into(),
        "category" => t(lang, "特殊人群").into(),
        "condition" => t(lang, "慢性病").into(),
        "min_age" | "max_age" => t(lang, "年龄").into(),
        "page" => t(lang, "页码").into(),
        other => field_label(other, lang).into(),
    }
}

fn line_of(v: ElderView, region: String, lang: Lang) -> ElderLine {
    ElderLine {
        sex: code_label(Sex::parse, Sex::label)(&v.sex, lang),
        living: v
            .living_situation
            .as_deref()
            .map(|c| code_label(LivingSituation::parse, LivingSituation::label)(c, lang))
            .unwrap_or_default(),
        categories: categories_text(&v.special_categories, lang),
        conditions: conditions_text(&v.chronic_conditions, lang),
        status: code_label(ElderStatus::parse, ElderStatus::label)(&v.status, lang),
        inactive: v.status != ElderStatus::Alive.code(),
        id: v.id,
        name: v.name,
        age: v.age,
        id_number: v.id_number,
        phone: v.phone.unwrap_or_default(),
        region,
    }
}

// ---------------------------------------------------------------------------------------------
// The elder's page

pub struct ContactLine {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

pub struct ConditionLine {
    pub code: String,
    pub name: String,
}

pub struct ChangeLine {
    pub at: String,
    pub username: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Template)]
#[template(path = "elders/detail.html")]
struct DetailPage {
    ui: Ui,
    id: String,
    name: String,
    sex: String,
    age: i32,
    region: String,
    /// Basic information.
    facts: Vec<Fact>,
    categories: Vec<String>,
    conditions: Vec<ConditionLine>,
    status: String,
    inactive: bool,
    contacts: Vec<ContactLine>,
    history: Vec<ChangeLine>,
    can_edit: bool,
    assess: ElderPanel,
    /// None for the roles that do not see monitoring.
    monitoring: Option<crate::vitals::pages::Panel>,
}

pub async fn detail(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    detail_page(
        &state,
        &session,
        &id,
        RequestForm::default(),
        StatusCode::OK,
    )
    .await
}

/// The elder's page; `request` is the reassessment request form as filled in after an error.
pub(crate) async fn detail_page(
    state: &WebState,
    session: &Session,
    id: &str,
    request: RequestForm,
    status: StatusCode,
) -> PageResult {
    detail_page_with(state, session, id, request, None, status).await
}

/// The elder's page with the thresholds form as the doctor filled it in (after an error).
pub(crate) async fn detail_page_with(
    state: &WebState,
    session: &Session,
    id: &str,
    request: RequestForm,
    thresholds: Option<crate::vitals::pages::ThresholdInput>,
    status: StatusCode,
) -> PageResult {
    let lang = session.lang;
    let actor = &session.actor;
    let view = state.app.get_elder(actor, id).await.or_page(session)?;
    let history = state.app.elder_history(actor, id).await.or_page(session)?;
    let assess = elder_panel(state, session, id, request).await?;
    let monitoring = crate::vitals::pages::panel(state, session, id, thresholds)
        .await
        .or_page(session)?;
    let mut names = RegionNames::default();
    let region = match &view.region_code {
        Some(code) => names.full_path(&state.app, code).await,
        None => String::new(),
    };
    let mut org_names: HashMap<String, String> = HashMap::new();
    let mut org_fact = async |label, org: &Option<String>| match org {
        Some(org) => Fact::new(
            label,
            org_name(&state.app, actor, org, &mut org_names).await,
        )
        .link(format!("/orgs/{org}")),
        None => Fact::new(label, ""),
    };
    let responsible_org = org_fact(t(lang, "管理机构"), &view.responsible_org_id).await;
    let residence_org = org_fact(t(lang, "入住机构"), &view.residence_org_id).await;
    let mut changes = Vec::with_capacity(history.len());
    for row in history {
        let mut show =
            async |value: &Option<String>| match value.as_deref().filter(|v| !v.is_empty()) {
                Some(value) => {
                    history_value(&state.app, actor, &row.field, value, lang, &mut org_names).await
                }
                None => "—".to_string(),
            };
        let old = show(&row.old_value).await;
        let new = show(&row.new_value).await;
        changes.push(ChangeLine {
            at: app::local_time_text(&row.changed_at),
            field: match field_label(&row.field, lang) {
                "" => row.field.clone(),
                label => label.to_string(),
            },
            username: row.username,
            old,
            new,
        });
    }
    let living = view
        .living_situation
        .as_deref()
        .map(|c| code_label(LivingSituation::parse, LivingSituation::label)(c, lang))
        .unwrap_or_default();
    let insurance = view
        .medical_insurance
        .as_deref()
        .map(|c| code_label(MedicalInsurance::parse, MedicalInsurance::label)(c, lang))
        .unwrap_or_default();
    let mut id_number = Fact::new(t(lang, "身份证号"), view.id_number).mono();
    if view.identity_masked {
        id_number = id_number.note(t(lang, "已脱敏"));
    }
    let ltc_insurance = if view.ltc_insurance {
        t(lang, "已参保")
    } else {
        t(lang, "未参保")
    };
    let facts = vec![
        id_number,
        match view.birth_date {
            Some(date) => Fact::new(t(lang, "出生日期"), date),
            None => Fact::new(t(lang, "年龄"), format!("{} {}", view.age, t(lang, "岁"))),
        },
        Fact::new(t(lang, "电话"), view.phone.unwrap_or_default()).mono(),
        Fact::new(t(lang, "住址"), view.address.unwrap_or_default()),
        Fact::new(t(lang, "所属区划"), region.clone()),
        Fact::new(t(lang, "居住情况"), living),
        Fact::new(t(lang, "医疗保险"), insurance),
        Fact::new(t(lang, "长期护理保险"), ltc_insurance),
        responsible_org,
        residence_org,
        Fact::new(t(lang, "建档时间"), app::local_time_text(&view.created_at)),
        Fact::new(t(lang, "最后修改"), app::local_time_text(&view.updated_at)),
    ];
    let page = DetailPage {
        sex: code_label(Sex::parse, Sex::label)(&view.sex, lang),
        facts,
        categories: view
            .special_categories
            .iter()
            .map(|c| code_label(SpecialCategory::parse, SpecialCategory::label)(c, lang))
            .collect(),
        conditions: view
            .chronic_conditions
            .iter()
            .map(|c| ConditionLine {
                name: condition_name(c, lang).unwrap_or("").to_string(),
                code: c.clone(),
            })
            .collect(),
        status: code_label(ElderStatus::parse, ElderStatus::label)(&view.status, lang),
        inactive: view.status != ElderStatus::Alive.code(),
        contacts: view
            .contacts
            .into_iter()
            .map(|c| ContactLine {
                name: c.name,
                relation: c.relation,
                phone: c.phone,
            })
            .collect(),
        history: changes,
        can_edit: actor.may(Action::UpdateElder),
        id: view.id,
        name: view.name,
        age: view.age,
        region,
        assess,
        monitoring,
        ui: session.ui(Section::Elders),
    };
    Ok(render(status, &page))
}

/// An organization's name (its id if it is gone), remembered for the rest of the page.
async fn org_name(
    app: &app::App,
    actor: &app::Actor,
    id: &str,
    known: &mut HashMap<String, String>,
) -> String {
    if let Some(name) = known.get(id) {
        return name.clone();
    }
    let name = app
        .get_org(actor, id)
        .await
        .map(|o| o.name)
        .unwrap_or_else(|_| id.to_string());
    known.insert(id.to_string(), name.clone());
    name
}

/// A stored value of the change history as a person reads it.
async fn history_value(
    app: &app::App,
    actor: &app::Actor,
    field: &str,
    value: &str,
    lang: Lang,
    org_names: &mut HashMap<String, String>,
) -> String {
    match field {
        "sex" => code_label(Sex::parse, Sex::label)(value, lang),
        "living_situation" => {
            code_label(LivingSituation::parse, LivingSituation::label)(value, lang)
        }
        "medical_insurance" => {
            code_label(MedicalInsurance::parse, MedicalInsurance::label)(value, lang)
        }
        "status" => code_label(ElderStatus::parse, ElderStatus::label)(value, lang),
        "special_categories" => categories_text(&app::unframe_list(value), lang),
        "chronic_conditions" => conditions_text(&app::unframe_list(value), lang),
        "ltc_insurance" => match value {
            "1" => t(lang, "是").into(),
            "0" => t(lang, "否").into(),
            other => other.into(),
        },
        "region_code" => {
            let name = RegionNames::default().short_path(app, value).await;
            let code = region::display_code_of(value);
            if name == code {
                code
            } else {
                format!("{name}（{code}）")
            }
        }
        "responsible_org_id" | "residence_org_id" => org_name(app, actor, value, org_names).await,
        "contacts" => match serde_json::from_str::<Vec<serde_json::Value>>(value) {
            Ok(list) => list
                .iter()
                .map(|c| {
                    let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
                    format!("{} {} {}", s("name"), s("relation"), s("phone"))
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join("；"),
            Err(_) => value.to_string(),
        },
        _ => value.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Create and edit

/// What the form shows: the stored record or what the user typed.
#[derive(Default)]
pub struct ElderValues {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
    pub region_code: String,
    pub living_situation: String,
    pub special_categories: Vec<String>,
    pub medical_insurance: String,
    pub ltc_insurance: bool,
    pub chronic_conditions: String,
    pub status: String,
    pub contacts: Vec<ContactLine>,
    pub responsible_org_id: String,
    pub residence_org_id: String,
    pub version: String,
}

impl ElderValues {
    fn from_input(input: &ElderInput, version: i64) -> ElderValues {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut contacts: Vec<ContactLine> = input
            .contacts
            .iter()
            .map(|(n, r, p)| ContactLine {
                name: s(n),
                relation: s(r),
                phone: s(p),
            })
            .collect();
        pad_contacts(&mut contacts);
        ElderValues {
            name: s(&input.name),
            id_number: s(&input.id_number),
            phone: s(&input.phone),
            address: s(&input.address),
            region_code: input
                .region_code
                .as_deref()
                .map(region::display_code_of)
                .unwrap_or_default(),
            living_situation: s(&input.living_situation),
            special_categories: input.special_categories.clone(),
            medical_insurance: s(&input.medical_insurance),
            ltc_insurance: input.ltc_insurance.unwrap_or(false),
            chronic_conditions: input.chronic_conditions.join(", "),
            status: s(&input.status),
            contacts,
            responsible_org_id: s(&input.responsible_org_id),
            residence_org_id: s(&input.residence_org_id),
            version: version.to_string(),
        }
    }

    fn from_form(form: &FormData) -> ElderValues {
        let mut contacts: Vec<ContactLine> = (0..CONTACT_ROWS)
            .map(|i| ContactLine {
                name: form.text(&format!("contacts[{i}].name")),
                relation: form.text(&format!("contacts[{i}].relation")),
                phone: form.text(&format!("contacts[{i}].phone")),
            })
            .collect();
        pad_contacts(&mut contacts);
        ElderValues {
            name: form.text("name"),
            id_number: form.text("id_number"),
            phone: form.text("phone"),
            address: form.text("address"),
            region_code: form.text("region_code"),
            living_situation: form.text("living_situation"),
            special_categories: form.all("special_categories"),
            medical_insurance: form.text("medical_insurance"),
            ltc_insurance: form.checked("ltc_insurance"),
            chronic_conditions: form.text("chronic_conditions"),
            status: form.text("status"),
            contacts,
            responsible_org_id: form.text("responsible_org_id"),
            residence_org_id: form.text("residence_org_id"),
            version: form.text("version"),
        }
    }

    /// The record to validate. Blank contact rows are dropped, but the row numbers of the
    /// others stay as the form shows them, so that `contacts[2].phone` names the third row.
    fn to_input(&self) -> ElderInput {
        let opt = |v: &str| Some(v.to_string()).filter(|v| !v.trim().is_empty());
        let last_filled = self
            .contacts
            .iter()
            .rposition(|c| {
                !(c.name.trim().is_empty()
                    && c.relation.trim().is_empty()
                    && c.phone.trim().is_empty())
            })
            .map(|i| i + 1)
            .unwrap_or(0);
        ElderInput {
            name: opt(&self.name),
            id_number: opt(&self.id_number),
            sex: None,
            birth_date: None,
            phone: opt(&self.phone),
            address: opt(&self.address),
            region_code: opt(&self.region_code),
            living_situation: opt(&self.living_situation),
            special_categories: self.special_categories.clone(),
            medical_insurance: opt(&self.medical_insurance),
            ltc_insurance: Some(self.ltc_insurance),
            chronic_conditions: self
                .chronic_conditions
                .split(|c: char| {
                    c == ',' || c == '，' || c == '、' || c == ';' || c.is_whitespace()
                })
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            status: opt(&self.status),
            contacts: self.contacts[..last_filled]
                .iter()
                .map(|c| (opt(&c.name), opt(&c.relation), opt(&c.phone)))
                .collect(),
            responsible_org_id: opt(&self.responsible_org_id),
            residence_org_id: opt(&self.residence_org_id),
        }
    }

    fn version(&self) -> Option<i64> {
        self.version.trim().parse().ok()
    }
}

fn pad_contacts(contacts: &mut Vec<ContactLine>) {
    while contacts.len() < CONTACT_ROWS {
        contacts.push(ContactLine {
            name: String::new(),
            relation: String::new(),
            phone: String::new(),
        });
    }
}

pub struct ContactRow<'a> {
    pub number: usize,
    pub values: &'a ContactLine,
    pub name_field: String,
    pub relation_field: String,
    pub phone_field: String,
}

#[derive(Template)]
#[template(path = "elders/form.html")]
pub(crate) struct FormPage {
    ui: Ui,
    /// The record being edited; None when creating.
    editing: Option<String>,
    action: String,
    v: ElderValues,
    livings: Vec<Opt>,
    insurances: Vec<Opt>,
    statuses: Vec<Opt>,
    categories: Vec<Check>,
    responsible_orgs: Vec<Opt>,
    residence_orgs: Vec<Opt>,
    regions: Vec<Opt>,
    errors: FormErrors,
}

impl FormPage {
    /// The contact rows with the names of their fields.
    fn contact_rows(&self) -> Vec<ContactRow<'_>> {
        self.v
            .contacts
            .iter()
            .enumerate()
            .map(|(i, c)| ContactRow {
                number: i + 1,
                values: c,
                name_field: format!("contacts[{i}].name"),
                relation_field: format!("contacts[{i}].relation"),
                phone_field: format!("contacts[{i}].phone"),
            })
            .collect()
    }
}

impl RecordForm for ElderValues {
    type Page = FormPage;

    /// The fields the form shows beside an input; errors of others go to the top.
    fn shown_fields() -> Vec<String> {
        let mut fields: Vec<String> = [
            "name",
            "id_number",
            "phone",
            "address",
            "region_code",
            "living_situation",
            "special_categories",
            "medical_insurance",
            "ltc_insurance",
            "chronic_conditions",
            "status",
            "responsible_org_id",
            "residence_org_id",
        ]
        .map(String::from)
        .to_vec();
        for i in 0..CONTACT_ROWS {
            for part in ["name", "relation", "phone"] {
                fields.push(format!("contacts[{i}].{part}"));
            }
        }
        fields
    }

    fn label(field: &str, lang: Lang) -> String {
        if let Some(rest) = field.strip_prefix("contacts[") {
            let (index, part) = rest.split_once("].").unwrap_or((rest, ""));
            let n = index.parse::<usize>().map(|i| i + 1).unwrap_or(0);
            let part = match part {
                "name" => t(lang, "姓名"),
                "relation" => t(lang, "关系"),
                "phone" => t(lang, "电话"),
                _ => "",
            };
            return format!("{} {n} {part}", t(lang, "联系人"));
        }
        match field_label(field, lang) {
            "" => field.to_string(),
            label => label.to_string(),
        }
    }

    async fn page(self, at: FormAt<'_>, errors: FormErrors) -> FormPage {
        let FormAt {
            state,
            session,
            editing,
        } = at;
        let v = self;
        let lang = session.lang;
        let blank = t(lang, "（未填写）");
        let orgs = org_options(state, session).await;
        let org_select = |current: &str| {
            let mut options = vec![Opt::new("", blank, current)];
            options.extend(
                orgs.iter()
                    .map(|(id, name)| Opt::new(id.clone(), name.clone(), current)),
            );
            if !current.is_empty() && !orgs.iter().any(|(id, _)| id == current) {
                options.push(Opt::new(current, current, current));
            }
            options
        };
        FormPage {
            action: match &editing {
                Some(id) => format!("/elders/{id}/edit"),
                None => "/elders/new".into(),
            },
            livings: enum_options!(LivingSituation, lang, &v.living_situation, blank),
            insurances: enum_options!(MedicalInsurance, lang, &v.medical_insurance, blank),
            statuses: enum_options!(ElderStatus, lang, &v.status, default = "alive"),
            categories: SpecialCategory::ALL
                .iter()
                // Derived from the birth date, never entered.
                .filter(|c| **c != SpecialCategory::Aged80Plus)
                .map(|c| Check {
                    value: c.code().into(),
                    label: c.label(lang).into(),
                    checked: v.special_categories.iter().any(|s| s == c.code()),
                })
                .collect(),
            responsible_orgs: org_select(&v.responsible_org_id),
            residence_orgs: org_select(&v.residence_org_id),
            regions: region_names::datalist(&state.app, &session.actor).await,
            ui: session.ui(Section::Elders),
            editing,
            v,
            errors,
        }
    }
}

/// Organizations to choose from: those in the caller's region (all for others), by name.
async fn org_options(state: &WebState, session: &Session) -> Vec<(String, String)> {
    let filter = app::orgs::OrgFilter {
        region_prefix: session.actor.region_root().map(|c| c.prefix().to_string()),
        ..Default::default()
    };
    crate::orgs::pages::org_choices(state, session, filter).await
}

pub async fn new_form(State(state): State<WebState>, session: Session) -> PageResult {
    session.require(&state.app, Action::CreateElder).await?;
    let mut v = ElderValues {
        // What the record gets anyway when none is chosen; shown so that it can be changed.
        responsible_org_id: session
            .actor
            .org_id()
            .map(str::to_string)
            .unwrap_or_default(),
        ..Default::default()
    };
    pad_contacts(&mut v.contacts);
    form_shown(&state, &session, None, v).await
}

pub async fn create(
    State(state): State<WebState>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let v = ElderValues::from_form(&form);
    let saved = state.app.create_elder(&session.actor, &v.to_input()).await;
    let saved = saved.map(|id| format!("/elders/{id}"));
    form_saved(&state, &session, None, v, saved).await
}

pub async fn edit_form(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let row = session
        .run(state.app.elder_for_edit(&session.actor, &id))
        .await?;
    let v = ElderValues::from_input(&input_from_row(&row), row.version);
    form_shown(&state, &session, Some(id), v).await
}

pub async fn update(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let v = ElderValues::from_form(&form);
    let saved = match v.version() {
        Some(version) => {
            let input = v.to_input();
            let saved = state
                .app
                .update_elder(&session.actor, &id, &input, Some(version));
            saved.await.map(|_| format!("/elders/{id}"))
        }
        None => Err(AppError::Invalid(vec![FieldError::new(
            "version",
            Problem::Invalid {
                zh: "表单缺少版本号，请重新打开编辑页面".into(),
                en: "the form has no version; open the edit page again".into(),
            },
        )])),
    };
    form_saved(&state, &session, Some(id), v, saved).await
}
