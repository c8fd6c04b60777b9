//! The in-process site the UI tests drive: a fresh SQLite database with the fixture, the router,
//! and a small cookie-keeping client that stands in for the browser.
#![allow(dead_code)] // each test file uses part of it

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use std::collections::BTreeMap;
use testkit::{Fixture, TestDb, PASSWORD};
use tower::ServiceExt;

pub struct Site {
    pub router: Router,
    pub app: app::App,
    pub fixture: Fixture,
    pub db: TestDb,
}

impl Site {
    pub async fn start() -> Site {
        let db = TestDb::new(&testkit::Backend::Sqlite).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let router = web::router(web::WebState::new(app.clone()));
        Site {
            router,
            app,
            fixture,
            db,
        }
    }

    /// Every table's rows, in order: what a refused request must leave as it was.
    pub async fn snapshot(&self) -> Vec<(String, Vec<String>)> {
        use sqlx::{Connection, Row};
        let mut conn = sqlx::SqliteConnection::connect(&self.db.url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> 'sessions' ORDER BY name",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut snapshot = Vec::new();
        for table in tables {
            let rows = sqlx::query(&format!("SELECT * FROM \"{table}\""))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            let rows = rows
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            row.try_get::<Option<String>, _>(i)
                                .map(|v| format!("{v:?}"))
                                .or_else(|_| {
                                    row.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}"))
                                })
                                .or_else(|_| {
                                    row.try_get::<Option<f64>, _>(i).map(|v| format!("{v:?}"))
                                })
                                .unwrap_or_else(|_| "<blob>".into())
                        })
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect();
            snapshot.push((table, rows));
        }
        snapshot
    }

    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
        }
    }

    /// A browser signed in as `username` through the sign-in form.
    pub async fn signed_in(&self, username: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.sign_in(username, PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        browser
    }
}

pub struct Response {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub content_type: String,
    pub cache_control: String,
    pub body: String,
}

impl Response {
    /// The value of the first hidden `csrf` input of the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a csrf field") + marker.len();
        let end = self.body[start..].find('"').expect("end of value");
        self.body[start..start + end].to_string()
    }

    /// The text of each `field-error` shown for `field`.
    pub fn field_errors(&self, field: &str) -> Vec<String> {
        let marker = format!("class=\"field-error\" data-field=\"{}\"", escape(field));
        self.body
            .match_indices(&marker)
            .map(|(at, _)| {
                let rest = &self.body[at..];
                let start = rest.find('>').expect("tag end") + 1;
                let end = rest.find("</p>").expect("paragraph end");
                rest[start..end].to_string()
            })
            .collect()
    }

    /// The hidden fields of the form whose `id` is given.
    pub fn hidden_fields(&self, form_id: &str) -> Vec<(String, String)> {
        let start = self
            .body
            .find(&format!("id=\"{form_id}\""))
            .expect("the form");
        let end = start + self.body[start..].find("</form>").expect("form end");
        let form = &self.body[start..end];
        form.match_indices("<input type=\"hidden\" name=\"")
            .map(|(at, marker)| {
                let rest = &form[at + marker.len()..];
                let name_end = rest.find('"').unwrap();
                let value_start = rest.find("value=\"").unwrap() + 7;
                let value_end = value_start + rest[value_start..].find('"').unwrap();
                (
                    rest[..name_end].to_string(),
                    unescape(&rest[value_start..value_end]),
                )
            })
            .collect()
    }
}

/// HTML escaping as askama does it (numeric references), for finding text in the page.
pub fn escape(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('"', "&#34;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('\'', "&#39;")
}

pub fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Keeps cookies between requests, as a browser does.
pub struct Browser {
    pub router: Router,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Response {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header(header::COOKIE, cookie)
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("request"))
            .await
            .expect("response");
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let status = response.status();
        let location = Some(header_text(header::LOCATION)).filter(|l| !l.is_empty());
        let content_type = header_text(header::CONTENT_TYPE);
        let cache_control = header_text(header::CACHE_CONTROL);
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        for set in &set_cookies {
            let first = set.split(';').next().unwrap_or("");
            if let Some((name, value)) = first.split_once('=') {
                if value.is_empty() || set.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Response {
            status,
            location,
            set_cookies,
            content_type,
            cache_control,
            body: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Request::builder().uri(path), Body::empty()).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(encode(fields))).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Response {
        let form = self.get("/login").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    pub async fn post_owned(&mut self, path: &str, fields: &[(String, String)]) -> Response {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post(path, &pairs).await
    }
}

pub fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}
