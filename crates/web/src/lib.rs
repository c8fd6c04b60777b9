//! The web layer: the JSON API under `/api/v1`, the HTML UI, `/healthz` and `/metrics`.
//! Handlers translate between HTTP and `app` use cases; they decide nothing about access.

pub mod alerts;
pub mod api;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod devices;
pub mod elders;
mod error;
mod extract;
pub mod grants;
mod hygiene;
pub mod imports;
pub mod kit;
mod metrics;
mod openapi;
pub mod orgs;
mod proxy;
pub mod regions;
pub mod ui;
pub mod users;
pub mod vitals;

pub use error::ApiError;
pub use metrics::Metrics;
pub use proxy::TrustedProxies;

use app::App;
use axum::Router;
pub use kit::{Route, Surface};
use std::sync::Arc;

/// Process-wide state of the web layer.
#[derive(Clone)]
pub struct WebState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// The proxies whose `X-Forwarded-For` names the client; none by default.
    pub trusted_proxies: TrustedProxies,
}

impl WebState {
    pub fn new(app: App) -> WebState {
        WebState {
            app,
            metrics: Arc::new(Metrics::default()),
            secure_cookies: false,
            trusted_proxies: TrustedProxies::default(),
        }
    }

    pub fn with_trusted_proxies(self, trusted_proxies: TrustedProxies) -> WebState {
        WebState {
            trusted_proxies,
            ..self
        }
    }
}

/// Every route of the server, in one place: [`router`] is built from this table, and the tests
/// read it (every UI form refuses a missing CSRF token; the OpenAPI document lists the API).
pub fn routes() -> Vec<Route> {
    use axum::http::Method as M;
    use Route as R;
    vec![
        R::api(M::GET, "/api/v1/openapi.json", openapi::document),
        R::api(M::POST, "/api/v1/auth/login", auth::api::login),
        R::api(M::POST, "/api/v1/auth/logout", auth::api::logout),
        R::api(M::GET, "/api/v1/auth/me", auth::api::me),
        R::api(M::GET, "/api/v1/elders", elders::api::list),
        R::api(M::POST, "/api/v1/elders", elders::api::create),
        R::api(M::GET, "/api/v1/elders/{id}", elders::api::get),
        R::api(M::PATCH, "/api/v1/elders/{id}", elders::api::update),
        R::api(M::PUT, "/api/v1/elders/{id}", elders::api::update),
        R::api(M::GET, "/api/v1/elders/{id}/history", elders::api::history),
        R::api(M::GET, "/api/v1/elders/{id}/grants", grants::list),
        R::api(M::POST, "/api/v1/elders/{id}/grants", grants::create),
        R::api(
            M::DELETE,
            "/api/v1/elders/{id}/grants/{grant_id}",
            grants::revoke,
        ),
        R::api(
            M::GET,
            "/api/v1/elders/{id}/assessments",
            assessments::api::for_elder,
        ),
        R::api(
            M::POST,
            "/api/v1/elders/{id}/assessments",
            assessments::api::create,
        ),
        R::api(
            M::POST,
            "/api/v1/elders/{id}/reassessment-requests",
            assessments::api::request_reassessment,
        ),
        R::api(
            M::GET,
            "/api/v1/instruments",
            assessments::api::list_instruments,
        ),
        R::api(
            M::GET,
            "/api/v1/instruments/{id}",
            assessments::api::get_instrument,
        ),
        R::api(
            M::POST,
            "/api/v1/instruments/{id}/score",
            assessments::api::score,
        ),
        R::api(
            M::GET,
            "/api/v1/assessments/worklist",
            assessments::api::worklist,
        ),
        R::api(M::GET, "/api/v1/assessments/stats", assessments::api::stats),
        R::api(
            M::GET,
            "/api/v1/assessments/subsidies",
            assessments::api::subsidies,
        ),
        R::api(M::GET, "/api/v1/assessments/{id}", assessments::api::get),
        R::api(
            M::POST,
            "/api/v1/assessments/{id}/confirm",
            assessments::api::confirm,
        ),
        R::api(
            M::POST,
            "/api/v1/assessments/{id}/return",
            assessments::api::return_for_correction,
        ),
        R::api(M::GET, "/api/v1/organizations", orgs::api::list),
        R::api(M::POST, "/api/v1/organizations", orgs::api::create),
        R::api(M::GET, "/api/v1/organizations/{id}", orgs::api::get),
        R::api(M::PATCH, "/api/v1/organizations/{id}", orgs::api::update),
        R::api(M::GET, "/api/v1/regions", regions::api::list),
        R::api(M::GET, "/api/v1/regions/{code}", regions::api::get),
        R::api(M::GET, "/api/v1/users", users::api::list),
        R::api(M::POST, "/api/v1/users", users::api::create),
        R::api(M::GET, "/api/v1/users/{id}", users::api::get),
        R::api(M::PATCH, "/api/v1/users/{id}", users::api::update),
        R::api(M::GET, "/api/v1/audit", audit::api::search),
        R::api(M::GET, "/api/v1/dashboard", dashboard::api::get),
        R::api(M::POST, "/api/v1/imports", imports::api::upload),
        R::api(M::GET, "/api/v1/devices", devices::api::list),
        R::api(M::POST, "/api/v1/devices", devices::api::register),
        R::api(M::GET, "/api/v1/devices/{id}", devices::api::get),
        R::api(M::POST, "/api/v1/devices/{id}/bind", devices::api::bind),
        R::api(M::POST, "/api/v1/devices/{id}/unbind", devices::api::unbind),
        R::api(M::POST, "/api/v1/readings", vitals::readings::upload)
            .body_limit(vitals::readings::MAX_UPLOAD_BYTES),
        R::api(
            M::GET,
            "/api/v1/elders/{id}/readings",
            vitals::readings::for_elder,
        ),
        R::api(
            M::GET,
            "/api/v1/elders/{id}/thresholds",
            vitals::thresholds::get,
        ),
        R::api(
            M::PUT,
            "/api/v1/elders/{id}/thresholds",
            vitals::thresholds::set,
        ),
        R::api(M::GET, "/api/v1/alerts", alerts::api::list),
        R::api(M::GET, "/api/v1/alerts/stream", alerts::api::stream),
        R::api(M::GET, "/api/v1/alerts/{id}", alerts::api::get),
        R::api(
            M::POST,
            "/api/v1/alerts/{id}/acknowledge",
            alerts::api::acknowledge,
        ),
        R::api(M::POST, "/api/v1/alerts/{id}/resolve", alerts::api::resolve),
        R::api(M::GET, "/api/v1/outbox", alerts::outbox::pending),
        R::api(M::POST, "/api/v1/outbox/{id}/sent", alerts::outbox::sent),
        R::ops("/healthz", api::health::healthz),
        R::ops("/metrics", metrics::render),
        // The HTML UI.
        R::page("/static/{version}/{*file}", ui::assets::serve),
        R::page("/login", auth::pages::login_page),
        R::form("/login", auth::pages::login),
        R::form("/logout", auth::pages::logout),
        R::page("/lang/{code}", auth::pages::switch_language),
        R::page("/", dashboard::pages::page),
        R::page("/elders", elders::pages::list),
        R::page("/elders/new", elders::pages::new_form),
        R::form("/elders/new", elders::pages::create),
        R::page("/elders/{id}", elders::pages::detail),
        R::page("/elders/{id}/assessments/new", assessments::pages::new_form),
        R::form("/elders/{id}/assessments/new", assessments::pages::review),
        R::form("/elders/{id}/assessments", assessments::pages::sign),
        R::form(
            "/elders/{id}/reassessment-requests",
            assessments::pages::request_reassessment,
        ),
        R::page("/assessments", assessments::pages::worklist),
        R::page("/assessments/stats", assessments::pages::stats),
        R::page("/assessments/{id}", assessments::pages::view),
        R::form("/assessments/{id}/confirm", assessments::pages::confirm),
        R::form(
            "/assessments/{id}/return",
            assessments::pages::return_for_correction,
        ),
        R::page("/assessments/{id}/print", assessments::pages::print),
        R::page("/elders/{id}/edit", elders::pages::edit_form),
        R::form("/elders/{id}/edit", elders::pages::update),
        R::form("/elders/{id}/thresholds", vitals::pages::set),
        R::page("/alerts", alerts::pages::page),
        R::page("/alerts/board", alerts::pages::fragment),
        R::page("/alerts/stream", alerts::pages::stream),
        R::page("/alerts/history", alerts::pages::history),
        R::page("/alerts/{id}", alerts::pages::detail),
        R::form("/alerts/{id}/acknowledge", alerts::pages::acknowledge),
        R::form("/alerts/{id}/resolve", alerts::pages::resolve),
        R::page("/devices", devices::pages::list),
        R::page("/devices/new", devices::pages::new_form),
        R::form("/devices/new", devices::pages::create),
        R::page("/devices/bind", devices::pages::bind_form),
        R::form("/devices/bind", devices::pages::bind),
        R::form("/devices/{id}/unbind", devices::pages::unbind),
        R::page("/orgs", orgs::pages::list),
        R::page("/orgs/new", orgs::pages::new_form),
        R::form("/orgs/new", orgs::pages::create),
        R::page("/orgs/{id}", orgs::pages::detail),
        R::page("/orgs/{id}/edit", orgs::pages::edit_form),
        R::form("/orgs/{id}/edit", orgs::pages::update),
        R::page("/users", users::pages::list),
        R::page("/users/new", users::pages::new_form),
        R::form("/users/new", users::pages::create),
        R::page("/users/{id}/edit", users::pages::edit_form),
        R::form("/users/{id}/edit", users::pages::update),
        R::page("/audit", audit::pages::page),
        R::page("/import", imports::pages::page),
        R::form("/import", imports::pages::upload),
    ]
}

/// The server, built from [`routes`].
pub fn router(state: WebState) -> Router {
    let (mut api, mut ui, mut ops) = (Router::new(), Router::new(), Router::new());
    for route in routes() {
        match route.surface {
            Surface::Api => {
                let path = route.path.strip_prefix("/api/v1").expect("an API path");
                api = api.route(path, route.handler);
            }
            Surface::Page | Surface::Form => ui = ui.route(route.path, route.handler),
            Surface::Ops => ops = ops.route(route.path, route.handler),
        }
    }
    Router::new()
        .nest(
            "/api/v1",
            api.fallback(api::not_found)
                .layer(axum::middleware::from_fn(hygiene::api_headers)),
        )
        .merge(ops)
        .merge(ui::wrap(ui))
        .layer(axum::middleware::from_fn(hygiene::refuse_nul))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024))
        .with_state(state)
}
