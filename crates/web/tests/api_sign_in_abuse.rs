//! Sign-in under attack, on every backend: a forged `X-Forwarded-For` neither escapes the
//! per-address limit nor forges the audited address; it counts only from a configured proxy,
//! right-most untrusted entry first. Wrong passwords slow the attacker's address, and the
//! account's owner still signs in from elsewhere.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::net::SocketAddr;
use tower::ServiceExt;

struct Site {
    router: axum::Router,
    app: app::App,
    _db: testkit::TestDb,
}

impl Site {
    async fn start(backend: &testkit::Backend, trusted: &str) -> Site {
        let db = testkit::TestDb::new(backend).await;
        let app = db.app().await;
        testkit::Fixture::create(&app).await;
        let proxies = web::TrustedProxies::parse(trusted).expect("proxy list");
        let router = web::router(web::WebState::new(app.clone()).with_trusted_proxies(proxies));
        Site {
            router,
            app,
            _db: db,
        }
    }

    /// A sign-in from `peer`, with `forwarded` as its X-Forwarded-For.
    async fn sign_in(
        &self,
        peer: &str,
        forwarded: Option<&str>,
        username: &str,
        password: &str,
    ) -> (StatusCode, serde_json::Value) {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        let mut request = Request::builder()
            .method("POST")
            .uri("/api/v1/auth/login")
            .header("content-type", "application/json");
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        let mut request = request.body(Body::from(body)).unwrap();
        let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    /// The addresses the audit log wrote for `username`'s failed sign-ins.
    async fn audited_addresses(&self, username: &str) -> Vec<String> {
        let admin = self.app.system_actor("admin").await.unwrap();
        let filter = app::audit_log::AuditFilter {
            action: Some("login_failed".into()),
            username: Some(username.into()),
            ..Default::default()
        };
        let (rows, _) = self
            .app
            .search_audit(&admin, filter, app::Page::new(Some(1), Some(200)))
            .await
            .unwrap();
        rows.into_iter()
            .filter(|r| r.username.as_deref() == Some(username))
            .filter_map(|r| r.ip)
            .collect()
    }
}

#[tokio::test]
async fn a_forged_forwarded_for_neither_escapes_the_limit_nor_forges_the_audited_address() {
    for backend in testkit::backends() {
        // No proxy configured: the header is the client's word and counts for nothing.
        let site = Site::start(&backend, "").await;
        let mut refused = None;
        for attempt in 0..40 {
            let forged = format!("198.51.100.{attempt}");
            let (status, _) = site
                .sign_in("203.0.113.7", Some(&forged), "doctor", "wrong-password")
                .await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                refused = Some(attempt);
                break;
            }
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        assert!(
            refused.is_some_and(|n| n <= 5),
            "{backend:?}: rotating X-Forwarded-For kept the address unlimited ({refused:?})"
        );
        let addresses = site.audited_addresses("doctor").await;
        assert!(!addresses.is_empty());
        assert!(
            addresses.iter().all(|a| a == "203.0.113.7"),
            "{backend:?}: audited {addresses:?}"
        );

        // A loopback peer is not a proxy either unless configured.
        let (status, _) = site
            .sign_in(
                "127.0.0.1",
                Some("198.51.100.99"),
                "nurse",
                "wrong-password",
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(site.audited_addresses("nurse").await, ["127.0.0.1"]);
    }
}

#[tokio::test]
async fn behind_a_configured_proxy_the_right_most_untrusted_address_counts() {
    for backend in testkit::backends() {
        let site = Site::start(&backend, "127.0.0.1, 10.0.0.0/8").await;
        // The client put a forged entry first; the proxies appended what they saw.
        let (status, _) = site
            .sign_in(
                "127.0.0.1",
                Some("1.2.3.4, 203.0.113.50, 10.1.2.3"),
                "nurse",
                "wrong-password",
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(site.audited_addresses("nurse").await, ["203.0.113.50"]);
        // From a peer that is not a configured proxy the header is ignored.
        let (status, _) = site
            .sign_in(
                "192.0.2.1",
                Some("203.0.113.51"),
                "caregiver",
                "wrong-password",
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(site.audited_addresses("caregiver").await, ["192.0.2.1"]);
        // Garbage in the header is not an address.
        let (status, _) = site
            .sign_in(
                "127.0.0.1",
                Some("not an address, <script>"),
                "assessor",
                "wrong-password",
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(site.audited_addresses("assessor").await, ["127.0.0.1"]);
    }
}

#[tokio::test]
async fn wrong_passwords_slow_the_attacker_and_the_owner_still_signs_in() {
    for backend in testkit::backends() {
        let site = Site::start(&backend, "").await;
        let attacker = "203.0.113.66";
        let mut statuses = Vec::new();
        for _ in 0..8 {
            statuses.push(site.sign_in(attacker, None, "doctor", "guess").await.0);
        }
        assert!(
            statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
            "{backend:?}: the attacker was never slowed: {statuses:?}"
        );
        // Even the right password is refused to the attacker's address for now.
        let (status, _) = site
            .sign_in(attacker, None, "doctor", testkit::PASSWORD)
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        // The owner, from their own address, signs in.
        let (status, body) = site
            .sign_in("198.51.100.20", None, "doctor", testkit::PASSWORD)
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{backend:?}: the owner was locked out: {body}"
        );
        assert!(body["token"].as_str().is_some());
    }
}
