//! Signing in and out, and the language switch.
//!
//! The sign-in form carries a token of its own (a double-submitted cookie) so that another site
//! cannot sign a browser in under the attacker's account; once signed in, every form carries the
//! session's CSRF token instead.

use crate::error::messages;
use crate::extract::{constant_time_eq, cookie, LANG_COOKIE, SESSION_COOKIE};
use crate::kit::CsrfForm;
use crate::kit::{SignInForm, UserLang};
use crate::ui::form::local_path;
use crate::ui::{render, see_other, t, PageResult, Refusal, Ui};
use crate::WebState;
use app::auth::SessionKind;
use app::{AppError, LoginError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use registry::Lang;
use serde::Deserialize;

const LOGIN_CSRF_COOKIE: &str = "yiyang_login_csrf";

fn cookie_header(name: &str, value: &str, extra: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; SameSite=Lax{extra}{secure}"
    ))
    .expect("cookie text is ASCII")
}

fn add_cookie(response: &mut Response, value: HeaderValue) {
    response.headers_mut().append(header::SET_COOKIE, value);
}

pub fn clear_session_cookie(response: &mut Response, secure: bool) {
    add_cookie(
        response,
        cookie_header(SESSION_COOKIE, "", "; HttpOnly; Max-Age=0", secure),
    );
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ui: Ui,
    username: String,
    next: String,
    csrf: String,
    message: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn login_page(
    State(state): State<WebState>,
    UserLang(lang): UserLang,
    parts: Parts,
    Query(query): Query<LoginQuery>,
) -> Response {
    if let Some(token) = cookie(&parts, SESSION_COOKIE) {
        if state.app.authenticate(token, None).await.is_ok() {
            return see_other(&local_path(query.next.as_deref()));
        }
    }
    login_form(
        &parts,
        lang,
        String::new(),
        local_path(query.next.as_deref()),
        None,
        StatusCode::OK,
        state.secure_cookies,
    )
}

fn login_form(
    parts: &Parts,
    lang: Lang,
    username: String,
    next: String,
    message: Option<String>,
    status: StatusCode,
    secure: bool,
) -> Response {
    let here = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/login");
    let here = if here.starts_with("/login") {
        here.to_string()
    } else {
        "/login".into()
    };
    let existing = cookie(parts, LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 64)
        .map(str::to_string);
    let csrf = existing.clone().unwrap_or_else(app::auth::random_token);
    let page = LoginPage {
        ui: Ui::anonymous(lang, &here),
        username,
        next,
        csrf: csrf.clone(),
        message,
    };
    let mut response = render(status, &page);
    if existing.is_none() {
        add_cookie(
            &mut response,
            cookie_header(LOGIN_CSRF_COOKIE, &csrf, "; HttpOnly", secure),
        );
    }
    response
}

/// Refuses a sign-in form whose token is not the one of its cookie (the form again, 403), or
/// which holds a NUL byte (the form again, 422).
pub(crate) fn check_sign_in_form(sign_in: &SignInForm, secure: bool) -> Result<(), Refusal> {
    let SignInForm { parts, lang, form } = sign_in;
    let lang = *lang;
    let expected = cookie(parts, LOGIN_CSRF_COOKIE).unwrap_or("");
    let (message, status) = if !constant_time_eq(&form.text("csrf"), expected) {
        let message = t(lang, "登录表单已过期，请重新输入").to_string();
        (message, StatusCode::FORBIDDEN)
    } else if let Some(field) = form.field_with_nul() {
        let message = crate::ui::message_lines(&crate::hygiene::nul_in(&field), lang).join("; ");
        (message, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        return Ok(());
    };
    let username = form.text("username").replace('\0', "");
    Err(Refusal::from(login_form(
        parts,
        lang,
        username,
        local_path(form.opt("next").as_deref()),
        Some(message),
        status,
        secure,
    )))
}

pub async fn login(
    State(state): State<WebState>,
    SignInForm { parts, lang, form }: SignInForm,
) -> Response {
    let username = form.text("username");
    let next = local_path(form.opt("next").as_deref());
    let secure = state.secure_cookies;
    let result = state
        .app
        .login(
            &username,
            &form.text("password"),
            state.client_ip(&parts),
            SessionKind::Cookie,
        )
        .await;
    let (error, status) = match result {
        Ok(ok) => {
            let mut response = see_other(&next);
            add_cookie(
                &mut response,
                cookie_header(SESSION_COOKIE, &ok.token, "; HttpOnly", secure),
            );
            add_cookie(
                &mut response,
                cookie_header(LOGIN_CSRF_COOKIE, "", "; HttpOnly; Max-Age=0", secure),
            );
            return response;
        }
        Err(LoginError::WrongCredentials) => (AppError::BadCredentials, StatusCode::UNAUTHORIZED),
        Err(LoginError::RateLimited { retry_after_secs }) => (
            AppError::RateLimited { retry_after_secs },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(LoginError::App(e)) => {
            let status = crate::error::status_of(&e);
            (e, status)
        }
    };
    let message = messages(&error, lang)
        .into_iter()
        .map(|(_, m)| m)
        .collect::<Vec<_>>()
        .join("; ");
    login_form(&parts, lang, username, next, Some(message), status, secure)
}

pub async fn logout(
    State(state): State<WebState>,
    CsrfForm { session, form: _ }: CsrfForm,
) -> PageResult {
    session
        .run(state.app.logout(&session.actor, &session.token))
        .await?;
    let mut response = see_other("/login");
    clear_session_cookie(&mut response, state.secure_cookies);
    Ok(response)
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /lang/en?next=/elders`: remembers the language for a year and goes back.
pub async fn switch_language(
    State(state): State<WebState>,
    Path(code): Path<String>,
    Query(query): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&code);
    let mut response = see_other(&local_path(query.next.as_deref()));
    add_cookie(
        &mut response,
        cookie_header(
            LANG_COOKIE,
            lang.code(),
            "; Max-Age=31536000",
            state.secure_cookies,
        ),
    );
    response.into_response()
}
