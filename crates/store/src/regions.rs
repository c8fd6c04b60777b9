//! The administrative division tree.

use crate::sql::{row, Row};
use crate::{Conn, Result, Sql};

row! {
    #[derive(Debug, Clone)]
    pub struct RegionRow {
        pub code: String,
        pub name: String,
        pub level: String,
        pub parent_code: Option<String>,
    }
}

pub async fn upsert(conn: &mut Conn, region: &region::Region) -> Result<()> {
    let values = [
        region.code.prefix().into(),
        region.name.clone().into(),
        region.level().as_str().into(),
        region.code.parent().map(|p| p.prefix().to_string()).into(),
    ];
    // Only the name: a code's level and parent follow from the code.
    let mut sql = Sql::insert("regions", RegionRow::FIELDS, values);
    sql.push(" ON CONFLICT (code) DO UPDATE SET name = excluded.name");
    sql.execute(conn).await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, code: &str) -> Result<Option<RegionRow>> {
    Sql::find(conn, "regions", "code", code).await
}

pub async fn children(conn: &mut Conn, parent: Option<&str>) -> Result<Vec<RegionRow>> {
    let mut sql = Sql::select::<RegionRow>("regions WHERE parent_code ");
    match parent {
        Some(parent) => sql.push("= ").text(parent),
        None => sql.push("IS NULL"),
    };
    sql.push(" ORDER BY code");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Every region in the subtree of `prefix` (itself included), in code order.
pub async fn subtree(conn: &mut Conn, prefix: &str) -> Result<Vec<RegionRow>> {
    let mut sql = Sql::select::<RegionRow>("regions WHERE ");
    sql.prefix_range("code", prefix).push(" ORDER BY code");
    Ok(sql.query_as().fetch_all(conn).await?)
}

pub async fn all(conn: &mut Conn) -> Result<Vec<RegionRow>> {
    let sql = Sql::select::<RegionRow>("regions ORDER BY code");
    Ok(sql.query_as().fetch_all(conn).await?)
}
