//! Reads under load, on every backend: the audit rows of concurrent reads are written together
//! but each is committed before its read is answered, a read whose row cannot be written is
//! refused, and the sessions this process keeps in memory give way at once to a logout, a
//! deactivation or a change of the user.

use app::auth::SessionKind;
use app::{App, AppError};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use testkit::{actor, Fixture, PASSWORD};

async fn committed_elder_reads(pool: &sqlx::AnyPool, elder_id: &str) -> i64 {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'elder_read' AND target_id = $1",
    )
    .bind(elder_id)
    .fetch_one(pool)
    .await
    .expect("count audit rows");
    count
}

/// A fixture database, the doctor of `org_a1` signed in, and a pool of its own for checks.
struct Setup {
    _db: testkit::TestDb,
    app: App,
    f: Fixture,
    doctor: app::Actor,
    raw: sqlx::AnyPool,
}

async fn setup(backend: &testkit::Backend) -> Setup {
    let db = testkit::TestDb::new(backend).await;
    let app = db.app().await;
    let f = Fixture::create(&app).await;
    let doctor = actor(&app, "doctor").await;
    let raw = db.raw().await;
    Setup {
        _db: db,
        app,
        f,
        doctor,
        raw,
    }
}

async fn rename_table(pool: &sqlx::AnyPool, from: &str, to: &str) {
    sqlx::query(&format!("ALTER TABLE {from} RENAME TO {to}"))
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("renaming {from}: {e}"));
}

async fn bearer_token(app: &App, username: &str) -> String {
    app.login(username, PASSWORD, None, SessionKind::Bearer)
        .await
        .unwrap_or_else(|e| panic!("login {username}: {e}"))
        .token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reads_each_have_their_audit_row_committed_before_the_answer() {
    const READS: i64 = 300;
    for backend in testkit::backends() {
        let Setup {
            _db,
            app,
            f,
            doctor,
            raw,
        } = setup(&backend).await;
        let answered = Arc::new(AtomicI64::new(0));
        let reads: Vec<_> = (0..READS)
            .map(|_| {
                let (app, doctor, elder, raw, answered) = (
                    app.clone(),
                    doctor.clone(),
                    f.elder_a1.clone(),
                    raw.clone(),
                    answered.clone(),
                );
                tokio::spawn(async move {
                    app.get_elder(&doctor, &elder).await.expect("read");
                    // Every read answered so far, this one included, has its row committed:
                    // another connection sees at least that many.
                    let answered = answered.fetch_add(1, Ordering::SeqCst) + 1;
                    let committed = committed_elder_reads(&raw, &elder).await;
                    assert!(
                        committed >= answered,
                        "{answered} reads answered, {committed} audit rows committed"
                    );
                })
            })
            .collect();
        for read in reads {
            read.await
                .unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        }
        assert_eq!(
            committed_elder_reads(&raw, &f.elder_a1).await,
            READS,
            "{}: one audit row per read",
            backend.name()
        );
        raw.close().await;
    }
}

#[tokio::test]
async fn a_read_whose_audit_row_cannot_be_written_is_refused() {
    for backend in testkit::backends() {
        let Setup {
            _db,
            app,
            f,
            doctor,
            raw,
        } = setup(&backend).await;
        app.get_elder(&doctor, &f.elder_a1).await.expect("read");

        rename_table(&raw, "audit_log", "audit_log_away").await;
        let refused = app.get_elder(&doctor, &f.elder_a1).await;
        assert!(
            matches!(refused, Err(AppError::Internal(_))),
            "{}: a read without its audit row is not answered: {refused:?}",
            backend.name()
        );
        rename_table(&raw, "audit_log_away", "audit_log").await;

        // The writer recovers: the next read is answered and audited.
        app.get_elder(&doctor, &f.elder_a1).await.expect("read");
        assert_eq!(committed_elder_reads(&raw, &f.elder_a1).await, 2);
        raw.close().await;
    }
}

#[tokio::test]
async fn a_signed_in_session_is_not_read_from_the_database_again() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        Fixture::create(&app).await;
        let token = bearer_token(&app, "doctor").await;
        app.authenticate(&token, None).await.expect("live session");

        let raw = db.raw().await;
        rename_table(&raw, "sessions", "sessions_away").await;
        let again = app.authenticate(&token, None).await;
        rename_table(&raw, "sessions_away", "sessions").await;
        let again = again.unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        assert_eq!(again.username(), "doctor");
        raw.close().await;
    }
}

#[tokio::test]
async fn logout_deactivation_and_a_change_of_scope_apply_to_the_next_request() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let f = Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        let name = backend.name();

        // Logout.
        let token = bearer_token(&app, "nurse").await;
        let nurse = app.authenticate(&token, None).await.expect("live");
        app.logout(&nurse, &token).await.unwrap();
        assert!(
            matches!(
                app.authenticate(&token, None).await,
                Err(AppError::Unauthenticated)
            ),
            "{name}: a logged-out token is refused at once"
        );

        // A change of organization (and so of scope).
        let token = bearer_token(&app, "doctor").await;
        let doctor = app.authenticate(&token, None).await.expect("live");
        assert_eq!(doctor.org_id(), Some(f.org_a1.as_str()));
        let mut input = app::users::UserInput {
            username: Some("doctor".into()),
            display_name: Some("测试doctor".into()),
            role: Some("doctor".into()),
            org_id: Some(f.org_b1.clone()),
            ..Default::default()
        };
        app.update_user(&admin, doctor.user_id(), &input)
            .await
            .unwrap();
        let moved = app.authenticate(&token, None).await.expect("still live");
        assert_eq!(moved.org_id(), Some(f.org_b1.as_str()), "{name}");
        assert!(matches!(
            app.get_elder(&moved, &f.elder_a1).await,
            Err(AppError::NotFound)
        ));

        // Deactivation.
        input.active = Some(false);
        app.update_user(&admin, doctor.user_id(), &input)
            .await
            .unwrap();
        assert!(
            matches!(
                app.authenticate(&token, None).await,
                Err(AppError::Unauthenticated)
            ),
            "{name}: a deactivated user's token is refused at once"
        );
    }
}
