//! The broker as the project ships it (`deploy/mosquitto`), driven by yiyang's account
//! management: nobody connects without an account, a device account may publish only its own
//! readings and read nothing, its client id is pinned, and a revoked account is refused.

use mqtt::rumqttc::{AsyncClient, ConnectReturnCode, Event, EventLoop, Packet, QoS};
use mqtt::{BrokerAccounts, BrokerUrl};
use std::time::Duration;
use testkit::broker::Broker;

/// Connects and reports whether the broker accepted the connection.
async fn connect(url: &str, client_id: &str) -> Option<(AsyncClient, EventLoop)> {
    let broker = BrokerUrl::parse(url).unwrap();
    let mut options = broker.options(client_id);
    options.set_clean_session(true);
    let (client, mut eventloop) = AsyncClient::new(options, 100);
    let outcome = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                    return ack.code == ConnectReturnCode::Success
                }
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    })
    .await
    .expect("the broker answered the connection");
    outcome.then_some((client, eventloop))
}

/// Subscribes `filter` and returns the topics and payloads delivered within `wait`.
async fn watch(
    url: &str,
    client_id: &str,
    filter: &str,
) -> (bool, tokio::sync::mpsc::UnboundedReceiver<(String, String)>) {
    let (client, mut eventloop) = connect(url, client_id).await.expect("connected");
    client.subscribe(filter, QoS::AtLeastOnce).await.unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let granted = loop {
        if let Event::Incoming(Packet::SubAck(ack)) = eventloop.poll().await.unwrap() {
            break ack
                .return_codes
                .iter()
                .all(|c| !matches!(c, mqtt::rumqttc::SubscribeReasonCode::Failure));
        }
    };
    tokio::spawn(async move {
        let _client = client;
        while let Ok(event) = eventloop.poll().await {
            if let Event::Incoming(Packet::Publish(p)) = event {
                let _ = tx.send((p.topic, String::from_utf8_lossy(&p.payload).into_owned()));
            }
        }
    });
    (granted, rx)
}

/// Publishes one QoS 1 message and waits for its acknowledgement.
async fn publish(url: &str, client_id: &str, topic: &str, payload: &str) {
    let (client, mut eventloop) = connect(url, client_id).await.expect("connected");
    client
        .publish(topic, QoS::AtLeastOnce, false, payload.as_bytes().to_vec())
        .await
        .unwrap();
    loop {
        if let Event::Incoming(Packet::PubAck(_)) = eventloop.poll().await.unwrap() {
            break;
        }
    }
}

async fn received_within(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(String, String)>,
    wait: Duration,
) -> Vec<(String, String)> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(message)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        got.push(message);
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_device_account_publishes_its_own_readings_and_reads_nothing() {
    let broker = Broker::start();
    let accounts = BrokerAccounts::connect(
        &BrokerUrl::parse(&broker.admin_url).unwrap(),
        "yiyang-control",
    );
    accounts.provision_device("BP-7", "secret-7").await.unwrap();
    accounts
        .provision_device("WATCH-8", "secret-8")
        .await
        .unwrap();
    let mut listed = accounts.device_accounts().await.unwrap();
    listed.sort();
    assert_eq!(
        listed,
        ["BP-7", "WATCH-8"],
        "the admin account itself is not a device"
    );

    // yiyang's own account reads every device's readings.
    let (granted, mut readings) =
        watch(&broker.admin_url, "yiyang-ingest", "yiyang/v1/devices/#").await;
    assert!(granted);

    // Anonymous: refused outright.
    assert!(
        connect(&broker.anonymous_url(), "anyone").await.is_none(),
        "anonymous connects"
    );
    // A wrong password, and the right password under another client id (the ingest one
    // included): refused.
    assert!(connect(&broker.url_as("BP-7", "guess"), "BP-7")
        .await
        .is_none());
    assert!(connect(&broker.url_as("BP-7", "secret-7"), "yiyang-ingest")
        .await
        .is_none());
    assert!(connect(&broker.url_as("BP-7", "secret-7"), "WATCH-8")
        .await
        .is_none());

    // The device may publish its own readings, not another device's.
    let bp7 = broker.url_as("BP-7", "secret-7");
    publish(
        &bp7,
        "BP-7",
        "yiyang/v1/devices/WATCH-8/readings",
        r#"{"seq":1,"kind":"fall"}"#,
    )
    .await;
    publish(
        &bp7,
        "BP-7",
        "yiyang/v1/devices/BP-7/readings",
        r#"{"seq":1}"#,
    )
    .await;
    let got = received_within(&mut readings, Duration::from_secs(2)).await;
    assert_eq!(
        got,
        [(
            "yiyang/v1/devices/BP-7/readings".to_string(),
            r#"{"seq":1}"#.to_string()
        )],
        "only the device's own topic reached the subscriber"
    );

    // A device may subscribe to nothing.
    let (granted, _) = watch(&bp7, "BP-7", "yiyang/v1/devices/#").await;
    assert!(!granted, "a device account subscribed to every reading");

    // Re-provisioning replaces the password; revoking removes the account.
    accounts
        .provision_device("BP-7", "secret-7b")
        .await
        .unwrap();
    assert!(
        connect(&bp7, "BP-7").await.is_none(),
        "the old password still works"
    );
    assert!(connect(&broker.url_as("BP-7", "secret-7b"), "BP-7")
        .await
        .is_some());
    accounts.revoke_device("BP-7").await.unwrap();
    accounts.revoke_device("BP-7").await.unwrap(); // already gone: not an error
    assert!(connect(&broker.url_as("BP-7", "secret-7b"), "BP-7")
        .await
        .is_none());
    assert_eq!(accounts.device_accounts().await.unwrap(), ["WATCH-8"]);
}
