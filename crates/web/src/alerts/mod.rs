//! Alerts: list, detail, acknowledge, resolve, the live stream and board, the SMS/WeChat outbox.

pub mod api;
pub mod live;
pub mod outbox;
pub mod pages;
