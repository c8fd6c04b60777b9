//! Use cases on the elderly record: create, read, list and search, edit with history.

use crate::audit_log::Audit;
use crate::{Actor, App, AppError, Page, Result};
use access::{Action, AuditAction, Scope};
use registry::id_number::mask_identity;
use registry::phone::mask_phone;
use registry::{field, ElderInput, FieldError, Lang, Problem, ValidElder};
use store::elders::{ChangeRow, ElderColumns, ElderFilter, ElderRow};
use store::Conn;

/// A family contact as shown (the phone masked unless the view discloses it).
pub use registry::Contact as ContactView;

/// An elder's record as the caller may see it: identity and phone numbers are masked unless the
/// caller is entitled to them on a detail view.
#[derive(Debug, Clone)]
pub struct ElderView {
    pub id: String,
    pub name: String,
    pub id_number: String,
    pub identity_masked: bool,
    pub sex: String,
    /// Absent where the identity number is masked (it would restore digits 7–14).
    pub birth_date: Option<String>,
    pub age: i32,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// The published code (6, 9 or 12 digits).
    pub region_code: Option<String>,
    pub living_situation: Option<String>,
    pub special_categories: Vec<String>,
    pub medical_insurance: Option<String>,
    pub ltc_insurance: bool,
    pub chronic_conditions: Vec<String>,
    pub status: String,
    pub contacts: Vec<ContactView>,
    pub responsible_org_id: Option<String>,
    pub residence_org_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// Whether a view shows full identity and phone numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    Masked,
    Full,
}

/// Searches by number (identity or phone) one user may make in five minutes.
pub const NUMBER_SEARCHES_PER_WINDOW: usize = 40;

impl ElderView {
    pub fn from_row(row: &ElderRow, disclosure: Disclosure, today: chrono::NaiveDate) -> ElderView {
        let full = disclosure == Disclosure::Full;
        let show_phone = |p: &str| if full { p.to_string() } else { mask_phone(p) };
        let birth = chrono::NaiveDate::parse_from_str(&row.birth_date, "%Y-%m-%d").ok();
        let contacts = row
            .contacts
            .0
            .iter()
            .map(|c| ContactView {
                name: c.name.clone(),
                relation: c.relation.clone(),
                phone: show_phone(&c.phone),
            })
            .collect();
        ElderView {
            id: row.id.clone(),
            name: row.name.clone(),
            id_number: if full {
                row.id_number.clone()
            } else {
                mask_identity(&row.id_number)
            },
            identity_masked: !full,
            sex: row.sex.clone(),
            // Digits 7–14 of the identity number are the birth date: shown beside a masked
            // number it would undo the mask. The age says what the work needs.
            birth_date: full.then(|| row.birth_date.clone()),
            age: birth
                .map(|b| registry::elder::age_on(b, today))
                .unwrap_or(0),
            phone: row.phone.as_deref().map(show_phone),
            address: row.address.clone(),
            region_code: row.region_code.as_deref().map(region::display_code_of),
            living_situation: row.living_situation.clone(),
            special_categories: store::unframe_list(&row.special_categories),
            medical_insurance: row.medical_insurance.clone(),
            ltc_insurance: row.ltc_insurance == 1,
            chronic_conditions: store::unframe_list(&row.chronic_conditions),
            status: row.status.code().to_string(),
            contacts,
            responsible_org_id: row.responsible_org_id.clone(),
            residence_org_id: row.residence_org_id.clone(),
            created_at: row.created_at.clone(),
            updated_at: row.updated_at.clone(),
            version: row.version,
        }
    }
}

/// The stored record as raw input, so that an edit can start from what is there and change only
/// the fields it names.
pub fn input_from_row(row: &ElderRow) -> ElderInput {
    let contacts = row
        .contacts
        .0
        .iter()
        .map(|c| {
            let text = |v: &str| Some(v.to_string());
            (text(&c.name), text(&c.relation), text(&c.phone))
        })
        .collect();
    ElderInput {
        name: Some(row.name.clone()),
        id_number: Some(row.id_number.clone()),
        sex: None,
        birth_date: None,
        phone: row.phone.clone(),
        address: row.address.clone(),
        region_code: row.region_code.clone(),
        living_situation: row.living_situation.clone(),
        special_categories: store::unframe_list(&row.special_categories),
        medical_insurance: row.medical_insurance.clone(),
        ltc_insurance: Some(row.ltc_insurance == 1),
        chronic_conditions: store::unframe_list(&row.chronic_conditions),
        status: Some(row.status.code().to_string()),
        contacts,
        responsible_org_id: row.responsible_org_id.clone(),
        residence_org_id: row.residence_org_id.clone(),
    }
}

/// Filters as the list page and the API take them (text, checked here).
#[derive(Debug, Clone, Default)]
pub struct ElderQuery {
    pub q: Option<String>,
    pub region: Option<String>,
    pub status: Option<String>,
    pub living_situation: Option<String>,
    pub sex: Option<String>,
    pub category: Option<String>,
    pub condition: Option<String>,
    pub org_id: Option<String>,
    /// `self_care`, `semi_dependent`, `fully_dependent` or `unassessed`.
    pub care_level: Option<String>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
}

impl ElderQuery {
    /// Checks each filter; an unknown code is a field error rather than an empty result.
    pub fn to_filter(&self, today: chrono::NaiveDate, page: Page) -> Result<ElderFilter> {
        let mut errors = Vec::new();
        let mut code = |field: &str, value: &Option<String>, valid: &[&'static str]| {
            field::one_of(&mut errors, field, value.as_deref(), valid).map(str::to_string)
        };
        let status = code("status", &self.status, registry::ElderStatus::CODES);
        let living_situation = code(
            "living_situation",
            &self.living_situation,
            registry::LivingSituation::CODES,
        );
        let sex = code("sex", &self.sex, registry::Sex::CODES);
        let category = code("category", &self.category, registry::SpecialCategory::CODES);
        let care_level = code(
            "care_level",
            &self.care_level,
            &[
                "self_care",
                "semi_dependent",
                "fully_dependent",
                "unassessed",
            ],
        );
        let region_prefix = field::region_prefix(&mut errors, "region", &self.region);
        let condition = field::optional(&mut errors, "condition", &self.condition, |text| {
            registry::elder::normalize_icd10(text).ok_or_else(|| Problem::Icd10 {
                code: text.chars().take(20).collect(),
            })
        });
        for (field, age) in [("min_age", self.min_age), ("max_age", self.max_age)] {
            if let Some(age) = age {
                field::in_range(&mut errors, field, age, 0..=150);
            }
        }
        AppError::invalid_if_any(errors)?;
        use chrono::Datelike;
        // Age a on `today` means born in (today - (a+1) years, today - a years].
        let shift = |years: i64| {
            today
                .with_year(today.year() - years as i32)
                .unwrap_or(today)
        };
        let born_to = self
            .min_age
            .map(|a| shift(a).format("%Y-%m-%d").to_string());
        let born_from = self.max_age.map(|a| {
            (shift(a + 1) + chrono::Duration::days(1))
                .format("%Y-%m-%d")
                .to_string()
        });
        Ok(ElderFilter {
            q: self.q.clone(),
            region_prefix,
            status,
            living_situation,
            sex,
            category,
            condition,
            org_id: self.org_id.clone().filter(|o| !o.trim().is_empty()),
            care_level,
            born_from,
            born_to,
            numbers: Default::default(),
            offset: page.offset(),
            limit: page.per_page,
        })
    }
}

impl App {
    pub async fn create_elder(&self, actor: &Actor, input: &ElderInput) -> Result<String> {
        let authorized = actor.writes_for(self, Action::CreateElder).await?;
        let now = self.now();
        let mut valid = input
            .validate(crate::today(now))
            .map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        self.complete_and_check(&mut tx, actor, &mut valid, None)
            .await?;
        let columns = ElderColumns::from_valid(&valid);
        let id = match store::elders::insert(&mut tx, &authorized, &columns, now).await {
            Ok(id) => id,
            Err(store::StoreError::Conflict(_)) => {
                return Err(self.duplicate_error(actor, valid.id_number.as_str()).await)
            }
            Err(e) => return Err(e.into()),
        };
        Audit::new(actor, AuditAction::ElderCreate)
            .elder(&id)
            .detail(format!("{} {}", valid.name, valid.id_number.masked()))
            .commit(tx)
            .await?;
        Ok(id)
    }

    async fn duplicate_error(&self, actor: &Actor, id_number: &str) -> AppError {
        let problem = match self.store.acquire().await {
            Ok(mut conn) => self
                .duplicate_problem(&mut conn, actor, id_number)
                .await
                .ok()
                .flatten()
                .unwrap_or(Problem::DuplicateElsewhere),
            Err(_) => Problem::DuplicateElsewhere,
        };
        AppError::field("id_number", problem)
    }

    /// The refusal of an identity number already on file (`None` if it is not, or if it is
    /// the record being edited). It names the record only to a caller who may read it: to anyone
    /// else it says what to do, so that the check cannot be used to find who holds a record.
    async fn duplicate_problem(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id_number: &str,
    ) -> Result<Option<Problem>> {
        let everything = crate::auth::system_access(self.now());
        let Some(existing) =
            store::elders::id_by_identity_number(conn, &everything, id_number).await?
        else {
            return Ok(None);
        };
        let readable = store::elders::get(conn, &actor.reads(self.now()), &existing)
            .await?
            .is_some();
        Ok(Some(if readable {
            Problem::Duplicate {
                existing_id: existing,
            }
        } else {
            Problem::DuplicateElsewhere
        }))
    }

    /// Fills defaults from the caller's organization, checks that the region and organizations
    /// exist, that the identity number is not already on file, and that the record is inside
    /// the caller's scope (nobody creates a record they could not then see). Roster import
    /// runs every row through it too, so both paths obey the same rules.
    pub(crate) async fn complete_and_check(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        valid: &mut ValidElder,
        editing: Option<&str>,
    ) -> Result<()> {
        let authorized = crate::auth::system_access(self.now());
        let mut errors = Vec::new();
        if editing.is_none()
            && valid.responsible_org_id.is_none()
            && valid.residence_org_id.is_none()
        {
            valid.responsible_org_id = actor.org_id.clone();
        }
        if valid.region_code.is_none() {
            valid.region_code = self.default_region(conn, actor, valid).await?;
        }
        if let Some(code) = &valid.region_code {
            if store::regions::get(conn, code.prefix()).await?.is_none() {
                errors.push(FieldError::new("region_code", Problem::UnknownRegion));
            }
        }
        for (field, org) in [
            ("responsible_org_id", &valid.responsible_org_id),
            ("residence_org_id", &valid.residence_org_id),
        ] {
            if let Some(org) = org {
                if store::orgs::get(conn, org).await?.is_none() {
                    errors.push(FieldError::new(field, Problem::UnknownOrganization));
                }
            }
        }
        let existing =
            store::elders::id_by_identity_number(conn, &authorized, valid.id_number.as_str())
                .await?;
        if existing.is_some() && existing.as_deref() != editing {
            if let Some(problem) = self
                .duplicate_problem(conn, actor, valid.id_number.as_str())
                .await?
            {
                errors.push(FieldError::new("id_number", problem));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let orgs = [
            valid.responsible_org_id.as_deref(),
            valid.residence_org_id.as_deref(),
        ];
        if !actor
            .scope
            .admits(editing.unwrap_or(""), valid.region_code.as_ref(), orgs)
            && actor.scope != Scope::Everything
        {
            let field = match actor.scope {
                Scope::Region(_) => "region_code",
                _ => "responsible_org_id",
            };
            return Err(AppError::field(
                field,
                Problem::Invalid {
                    zh: "超出您的数据权限范围".into(),
                    en: "is outside your data scope".into(),
                },
            ));
        }
        Ok(())
    }

    /// The region a new record gets when none is given: the caller's organization's, else the
    /// county in the identity number if the registry knows it.
    async fn default_region(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        valid: &ValidElder,
    ) -> Result<Option<region::RegionCode>> {
        if let Some(org_id) = valid.responsible_org_id.as_ref().or(actor.org_id.as_ref()) {
            if let Some(org) = store::orgs::get(conn, org_id).await? {
                return Ok(region::RegionCode::parse(&org.region_code).ok());
            }
        }
        if let Some(code) = actor.region_code.as_deref() {
            return Ok(region::RegionCode::parse(code).ok());
        }
        let county = valid.id_number.address_code();
        if store::regions::get(conn, county).await?.is_some() {
            return Ok(region::RegionCode::parse(county).ok());
        }
        Ok(None)
    }

    /// A record in the caller's scope, with identity shown as the role allows; audited.
    pub async fn get_elder(&self, actor: &Actor, id: &str) -> Result<ElderView> {
        let authorized = actor.reads_for(self, Action::ReadElder).await?;
        let (conn, row) = self
            .elder_to_read(&authorized, actor, id, "elder_read")
            .await?;
        let disclosure = if actor.may(Action::ReadElderIdentity) {
            Disclosure::Full
        } else {
            Disclosure::Masked
        };
        self.audit_elder_read(conn, actor, AuditAction::ElderRead, id, None)
            .await?;
        Ok(ElderView::from_row(
            &row,
            disclosure,
            crate::today(self.now()),
        ))
    }

    /// The stored row itself, for an edit form; same scope and audit as a read.
    pub async fn elder_for_edit(&self, actor: &Actor, id: &str) -> Result<ElderRow> {
        let authorized = actor.writes_for(self, Action::UpdateElder).await?;
        let (mut conn, row) = self
            .elder_to_read(&authorized, actor, id, "elder_edit")
            .await?;
        Audit::new(actor, AuditAction::ElderRead)
            .elder(id)
            .detail("edit")
            .append(&mut conn)
            .await?;
        Ok(row)
    }

    /// A page of records in scope; numbers always masked in lists. One audit row per query.
    pub async fn list_elders(
        &self,
        actor: &Actor,
        query: &ElderQuery,
        page: Page,
    ) -> Result<(Vec<ElderView>, i64)> {
        let authorized = actor.reads_for(self, Action::ReadElder).await?;
        let today = crate::today(self.now());
        let mut filter = query.to_filter(today, page)?;
        if let Some(registry::SearchTerm::Digits(_)) =
            query.q.as_deref().and_then(registry::SearchTerm::classify)
        {
            // Numbers can be enumerated: a user gets a clinic's day of number searches, and
            // only those who see the numbers in full find by prefix or by phone.
            self.number_searches
                .admit(actor.user_id(), self.now())
                .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
            if actor.may(Action::ReadElderIdentity) {
                filter.numbers = store::elders::NumberSearch::PrefixOrPhone;
            }
        }
        let mut conn = self.store.acquire().await?;
        let (rows, total) = store::elders::list(&mut conn, &authorized, &filter).await?;
        let detail = format!(
            "q={} page={} total={total}",
            query.q.as_deref().map(mask_query).unwrap_or_default(),
            page.page
        );
        Audit::new(actor, AuditAction::ElderList)
            .detail(detail)
            .append(&mut conn)
            .await?;
        Ok((
            rows.iter()
                .map(|r| ElderView::from_row(r, Disclosure::Masked, today))
                .collect(),
            total,
        ))
    }

    /// Replaces the record with `input` (built from the stored row plus the caller's changes).
    /// `expected_version`, when given, must match: an edit never overwrites one it did not see.
    pub async fn update_elder(
        &self,
        actor: &Actor,
        id: &str,
        input: &ElderInput,
        expected_version: Option<i64>,
    ) -> Result<Vec<&'static str>> {
        let authorized = actor.writes_for(self, Action::UpdateElder).await?;
        let now = self.now();
        let mut valid = input
            .validate(crate::today(now))
            .map_err(AppError::Invalid)?;
        let tx = self.store.begin().await?;
        let (mut tx, current) = self
            .elder_in_scope(tx, &authorized, actor, id, "elder_update")
            .await?;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(AppError::Stale);
        }
        self.complete_and_check(&mut tx, actor, &mut valid, Some(id))
            .await?;
        let columns = ElderColumns::from_valid(&valid);
        let changed = store::elders::update(
            &mut tx,
            &authorized,
            &current,
            &columns,
            (&actor.user_id, &actor.username),
            now,
        )
        .await?;
        if changed.is_empty() {
            tx.commit().await.map_err(store::StoreError::from)?;
        } else {
            Audit::new(actor, AuditAction::ElderUpdate)
                .elder(id)
                .detail(changed.join(","))
                .commit(tx)
                .await?;
        }
        Ok(changed)
    }

    /// Who changed what, when; identity and phone values masked unless the caller may see them.
    pub async fn elder_history(&self, actor: &Actor, id: &str) -> Result<Vec<ChangeRow>> {
        let authorized = actor.reads_for(self, Action::ReadElder).await?;
        let (mut conn, _) = self
            .elder_to_read(&authorized, actor, id, "elder_history")
            .await?;
        let mut rows = store::elders::history(&mut conn, &authorized, id).await?;
        // Old identity and phone numbers are personal data like the current ones.
        self.audit_elder_read(conn, actor, AuditAction::ElderHistoryRead, id, None)
            .await?;
        if !actor.may(Action::ReadElderIdentity) {
            for row in &mut rows {
                let mask: fn(&str) -> String = match row.field.as_str() {
                    "id_number" => mask_identity,
                    "phone" => mask_phone,
                    "contacts" => |_| "***".to_string(),
                    // It is digits 7–14 of the masked identity number.
                    "birth_date" => |_| "****-**-**".to_string(),
                    _ => continue,
                };
                row.old_value = row.old_value.as_deref().map(mask);
                row.new_value = row.new_value.as_deref().map(mask);
            }
        }
        Ok(rows)
    }
}

/// Search text in the audit log: digit runs (identity or phone numbers) are masked.
fn mask_query(q: &str) -> String {
    if q.chars().filter(|c| c.is_ascii_digit()).count() >= 6 {
        mask_identity(q)
    } else {
        q.chars().take(20).collect()
    }
}

/// Field labels for forms, history and errors.
pub fn field_label(field: &str, lang: Lang) -> &'static str {
    let (zh, en) = match field {
        "name" => ("姓名", "Name"),
        "id_number" => ("身份证号", "Identity number"),
        "sex" => ("性别", "Sex"),
        "birth_date" => ("出生日期", "Date of birth"),
        "phone" => ("电话", "Phone"),
        "address" => ("住址", "Address"),
        "region_code" => ("所属区划", "Region"),
        "living_situation" => ("居住情况", "Living situation"),
        "special_categories" => ("特殊人群类别", "Special categories"),
        "medical_insurance" => ("医疗保险", "Medical insurance"),
        "ltc_insurance" => ("长期护理保险", "Long-term-care insurance"),
        "chronic_conditions" => ("慢性病（ICD-10）", "Chronic conditions (ICD-10)"),
        "status" => ("档案状态", "Status"),
        "contacts" => ("紧急联系人", "Family contacts"),
        "responsible_org_id" => ("管理机构", "Managing organization"),
        "residence_org_id" => ("入住机构", "Residential institution"),
        _ => return "",
    };
    lang.pick(zh, en)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn ages_become_birth_date_bounds() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let q = ElderQuery {
            min_age: Some(80),
            max_age: Some(89),
            ..Default::default()
        };
        let f = q.to_filter(today, Page::default()).unwrap();
        // 80 today: born on or before 1946-11-23; at most 89: born after 1936-11-23.
        assert_eq!(f.born_to.as_deref(), Some("1946-11-23"));
        assert_eq!(f.born_from.as_deref(), Some("1936-11-24"));
    }

    #[test]
    fn unknown_filter_codes_are_field_errors() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let q = ElderQuery {
            status: Some("zombie".into()),
            region: Some("x".into()),
            ..Default::default()
        };
        let AppError::Invalid(errors) = q.to_filter(today, Page::default()).unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "region"]);
    }
}
