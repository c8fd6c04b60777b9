//! Organizations and their bed counts and declared services.

use crate::sql::{row, Param, Record};
use crate::{frame_list, new_id, Conn, Result, Sql};
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

/// The columns an organization's form sets.
const FORM_COLUMNS: &str = "name, kind, category, grade, operator, region_code, address, phone, \
    medical_licence, elderly_care_licence, beds_medical, beds_elderly_care, beds_nursing, \
    beds_hospice, beds_home, services";

pub async fn insert(conn: &mut Conn, org: &ValidOrg, id: Option<String>) -> Result<String> {
    let id = id.unwrap_or_else(new_id);
    Record {
        table: "organizations",
        id: &id,
    }
    .insert(conn, FORM_COLUMNS, form_values(org))
    .await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, id: &str, org: &ValidOrg) -> Result<()> {
    Record {
        table: "organizations",
        id,
    }
    .update(conn, FORM_COLUMNS, form_values(org))
    .await
}

/// The stored values of [`FORM_COLUMNS`].
fn form_values(org: &ValidOrg) -> Vec<Param> {
    let b = org.beds;
    vec![
        org.name.clone().into(),
        org.kind.code().into(),
        org.kind.category().code().into(),
        org.grade.map(|g| g.code().to_string()).into(),
        org.operator.code().into(),
        org.region_code.prefix().into(),
        org.address.clone().into(),
        org.phone.clone().into(),
        org.medical_licence.clone().into(),
        org.elderly_care_licence.clone().into(),
        b.medical.into(),
        b.elderly_care.into(),
        b.nursing.into(),
        b.hospice.into(),
        b.home.into(),
        frame_list(org.services.iter().map(|s| s.code())).into(),
    ]
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
