//! The HTML UI (server-rendered, embedded templates and assets).

use crate::WebState;
use axum::Router;

pub fn routes() -> Router<WebState> {
    Router::new()
}
