//! The HTML UI: server-rendered pages and plain HTML forms (POST, then redirect) over the same
//! `app` use cases as the JSON API. Compiled, auto-escaping askama templates only; the UI hides
//! buttons a role cannot use, but every access decision is the use case's.

pub(crate) mod assets;
pub(crate) mod charts;
pub(crate) mod facts;
pub(crate) mod form;
pub mod i18n;
pub(crate) mod region_names;

use crate::error::{messages, status_of};
use crate::extract::{cookie, lang_of, SESSION_COOKIE};
use crate::WebState;
use access::{Action, Role};
use app::{Actor, AppError};
use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Router;
use registry::Lang;

pub use crate::alerts::pages::end_streams as end_live_streams;
pub use i18n::t;

/// The UI's fallback and headers around its routes (declared in `crate::routes`).
pub fn wrap(routes: Router<WebState>) -> Router<WebState> {
    routes
        .fallback(not_found)
        .layer(axum::middleware::from_fn(page_headers))
}

/// Pages hold personal data: never cached, never framed, and scripts only from our own origin
/// (a second line of defence behind the escaping templates).
async fn page_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// What a handler answers: a page, or a page explaining why not.
pub type PageResult = Result<Response, Refusal>;

/// A page that explains why a request was not done. Boxed: a response is large, and it is the
/// rare path.
pub struct Refusal(Box<Response>);

impl From<Response> for Refusal {
    fn from(response: Response) -> Refusal {
        Refusal(Box::new(response))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// The signed-in user of a page, from the session cookie. Without a live session the request
/// is sent to the sign-in page (and comes back here afterwards).
pub struct Session {
    pub actor: Actor,
    pub lang: Lang,
    pub token: String,
    /// Path and query of this request, for the language switch to return to.
    pub here: String,
}

impl FromRequestParts<WebState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let lang = lang_of(parts);
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let to_login = || {
            let target = if parts.method == Method::GET && here != "/" {
                format!("/login?next={}", form::encode(&here))
            } else {
                "/login".to_string()
            };
            Redirect::to(&target).into_response()
        };
        let Some(token) = cookie(parts, SESSION_COOKIE).map(str::to_string) else {
            return Err(to_login());
        };
        match state.app.authenticate(&token, state.client_ip(parts)).await {
            Ok(actor) => Ok(Session {
                actor,
                lang,
                token,
                here,
            }),
            Err(AppError::Unauthenticated) => {
                let mut response = to_login();
                crate::auth::pages::clear_session_cookie(&mut response, state.secure_cookies);
                Err(response)
            }
            Err(other) => Err(bare_error_page(lang, &other)),
        }
    }
}

/// The parts of the page header: who is signed in, where they may go.
pub struct Ui {
    pub lang: Lang,
    pub user: Option<UserBadge>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    /// Where the language switch returns to.
    pub here: String,
}

pub struct UserBadge {
    pub name: String,
    pub role: &'static str,
}

pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// The top-level areas of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Elders,
    Assessments,
    Alerts,
    Devices,
    Orgs,
    Import,
    Users,
    Audit,
    None,
}

impl Ui {
    /// A UI text in the page's language (the Chinese text is the key; see [`i18n`]).
    pub fn t(&self, zh: &'static str) -> &'static str {
        t(self.lang, zh)
    }

    /// `zh-CN` or `en`, for `<html lang>`.
    pub fn html_lang(&self) -> &'static str {
        self.lang.pick("zh-CN", "en")
    }

    /// The URL of an embedded asset, with its content hash so that it can be cached for good.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// The language switch: the other language's name, in that language.
    pub fn other_language(&self) -> &'static str {
        self.lang.pick("English", "中文")
    }

    /// `en` or `zh-CN`: the `lang` of the switch's own text.
    pub fn other_html_lang(&self) -> &'static str {
        self.lang.pick("en", "zh-CN")
    }

    /// The link that selects the other language and comes back here.
    pub fn other_language_href(&self) -> String {
        let code = self.lang.pick("en", "zh");
        format!("/lang/{code}?next={}", form::encode(&self.here))
    }

    /// For pages without a signed-in user (sign-in, errors before authentication).
    pub fn anonymous(lang: Lang, here: &str) -> Ui {
        Ui {
            lang,
            user: None,
            nav: Vec::new(),
            csrf: String::new(),
            here: here.to_string(),
        }
    }
}

impl Session {
    pub fn ui(&self, section: Section) -> Ui {
        let lang = self.lang;
        let role = self.actor.role();
        let may = |action| role.may(action);
        let mut nav = Vec::new();
        let mut item = |href: String, label: &'static str, this: Section| {
            nav.push(NavItem {
                href,
                label,
                active: this == section,
            })
        };
        if may(Action::ReadDashboard) {
            item("/".into(), t(lang, "首页"), Section::Home);
        }
        match (&self.actor.elder_id(), role) {
            (Some(id), Role::Family) => item(
                format!("/elders/{id}"),
                t(lang, "我的档案"),
                Section::Elders,
            ),
            _ if may(Action::ReadElder) => {
                item("/elders".into(), t(lang, "老人档案"), Section::Elders)
            }
            _ => {}
        }
        // One row an area: who may see it, where it goes, its name, its section.
        #[rustfmt::skip]
        let areas = [
            (Action::ReadDashboard, "/assessments", t(lang, "评估"), Section::Assessments),
            (Action::ReadMonitoring, "/alerts", t(lang, "告警"), Section::Alerts),
            (Action::ManageDevices, "/devices", t(lang, "设备"), Section::Devices),
            (Action::ReadOrganization, "/orgs", t(lang, "机构"), Section::Orgs),
            (Action::ImportElders, "/import", t(lang, "花名册导入"), Section::Import),
            (Action::ManageUsers, "/users", t(lang, "用户管理"), Section::Users),
            (Action::ReadAudit, "/audit", t(lang, "审计日志"), Section::Audit),
        ];
        for (action, href, label, this) in areas {
            // A family member may read the organizations caring for the elder, but has no list
            // of them to browse.
            let browsable = !(this == Section::Orgs && role == Role::Family);
            if may(action) && browsable {
                item(href.into(), label, this);
            }
        }
        Ui {
            lang,
            user: Some(UserBadge {
                name: self.actor.display_name().to_string(),
                role: role.label(lang),
            }),
            nav,
            csrf: self.actor.csrf_token().to_string(),
            here: self.here.clone(),
        }
    }

    /// Awaits a use case run for this user; its error is the error page.
    pub async fn run<T>(
        &self,
        use_case: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, Refusal> {
        use_case.await.or_page(self)
    }

    /// The error page (after the audit row of a denial) when this user's role may not `action`.
    pub async fn require(&self, app: &app::App, action: Action) -> Result<(), Refusal> {
        self.run(self.actor.require(app, action)).await
    }

    /// [`Session::error_page`] as a handler's error.
    pub fn refuse(&self, error: &AppError) -> Refusal {
        Refusal(Box::new(self.error_page(error)))
    }

    /// The page for a refused or failed request, inside the normal page frame.
    pub fn error_page(&self, error: &AppError) -> Response {
        if matches!(error, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        error_page(self.ui(Section::None), error)
    }
}

/// Maps a use-case result to the error page.
pub trait OrPage<T> {
    fn or_page(self, session: &Session) -> Result<T, Refusal>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, session: &Session) -> Result<T, Refusal> {
        self.map_err(|e| session.refuse(&e))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ui: Ui,
    status: u16,
    heading: &'static str,
    messages: Vec<String>,
}

fn error_page(ui: Ui, error: &AppError) -> Response {
    let status = status_of(error);
    let lang = ui.lang;
    let heading = match status {
        StatusCode::FORBIDDEN => t(lang, "无权访问"),
        StatusCode::NOT_FOUND => t(lang, "未找到"),
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => t(lang, "请求有误"),
        StatusCode::CONFLICT => t(lang, "记录已被修改"),
        StatusCode::TOO_MANY_REQUESTS => t(lang, "请稍后再试"),
        _ => t(lang, "出错了"),
    };
    let page = ErrorPage {
        heading,
        messages: message_lines(error, lang),
        status: status.as_u16(),
        ui,
    };
    render(status, &page)
}

/// The messages of an error, each after the field it names (`field: message`).
pub fn message_lines(error: &AppError, lang: Lang) -> Vec<String> {
    messages(error, lang)
        .into_iter()
        .map(|(field, message)| {
            if field.is_empty() {
                message
            } else {
                format!("{field}: {message}")
            }
        })
        .collect()
}

/// An error page for a request whose user is not known (the session could not be read).
pub(crate) fn bare_error_page(lang: Lang, error: &AppError) -> Response {
    error_page(Ui::anonymous(lang, "/"), error)
}

/// Unknown pages: 404 for the signed-in, the sign-in page for everyone else.
async fn not_found(session: Session) -> Response {
    session.error_page(&AppError::NotFound)
}

/// Renders a template as an HTML response.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// After a successful POST: go to the page that shows the result.
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).expect("ASCII digits"))
        .collect();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", groups.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }
}
