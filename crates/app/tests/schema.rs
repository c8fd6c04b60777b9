//! Both backends get the same schema from their migrations.

use std::collections::BTreeMap;

fn normalized(sql: &str) -> String {
    sql.lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .map(|l| l.replace(" COLLATE \"C\"", ""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn migration_files_are_the_same_apart_from_collation() {
    let sqlite = store_sqlite::MIGRATIONS;
    let postgres = store_postgres::MIGRATIONS;
    assert_eq!(sqlite.len(), postgres.len(), "same number of migrations");
    for (a, b) in sqlite.iter().zip(postgres) {
        assert_eq!(
            (a.version, a.name),
            (b.version, b.name),
            "same names in the same order"
        );
        assert_eq!(
            normalized(a.sql),
            normalized(b.sql),
            "migration {} differs beyond collation",
            a.name
        );
    }
}

/// table → sorted column names, as the database reports them after migrating from empty.
async fn columns(store: &store::Store) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String)> = match store.backend() {
        store::Backend::Sqlite => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name",
        )
        .fetch_all(store.pool())
        .await
        .expect("sqlite schema"),
        store::Backend::Postgres => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' ORDER BY table_name, column_name",
        )
        .fetch_all(store.pool())
        .await
        .expect("postgres schema"),
    };
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in rows {
        map.entry(table).or_default().push(column);
    }
    map
}

#[tokio::test]
async fn migrated_schemas_have_the_same_tables_and_columns() {
    let backends = testkit::backends();
    let mut schemas = Vec::new();
    for backend in &backends {
        let db = testkit::TestDb::new(backend).await;
        let app = db.app().await;
        // Migrating twice is a no-op.
        assert_eq!(app::migrate(app.store()).await.expect("re-migrate"), 0);
        schemas.push((backend.name(), columns(app.store()).await));
    }
    let (first_name, first) = &schemas[0];
    assert!(first.contains_key("elders") && first.contains_key("audit_log"));
    for (name, schema) in &schemas[1..] {
        assert_eq!(first, schema, "{first_name} and {name} schemas differ");
    }
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let db = testkit::TestDb::new(&testkit::Backend::Sqlite).await;
    let app = db.app().await;
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(app.store().pool())
        .await
        .unwrap();
    let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
        .fetch_one(app.store().pool())
        .await
        .unwrap();
    assert_eq!((mode.as_str(), fk), ("wal", 1));
    // A foreign key is enforced: an elder in a region that does not exist is refused.
    let result = sqlx::query(
        "INSERT INTO elders (id, name, name_initials, id_number, sex, birth_date, region_code, status, created_at, updated_at) \
         VALUES ('x', 'n', 'n', 'i', 'male', '1950-01-01', '999999', 'alive', 't', 't')",
    )
    .execute(app.store().pool())
    .await;
    assert!(result.is_err(), "foreign keys are enforced");
}
