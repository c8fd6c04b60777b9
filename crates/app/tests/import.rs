//! Roster import through the use case, on every backend: good rows stored and bad rows
//! reported with row, column and reason; the same rules as records created one by one; the
//! same file never stored twice; an interrupted import resumed; roles that may not import
//! refused.

use app::import::{ImportReport, RowError, BATCH_ROWS};
use app::{App, AppError, Page};
use registry::{IdNumber, Lang, Sex};
use sha2::{Digest, Sha256};
use std::sync::Mutex;
use testkit::{actor, id_number, Fixture, COUNTY_A, COUNTY_B};

const HEADER: &str = "序号,姓名,身份证号,出生日期,联系电话,区划代码,长护险,管理机构ID";

/// One CSV line under [`HEADER`].
fn line(n: usize, name: &str, id: &str, birth: &str, phone: &str, region: &str) -> String {
    format!("{n},{name},{id},{birth},{phone},{region},否,")
}

fn roster(lines: &[String]) -> Vec<u8> {
    let mut text = String::from(HEADER);
    for l in lines {
        text.push('\n');
        text.push_str(l);
    }
    text.push('\n');
    text.into_bytes()
}

fn no_progress(_: usize, _: usize) {}

async fn elder_count(app: &App) -> i64 {
    let mut conn = app.store().acquire().await.unwrap();
    store::elders::counts(&mut conn, &testkit::everything())
        .await
        .unwrap()
        .total
}

/// Every stored record of the fixture, as text, to show that an import left them alone.
async fn fixture_rows(app: &App, fixture: &Fixture) -> Vec<String> {
    let mut conn = app.store().acquire().await.unwrap();
    let mut rows = Vec::new();
    for id in fixture.all_elders() {
        let row = store::elders::get(&mut conn, &testkit::everything(), id)
            .await
            .unwrap();
        rows.push(format!("{row:?}"));
    }
    rows
}

async fn audit_count(app: &App, action: &str) -> i64 {
    let admin = app.system_actor("admin").await.unwrap();
    let filter = store::audit::AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    app.search_audit(&admin, filter, Page::new(None, Some(1)))
        .await
        .unwrap()
        .1
}

async fn find(app: &App, id_number: &str) -> Option<store::elders::ElderRow> {
    let mut conn = app.store().acquire().await.unwrap();
    let id = store::elders::id_by_identity_number(&mut conn, &testkit::everything(), id_number)
        .await
        .unwrap()?;
    store::elders::get(&mut conn, &testkit::everything(), &id)
        .await
        .unwrap()
}

fn errors(report: &ImportReport) -> Vec<(usize, &str, &str)> {
    report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.message.as_str()))
        .collect()
}

/// The wrong check character for a valid number.
fn wrong_check(id: &str) -> String {
    let last = if id.ends_with('0') { '1' } else { '0' };
    format!("{}{last}", &id[..17])
}

#[tokio::test]
async fn good_rows_are_stored_and_every_bad_row_is_reported() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        let before = fixture_rows(&app, &fixture).await;
        let existing = id_number(COUNTY_A, 1945, 11, Sex::Female);
        let existing_id = find(&app, &existing).await.unwrap().id;

        let good_1 = id_number(COUNTY_A, 1940, 201, Sex::Male);
        let good_2 = id_number(COUNTY_A, 1950, 202, Sex::Female);
        let good_3 = id_number(COUNTY_A, 1952, 203, Sex::Male);
        let markup = "<script>alert(1)</script>'; DROP TABLE elders;--";
        let long_name = "长".repeat(51);
        let mut lines = vec![
            line(1, "赵一", &good_1, "1940-03-15", "13812345678", "371402001"),
            line(2, "钱二", &wrong_check(&good_2), "", "", ""),
            line(
                3,
                "孙三",
                &id_number(COUNTY_A, 1941, 204, Sex::Male),
                "2099-01-01",
                "",
                "",
            ),
            line(
                4,
                "李四",
                &id_number(COUNTY_A, 1940, 205, Sex::Male),
                "1940-02-30",
                "",
                "",
            ),
            line(5, "周五", &good_1.to_lowercase(), "", "", ""),
            line(6, "吴六", &existing, "", "", ""),
            line(
                7,
                &long_name,
                &id_number(COUNTY_A, 1942, 206, Sex::Male),
                "",
                "",
                "",
            ),
            line(
                8,
                "郑八",
                &id_number(COUNTY_A, 1943, 207, Sex::Male),
                "",
                "12345",
                "",
            ),
            line(
                9,
                "王九",
                &id_number(COUNTY_A, 1944, 208, Sex::Male),
                "",
                "",
                "371402999",
            ),
            line(10, "冯十", &good_2, "", "0534-1234567", ""),
        ];
        lines.push(format!(
            "11,陈十一,{},,,,也许,",
            id_number(COUNTY_A, 1946, 209, Sex::Male)
        ));
        lines.push(format!("12,\"{markup}\",{good_3},,,,是,"));
        let file = roster(&lines);
        let elders_before = elder_count(&app).await;

        let report = app
            .import_elders(&admin, "花名册.csv", &file, Lang::En, &no_progress)
            .await
            .unwrap();

        let expected_check = registry::id_number::check_character(&good_2[..17]);
        let expected: Vec<(usize, &str, String)> = vec![
            (
                3,
                "身份证号",
                format!("has a wrong check character (expected {expected_check})"),
            ),
            (4, "出生日期", "cannot be in the future".into()),
            (5, "出生日期", "is not a valid date (YYYY-MM-DD)".into()),
            (6, "身份证号", "repeats the identity number of row 2".into()),
            (
                7,
                "身份证号",
                format!("a record with this identity number already exists ({existing_id})"),
            ),
            (8, "姓名", "must be at most 50 characters".into()),
            (
                9,
                "联系电话",
                "is not a valid phone number (11-digit mobile or landline with area code)".into(),
            ),
            (10, "区划代码", "is not a known region".into()),
            (12, "长护险", "must be one of: 是, 否".into()),
        ];
        let expected: Vec<(usize, &str, &str)> = expected
            .iter()
            .map(|(row, column, message)| (*row, *column, message.as_str()))
            .collect();
        assert_eq!(errors(&report), expected, "{backend:?}");
        assert_eq!(
            (report.total_rows, report.stored, report.skipped),
            (12, 3, 9),
            "{backend:?}"
        );
        assert_eq!(report.resumed_from_row, 0);
        assert!(!report.already_imported);
        assert_eq!(elder_count(&app).await, elders_before + 3);
        assert_eq!(
            fixture_rows(&app, &fixture).await,
            before,
            "nothing else changed"
        );

        // Stored as a record created one by one would be: the county from the identity number
        // when nothing else says, the given region otherwise; text stays text.
        let first = find(&app, &good_1).await.unwrap();
        assert_eq!(
            (
                first.name.as_str(),
                first.region_code.as_deref(),
                first.phone.as_deref()
            ),
            ("赵一", Some("371402001"), Some("13812345678"))
        );
        let second = find(&app, &good_2).await.unwrap();
        assert_eq!(second.region_code.as_deref(), Some(COUNTY_A));
        assert_eq!(second.phone.as_deref(), Some("0534-1234567"));
        let third = find(&app, &good_3).await.unwrap();
        assert_eq!(third.name, markup);
        assert_eq!(third.ltc_insurance, 1);
        assert_eq!(
            audit_count(&app, "elder_import").await,
            1,
            "one batch, one audit row"
        );

        // The same file again: the earlier report, nothing stored twice.
        let again = app
            .import_elders(&admin, "copy.csv", &file, Lang::Zh, &no_progress)
            .await
            .unwrap();
        assert!(again.already_imported);
        assert_eq!(again.batch_id, report.batch_id);
        assert_eq!(
            (
                again.total_rows,
                again.stored,
                again.skipped,
                again.resumed_from_row
            ),
            (12, 3, 9, 12)
        );
        assert_eq!(again.errors.len(), report.errors.len());
        assert_eq!(elder_count(&app).await, elders_before + 3);
        assert_eq!(audit_count(&app, "elder_import").await, 1);
    }
}

#[tokio::test]
async fn imported_rows_obey_the_importers_scope_and_defaults() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let doctor = actor(&app, "doctor").await;
        let own = id_number(COUNTY_A, 1948, 301, Sex::Male);
        let foreign = id_number(COUNTY_B, 1948, 302, Sex::Male);
        let file = roster(&[
            line(1, "甲", &own, "", "", ""),
            format!("2,乙,{foreign},,,371403001,,{}", fixture.org_b1),
        ]);
        let report = app
            .import_elders(&doctor, "r.csv", &file, Lang::Zh, &no_progress)
            .await
            .unwrap();
        assert_eq!((report.stored, report.skipped), (1, 1), "{backend:?}");
        assert_eq!(
            errors(&report),
            [(3, "管理机构ID", "超出您的数据权限范围")],
            "{backend:?}"
        );
        let stored = find(&app, &own).await.unwrap();
        assert_eq!(
            stored.responsible_org_id.as_deref(),
            Some(fixture.org_a1.as_str()),
            "the doctor's organization, as create_elder would set"
        );
        assert_eq!(stored.region_code.as_deref(), Some("371402001"));
        assert!(find(&app, &foreign).await.is_none());
    }
}

#[tokio::test]
async fn an_interrupted_import_resumes_after_its_last_committed_batch() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        let total = 2 * BATCH_ROWS + 100;
        let lines: Vec<String> = (0..total)
            .map(|i| {
                let birth = chrono::NaiveDate::from_ymd_opt(1930, 1, 1).unwrap()
                    + chrono::Days::new(i as u64);
                let id = IdNumber::compose(COUNTY_A, birth, 101, Sex::Male);
                let id = id.as_str();
                // Data row 10 (spreadsheet row 11) is bad: it must stay reported after the resume.
                let phone = if i == 9 { "12345" } else { "" };
                line(i + 1, &format!("老人{i}"), id, "", phone, "")
            })
            .collect();
        let file = roster(&lines);
        let elders_before = elder_count(&app).await;

        // The first run dies right after its first batch committed, as a killed process would.
        let crashed = tokio::spawn({
            let (app, admin, file) = (app.clone(), admin.clone(), file.clone());
            async move {
                app.import_elders(&admin, "big.csv", &file, Lang::En, &|done, _| {
                    assert!(done == 0, "simulated crash after the first batch");
                })
                .await
            }
        })
        .await;
        assert!(crashed.unwrap_err().is_panic());
        assert_eq!(
            elder_count(&app).await,
            elders_before + BATCH_ROWS as i64 - 1,
            "{backend:?}: exactly the first batch, less its bad row"
        );
        let sha = hex::encode(Sha256::digest(&file));
        let mut conn = app.store().acquire().await.unwrap();
        let batch = store::imports::by_user_and_hash(&mut conn, admin.user_id(), &sha)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        assert_eq!(
            (batch.next_row, batch.status.code()),
            (BATCH_ROWS as i64, "running")
        );

        // The second run continues where the first stopped.
        let calls = Mutex::new(Vec::new());
        let report = app
            .import_elders(&admin, "big.csv", &file, Lang::En, &|done, total| {
                calls.lock().unwrap().push((done, total))
            })
            .await
            .unwrap();
        assert_eq!(report.resumed_from_row, BATCH_ROWS, "{backend:?}");
        assert_eq!(report.batch_id, batch.id);
        assert_eq!(
            (report.total_rows, report.stored, report.skipped),
            (total, total - 1, 1)
        );
        assert_eq!(
            report.errors,
            [RowError {
                row: 11,
                column: "联系电话".into(),
                message: "is not a valid phone number (11-digit mobile or landline with area code)"
                    .into()
            }]
        );
        assert_eq!(
            *calls.lock().unwrap(),
            [(BATCH_ROWS, total), (2 * BATCH_ROWS, total), (total, total)]
        );
        assert_eq!(elder_count(&app).await, elders_before + total as i64 - 1);
        assert_eq!(audit_count(&app, "elder_import").await, 3, "one per batch");
    }
}

#[tokio::test]
async fn roles_that_may_not_import_are_refused_and_nothing_is_stored() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        Fixture::create(&app).await;
        let file = roster(&[line(
            1,
            "甲",
            &id_number(COUNTY_A, 1948, 501, Sex::Male),
            "",
            "",
            "",
        )]);
        let elders_before = elder_count(&app).await;
        for role in ["caregiver", "supervisor", "assessor", "family"] {
            let who = actor(&app, role).await;
            let result = app
                .import_elders(&who, "r.csv", &file, Lang::Zh, &no_progress)
                .await;
            assert!(
                matches!(result, Err(AppError::Forbidden)),
                "{backend:?} {role}: {result:?}"
            );
        }
        assert_eq!(elder_count(&app).await, elders_before);
        let mut conn = app.store().acquire().await.unwrap();
        assert!(store::imports::recent(&mut conn, 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn a_file_that_cannot_be_read_is_one_error_and_stores_nothing() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        let elders_before = elder_count(&app).await;
        for (name, bytes, says) in [
            (
                "r.csv",
                "姓名,电话\n甲,13812345678\n".as_bytes(),
                "身份证号",
            ),
            ("r.csv", b"".as_slice(), "文件为空"),
            ("r.xlsx", b"PK\x03\x04truncated".as_slice(), "损坏"),
        ] {
            match app
                .import_elders(&admin, name, bytes, Lang::Zh, &no_progress)
                .await
            {
                Err(AppError::Invalid(errors)) => {
                    assert_eq!(errors.len(), 1);
                    assert_eq!(errors[0].field, "file");
                    let message = errors[0].problem.message(Lang::Zh);
                    assert!(message.contains(says), "{backend:?} {name}: {message}");
                }
                other => panic!("{backend:?} {name}: {other:?}"),
            }
        }
        assert_eq!(elder_count(&app).await, elders_before);
        let mut conn = app.store().acquire().await.unwrap();
        assert!(store::imports::recent(&mut conn, 10)
            .await
            .unwrap()
            .is_empty());
    }
}
