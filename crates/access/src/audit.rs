//! What the audit log records. Every read and write of a personal record, every login and
//! failed login.

registry::code_enum!(
    /// Whether the audited request was carried out or refused.
    AuditOutcome {
        Ok = "ok", "成功", "ok";
        Denied = "denied", "拒绝", "denied";
    }
);

registry::code_enum!(AuditAction {
    Login = "login", "登录", "login";
    LoginFailed = "login_failed", "登录失败", "failed login";
    Logout = "logout", "退出", "logout";
    ElderList = "elder_list", "查询老人列表", "list elders";
    ElderRead = "elder_read", "查看老人档案", "read elder record";
    ElderHistoryRead = "elder_history_read", "查看档案修改记录", "read elder change history";
    ElderCreate = "elder_create", "新建老人档案", "create elder record";
    ElderUpdate = "elder_update", "修改老人档案", "update elder record";
    ElderImport = "elder_import", "导入花名册", "import roster";
    ElderExport = "elder_export", "导出", "export";
    OrgCreate = "org_create", "新建机构", "create organization";
    OrgUpdate = "org_update", "修改机构", "update organization";
    UserCreate = "user_create", "新建用户", "create user";
    UserUpdate = "user_update", "修改用户", "update user";
    AuditRead = "audit_read", "查看审计日志", "read audit log";
    AssessmentCreate = "assessment_create", "签署评估", "sign assessment";
    AssessmentConfirm = "assessment_confirm", "复核确认评估", "confirm assessment";
    AssessmentReturn = "assessment_return", "退回评估", "return assessment for correction";
    AssessmentRead = "assessment_read", "查看评估", "read assessments";
    ReassessmentRequest = "reassessment_request", "申请重新评估", "request reassessment";
    DeviceRegister = "device_register", "登记设备", "register device";
    DeviceBind = "device_bind", "绑定设备", "bind device";
    DeviceUnbind = "device_unbind", "解绑设备", "unbind device";
    DeviceRead = "device_read", "查看设备", "read devices";
    ReadingsRead = "readings_read", "查看监测数据", "read device readings";
    AlertList = "alert_list", "查看告警列表", "list alerts";
    AlertRead = "alert_read", "查看告警", "read alert";
    AlertAcknowledge = "alert_acknowledge", "确认告警", "acknowledge alert";
    AlertResolve = "alert_resolve", "处置告警", "resolve alert";
    AlertEscalate = "alert_escalate", "告警升级", "escalate alert";
    ThresholdsRead = "thresholds_read", "查看告警阈值", "read alert thresholds";
    ThresholdsSet = "thresholds_set", "设置告警阈值", "set alert thresholds";
    OutboxRead = "outbox_read", "读取待发通知", "read notification outbox";
    OutboxSent = "outbox_sent", "通知已发送", "notification sent";
    GrantCreate = "grant_create", "授权查看档案", "grant record access";
    GrantRevoke = "grant_revoke", "撤销档案授权", "revoke record access";
    GrantList = "grant_list", "查看档案授权", "list record grants";
    Denied = "denied", "越权访问被拒绝", "access denied";
});
