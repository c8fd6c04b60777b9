//! The proof of authorization every query of personal data takes.
//!
//! An [`Authorized`] says which elder records a caller may reach: their role's data scope and,
//! for reads, the record grants made to them or their organization that are in force at the
//! moment it was made. Only `app` builds one, after it has checked the caller's role
//! (`crates/yiyang/tests/architecture.rs` fails if anything else does), and every store function
//! that reads or writes personal data takes one, so there is no path to an elder's record that
//! has not been through `app`.

use access::Scope;

/// Who receives record grants: a signed-in user and the organization they work for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grantee {
    pub user_id: String,
    pub organization_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Authorized {
    scope: Scope,
    /// Set for reads: grants to this user or organization widen the scope. Writes never follow
    /// a grant (a receiving hospital reads a referred elder's record; it does not edit it).
    grantee: Option<Grantee>,
    /// When grants are checked (fixed-width UTC text, compared with the stored bounds), so that
    /// an expired grant stops working the moment it expires.
    at: String,
}

impl Authorized {
    /// Access by `scope`, widened for reads by `grantee`'s grants in force at `at`.
    pub fn new(scope: Scope, grantee: Option<Grantee>, at: chrono::DateTime<chrono::Utc>) -> Self {
        Authorized {
            scope,
            grantee,
            at: crate::time_text(at),
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    pub fn grantee(&self) -> Option<&Grantee> {
        self.grantee.as_ref()
    }

    pub fn at(&self) -> &str {
        &self.at
    }

    /// True when the scope alone reaches every record (no condition needed).
    pub fn reaches_everything(&self) -> bool {
        self.scope == Scope::Everything
    }
}
