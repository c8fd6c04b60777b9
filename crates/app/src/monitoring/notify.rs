//! Notification channels behind one interface. A [`Channel`] turns a notice for a recipient
//! into a message, or declines; the SMS and WeChat adapters' messages are written to the
//! `notification_outbox` table in the escalation's own transaction, and a gateway sends them
//! (`GET /api/v1/outbox`, then `POST /api/v1/outbox/{id}/sent`). The in-app channel is the live
//! board (server-sent events), fed after every commit; it has no outbox rows.

use store::elders::Contacts;
use store::monitoring::AlertRow;

/// What a person is told about an alert.
#[derive(Debug, Clone)]
pub struct Notice {
    pub elder_name: String,
    pub text_zh: String,
    pub severity: monitoring::Severity,
    pub step: monitoring::Step,
}

impl Notice {
    pub fn for_alert(alert: &AlertRow, step: monitoring::Step) -> Notice {
        Notice {
            elder_name: alert.elder_name.clone(),
            text_zh: alert.message_zh.clone(),
            severity: alert.severity,
            step,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub name: String,
    pub phone: String,
}

/// A message for the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub recipient: String,
    pub body: String,
}

pub trait Channel: Send + Sync {
    fn code(&self) -> &'static str;
    /// The message this channel sends `recipient` about `notice`; `None` when the channel does
    /// not carry it (the live board has no outbox).
    fn message(&self, notice: &Notice, recipient: &Recipient) -> Option<Message>;
}

fn sms_text(notice: &Notice) -> String {
    let who = match notice.step {
        monitoring::Step::Team => "【医养】家庭医生团队请注意：",
        _ => "【医养】您的家人",
    };
    format!(
        "{who}{} 出现告警：{}。请尽快联系并在平台确认。",
        notice.elder_name, notice.text_zh
    )
}

pub struct InApp;
impl Channel for InApp {
    fn code(&self) -> &'static str {
        "in_app"
    }
    fn message(&self, _: &Notice, _: &Recipient) -> Option<Message> {
        None
    }
}

/// Text message through the deployment's SMS gateway.
pub struct Sms;
impl Channel for Sms {
    fn code(&self) -> &'static str {
        "sms"
    }
    fn message(&self, notice: &Notice, recipient: &Recipient) -> Option<Message> {
        Some(Message {
            recipient: recipient.phone.clone(),
            body: sms_text(notice),
        })
    }
}

/// A WeChat template message; the gateway maps the phone number to the user's openid.
pub struct WeChat;
impl Channel for WeChat {
    fn code(&self) -> &'static str {
        "wechat"
    }
    fn message(&self, notice: &Notice, recipient: &Recipient) -> Option<Message> {
        Some(Message {
            recipient: recipient.phone.clone(),
            body: serde_json::json!({
                "template": "alert",
                "elder": notice.elder_name,
                "severity": notice.severity.code(),
                "text": notice.text_zh,
            })
            .to_string(),
        })
    }
}

/// The channels the configuration names (unknown names are ignored; `in_app` is always on).
pub fn channels(names: &[String]) -> Vec<Box<dyn Channel>> {
    let mut all: Vec<Box<dyn Channel>> = vec![Box::new(InApp)];
    for name in names {
        match name.as_str() {
            "sms" => all.push(Box::new(Sms)),
            "wechat" => all.push(Box::new(WeChat)),
            _ => {}
        }
    }
    all
}

pub const CHANNEL_CODES: [&str; 3] = ["in_app", "sms", "wechat"];

/// The first family contact with a phone number.
pub fn family_contact(contacts: &Contacts) -> Option<Recipient> {
    contacts.0.iter().find_map(|c| {
        let phone = c.phone.trim();
        if phone.is_empty() {
            return None;
        }
        Some(Recipient {
            name: c.name.clone(),
            phone: phone.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(step: monitoring::Step) -> Notice {
        Notice {
            elder_name: "张桂英".into(),
            text_zh: "检测到跌倒".into(),
            severity: monitoring::Severity::Critical,
            step,
        }
    }

    #[test]
    fn each_channel_words_its_own_message() {
        let to = Recipient {
            name: "李医生".into(),
            phone: "13800001111".into(),
        };
        let all = channels(&["sms".into(), "wechat".into(), "fax".into()]);
        let codes: Vec<&str> = all.iter().map(|c| c.code()).collect();
        assert_eq!(codes, ["in_app", "sms", "wechat"]);
        assert_eq!(all[0].message(&notice(monitoring::Step::Team), &to), None);
        let sms = all[1]
            .message(&notice(monitoring::Step::Team), &to)
            .unwrap();
        assert_eq!(sms.recipient, "13800001111");
        assert!(sms.body.contains("家庭医生团队") && sms.body.contains("张桂英"));
        let family = all[1]
            .message(&notice(monitoring::Step::Family), &to)
            .unwrap();
        assert!(family.body.starts_with("【医养】您的家人张桂英"));
        let wechat = all[2]
            .message(&notice(monitoring::Step::Team), &to)
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&wechat.body).unwrap();
        assert_eq!(body["severity"], "critical");
    }

    #[test]
    fn the_first_contact_with_a_phone_is_the_family() {
        let stored = |json: &str| Contacts::try_from(json.to_string());
        let contacts = r#"[{"name":"王芳","relation":"女儿","phone":""},{"name":"王强","relation":"儿子","phone":"13900002222"}]"#;
        assert_eq!(
            family_contact(&stored(contacts).unwrap()),
            Some(Recipient {
                name: "王强".into(),
                phone: "13900002222".into()
            })
        );
        assert_eq!(family_contact(&stored("[]").unwrap()), None);
        // Corrupt stored contacts are an error, not "no family".
        assert!(stored("garbage").is_err());
        assert!(stored(r#"[{"name":"王芳"}]"#).is_err());
    }
}
