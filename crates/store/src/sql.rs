//! A small builder for SQL with positional `$n` parameters, for the queries whose conditions
//! depend on the request (filters, scopes). Numbers are assigned in order of appearance, which
//! both backends require.

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, FromRow};

#[derive(Debug, Clone)]
enum Param {
    Text(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

/// Binds `params` in order to a `query` or a `query_as` (two types with the same `bind`).
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Text(v) => query.bind(v.clone()),
                Param::Int(v) => query.bind(*v),
                Param::OptInt(v) => query.bind(*v),
            };
        }
        query
    }};
}

#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    params: Vec<Param>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            params: Vec::new(),
        }
    }

    /// `head` (which has no parameters) followed by `body`: one filter serves both the count
    /// and the page query.
    pub fn prefixed(head: &str, body: &Sql) -> Sql {
        Sql {
            text: format!("{head}{}", body.text),
            params: body.params.clone(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    pub fn text(&mut self, value: impl Into<String>) -> &mut Sql {
        self.params.push(Param::Text(Some(value.into())));
        self.placeholder()
    }

    /// `$n, $n+1, …`: one text parameter per item, for `IN (…)`.
    pub fn text_list(&mut self, items: &[&str]) -> &mut Sql {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.text(*item);
        }
        self
    }

    pub fn opt_text(&mut self, value: Option<String>) -> &mut Sql {
        self.params.push(Param::Text(value));
        self.placeholder()
    }

    pub fn int(&mut self, value: i64) -> &mut Sql {
        self.params.push(Param::Int(value));
        self.placeholder()
    }

    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Sql {
        self.params.push(Param::OptInt(value));
        self.placeholder()
    }

    fn placeholder(&mut self) -> &mut Sql {
        let n = self.params.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
        self
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        bind_params!(sqlx::query(&self.text), &self.params)
    }

    pub fn query_as<T>(&self) -> QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        bind_params!(sqlx::query_as(&self.text), &self.params)
    }

    /// Adds the condition that keeps elder rows (aliased `e`) inside what the caller may reach:
    /// the role's data scope, or for a read a record grant in force to the user or their
    /// organization. The grant is checked in the same statement, so a revoked or expired grant
    /// stops working at once.
    pub fn elder_scope(&mut self, authorized: &crate::Authorized) -> &mut Sql {
        let Some(grantee) = authorized
            .grantee()
            .filter(|_| !authorized.reaches_everything())
        else {
            return self.base_scope(authorized.scope());
        };
        self.push("(");
        self.base_scope(authorized.scope());
        self.push(" OR e.id IN (SELECT g.elder_id FROM record_grants g WHERE g.revoked_at IS NULL")
            .grant_in_force(authorized, grantee)
            .push("))")
    }

    /// ` AND` the record grant aliased `g` is in force at the authorization's moment and made
    /// to `grantee` or their organization.
    pub(crate) fn grant_in_force(
        &mut self,
        authorized: &crate::Authorized,
        grantee: &crate::Grantee,
    ) -> &mut Sql {
        self.push(" AND g.starts_at <= ")
            .text(authorized.at())
            .push(" AND g.until_at > ")
            .text(authorized.at())
            .push(" AND (g.grantee_user_id = ")
            .text(grantee.user_id.clone());
        if let Some(org) = &grantee.organization_id {
            self.push(" OR g.grantee_org_id = ").text(org.clone());
        }
        self.push(")")
    }

    fn base_scope(&mut self, scope: &access::Scope) -> &mut Sql {
        use access::Scope;
        match scope {
            Scope::Everything => self.push("1 = 1"),
            Scope::Region(code) => self.prefix_range("e.region_code", code.prefix()),
            Scope::Organization(org) => {
                self.push("(e.responsible_org_id = ").text(org.clone());
                self.push(" OR e.residence_org_id = ")
                    .text(org.clone())
                    .push(")")
            }
            Scope::OwnRecord(id) => self.push("e.id = ").text(id.clone()),
            Scope::Nothing => self.push("1 = 0"),
        }
    }

    /// `column` starts with `prefix`, written as a range so both backends use the index
    /// (codes are digits, and ':' sorts right after '9').
    pub fn prefix_range(&mut self, column: &str, prefix: &str) -> &mut Sql {
        self.half_open(column, prefix, format!("{prefix}:"))
    }

    /// `column` starts with any text `prefix`: the upper bound is the prefix followed by the
    /// highest code point, which sorts after every continuation in UTF-8 byte order.
    pub fn text_prefix(&mut self, column: &str, prefix: &str) -> &mut Sql {
        self.half_open(column, prefix, format!("{prefix}\u{10FFFF}"))
    }

    /// `(column >= low AND column < high)`.
    fn half_open(&mut self, column: &str, low: &str, high: String) -> &mut Sql {
        self.push("(").push(column).push(" >= ").text(low);
        self.push(" AND ")
            .push(column)
            .push(" < ")
            .text(high)
            .push(")")
    }
}
