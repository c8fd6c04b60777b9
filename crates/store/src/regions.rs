//! The administrative division tree.

use crate::{Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
}

pub async fn upsert(conn: &mut Conn, region: &region::Region) -> Result<()> {
    sqlx::query(
        "INSERT INTO regions (code, name, level, parent_code) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name",
    )
    .bind(region.code.prefix())
    .bind(&region.name)
    .bind(region.level().as_str())
    .bind(region.code.parent().map(|p| p.prefix().to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, code: &str) -> Result<Option<RegionRow>> {
    Ok(
        sqlx::query_as("SELECT code, name, level, parent_code FROM regions WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn children(conn: &mut Conn, parent: Option<&str>) -> Result<Vec<RegionRow>> {
    let rows = match parent {
        Some(parent) => {
            sqlx::query_as("SELECT code, name, level, parent_code FROM regions WHERE parent_code = $1 ORDER BY code")
                .bind(parent)
                .fetch_all(conn)
                .await?
        }
        None => {
            sqlx::query_as("SELECT code, name, level, parent_code FROM regions WHERE parent_code IS NULL ORDER BY code")
                .fetch_all(conn)
                .await?
        }
    };
    Ok(rows)
}

/// Every region in the subtree of `prefix` (itself included), in code order.
pub async fn subtree(conn: &mut Conn, prefix: &str) -> Result<Vec<RegionRow>> {
    let mut sql = crate::Sql::new("SELECT code, name, level, parent_code FROM regions WHERE ");
    sql.prefix_range("code", prefix).push(" ORDER BY code");
    Ok(sql.query_as().fetch_all(conn).await?)
}

pub async fn all(conn: &mut Conn) -> Result<Vec<RegionRow>> {
    Ok(
        sqlx::query_as("SELECT code, name, level, parent_code FROM regions ORDER BY code")
            .fetch_all(conn)
            .await?,
    )
}
