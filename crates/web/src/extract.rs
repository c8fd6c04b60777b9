//! Extractors: the signed-in caller, the user's language, and JSON/query bodies whose
//! malformed input is answered with the API's one error shape.

use crate::{ApiError, WebState};
use app::{Actor, AppError};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use registry::{FieldError, Lang, Problem};
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "yiyang_session";
pub const LANG_COOKIE: &str = "yiyang_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `?lang=`, then the language cookie, then `Accept-Language`; Chinese by default.
pub fn lang_of(parts: &Parts) -> Lang {
    if let Some(query) = parts.uri.query() {
        for pair in query.split('&') {
            if let Some(v) = pair.strip_prefix("lang=") {
                return Lang::parse(v);
            }
        }
    }
    if let Some(v) = cookie(parts, LANG_COOKIE) {
        return Lang::parse(v);
    }
    parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

impl WebState {
    /// The client's address: the connection's peer, or, from one of our proxies, the address
    /// its `X-Forwarded-For` vouches for ([`crate::TrustedProxies`]). None without a connection
    /// (in-process requests).
    pub fn client_ip(&self, parts: &Parts) -> Option<String> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        // A value that is not text is not an address either: the walk stops there.
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap_or("?"))
            .collect();
        self.trusted_proxies
            .client(peer, &forwarded)
            .map(|ip| ip.to_string())
    }
}

/// The user's language, as an extractor.
pub struct UserLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for UserLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(UserLang(lang_of(parts)))
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Bearer,
    Cookie,
}

/// The signed-in caller of an API request: a bearer token, or the session cookie (then a
/// state-changing request must carry the session's CSRF token in `X-CSRF-Token`).
pub struct Caller {
    pub actor: Actor,
    pub lang: Lang,
    pub token: String,
    pub credential: Credential,
}

impl Caller {
    /// Awaits a use case run for this caller; its error answers in the caller's language.
    pub async fn run<T>(
        &self,
        use_case: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, ApiError> {
        use_case.await.map_err(|e| ApiError::new(e, self.lang))
    }

    /// A use case's answer as JSON, in the shape `J` the API shows it in.
    pub async fn json<T, J: From<T>>(
        &self,
        use_case: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<axum::Json<J>, ApiError> {
        self.run(use_case).await.map(|v| axum::Json(v.into()))
    }
}

/// The credential of an `Authorization: Bearer ...` header, trimmed.
pub fn bearer_of(parts: &Parts) -> Option<&str> {
    let auth = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))?;
    Some(token.trim())
}

fn token_of(parts: &Parts) -> Option<(String, Credential)> {
    if let Some(token) = bearer_of(parts) {
        return Some((token.to_string(), Credential::Bearer));
    }
    cookie(parts, SESSION_COOKIE).map(|t| (t.to_string(), Credential::Cookie))
}

impl FromRequestParts<WebState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let Some((token, credential)) = token_of(parts) else {
            return Err(ApiError::new(AppError::Unauthenticated, lang));
        };
        let actor = state
            .app
            .authenticate(&token, state.client_ip(parts))
            .await
            .map_err(|e| ApiError::new(e, lang))?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if credential == Credential::Cookie && unsafe_method {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent, actor.csrf_token()) {
                return Err(ApiError::new(AppError::Forbidden, lang));
            }
        }
        Ok(Caller {
            actor,
            lang,
            token,
            credential,
        })
    }
}

impl OptionalFromRequestParts<WebState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <Caller as FromRequestParts<WebState>>::from_request_parts(parts, state).await {
            Ok(c) => Ok(Some(c)),
            Err(_) => Ok(None),
        }
    }
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Parses a JSON body into `T`; malformed JSON or a wrong type becomes a 422 naming the field
/// (the JSON path) in the user's language.
pub fn parse_json<T: DeserializeOwned>(body: &[u8], lang: Lang) -> Result<T, ApiError> {
    if body.len() > 2 * 1024 * 1024 {
        return Err(ApiError::new(
            AppError::field(
                "body",
                Problem::TooLong {
                    max: 2 * 1024 * 1024,
                },
            ),
            lang,
        ));
    }
    if let Some(field) = crate::hygiene::nul_in_json(body) {
        return Err(ApiError::new(crate::hygiene::nul_in(&field), lang));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // A truncated document has no field path yet (`?`): the body is what is wrong.
        let field = if path == "." || path == "?" || path.is_empty() {
            "body".to_string()
        } else {
            path
        };
        let problem = if inner.is_syntax() || inner.is_eof() {
            Problem::Invalid {
                zh: "不是有效的 JSON".into(),
                en: "is not valid JSON".into(),
            }
        } else {
            // serde's own text names the expected type; it is English only.
            let detail: String = inner
                .to_string()
                .split(" at line")
                .next()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect();
            Problem::Invalid {
                zh: format!("类型或取值不正确：{detail}"),
                en: format!("has the wrong type or value: {detail}"),
            }
        };
        ApiError::new(
            AppError::Invalid(vec![FieldError::new(field, problem)]),
            lang,
        )
    })?;
    deserializer.end().map_err(|_| {
        ApiError::new(
            AppError::field(
                "body",
                Problem::Invalid {
                    zh: "JSON 之后有多余内容".into(),
                    en: "has trailing characters after the JSON".into(),
                },
            ),
            lang,
        )
    })?;
    Ok(value)
}

/// Parses a query string into `T` with the same error shape.
pub fn parse_query<T: DeserializeOwned>(
    parts_query: Option<&str>,
    lang: Lang,
) -> Result<T, ApiError> {
    let query = parts_query.unwrap_or("");
    serde_urlencoded_from_str(query).map_err(|detail| {
        ApiError::new(
            AppError::field(
                "query",
                Problem::Invalid {
                    zh: format!("查询参数不正确：{detail}"),
                    en: format!("invalid query parameters: {detail}"),
                },
            ),
            lang,
        )
    })
}

fn serde_urlencoded_from_str<T: DeserializeOwned>(query: &str) -> Result<T, String> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| "bad URI".to_string())?,
    )
    .map(|q| q.0)
    .map_err(|e| e.body_text().chars().take(200).collect())
}
