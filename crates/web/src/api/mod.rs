//! What the JSON API handlers of every area share, and `/healthz`.

pub mod health;

use crate::extract::UserLang;
use crate::ApiError;
use app::AppError;
use registry::{FieldError, Lang};

pub use crate::kit::{int_param, page_of, ListBody};

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
