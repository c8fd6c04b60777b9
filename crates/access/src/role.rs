use registry::Lang;

registry::code_enum!(Role {
    Admin = "admin", "系统管理员", "system administrator";
    Supervisor = "supervisor", "监管人员", "region supervisor";
    InstitutionAdmin = "institution_admin", "机构管理员", "institution administrator";
    Doctor = "doctor", "医生", "doctor";
    Nurse = "nurse", "护士", "nurse";
    Caregiver = "caregiver", "护理员", "caregiver";
    Assessor = "assessor", "评估员", "assessor";
    Family = "family", "老人/家属", "elder or family";
});

/// Everything a request can ask to do. Every API endpoint and page maps to exactly one action,
/// so the permission table below is the whole policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ReadElder,
    CreateElder,
    UpdateElder,
    /// See the unmasked identity and phone numbers on an elder's detail page.
    ReadElderIdentity,
    ImportElders,
    ReadOrganization,
    ManageOrganization,
    ReadRegion,
    ManageUsers,
    ReadAudit,
    ReadDashboard,
    /// Record and sign an assessment (instruments reserved to assessors check the role too).
    Assess,
    /// Confirm an assessment as its second assessor.
    ConfirmAssessment,
    /// Ask for a reassessment after a change of condition.
    RequestReassessment,
    /// See an elder's device readings, alerts and devices.
    ReadMonitoring,
    /// Register, bind and unbind home devices.
    ManageDevices,
    /// Acknowledge and resolve alerts.
    HandleAlert,
    /// Set an elder's alert thresholds (a doctor's decision).
    SetThresholds,
    /// Drain the SMS/WeChat outbox (the gateway's account).
    ManageOutbox,
    /// Let another organization or user read one elder's record for a while (a referral, a
    /// consultation); staff must also belong to the elder's responsible organization.
    GrantRecordAccess,
}

impl Action {
    pub const ALL: [Action; 20] = [
        Action::ReadElder,
        Action::CreateElder,
        Action::UpdateElder,
        Action::ReadElderIdentity,
        Action::ImportElders,
        Action::ReadOrganization,
        Action::ManageOrganization,
        Action::ReadRegion,
        Action::ManageUsers,
        Action::ReadAudit,
        Action::ReadDashboard,
        Action::Assess,
        Action::ConfirmAssessment,
        Action::RequestReassessment,
        Action::ReadMonitoring,
        Action::ManageDevices,
        Action::HandleAlert,
        Action::SetThresholds,
        Action::ManageOutbox,
        Action::GrantRecordAccess,
    ];
}

impl Role {
    /// The permission table. Supervisors are government staff: they see their region's records
    /// with identity numbers masked and change none of them. Caregivers and assessors read the
    /// records they work on; only clinical and institution staff create and edit them.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ReadElder | ReadOrganization | ReadRegion => true,
            ReadDashboard => self != Family,
            CreateElder | UpdateElder | ImportElders => {
                matches!(self, Admin | InstitutionAdmin | Doctor | Nurse)
            }
            ReadElderIdentity => {
                matches!(
                    self,
                    Admin | InstitutionAdmin | Doctor | Nurse | Assessor | Family
                )
            }
            ManageOrganization => matches!(self, Admin | InstitutionAdmin),
            ManageUsers | ReadAudit => self == Admin,
            Assess => matches!(self, Assessor | Doctor | Nurse),
            ConfirmAssessment => self == Assessor,
            RequestReassessment => {
                matches!(
                    self,
                    Assessor | Doctor | Nurse | Caregiver | InstitutionAdmin
                )
            }
            // Assessors score ability, not vital signs; supervisors see counts, not readings.
            ReadMonitoring => !matches!(self, Assessor | Supervisor),
            ManageDevices => matches!(self, Admin | InstitutionAdmin | Doctor | Nurse),
            HandleAlert => matches!(self, Admin | InstitutionAdmin | Doctor | Nurse | Caregiver),
            SetThresholds => self == Doctor,
            ManageOutbox => self == Admin,
            GrantRecordAccess => matches!(self, Admin | InstitutionAdmin | Doctor | Nurse),
        }
    }

    /// Staff roles belong to an organization; the others do not.
    pub fn needs_organization(self) -> bool {
        matches!(
            self,
            Role::InstitutionAdmin | Role::Doctor | Role::Nurse | Role::Caregiver | Role::Assessor
        )
    }

    pub fn title(self, lang: Lang) -> &'static str {
        self.label(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_users_and_read_the_audit_log() {
        for role in Role::ALL {
            assert_eq!(
                role.may(Action::ManageUsers),
                *role == Role::Admin,
                "{role:?}"
            );
            assert_eq!(
                role.may(Action::ReadAudit),
                *role == Role::Admin,
                "{role:?}"
            );
        }
    }

    #[test]
    fn supervisors_and_caregivers_never_write_or_see_full_identity() {
        for role in [Role::Supervisor, Role::Caregiver] {
            assert!(!role.may(Action::CreateElder));
            assert!(!role.may(Action::UpdateElder));
            assert!(!role.may(Action::ReadElderIdentity));
            assert!(role.may(Action::ReadElder));
        }
    }
}
