//! Who may do what to which records: roles, data scopes, the permission table, and what the
//! audit log records. Pure: the store turns a [`Scope`] into a query condition, `app` decides.

pub mod audit;
pub mod grant;
pub mod role;
pub mod scope;

pub use audit::{AuditAction, AuditOutcome};
pub use role::{Action, Role};
pub use scope::Scope;
