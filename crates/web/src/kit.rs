//! What every handler needs, once: the CSRF-checked UI form (and upload), the route table the
//! router is built from, list queries with paging, the list response, the caller's language.
//!
//! A UI POST route can only be declared through [`Route::form`], whose bound accepts only
//! handlers whose last extractor is a [`CsrfChecked`] body: a form handler that forgets the
//! CSRF check does not compile.

use crate::extract::constant_time_eq;
use crate::ui::form::{FormData, FormErrors};
use crate::ui::{render, see_other, PageResult, Refusal, Session};
use crate::{ApiError, WebState};
use app::{AppError, Page};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Form;
use registry::FieldError;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use crate::extract::UserLang;

/// The part of the server a route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `/api/v1/...` (JSON; cookie callers send the CSRF token in a header).
    Api,
    /// A UI page (`GET`).
    Page,
    /// A UI form post, CSRF-checked by its extractor.
    Form,
    /// `/healthz`, `/metrics`.
    Ops,
}

/// One route of the server: the router is built from a list of these, and tests read it.
pub struct Route {
    pub surface: Surface,
    pub method: Method,
    pub path: &'static str,
    pub(crate) handler: MethodRouter<WebState>,
}

impl Route {
    fn new<H, T>(surface: Surface, method: Method, path: &'static str, handler: H) -> Route
    where
        H: Handler<T, WebState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a routable method");
        Route {
            surface,
            method,
            path,
            handler: on(filter, handler),
        }
    }

    /// A JSON API route (`path` starts with `/api/v1`).
    pub fn api<H, T>(method: Method, path: &'static str, handler: H) -> Route
    where
        H: Handler<T, WebState>,
        T: 'static,
    {
        debug_assert!(path.starts_with("/api/v1/"), "{path}");
        Route::new(Surface::Api, method, path, handler)
    }

    /// A UI page: `GET` only.
    pub fn page<H: Handler<T, WebState>, T: 'static>(path: &'static str, handler: H) -> Route {
        Route::new(Surface::Page, Method::GET, path, handler)
    }

    /// A UI form post: the handler's last extractor must check the CSRF token.
    ///
    /// ```
    /// use web::kit::{CsrfForm, Route};
    /// async fn save(CsrfForm { form, .. }: CsrfForm) -> String {
    ///     form.text("name")
    /// }
    /// let _ = Route::form("/things", save);
    /// ```
    ///
    /// A handler that reads the form itself is refused at compile time:
    ///
    /// ```compile_fail
    /// use web::kit::Route;
    /// async fn save(axum::Form(form): axum::Form<Vec<(String, String)>>) -> String {
    ///     format!("{form:?}")
    /// }
    /// let _ = Route::form("/things", save);
    /// ```
    pub fn form<H, T>(path: &'static str, handler: H) -> Route
    where
        H: Handler<T, WebState>,
        T: EndsChecked + 'static,
    {
        Route::new(Surface::Form, Method::POST, path, handler)
    }

    /// `/healthz` and `/metrics`: outside the API and the UI.
    pub fn ops<H: Handler<T, WebState>, T: 'static>(path: &'static str, handler: H) -> Route {
        Route::new(Surface::Ops, Method::GET, path, handler)
    }

    /// Limits this route's request body to `bytes`.
    pub fn body_limit(mut self, bytes: usize) -> Route {
        self.handler = self
            .handler
            .layer(axum::extract::DefaultBodyLimit::max(bytes));
        self
    }
}

/// A request body that has passed the CSRF check.
pub trait CsrfChecked {}

/// axum's handler argument tuples `(M, T1, …, Tn)` whose last extractor is [`CsrfChecked`].
pub trait EndsChecked {}

macro_rules! ends_checked {
    ($($ty:ident),*) => {
        impl<M, $($ty,)* L: CsrfChecked> EndsChecked for (M, $($ty,)* L,) {}
    };
}
ends_checked!();
ends_checked!(T1);
ends_checked!(T1, T2);
ends_checked!(T1, T2, T3);
ends_checked!(T1, T2, T3, T4);
ends_checked!(T1, T2, T3, T4, T5);

/// A UI form of the signed-in user whose hidden `csrf` field is the session's token; anything
/// else (no token, a wrong one, a body that is not a form) is answered 403.
pub struct CsrfForm {
    pub session: Session,
    pub form: FormData,
}

impl CsrfChecked for CsrfForm {}

impl FromRequest<WebState> for CsrfForm {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Refusal> {
        let (session, request) = session_of(request, state).await?;
        let form = read_form(request, state).await;
        check_token(&session, &form.text("csrf"))?;
        if let Some(field) = form.field_with_nul() {
            return Err(session.refuse(&crate::hygiene::nul_in(&field)));
        }
        Ok(CsrfForm { session, form })
    }
}

/// The signed-in user of a request, and the request to read the body from.
async fn session_of(request: Request, state: &WebState) -> Result<(Session, Request), Refusal> {
    let (mut parts, body) = request.into_parts();
    let session = Session::from_request_parts(&mut parts, state).await?;
    Ok((session, Request::from_parts(parts, body)))
}

/// A body that is not a form reads as an empty form, which the CSRF check then refuses.
async fn read_form(request: Request, state: &WebState) -> FormData {
    let form = Form::<Vec<(String, String)>>::from_request(request, state).await;
    FormData::new(form.map(|f| f.0).unwrap_or_default())
}

fn check_token(session: &Session, sent: &str) -> Result<(), Refusal> {
    if constant_time_eq(sent, session.actor.csrf_token()) {
        Ok(())
    } else {
        Err(session.refuse(&AppError::Forbidden))
    }
}

/// A file posted from a UI form (`multipart/form-data`) with the session's CSRF token.
pub struct CsrfUpload {
    pub session: Session,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl CsrfChecked for CsrfUpload {}

impl FromRequest<WebState> for CsrfUpload {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Refusal> {
        let (session, request) = session_of(request, state).await?;
        // A form that cannot be read carries no valid token either.
        let (csrf, file_name, bytes) = match Multipart::from_request(request, state).await {
            Ok(m) => read_upload(m).await.unwrap_or_default(),
            Err(_) => Default::default(),
        };
        check_token(&session, &csrf)?;
        Ok(CsrfUpload {
            session,
            file_name,
            bytes,
        })
    }
}

async fn read_upload(
    mut multipart: Multipart,
) -> Result<(String, String, Vec<u8>), axum::extract::multipart::MultipartError> {
    let (mut csrf, mut file_name, mut bytes) = Default::default();
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some("csrf") => csrf = field.text().await?,
            Some("file") => {
                file_name = field
                    .file_name()
                    .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
                    .unwrap_or_default();
                bytes = field.bytes().await?.to_vec();
            }
            _ => {}
        }
    }
    Ok((csrf, file_name, bytes))
}

/// The sign-in form: there is no session yet, so it carries a token of its own, the same as a
/// cookie it was given with the form (a double-submitted cookie). A mismatch is answered with
/// the sign-in form again, 403.
pub struct SignInForm {
    pub parts: Parts,
    pub lang: registry::Lang,
    pub form: FormData,
}

impl CsrfChecked for SignInForm {}

impl FromRequest<WebState> for SignInForm {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Refusal> {
        let (parts, body) = request.into_parts();
        let lang = crate::extract::lang_of(&parts);
        let form = read_form(Request::from_parts(parts.clone(), body), state).await;
        let sign_in = SignInForm { parts, lang, form };
        crate::auth::pages::check_sign_in_form(&sign_in, state.secure_cookies)?;
        Ok(sign_in)
    }
}

/// The filters of one area's list (a query-string struct), checked after parsing.
pub trait ListFilter: DeserializeOwned + Send {
    type Checked;
    /// Adds a problem per bad filter to `errors`.
    fn check(self, errors: &mut Vec<FieldError>) -> Self::Checked;
}

/// A list without filters.
#[derive(serde::Deserialize, Default)]
pub struct NoFilter {}

impl ListFilter for NoFilter {
    type Checked = ();
    fn check(self, _: &mut Vec<FieldError>) {}
}

#[derive(serde::Deserialize, Default)]
struct PageParams {
    page: Option<String>,
    per_page: Option<String>,
}

/// `?page=&per_page=` and the area's filters of an API list; a bad value is a 422 naming it.
pub struct ListQuery<F: ListFilter> {
    pub page: Page,
    pub filter: F::Checked,
    pub lang: registry::Lang,
}

impl<F: ListFilter> FromRequestParts<WebState> for ListQuery<F> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &WebState) -> Result<Self, ApiError> {
        let lang = crate::extract::lang_of(parts);
        let query = parts.uri.query();
        let params: PageParams = crate::extract::parse_query(query, lang)?;
        let filter: F = crate::extract::parse_query(query, lang)?;
        let mut errors = Vec::new();
        let page = page_of(&mut errors, &params.page, &params.per_page);
        let filter = filter.check(&mut errors);
        if !errors.is_empty() {
            return Err(ApiError::new(AppError::Invalid(errors), lang));
        }
        Ok(ListQuery { page, filter, lang })
    }
}

/// Parses an optional whole-number query parameter, naming it when it is not one.
pub fn int_param(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
    min: i64,
    max: i64,
) -> Option<i64> {
    use registry::Problem;
    let text = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        Ok(_) => {
            errors.push(FieldError::new(field, Problem::OutOfRange { min, max }));
            None
        }
        Err(_) => {
            errors.push(FieldError::new(field, Problem::NotANumber));
            None
        }
    }
}

/// `page` and `per_page` from query text.
pub fn page_of(
    errors: &mut Vec<FieldError>,
    page: &Option<String>,
    per_page: &Option<String>,
) -> Page {
    let p = int_param(errors, "page", page, 1, 1_000_000);
    let k = int_param(errors, "per_page", per_page, 1, Page::MAX_PER_PAGE);
    Page::new(p, k)
}

/// The one list response: `{"items": [...], "total": N, "page": P, "per_page": K}`, without
/// `page` and `per_page` when the list is not paged.
#[derive(Serialize)]
pub struct ListBody<T: Serialize> {
    pub items: Vec<T>,
    pub total: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<i64>,
}

impl<T: Serialize> ListBody<T> {
    pub fn new(items: Vec<T>, total: i64, page: Page) -> ListBody<T> {
        ListBody {
            items,
            total,
            page: Some(page.page),
            per_page: Some(page.per_page),
        }
    }

    /// A whole list, not paged.
    pub fn all(items: Vec<T>) -> axum::Json<ListBody<T>> {
        axum::Json(ListBody {
            total: items.len() as i64,
            items,
            page: None,
            per_page: None,
        })
    }

    /// A use case's page of rows and their total, each row shown by `item`.
    pub fn answer<R>(
        found: Result<(Vec<R>, i64), AppError>,
        page: Page,
        lang: registry::Lang,
        item: impl FnMut(R) -> T,
    ) -> Result<axum::Json<ListBody<T>>, ApiError> {
        let (rows, total) = found.map_err(|e| ApiError::new(e, lang))?;
        let items = rows.into_iter().map(item).collect();
        Ok(axum::Json(ListBody::new(items, total, page)))
    }
}

/// A query parameter's text, trimmed; "" when absent.
pub fn text(v: &Option<String>) -> String {
    v.as_deref().unwrap_or("").trim().to_string()
}

/// A JSON request body parsed into `T`; malformed JSON or a wrong type is a 422 naming the
/// field, in the caller's language.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<WebState> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let lang = crate::extract::lang_of(&parts);
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        crate::extract::parse_json(&bytes, lang)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

/// `201 {"id": ...}`: what a create answers.
pub fn created(id: impl Serialize) -> (axum::http::StatusCode, axum::Json<serde_json::Value>) {
    (
        axum::http::StatusCode::CREATED,
        axum::Json(serde_json::json!({ "id": id })),
    )
}

/// The filters of a UI page's query; a query that cannot be read shows the page unfiltered.
pub struct Filters<F>(pub F);

impl<F: DeserializeOwned + Default, S: Send + Sync> FromRequestParts<S> for Filters<F> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Filters(
            axum::extract::Query::<F>::try_from_uri(&parts.uri)
                .map(|q| q.0)
                .unwrap_or_default(),
        ))
    }
}

/// The page number of a UI list whose only filter is `?page=`: a bad number is the error page.
pub fn ui_page_or_refuse(
    session: &Session,
    page: &Option<String>,
    per_page: i64,
) -> Result<Page, Refusal> {
    let mut errors = Vec::new();
    let page = ui_page(&mut errors, page, per_page);
    if errors.is_empty() {
        Ok(page)
    } else {
        Err(session.refuse(&AppError::Invalid(errors)))
    }
}

/// The page number of a UI list (`?page=`), `per_page` rows a page.
pub fn ui_page(errors: &mut Vec<FieldError>, page: &Option<String>, per_page: i64) -> Page {
    Page::new(
        int_param(errors, "page", page, 1, 1_000_000),
        Some(per_page),
    )
}

/// A record's create-and-edit form: the values as the user typed them (or as stored) and the
/// page that shows them. Its handlers are [`form_shown`] and [`form_saved`].
pub(crate) trait RecordForm: Sized {
    type Page: askama::Template;
    /// The fields the form shows: their errors appear beside them, the rest at the top.
    fn shown_fields() -> Vec<String>;
    /// A field's name as the user sees it, for the summary of errors.
    fn label(field: &str, lang: registry::Lang) -> String;
    /// The form showing these values.
    async fn page(self, at: FormAt<'_>, errors: FormErrors) -> Self::Page;
}

/// Where a record form is shown.
pub(crate) struct FormAt<'a> {
    pub state: &'a WebState,
    pub session: &'a Session,
    /// The id of the record being edited; None when creating one.
    pub editing: Option<String>,
}

/// A record form, empty or as stored.
pub(crate) async fn form_shown<F: RecordForm>(
    state: &WebState,
    session: &Session,
    editing: Option<String>,
    values: F,
) -> PageResult {
    let at = FormAt {
        state,
        session,
        editing,
    };
    let page = values.page(at, FormErrors::default()).await;
    Ok(render(StatusCode::OK, &page))
}

/// After a create or an edit: the page `saved` names, or the form again with the user's input
/// and each problem beside its field (422; 409 when someone else changed the record first).
/// Any other error is the error page.
pub(crate) async fn form_saved<F: RecordForm>(
    state: &WebState,
    session: &Session,
    editing: Option<String>,
    values: F,
    saved: Result<String, AppError>,
) -> PageResult {
    let error = match saved {
        Ok(path) => return Ok(see_other(&path)),
        Err(error) => error,
    };
    let status = match &error {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Stale => StatusCode::CONFLICT,
        other => return Err(session.refuse(other)),
    };
    let lang = session.lang;
    let errors = FormErrors::from_error(&error, lang, F::shown_fields(), |f| F::label(f, lang));
    let at = FormAt {
        state,
        session,
        editing,
    };
    let page = values.page(at, errors).await;
    Ok(render(status, &page))
}

/// The rows of a UI list whose filters were checked into `errors`: the use case's page of rows
/// and their total when every filter is good (`found` runs only then), else no rows and each
/// problem beside the filter it names. Any other error is the error page.
pub(crate) async fn filtered_rows<R>(
    session: &Session,
    errors: Vec<FieldError>,
    found: impl std::future::Future<Output = Result<(Vec<R>, i64), AppError>>,
    filters: &[&str],
    label: impl Fn(&str, registry::Lang) -> String,
) -> Result<(Vec<R>, i64, FormErrors), Refusal> {
    let found = if errors.is_empty() {
        found.await
    } else {
        Err(AppError::Invalid(errors))
    };
    match found {
        Ok((rows, total)) => Ok((rows, total, FormErrors::default())),
        Err(e @ AppError::Invalid(_)) => {
            let lang = session.lang;
            let shown = filters.iter().map(|f| f.to_string()).collect();
            let errors = FormErrors::from_error(&e, lang, shown, |f| label(f, lang));
            Ok((Vec::new(), 0, errors))
        }
        Err(e) => Err(session.refuse(&e)),
    }
}
