//! The home page: the counts of the caller's scope, elders by sub-region and the age pyramid.

use crate::ui::charts::{BarChart, Pyramid};
use crate::ui::form::query;
use crate::ui::{render, see_other, thousands, OrPage, PageResult, Section, Session, Ui};
use crate::WebState;
use access::Action;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

pub struct Stat {
    pub label: &'static str,
    pub value: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "dashboard/home.html")]
struct HomePage {
    ui: Ui,
    scope_name: String,
    stats: Vec<Stat>,
    by_region: BarChart,
    pyramid: Pyramid,
}

pub async fn page(State(state): State<WebState>, session: Session) -> PageResult {
    let lang = session.lang;
    let actor = &session.actor;
    // The elder or family member has no dashboard: their home is their own record.
    if !actor.may(Action::ReadDashboard) {
        if let Some(id) = &actor.elder_id() {
            return Ok(see_other(&format!("/elders/{id}")));
        }
    }
    let dashboard = state.app.dashboard(actor).await.or_page(&session)?;
    let scope_name = match actor.region_root() {
        Some(code) => state
            .app
            .region(code.prefix())
            .await
            .ok()
            .flatten()
            .map(|r| r.name)
            .unwrap_or_else(|| code.display_code()),
        None => match &actor.org_id() {
            Some(org) => state
                .app
                .get_org(actor, org)
                .await
                .map(|o| o.name)
                .unwrap_or_default(),
            None => crate::ui::t(lang, "全部辖区").to_string(),
        },
    };
    let c = &dashboard.counts;
    let list = |pairs: &[(&str, &str)]| format!("/elders?{}", query(pairs));
    // The disease and disability counts group several codes (I10–I15, E10–E14, disabled and
    // semi-disabled) that no single list filter matches, so those cards link nowhere.
    let stats = vec![
        Stat {
            label: crate::ui::t(lang, "老人总数"),
            value: thousands(c.total),
            href: "/elders".into(),
        },
        Stat {
            label: crate::ui::t(lang, "80岁以上"),
            value: thousands(c.aged_80_plus),
            href: list(&[("category", "aged_80_plus")]),
        },
        Stat {
            label: crate::ui::t(lang, "独居"),
            value: thousands(c.alone),
            href: list(&[("living_situation", "alone")]),
        },
        Stat {
            label: crate::ui::t(lang, "失能/半失能"),
            value: thousands(c.disabled),
            href: String::new(),
        },
        Stat {
            label: crate::ui::t(lang, "高血压"),
            value: thousands(c.hypertension),
            href: String::new(),
        },
        Stat {
            label: crate::ui::t(lang, "糖尿病"),
            value: thousands(c.diabetes),
            href: String::new(),
        },
        Stat {
            label: crate::ui::t(lang, "机构"),
            value: thousands(dashboard.organizations),
            href: "/orgs".into(),
        },
    ];
    let by_region = BarChart::new(
        dashboard
            .by_region
            .into_iter()
            .map(|(code, name, n)| {
                let display = region::display_code_of(&code);
                (name, n, Some(list(&[("region", &display)])))
            })
            .collect(),
    );
    let page = HomePage {
        ui: session.ui(Section::Home),
        scope_name,
        stats,
        by_region,
        pyramid: Pyramid::new(&dashboard.age_bands),
    };
    Ok(render(StatusCode::OK, &page))
}
