//! Organizations and their bed counts and declared services.

use crate::sql::row;
use crate::{frame_list, new_id, time_text, Conn, Result, Sql};
use registry::organization::ValidOrg;
use registry::{Operator, OrgCategory, OrgKind};

row! {
    #[derive(Debug, Clone)]
    pub struct OrgRow {
        pub id: String,
        pub name: String,
        #[sqlx(try_from = "String")]
        pub kind: OrgKind,
        #[sqlx(try_from = "String")]
        pub category: OrgCategory,
        pub grade: Option<String>,
        #[sqlx(try_from = "String")]
        pub operator: Operator,
        pub region_code: String,
        pub address: Option<String>,
        pub phone: Option<String>,
        pub medical_licence: Option<String>,
        pub elderly_care_licence: Option<String>,
        pub beds_medical: i64,
        pub beds_elderly_care: i64,
        pub beds_nursing: i64,
        pub beds_hospice: i64,
        pub beds_home: i64,
        pub services: String,
        pub created_at: String,
        pub updated_at: String,
    }
}

/// The columns an organization's form sets, bound by `bind_org` in this order.
const FORM_COLUMNS: &str = "name, kind, category, grade, operator, region_code, address, phone, \
    medical_licence, elderly_care_licence, beds_medical, beds_elderly_care, beds_nursing, \
    beds_hospice, beds_home, services";

pub async fn insert(conn: &mut Conn, org: &ValidOrg, id: Option<String>) -> Result<String> {
    let id = id.unwrap_or_else(new_id);
    let now = time_text(chrono::Utc::now());
    let mut sql = Sql::new(&format!(
        "INSERT INTO organizations (id, {FORM_COLUMNS}, created_at, updated_at) VALUES ("
    ));
    sql.text(id.clone()).push(", ");
    bind_org(&mut sql, org);
    sql.push(", ")
        .text(now.clone())
        .push(", ")
        .text(now)
        .push(")");
    sql.query().execute(conn).await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, id: &str, org: &ValidOrg) -> Result<()> {
    let mut sql = Sql::new(&format!(
        "UPDATE organizations SET ({FORM_COLUMNS}, updated_at) = ("
    ));
    bind_org(&mut sql, org);
    sql.push(", ")
        .text(time_text(chrono::Utc::now()))
        .push(") WHERE id = ")
        .text(id);
    let done = sql.query().execute(conn).await?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

fn bind_org(sql: &mut Sql, org: &ValidOrg) {
    sql.text(org.name.clone()).push(", ");
    sql.text(org.kind.code()).push(", ");
    sql.text(org.kind.category().code()).push(", ");
    sql.opt_text(org.grade.map(|g| g.code().to_string()))
        .push(", ");
    sql.text(org.operator.code()).push(", ");
    sql.text(org.region_code.prefix()).push(", ");
    sql.opt_text(org.address.clone()).push(", ");
    sql.opt_text(org.phone.clone()).push(", ");
    sql.opt_text(org.medical_licence.clone()).push(", ");
    sql.opt_text(org.elderly_care_licence.clone()).push(", ");
    let b = org.beds;
    for (i, n) in [b.medical, b.elderly_care, b.nursing, b.hospice, b.home]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            sql.push(", ");
        }
        sql.int(n);
    }
    sql.push(", ")
        .text(frame_list(org.services.iter().map(|s| s.code())));
}

pub async fn get(conn: &mut Conn, id: &str) -> Result<Option<OrgRow>> {
    Sql::find(conn, "organizations", "id", id).await
}

#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub region_prefix: Option<String>,
    pub category: Option<String>,
    pub kind: Option<String>,
    pub name_prefix: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, filter: &OrgFilter) -> Result<(Vec<OrgRow>, i64)> {
    let mut condition = Sql::new(" FROM organizations WHERE 1 = 1");
    if let Some(prefix) = &filter.region_prefix {
        condition.push(" AND ").prefix_range("region_code", prefix);
    }
    if let Some(category) = &filter.category {
        condition.push(" AND category = ").text(category.clone());
    }
    if let Some(kind) = &filter.kind {
        condition.push(" AND kind = ").text(kind.clone());
    }
    if let Some(name) = &filter.name_prefix {
        condition.push(" AND ").text_prefix("name", name);
    }
    condition
        .page(conn, "region_code, name", filter.offset, filter.limit)
        .await
}

/// Staff of an organization (users with that `org_id`).
pub async fn staff_count(conn: &mut Conn, org_id: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(conn)
        .await?;
    Ok(n)
}
