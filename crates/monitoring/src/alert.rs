//! The states an alert and what it sets in motion are stored in. The rules that open alerts are
//! in `rule`, the escalation chain in `escalation`.

registry::code_enum!(
    /// An alert is open until someone acknowledges it (its escalation stops) and stays
    /// unresolved until someone resolves it with a note.
    AlertStatus {
        Open = "open", "待处理", "open";
        Acknowledged = "acknowledged", "已确认", "acknowledged";
        Resolved = "resolved", "已处置", "resolved";
    }
);

impl AlertStatus {
    /// Open or acknowledged: still someone's task.
    pub fn unresolved(self) -> bool {
        self != AlertStatus::Resolved
    }
}

registry::code_enum!(
    /// A 120 dispatch record, as the emergency centre's side takes it over.
    DispatchStatus {
        Requested = "requested", "已请求派车", "ambulance requested";
    }
);

registry::code_enum!(
    /// How a notification reaches a person; the outbox holds the SMS and WeChat messages.
    NotifyChannel {
        InApp = "in_app", "站内", "in app";
        Sms = "sms", "短信", "SMS";
        WeChat = "wechat", "微信", "WeChat";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_code_reads_back_and_an_unknown_one_is_refused() {
        for status in AlertStatus::ALL {
            assert_eq!(
                AlertStatus::try_from(status.code().to_string()),
                Ok(*status)
            );
        }
        assert!(AlertStatus::try_from("closed".to_string()).is_err());
        assert!(AlertStatus::try_from(" open".to_string()).is_err());
        assert!(NotifyChannel::try_from("fax".to_string()).is_err());
        assert!(DispatchStatus::try_from(String::new()).is_err());
    }
}
