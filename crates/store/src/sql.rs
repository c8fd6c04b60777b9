//! A small builder for SQL with positional `$n` parameters, for the queries whose conditions
//! depend on the request (filters, scopes). Numbers are assigned in order of appearance, which
//! both backends require.
//!
//! With it live the statements every area shares, written once: a row type declared with
//! [`row!`] names its own select list, so [`Sql::select`], [`Sql::find`], [`Sql::scoped`] (a
//! read within the caller's reach), [`Sql::page`] (a list's page and total) and
//! [`Sql::upsert`] need only the table and the condition; [`Record`] inserts and updates the
//! records written from a form.

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, FromRow};

use crate::{Conn, Result};

/// One parameter's value; [`Sql::values`] takes a list of them, each written `value.into()`.
#[derive(Debug, Clone)]
pub enum Param {
    Text(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

impl From<String> for Param {
    fn from(value: String) -> Param {
        Param::Text(Some(value))
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Param {
        Param::Text(Some(value.to_string()))
    }
}

impl From<Option<String>> for Param {
    fn from(value: Option<String>) -> Param {
        Param::Text(value)
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Param {
        Param::Int(value)
    }
}

impl From<Option<i64>> for Param {
    fn from(value: Option<i64>) -> Param {
        Param::OptInt(value)
    }
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

    /// `SELECT` every column of `T` `FROM` `from` (tables and joins; a condition follows).
    pub fn select<T: Row>(from: &str) -> Sql {
        Sql::new(&format!("SELECT {} FROM {from}", T::COLUMNS))
    }

    /// `INSERT INTO table (columns) VALUES ($1, …)`, one value per column, in order.
    pub fn insert(table: &str, columns: &str, values: impl IntoIterator<Item = Param>) -> Sql {
        let mut sql = Sql::new(&format!("INSERT INTO {table} ({columns}) VALUES ("));
        sql.values(values).push(")");
        sql
    }

    /// [`Sql::insert`] of every field of `T`; where a row with the same `key` (its columns, comma
    /// separated) is stored, that row's other fields are set to the new values instead.
    pub fn upsert<T: Row>(table: &str, key: &str, values: Vec<Param>) -> Sql {
        let keys: Vec<&str> = key.split(", ").collect();
        let set: Vec<String> = T::FIELDS
            .split(", ")
            .filter(|field| !keys.contains(field))
            .map(|field| format!("{field} = excluded.{field}"))
            .collect();
        let mut sql = Sql::insert(table, T::FIELDS, values);
        sql.push(&format!(
            " ON CONFLICT ({key}) DO UPDATE SET {}",
            set.join(", ")
        ));
        sql
    }

    /// `SELECT` every column of `T` `FROM` `from`, which joins the elder a record belongs to as
    /// `e`, where `column` holds `value` and the elder is within `authorized`'s reach: the read
    /// of one record, or of one elder's records.
    pub fn scoped<T: Row>(
        from: &str,
        column: &str,
        value: &str,
        authorized: &crate::Authorized,
    ) -> Sql {
        let mut sql = Sql::select::<T>(&format!("{from} WHERE {column} = "));
        sql.text(value).push(" AND ").elder_scope(authorized);
        sql
    }

    /// The row of `T` in `table` whose unique `column` holds `value`.
    pub async fn find<T: Row>(
        conn: &mut Conn,
        table: &str,
        column: &str,
        value: &str,
    ) -> Result<Option<T>> {
        let mut sql = Sql::select::<T>(&format!("{table} WHERE {column} = "));
        sql.text(value);
        Ok(sql.query_as().fetch_optional(conn).await?)
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
        self.values(items.iter().map(|item| Param::from(*item)))
    }

    /// `$n, $n+1, …`: one parameter per value, for `VALUES (…)` and `SET (…) = (…)`.
    pub fn values(&mut self, values: impl IntoIterator<Item = Param>) -> &mut Sql {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.params.push(value);
            self.placeholder();
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

    /// Runs the statement; returns how many rows it changed.
    pub async fn execute(&self, conn: &mut Conn) -> Result<u64> {
        Ok(self.query().execute(conn).await?.rows_affected())
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

    /// How many rows this `FROM … WHERE …` body (as for [`Sql::prefixed`]) matches.
    pub async fn count(&self, conn: &mut Conn) -> Result<i64> {
        let (total,): (i64,) = Sql::prefixed("SELECT COUNT(*)", self)
            .query_as()
            .fetch_one(conn)
            .await?;
        Ok(total)
    }

    /// The two queries of every list: one page of `T` over this `FROM … WHERE …` body in
    /// `order_by`, and how many rows the body matches in all.
    pub async fn page<T: Row>(
        &self,
        conn: &mut Conn,
        order_by: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<T>, i64)> {
        let total = self.count(&mut *conn).await?;
        let mut page = Sql::prefixed(&format!("SELECT {}", T::COLUMNS), self);
        page.push(" ORDER BY ")
            .push(order_by)
            .push(" LIMIT ")
            .int(limit)
            .push(" OFFSET ")
            .int(offset);
        Ok((page.query_as().fetch_all(conn).await?, total))
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

    /// `column` (an organization id) is an organization inside `scope`: the organization itself
    /// for its staff, every organization of the region for a supervisor, none for a family.
    pub fn organization_scope(&mut self, column: &str, scope: &access::Scope) -> &mut Sql {
        use access::Scope;
        match scope {
            Scope::Everything => self.push("1 = 1"),
            Scope::Region(code) => {
                self.push(column)
                    .push(" IN (SELECT o.id FROM organizations o WHERE ");
                self.prefix_range("o.region_code", code.prefix()).push(")")
            }
            Scope::Organization(org) => self.push(column).push(" = ").text(org.clone()),
            Scope::OwnRecord(_) | Scope::Nothing => self.push("1 = 0"),
        }
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

/// A record written from a form (an organization, a user account): its table and id; the
/// store keeps its `created_at` and `updated_at`.
pub(crate) struct Record<'a> {
    pub table: &'a str,
    pub id: &'a str,
}

impl Record<'_> {
    /// Inserts the record with `columns` set to `values`, in order, and both times to now.
    pub async fn insert(&self, conn: &mut Conn, columns: &str, values: Vec<Param>) -> Result<()> {
        let now = crate::time_text(chrono::Utc::now());
        let mut sql = Sql::new(&format!(
            "INSERT INTO {} (id, {columns}, created_at, updated_at) VALUES (",
            self.table
        ));
        let id = Param::from(self.id);
        sql.values(
            [id].into_iter()
                .chain(values)
                .chain([now.clone().into(), now.into()]),
        )
        .push(")");
        sql.execute(conn).await?;
        Ok(())
    }

    /// Sets `columns` to `values`, in order, and `updated_at` to now; `NotFound` when there is
    /// no such record.
    pub async fn update(&self, conn: &mut Conn, columns: &str, values: Vec<Param>) -> Result<()> {
        let now = crate::time_text(chrono::Utc::now());
        let mut sql = Sql::new(&format!(
            "UPDATE {} SET ({columns}, updated_at) = (",
            self.table
        ));
        sql.values(values.into_iter().chain([now.into()]))
            .push(") WHERE id = ")
            .text(self.id);
        if sql.execute(conn).await? == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }
}

/// A row type declared with [`row!`]: read by column name, with the select list that reads it.
pub trait Row: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin {
    /// Every field's column, in order, for a `SELECT`.
    const COLUMNS: &'static str;
    /// Every field's name, in order: the columns an insert of the whole row writes.
    const FIELDS: &'static str;
}

/// Declares a row type that `sqlx` reads by column name together with its select list, so that
/// the two are written once and cannot drift apart: `Row::COLUMNS` names every field in order,
/// as `alias.field` for a struct declared `in "alias"`, as the bare field otherwise, or as
/// `expr AS field` where the field says `= "expr"` (a column of a joined table).
///
/// ```text
/// row! {
///     pub struct DeviceRow in "d" {
///         pub id: String,
///         pub elder_name: Option<String> = "e.name",
///     }
/// }
/// // DeviceRow::COLUMNS == "d.id, e.name AS elder_name"
/// ```
macro_rules! row {
    (@prefixed $prefix:expr;
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                $field_vis:vis $field:ident : $ty:ty $(= $expr:literal)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(sqlx::FromRow)]
        $vis struct $name {
            $(
                $(#[$field_meta])*
                $field_vis $field: $ty,
            )*
        }

        impl $crate::sql::Row for $name {
            const COLUMNS: &'static str = $crate::sql::column_list(concat!($(
                ", ",
                $crate::sql::column!($prefix, $field $(, $expr)?),
            )*));
            const FIELDS: &'static str =
                $crate::sql::column_list(concat!($(", ", stringify!($field),)*));
        }
    };
    ($(#[$meta:meta])* $vis:vis struct $name:ident in $alias:literal { $($body:tt)* }) => {
        $crate::sql::row!(@prefixed concat!($alias, ".");
            $(#[$meta])* $vis struct $name { $($body)* });
    };
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($body:tt)* }) => {
        $crate::sql::row!(@prefixed ""; $(#[$meta])* $vis struct $name { $($body)* });
    };
}
pub(crate) use row;

/// One entry of a [`row!`] select list.
macro_rules! column {
    ($prefix:expr, $field:ident) => {
        concat!($prefix, stringify!($field))
    };
    ($prefix:expr, $field:ident, $expr:literal) => {
        concat!($expr, " AS ", stringify!($field))
    };
}
pub(crate) use column;

/// `", a, b"` → `"a, b"`, at compile time.
pub(crate) const fn column_list(separated: &'static str) -> &'static str {
    let (_, list) = separated.as_bytes().split_at(2);
    match std::str::from_utf8(list) {
        Ok(list) => list,
        Err(_) => panic!("a column list is ASCII"),
    }
}

#[cfg(test)]
mod tests {
    use super::Row;

    // Declared only for their select lists.
    row! {
        #[allow(dead_code)]
        struct Joined in "d" {
            id: String,
            kind: String,
            elder_name: Option<String> = "e.name",
        }
    }

    row! {
        #[allow(dead_code)]
        struct Plain {
            id: String,
            seq: i64,
        }
    }

    #[test]
    fn a_row_names_its_columns_in_field_order_with_alias_or_expression() {
        assert_eq!(Joined::COLUMNS, "d.id, d.kind, e.name AS elder_name");
        assert_eq!(Joined::FIELDS, "id, kind, elder_name");
        assert_eq!(Plain::COLUMNS, "id, seq");
        assert_eq!(Plain::FIELDS, "id, seq");
    }

    #[test]
    fn an_upsert_sets_every_field_but_the_key_from_the_new_row() {
        let sql = super::Sql::upsert::<Plain>("t", "id", vec!["a".into(), 1.into()]);
        assert_eq!(
            sql.as_str(),
            "INSERT INTO t (id, seq) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq"
        );
    }

    #[test]
    fn the_select_lists_are_those_written_out_before_row_declared_them() {
        let same = |derived: &str, written: &str| {
            let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(words(derived), words(written));
        };
        same(
            crate::monitoring::AlertRow::COLUMNS,
            "a.id, a.elder_id, e.name AS elder_name, e.region_code AS region_code, \
             e.responsible_org_id AS responsible_org_id, e.residence_org_id AS residence_org_id, \
             a.rule, a.severity, a.status, a.message_zh, a.message_en, a.device_id, \
             a.reading_seq, a.occurrences, a.opened_at, a.last_seen_at, a.escalation_level, \
             a.next_escalation_at, a.acknowledged_at, a.acknowledged_by, a.resolved_at, \
             a.resolved_by, a.resolution_note",
        );
        same(
            crate::assessments::AssessmentRow::COLUMNS,
            "a.id, a.elder_id, e.name AS elder_name, a.instrument_id, a.instrument_version, \
             a.assessed_on, a.place, a.reason, a.org_id, a.region_code, a.answers, a.result, \
             a.total, a.grade, a.band, a.provisional, a.status, a.assessor_id, a.assessor_name, \
             a.signed_at, a.second_assessor_id, a.second_assessor_name, a.confirmed_at, \
             a.returned_by_name, a.return_reason, a.note, a.next_due_on, a.created_at",
        );
        same(
            crate::elders::ElderRow::FIELDS,
            "id, name, name_initials, id_number, sex, birth_date, phone, address, region_code, \
             living_situation, special_categories, medical_insurance, ltc_insurance, \
             chronic_conditions, status, contacts, responsible_org_id, residence_org_id, \
             created_at, updated_at, version",
        );
        same(
            crate::audit::AuditRow::COLUMNS,
            "id, at, user_id, username, role, action, target_kind, target_id, ip, outcome, \
             detail, grant_id",
        );
    }
}
