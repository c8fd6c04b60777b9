//! Shutting down ends the alert board's open streams at once (a graceful shutdown waits for
//! every open response). In a test binary of its own: the signal is process-wide.

mod site;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use site::Site;
use std::time::Duration;
use tower::ServiceExt;

#[tokio::test]
async fn ending_the_live_streams_closes_an_open_board_stream() {
    let site = Site::start().await;
    let nurse = site.signed_in("nurse").await;
    let cookie = nurse
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let response = site
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/alerts/stream")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    // The greeting (the browser's retry interval), then nothing until something happens.
    let hello = body.frame().await.expect("a frame").expect("data");
    let text = String::from_utf8_lossy(hello.data_ref().unwrap()).to_string();
    assert!(text.contains("retry: 3000"), "{text}");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), body.frame())
            .await
            .is_err(),
        "the stream stays open"
    );

    web::ui::end_live_streams();
    let end = tokio::time::timeout(Duration::from_secs(2), body.frame())
        .await
        .expect("the stream ends at once");
    assert!(end.is_none(), "no more frames");
}
