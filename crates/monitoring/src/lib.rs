//! Remote monitoring as rules: what a home device may send (`reading`), when a reading or a
//! series of them needs a person (`rule`), with the thresholds a doctor may set per elder.
//!
//! Pure: no storage, no MQTT, no clock (times come in as arguments). The ingest pipeline, the
//! alert records and their escalation live in `app`, `store` and the `yiyang` binary.

pub mod alert;
pub mod device;
pub mod escalation;
pub mod reading;
pub mod rule;

pub use alert::{AlertStatus, DispatchStatus, NotifyChannel};
pub use device::{parse_device_id, DeviceKind, DeviceStatus};
pub use escalation::{Policy, Step};
pub use reading::{
    parse_payload, Columns, ColumnsError, Reading, ReadingError, ReadingKind, Values, VitalSigns,
};
pub use rule::{evaluate, rising_pressure, silence, Finding, Severity, Thresholds};
