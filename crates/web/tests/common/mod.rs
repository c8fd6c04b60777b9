//! Shared helpers of the in-process HTTP tests: a router on a fresh database and requests
//! with a bearer token.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct Server {
    pub router: Router,
    pub app: app::App,
    _db: testkit::TestDb,
}

impl Server {
    pub async fn start(backend: &testkit::Backend) -> Server {
        let db = testkit::TestDb::new(backend).await;
        let app = db.app().await;
        let router = web::router(web::WebState::new(app.clone()));
        Server {
            router,
            app,
            _db: db,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, serde_json::Value) {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, serde_json::Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request
            .body(Body::from(body.unwrap_or("").to_string()))
            .expect("request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, json)
    }

    /// The response itself, body unread (for event streams and text such as `/metrics`).
    pub async fn open(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
    ) -> axum::response::Response {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request.body(Body::empty()).expect("request");
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("response")
    }

    /// A body's text, for responses that are not JSON.
    pub async fn text(&self, path: &str) -> (StatusCode, String) {
        let response = self.open("GET", path, None).await;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Creates (as `admin`) a doctor `username` of organization `org`, with the fixture's
    /// password, and signs them in: the staff of another organization in scope tests.
    pub async fn add_doctor(&self, admin: &str, username: &str, org: &str) -> String {
        let body = serde_json::json!({
            "username": username, "display_name": username, "role": "doctor",
            "org_id": org, "password": testkit::PASSWORD,
        })
        .to_string();
        let (status, created) = self
            .call("POST", "/api/v1/users", Some(admin), Some(&body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "add {username}: {created}");
        self.login(username, testkit::PASSWORD).await
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        let (status, json) = self
            .call("POST", "/api/v1/auth/login", None, Some(&body))
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {json}");
        json["token"].as_str().expect("token").to_string()
    }
}

/// The `field` of every error in a 422 body.
pub fn error_fields(json: &serde_json::Value) -> Vec<String> {
    json["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}
