//! An assessment as a record: where it was taken, why, and how far it has come (a result counts
//! once final). The codes are stored with the assessment.

registry::code_enum!(Place {
    Centre = "centre", "评估中心", "assessment centre";
    Home = "home", "居家", "home";
    Institution = "institution", "机构", "institution";
});

registry::code_enum!(Reason {
    Initial = "initial", "首次评估", "first assessment";
    Annual = "annual", "年度复评", "annual reassessment";
    ChangeOfCondition = "change_of_condition", "状况变化复评", "change of condition";
    Other = "other", "其他", "other";
});

registry::code_enum!(Status {
    AwaitingConfirmation = "awaiting_confirmation", "待复核", "awaiting second assessor";
    Final = "final", "已生效", "final";
    Returned = "returned", "已退回", "returned for correction";
});
