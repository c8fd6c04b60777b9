//! The UI's texts in both languages. The Chinese text is the key, so templates read as the page
//! a user sees (`{{ ui.t("老人档案") }}`); English comes from this one table. Labels of codes
//! (roles, categories, statuses) come from the registry's code enums, messages of field errors
//! from `registry::Problem`.

use registry::Lang;
use std::collections::HashMap;
use std::sync::LazyLock;

/// (zh, en)
const TEXTS: &[(&str, &str)] = &[
    // Frame and navigation
    ("医养结合服务平台", "Integrated Medical and Elderly Care"),
    ("跳到正文", "Skip to content"),
    ("主导航", "Main navigation"),
    ("退出", "Sign out"),
    ("所有访问均记录在审计日志中", "Every access is recorded in the audit log"),
    ("首页", "Home"),
    ("我的档案", "My record"),
    ("老人档案", "Elderly records"),
    ("机构", "Organizations"),
    ("花名册导入", "Roster import"),
    ("用户管理", "Users"),
    ("审计日志", "Audit log"),
    ("翻页", "Pages"),
    ("上一页", "Previous"),
    ("下一页", "Next"),
    ("共", "Total"),
    ("条", "records"),
    ("查询", "Search"),
    ("清除条件", "Clear"),
    ("不限", "Any"),
    ("页码", "Page"),
    ("保存", "Save"),
    ("取消", "Cancel"),
    ("是", "Yes"),
    ("否", "No"),
    ("无", "None"),
    ("（未填写）", "(not given)"),
    ("（无）", "(none)"),
    ("（请选择）", "(choose)"),
    ("请更正以下问题", "Please correct the following"),
    ("查看已有档案", "Open the existing record"),
    ("：", ": "),
    // Errors
    ("无权访问", "Not allowed"),
    ("未找到", "Not found"),
    ("请求有误", "Invalid request"),
    ("记录已被修改", "Changed meanwhile"),
    ("请稍后再试", "Please try again later"),
    ("出错了", "Something went wrong"),
    ("返回首页", "Back to the home page"),
    // Sign-in
    ("登录", "Sign in"),
    ("用户名", "Username"),
    ("密码", "Password"),
    (
        "老年人健康档案、医养结合机构与服务的统一平台。",
        "One platform for older residents' records, combined medical and elderly-care institutions and their services.",
    ),
    (
        "登录表单已过期，请重新输入",
        "The sign-in form expired; please enter your details again",
    ),
    // Home
    ("辖区概况", "Overview"),
    ("数据范围", "Data scope"),
    ("全部辖区", "All regions"),
    ("主要数字", "Key figures"),
    ("老人总数", "Elders"),
    ("80岁以上", "Aged 80+"),
    ("独居", "Living alone"),
    ("失能/半失能", "Disabled / semi-disabled"),
    ("高血压", "Hypertension"),
    ("糖尿病", "Diabetes"),
    ("各区划老人数", "Elders by region"),
    ("暂无区划数据", "No regional data yet"),
    ("年龄结构", "Age structure"),
    ("暂无数据", "No data yet"),
    ("男", "Men"),
    ("女", "Women"),
    // Elderly records
    ("搜索", "Search"),
    (
        "姓名、拼音首字母、身份证号或电话",
        "Name, pinyin initials, identity number or phone",
    ),
    ("区划", "Region"),
    ("档案状态", "Status"),
    ("居住情况", "Living situation"),
    ("性别", "Sex"),
    ("特殊人群", "Special category"),
    ("照护等级", "Care level"),
    ("慢性病（ICD-10）", "Chronic condition (ICD-10)"),
    ("年龄", "Age"),
    ("序号冲突", "Seq conflicts"),
    (
        "同一序号收到内容不同的数据（设备时钟或固件故障，或他人冒用设备）；已另行保存，未覆盖原数据",
        "readings arrived under a seq already used, with other content (a clock or firmware fault, or someone sending as the device); kept apart, the stored readings were not replaced",
    ),
    ("；最近一次", "; last"),
    ("最小年龄", "Minimum age"),
    ("最大年龄", "Maximum age"),
    ("没有符合条件的档案", "No records match"),
    ("新建档案", "New record"),
    ("编辑档案", "Edit record"),
    ("姓名", "Name"),
    ("身份证号", "Identity number"),
    ("电话", "Phone"),
    ("状态", "Status"),
    ("慢性病", "Chronic conditions"),
    ("岁", "years"),
    ("基本信息", "Basic data"),
    ("已脱敏", "masked"),
    ("出生日期", "Date of birth"),
    ("住址", "Address"),
    ("所属区划", "Region"),
    ("医疗保险", "Medical insurance"),
    ("长期护理保险", "Long-term-care insurance"),
    ("已参保", "Insured"),
    ("未参保", "Not insured"),
    ("管理机构", "Managing organization"),
    ("入住机构", "Residential institution"),
    ("建档时间", "Created"),
    ("最后修改", "Last changed"),
    ("特殊人群类别", "Special categories"),
    ("无记录", "None recorded"),
    ("其他", "other"),
    ("紧急联系人", "Family contacts"),
    ("联系人", "Contact"),
    ("关系", "Relation"),
    ("如：儿子", "e.g. son"),
    ("评估", "Assessments"),
    ("尚无评估记录", "No assessments recorded yet"),
    ("签约与服务", "Contracts and services"),
    ("尚无签约与服务记录", "No contracts or services recorded yet"),
    ("转诊", "Referrals"),
    ("尚无转诊记录", "No referrals recorded yet"),
    ("修改记录", "Change history"),
    ("建档以来未修改", "Unchanged since it was created"),
    ("时间", "Time"),
    ("修改人", "Changed by"),
    ("项目", "Field"),
    ("原值", "Old value"),
    ("新值", "New value"),
    (
        "出生日期与性别由身份证号自动推算",
        "Date of birth and sex are read from the identity number",
    ),
    ("所属区划代码", "Region code"),
    (
        "6、9 或 12 位行政区划代码；留空则按管理机构所在区划",
        "6-, 9- or 12-digit division code; left empty, the managing organization's region is used",
    ),
    ("保障与健康", "Benefits and health"),
    (
        "“80岁以上高龄”由出生日期自动判断",
        "Aged 80+ is set from the date of birth",
    ),
    ("慢性病（ICD-10 编码）", "Chronic conditions (ICD-10 codes)"),
    (
        "多个编码用逗号分隔，例如 I10, E11.9（高血压 I10，2型糖尿病 E11，脑卒中 I63，慢阻肺 J44）",
        "Separate codes with commas, e.g. I10, E11.9 (hypertension I10, type 2 diabetes E11, stroke I63, COPD J44)",
    ),
    ("管理与入住机构", "Organizations"),
    (
        "负责健康管理的基层医疗卫生机构",
        "The primary-care institution responsible for health management",
    ),
    (
        "在养老或医养结合机构入住时填写",
        "When living in an elderly-care or combined institution",
    ),
    // Organizations
    ("新建机构", "New organization"),
    ("编辑机构", "Edit organization"),
    ("在管老人", "Elders"),
    ("名称", "Name"),
    ("机构名称", "Name"),
    ("机构名称开头", "Beginning of the name"),
    ("类别", "Category"),
    ("机构类型", "Kind"),
    ("医院等级", "Hospital grade"),
    ("等级", "Grade"),
    ("举办性质", "Operator"),
    ("地址", "Address"),
    ("床位", "Beds"),
    ("没有符合条件的机构", "No organizations match"),
    ("许可与备案", "Licences"),
    ("医疗机构执业许可证号", "Medical institution licence no."),
    ("养老机构备案号", "Elderly-care institution registration no."),
    ("服务与设施", "Services and facilities"),
    ("未登记", "None registered"),
    ("医疗床位", "Medical beds"),
    ("养老床位", "Elderly-care beds"),
    ("护理型床位", "Nursing-type beds"),
    ("安宁疗护床位", "Hospice beds"),
    ("家庭病床", "Home beds"),
    (
        "护理型床位是养老床位的一部分",
        "Nursing-type beds are part of the elderly-care beds",
    ),
    // Users
    ("新建用户", "New user"),
    ("编辑用户", "Edit user"),
    ("账号", "Account"),
    ("角色", "Role"),
    ("所属机构", "Organization"),
    ("关联档案", "Linked record"),
    ("关联老人档案编号", "Linked elder record id"),
    ("创建时间", "Created"),
    ("启用", "Active"),
    ("停用", "Inactive"),
    ("重置密码", "Reset password"),
    (
        "留空则不修改；修改后该用户需重新登录",
        "Leave empty to keep it; a new password signs the user out everywhere",
    ),
    (
        "至少 8 位，且包含字母、数字、符号中的两类",
        "At least 8 characters with two of: letters, digits, symbols",
    ),
    ("数据权限", "Data scope"),
    (
        "机构人员看到其机构管理或入住的老人；监管人员看到所属区划及以下；老人/家属只看到关联的档案。",
        "Staff see the elders their organization manages or houses; supervisors their region and below; elders and families only the linked record.",
    ),
    ("培训与资质", "Training and certificates"),
    ("护理员证书", "Caregiver certificate"),
    ("持有护理员证书", "Holds a caregiver certificate"),
    ("最近培训日期", "Last trained on"),
    // Audit log
    ("时间为北京时间", "Times are Beijing time"),
    ("操作", "Action"),
    ("记录编号", "Record id"),
    ("起始日期", "From"),
    ("截止日期", "To"),
    ("来源地址", "Address"),
    ("结果", "Outcome"),
    ("说明", "Detail"),
    ("成功", "ok"),
    ("拒绝", "denied"),
    // Roster import
    ("CSV 或 Excel（.xlsx）文件", "CSV or Excel (.xlsx) file"),
    (
        "第一行为表头，至少包含“姓名”和“身份证号”两列。有问题的行会被跳过并逐行列出原因，其余行正常入库；同一文件重复上传不会重复建档。",
        "The first row is the header, with at least the columns “姓名” (name) and “身份证号” (identity number). Rows with problems are skipped and listed with the reason; the others are stored. Uploading the same file again creates no duplicates.",
    ),
    ("上传并导入", "Upload and import"),
    (
        "请选择要上传的 CSV 或 Excel（.xlsx）文件",
        "Choose a CSV or Excel (.xlsx) file to upload",
    ),
    ("导入结果", "Import report"),
    ("数据行", "Data rows"),
    ("已入库", "Stored"),
    ("已跳过", "Skipped"),
    (
        "此文件上次导入中断，本次从中断处继续；此前已入库的数据行：",
        "An earlier import of this file was interrupted and this one went on from there; data rows stored before: ",
    ),
    (
        "此文件此前已完整导入，本次没有新增或修改任何记录。",
        "This file was imported completely before; nothing was added or changed this time.",
    ),
    ("已忽略的列", "Columns ignored"),
    ("未导入的行", "Rows not imported"),
    ("行", "Row"),
    ("列", "Column"),
    ("原因", "Reason"),
    // Assessments
    ("评估工作台", "Assessment worklist"),
    ("评估统计", "Assessment statistics"),
    ("新建评估", "New assessment"),
    ("选择评估量表", "Choose an instrument"),
    ("需两名评估员", "Two assessors"),
    ("项测量值", "measurements"),
    ("个条目", "items"),
    ("评估信息", "About the assessment"),
    ("评估日期", "Date of assessment"),
    ("评估地点", "Place"),
    ("评估原因", "Reason"),
    ("自动（首次或年度）", "Automatic (first or annual)"),
    ("备注", "Note"),
    ("评估条目", "Items"),
    ("小计", "Subtotal"),
    ("分", "pts"),
    ("测量值", "Measurements"),
    ("其他评估信息", "Further information"),
    ("已答", "Answered"),
    ("合计", "Total"),
    ("查看评分结果", "Score and review"),
    ("确认", "Confirmation"),
    ("回答", "Answer"),
    ("条目", "Item"),
    ("编号", "No."),
    ("清醒（A）", "alert (A)"),
    ("新发意识混乱（C）", "new confusion (C)"),
    ("对声音有反应（V）", "responds to voice (V)"),
    ("对疼痛有反应（P）", "responds to pain (P)"),
    ("无反应（U）", "unresponsive (U)"),
    ("空腹", "fasting"),
    ("餐后2小时", "2 hours after a meal"),
    ("随机", "random"),
    ("量表 1", "scale 1"),
    ("量表 2", "scale 2"),
    ("评估结果", "Result"),
    ("总分", "Total score"),
    ("初步等级（C.3）", "Initial grade (C.3)"),
    ("最终等级（C.5）", "Final grade (C.5)"),
    ("暂定结果：官方等级组合表尚未载入，以下仅给出各维度总分。", "Provisional: the official combination table is not loaded yet; only the domain totals are given."),
    ("各维度得分", "Domain scores"),
    ("等级如何得出", "How the grade follows from the scores"),
    ("体质判定", "Constitution"),
    ("体质类型", "Constitution type"),
    ("得分", "Score"),
    ("判定", "Verdict"),
    ("各参数得分", "Parameter scores"),
    ("参数", "Parameter"),
    ("各条目回答", "Answers"),
    ("核对评分结果", "Review the result"),
    ("尚未保存。请核对评分结果和各条目回答，确认无误后签名提交。", "Not saved yet. Check the result and the answers, then sign."),
    ("签名提交", "Sign"),
    ("本量表须由两名评估员共同完成：签名后须由另一名评估员复核，复核后结果才生效。", "This instrument is taken by two assessors: after you sign, another assessor confirms it, and only then does the result count."),
    ("我确认以上回答无误", "I confirm these answers"),
    ("修改回答", "Change answers"),
    ("打印报告", "Printable report"),
    ("此评估须由第二名评估员复核；复核后才更新老人的能力等级与照护等级。", "This assessment needs a second assessor; the elder's ability and care levels change once it is confirmed."),
    ("作为第二评估员确认", "Confirm as second assessor"),
    ("退回原因", "Reason for returning"),
    ("退回修改", "Return for correction"),
    ("撤回本评估", "Withdraw this assessment"),
    ("退回或撤回的评估不计入老人的等级，须重新评估。", "A returned or withdrawn assessment never counts for the elder; assess again."),
    ("此评估已退回，不计入老人的等级。", "This assessment was returned and does not count for the elder."),
    ("退回人", "Returned by"),
    ("您是签名评估员，须由另一名评估员复核。", "You signed it: another assessor must confirm it."),
    ("评估对象", "Person assessed"),
    ("评估员", "Assessor"),
    ("第二评估员", "Second assessor"),
    ("待复核", "Awaiting confirmation"),
    ("下次评估", "Next assessment"),
    ("待第二评估员复核", "Awaiting a second assessor"),
    ("没有待复核的评估", "No assessment awaits confirmation"),
    ("量表", "Instrument"),
    ("查看", "Open"),
    ("确认复核", "Confirm"),
    ("待另一名评估员复核", "Awaiting another assessor"),
    ("状况变化复评申请", "Reassessment requests (change of condition)"),
    ("没有待处理的复评申请", "No open requests"),
    ("变化情况", "Change of condition"),
    ("申请人", "Requested by"),
    ("申请时间", "Requested at"),
    ("开始评估", "Start assessment"),
    ("到期复评", "Reassessments due"),
    ("到期范围", "Due"),
    ("人次", "assessments"),
    ("没有到期的复评", "No reassessment is due"),
    ("上次评估", "Last assessed"),
    ("到期日", "Due on"),
    ("已逾期", "Overdue"),
    ("开始日期", "From"),
    ("结束日期", "To"),
    ("已生效评估", "Final assessments"),
    ("此期间没有已生效的评估", "No final assessments in this period"),
    ("未分级", "No grade"),
    ("未填区划", "No region"),
    ("评估报告", "Assessment report"),
    ("返回评估结果", "Back to the result"),
    ("打印", "Print"),
    ("评估编号", "Assessment no."),
    ("评估指标", "Indicator"),
    ("能力等级评定（附录 C）", "Ability grade (Annex C)"),
    ("C.3 初步等级", "C.3 Initial grade"),
    ("C.4 等级变更", "C.4 Grade changes"),
    ("适用的变更规则", "Change rules applied"),
    ("C.5 最终等级", "C.5 Final grade"),
    ("签名", "Signature"),
    ("日期", "Date"),
    ("能力等级", "Ability level"),
    ("依据", "Decided by"),
    ("长期护理失能等级", "Long-term-care grade"),
    ("暂定", "Provisional"),
    ("官方组合表未载入，仅有三个维度总分", "the official combination table is not loaded; three domain totals only"),
    ("机构运营补贴", "Operating subsidy"),
    ("尚无已生效的评估结果", "No final result yet"),
    ("待处理的复评申请", "Open reassessment requests"),
    ("评估记录", "Assessments"),
    ("总分变化", "Total over time"),
    ("申请复评（状况变化）", "Request reassessment (change of condition)"),
    ("如：近期跌倒后行走困难", "e.g. walking difficulty after a recent fall"),
    ("提交复评申请", "Send request"),
    // Remote monitoring
    ("告警", "Alerts"),
    ("实时告警", "Live alerts"),
    ("实时更新中", "Updating live"),
    ("连接中断，正在重试…", "Connection lost, retrying…"),
    ("刷新页面可查看最新告警", "Reload the page to see the latest alerts"),
    ("已处置的告警", "Resolved alerts"),
    ("未处置告警数", "Unresolved alerts"),
    ("待处理", "Open"),
    ("已确认", "Acknowledged"),
    ("已处置", "Resolved"),
    ("更新于", "Updated at"),
    ("仅显示最严重的 200 条", "only the 200 most severe are shown"),
    ("当前没有未处置的告警", "No unresolved alerts"),
    ("已确认，处理中", "Acknowledged, being handled"),
    ("告警信息", "Alert"),
    ("老人", "Elder"),
    ("告警类型", "Rule"),
    ("级别", "Severity"),
    ("内容", "Message"),
    ("首次出现", "First seen"),
    ("最近出现", "Last seen"),
    ("出现次数", "Occurrences"),
    ("升级", "Escalation"),
    ("未确认将于此时升级", "escalates unless acknowledged by"),
    ("设备", "Devices"),
    ("处置", "Resolve"),
    ("处置说明", "Resolution note"),
    ("处理", "Handle"),
    ("确认表示已有人接手，升级通知随即停止。", "Acknowledging says someone has taken this on; escalation stops."),
    ("如：已电话联系，复测血压已下降", "e.g. phoned; the repeat reading was lower"),
    ("提交处置", "Resolve the alert"),
    ("时间线", "Timeline"),
    ("已发出的通知", "Notifications sent"),
    ("尚未发出短信或微信通知", "No SMS or WeChat notification yet"),
    ("渠道", "Channel"),
    ("接收人", "Recipient"),
    ("发送状态", "Delivery"),
    ("待发送", "queued"),
    ("已尝试", "attempts"),
    ("已发送", "sent"),
    ("120 急救派单", "120 emergency dispatches"),
    ("无派单", "No dispatch"),
    ("尚无已处置的告警", "No resolved alerts yet"),
    ("首次", "First"),
    ("最近", "Latest"),
    ("条读数", "readings"),
    ("确认人", "Acknowledged by"),
    ("处置人", "Resolved by"),
    ("详情", "Details"),
    ("远程监测", "Remote monitoring"),
    ("告警看板", "Alert board"),
    ("登记设备", "Register a device"),
    ("未处置的告警", "Unresolved alerts"),
    ("阴影为超出该老人报警阈值的范围", "Shaded: outside this elder's alert thresholds"),
    ("实心红点为超出阈值的读数", "Filled red dot: a reading outside them"),
    ("近 30 天没有监测数据", "No readings in the last 30 days"),
    ("全部设备", "All devices"),
    ("尚未绑定设备", "No device bound"),
    ("设备编号", "Device ID"),
    ("设备类型", "Device type"),
    ("最近上报", "Last reading"),
    ("未绑定", "Unbound"),
    ("从未上报", "never"),
    ("被拒", "refused"),
    ("解绑", "Unbind"),
    ("报警阈值", "Alert thresholds"),
    ("默认值", "defaults"),
    ("修改阈值", "Change thresholds"),
    ("留空的项保持原值。修改后新的读数立即按新阈值判断。", "A blank field keeps its value. New readings are judged by the new thresholds at once."),
    ("保存阈值", "Save thresholds"),
    ("近 30 天无数据", "No readings in the last 30 days"),
    ("近 30 天", "Last 30 days:"),
    ("设备管理", "Devices"),
    ("仅显示一位老人的设备", "Showing one elder's devices"),
    ("显示全部", "show all"),
    ("台", "devices"),
    ("尚无登记的设备", "No devices registered yet"),
    ("被拒数据", "Refused readings"),
    ("已绑定", "Bound"),
    ("自", "since"),
    ("绑定", "Bind"),
    ("最近一次被拒原因", "Last refusal"),
    ("绑定设备", "Bind a device"),
    ("已登记、当前未绑定的设备重新绑定给一位老人", "Bind a registered device that is not bound now to an elder"),
    ("设备以前登记过、已解绑？", "Registered before and unbound since?"),
    ("重新绑定已登记的设备", "Bind a registered device"),
    ("设备上印的序列号、IMEI 或 MAC；字母、数字和 - _ . :", "The serial number, IMEI or MAC printed on the device: letters, digits and - _ . :"),
    ("老人档案编号", "Elder record ID"),
    ("绑定给", "Bound to"),
    ("在老人档案页点“登记设备”可自动填入", "Filled in when you start from the elder's page"),
    ("绑定并生成凭证", "Bind and create a credential"),
    ("登记并生成凭证", "Register and create a credential"),
    ("设备凭证", "Device credential"),
    ("设备已绑定", "Device bound"),
    ("设备已登记", "Device registered"),
    ("凭证只显示这一次。", "This credential is shown only once. "),
    ("系统只保存它的摘要，离开本页后无法再次查看。请现在把它配置到设备中；如果遗失，请解绑后重新绑定以生成新凭证。", "Only its hash is stored: once you leave this page it cannot be shown again. Configure the device with it now; if it is lost, unbind the device and bind it again for a new one."),
    ("设备上报数据时在请求头中携带", "The device sends its readings with the header"),
    ("凭证", "<credential>"),
    ("，发送到", " to"),
    ("。", "."),
    ("返回老人档案", "Back to the elder's record"),
    ("设备列表", "Device list"),
    ("血压", "Blood pressure"),
    ("收缩压", "Systolic"),
    ("舒张压", "Diastolic"),
    ("偏高", "high"),
    ("危急", "crisis"),
    ("舒张", "DBP"),
    ("血糖", "Glucose"),
    ("严重低血糖", "Severe hypoglycaemia"),
    ("低血糖", "Hypoglycaemia"),
    ("高血糖", "Hyperglycaemia"),
    ("次/分", "/min"),
    ("心率", "Heart rate"),
    ("过缓", "slow"),
    ("过速", "fast"),
    ("血氧饱和度", "Oxygen saturation"),
    ("偏低", "low"),
    ("体温", "Temperature"),
    ("过低", "low"),
    ("发热", "fever"),
    ("血氧与体温", "SpO2 and temperature"),
    ("小时", "hours"),
    ("未升级", "not escalated"),
    ("已通知医生团队", "doctor team notified"),
    ("已通知家属", "family notified"),
    ("已生成120派单", "120 dispatch created"),
    ("系统", "system"),
];

static ENGLISH: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| TEXTS.iter().copied().collect());

/// The UI text `zh` in `lang`. A text missing from the table shows in Chinese (a test keeps
/// the table complete).
pub fn t(lang: Lang, zh: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => ENGLISH.get(zh).copied().unwrap_or(zh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                files(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    /// The string literals that follow each occurrence of `opening`, and the places where
    /// something other than a literal follows.
    fn keys_after(text: &str, opening: &str) -> (Vec<String>, Vec<String>) {
        let mut keys = Vec::new();
        let mut not_literal = Vec::new();
        for (at, _) in text.match_indices(opening) {
            let before = text[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = text[at + opening.len()..].trim_start();
            match rest.strip_prefix('"') {
                Some(literal) => {
                    let end = literal.find('"').expect("closing quote");
                    keys.push(literal[..end].to_string());
                }
                None => not_literal.push(rest.chars().take(30).collect()),
            }
        }
        (keys, not_literal)
    }

    #[test]
    fn every_ui_text_has_an_english_translation() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = Vec::new();
        let mut templates = Vec::new();
        files(&root.join("templates"), "html", &mut templates);
        files(&root.join("src"), "html", &mut templates);
        for path in &templates {
            let text = std::fs::read_to_string(path).expect("template");
            let (keys, odd) = keys_after(&text, "ui.t(");
            assert!(
                odd.is_empty(),
                "{}: ui.t( without a literal: {odd:?}",
                path.display()
            );
            used.extend(keys);
        }
        let mut sources = Vec::new();
        files(&root.join("src"), "rs", &mut sources);
        for path in sources.iter().filter(|p| !p.ends_with("i18n.rs")) {
            let text = std::fs::read_to_string(path).expect("source");
            for opening in ["t(lang,", "t(ui.lang,"] {
                let (keys, odd) = keys_after(&text, opening);
                assert!(
                    odd.is_empty(),
                    "{}: {opening} without a literal: {odd:?}",
                    path.display()
                );
                used.extend(keys);
            }
        }
        assert!(used.len() > 100, "found only {} texts", used.len());
        let missing: Vec<&String> = used
            .iter()
            .filter(|k| !ENGLISH.contains_key(k.as_str()))
            .collect();
        assert!(missing.is_empty(), "no English for: {missing:?}");
        let unused: Vec<&str> = TEXTS
            .iter()
            .map(|(zh, _)| *zh)
            .filter(|zh| !used.iter().any(|u| u == zh))
            .collect();
        assert!(unused.is_empty(), "texts nobody uses: {unused:?}");
    }

    #[test]
    fn keys_are_unique_and_translations_are_not_chinese() {
        assert_eq!(ENGLISH.len(), TEXTS.len(), "a key appears twice");
        for (zh, en) in TEXTS {
            // The roster hint names the Chinese column headers on purpose.
            let han = en
                .chars()
                .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                .count();
            assert!(han == 0 || en.contains("“姓名”"), "{zh} → {en}");
        }
    }
}
