//! Device accounts on the broker, through Mosquitto's dynamic security plugin: registering or
//! binding a device creates an account whose username and client id are the device id, whose
//! password is the device's credential, and whose only right is to publish to the device's own
//! readings topic; unbinding deletes it. yiyang's own broker account (the plugin's administrator)
//! sends the commands to `$CONTROL/dynamic-security/v1` and reads the answers from
//! `…/response`, matched by `correlationData`.
//!
//! The plugin has no per-client topic patterns in the ACLs it accepts (Mosquitto 2.0 takes
//! `%c`/`%u` literally there), so each device gets its own role holding its one topic.

use crate::{BrokerUrl, REQUEST_CAPACITY};
use rumqttc::{AsyncClient, Event, Packet, QoS};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

const CONTROL_TOPIC: &str = "$CONTROL/dynamic-security/v1";
const RESPONSE_TOPIC: &str = "$CONTROL/dynamic-security/v1/response";
/// Marks the accounts yiyang manages, so that reconciliation never touches an operator's own.
pub const DEVICE_ACCOUNT_TEXT: &str = "yiyang device";
const ROLE_PREFIX: &str = "yiyang-device:";
/// How long a command may wait for the broker's answer.
const ANSWER_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("the broker did not answer within {0:?} (is it running with yiyang's configuration?)")]
    NoAnswer(Duration),
    #[error("the broker refused {command}: {message}")]
    Refused { command: String, message: String },
    #[error("the connection to the broker's control topic is closed")]
    Closed,
}

type Pending = Arc<Mutex<HashMap<String, oneshot::Sender<Vec<Value>>>>>;

/// A connection to the broker's dynamic-security control topic.
#[derive(Clone)]
pub struct BrokerAccounts {
    client: AsyncClient,
    pending: Pending,
    ready: watch::Receiver<bool>,
    next: Arc<AtomicU64>,
}

/// The topic a device's account may publish to.
pub fn readings_topic(device_id: &str) -> String {
    format!("yiyang/v1/devices/{device_id}/readings")
}

impl BrokerAccounts {
    /// Connects as `broker`'s account with `client_id` and keeps the connection up in a task.
    pub fn connect(broker: &BrokerUrl, client_id: &str) -> BrokerAccounts {
        let mut options = broker.options(client_id);
        options.set_clean_session(true);
        let (client, mut eventloop) = AsyncClient::new(options, REQUEST_CAPACITY);
        let pending: Pending = Arc::default();
        let (ready_tx, ready) = watch::channel(false);
        let task_client = client.clone();
        let task_pending = pending.clone();
        tokio::spawn(async move {
            let mut failures: u32 = 0;
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        failures = 0;
                        let _ = task_client
                            .subscribe(RESPONSE_TOPIC, QoS::AtLeastOnce)
                            .await;
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        let _ = ready_tx.send(true);
                    }
                    Ok(Event::Incoming(Packet::Publish(publish))) => {
                        answer(&task_pending, &publish.payload);
                    }
                    Ok(_) => {}
                    Err(error) => {
                        let _ = ready_tx.send(false);
                        if failures.is_multiple_of(20) {
                            tracing::warn!(%error, "mqtt accounts: no connection to the broker; retrying");
                        }
                        failures = failures.saturating_add(1);
                        let wait = Duration::from_millis(250 << failures.min(5))
                            .min(Duration::from_secs(10));
                        tokio::time::sleep(wait).await;
                    }
                }
                if ready_tx.is_closed() {
                    // Every handle is gone: nobody can send a command any more.
                    return;
                }
            }
        });
        BrokerAccounts {
            client,
            pending,
            ready,
            next: Arc::new(AtomicU64::new(1)),
        }
    }

    /// Creates (or replaces) the account of `device_id` with `password`.
    pub async fn provision_device(
        &self,
        device_id: &str,
        password: &str,
    ) -> Result<(), AccountError> {
        let role = format!("{ROLE_PREFIX}{device_id}");
        // Replacing: an earlier account of the same device (a re-bind, or a provision whose
        // database commit failed afterwards) must not keep its old password.
        self.run_tolerating_absence(vec![
            json!({"command": "deleteClient", "username": device_id}),
            json!({"command": "deleteRole", "rolename": role}),
        ])
        .await?;
        self.run(vec![
            json!({
                "command": "createRole",
                "rolename": role,
                "acls": [{"acltype": "publishClientSend", "topic": readings_topic(device_id), "allow": true}],
            }),
            json!({
                "command": "createClient",
                "username": device_id,
                "password": password,
                "clientid": device_id,
                "textname": DEVICE_ACCOUNT_TEXT,
                "roles": [{"rolename": role}],
            }),
        ])
        .await?;
        Ok(())
    }

    /// Deletes the account of `device_id`; an account that does not exist is already revoked.
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), AccountError> {
        self.run_tolerating_absence(vec![
            json!({"command": "deleteClient", "username": device_id}),
            json!({"command": "deleteRole", "rolename": format!("{ROLE_PREFIX}{device_id}")}),
        ])
        .await?;
        // A connection that is open now would keep publishing until it reconnects.
        let _ = self
            .run(vec![
                json!({"command": "disableClient", "username": device_id}),
            ])
            .await;
        Ok(())
    }

    /// The usernames of the device accounts yiyang has created.
    pub async fn device_accounts(&self) -> Result<Vec<String>, AccountError> {
        let answers = self
            .run(vec![json!({"command": "listClients", "verbose": true})])
            .await?;
        let clients = answers
            .first()
            .and_then(|a| a.pointer("/data/clients"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(clients
            .iter()
            .filter(|c| c.get("textname").and_then(Value::as_str) == Some(DEVICE_ACCOUNT_TEXT))
            .filter_map(|c| {
                c.get("username")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect())
    }

    async fn run_tolerating_absence(&self, commands: Vec<Value>) -> Result<(), AccountError> {
        for command in commands {
            match self.run(vec![command]).await {
                Ok(_) => {}
                Err(AccountError::Refused { message, .. })
                    if message.contains("not found") || message.contains("Not found") => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    /// Sends `commands` in one message and waits for their answers; the first refused command
    /// is the error.
    async fn run(&self, mut commands: Vec<Value>) -> Result<Vec<Value>, AccountError> {
        let mut ready = self.ready.clone();
        tokio::time::timeout(ANSWER_WAIT, ready.wait_for(|r| *r))
            .await
            .map_err(|_| AccountError::NoAnswer(ANSWER_WAIT))?
            .map_err(|_| AccountError::Closed)?;
        let correlation = format!("c{}", self.next.fetch_add(1, Ordering::Relaxed));
        for (i, command) in commands.iter_mut().enumerate() {
            command["correlationData"] = json!(format!("{correlation}.{i}"));
        }
        let (tx, rx) = oneshot::channel();
        self.pending
            .lock()
            .expect("pending answers")
            .insert(format!("{correlation}.0"), tx);
        let payload = serde_json::to_vec(&json!({ "commands": commands })).expect("json");
        let sent = self
            .client
            .publish(CONTROL_TOPIC, QoS::AtLeastOnce, false, payload)
            .await;
        let answers = match sent {
            Ok(()) => {
                tokio::time::timeout(ANSWER_WAIT, async {
                    rx.await.map_err(|_| AccountError::Closed)
                })
                .await
            }
            Err(_) => Ok(Err(AccountError::Closed)),
        };
        self.pending
            .lock()
            .expect("pending answers")
            .remove(&format!("{correlation}.0"));
        let answers = answers.map_err(|_| AccountError::NoAnswer(ANSWER_WAIT))??;
        if let Some(refused) = answers.iter().find(|a| a.get("error").is_some()) {
            return Err(AccountError::Refused {
                command: text(refused, "command"),
                message: text(refused, "error"),
            });
        }
        Ok(answers)
    }
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Hands the answers of one control message to the command waiting for them.
fn answer(pending: &Pending, payload: &[u8]) {
    let Ok(message) = serde_json::from_slice::<Value>(payload) else {
        return;
    };
    let Some(answers) = message.get("responses").and_then(Value::as_array) else {
        return;
    };
    let Some(key) = answers
        .first()
        .and_then(|a| a.get("correlationData"))
        .and_then(Value::as_str)
    else {
        return;
    };
    if let Some(waiting) = pending.lock().expect("pending answers").remove(key) {
        let _ = waiting.send(answers.clone());
    }
}

impl app::monitoring::DeviceAccounts for BrokerAccounts {
    fn provision<'a>(
        &'a self,
        device_id: &'a str,
        credential: &'a str,
    ) -> app::monitoring::broker_accounts::AccountFuture<'a, ()> {
        Box::pin(async move {
            self.provision_device(device_id, credential)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn revoke<'a>(
        &'a self,
        device_id: &'a str,
    ) -> app::monitoring::broker_accounts::AccountFuture<'a, ()> {
        Box::pin(async move {
            self.revoke_device(device_id)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn list(&self) -> app::monitoring::broker_accounts::AccountFuture<'_, Vec<String>> {
        Box::pin(async move { self.device_accounts().await.map_err(|e| e.to_string()) })
    }
}
