//! Test support: fresh databases on every backend and a small, fully known registry.
//!
//! Every storage and API integration test runs on SQLite and, when `YIYANG_TEST_DATABASE_URL`
//! names a PostgreSQL server (an admin URL such as `postgres://postgres@127.0.0.1:5432/postgres`),
//! on PostgreSQL too — each test on its own uniquely named database, dropped afterwards.

use app::App;
use registry::organization::OrgInput;
use registry::{ElderInput, IdNumber, Sex};
use std::path::PathBuf;

/// One backend a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }
}

pub mod broker;

/// SQLite always; PostgreSQL too when `YIYANG_TEST_DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if let Some(url) = std::env::var("YIYANG_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        all.push(Backend::Postgres { admin_url: url });
    }
    all
}

/// A migrated, empty database that is removed when this value is dropped.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDb {
    pub async fn new(backend: &Backend) -> TestDb {
        let unique = format!("yiyang_test_{}", uuid::Uuid::now_v7().simple());
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&unique);
                std::fs::create_dir_all(&dir).expect("temp dir");
                TestDb {
                    url: format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
                    cleanup: Cleanup::Dir(dir),
                }
            }
            Backend::Postgres { admin_url } => {
                let admin = store_postgres::open_url(admin_url)
                    .await
                    .expect("connect to the PostgreSQL admin URL");
                sqlx::raw_sql(&format!("CREATE DATABASE {unique}"))
                    .execute(admin.pool())
                    .await
                    .expect("create database");
                admin.close().await;
                TestDb {
                    url: replace_database(admin_url, &unique),
                    cleanup: Cleanup::PostgresDatabase {
                        admin_url: admin_url.clone(),
                        name: unique,
                    },
                }
            }
        }
    }

    /// A plain connection pool to the same database, for tests that arrange or inspect rows
    /// with SQL of their own (a grant that expired, a count of rows a refused request left).
    pub async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .connect(&self.url)
            .await
            .expect("raw pool")
    }

    /// Opens the store (migrating it) and wraps it in an App.
    pub async fn app(&self) -> App {
        TestDb::open_app(&self.url).await
    }

    /// An App on the database at `url` (another test database, a restored backup).
    pub async fn open_app(url: &str) -> App {
        App::new(app::open_store(url).await.expect("open test store"))
    }
}

/// `postgres://u@h:p/postgres?x` → `postgres://u@h:p/NAME?x`
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..host_part_end])
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                // Drop runs inside the test's runtime; do the async work on a thread of its own.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async {
                        if let Ok(admin) = store_postgres::open_url(&admin_url).await {
                            let _ = sqlx::raw_sql(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(admin.pool())
                            .await;
                            admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// The password of every user the fixture creates.
pub const PASSWORD: &str = "Test-pass-123";

/// A small registry whose every scope is known:
/// county A (371402) with townships A1 and A2, county B (371403) with township B1;
/// health centre `org_a1` in A1 manages elders `a1_*`; `org_b1` in B1 manages `b1_*`;
/// nursing home `home_a` in A2 houses `home_resident`, managed by `org_a1`.
pub struct Fixture {
    pub org_a1: String,
    pub org_b1: String,
    pub home_a: String,
    /// Managed by org_a1, region A1.
    pub elder_a1: String,
    /// Managed by org_b1, region B1 (outside county A).
    pub elder_b1: String,
    /// Lives in home_a (region A2), managed by org_a1.
    pub home_resident: String,
    /// Managed by nobody, region A2: only admins and county-A supervisors see it.
    pub unmanaged_a2: String,
}

pub const COUNTY_A: &str = "371402";
pub const COUNTY_B: &str = "371403";

pub fn id_number(county: &str, year: i32, seq: u16, sex: Sex) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(year, 3, 15).expect("date");
    IdNumber::compose(county, birth, seq, sex)
        .as_str()
        .to_string()
}

impl Fixture {
    /// Creates regions, organizations, elders and one user per role (username = role code;
    /// `supervisor` is county A's, `doctor`/`nurse`/`assessor`/`institution_admin` work at
    /// org_a1, `caregiver` at home_a, `family` is linked to elder_a1).
    pub async fn create(app: &App) -> Fixture {
        let regions = [
            ("37", "山东省"),
            ("3714", "德州市"),
            (COUNTY_A, "德城区"),
            ("371402001", "新华街道"),
            ("371402002", "黄河涯镇"),
            (COUNTY_B, "陵城区"),
            ("371403001", "安德街道"),
        ];
        let regions: Vec<region::Region> = regions
            .iter()
            .map(|(code, name)| region::Region {
                code: region::RegionCode::parse(code).expect("code"),
                name: name.to_string(),
            })
            .collect();
        app.upsert_regions(&regions).await.expect("regions");
        let admin = bootstrap_admin(app).await;
        let create_org = async |name: &str, kind: &str, region: &str, what: &str| {
            let input = OrgInput {
                name: Some(name.into()),
                kind: Some(kind.into()),
                region_code: Some(region.into()),
                beds: [None, Some("120".into()), Some("60".into()), None, None],
                ..Default::default()
            };
            app.create_org(&admin, &input).await.expect(what)
        };
        let org_a1 = create_org(
            "新华街道社区卫生服务中心",
            "community_health_centre",
            "371402001",
            "org a1",
        )
        .await;
        let org_b1 = create_org(
            "安德街道社区卫生服务中心",
            "community_health_centre",
            "371403001",
            "org b1",
        )
        .await;
        let home_a = create_org("黄河涯镇敬老院", "nursing_home", "371402002", "home a").await;
        let create_elder = async |name: &str,
                                  id: String,
                                  region: &str,
                                  responsible: Option<&String>,
                                  residence: Option<&String>,
                                  what: &str| {
            let input = ElderInput {
                name: Some(name.into()),
                id_number: Some(id),
                region_code: Some(region.into()),
                phone: Some("13812345678".into()),
                responsible_org_id: responsible.cloned(),
                residence_org_id: residence.cloned(),
                chronic_conditions: vec!["I10".into()],
                ..Default::default()
            };
            app.create_elder(&admin, &input).await.expect(what)
        };
        let elder_a1 = create_elder(
            "王秀英",
            id_number(COUNTY_A, 1945, 11, Sex::Female),
            "371402001",
            Some(&org_a1),
            None,
            "elder a1",
        )
        .await;
        let elder_b1 = create_elder(
            "李建国",
            id_number(COUNTY_B, 1950, 21, Sex::Male),
            "371403001",
            Some(&org_b1),
            None,
            "elder b1",
        )
        .await;
        let home_resident = create_elder(
            "张桂兰",
            id_number(COUNTY_A, 1938, 31, Sex::Female),
            "371402002",
            Some(&org_a1),
            Some(&home_a),
            "home resident",
        )
        .await;
        let unmanaged_a2 = create_elder(
            "刘德华",
            id_number(COUNTY_A, 1955, 41, Sex::Male),
            "371402002",
            None,
            None,
            "unmanaged",
        )
        .await;
        // (role and username, organization, region, linked elder)
        type Placement<'a> = (
            &'a str,
            Option<&'a String>,
            Option<&'a str>,
            Option<&'a String>,
        );
        let users: [Placement; 7] = [
            ("supervisor", None, Some(COUNTY_A), None),
            ("institution_admin", Some(&org_a1), None, None),
            ("doctor", Some(&org_a1), None, None),
            ("nurse", Some(&org_a1), None, None),
            ("caregiver", Some(&home_a), None, None),
            ("assessor", Some(&org_a1), None, None),
            ("family", None, None, Some(&elder_a1)),
        ];
        for (role, org, region, elder) in users {
            let input = app::users::UserInput {
                username: Some(role.into()),
                display_name: Some(format!("测试{role}")),
                role: Some(role.into()),
                org_id: org.cloned(),
                region_code: region.map(str::to_string),
                elder_id: elder.cloned(),
                password: Some(PASSWORD.into()),
                ..Default::default()
            };
            app.create_user(&admin, &input).await.expect("user");
        }
        // A second assessor of the same organization: GB/T 42195 needs two.
        let second_assessor = app::users::UserInput {
            username: Some("assessor2".into()),
            display_name: Some("测试assessor2".into()),
            role: Some("assessor".into()),
            org_id: Some(org_a1.clone()),
            password: Some(PASSWORD.into()),
            ..Default::default()
        };
        app.create_user(&admin, &second_assessor)
            .await
            .expect("second assessor");
        Fixture {
            org_a1,
            org_b1,
            home_a,
            elder_a1,
            elder_b1,
            home_resident,
            unmanaged_a2,
        }
    }

    /// Which of the fixture's elders each role's scope holds.
    pub fn visible_to(&self, role: access::Role) -> Vec<&str> {
        use access::Role::*;
        let all = [
            &self.elder_a1,
            &self.elder_b1,
            &self.home_resident,
            &self.unmanaged_a2,
        ];
        let ids: Vec<&String> = match role {
            Admin => all.to_vec(),
            Supervisor => vec![&self.elder_a1, &self.home_resident, &self.unmanaged_a2],
            InstitutionAdmin | Doctor | Nurse | Assessor => {
                vec![&self.elder_a1, &self.home_resident]
            }
            Caregiver => vec![&self.home_resident],
            Family => vec![&self.elder_a1],
        };
        ids.into_iter().map(String::as_str).collect()
    }

    pub fn all_elders(&self) -> Vec<&str> {
        vec![
            &self.elder_a1,
            &self.elder_b1,
            &self.home_resident,
            &self.unmanaged_a2,
        ]
    }
}

/// Creates the `admin` user (password [`PASSWORD`]) if needed and returns its actor.
pub async fn bootstrap_admin(app: &App) -> app::Actor {
    app.ensure_admin(Some(PASSWORD.into()))
        .await
        .expect("admin");
    app.system_actor("admin").await.expect("admin actor")
}

/// Signs in through the use case and returns the actor (for app-level tests).
pub async fn actor(app: &App, username: &str) -> app::Actor {
    app.login(
        username,
        PASSWORD,
        Some("127.0.0.1".into()),
        app::auth::SessionKind::Bearer,
    )
    .await
    .unwrap_or_else(|e| panic!("login {username}: {e}"))
    .actor
}

/// Access to every record, for tests that arrange rows straight through the store (outbox
/// entries, signed assessments) before they exercise a use case. Only tests may do this;
/// product code gets an `Authorized` from `app` alone.
pub fn everything() -> store::Authorized {
    store::Authorized::new(access::Scope::Everything, None, chrono::Utc::now())
}
