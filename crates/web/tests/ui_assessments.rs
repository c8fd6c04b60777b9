//! The assessment pages, in process: the GB/T 42195 form with every item and option, errors
//! beside the item they name, review → sign → awaiting a second assessor, confirmation by
//! another assessor only, the care level on the elder's page, what a doctor may choose, the
//! printable report, the worklist, the counts and reassessment requests.

mod site;

use axum::http::StatusCode;
use site::{escape, Browser, Site};

const GBT: &str = "gbt42195_2022";

/// The elder's assessments as stored, newest first.
async fn history(site: &Site, elder: &str) -> Vec<app::assessments::AssessmentView> {
    let admin = testkit::actor(&site.app, "admin").await;
    site.app
        .elder_assessments(&admin, elder)
        .await
        .expect("assessments")
        .history
}

/// A GB/T 42195 form filled in: every item answered by the position of its option. The
/// self-care items (B.1) take the third option (2 points each), all others the first (the
/// highest score): 16 + 15 + 28 + 15 = 74 points, grade 1; with diagnosed dementia grade 2.
fn gbt_answers(csrf: &str, leave_out: Option<&str>) -> Vec<(String, String)> {
    let gbt = assessment::catalog().get(GBT).unwrap();
    let mut fields = vec![
        ("csrf".to_string(), csrf.to_string()),
        ("instrument".to_string(), GBT.to_string()),
        ("place".to_string(), "home".to_string()),
        ("dementia_or_mental_disorder".to_string(), "1".to_string()),
        ("risk_events_30d".to_string(), "0".to_string()),
    ];
    for item in &gbt.items {
        if Some(item.id.as_str()) == leave_out {
            continue;
        }
        let choice = if item.domain.as_deref() == Some("B1") {
            "2"
        } else {
            "0"
        };
        fields.push((item.id.clone(), choice.to_string()));
    }
    fields
}

/// Fills in, reviews and signs a GB/T 42195 assessment of `elder`; its page's path.
async fn signed_gbt(browser: &mut Browser, elder: &str) -> String {
    let form = browser
        .get(&format!("/elders/{elder}/assessments/new?instrument={GBT}"))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let review = browser
        .post_owned(
            &format!("/elders/{elder}/assessments/new"),
            &gbt_answers(&form.csrf(), None),
        )
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let mut fields = review.hidden_fields("sign");
    fields.push(("confirmed".into(), "1".into()));
    let signed = browser
        .post_owned(&format!("/elders/{elder}/assessments"), &fields)
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let location = signed.location.expect("redirect");
    assert!(location.starts_with("/assessments/"), "{location}");
    location
}

#[tokio::test]
async fn the_gbt_form_shows_all_26_items_with_their_option_texts() {
    let site = Site::start().await;
    let mut browser = site.signed_in("assessor").await;
    let elder = &site.fixture.elder_a1;
    let page = browser
        .get(&format!("/elders/{elder}/assessments/new?instrument={GBT}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let gbt = assessment::catalog().get(GBT).unwrap();
    assert_eq!(page.body.matches("data-item=\"").count(), 26);
    for item in &gbt.items {
        assert!(
            page.body.contains(&format!("data-item=\"{}\"", item.id)),
            "{} missing",
            item.id
        );
        for (i, option) in item.options.iter().enumerate() {
            assert!(
                page.body.contains(&escape(&option.label_zh)),
                "{}: {}",
                item.id,
                option.label_zh
            );
            assert!(page.body.contains(&format!(
                "name=\"{}\" value=\"{i}\" data-score=\"{}\"",
                item.id, option.score
            )));
        }
    }
    for domain in ["自理能力", "基础运动能力", "精神状态", "感知觉与社会参与"]
    {
        assert!(page.body.contains(domain), "{domain}");
    }
    for input in ["coma", "dementia_or_mental_disorder", "risk_events_30d"] {
        assert!(page.body.contains(&format!("name=\"{input}\"")), "{input}");
    }
    assert!(page.body.contains("name=\"place\""));
    assert!(page.body.contains("assess.js"), "the running score script");
    assert!(page.body.contains("data-subtotal=\"B1\""));
    assert!(!page.body.contains("<script>"), "no inline script");

    // In English the options read in English.
    let english = browser
        .get(&format!(
            "/elders/{elder}/assessments/new?instrument={GBT}&lang=en"
        ))
        .await;
    assert!(english.body.contains("eats independently, no choking"));
    assert!(english.body.contains("Score and review"));
}

#[tokio::test]
async fn a_missing_item_is_named_beside_it_and_nothing_is_stored() {
    let site = Site::start().await;
    let mut browser = site.signed_in("assessor").await;
    let elder = &site.fixture.elder_a1;
    let form = browser
        .get(&format!("/elders/{elder}/assessments/new?instrument={GBT}"))
        .await;
    let mut fields = gbt_answers(&form.csrf(), Some("B2.3"));
    fields.retain(|(k, _)| k != "place");
    let r = browser
        .post_owned(&format!("/elders/{elder}/assessments/new"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let errors = r.field_errors("B2.3");
    assert_eq!(errors.len(), 1, "{}", r.body);
    assert!(
        errors[0].contains("B2.3") && errors[0].contains("平地行走"),
        "{errors:?}"
    );
    assert_eq!(r.field_errors("place").len(), 1, "place is required");
    assert!(r.field_errors("B2.2").is_empty());
    // The error sits inside the item's own fieldset, and the answers given are kept.
    let item_start = r.body.find("data-item=\"B2.3\"").unwrap();
    let item_end = item_start + r.body[item_start..].find("</fieldset>").unwrap();
    assert!(r.body[item_start..item_end].contains("field-error"));
    assert!(r
        .body
        .contains("class=\"item invalid\" id=\"item-B2.3\" data-item=\"B2.3\""));
    assert!(r
        .body
        .contains("name=\"B1.1\" value=\"2\" data-score=\"2\" checked"));
    assert!(r
        .body
        .contains("name=\"dementia_or_mental_disorder\" value=\"1\" checked"));
    assert!(history(&site, elder).await.is_empty(), "nothing stored");

    // Signing such an answer set directly is refused the same way.
    let r = browser
        .post_owned(&format!("/elders/{elder}/assessments"), &{
            let mut f = gbt_answers(&form.csrf(), Some("B2.3"));
            f.push(("confirmed".into(), "1".into()));
            f
        })
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors("B2.3").len(), 1);
    assert!(history(&site, elder).await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn review_then_sign_stores_an_assessment_awaiting_a_second_assessor() {
    let site = Site::start().await;
    let mut browser = site.signed_in("assessor").await;
    let elder = &site.fixture.elder_a1;
    let form = browser
        .get(&format!("/elders/{elder}/assessments/new?instrument={GBT}"))
        .await;
    let review = browser
        .post_owned(
            &format!("/elders/{elder}/assessments/new"),
            &gbt_answers(&form.csrf(), None),
        )
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    for expected in [
        "74",
        "C.3 初步等级：74 分",
        "C.4 确诊痴呆",
        "C.5 最终等级：2 级",
        "初步等级（C.3）",
        "1 级 · 能力轻度受损（轻度失能）",
        "2 级 · 能力中度受损（中度失能）",
        "16 / 32",
        "我确认以上回答无误",
    ] {
        assert!(review.body.contains(expected), "{expected} missing");
    }
    assert!(
        history(&site, elder).await.is_empty(),
        "the review stores nothing"
    );

    // Without the tick, the review again with the error beside the box.
    let fields = review.hidden_fields("sign");
    assert!(fields.iter().any(|(k, v)| k == "B1.1" && v == "2"));
    let unticked = browser
        .post_owned(&format!("/elders/{elder}/assessments"), &fields)
        .await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unticked.field_errors("confirmed").len(), 1);
    assert!(history(&site, elder).await.is_empty());

    // Back to the form keeps every answer.
    let mut back = fields.clone();
    back.push(("back".into(), "1".into()));
    let again = browser
        .post_owned(&format!("/elders/{elder}/assessments/new"), &back)
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body.matches("\" checked>").count(), 26 + 1);

    let location = signed_gbt(&mut browser, elder).await;
    let stored = history(&site, elder).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].row.status.code(), "awaiting_confirmation");
    assert_eq!(stored[0].row.total, Some(74));
    assert_eq!(stored[0].row.grade, Some(2));
    assert_eq!(stored[0].row.place.code(), "home");
    assert_eq!(stored[0].answers["B1.1"], serde_json::json!(2));
    assert_eq!(location, format!("/assessments/{}", stored[0].row.id));

    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "待复核",
        "测试assessor",
        "您是签名评估员",
        "/print",
        "需少量接触式协助",
    ] {
        assert!(page.body.contains(expected), "{expected} missing");
    }
    assert!(!page.body.contains("作为第二评估员确认"));
    // Until confirmed, the elder has no care level.
    let elder_page = browser.get(&format!("/elders/{elder}")).await;
    assert!(elder_page.body.contains("尚无已生效的评估结果"));
    assert!(elder_page.body.contains(&location));
}

#[tokio::test]
async fn only_another_assessor_confirms_and_then_the_elder_page_shows_the_care_level() {
    let site = Site::start().await;
    let mut first = site.signed_in("assessor").await;
    let elder = &site.fixture.elder_a1;
    let location = signed_gbt(&mut first, elder).await;
    let id = location.trim_start_matches("/assessments/").to_string();

    // The signer has no confirm button and is refused when posting anyway.
    let worklist = first.get("/assessments").await;
    assert_eq!(worklist.status, StatusCode::OK, "{}", worklist.body);
    assert!(worklist.body.contains("待另一名评估员复核"));
    assert!(!worklist
        .body
        .contains(&format!("action=\"/assessments/{id}/confirm\"")));
    let refused = first
        .post(
            &format!("/assessments/{id}/confirm"),
            &[("csrf", &worklist.csrf())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("复核须由另一名评估员完成"),
        "{}",
        refused.body
    );
    assert_eq!(
        history(&site, elder).await[0].row.status.code(),
        "awaiting_confirmation"
    );

    // Without the form's token nothing happens.
    let mut second = site.signed_in("assessor2").await;
    let r = second
        .post(&format!("/assessments/{id}/confirm"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let worklist = second.get("/assessments").await;
    assert!(worklist
        .body
        .contains(&format!("action=\"/assessments/{id}/confirm\"")));
    assert!(worklist.body.contains("王秀英"));
    let confirmed = second
        .post(
            &format!("/assessments/{id}/confirm"),
            &[("csrf", &worklist.csrf())],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    assert_eq!(confirmed.location.as_deref(), Some(location.as_str()));
    let stored = &history(&site, elder).await[0];
    assert_eq!(stored.row.status.code(), "final");
    assert_eq!(
        stored.row.second_assessor_name.as_deref(),
        Some("测试assessor2")
    );

    let page = second.get(&location).await;
    assert!(page.body.contains("已生效") && page.body.contains("测试assessor2"));
    assert!(!page.body.contains("作为第二评估员确认"));

    // The elder's page: ability grade, care level and the instrument that decided it.
    let elder_page = first.get(&format!("/elders/{elder}")).await;
    assert_eq!(elder_page.status, StatusCode::OK);
    for expected in [
        "2 级 · 能力中度受损（中度失能）",
        "半失能",
        "老年人能力评估规范（GB/T 42195-2022）",
        "已生效",
        "新建评估",
    ] {
        assert!(elder_page.body.contains(expected), "{expected} missing");
    }
    // Confirmed once is enough.
    let again = second
        .post(
            &format!("/assessments/{id}/confirm"),
            &[("csrf", &worklist.csrf())],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn doctors_do_not_see_instruments_reserved_to_assessors() {
    let site = Site::start().await;
    let elder = &site.fixture.elder_a1;
    let mut doctor = site.signed_in("doctor").await;
    let list = doctor
        .get(&format!("/elders/{elder}/assessments/new"))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("instrument=barthel"));
    assert!(list.body.contains("instrument=selfcare_phs3"));
    assert!(!list.body.contains(&format!("instrument={GBT}")));
    assert!(!list.body.contains("instrument=ltc_disability_2021"));
    assert!(
        !list.body.contains("instrument=cn_resident_id"),
        "not recordable"
    );
    let refused = doctor
        .get(&format!("/elders/{elder}/assessments/new?instrument={GBT}"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut assessor = site.signed_in("assessor").await;
    let list = assessor
        .get(&format!("/elders/{elder}/assessments/new"))
        .await;
    assert!(list.body.contains(&format!("instrument={GBT}")));
    assert!(list.body.contains("instrument=ltc_disability_2021"));

    // Other instruments: TCM prints the objective anchors, NEWS2 has measurements, not items.
    let tcm = doctor
        .get(&format!(
            "/elders/{elder}/assessments/new?instrument=tcm_constitution_33"
        ))
        .await;
    assert_eq!(tcm.status, StatusCode::OK);
    assert!(
        tcm.body.contains(&escape("BMI<24")),
        "anchors of question 9"
    );
    assert_eq!(tcm.body.matches("data-item=\"").count(), 33);
    let news2 = doctor
        .get(&format!("/elders/{elder}/assessments/new?instrument=news2"))
        .await;
    assert_eq!(news2.status, StatusCode::OK);
    assert!(news2.body.contains("<select name=\"consciousness\""));
    assert!(news2.body.contains("新发意识混乱（C）"));
    assert!(news2.body.contains("type=\"number\" name=\"temperature\""));
    assert!(news2.body.contains("step=\"0.1\""));
    assert!(news2.body.contains("type=\"checkbox\" name=\"on_oxygen\""));
    assert!(
        !news2.body.contains("data-running"),
        "no running score without items"
    );

    // A supervisor records nothing; the elder page offers no button.
    let mut supervisor = site.signed_in("supervisor").await;
    let r = supervisor
        .get(&format!("/elders/{elder}/assessments/new"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = supervisor.get(&format!("/elders/{elder}")).await;
    assert!(!page.body.contains("/assessments/new"));

    // A doctor's Barthel is final at once and sets the care level.
    let form = doctor
        .get(&format!(
            "/elders/{elder}/assessments/new?instrument=barthel"
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let barthel = assessment::catalog().get("barthel").unwrap();
    let csrf = form.csrf();
    let mut fields = vec![
        ("csrf".to_string(), csrf),
        ("instrument".to_string(), "barthel".to_string()),
        ("place".to_string(), "centre".to_string()),
    ];
    for item in &barthel.items {
        // The last option is the highest score.
        fields.push((item.id.clone(), (item.options.len() - 1).to_string()));
    }
    let review = doctor
        .post_owned(&format!("/elders/{elder}/assessments/new"), &fields)
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(review.body.contains("100"), "{}", review.body);
    let mut fields = review.hidden_fields("sign");
    fields.push(("confirmed".into(), "1".into()));
    let signed = doctor
        .post_owned(&format!("/elders/{elder}/assessments"), &fields)
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let page = doctor.get(&format!("/elders/{elder}")).await;
    assert!(page.body.contains("自理"), "care level from Barthel");
    assert!(page.body.contains("Barthel"));
}

#[tokio::test]
async fn the_print_page_has_the_rows_of_the_official_form() {
    let site = Site::start().await;
    let mut first = site.signed_in("assessor").await;
    let elder = &site.fixture.elder_a1;
    let location = signed_gbt(&mut first, elder).await;
    let page = first.get(&format!("{location}/print")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for expected in [
        "B.1 自理能力",
        "B.2 基础运动能力",
        "B.3 精神状态",
        "B.4 感知觉与社会参与",
        "16 / 32",
        "C.3 初步等级",
        "C.4 等级变更",
        "C.5 最终等级",
        "C.4 确诊痴呆或精神科确诊的精神和行为障碍 → 上调一级",
        "2 级 · 能力中度受损（中度失能）",
        "第二评估员",
        "签名",
        "王秀英",
        "需要他人协助，但以自身完成为主",
        "data-print",
    ] {
        assert!(page.body.contains(expected), "{expected} missing");
    }
}

#[tokio::test]
async fn reassessment_requests_need_a_reason_and_reach_the_worklist() {
    let site = Site::start().await;
    let elder = &site.fixture.elder_a1;
    let mut nurse = site.signed_in("nurse").await;
    let page = nurse.get(&format!("/elders/{elder}")).await;
    assert!(page.body.contains("申请复评（状况变化）"));
    let csrf = page.csrf();
    let path = format!("/elders/{elder}/reassessment-requests");
    let r = nurse
        .post(
            &path,
            &[("csrf", &csrf), ("instrument_id", GBT), ("reason", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.field_errors("reason").len(), 1, "{}", r.body);
    assert!(r.body.contains("<details class=\"request-box\" open>"));
    let r = nurse
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("instrument_id", GBT),
                ("reason", "跌倒后行走困难"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = nurse.get(&format!("/elders/{elder}")).await;
    assert!(page.body.contains("跌倒后行走困难"));

    let mut assessor = site.signed_in("assessor").await;
    let list = assessor.get("/assessments").await;
    assert!(list.body.contains("跌倒后行走困难"));
    assert!(
        list.body.contains(&format!(
            "/elders/{elder}/assessments/new?instrument={GBT}&amp;reason=change_of_condition"
        )) || list.body.contains(&format!(
            "/elders/{elder}/assessments/new?instrument={GBT}&#38;reason=change_of_condition"
        ))
    );
}

#[tokio::test]
async fn counts_per_region_and_grade_for_supervisors() {
    let site = Site::start().await;
    let mut first = site.signed_in("assessor").await;
    let location = signed_gbt(&mut first, &site.fixture.elder_a1).await;
    let id = location.trim_start_matches("/assessments/");
    let mut second = site.signed_in("assessor2").await;
    let list = second.get("/assessments").await;
    let r = second
        .post(
            &format!("/assessments/{id}/confirm"),
            &[("csrf", &list.csrf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let mut supervisor = site.signed_in("supervisor").await;
    let list = supervisor.get("/assessments").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("/assessments/stats"));
    let stats = supervisor.get("/assessments/stats").await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    assert!(stats.body.contains("<svg class=\"chart stacked\""));
    assert!(stats.body.contains("新华街道"), "the township of the elder");
    assert!(stats.body.contains("2 能力中度受损"));
    let bad = supervisor.get("/assessments/stats?from=2026-13-01").await;
    assert_eq!(bad.field_errors("from").len(), 1);
    let empty = supervisor
        .get("/assessments/stats?from=2000-01-01&to=2000-12-31")
        .await;
    assert!(empty.body.contains("此期间没有已生效的评估"));

    // Family members have no worklist.
    let mut family = site.signed_in("family").await;
    let r = family.get("/assessments").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_long_term_care_grade_without_the_official_table_is_shown_as_provisional() {
    let site = Site::start().await;
    let elder = &site.fixture.elder_a1;
    let mut first = site.signed_in("assessor").await;
    let form = first
        .get(&format!(
            "/elders/{elder}/assessments/new?instrument=ltc_disability_2021"
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let ltc = assessment::catalog().get("ltc_disability_2021").unwrap();
    let mut fields = vec![
        ("csrf".to_string(), form.csrf()),
        ("instrument".to_string(), ltc.id.clone()),
        ("place".to_string(), "institution".to_string()),
    ];
    for item in &ltc.items {
        fields.push((item.id.clone(), (item.options.len() - 1).to_string()));
    }
    let review = first
        .post_owned(&format!("/elders/{elder}/assessments/new"), &fields)
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(review.body.contains("暂定结果"), "{}", review.body);
    let mut fields = review.hidden_fields("sign");
    fields.push(("confirmed".into(), "1".into()));
    let signed = first
        .post_owned(&format!("/elders/{elder}/assessments"), &fields)
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let location = signed.location.unwrap();
    let mut second = site.signed_in("assessor2").await;
    let list = second.get("/assessments").await;
    let r = second
        .post(
            &format!("{location}/confirm"),
            &[("csrf", list.csrf().as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = second.get(&format!("/elders/{elder}")).await;
    assert!(page.body.contains("暂定"), "{}", page.body);
    assert!(
        page.body.contains("日常生活活动能力 100 / 100"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_second_assessor_returns_an_assessment_with_a_reason_and_it_never_counts() {
    let site = Site::start().await;
    let mut first = site.signed_in("assessor").await;
    let elder = &site.fixture.elder_a1;
    let location = signed_gbt(&mut first, elder).await;

    let mut second = site.signed_in("assessor2").await;
    let page = second.get(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("退回修改"), "{}", page.body);
    let action = format!("{location}/return");
    let without_reason = second.post(&action, &[("csrf", &page.csrf())]).await;
    assert_eq!(without_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        without_reason.body.contains("退回原因必填"),
        "{}",
        without_reason.body
    );
    assert_eq!(
        history(&site, elder).await[0].row.status.code(),
        "awaiting_confirmation"
    );

    let returned = second
        .post(
            &action,
            &[
                ("csrf", &page.csrf()),
                ("reason", "B3.4 记忆与家属描述不符"),
            ],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER, "{}", returned.body);
    let page = second.get(&location).await;
    assert!(page.body.contains("此评估已退回"), "{}", page.body);
    assert!(page.body.contains("B3.4 记忆与家属描述不符"));
    assert!(!page.body.contains("作为第二评估员确认"));
    let stored = &history(&site, elder).await[0];
    assert_eq!(stored.row.status.code(), "returned");
    let elder_page = first.get(&format!("/elders/{elder}")).await;
    assert!(elder_page.body.contains("已退回"), "{}", elder_page.body);
}
