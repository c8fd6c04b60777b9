//! JSON API handlers, one module per resource.

pub mod alerts;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod devices;
pub mod elders;
pub mod health;
pub mod imports;
pub mod orgs;
pub mod outbox;
pub mod readings;
pub mod regions;
pub mod thresholds;
pub mod users;

use crate::extract::UserLang;
use crate::ApiError;
use app::{AppError, Page};
use registry::{FieldError, Lang, Problem};
use serde::Serialize;

/// `{"items": [...], "total": N, "page": P, "per_page": K}`
#[derive(Serialize)]
pub struct ListBody<T: Serialize> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T: Serialize> ListBody<T> {
    pub fn new(items: Vec<T>, total: i64, page: Page) -> ListBody<T> {
        ListBody {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        }
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

pub fn check(errors: Vec<FieldError>, lang: Lang) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::new(AppError::Invalid(errors), lang))
    }
}

pub async fn not_found(UserLang(lang): UserLang) -> ApiError {
    ApiError::new(AppError::NotFound, lang)
}

/// Shorthand for mapping a use-case result into the API error shape.
pub trait OrApi<T> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError>;
}

impl<T> OrApi<T> for Result<T, AppError> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::new(e, lang))
    }
}
