//! The way in for the tools that fill a database with synthetic data: the demo generator (crate
//! `demo`), the device simulator (`simulator`) and the benchmarks (`bench`).
//!
//! A demo database carries a marker (a row in `settings`), written by the demo generator when
//! it fills an empty database. Every tool that adds simulated data asks for it first and is
//! refused without it, so that simulated devices are never bound to real elders and their
//! fake crises never escalate to real families.

use crate::audit_log::Audit;
use crate::{Actor, App, AppError, Result};
use access::{Action, AuditAction};
use registry::{FieldError, Problem};
use store::Store;

/// The `settings` key of the demo marker; its value is when the database was marked.
pub const DEMO_MARKER: &str = "demo_database";

/// The refusal of a database without the demo marker.
pub fn not_a_demo_database() -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "database",
        Problem::Invalid {
            zh: "此数据库不是颐养演示数据库（没有演示标记）；拒绝向其中添加模拟数据".into(),
            en: "this database is not a yiyang demo database (no demo marker); refusing to add \
                 simulated data to it"
                .into(),
        },
    )])
}

/// A stored elder as the simulator draws a device's readings for them.
#[derive(Debug, Clone)]
pub struct DemoElder {
    pub id: String,
    pub birth_date: String,
    /// ICD-10 codes.
    pub chronic_conditions: Vec<String>,
    pub alive: bool,
}

/// A device the simulator registered in an earlier run.
#[derive(Debug, Clone)]
pub struct SimulatedDevice {
    pub id: String,
    pub kind: String,
    pub elder_id: Option<String>,
    pub bound: bool,
    /// The largest `seq` stored for it.
    pub last_seq: Option<i64>,
}

/// What the simulator needs to bind its fleet: the demo elders (by id) and its earlier devices.
#[derive(Debug, Clone, Default)]
pub struct DemoFleet {
    pub elders: Vec<DemoElder>,
    pub devices: Vec<SimulatedDevice>,
}

/// More elders than any demo region has: the simulator reads them all.
const ALL: i64 = 100_000_000;

impl App {
    /// True when the database carries the demo marker.
    pub async fn is_demo_database(&self) -> Result<bool> {
        Ok(self.store.setting(DEMO_MARKER).await?.is_some())
    }

    /// Refuses unless the database carries the demo marker.
    pub async fn require_demo_database(&self) -> Result<()> {
        if self.is_demo_database().await? {
            Ok(())
        } else {
            Err(not_a_demo_database())
        }
    }

    /// Marks an empty database (no elder record) as a demo database; one already marked stays
    /// so. Refuses a database that holds records and no marker.
    pub async fn mark_demo_database(&self) -> Result<()> {
        if self.is_demo_database().await? {
            return Ok(());
        }
        if !self.is_empty().await? {
            return Err(not_a_demo_database());
        }
        let mut conn = self.store.acquire().await?;
        Store::set_setting(&mut conn, DEMO_MARKER, &store::time_text(self.now())).await?;
        tracing::info!("database marked as a demo database");
        Ok(())
    }

    /// The raw store of a demo database, for the demo generator's bulk inserts and the
    /// benchmarks' measurements. Refuses any other database.
    pub async fn demo_store(&self) -> Result<Store> {
        self.require_demo_database().await?;
        Ok(self.store.clone())
    }

    /// Access to every record of a demo database, for the store calls of the demo generator
    /// and the benchmarks. Refuses any other database: simulated data never reaches a real one.
    pub async fn demo_authorized(&self) -> Result<store::Authorized> {
        self.require_demo_database().await?;
        Ok(crate::auth::system_access(self.now()))
    }

    /// Makes a seeded assessment current, as signing it would: the demo generator's
    /// assessments count for the elder's levels like real ones.
    pub async fn apply_demo_assessment(
        &self,
        conn: &mut store::Conn,
        new: &store::assessments::NewAssessment,
        assessment_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        self.apply_result(
            conn,
            &crate::assessments::current_row(new, assessment_id),
            now,
        )
        .await
    }

    /// The demo elders the device simulator may bind devices to, and the devices whose id
    /// starts with `device_prefix` that it registered before, with the last `seq` stored of
    /// each. Only on a demo database, for a role that manages devices; audited.
    pub async fn demo_fleet(&self, actor: &Actor, device_prefix: &str) -> Result<DemoFleet> {
        self.require_demo_database().await?;
        actor.require(self, Action::ManageDevices).await?;
        let mut tx = self.store.begin().await?;
        let filter = store::elders::ElderFilter {
            limit: ALL,
            ..Default::default()
        };
        let (rows, _) = store::elders::list(&mut tx, &actor.writes(self.now()), &filter).await?;
        let mut elders: Vec<DemoElder> = rows
            .into_iter()
            .map(|e| DemoElder {
                chronic_conditions: store::unframe_list(&e.chronic_conditions),
                alive: e.status == registry::ElderStatus::Alive,
                id: e.id,
                birth_date: e.birth_date,
            })
            .collect();
        elders.sort_by(|a, b| a.id.cmp(&b.id));
        let (rows, _) =
            store::monitoring::list_devices(&mut tx, &actor.writes(self.now()), None, ALL, 0)
                .await?;
        let last_seqs: std::collections::HashMap<String, i64> =
            store::monitoring::last_seqs(&mut tx, device_prefix)
                .await?
                .into_iter()
                .collect();
        let devices = rows
            .into_iter()
            .filter(|d| d.id.starts_with(device_prefix))
            .map(|d| SimulatedDevice {
                last_seq: last_seqs.get(&d.id).copied(),
                bound: d.status == monitoring::DeviceStatus::Bound,
                id: d.id,
                kind: d.kind.code().to_string(),
                elder_id: d.elder_id,
            })
            .collect();
        Audit::new(actor, AuditAction::ElderList)
            .detail(format!(
                "device simulator: {} demo elders, devices {device_prefix}*",
                elders.len()
            ))
            .commit(tx)
            .await?;
        Ok(DemoFleet { elders, devices })
    }
}
