//! The HTML UI, in process: sign-in and the session cookie, redirects when signed out, CSRF on
//! every form, errors beside their fields in the user's language, escaping of hostile data, and
//! the scope each role sees. A small cookie-keeping client stands in for the browser.

mod site;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use registry::Sex;
use site::{escape, Browser, Site};
use std::collections::BTreeMap;
use testkit::{id_number, COUNTY_A, PASSWORD};
use tower::ServiceExt;

/// The hidden fields and the named values of the edit form of an elder, ready to post.
async fn edit_form(browser: &mut Browser, id: &str) -> Vec<(String, String)> {
    let page = browser.get(&format!("/elders/{id}/edit")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut fields = vec![("csrf".to_string(), page.csrf())];
    for name in ["version", "name", "id_number", "phone", "region_code"] {
        let marker = format!("name=\"{name}\" value=\"");
        let start = page.body.find(&marker).expect(name) + marker.len();
        let end = page.body[start..].find('"').expect("value end");
        fields.push((name.to_string(), page.body[start..start + end].to_string()));
    }
    for name in [
        "status",
        "living_situation",
        "medical_insurance",
        "responsible_org_id",
    ] {
        let start = page
            .body
            .find(&format!("<select name=\"{name}\""))
            .expect(name);
        let select = &page.body[start..start + page.body[start..].find("</select>").unwrap()];
        if let Some(at) = select.find("\" selected>") {
            let value_start = select[..at].rfind("value=\"").unwrap() + 7;
            fields.push((name.to_string(), select[value_start..at].to_string()));
        }
    }
    fields
}

fn with(fields: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    out.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn signing_in_sets_an_http_only_same_site_session_cookie() {
    let site = Site::start().await;
    let mut browser = site.browser();

    let wrong = browser.sign_in("doctor", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("用户名或密码错误"), "{}", wrong.body);
    assert!(!browser.cookies.contains_key("yiyang_session"));

    let ok = browser.sign_in("doctor", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location.as_deref(), Some("/"));
    let session = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("yiyang_session="))
        .expect("session cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(part), "{session} lacks {part}");
    }
    assert!(
        !session.contains("Secure"),
        "plain HTTP in tests: {session}"
    );

    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.content_type.starts_with("text/html"));
    assert_eq!(home.cache_control, "no-store");
    assert!(
        home.body.contains("测试doctor"),
        "the header names the user"
    );
    assert!(home.body.contains("<svg"), "the charts are drawn");

    // Signing out needs the form's token, ends the session and forgets the cookie.
    let csrf = home.csrf();
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert!(!browser.cookies.contains_key("yiyang_session"));
    let after = browser.get("/").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn secure_cookies_are_marked_secure() {
    let site = Site::start().await;
    let mut state = web::WebState::new(site.app.clone());
    state.secure_cookies = true;
    let mut browser = Browser {
        router: web::router(state),
        cookies: BTreeMap::new(),
    };
    let ok = browser.sign_in("nurse", PASSWORD).await;
    let session = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("yiyang_session="))
        .expect("session cookie");
    assert!(session.contains("; Secure"), "{session}");
}

#[tokio::test]
async fn repeated_wrong_passwords_are_rate_limited_with_a_message() {
    let site = Site::start().await;
    let mut browser = site.browser();
    for _ in 0..app::auth::MAX_FAILURES {
        let r = browser.sign_in("nurse", "wrong-password-1").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let locked = browser.sign_in("nurse", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("尝试次数过多"), "{}", locked.body);
}

#[tokio::test]
async fn pages_redirect_to_sign_in_when_signed_out() {
    let site = Site::start().await;
    let mut browser = site.browser();
    let elder = format!("/elders/{}", site.fixture.elder_a1);
    for path in [
        "/",
        "/elders",
        "/elders?q=wxy",
        elder.as_str(),
        "/elders/new",
        "/orgs",
        "/users",
        "/audit",
        "/import",
        "/no-such-page",
    ] {
        let r = browser.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        let location = r.location.unwrap_or_default();
        assert!(location.starts_with("/login"), "{path} → {location}");
    }
    let r = browser.get("/elders?q=wxy").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?next=%2Felders%3Fq%3Dwxy")
    );
    let r = browser.post("/elders/new", &[("name", "x")]).await;
    assert_eq!(r.location.as_deref(), Some("/login"));

    // The sign-in page and the assets need no session.
    let login = browser.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let css_href = {
        let start = login.body.find("/static/").expect("stylesheet link");
        let end = login.body[start..].find('"').expect("end");
        login.body[start..start + end].to_string()
    };
    let css = browser.get(&css_href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type.starts_with("text/css"));
    assert!(
        css.cache_control.contains("max-age=31536000"),
        "{}",
        css.cache_control
    );

    // After signing in the user lands where they were going, never on another site.
    let mut browser = site.browser();
    let form = browser.get("/login?next=/elders").await;
    let csrf = form.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("username", "doctor"),
        ("password", PASSWORD),
        ("next", "//evil.example/"),
    ];
    let r = browser.post("/login", &fields).await;
    assert_eq!(r.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn form_posts_without_the_csrf_token_are_refused() {
    let site = Site::start().await;
    let mut browser = site.signed_in("doctor").await;
    let before = site
        .app
        .list_elders(
            &testkit::actor(&site.app, "admin").await,
            &Default::default(),
            Default::default(),
        )
        .await
        .unwrap()
        .1;
    let id = id_number(COUNTY_A, 1950, 501, Sex::Male);
    let fields = [("name", "无令牌"), ("id_number", id.as_str())];
    let missing = browser.post("/elders/new", &fields).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let mut wrong = fields.to_vec();
    wrong.push(("csrf", "0000"));
    let wrong = browser.post("/elders/new", &wrong).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let edit = format!("/elders/{}/edit", site.fixture.elder_a1);
    let r = browser.post(&edit, &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = browser.post("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let after = site
        .app
        .list_elders(
            &testkit::actor(&site.app, "admin").await,
            &Default::default(),
            Default::default(),
        )
        .await
        .unwrap()
        .1;
    assert_eq!(before, after, "nothing was stored");

    // The sign-in form has a token of its own.
    let mut fresh = site.browser();
    let r = fresh
        .post("/login", &[("username", "doctor"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!fresh.cookies.contains_key("yiyang_session"));
}

#[tokio::test]
async fn an_invalid_edit_shows_each_error_next_to_its_field_and_keeps_the_input() {
    let site = Site::start().await;
    let mut browser = site.signed_in("doctor").await;
    let id = &site.fixture.elder_a1;
    let form = edit_form(&mut browser, id).await;
    let good_number = form
        .iter()
        .find(|(k, _)| k == "id_number")
        .unwrap()
        .1
        .clone();
    // Wrong check digit, a bad contact phone, an unknown condition code.
    let last = good_number.chars().last().unwrap();
    let wrong_digit = if last == '1' { '2' } else { '1' };
    let bad_number = format!("{}{wrong_digit}", &good_number[..17]);
    let fields = with(
        &form,
        &[
            ("id_number", &bad_number),
            ("name", "王秀英改"),
            ("contacts[0].name", "王强"),
            ("contacts[0].phone", "12345"),
            ("chronic_conditions", "I10, XYZ"),
        ],
    );
    let r = browser
        .post(&format!("/elders/{id}/edit"), &pairs(&fields))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let id_errors = r.field_errors("id_number");
    assert_eq!(id_errors.len(), 1, "{}", r.body);
    assert!(id_errors[0].contains("校验位"), "{id_errors:?}");
    assert_eq!(r.field_errors("contacts[0].phone").len(), 1);
    assert_eq!(r.field_errors("chronic_conditions").len(), 1);
    assert!(r.field_errors("name").is_empty());
    // The user's input is still there.
    assert!(r.body.contains(&format!("value=\"{bad_number}\"")));
    assert!(r.body.contains("value=\"王秀英改\""));
    assert!(r.body.contains("value=\"12345\""));
    // Nothing was stored.
    let view = site
        .app
        .get_elder(&testkit::actor(&site.app, "admin").await, id)
        .await
        .unwrap();
    assert_eq!(view.name, "王秀英");

    // In English, the same errors in English.
    let english = browser
        .post(&format!("/elders/{id}/edit?lang=en"), &pairs(&fields))
        .await;
    let errors = english.field_errors("id_number");
    assert!(errors[0].contains("check character"), "{errors:?}");

    // A correct edit is stored and shows in the history.
    let fields = with(&form, &[("name", "王秀英"), ("phone", "13900001111")]);
    let r = browser
        .post(&format!("/elders/{id}/edit"), &pairs(&fields))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, Some(format!("/elders/{id}")));
    let page = browser.get(&format!("/elders/{id}")).await;
    assert!(
        page.body.contains("13900001111"),
        "the doctor sees the full phone"
    );
    assert!(page.body.contains("修改记录"));
    assert!(
        page.body.contains("13812345678"),
        "old value in the history"
    );

    // Posting the old version again is refused: someone changed it meanwhile.
    let stale = browser
        .post(&format!("/elders/{id}/edit"), &pairs(&fields))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("记录已被他人修改"));
}

#[tokio::test]
async fn a_duplicate_identity_number_links_to_the_existing_record() {
    let site = Site::start().await;
    let mut browser = site.signed_in("doctor").await;
    let form = browser.get("/elders/new").await;
    let existing = id_number(COUNTY_A, 1945, 11, Sex::Female);
    let csrf = form.csrf();
    let r = browser
        .post(
            "/elders/new",
            &[
                ("csrf", csrf.as_str()),
                ("name", "重复"),
                ("id_number", existing.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = r.field_errors("id_number");
    assert_eq!(errors.len(), 1, "{}", r.body);
    assert!(
        errors[0].contains(&format!("href=\"/elders/{}\"", site.fixture.elder_a1)),
        "{errors:?}"
    );
}

#[tokio::test]
async fn creating_an_elder_through_the_form_opens_the_new_record() {
    let site = Site::start().await;
    let mut browser = site.signed_in("nurse").await;
    let form = browser.get("/elders/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let id = id_number(COUNTY_A, 1940, 601, Sex::Female);
    let r = browser
        .post(
            "/elders/new",
            &[
                ("csrf", csrf.as_str()),
                ("name", "孙玉兰"),
                ("id_number", id.as_str()),
                ("living_situation", "alone"),
                ("special_categories", "dibao"),
                ("special_categories", "semi_disabled"),
                ("chronic_conditions", "I10，E11"),
                ("contacts[1].name", "孙明"),
                ("contacts[1].relation", "儿子"),
                ("contacts[1].phone", "13700001234"),
                ("status", "alive"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = browser.get(r.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "孙玉兰",
        "独居",
        "低保",
        "半失能",
        "80岁以上高龄",
        "高血压",
        "2型糖尿病",
        "孙明",
        "13700001234",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    // The list finds it by pinyin initials, with the identity number masked.
    let list = browser.get("/elders?q=syl").await;
    assert!(list.body.contains("孙玉兰"));
    assert!(
        list.body.contains("共 <strong>1</strong> 条"),
        "{}",
        list.body
    );
    assert!(
        !list.body.contains(&id),
        "identity numbers are masked in lists"
    );
}

#[tokio::test]
async fn injected_markup_in_data_is_shown_as_text() {
    let site = Site::start().await;
    let mut browser = site.signed_in("doctor").await;
    let form = browser.get("/elders/new").await;
    let csrf = form.csrf();
    let hostile = "<script>alert(1)</script>";
    let id = id_number(COUNTY_A, 1948, 701, Sex::Male);
    let address = "\"><img src=x onerror=alert(2)>";
    let r = browser
        .post(
            "/elders/new",
            &[
                ("csrf", csrf.as_str()),
                ("name", hostile),
                ("id_number", id.as_str()),
                ("address", address),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = browser.get(r.location.as_deref().unwrap()).await;
    let list = browser.get("/elders?q=%3Cscript").await;
    for page in [&detail, &list] {
        assert!(!page.body.contains(hostile), "raw markup in the page");
        assert!(!page.body.contains("<img src=x"), "raw markup in the page");
        assert!(page.body.contains(&escape(hostile)), "escaped name missing");
    }
    // The form re-shows hostile input escaped, too.
    let again = browser
        .post(
            "/elders/new",
            &[
                ("csrf", csrf.as_str()),
                ("name", hostile),
                ("id_number", "x"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!again.body.contains(hostile));
    // And the pages forbid inline scripts anyway.
    let policy_page = site
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/login")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let policy = policy_page
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
}

#[tokio::test]
async fn a_doctor_gets_not_found_for_a_record_only_the_supervisor_sees() {
    let site = Site::start().await;
    let unmanaged = format!("/elders/{}", site.fixture.unmanaged_a2);
    let mut doctor = site.signed_in("doctor").await;
    let r = doctor.get(&unmanaged).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("未找到"));
    assert!(!r.body.contains("刘德华"));
    let r = doctor.get(&format!("{unmanaged}/edit")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let mut supervisor = site.signed_in("supervisor").await;
    let r = supervisor.get(&unmanaged).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("刘德华"));
    assert!(r.body.contains("已脱敏"), "supervisors see masked numbers");
    assert!(
        !r.body.contains("编辑档案"),
        "no edit button for supervisors"
    );
    let r = supervisor.get(&format!("{unmanaged}/edit")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Their lists differ the same way.
    let doctors = doctor.get("/elders").await;
    let supervisors = supervisor.get("/elders").await;
    assert!(doctors.body.contains("共 <strong>2</strong> 条"));
    assert!(supervisors.body.contains("共 <strong>3</strong> 条"));
}

#[tokio::test]
async fn navigation_shows_only_what_a_role_may_use_and_admin_pages_refuse_others() {
    let site = Site::start().await;
    let mut admin = site.signed_in("admin").await;
    let home = admin.get("/").await;
    for href in ["href=\"/users\"", "href=\"/audit\"", "href=\"/import\""] {
        assert!(home.body.contains(href), "admin lacks {href}");
    }
    let mut supervisor = site.signed_in("supervisor").await;
    let home = supervisor.get("/").await;
    for href in ["href=\"/users\"", "href=\"/audit\"", "href=\"/import\""] {
        assert!(!home.body.contains(href), "supervisor sees {href}");
    }
    for path in ["/users", "/users/new", "/audit", "/import", "/elders/new"] {
        let r = supervisor.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    // The family member's home is their own record.
    let mut family = site.signed_in("family").await;
    let r = family.get("/").await;
    assert_eq!(
        r.location,
        Some(format!("/elders/{}", site.fixture.elder_a1))
    );
}

#[tokio::test]
async fn every_page_renders_for_every_role() {
    let site = Site::start().await;
    let elder = format!("/elders/{}", site.fixture.elder_a1);
    let elder_edit = format!("{elder}/edit");
    let org = format!("/orgs/{}", site.fixture.org_a1);
    let org_edit = format!("{org}/edit");
    let admin = testkit::actor(&site.app, "admin").await;
    let (users, _) = site
        .app
        .list_users(&admin, Default::default())
        .await
        .unwrap();
    let user_edit = format!("/users/{}/edit", users[0].id);
    let pages = [
        "/",
        "/elders",
        "/elders?region=371402&status=alive&living_situation=alone&sex=female&category=dibao&condition=I10&min_age=60&max_age=100",
        "/elders?page=2",
        "/elders/new",
        elder.as_str(),
        elder_edit.as_str(),
        "/orgs",
        "/orgs?category=medical&kind=community_health_centre&region=371402",
        org.as_str(),
        org_edit.as_str(),
        "/orgs/new",
        "/users",
        "/users/new",
        user_edit.as_str(),
        "/audit",
        "/audit?username=doctor&action=login&from=2020-01-01&to=2099-12-31",
        "/import",
    ];
    for role in [
        "admin",
        "supervisor",
        "institution_admin",
        "doctor",
        "nurse",
        "caregiver",
        "assessor",
        "family",
    ] {
        let mut browser = site.signed_in(role).await;
        for lang in ["zh", "en"] {
            browser.get(&format!("/lang/{lang}?next=/")).await;
            for path in pages {
                let r = browser.get(path).await;
                assert!(
                    [200, 303, 403, 404].contains(&r.status.as_u16()),
                    "{role} {lang} {path}: {} {}",
                    r.status,
                    r.body
                );
            }
        }
    }
}

#[tokio::test]
async fn bad_filters_are_shown_beside_the_filter() {
    let site = Site::start().await;
    let mut browser = site.signed_in("doctor").await;
    let r = browser.get("/elders?min_age=abc&condition=XYZ").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.field_errors("min_age").len(), 1, "{}", r.body);
    let r = browser.get("/elders?condition=XYZ").await;
    assert_eq!(r.field_errors("condition").len(), 1, "{}", r.body);
    let r = browser.get("/audit?from=2026-02-30").await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "doctors do not read the audit log"
    );
    let mut admin = site.signed_in("admin").await;
    let r = admin.get("/audit?from=2026-02-30").await;
    assert_eq!(r.field_errors("from").len(), 1, "{}", r.body);
}

#[tokio::test]
async fn the_language_switch_remembers_english() {
    let site = Site::start().await;
    let mut browser = site.signed_in("doctor").await;
    let r = browser.get("/lang/en?next=/elders").await;
    assert_eq!(r.location.as_deref(), Some("/elders"));
    assert!(r
        .set_cookies
        .iter()
        .any(|c| c.starts_with("yiyang_lang=en") && c.contains("Max-Age")));
    let page = browser.get("/elders").await;
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Elderly records"));
    assert!(page.body.contains("中文"), "the switch back");
    let r = browser.get("/lang/zh?next=https://evil.example/").await;
    assert_eq!(r.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn admins_manage_users_and_organizations_through_forms() {
    let site = Site::start().await;
    let mut admin = site.signed_in("admin").await;
    let form = admin.get("/users/new").await;
    let csrf = form.csrf();
    let short = admin
        .post(
            "/users/new",
            &[
                ("csrf", csrf.as_str()),
                ("username", "nurse2"),
                ("display_name", "新护士"),
                ("role", "nurse"),
                ("password", "short"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.field_errors("password").len(), 1);
    assert_eq!(
        short.field_errors("org_id").len(),
        1,
        "a nurse needs an organization"
    );
    let created = admin
        .post(
            "/users/new",
            &[
                ("csrf", csrf.as_str()),
                ("username", "nurse2"),
                ("display_name", "新护士"),
                ("role", "nurse"),
                ("org_id", site.fixture.org_a1.as_str()),
                ("password", "Longer-pass-1"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let list = admin.get("/users").await;
    assert!(list.body.contains("nurse2"));

    let org_form = admin.get("/orgs/new").await;
    let csrf = org_form.csrf();
    let bad = admin
        .post(
            "/orgs/new",
            &[
                ("csrf", csrf.as_str()),
                ("name", "德城区老年公寓"),
                ("kind", "nursing_home"),
                ("region_code", "371402"),
                ("beds_elderly_care", "50"),
                ("beds_nursing", "80"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.field_errors("beds_nursing").len(), 1, "{}", bad.body);
    let good = admin
        .post(
            "/orgs/new",
            &[
                ("csrf", csrf.as_str()),
                ("name", "德城区老年公寓"),
                ("kind", "nursing_home"),
                ("region_code", "371402"),
                ("beds_elderly_care", "50"),
                ("beds_nursing", "30"),
                ("services", "in_house_clinic"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let page = admin.get(good.location.as_deref().unwrap()).await;
    assert!(page.body.contains("德城区老年公寓"));
    assert!(page.body.contains("内设医务室/护理站"));
    assert!(page.body.contains("养老床位"));
}

#[tokio::test]
async fn the_import_page_reports_stored_and_skipped_rows() {
    let site = Site::start().await;
    let mut browser = site.signed_in("doctor").await;
    let page = browser.get("/import").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let good = id_number(COUNTY_A, 1944, 801, Sex::Male);
    let bad = {
        let n = id_number(COUNTY_A, 1947, 803, Sex::Male);
        let wrong = if n.ends_with('1') { '2' } else { '1' };
        format!("{}{wrong}", &n[..17])
    };
    let boundary = "yiyangboundary";
    let multipart = |token: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n姓名,身份证号\r\n导入甲,{good}\r\n<b>导入乙</b>,{bad}\r\n--{boundary}--\r\n"
        )
    };
    let upload = |body: String| {
        let request = Request::builder().method("POST").uri("/import").header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        (request, Body::from(body))
    };
    // Without the token the upload is refused and nothing is stored.
    let (request, body) = upload(multipart("nope"));
    let r = browser.send(request, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (request, body) = upload(multipart(&csrf));
    let r = browser.send(request, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("导入结果"), "{}", r.body);
    assert!(
        r.body.contains("<td class=\"num\">3</td>"),
        "the bad row is row 3: {}",
        r.body
    );
    let list = browser.get("/elders?q=导入").await;
    assert!(list.body.contains("导入甲"));
    assert!(!list.body.contains("导入乙"));
    // A supervisor may not import: the page is refused.
    let mut supervisor = site.signed_in("supervisor").await;
    assert_eq!(
        supervisor.get("/import").await.status,
        StatusCode::FORBIDDEN
    );
}

/// Every UI form route, read from the router's own table, refuses a post without the CSRF
/// token (403) and changes nothing.
#[tokio::test]
async fn every_ui_form_refuses_a_post_without_the_csrf_token() {
    let site = Site::start().await;
    let mut browser = site.signed_in("admin").await;
    let before = site.snapshot().await;
    let forms: Vec<_> = web::routes()
        .into_iter()
        .filter(|r| r.surface == web::Surface::Form)
        .collect();
    assert!(forms.len() >= 20, "{} form routes", forms.len());
    let id = id_number(COUNTY_A, 1950, 502, Sex::Female);
    let fields = [
        ("name", "无令牌"),
        ("id_number", id.as_str()),
        ("username", "admin"),
        ("password", PASSWORD),
        ("note", "x"),
        ("reason", "x"),
        ("device_id", "x"),
    ];
    for route in forms {
        assert_eq!(route.method, axum::http::Method::POST);
        let path = route.path.replace("{id}", &site.fixture.elder_a1);
        let response = browser.post(&path, &fields).await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "POST {} without a token",
            route.path
        );
        let mut wrong = fields.to_vec();
        wrong.push(("csrf", "0000"));
        let response = browser.post(&path, &wrong).await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "POST {} with a wrong token",
            route.path
        );
    }
    assert!(
        site.snapshot().await == before,
        "a refused post changed nothing"
    );
    assert_eq!(
        browser.get("/").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn a_nul_byte_in_a_form_or_a_page_address_is_bad_input() {
    let site = Site::start().await;
    let mut browser = site.browser();
    let refused = browser.sign_in("nur\0se", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("username: 含有不可见的控制字符"),
        "{}",
        refused.body
    );
    let ok = browser.sign_in("nurse", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let query = browser.get("/elders?q=%00").await;
    assert_eq!(query.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        query.body.contains("q: 含有不可见的控制字符"),
        "{}",
        query.body
    );
    let path = browser.get("/elders/%00").await;
    assert_eq!(path.status, StatusCode::NOT_FOUND);
    let page = browser.get("/elders/new").await;
    let saved = browser
        .post("/elders/new", &[("csrf", &page.csrf()), ("name", "张\0三")])
        .await;
    assert_eq!(saved.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        saved.body.contains("name: 含有不可见的控制字符"),
        "{}",
        saved.body
    );
}
