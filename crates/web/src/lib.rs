//! The web layer: the JSON API under `/api/v1`, the HTML UI, `/healthz` and `/metrics`.
//! Handlers translate between HTTP and `app` use cases; they decide nothing about access.

pub mod api;
mod error;
mod extract;
mod grants;
mod live;
mod metrics;
mod openapi;
pub mod ui;

pub use error::ApiError;
pub use metrics::Metrics;

use app::App;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// Process-wide state of the web layer.
#[derive(Clone)]
pub struct WebState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
}

impl WebState {
    pub fn new(app: App) -> WebState {
        WebState {
            app,
            metrics: Arc::new(Metrics::default()),
            secure_cookies: false,
        }
    }
}

/// Every route of the server, in one place.
pub fn router(state: WebState) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/auth/login", post(api::auth::login))
        .route("/auth/logout", post(api::auth::logout))
        .route("/auth/me", get(api::auth::me))
        .route("/elders", get(api::elders::list).post(api::elders::create))
        .route(
            "/elders/{id}",
            get(api::elders::get)
                .patch(api::elders::update)
                .put(api::elders::update),
        )
        .route("/elders/{id}/history", get(api::elders::history))
        .route(
            "/elders/{id}/grants",
            get(grants::list).post(grants::create),
        )
        .route(
            "/elders/{id}/grants/{grant_id}",
            axum::routing::delete(grants::revoke),
        )
        .route(
            "/elders/{id}/assessments",
            get(api::assessments::for_elder).post(api::assessments::create),
        )
        .route(
            "/elders/{id}/reassessment-requests",
            post(api::assessments::request_reassessment),
        )
        .route("/instruments", get(api::assessments::list_instruments))
        .route("/instruments/{id}", get(api::assessments::get_instrument))
        .route("/instruments/{id}/score", post(api::assessments::score))
        .route("/assessments/worklist", get(api::assessments::worklist))
        .route("/assessments/stats", get(api::assessments::stats))
        .route("/assessments/subsidies", get(api::assessments::subsidies))
        .route("/assessments/{id}", get(api::assessments::get))
        .route("/assessments/{id}/confirm", post(api::assessments::confirm))
        .route(
            "/assessments/{id}/return",
            post(api::assessments::return_for_correction),
        )
        .route(
            "/organizations",
            get(api::orgs::list).post(api::orgs::create),
        )
        .route(
            "/organizations/{id}",
            get(api::orgs::get).patch(api::orgs::update),
        )
        .route("/regions", get(api::regions::list))
        .route("/regions/{code}", get(api::regions::get))
        .route("/users", get(api::users::list).post(api::users::create))
        .route(
            "/users/{id}",
            get(api::users::get).patch(api::users::update),
        )
        .route("/audit", get(api::audit::search))
        .route("/dashboard", get(api::dashboard::get))
        .route("/imports", post(api::imports::upload))
        .route(
            "/devices",
            get(api::devices::list).post(api::devices::register),
        )
        .route("/devices/{id}", get(api::devices::get))
        .route("/devices/{id}/bind", post(api::devices::bind))
        .route("/devices/{id}/unbind", post(api::devices::unbind))
        .route(
            "/readings",
            post(api::readings::upload).layer(axum::extract::DefaultBodyLimit::max(
                api::readings::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/elders/{id}/readings", get(api::readings::for_elder))
        .route(
            "/elders/{id}/thresholds",
            get(api::thresholds::get).put(api::thresholds::set),
        )
        .route("/alerts", get(api::alerts::list))
        .route("/alerts/stream", get(api::alerts::stream))
        .route("/alerts/{id}", get(api::alerts::get))
        .route("/alerts/{id}/acknowledge", post(api::alerts::acknowledge))
        .route("/alerts/{id}/resolve", post(api::alerts::resolve))
        .route("/outbox", get(api::outbox::pending))
        .route("/outbox/{id}/sent", post(api::outbox::sent))
        .fallback(api::not_found);
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(api::health::healthz))
        .route("/metrics", get(metrics::render))
        .merge(ui::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024))
        .with_state(state)
}
