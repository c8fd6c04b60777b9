//! The elderly record and its change history. Every read takes the caller's scope.

use crate::sql::{row, Param, Row};
use crate::Authorized;
use crate::{frame_list, new_id, time_text, Conn, Result, Sql, StoreError};
use registry::{Contact, ElderStatus, SearchTerm, ValidElder};

row! {
    #[derive(Debug, Clone)]
    pub struct ElderRow in "e" {
        pub id: String,
        pub name: String,
        pub name_initials: String,
        pub id_number: String,
        pub sex: String,
        pub birth_date: String,
        pub phone: Option<String>,
        pub address: Option<String>,
        pub region_code: Option<String>,
        pub living_situation: Option<String>,
        pub special_categories: String,
        pub medical_insurance: Option<String>,
        pub ltc_insurance: i64,
        pub chronic_conditions: String,
        #[sqlx(try_from = "String")]
        pub status: ElderStatus,
        #[sqlx(try_from = "String")]
        pub contacts: Contacts,
        pub responsible_org_id: Option<String>,
        pub residence_org_id: Option<String>,
        pub created_at: String,
        pub updated_at: String,
        pub version: i64,
    }
}

/// The columns of [`ElderColumns`], in the order of its fields and of `ElderColumns::values`.
const FIELD_COLUMNS: &str = "name, name_initials, id_number, sex, birth_date, phone, address, \
    region_code, living_situation, special_categories, medical_insurance, ltc_insurance, \
    chronic_conditions, status, contacts, responsible_org_id, residence_org_id";

/// The stored text of each field, in one place so that insert, update and the change history
/// agree on what a value looks like.
pub struct ElderColumns {
    pub name: String,
    pub name_initials: String,
    pub id_number: String,
    pub sex: String,
    pub birth_date: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub region_code: Option<String>,
    pub living_situation: Option<String>,
    pub special_categories: String,
    pub medical_insurance: Option<String>,
    pub ltc_insurance: i64,
    pub chronic_conditions: String,
    pub status: String,
    pub contacts: String,
    pub responsible_org_id: Option<String>,
    pub residence_org_id: Option<String>,
}

/// An elder's family contacts as stored: a JSON array of `{"name", "relation", "phone"}`. A
/// stored value not in that shape is corrupt data, never an empty list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contacts(pub Vec<Contact>);

impl Contacts {
    pub fn to_json(&self) -> String {
        let contacts: Vec<serde_json::Value> = self
            .0
            .iter()
            .map(|c| serde_json::json!({"name": c.name, "relation": c.relation, "phone": c.phone}))
            .collect();
        serde_json::Value::Array(contacts).to_string()
    }
}

impl TryFrom<String> for Contacts {
    type Error = StoreError;

    fn try_from(json: String) -> Result<Contacts> {
        let corrupt = || StoreError::Corrupt(format!("contacts {json:?}"));
        let items: Vec<serde_json::Value> = serde_json::from_str(&json).map_err(|_| corrupt())?;
        items
            .iter()
            .map(|c| {
                let text = |key: &str| c.get(key).and_then(|v| v.as_str()).map(str::to_string);
                Some(Contact {
                    name: text("name")?,
                    relation: text("relation")?,
                    phone: text("phone")?,
                })
            })
            .collect::<Option<Vec<Contact>>>()
            .map(Contacts)
            .ok_or_else(corrupt)
    }
}

impl ElderColumns {
    pub fn from_valid(elder: &ValidElder) -> ElderColumns {
        ElderColumns {
            name: elder.name.clone(),
            name_initials: elder.name_initials.clone(),
            id_number: elder.id_number.as_str().to_string(),
            sex: elder.sex.code().to_string(),
            birth_date: elder.birth_date.format("%Y-%m-%d").to_string(),
            phone: elder.phone.as_ref().map(|p| p.as_str().to_string()),
            address: elder.address.clone(),
            region_code: elder.region_code.as_ref().map(|r| r.prefix().to_string()),
            living_situation: elder.living_situation.map(|l| l.code().to_string()),
            special_categories: frame_list(elder.special_categories.iter().map(|c| c.code())),
            medical_insurance: elder.medical_insurance.map(|m| m.code().to_string()),
            ltc_insurance: i64::from(elder.ltc_insurance),
            chronic_conditions: frame_list(elder.chronic_conditions.iter().map(String::as_str)),
            status: elder.status.code().to_string(),
            contacts: Contacts(elder.contacts.clone()).to_json(),
            responsible_org_id: elder.responsible_org_id.clone(),
            residence_org_id: elder.residence_org_id.clone(),
        }
    }

    /// (field, stored text) pairs, for the change history.
    pub fn fields(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("name", Some(self.name.clone())),
            ("id_number", Some(self.id_number.clone())),
            ("sex", Some(self.sex.clone())),
            ("birth_date", Some(self.birth_date.clone())),
            ("phone", self.phone.clone()),
            ("address", self.address.clone()),
            ("region_code", self.region_code.clone()),
            ("living_situation", self.living_situation.clone()),
            ("special_categories", Some(self.special_categories.clone())),
            ("medical_insurance", self.medical_insurance.clone()),
            ("ltc_insurance", Some(self.ltc_insurance.to_string())),
            ("chronic_conditions", Some(self.chronic_conditions.clone())),
            ("status", Some(self.status.clone())),
            ("contacts", Some(self.contacts.clone())),
            ("responsible_org_id", self.responsible_org_id.clone()),
            ("residence_org_id", self.residence_org_id.clone()),
        ]
    }

    /// The values of [`FIELD_COLUMNS`], in order.
    fn values(&self) -> Vec<Param> {
        vec![
            self.name.clone().into(),
            self.name_initials.clone().into(),
            self.id_number.clone().into(),
            self.sex.clone().into(),
            self.birth_date.clone().into(),
            self.phone.clone().into(),
            self.address.clone().into(),
            self.region_code.clone().into(),
            self.living_situation.clone().into(),
            self.special_categories.clone().into(),
            self.medical_insurance.clone().into(),
            self.ltc_insurance.into(),
            self.chronic_conditions.clone().into(),
            self.status.clone().into(),
            self.contacts.clone().into(),
            self.responsible_org_id.clone().into(),
            self.residence_org_id.clone().into(),
        ]
    }
}

impl ElderRow {
    pub fn columns(&self) -> ElderColumns {
        ElderColumns {
            name: self.name.clone(),
            name_initials: self.name_initials.clone(),
            id_number: self.id_number.clone(),
            sex: self.sex.clone(),
            birth_date: self.birth_date.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            region_code: self.region_code.clone(),
            living_situation: self.living_situation.clone(),
            special_categories: self.special_categories.clone(),
            medical_insurance: self.medical_insurance.clone(),
            ltc_insurance: self.ltc_insurance,
            chronic_conditions: self.chronic_conditions.clone(),
            status: self.status.code().to_string(),
            contacts: self.contacts.to_json(),
            responsible_org_id: self.responsible_org_id.clone(),
            residence_org_id: self.residence_org_id.clone(),
        }
    }
}

/// Inserts many records in multi-row statements (the demo generator and roster import).
/// Returns the ids in input order. A duplicate identity number fails the whole call.
pub async fn insert_many(
    conn: &mut Conn,
    _authorized: &Authorized,
    elders: &[ElderColumns],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<String>> {
    insert_rows(conn, elders, now, Conflict::Abort).await
}

/// What SQLite undoes when a row breaks a constraint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Conflict {
    /// The statement (the default, and PostgreSQL's only behaviour).
    Abort,
    /// The whole transaction (`INSERT OR ROLLBACK`, SQLite only).
    Rollback,
}

async fn insert_rows(
    conn: &mut Conn,
    elders: &[ElderColumns],
    now: chrono::DateTime<chrono::Utc>,
    conflict: Conflict,
) -> Result<Vec<String>> {
    const ROWS_PER_STATEMENT: usize = 400;
    let sqlite = conn.backend_name() == "SQLite";
    let now = time_text(now);
    let ids: Vec<String> = elders.iter().map(|_| new_id()).collect();
    let statement = |rows| multi_row_insert(rows, sqlite, conflict == Conflict::Rollback);
    let full_rows = ROWS_PER_STATEMENT.min(elders.len());
    let full = statement(full_rows);
    for (chunk, chunk_ids) in elders
        .chunks(ROWS_PER_STATEMENT)
        .zip(ids.chunks(ROWS_PER_STATEMENT))
    {
        let partial;
        let text = if chunk.len() == full_rows {
            &full
        } else {
            partial = statement(chunk.len());
            &partial
        };
        let mut query = sqlx::query(text);
        for (e, id) in chunk.iter().zip(chunk_ids) {
            query = query
                .bind(id.as_str())
                .bind(e.name.as_str())
                .bind(e.name_initials.as_str())
                .bind(e.id_number.as_str())
                .bind(e.sex.as_str())
                .bind(e.birth_date.as_str())
                .bind(e.phone.as_deref())
                .bind(e.address.as_deref())
                .bind(e.region_code.as_deref())
                .bind(e.living_situation.as_deref())
                .bind(e.special_categories.as_str())
                .bind(e.medical_insurance.as_deref())
                .bind(e.ltc_insurance)
                .bind(e.chronic_conditions.as_str())
                .bind(e.status.as_str())
                .bind(e.contacts.as_str())
                .bind(e.responsible_org_id.as_deref())
                .bind(e.residence_org_id.as_deref())
                .bind(now.as_str())
                .bind(now.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(ids)
}

/// `INSERT INTO elders (…) VALUES (…), (…)` for `rows` rows of 20 parameters (and version 1).
///
/// On SQLite the parameters are anonymous (`?`, bound in order): SQLite finds a numbered one
/// (`$n`) by a linear scan of the statement's parameter names each time sqlx binds it, so
/// binding n numbered parameters costs n², and at 400 rows that scan took most of the insert.
/// No other statement has enough parameters for it to matter.
fn multi_row_insert(rows: usize, sqlite: bool, or_rollback: bool) -> String {
    const PARAMETERS_PER_ROW: usize = 20;
    let or = if sqlite && or_rollback {
        "OR ROLLBACK "
    } else {
        ""
    };
    let mut text = format!("INSERT {or}INTO elders ({}) VALUES ", ElderRow::FIELDS);
    let mut n = 0;
    for row in 0..rows {
        text.push_str(if row == 0 { "(" } else { ", (" });
        for _ in 0..PARAMETERS_PER_ROW {
            n += 1;
            if sqlite {
                text.push_str("?, ");
            } else {
                text.push_str(&format!("${n}, "));
            }
        }
        text.push_str("1)");
    }
    text
}

/// A connection set aside for loading many records in a row (the demo generator), with
/// transactions as large as the caller chooses: [`BulkLoad::insert`] opens one if none is
/// open, [`BulkLoad::commit`] ends it. A duplicate identity number fails the insert and undoes
/// the open transaction.
///
/// On SQLite (each measured on a million records):
/// - the connection gets a page cache large enough for the indexes being built: identity
///   numbers and names arrive in random order, and with the pool's small per-connection cache
///   nearly every insert read and spilled index pages (minutes instead of well under one);
/// - foreign keys are checked once, by [`BulkLoad::finish`], instead of row by row, and a
///   broken constraint rolls back the transaction rather than the statement: then SQLite keeps
///   no statement journal, whose copy of every page a statement touches took a third of the
///   time.
///
/// The connection leaves the pool and is closed by [`BulkLoad::finish`] (or when dropped,
/// rolling back what was not committed), so no pooled connection keeps that cache or setting.
pub struct BulkLoad {
    conn: sqlx::AnyConnection,
    sqlite: bool,
    open: bool,
}

/// Upper bound of the bulk-load page cache (KiB): SQLite allocates it only as pages are used.
const BULK_LOAD_CACHE_KIB: i64 = 512 * 1024;

impl BulkLoad {
    /// A bulk load writes elder records: like every such write it takes the caller's
    /// authorization (the demo generator's, on a marked demo database).
    pub async fn start(store: &crate::Store, _authorized: &Authorized) -> Result<BulkLoad> {
        let mut conn = store.acquire().await?.detach();
        let sqlite = store.backend() == crate::Backend::Sqlite;
        if sqlite {
            let cache = format!("PRAGMA cache_size = -{BULK_LOAD_CACHE_KIB}");
            for pragma in [cache.as_str(), "PRAGMA foreign_keys = OFF"] {
                sqlx::query(pragma).execute(&mut conn).await?;
            }
        }
        Ok(BulkLoad {
            conn,
            sqlite,
            open: false,
        })
    }

    /// Inserts the records in the open transaction; returns their ids in input order.
    pub async fn insert(
        &mut self,
        elders: &[ElderColumns],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<String>> {
        if !self.open {
            sqlx::query("BEGIN").execute(&mut self.conn).await?;
            self.open = true;
        }
        let result = insert_rows(&mut self.conn, elders, now, Conflict::Rollback).await;
        if result.is_err() {
            // SQLite may have rolled back already (then this fails, harmlessly); PostgreSQL
            // accepts nothing else after an error.
            let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
            self.open = false;
        }
        result
    }

    pub async fn commit(&mut self) -> Result<()> {
        if self.open {
            sqlx::query("COMMIT").execute(&mut self.conn).await?;
            self.open = false;
        }
        Ok(())
    }

    /// Commits what is still open, checks the references the load skipped (SQLite) and closes
    /// the connection.
    pub async fn finish(mut self) -> Result<()> {
        use sqlx::Connection;
        self.commit().await?;
        if self.sqlite {
            let broken: Vec<(String, i64, String, i64)> =
                sqlx::query_as("PRAGMA foreign_key_check(elders)")
                    .fetch_all(&mut self.conn)
                    .await?;
            if let Some((_, rowid, parent, _)) = broken.first() {
                return Err(StoreError::Corrupt(format!(
                    "{} loaded records refer to missing rows of {parent} (first: elders rowid {rowid})",
                    broken.len()
                )));
            }
        }
        self.conn.close().await?;
        Ok(())
    }
}

pub async fn insert(
    conn: &mut Conn,
    authorized: &Authorized,
    elder: &ElderColumns,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String> {
    Ok(
        insert_many(conn, authorized, std::slice::from_ref(elder), now)
            .await?
            .remove(0),
    )
}

/// The id of the record holding this identity number, whoever's scope it is in: a duplicate
/// is refused with a pointer to the existing record.
pub async fn id_by_identity_number(
    conn: &mut Conn,
    _authorized: &Authorized,
    id_number: &str,
) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM elders WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.0))
}

pub async fn get(conn: &mut Conn, scope: &Authorized, id: &str) -> Result<Option<ElderRow>> {
    let sql = Sql::scoped::<ElderRow>("elders e", "e.id", id, scope);
    Ok(sql.query_as().fetch_optional(conn).await?)
}

#[derive(Debug, Clone, Default)]
pub struct ElderFilter {
    pub q: Option<String>,
    pub region_prefix: Option<String>,
    pub status: Option<String>,
    pub living_situation: Option<String>,
    pub sex: Option<String>,
    pub category: Option<String>,
    /// ICD-10 code or category prefix (`I10`, `E11`).
    pub condition: Option<String>,
    pub org_id: Option<String>,
    /// Current care level from assessments (`self_care`, `semi_dependent`, `fully_dependent`),
    /// or `unassessed`.
    pub care_level: Option<String>,
    /// Born on or after this date (`YYYY-MM-DD`): an upper age bound.
    pub born_from: Option<String>,
    /// Born on or before this date: a lower age bound.
    pub born_to: Option<String>,
    /// How a search by digits may match: by identity-number prefix and whole phone number only
    /// for callers who see both in full; otherwise only a complete identity number, so that
    /// searching cannot undo the masks.
    pub numbers: NumberSearch,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberSearch {
    /// A whole identity number only.
    #[default]
    WholeIdentityNumber,
    /// The start of an identity number, or a whole phone number.
    PrefixOrPhone,
}

fn filter_condition(scope: &Authorized, filter: &ElderFilter) -> Sql {
    let mut sql = Sql::new(" FROM elders e WHERE ");
    // No WHERE at all when nothing restricts the rows: SQLite counts a whole table from its
    // smallest index's page headers only then, twice as fast as row by row at a million.
    let mut conditions = 0;
    let mut and = |sql: &mut Sql| {
        if conditions > 0 {
            sql.push(" AND ");
        }
        conditions += 1;
    };
    if !scope.reaches_everything() {
        and(&mut sql);
        sql.elder_scope(scope);
    }
    if let Some(term) = filter.q.as_deref().and_then(SearchTerm::classify) {
        and(&mut sql);
        match term {
            SearchTerm::Digits(digits) => match filter.numbers {
                NumberSearch::PrefixOrPhone => {
                    sql.push("(").text_prefix("e.id_number", &digits);
                    sql.push(" OR e.phone = ").text(digits).push(")");
                }
                NumberSearch::WholeIdentityNumber => {
                    sql.push("e.id_number = ").text(digits);
                }
            },
            SearchTerm::Initials(initials) => {
                sql.text_prefix("e.name_initials", &initials);
            }
            SearchTerm::Name(name) => {
                sql.text_prefix("e.name", &name);
            }
        }
    }
    if let Some(prefix) = &filter.region_prefix {
        and(&mut sql);
        sql.prefix_range("e.region_code", prefix);
    }
    for (column, value) in [
        ("e.status", &filter.status),
        ("e.living_situation", &filter.living_situation),
        ("e.sex", &filter.sex),
    ] {
        if let Some(value) = value {
            and(&mut sql);
            sql.push(column).push(" = ").text(value.clone());
        }
    }
    if let Some(category) = &filter.category {
        and(&mut sql);
        sql.push("e.special_categories LIKE ")
            .text(format!("%,{category},%"));
    }
    if let Some(condition) = &filter.condition {
        and(&mut sql);
        // Category match: `I10` finds `I10` and `I10.x00`, never `I100`.
        sql.push("(e.chronic_conditions LIKE ")
            .text(format!("%,{condition},%"));
        sql.push(" OR e.chronic_conditions LIKE ")
            .text(format!("%,{condition}.%"))
            .push(")");
    }
    if let Some(org) = &filter.org_id {
        and(&mut sql);
        sql.push("(e.responsible_org_id = ").text(org.clone());
        sql.push(" OR e.residence_org_id = ")
            .text(org.clone())
            .push(")");
    }
    if let Some(level) = &filter.care_level {
        and(&mut sql);
        if level == "unassessed" {
            sql.push(
                "NOT EXISTS (SELECT 1 FROM elder_care_levels c WHERE c.elder_id = e.id \
                 AND c.care_level IS NOT NULL)",
            );
        } else {
            sql.push("EXISTS (SELECT 1 FROM elder_care_levels c WHERE c.elder_id = e.id AND c.care_level = ")
                .text(level.clone())
                .push(")");
        }
    }
    if let Some(from) = &filter.born_from {
        and(&mut sql);
        sql.push("e.birth_date >= ").text(from.clone());
    }
    if let Some(to) = &filter.born_to {
        and(&mut sql);
        sql.push("e.birth_date <= ").text(to.clone());
    }
    if conditions == 0 {
        return Sql::new(" FROM elders e");
    }
    sql
}

/// One page of records in the scope that match the filter, ordered by name, and the total.
pub async fn list(
    conn: &mut Conn,
    scope: &Authorized,
    filter: &ElderFilter,
) -> Result<(Vec<ElderRow>, i64)> {
    let condition = filter_condition(scope, filter);
    let total = condition.count(&mut *conn).await?;
    // The page's ids first, then their rows: the inner query orders and skips (name, id) pairs
    // read from an index that covers the condition, so a deep page or a broad search sorts
    // index entries instead of reading every matching record.
    let mut page = Sql::prefixed(
        &format!(
            "SELECT {} FROM elders e WHERE e.id IN (SELECT e.id",
            ElderRow::COLUMNS
        ),
        &condition,
    );
    // Initials follow name order (every 王 is a `w`), so reading the name index in order and
    // waiting for the first matches can cross most of it: PostgreSQL chose that for `zx` and
    // took 200 ms. Ordering by an expression leaves it the initials index and a sort of the
    // matches, the plan SQLite takes anyway; the order is the same.
    let by_name = match filter.q.as_deref().and_then(SearchTerm::classify) {
        Some(SearchTerm::Initials(_)) => "e.name || ''",
        _ => "e.name",
    };
    page.push(" ORDER BY ")
        .push(by_name)
        .push(", e.id LIMIT ")
        .int(filter.limit)
        .push(" OFFSET ")
        .int(filter.offset)
        .push(") ORDER BY e.name, e.id");
    let rows = page.query_as().fetch_all(conn).await?;
    Ok((rows, total))
}

/// Replaces the record's fields if `expected_version` is still current, and writes one change
/// row per field that differs. Returns the changed fields.
pub async fn update(
    conn: &mut Conn,
    _authorized: &Authorized,
    current: &ElderRow,
    new: &ElderColumns,
    changed_by: (&str, &str),
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<&'static str>> {
    let old = current.columns();
    let changes: Vec<(&'static str, Option<String>, Option<String>)> = old
        .fields()
        .into_iter()
        .zip(new.fields())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| (field, a, b))
        .collect();
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let now_text = time_text(now);
    let mut sql = Sql::new(&format!(
        "UPDATE elders SET ({FIELD_COLUMNS}, updated_at, version) = ("
    ));
    sql.values(new.values());
    sql.push(", ")
        .text(now_text.clone())
        .push(", ")
        .int(current.version + 1);
    sql.push(") WHERE id = ")
        .text(current.id.clone())
        .push(" AND version = ")
        .int(current.version);
    if sql.execute(&mut *conn).await? == 0 {
        return Err(StoreError::StaleVersion);
    }
    for (field, old_value, new_value) in &changes {
        sqlx::query(
            "INSERT INTO elder_changes (id, elder_id, changed_at, user_id, username, field, old_value, new_value) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(&current.id)
        .bind(&now_text)
        .bind(changed_by.0)
        .bind(changed_by.1)
        .bind(*field)
        .bind(old_value.clone())
        .bind(new_value.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(changes.into_iter().map(|(f, _, _)| f).collect())
}

row! {
    #[derive(Debug, Clone)]
    pub struct ChangeRow in "c" {
        pub changed_at: String,
        pub username: String,
        pub field: String,
        pub old_value: Option<String>,
        pub new_value: Option<String>,
    }
}

/// The change history of a record the caller can see, newest first.
pub async fn history(conn: &mut Conn, scope: &Authorized, id: &str) -> Result<Vec<ChangeRow>> {
    let mut sql = Sql::scoped::<ChangeRow>(
        "elder_changes c JOIN elders e ON e.id = c.elder_id",
        "c.elder_id",
        id,
        scope,
    );
    sql.push(" ORDER BY c.changed_at DESC, c.id DESC LIMIT 500");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Counts for the home page: records in scope by status, 80+, living alone.
#[derive(Debug, Clone, Default)]
pub struct ElderCounts {
    pub total: i64,
    pub alive: i64,
    pub aged_80_plus: i64,
    pub alone: i64,
    pub disabled: i64,
    pub hypertension: i64,
    pub diabetes: i64,
}

pub async fn counts(conn: &mut Conn, scope: &Authorized) -> Result<ElderCounts> {
    let mut sql = Sql::new(
        "SELECT COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN e.status = 'alive' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN e.special_categories LIKE '%,aged_80_plus,%' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN e.living_situation = 'alone' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN e.special_categories LIKE '%disabled,%' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN e.chronic_conditions LIKE '%,I1%' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN e.chronic_conditions LIKE '%,E1%' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM elders e WHERE ",
    );
    sql.elder_scope(scope);
    let row: (i64, i64, i64, i64, i64, i64, i64) = sql.query_as().fetch_one(conn).await?;
    Ok(ElderCounts {
        total: row.0,
        alive: row.1,
        aged_80_plus: row.2,
        alone: row.3,
        disabled: row.4,
        hypertension: row.5,
        diabetes: row.6,
    })
}

/// Records in scope by region one level below `parent` (for the home page chart).
pub async fn counts_by_child_region(
    conn: &mut Conn,
    scope: &Authorized,
    parent_prefix: &str,
    child_digits: usize,
) -> Result<Vec<(String, i64)>> {
    // A number the code chose, not input: inlined so PostgreSQL sees an integer literal.
    let child = format!("SUBSTR(e.region_code, 1, {child_digits})");
    let mut sql = Sql::new(&format!(
        "SELECT {child} AS child, COUNT(*) FROM elders e WHERE "
    ));
    sql.elder_scope(scope);
    sql.push(" AND ")
        .prefix_range("e.region_code", parent_prefix);
    sql.push(&format!(" GROUP BY {child} ORDER BY child"));
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Age pyramid in scope: (birth year, sex, count).
pub async fn birth_years(
    conn: &mut Conn,
    scope: &Authorized,
) -> Result<Vec<(String, String, i64)>> {
    let mut sql =
        Sql::new("SELECT SUBSTR(e.birth_date, 1, 4) AS y, e.sex, COUNT(*) FROM elders e WHERE ");
    sql.elder_scope(scope);
    sql.push(" AND e.status = 'alive' GROUP BY SUBSTR(e.birth_date, 1, 4), e.sex ORDER BY y");
    Ok(sql.query_as().fetch_all(conn).await?)
}
