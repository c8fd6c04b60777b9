//! Organizations: anyone signed in may read them (they hold no personal data); system admins
//! manage all, institution admins their own.

use crate::audit_log::Audit;
use crate::{Actor, App, AppError, Page, Result};
use access::{Action, AuditAction, Role};
use registry::organization::{OrgInput, ValidOrg};
use registry::{FieldError, Problem};
pub use store::orgs::{OrgFilter, OrgRow};

impl App {
    pub async fn list_orgs(
        &self,
        actor: &Actor,
        filter: OrgFilter,
        page: Page,
    ) -> Result<(Vec<OrgRow>, i64)> {
        actor.require(self, Action::ReadOrganization).await?;
        let mut conn = self.store.acquire().await?;
        let filter = OrgFilter {
            offset: page.offset(),
            limit: page.per_page,
            ..filter
        };
        Ok(store::orgs::list(&mut conn, &filter).await?)
    }

    pub async fn get_org(&self, actor: &Actor, id: &str) -> Result<OrgRow> {
        actor.require(self, Action::ReadOrganization).await?;
        let mut conn = self.store.acquire().await?;
        store::orgs::get(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn create_org(&self, actor: &Actor, input: &OrgInput) -> Result<String> {
        actor.require(self, Action::ManageOrganization).await?;
        if actor.role != Role::Admin {
            return Err(self
                .denied(actor, "org_create", None, AppError::Forbidden)
                .await);
        }
        let valid = input.validate().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        require_known_region(&mut tx, &valid).await?;
        let id = store::orgs::insert(&mut tx, &valid, None).await?;
        Audit::new(actor, AuditAction::OrgCreate)
            .target("organization", &id)
            .detail(valid.name.clone())
            .commit(tx)
            .await?;
        Ok(id)
    }

    pub async fn update_org(&self, actor: &Actor, id: &str, input: &OrgInput) -> Result<()> {
        actor.require(self, Action::ManageOrganization).await?;
        if actor.role != Role::Admin && actor.org_id.as_deref() != Some(id) {
            return Err(self
                .denied(actor, "org_update", Some(id), AppError::Forbidden)
                .await);
        }
        let valid = input.validate().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        require_known_region(&mut tx, &valid).await?;
        store::orgs::update(&mut tx, id, &valid).await?;
        Audit::new(actor, AuditAction::OrgUpdate)
            .target("organization", id)
            .detail(valid.name.clone())
            .commit(tx)
            .await?;
        Ok(())
    }
}

async fn require_known_region(conn: &mut store::Conn, org: &ValidOrg) -> Result<()> {
    match store::regions::get(conn, org.region_code.prefix()).await? {
        Some(_) => Ok(()),
        None => Err(AppError::Invalid(vec![FieldError::new(
            "region_code",
            Problem::UnknownRegion,
        )])),
    }
}

/// The stored organization as raw input, for an edit form.
pub fn input_from_row(row: &OrgRow) -> OrgInput {
    OrgInput {
        name: Some(row.name.clone()),
        kind: Some(row.kind.code().to_string()),
        grade: row.grade.clone(),
        operator: Some(row.operator.code().to_string()),
        region_code: Some(row.region_code.clone()),
        address: row.address.clone(),
        phone: row.phone.clone(),
        medical_licence: row.medical_licence.clone(),
        elderly_care_licence: row.elderly_care_licence.clone(),
        beds: [
            row.beds_medical,
            row.beds_elderly_care,
            row.beds_nursing,
            row.beds_hospice,
            row.beds_home,
        ]
        .map(|n| Some(n.to_string())),
        services: store::unframe_list(&row.services),
    }
}
