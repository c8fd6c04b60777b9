//! The device registry across organizations, on every backend: a refused registration does not
//! tell whether another organization holds the device id, and an unbound device stays its
//! organization's: another organization's device manager can neither see nor bind it.

mod common;

use axum::http::StatusCode;
use common::Server;
use serde_json::json;
use testkit::{Fixture, PASSWORD};

#[tokio::test]
async fn another_organizations_devices_are_neither_revealed_nor_bindable() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        let doctor_b = server.add_doctor(&admin, "doctor_b", &f.org_b1).await;
        let doctor_a = server.login("doctor", PASSWORD).await;

        // Organization B registers a watch and unbinds it: it is B's spare device now.
        let register = |device: &str, elder: &str| {
            json!({"device_id": device, "kind": "smartwatch", "elder_id": elder}).to_string()
        };
        let (status, created) = server
            .call(
                "POST",
                "/api/v1/devices",
                Some(&doctor_b),
                Some(&register("WATCH-B1", &f.elder_b1)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let (status, _) = server
            .call(
                "POST",
                "/api/v1/devices/WATCH-B1/unbind",
                Some(&doctor_b),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // Organization A's doctor cannot bind it to one of A's elders…
        let bind = json!({"elder_id": f.elder_a1}).to_string();
        let (status, body) = server
            .call(
                "POST",
                "/api/v1/devices/WATCH-B1/bind",
                Some(&doctor_a),
                Some(&bind),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{backend:?}: bound B's device: {body}"
        );
        // …nor see it…
        let (status, _) = server
            .call("GET", "/api/v1/devices/WATCH-B1", Some(&doctor_a), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // …and registering the same id is refused exactly as an id that was never used but
        // is unavailable (reserved), so the refusal proves nothing about B.
        let (status, taken) = server
            .call(
                "POST",
                "/api/v1/devices",
                Some(&doctor_a),
                Some(&register("WATCH-B1", &f.elder_a1)),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{taken}");
        let (status, reserved) = server
            .call(
                "POST",
                "/api/v1/devices",
                Some(&doctor_a),
                Some(&register("yiyang-ingest", &f.elder_a1)),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reserved}");
        assert_eq!(
            taken, reserved,
            "{backend:?}: the refusal tells that B holds the id"
        );
        let text = taken.to_string();
        assert!(!text.contains("已登记") && !text.contains("解绑"), "{text}");

        // Organization B binds its spare device again.
        let bind_b = json!({"elder_id": f.elder_b1}).to_string();
        let (status, body) = server
            .call(
                "POST",
                "/api/v1/devices/WATCH-B1/bind",
                Some(&doctor_b),
                Some(&bind_b),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // In its own organization the refusal may say what to do.
        let (status, own) = server
            .call(
                "POST",
                "/api/v1/devices",
                Some(&doctor_b),
                Some(&register("WATCH-B1", &f.elder_b1)),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(own.to_string().contains("解绑"), "{own}");
    }
}
