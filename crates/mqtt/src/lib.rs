//! The MQTT ingest adapter: subscribes to `yiyang/v1/devices/+/readings` with QoS 1 in a
//! persistent session (clean session off, a fixed client id) and hands every delivery to the
//! `app` ingest pipeline. A delivery is acknowledged to the broker only after the pipeline has
//! committed its readings, so a crash before the commit leaves it unacknowledged and the broker
//! delivers it again after the restart; ingest is idempotent on (device, seq), so it is stored
//! exactly once.
//!
//! Also the publishing side used by the device simulator and the benchmark.

use app::monitoring::ingest::Source;
use app::monitoring::Submission;
use app::App;
use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, Publish, QoS};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use rumqttc;

pub mod accounts;
pub use accounts::{AccountError, BrokerAccounts};

/// Where the broker is: `mqtt://[user[:password]@]host[:port]` (also `tcp://`).
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for BrokerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("mqtt-url: must start with mqtt:// or tcp:// (TLS is terminated by the broker's own listener or a proxy)")]
    Scheme,
    #[error("mqtt-url: the host is missing")]
    Host,
    #[error("mqtt-url: the port must be a number from 1 to 65535")]
    Port,
}

impl BrokerUrl {
    pub fn parse(url: &str) -> Result<BrokerUrl, UrlError> {
        let url = url.trim();
        let rest = url
            .strip_prefix("mqtt://")
            .or_else(|| url.strip_prefix("tcp://"))
            .ok_or(UrlError::Scheme)?;
        let rest = rest.trim_end_matches('/');
        let (credentials, address) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let (username, password) = match credentials {
            None => (None, None),
            Some(c) => match c.split_once(':') {
                Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
                None => (Some(c.to_string()), None),
            },
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| UrlError::Port)?),
            None => (address, 1883),
        };
        if host.is_empty() {
            return Err(UrlError::Host);
        }
        if port == 0 {
            return Err(UrlError::Port);
        }
        Ok(BrokerUrl {
            host: host.to_string(),
            port,
            username,
            password,
        })
    }

    /// Connection options for `client_id`: keep-alive, packet sizes for a 5,000-reading
    /// backlog, manual acknowledgements.
    pub fn options(&self, client_id: &str) -> MqttOptions {
        let mut options = MqttOptions::new(client_id, self.host.clone(), self.port);
        options
            .set_keep_alive(Duration::from_secs(30))
            .set_max_packet_size(4 * 1024 * 1024, 4 * 1024 * 1024)
            .set_request_channel_capacity(REQUEST_CAPACITY);
        if let Some(user) = &self.username {
            options.set_credentials(user.clone(), self.password.clone().unwrap_or_default());
        }
        options
    }
}

pub(crate) const REQUEST_CAPACITY: usize = 16_384;

/// What the subscriber reports about itself (`/healthz`, tests waiting for the subscription).
#[derive(Debug, Default)]
pub struct SubscriberStatus {
    /// Connected and subscribed.
    pub subscribed: AtomicBool,
    pub deliveries: AtomicU64,
    pub acknowledged: AtomicU64,
    pub connection_errors: AtomicU64,
}

impl SubscriberStatus {
    pub fn is_subscribed(&self) -> bool {
        self.subscribed.load(Ordering::Relaxed)
    }
}

/// The subscriber's settings.
#[derive(Debug, Clone)]
pub struct SubscriberConfig {
    pub broker: BrokerUrl,
    /// Fixed, so that the broker keeps the session (and its unacknowledged deliveries) across
    /// restarts. Several servers side by side each need their own, with a shared subscription.
    pub client_id: String,
    /// `yiyang/v1/devices/+/readings`, or `$share/yiyang/yiyang/v1/devices/+/readings` when
    /// several servers share the load.
    pub filter: String,
}

impl SubscriberConfig {
    pub fn new(broker: BrokerUrl) -> SubscriberConfig {
        SubscriberConfig {
            broker,
            client_id: "yiyang-ingest".into(),
            filter: monitoring::device::READINGS_FILTER.into(),
        }
    }
}

/// Runs the subscriber until the process ends, reconnecting after errors.
pub async fn run_subscriber(app: App, config: SubscriberConfig, status: Arc<SubscriberStatus>) {
    let mut options = config.broker.options(&config.client_id);
    options.set_clean_session(false).set_manual_acks(true);
    let (client, mut eventloop) = AsyncClient::new(options, REQUEST_CAPACITY);
    let ingest = app.ingest();
    let mut failures: u32 = 0;
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                failures = 0;
                // With a persistent session the broker remembers the subscription; subscribing
                // again is harmless and covers a broker that lost its state.
                if let Err(error) = client
                    .subscribe(config.filter.clone(), QoS::AtLeastOnce)
                    .await
                {
                    tracing::warn!(%error, "mqtt: subscribe request failed");
                }
            }
            Ok(Event::Incoming(Packet::SubAck(_))) => {
                status.subscribed.store(true, Ordering::Relaxed);
                tracing::info!(filter = %config.filter, "mqtt: subscribed");
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                status.deliveries.fetch_add(1, Ordering::Relaxed);
                deliver(&app, &ingest, &client, &status, publish).await;
            }
            Ok(_) => {}
            Err(error) => {
                status.subscribed.store(false, Ordering::Relaxed);
                status.connection_errors.fetch_add(1, Ordering::Relaxed);
                // A broker that is down for long is retried every 30 s, and said once a minute
                // or so rather than every second.
                if failures.is_multiple_of(20) {
                    tracing::warn!(%error, "mqtt: no connection to the broker; retrying");
                }
                failures = failures.saturating_add(1);
                let wait =
                    Duration::from_millis(250 << failures.min(7)).min(Duration::from_secs(30));
                tokio::time::sleep(wait).await;
            }
        }
    }
}

async fn deliver(
    app: &App,
    ingest: &app::monitoring::IngestHandle,
    client: &AsyncClient,
    status: &Arc<SubscriberStatus>,
    publish: Publish,
) {
    let Some(device_id) = monitoring::device::device_of_topic(&publish.topic).map(str::to_string)
    else {
        // Not a readings topic: nothing to store, and holding it would only block the session.
        app.monitoring().stats.reject("bad_topic", 1);
        acknowledge(client, status, publish);
        return;
    };
    let payload = publish.payload.to_vec();
    let ack_client = client.clone();
    let ack_status = status.clone();
    let submission = Submission {
        source: Source::Mqtt { device_id },
        payload,
        received_at: chrono::Utc::now(),
        retry_until_stored: true,
        reply: Box::new(move |result| {
            // Stored, or refused as a whole (not JSON, …: counted, and a redelivery would be
            // refused again). `Closed` means the process is stopping: leave it unacknowledged.
            if !matches!(result, Err(app::monitoring::ingest::IngestError::Closed)) {
                acknowledge(&ack_client, &ack_status, publish);
            }
        }),
    };
    if ingest.submit(submission).await.is_err() {
        tracing::error!("mqtt: the ingest pipeline has stopped");
    }
}

fn acknowledge(client: &AsyncClient, status: &Arc<SubscriberStatus>, publish: Publish) {
    status.acknowledged.fetch_add(1, Ordering::Relaxed);
    if client.try_ack(&publish).is_err() {
        let client = client.clone();
        tokio::spawn(async move {
            let _ = client.ack(&publish).await;
        });
    }
}

/// A publishing client (simulator, benchmark, tests): clean session, QoS 1 publishes.
pub fn publisher(broker: &BrokerUrl, client_id: &str, inflight: u16) -> (AsyncClient, EventLoop) {
    let mut options = broker.options(client_id);
    options
        .set_clean_session(true)
        .set_inflight(inflight.max(1));
    AsyncClient::new(options, REQUEST_CAPACITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_parse_or_say_why_not() {
        assert_eq!(
            BrokerUrl::parse("mqtt://127.0.0.1:1883").unwrap(),
            BrokerUrl {
                host: "127.0.0.1".into(),
                port: 1883,
                username: None,
                password: None
            }
        );
        let with_user = BrokerUrl::parse("tcp://yiyang:s3cret@broker.local/").unwrap();
        assert_eq!(
            (with_user.host.as_str(), with_user.port),
            ("broker.local", 1883)
        );
        assert_eq!(with_user.password.as_deref(), Some("s3cret"));
        assert!(!format!("{with_user:?}").contains("s3cret"));
        assert_eq!(BrokerUrl::parse("http://x"), Err(UrlError::Scheme));
        assert_eq!(BrokerUrl::parse("mqtt://:1883"), Err(UrlError::Host));
        assert_eq!(BrokerUrl::parse("mqtt://h:99999"), Err(UrlError::Port));
        assert_eq!(BrokerUrl::parse("mqtt://h:0"), Err(UrlError::Port));
    }
}
