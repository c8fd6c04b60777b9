//! Data scope: the set of records a user may ever receive. The store adds it to every query,
//! so a record outside it is indistinguishable from one that does not exist.

use crate::role::Role;
use region::RegionCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// System administrators.
    Everything,
    /// A region and everything below it (supervisors).
    Region(RegionCode),
    /// Records managed by an organization or living in it (staff of a health centre or a care
    /// home): `responsible_org_id` or `residence_org_id` equals it.
    Organization(String),
    /// One elder's own record (the elder or the family).
    OwnRecord(String),
    /// A user whose account is missing what its role needs sees nothing.
    Nothing,
}

/// What a user account says about where it belongs.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub region: Option<RegionCode>,
    pub organization_id: Option<String>,
    pub elder_id: Option<String>,
}

impl Scope {
    pub fn for_user(role: Role, placement: &Placement) -> Scope {
        match role {
            Role::Admin => Scope::Everything,
            Role::Supervisor => placement
                .region
                .clone()
                .map_or(Scope::Nothing, Scope::Region),
            // Assessors of a county assessment centre work across the county: a region on
            // their account widens their scope from the organization to that region.
            Role::Assessor if placement.region.is_some() => placement
                .region
                .clone()
                .map_or(Scope::Nothing, Scope::Region),
            Role::InstitutionAdmin
            | Role::Doctor
            | Role::Nurse
            | Role::Caregiver
            | Role::Assessor => placement
                .organization_id
                .clone()
                .map_or(Scope::Nothing, Scope::Organization),
            Role::Family => placement
                .elder_id
                .clone()
                .map_or(Scope::Nothing, Scope::OwnRecord),
        }
    }

    /// The same rule the store's SQL condition applies, for one record in memory.
    pub fn admits(
        &self,
        elder_id: &str,
        region: Option<&RegionCode>,
        orgs: [Option<&str>; 2],
    ) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Region(code) => region.is_some_and(|r| code.contains(r)),
            Scope::Organization(org) => orgs.contains(&Some(org.as_str())),
            Scope::OwnRecord(id) => id == elder_id,
            Scope::Nothing => false,
        }
    }

    /// Organizations a user may see in full (staff lists, bed counts): everything for admins
    /// and supervisors within their region, their own for staff.
    pub fn region_filter(&self) -> Option<&RegionCode> {
        match self {
            Scope::Region(code) => Some(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_gets_its_scope() {
        let county = RegionCode::parse("371402").unwrap();
        let placement = Placement {
            region: Some(county.clone()),
            organization_id: Some("org-1".into()),
            elder_id: Some("elder-1".into()),
        };
        assert_eq!(Scope::for_user(Role::Admin, &placement), Scope::Everything);
        assert_eq!(
            Scope::for_user(Role::Supervisor, &placement),
            Scope::Region(county)
        );
        assert_eq!(
            Scope::for_user(Role::Doctor, &placement),
            Scope::Organization("org-1".into())
        );
        assert_eq!(
            Scope::for_user(Role::Assessor, &placement),
            Scope::Region(RegionCode::parse("371402").unwrap())
        );
        let org_only = Placement {
            organization_id: Some("org-1".into()),
            ..Default::default()
        };
        assert_eq!(
            Scope::for_user(Role::Assessor, &org_only),
            Scope::Organization("org-1".into())
        );
        assert_eq!(
            Scope::for_user(Role::Family, &placement),
            Scope::OwnRecord("elder-1".into())
        );
        assert_eq!(
            Scope::for_user(Role::Doctor, &Placement::default()),
            Scope::Nothing
        );
    }

    #[test]
    fn admits_matches_the_scope() {
        let township = RegionCode::parse("371402001").unwrap();
        let other = RegionCode::parse("371403001").unwrap();
        let supervisor = Scope::Region(RegionCode::parse("371402").unwrap());
        assert!(supervisor.admits("e", Some(&township), [None, None]));
        assert!(!supervisor.admits("e", Some(&other), [None, None]));
        assert!(!supervisor.admits("e", None, [None, None]));
        let doctor = Scope::Organization("o1".into());
        assert!(doctor.admits("e", None, [Some("o2"), Some("o1")]));
        assert!(!doctor.admits("e", Some(&township), [Some("o2"), None]));
        assert!(!Scope::Nothing.admits("e", Some(&township), [Some("o1"), None]));
    }
}
