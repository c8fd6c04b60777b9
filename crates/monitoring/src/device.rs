//! Home devices: what kinds yiyang knows, which readings each may send, and what a device id
//! may look like (it is a segment of the MQTT topic `yiyang/v1/devices/{device_id}/readings`).

registry::code_enum!(DeviceKind {
    BloodPressureMonitor = "blood_pressure_monitor", "血压计", "blood-pressure monitor";
    Glucometer = "glucometer", "血糖仪", "glucometer";
    Smartwatch = "smartwatch", "智能手表", "smartwatch";
    SosButton = "sos_button", "紧急呼叫按钮", "SOS button";
    BedExitSensor = "bed_exit_sensor", "离床感应器", "bed-exit sensor";
    VitalSignsMonitor = "vital_signs_monitor", "多参数体征监测仪", "vital-signs monitor";
});

registry::code_enum!(
    /// A bound device sends readings for its elder; an unbound one is refused until bound again.
    DeviceStatus {
        Bound = "bound", "已绑定", "bound";
        Unbound = "unbound", "已解绑", "unbound";
    }
);

impl DeviceKind {
    /// The reading kinds (`Values::kind`) this kind of device may send. A reading of another
    /// kind is refused: a glucometer that reports a fall is misconfigured, and its reading must
    /// not raise an alert on someone.
    pub fn sends(self) -> &'static [&'static str] {
        match self {
            DeviceKind::BloodPressureMonitor => &["blood_pressure", "heart_rate"],
            DeviceKind::Glucometer => &["glucose"],
            DeviceKind::Smartwatch => &[
                "heart_rate",
                "spo2",
                "steps",
                "fall",
                "sos",
                "temperature",
                "blood_pressure",
            ],
            DeviceKind::SosButton => &["sos", "fall"],
            DeviceKind::BedExitSensor => &["bed_exit", "heart_rate"],
            DeviceKind::VitalSignsMonitor => &[
                "vitals",
                "blood_pressure",
                "heart_rate",
                "spo2",
                "temperature",
            ],
        }
    }

    pub fn may_send(self, reading_kind: &str) -> bool {
        self.sends().contains(&reading_kind)
    }
}

/// Why a device id cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceIdError {
    #[error("device_id: is required")]
    Empty,
    #[error("device_id: must be at most {max} characters")]
    TooLong { max: usize },
    #[error("device_id: may contain only letters, digits, '-', '_', '.' and ':'")]
    Characters,
}

pub const MAX_DEVICE_ID: usize = 64;

/// A device id as makers print them (serial numbers, IMEIs, MACs): letters, digits and
/// `-_.:`, never the MQTT topic characters `/ + #`.
pub fn parse_device_id(text: &str) -> Result<String, DeviceIdError> {
    let id = text.trim();
    if id.is_empty() {
        return Err(DeviceIdError::Empty);
    }
    if id.chars().count() > MAX_DEVICE_ID {
        return Err(DeviceIdError::TooLong { max: MAX_DEVICE_ID });
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
    {
        return Err(DeviceIdError::Characters);
    }
    Ok(id.to_string())
}

/// The device id of an MQTT topic `yiyang/v1/devices/{device_id}/readings`, or `None` for any
/// other topic.
pub fn device_of_topic(topic: &str) -> Option<&str> {
    let id = topic
        .strip_prefix("yiyang/v1/devices/")?
        .strip_suffix("/readings")?;
    parse_device_id(id).ok().map(|_| id)
}

/// The topic a device publishes its readings on.
pub fn topic_of_device(device_id: &str) -> String {
    format!("yiyang/v1/devices/{device_id}/readings")
}

/// The subscription that receives every device's readings.
pub const READINGS_FILTER: &str = "yiyang/v1/devices/+/readings";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ids_are_topic_safe() {
        assert_eq!(parse_device_id(" BP-0001 ").unwrap(), "BP-0001");
        assert_eq!(
            parse_device_id("aa:bb:cc:dd:ee:ff").unwrap(),
            "aa:bb:cc:dd:ee:ff"
        );
        assert_eq!(parse_device_id(""), Err(DeviceIdError::Empty));
        assert_eq!(parse_device_id("a/b"), Err(DeviceIdError::Characters));
        assert_eq!(parse_device_id("a+"), Err(DeviceIdError::Characters));
        assert_eq!(parse_device_id("血压计"), Err(DeviceIdError::Characters));
        assert_eq!(
            parse_device_id(&"x".repeat(65)),
            Err(DeviceIdError::TooLong { max: 64 })
        );
        assert!(parse_device_id(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn topics_name_their_device() {
        assert_eq!(
            device_of_topic("yiyang/v1/devices/W-9/readings"),
            Some("W-9")
        );
        assert_eq!(device_of_topic("yiyang/v1/devices/W-9/status"), None);
        assert_eq!(device_of_topic("yiyang/v1/devices//readings"), None);
        assert_eq!(device_of_topic("yiyang/v1/devices/a/b/readings"), None);
        assert_eq!(device_of_topic(&topic_of_device("GL-1")), Some("GL-1"));
    }

    #[test]
    fn each_kind_sends_its_own_readings() {
        assert!(DeviceKind::Glucometer.may_send("glucose"));
        assert!(!DeviceKind::Glucometer.may_send("fall"));
        assert!(DeviceKind::Smartwatch.may_send("fall"));
        assert!(DeviceKind::SosButton.may_send("sos"));
        assert!(!DeviceKind::BedExitSensor.may_send("sos"));
        assert!(DeviceKind::VitalSignsMonitor.may_send("vitals"));
        for kind in DeviceKind::ALL {
            for sent in kind.sends() {
                assert!(
                    crate::reading::KINDS.contains(sent),
                    "{kind:?} sends unknown {sent}"
                );
            }
        }
    }
}
