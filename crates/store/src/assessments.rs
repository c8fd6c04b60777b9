//! Assessments, the current result per elder and instrument, the levels that follow, and
//! reassessment requests. Every read of an elder's assessments joins `elders e` and applies the
//! caller's scope, as the elder queries do.

use crate::sql::row;
use crate::Authorized;
use crate::{new_id, time_text, Conn, Result, Sql};
use assessment::record::{Place, Reason, Status};
use chrono::{DateTime, Utc};

/// A new assessment as `app` has checked and scored it.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub elder_id: String,
    pub instrument_id: String,
    pub instrument_version: String,
    pub assessed_on: String,
    pub place: String,
    pub reason: String,
    pub org_id: Option<String>,
    pub region_code: Option<String>,
    pub answers: String,
    pub result: String,
    pub total: Option<i64>,
    pub grade: Option<i64>,
    pub band: Option<String>,
    pub provisional: bool,
    pub status: String,
    pub assessor_id: String,
    pub assessor_name: String,
    pub note: Option<String>,
    pub next_due_on: Option<String>,
}

row! {
    #[derive(Debug, Clone)]
    pub struct AssessmentRow in "a" {
        pub id: String,
        pub elder_id: String,
        pub elder_name: String = "e.name",
        pub instrument_id: String,
        pub instrument_version: String,
        pub assessed_on: String,
        #[sqlx(try_from = "String")]
        pub place: Place,
        #[sqlx(try_from = "String")]
        pub reason: Reason,
        pub org_id: Option<String>,
        pub region_code: Option<String>,
        pub answers: String,
        pub result: String,
        pub total: Option<i64>,
        pub grade: Option<i64>,
        pub band: Option<String>,
        pub provisional: i64,
        #[sqlx(try_from = "String")]
        pub status: Status,
        pub assessor_id: String,
        pub assessor_name: String,
        pub signed_at: String,
        pub second_assessor_id: Option<String>,
        pub second_assessor_name: Option<String>,
        pub confirmed_at: Option<String>,
        pub returned_by_name: Option<String>,
        pub return_reason: Option<String>,
        pub note: Option<String>,
        pub next_due_on: Option<String>,
        pub created_at: String,
    }
}

/// Assessments with their elder, whose scope every read applies.
const ASSESSMENTS: &str = "assessments a JOIN elders e ON e.id = a.elder_id";

pub async fn insert(
    conn: &mut Conn,
    _authorized: &Authorized,
    new: &NewAssessment,
    at: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    let now = time_text(at);
    sqlx::query(
        "INSERT INTO assessments (id, elder_id, instrument_id, instrument_version, assessed_on, \
         place, reason, org_id, region_code, answers, result, total, grade, band, provisional, \
         status, assessor_id, assessor_name, signed_at, note, next_due_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22)",
    )
    .bind(id.clone())
    .bind(new.elder_id.clone())
    .bind(new.instrument_id.clone())
    .bind(new.instrument_version.clone())
    .bind(new.assessed_on.clone())
    .bind(new.place.clone())
    .bind(new.reason.clone())
    .bind(new.org_id.clone())
    .bind(new.region_code.clone())
    .bind(new.answers.clone())
    .bind(new.result.clone())
    .bind(new.total)
    .bind(new.grade)
    .bind(new.band.clone())
    .bind(i64::from(new.provisional))
    .bind(new.status.clone())
    .bind(new.assessor_id.clone())
    .bind(new.assessor_name.clone())
    .bind(now.clone())
    .bind(new.note.clone())
    .bind(new.next_due_on.clone())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn get(conn: &mut Conn, scope: &Authorized, id: &str) -> Result<Option<AssessmentRow>> {
    let sql = Sql::scoped::<AssessmentRow>(ASSESSMENTS, "a.id", id, scope);
    Ok(sql.query_as().fetch_optional(conn).await?)
}

/// An elder's assessments, newest first.
pub async fn for_elder(
    conn: &mut Conn,
    scope: &Authorized,
    elder_id: &str,
    instrument: Option<&str>,
) -> Result<Vec<AssessmentRow>> {
    let mut sql = Sql::scoped::<AssessmentRow>(ASSESSMENTS, "a.elder_id", elder_id, scope);
    if let Some(instrument) = instrument {
        sql.push(" AND a.instrument_id = ").text(instrument);
    }
    sql.push(" ORDER BY a.assessed_on DESC, a.id DESC LIMIT 500");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Records the second assessor. Only an assessment still awaiting confirmation changes; the
/// answer says whether this one did.
pub async fn confirm(
    conn: &mut Conn,
    _authorized: &Authorized,
    id: &str,
    second_assessor_id: &str,
    second_assessor_name: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE assessments SET status = 'final', second_assessor_id = $1, \
         second_assessor_name = $2, confirmed_at = $3 \
         WHERE id = $4 AND status = 'awaiting_confirmation'",
    )
    .bind(second_assessor_id.to_string())
    .bind(second_assessor_name.to_string())
    .bind(time_text(at))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sends an assessment still awaiting confirmation back for correction (or the signer takes it
/// back); it then never counts. The answer says whether this one changed.
pub async fn return_for_correction(
    conn: &mut Conn,
    _authorized: &Authorized,
    id: &str,
    returned_by_name: &str,
    reason: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE assessments SET status = 'returned', returned_by_name = $1, return_reason = $2 \
         WHERE id = $3 AND status = 'awaiting_confirmation'",
    )
    .bind(returned_by_name.to_string())
    .bind(reason.to_string())
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

row! {
    #[derive(Debug, Clone)]
    pub struct CurrentRow in "c" {
        pub elder_id: String,
        pub instrument_id: String,
        pub assessment_id: String,
        pub assessed_on: String,
        pub band: Option<String>,
        pub grade: Option<i64>,
        pub next_due_on: Option<String>,
    }
}

/// Makes `row` the elder's current result for its instrument unless a later one is current.
pub async fn make_current(
    conn: &mut Conn,
    _authorized: &Authorized,
    row: &CurrentRow,
) -> Result<()> {
    let mut sql = Sql::upsert::<CurrentRow>(
        "assessment_current",
        "elder_id, instrument_id",
        vec![
            row.elder_id.clone().into(),
            row.instrument_id.clone().into(),
            row.assessment_id.clone().into(),
            row.assessed_on.clone().into(),
            row.band.clone().into(),
            row.grade.into(),
            row.next_due_on.clone().into(),
        ],
    );
    // A later assessment stays current when an earlier one is recorded after it.
    sql.push(" WHERE assessment_current.assessed_on <= excluded.assessed_on");
    sql.execute(conn).await?;
    Ok(())
}

/// The current results of one elder (no scope: the caller has already read the elder).
pub async fn current_for_elder(
    conn: &mut Conn,
    authorized: &Authorized,
    elder_id: &str,
) -> Result<Vec<CurrentRow>> {
    let mut sql = Sql::scoped::<CurrentRow>(
        "assessment_current c JOIN elders e ON e.id = c.elder_id",
        "c.elder_id",
        elder_id,
        authorized,
    );
    sql.push(" ORDER BY c.instrument_id");
    Ok(sql.query_as().fetch_all(conn).await?)
}

row! {
    #[derive(Debug, Clone, Default)]
    pub struct CareLevelsRow in "c" {
        pub elder_id: String,
        pub ability_grade: Option<i64>,
        pub ability_band: Option<String>,
        pub care_level: Option<String>,
        pub care_level_instrument: Option<String>,
        pub ltc_level: Option<i64>,
        pub assessment_id: Option<String>,
        pub updated_at: String,
    }
}

pub async fn save_care_levels(
    conn: &mut Conn,
    _authorized: &Authorized,
    row: &CareLevelsRow,
) -> Result<()> {
    Sql::upsert::<CareLevelsRow>(
        "elder_care_levels",
        "elder_id",
        vec![
            row.elder_id.clone().into(),
            row.ability_grade.into(),
            row.ability_band.clone().into(),
            row.care_level.clone().into(),
            row.care_level_instrument.clone().into(),
            row.ltc_level.into(),
            row.assessment_id.clone().into(),
            row.updated_at.clone().into(),
        ],
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn care_levels(
    conn: &mut Conn,
    authorized: &Authorized,
    elder_id: &str,
) -> Result<Option<CareLevelsRow>> {
    let sql = Sql::scoped::<CareLevelsRow>(
        "elder_care_levels c JOIN elders e ON e.id = c.elder_id",
        "c.elder_id",
        elder_id,
        authorized,
    );
    Ok(sql.query_as().fetch_optional(conn).await?)
}

row! {
    #[derive(Debug, Clone)]
    pub struct RequestRow in "r" {
        pub id: String,
        pub elder_id: String,
        pub elder_name: String = "e.name",
        pub instrument_id: String,
        pub reason: String,
        pub requested_by_name: String,
        pub requested_at: String,
    }
}

pub async fn insert_request(
    conn: &mut Conn,
    _authorized: &Authorized,
    elder_id: &str,
    instrument_id: &str,
    reason: &str,
    requested_by: (&str, &str),
    at: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO reassessment_requests (id, elder_id, instrument_id, reason, requested_by, \
         requested_by_name, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.clone())
    .bind(elder_id.to_string())
    .bind(instrument_id.to_string())
    .bind(reason.to_string())
    .bind(requested_by.0.to_string())
    .bind(requested_by.1.to_string())
    .bind(time_text(at))
    .execute(conn)
    .await?;
    Ok(id)
}

/// Closes the open requests of an elder for an instrument with the assessment that answers them.
pub async fn resolve_requests(
    conn: &mut Conn,
    _authorized: &Authorized,
    elder_id: &str,
    instrument_id: &str,
    assessment_id: &str,
    at: DateTime<Utc>,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE reassessment_requests SET resolved_by = $1, resolved_at = $2 \
         WHERE elder_id = $3 AND instrument_id = $4 AND resolved_at IS NULL",
    )
    .bind(assessment_id.to_string())
    .bind(time_text(at))
    .bind(elder_id.to_string())
    .bind(instrument_id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

// The worklist and count queries start from the small assessment tables and look each row's
// elder up by id (`CROSS JOIN` fixes that order on SQLite; PostgreSQL plans it as an inner join):
// a county-wide scope otherwise makes SQLite walk every elder of the county.

/// Open reassessment requests in scope (optionally of one elder), oldest first.
pub async fn open_requests(
    conn: &mut Conn,
    scope: &Authorized,
    elder_id: Option<&str>,
    limit: i64,
) -> Result<Vec<RequestRow>> {
    let mut sql = Sql::select::<RequestRow>(
        "reassessment_requests r CROSS JOIN elders e \
         WHERE e.id = r.elder_id AND r.resolved_at IS NULL AND ",
    );
    sql.elder_scope(scope);
    if let Some(elder_id) = elder_id {
        sql.push(" AND r.elder_id = ").text(elder_id);
    }
    sql.push(" ORDER BY r.requested_at LIMIT ").int(limit);
    Ok(sql.query_as().fetch_all(conn).await?)
}

row! {
    #[derive(Debug, Clone)]
    pub struct DueRow in "c" {
        pub elder_id: String,
        pub elder_name: String = "e.name",
        pub region_code: Option<String> = "e.region_code",
        pub instrument_id: String,
        pub assessed_on: String,
        pub next_due_on: String,
        pub band: Option<String>,
    }
}

/// Current results whose reassessment is due on or before `due_by`, soonest first, for elders
/// in scope who are alive.
pub async fn due(
    conn: &mut Conn,
    scope: &Authorized,
    due_by: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DueRow>, i64)> {
    let mut body = Sql::new(
        " FROM assessment_current c CROSS JOIN elders e WHERE e.id = c.elder_id \
         AND c.next_due_on <= ",
    );
    body.text(due_by).push(" AND e.status = 'alive' AND ");
    body.elder_scope(scope);
    body.page(conn, "c.next_due_on, e.name, c.elder_id", offset, limit)
        .await
}

/// Assessments in scope that wait for a second assessor, oldest first.
pub async fn awaiting_confirmation(
    conn: &mut Conn,
    scope: &Authorized,
    limit: i64,
) -> Result<Vec<AssessmentRow>> {
    let mut sql = Sql::select::<AssessmentRow>(
        "assessments a CROSS JOIN elders e WHERE e.id = a.elder_id \
         AND a.status = 'awaiting_confirmation' AND ",
    );
    sql.elder_scope(scope);
    sql.push(" ORDER BY a.signed_at LIMIT ").int(limit);
    Ok(sql.query_as().fetch_all(conn).await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CountRow {
    pub region_code: Option<String>,
    pub month: String,
    pub instrument_id: String,
    pub band: Option<String>,
    pub grade: Option<i64>,
    pub n: i64,
}

/// Final assessments in scope dated within `[from, to]`, counted by region, month, instrument
/// and result.
pub async fn counts(
    conn: &mut Conn,
    scope: &Authorized,
    from: &str,
    to: &str,
    region_prefix: Option<&str>,
) -> Result<Vec<CountRow>> {
    let mut sql = Sql::new(
        "SELECT a.region_code, SUBSTR(a.assessed_on, 1, 7) AS month, a.instrument_id, a.band, \
         a.grade, COUNT(*) AS n FROM assessments a CROSS JOIN elders e \
         WHERE e.id = a.elder_id AND a.status = 'final' AND a.assessed_on >= ",
    );
    sql.text(from)
        .push(" AND a.assessed_on <= ")
        .text(to)
        .push(" AND ");
    sql.elder_scope(scope);
    if let Some(prefix) = region_prefix {
        sql.push(" AND ");
        sql.prefix_range("a.region_code", prefix);
    }
    sql.push(
        " GROUP BY a.region_code, SUBSTR(a.assessed_on, 1, 7), a.instrument_id, a.band, a.grade \
         ORDER BY 1, 2, 3",
    );
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Living elders in a stable order (identity number), for the demo generator to sample:
/// `(id, birth_date, region_code, residence_org_id)`.
pub async fn living_elders_sample(
    conn: &mut Conn,
    _authorized: &Authorized,
    limit: i64,
) -> Result<Vec<(String, String, Option<String>, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT id, birth_date, region_code, residence_org_id FROM elders \
         WHERE status = 'alive' ORDER BY id_number LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Living elders in scope per current care level (`self_care`, `semi_dependent`,
/// `fully_dependent`); elders never assessed are not counted.
pub async fn care_level_counts(conn: &mut Conn, scope: &Authorized) -> Result<Vec<(String, i64)>> {
    let mut sql = Sql::new(
        "SELECT c.care_level, COUNT(*) FROM elder_care_levels c JOIN elders e ON e.id = c.elder_id \
         WHERE c.care_level IS NOT NULL AND e.status = 'alive' AND ",
    );
    sql.elder_scope(scope);
    sql.push(" GROUP BY c.care_level ORDER BY c.care_level");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Living residents of institutions in scope with a current care level:
/// `(residence_org_id, care_level, residents)`.
pub async fn residents_by_care_level(
    conn: &mut Conn,
    scope: &Authorized,
) -> Result<Vec<(String, String, i64)>> {
    let mut sql = Sql::new(
        "SELECT e.residence_org_id, c.care_level, COUNT(*) FROM elder_care_levels c \
         CROSS JOIN elders e WHERE e.id = c.elder_id AND c.care_level IS NOT NULL \
         AND e.status = 'alive' AND e.residence_org_id IS NOT NULL AND ",
    );
    sql.elder_scope(scope);
    sql.push(" GROUP BY e.residence_org_id, c.care_level ORDER BY 1, 2");
    Ok(sql.query_as().fetch_all(conn).await?)
}
