//! Organizations: list with filters, the organization's page with its beds, services and
//! licences, and the create and edit forms.

use crate::kit::text;
use crate::kit::{filtered_rows, form_saved, form_shown, CsrfForm, FormAt, RecordForm};
use crate::kit::{ui_page, Filters};
use crate::ui::charts::BarChart;
use crate::ui::facts::Fact;
use crate::ui::form::enum_options;
use crate::ui::form::{page_links, query, Check, FormData, FormErrors, Opt, PageLink};
use crate::ui::region_names::{self, RegionNames};
use crate::ui::{render, t, thousands, PageResult, Section, Session, Ui};
use crate::WebState;
use access::{Action, Role};
use app::orgs::{OrgFilter, OrgRow};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use registry::organization::{OrgInput, OrgService, BED_FIELDS};
use registry::{FieldError, Lang, Operator, OrgCategory, OrgGrade, OrgKind, Problem};
use serde::Deserialize;

const PER_PAGE: i64 = 20;

fn label_of<T: Copy>(
    parse: fn(&str) -> Option<T>,
    label: fn(T, Lang) -> &'static str,
    code: &str,
    lang: Lang,
) -> String {
    parse(code)
        .map(|v| label(v, lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The label of each of the five bed counts, in the order of `BED_FIELDS`.
fn bed_label(index: usize, lang: Lang) -> &'static str {
    match index {
        0 => t(lang, "医疗床位"),
        1 => t(lang, "养老床位"),
        2 => t(lang, "护理型床位"),
        3 => t(lang, "安宁疗护床位"),
        _ => t(lang, "家庭病床"),
    }
}

fn beds_of(row: &OrgRow) -> [i64; 5] {
    [
        row.beds_medical,
        row.beds_elderly_care,
        row.beds_nursing,
        row.beds_hospice,
        row.beds_home,
    ]
}

// ---------------------------------------------------------------------------------------------
// List

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    category: Option<String>,
    kind: Option<String>,
    region: Option<String>,
    page: Option<String>,
}

pub struct OrgLine {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub grade: String,
    pub operator: String,
    pub region: String,
    pub beds: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "orgs/list.html")]
struct ListPage {
    ui: Ui,
    q: String,
    categories: Vec<Opt>,
    kinds: Vec<Opt>,
    regions: Vec<Opt>,
    errors: FormErrors,
    lines: Vec<OrgLine>,
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
    let region_prefix = match text(&params.region) {
        r if r.is_empty() => None,
        r => match region::RegionCode::parse(&r) {
            Ok(c) => Some(c.prefix().to_string()),
            Err(_) => {
                errors.push(FieldError::new("region", Problem::RegionCode));
                None
            }
        },
    };
    let category = Some(text(&params.category)).filter(|c| !c.is_empty());
    if category
        .as_deref()
        .is_some_and(|c| OrgCategory::parse(c).is_none())
    {
        errors.push(FieldError::new(
            "category",
            Problem::OneOf {
                allowed: OrgCategory::CODES.to_vec(),
            },
        ));
    }
    let kind = Some(text(&params.kind)).filter(|c| !c.is_empty());
    if kind.as_deref().is_some_and(|c| OrgKind::parse(c).is_none()) {
        errors.push(FieldError::new(
            "kind",
            Problem::OneOf {
                allowed: OrgKind::CODES.to_vec(),
            },
        ));
    }
    let filter = OrgFilter {
        region_prefix,
        category,
        kind,
        name_prefix: Some(text(&params.q)).filter(|q| !q.is_empty()),
        ..Default::default()
    };
    let found = state.app.list_orgs(&session.actor, filter, page);
    let filters = ["q", "category", "kind", "region"];
    let (rows, total, form_errors) =
        filtered_rows(&session, errors, found, &filters, filter_label).await?;
    let mut names = RegionNames::default();
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let beds = beds_of(&row);
        let beds = if row.category == OrgCategory::Medical {
            beds[0]
        } else {
            beds[1].max(beds[0])
        };
        lines.push(OrgLine {
            kind: row.kind.label(lang).to_string(),
            category: row.category.label(lang).to_string(),
            grade: row
                .grade
                .as_deref()
                .map(|g| label_of(OrgGrade::parse, OrgGrade::label, g, lang))
                .unwrap_or_default(),
            operator: row.operator.label(lang).to_string(),
            region: names.short_path(&state.app, &row.region_code).await,
            beds: thousands(beds),
            phone: row.phone.unwrap_or_default(),
            id: row.id,
            name: row.name,
        });
    }
    let current = [
        ("q", text(&params.q)),
        ("category", text(&params.category)),
        ("kind", text(&params.kind)),
        ("region", text(&params.region)),
    ];
    let any = t(lang, "不限");
    let page = ListPage {
        q: text(&params.q),
        categories: enum_options!(OrgCategory, lang, &text(&params.category), any),
        kinds: enum_options!(OrgKind, lang, &text(&params.kind), any),
        regions: region_names::filter_options(
            &state.app,
            &session.actor,
            &text(&params.region),
            any,
        )
        .await,
        errors: form_errors,
        lines,
        total: thousands(total),
        pages: page_links("/orgs", &current, page, total, lang),
        can_create: session.actor.role() == Role::Admin,
        ui: session.ui(Section::Orgs),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The organizations of `filter` to choose from in a form, as (id, name); none when they
/// cannot be read.
pub(crate) async fn org_choices(
    state: &WebState,
    session: &Session,
    filter: OrgFilter,
) -> Vec<(String, String)> {
    let all = app::Page::new(Some(1), Some(app::Page::MAX_PER_PAGE));
    state
        .app
        .list_orgs(&session.actor, filter, all)
        .await
        .map(|(rows, _)| rows.into_iter().map(|o| (o.id, o.name)).collect())
        .unwrap_or_default()
}

fn filter_label(field: &str, lang: Lang) -> String {
    match field {
        "q" => t(lang, "名称"),
        "category" => t(lang, "类别"),
        "kind" => t(lang, "机构类型"),
        "region" => t(lang, "区划"),
        _ => t(lang, "页码"),
    }
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// The organization's page

#[derive(Template)]
#[template(path = "orgs/detail.html")]
struct DetailPage {
    ui: Ui,
    id: String,
    name: String,
    kind: String,
    grade: String,
    operator: String,
    /// Basic information.
    facts: Vec<Fact>,
    /// Licences and registrations.
    licences: Vec<Fact>,
    beds: BarChart,
    services: Vec<String>,
    can_edit: bool,
    elders_href: String,
}

pub async fn detail(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let lang = session.lang;
    let row = session.run(state.app.get_org(&session.actor, &id)).await?;
    let beds = beds_of(&row);
    let chart = BarChart::new(
        beds.into_iter()
            .enumerate()
            .map(|(i, n)| (bed_label(i, lang).to_string(), n, None))
            .collect(),
    );
    let actor = &session.actor;
    let kind = row.kind.label(lang).to_string();
    let grade = row
        .grade
        .as_deref()
        .map(|g| label_of(OrgGrade::parse, OrgGrade::label, g, lang))
        .unwrap_or_default();
    let operator = row.operator.label(lang).to_string();
    let region = RegionNames::default()
        .full_path(&state.app, &row.region_code)
        .await;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let page = DetailPage {
        facts: vec![
            Fact::new(t(lang, "类别"), row.category.label(lang)),
            Fact::new(t(lang, "机构类型"), kind.clone()),
            Fact::new(t(lang, "医院等级"), grade.clone()),
            Fact::new(t(lang, "举办性质"), operator.clone()),
            Fact::new(t(lang, "所属区划"), region),
            Fact::new(t(lang, "地址"), text(&row.address)),
            Fact::new(t(lang, "电话"), text(&row.phone)).mono(),
            Fact::new(t(lang, "最后修改"), app::local_time_text(&row.updated_at)),
        ],
        licences: vec![
            Fact::new(t(lang, "医疗机构执业许可证号"), text(&row.medical_licence)).mono(),
            Fact::new(t(lang, "养老机构备案号"), text(&row.elderly_care_licence)).mono(),
        ],
        kind,
        grade,
        operator,
        beds: chart,
        services: app::unframe_list(&row.services)
            .iter()
            .map(|s| label_of(OrgService::parse, OrgService::label, s, lang))
            .collect(),
        can_edit: actor.may(Action::ManageOrganization)
            && (actor.role() == Role::Admin || actor.org_id() == Some(id.as_str())),
        elders_href: format!("/elders?{}", query(&[("org", &id)])),
        id,
        name: row.name,
        ui: session.ui(Section::Orgs),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// Create and edit

#[derive(Default)]
pub struct OrgValues {
    pub name: String,
    pub kind: String,
    pub grade: String,
    pub operator: String,
    pub region_code: String,
    pub address: String,
    pub phone: String,
    pub medical_licence: String,
    pub elderly_care_licence: String,
    pub beds: [String; 5],
    pub services: Vec<String>,
}

impl OrgValues {
    fn from_input(input: &OrgInput) -> OrgValues {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        OrgValues {
            name: s(&input.name),
            kind: s(&input.kind),
            grade: s(&input.grade),
            operator: s(&input.operator),
            region_code: input
                .region_code
                .as_deref()
                .map(region::display_code_of)
                .unwrap_or_default(),
            address: s(&input.address),
            phone: s(&input.phone),
            medical_licence: s(&input.medical_licence),
            elderly_care_licence: s(&input.elderly_care_licence),
            beds: input.beds.clone().map(|b| b.unwrap_or_default()),
            services: input.services.clone(),
        }
    }

    fn from_form(form: &FormData) -> OrgValues {
        OrgValues {
            name: form.text("name"),
            kind: form.text("kind"),
            grade: form.text("grade"),
            operator: form.text("operator"),
            region_code: form.text("region_code"),
            address: form.text("address"),
            phone: form.text("phone"),
            medical_licence: form.text("medical_licence"),
            elderly_care_licence: form.text("elderly_care_licence"),
            beds: BED_FIELDS.map(|f| form.text(f)),
            services: form.all("services"),
        }
    }

    fn to_input(&self) -> OrgInput {
        let opt = |v: &str| Some(v.to_string()).filter(|v| !v.trim().is_empty());
        OrgInput {
            name: opt(&self.name),
            kind: opt(&self.kind),
            grade: opt(&self.grade),
            operator: opt(&self.operator),
            region_code: opt(&self.region_code),
            address: opt(&self.address),
            phone: opt(&self.phone),
            medical_licence: opt(&self.medical_licence),
            elderly_care_licence: opt(&self.elderly_care_licence),
            beds: self.beds.clone().map(|b| opt(&b)),
            services: self.services.clone(),
        }
    }
}

pub struct BedInput {
    pub field: &'static str,
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "orgs/form.html")]
pub(crate) struct FormPage {
    ui: Ui,
    editing: Option<String>,
    action: String,
    v: OrgValues,
    kinds: Vec<Opt>,
    grades: Vec<Opt>,
    operators: Vec<Opt>,
    beds: Vec<BedInput>,
    services: Vec<Check>,
    regions: Vec<Opt>,
    errors: FormErrors,
}

impl FormPage {}

impl RecordForm for OrgValues {
    type Page = FormPage;

    fn shown_fields() -> Vec<String> {
        let mut fields: Vec<String> = [
            "name",
            "kind",
            "grade",
            "operator",
            "region_code",
            "address",
            "phone",
            "medical_licence",
            "elderly_care_licence",
            "services",
        ]
        .map(String::from)
        .to_vec();
        fields.extend(BED_FIELDS.map(String::from));
        fields
    }

    fn label(field: &str, lang: Lang) -> String {
        match field {
            "name" => t(lang, "机构名称"),
            "kind" => t(lang, "机构类型"),
            "grade" => t(lang, "医院等级"),
            "operator" => t(lang, "举办性质"),
            "region_code" => t(lang, "所属区划"),
            "address" => t(lang, "地址"),
            "phone" => t(lang, "电话"),
            "medical_licence" => t(lang, "医疗机构执业许可证号"),
            "elderly_care_licence" => t(lang, "养老机构备案号"),
            "services" => t(lang, "服务与设施"),
            other => match BED_FIELDS.iter().position(|f| *f == other) {
                Some(i) => bed_label(i, lang),
                None => return other.to_string(),
            },
        }
        .to_string()
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
        FormPage {
            action: match &editing {
                Some(id) => format!("/orgs/{id}/edit"),
                None => "/orgs/new".into(),
            },
            kinds: enum_options!(OrgKind, lang, &v.kind, blank),
            grades: enum_options!(OrgGrade, lang, &v.grade, blank),
            operators: enum_options!(Operator, lang, &v.operator, default = "government"),
            beds: BED_FIELDS
                .iter()
                .zip(v.beds.iter())
                .enumerate()
                .map(|(i, (field, value))| BedInput {
                    field,
                    label: bed_label(i, lang),
                    value: value.clone(),
                })
                .collect(),
            services: OrgService::ALL
                .iter()
                .map(|s| Check {
                    value: s.code().into(),
                    label: s.label(lang).into(),
                    checked: v.services.iter().any(|x| x == s.code()),
                })
                .collect(),
            regions: region_names::datalist(&state.app, &session.actor).await,
            ui: session.ui(Section::Orgs),
            editing,
            v,
            errors,
        }
    }
}

pub async fn new_form(State(state): State<WebState>, session: Session) -> PageResult {
    session
        .require(&state.app, Action::ManageOrganization)
        .await?;
    form_shown(&state, &session, None, OrgValues::default()).await
}

pub async fn create(
    State(state): State<WebState>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let v = OrgValues::from_form(&form);
    let saved = state.app.create_org(&session.actor, &v.to_input()).await;
    let saved = saved.map(|id| format!("/orgs/{id}"));
    form_saved(&state, &session, None, v, saved).await
}

pub async fn edit_form(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    session
        .require(&state.app, Action::ManageOrganization)
        .await?;
    let row = session.run(state.app.get_org(&session.actor, &id)).await?;
    let v = OrgValues::from_input(&app::orgs::input_from_row(&row));
    form_shown(&state, &session, Some(id), v).await
}

pub async fn update(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let v = OrgValues::from_form(&form);
    let saved = state
        .app
        .update_org(&session.actor, &id, &v.to_input())
        .await;
    let saved = saved.map(|()| format!("/orgs/{id}"));
    form_saved(&state, &session, Some(id), v, saved).await
}
