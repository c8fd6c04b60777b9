//! Organizations: medical institutions, elderly-care institutions and combined (医养结合)
//! institutions, with the facts the supervision indicators need (DESIGN.md, indicators.md).

use crate::field::{self, FieldError, Problem};

code_enum!(OrgKind {
    GeneralHospital = "general_hospital", "综合医院", "general hospital";
    TcmHospital = "tcm_hospital", "中医医院", "TCM hospital";
    CommunityHealthCentre = "community_health_centre", "社区卫生服务中心", "community health service centre";
    TownshipHealthCentre = "township_health_centre", "乡镇卫生院", "township health centre";
    NursingHospital = "nursing_hospital", "护理院", "nursing hospital";
    RehabilitationHospital = "rehabilitation_hospital", "康复医院", "rehabilitation hospital";
    Hospice = "hospice", "安宁疗护机构", "hospice";
    NursingHome = "nursing_home", "养老院", "nursing home";
    DayCareCentre = "day_care_centre", "日间照料中心", "day-care centre";
    RuralHappinessHome = "rural_happiness_home", "农村幸福院", "rural happiness home";
    Combined = "combined", "医养结合机构", "combined medical and elderly-care institution";
});

code_enum!(OrgCategory {
    Medical = "medical", "医疗机构", "medical institution";
    ElderlyCare = "elderly_care", "养老机构", "elderly-care institution";
    Combined = "combined", "医养结合机构", "combined institution";
});

code_enum!(
    /// Hospital grade (医院等级).
    OrgGrade {
        First = "1", "一级", "grade I";
        Second = "2", "二级", "grade II";
        Third = "3", "三级", "grade III";
    }
);

code_enum!(Operator {
    Government = "government", "公办", "government-operated";
    PublicPrivate = "public_private", "公建民营", "publicly built, privately run";
    Private = "private", "民办", "private";
});

impl OrgKind {
    pub fn category(self) -> OrgCategory {
        use OrgKind::*;
        match self {
            GeneralHospital
            | TcmHospital
            | CommunityHealthCentre
            | TownshipHealthCentre
            | NursingHospital
            | RehabilitationHospital
            | Hospice => OrgCategory::Medical,
            NursingHome | DayCareCentre | RuralHappinessHome => OrgCategory::ElderlyCare,
            Combined => OrgCategory::Combined,
        }
    }

    /// Primary care (基层医疗卫生机构): the family-doctor teams work from these.
    pub fn is_primary_care(self) -> bool {
        matches!(
            self,
            OrgKind::CommunityHealthCentre | OrgKind::TownshipHealthCentre
        )
    }
}

/// Bed counts by type. Nursing-type (护理型) beds are a subset of elderly-care beds; hospice
/// beds may be in either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Beds {
    pub medical: i64,
    pub elderly_care: i64,
    pub nursing: i64,
    pub hospice: i64,
    pub home: i64,
}

/// Raw organization input from a form or the API.
#[derive(Debug, Clone, Default)]
pub struct OrgInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub grade: Option<String>,
    pub operator: Option<String>,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub medical_licence: Option<String>,
    pub elderly_care_licence: Option<String>,
    pub beds: [Option<String>; 5],
    pub services: Vec<String>,
}

code_enum!(
    /// Services and facilities an organization declares; each feeds a supervision indicator.
    OrgService {
        GreenChannel = "green_channel", "老年人就医绿色通道", "green channel for elders";
        InHouseClinic = "in_house_clinic", "内设医务室/护理站", "in-house clinic or nursing station";
        GeriatricsDept = "geriatrics_dept", "老年病科", "geriatrics department";
        RehabDept = "rehab_dept", "康复医学科", "rehabilitation department";
        TcmServices = "tcm_services", "中医药服务", "TCM services";
        HospiceCare = "hospice_care", "安宁疗护服务", "hospice care";
        AssessmentCentre = "assessment_centre", "健康养老需求综合评估中心", "needs-assessment centre";
        MedicalServices = "medical_services", "提供医疗服务", "provides medical services";
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOrg {
    pub name: String,
    pub kind: OrgKind,
    pub grade: Option<OrgGrade>,
    pub operator: Operator,
    pub region_code: region::RegionCode,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub medical_licence: Option<String>,
    pub elderly_care_licence: Option<String>,
    pub beds: Beds,
    pub services: Vec<OrgService>,
}

pub const BED_FIELDS: [&str; 5] = [
    "beds_medical",
    "beds_elderly_care",
    "beds_nursing",
    "beds_hospice",
    "beds_home",
];

impl OrgInput {
    pub fn validate(&self) -> Result<ValidOrg, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = field::text(&mut errors, "name", self.name.as_deref(), 100, true);
        let kind = field::required(&mut errors, "kind", &self.kind, field::code::<OrgKind>);
        let grade = field::optional(&mut errors, "grade", &self.grade, field::code::<OrgGrade>);
        // A missing operator means a government one; an unknown one is an error.
        let operator = field::optional(&mut errors, "operator", &self.operator, field::code)
            .unwrap_or(Operator::Government);
        let region_code = field::required(
            &mut errors,
            "region_code",
            &self.region_code,
            field::region_code,
        );
        let address = field::text(&mut errors, "address", self.address.as_deref(), 200, false);
        let phone = field::optional(&mut errors, "phone", &self.phone, |t| {
            field::phone(t).map(|p| p.as_str().to_string())
        });
        let medical_licence = field::text(
            &mut errors,
            "medical_licence",
            self.medical_licence.as_deref(),
            60,
            false,
        );
        let elderly_care_licence = field::text(
            &mut errors,
            "elderly_care_licence",
            self.elderly_care_licence.as_deref(),
            60,
            false,
        );
        let mut counts = [0i64; 5];
        for (count, (name, raw)) in counts.iter_mut().zip(BED_FIELDS.iter().zip(&self.beds)) {
            if let Some(n) = field::optional(&mut errors, name, raw, |t| {
                field::whole_number(t, 0..=100_000)
            }) {
                *count = n;
            }
        }
        let beds = Beds {
            medical: counts[0],
            elderly_care: counts[1],
            nursing: counts[2],
            hospice: counts[3],
            home: counts[4],
        };
        if beds.nursing > beds.elderly_care {
            errors.push(FieldError::new(
                "beds_nursing",
                Problem::Invalid {
                    zh: "护理型床位是养老床位的一部分，不能多于养老床位".into(),
                    en:
                        "nursing-type beds are part of the elderly-care beds and cannot exceed them"
                            .into(),
                },
            ));
        }
        let mut services: Vec<OrgService> = field::codes(&mut errors, "services", &self.services);
        if let Some(kind) = kind {
            if kind == OrgKind::Combined
                && (medical_licence.is_none() || elderly_care_licence.is_none())
            {
                errors.push(FieldError::new(
                    "medical_licence",
                    Problem::Invalid {
                        zh: "医养结合机构须同时持有医疗机构执业许可和养老机构备案".into(),
                        en: "a combined institution holds both a medical and an elderly-care licence".into(),
                    },
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        services.sort();
        Ok(ValidOrg {
            name: name.expect("checked"),
            kind: kind.expect("checked"),
            grade,
            operator,
            region_code: region_code.expect("checked"),
            address,
            phone,
            medical_licence,
            elderly_care_licence,
            beds,
            services,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> OrgInput {
        OrgInput {
            name: Some("德城区人民医院".into()),
            kind: Some("general_hospital".into()),
            region_code: Some("371402".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_organization_is_valid() {
        let org = base().validate().unwrap();
        assert_eq!(org.kind.category(), OrgCategory::Medical);
        assert_eq!(org.operator, Operator::Government);
    }

    #[test]
    fn combined_institutions_need_both_licences() {
        let mut raw = base();
        raw.kind = Some("医养结合机构".into());
        let errors = raw.validate().unwrap_err();
        assert_eq!(errors[0].field, "medical_licence");
        raw.medical_licence = Some("PDY12345".into());
        raw.elderly_care_licence = Some("YL-371402-001".into());
        assert_eq!(raw.validate().unwrap().kind, OrgKind::Combined);
    }

    #[test]
    fn bed_counts_are_checked() {
        let mut raw = base();
        raw.beds = [
            Some("x".into()),
            Some("10".into()),
            Some("11".into()),
            Some("-1".into()),
            None,
        ];
        let fields: Vec<_> = raw
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["beds_medical", "beds_hospice", "beds_nursing"]);
    }
}
