//! `yiyang demo devices`: simulated home devices bound to demo elders publish plausible readings
//! over MQTT (QoS 1, `yiyang/v1/devices/{id}/readings`) until Ctrl-C or a set duration, with
//! occasional abnormal events, so that the live board, alerts and escalation have something to
//! show. Runs beside `yiyang serve --demo` on the same data directory: it writes only while
//! binding its devices, then only publishes.
//!
//! The generator ([`SimDevice::tick`]) is pure: the time and the random source are inputs. Normal
//! readings stay below every default alert threshold; an abnormal event is the kind's own
//! emergency (a hypertensive crisis, hypoglycaemia, SpO2 below 90 %, a fall, an SOS press, a bed
//! exit at night), drawn at the configured rate per payload. The benchmark uses it too.

use anyhow::{bail, Context, Result};
use app::demo_gate::DemoElder;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Timelike, Utc};
use clap::Args;
use cli::Progress;
use monitoring::reading::GlucoseContext;
use monitoring::{DeviceKind, Values};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Args)]
pub struct DevicesArgs {
    /// Simulated devices to bind to demo elders and run
    #[arg(long, default_value_t = 200)]
    pub devices: usize,
    /// MQTT broker, `mqtt://host:port` [default: the configuration's, else mqtt://127.0.0.1:1883]
    #[arg(long, env = "YIYANG_MQTT_URL")]
    pub mqtt_url: Option<String>,
    /// Seconds between two payloads of one device, jittered by ±20 %
    #[arg(long, default_value_t = 10.0)]
    pub interval_seconds: f64,
    /// Stop after this many seconds [default: run until Ctrl-C]
    #[arg(long)]
    pub duration_seconds: Option<f64>,
    /// Share of payloads that carry an abnormal event
    #[arg(long, default_value_t = 0.002)]
    pub abnormal_rate: f64,
    /// Seed of the simulation: the same seed binds the same elders and draws the same values.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

/// The simulated fleet: kind, id prefix (`SIM-BP-0001`) and share of the devices.
const FLEET: [(DeviceKind, &str, f64); 5] = [
    (DeviceKind::BloodPressureMonitor, "BP", 0.35),
    (DeviceKind::Glucometer, "GL", 0.20),
    (DeviceKind::Smartwatch, "SW", 0.30),
    (DeviceKind::SosButton, "SOS", 0.08),
    (DeviceKind::BedExitSensor, "BED", 0.07),
];

/// The ids and kinds of a fleet of `n` devices. Deterministic, and a larger fleet contains every
/// device of a smaller one, so a rerun finds the devices it bound before.
pub fn fleet(n: usize) -> Vec<(String, DeviceKind)> {
    // Largest remainder, ties to the earlier kind.
    let mut counts: Vec<usize> = FLEET
        .iter()
        .map(|(_, _, share)| (n as f64 * share) as usize)
        .collect();
    let mut order: Vec<usize> = (0..FLEET.len()).collect();
    order.sort_by(|a, b| {
        let rest = |i: usize| n as f64 * FLEET[i].2 - counts[i] as f64;
        rest(*b).total_cmp(&rest(*a)).then(a.cmp(b))
    });
    let mut missing = n - counts.iter().sum::<usize>();
    for i in order.into_iter().cycle() {
        if missing == 0 {
            break;
        }
        counts[i] += 1;
        missing -= 1;
    }
    FLEET
        .iter()
        .zip(counts)
        .flat_map(|((kind, prefix, _), count)| {
            (1..=count).map(move |k| (format!("SIM-{prefix}-{k:04}"), *kind))
        })
        .collect()
}

/// Asia/Shanghai (no daylight saving): devices stamp their readings in local time, and the day
/// (meals, sleep) follows it.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

fn is_night(at: DateTime<Utc>) -> bool {
    let hour = at.with_timezone(&china()).hour();
    !(6..22).contains(&hour)
}

/// A standard normal draw (Box–Muller).
fn gauss(rng: &mut impl Rng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// What is plausible for one elder: resting values around which the readings vary.
#[derive(Debug, Clone)]
pub struct Profile {
    systolic: f64,
    diastolic: f64,
    heart_rate: f64,
    spo2: f64,
    fasting_glucose: f64,
    diabetic: bool,
    daily_steps: f64,
}

impl Profile {
    /// A baseline for an elder of `age`: pressure rises with age and is higher (if treated)
    /// with hypertension; glucose higher with diabetes; fewer steps with age.
    pub fn new(age: u32, hypertensive: bool, diabetic: bool, rng: &mut impl Rng) -> Profile {
        let years = age.saturating_sub(60) as f64;
        let systolic = if hypertensive {
            136.0 + 0.3 * years + gauss(rng) * 6.0
        } else {
            116.0 + 0.4 * years + gauss(rng) * 6.0
        };
        Profile {
            systolic: systolic.clamp(105.0, 148.0),
            diastolic: (72.0 + gauss(rng) * 5.0 + if hypertensive { 6.0 } else { 0.0 })
                .clamp(60.0, 90.0),
            heart_rate: (72.0 + gauss(rng) * 6.0).clamp(58.0, 90.0),
            spo2: (97.0 - years * 0.04 + gauss(rng) * 0.6).clamp(94.0, 99.0),
            fasting_glucose: if diabetic {
                (7.2 + gauss(rng) * 0.8).clamp(6.0, 9.5)
            } else {
                (5.1 + gauss(rng) * 0.35).clamp(4.4, 6.0)
            },
            diabetic,
            daily_steps: (6500.0 - years * 120.0 + gauss(rng) * 1200.0).clamp(800.0, 9000.0),
        }
    }
}

/// One simulated device: its elder's profile and the slowly changing state behind its readings.
#[derive(Debug, Clone)]
pub struct SimDevice {
    pub id: String,
    pub kind: DeviceKind,
    pub elder_id: String,
    profile: Profile,
    /// Slow drift of blood pressure (mmHg), a mean-reverting random walk.
    drift: f64,
    /// Steps counted today (local date) and when they were last counted.
    steps: (NaiveDate, i64, Option<DateTime<Utc>>),
    /// The last `seq` sent.
    pub last_seq: u64,
    /// The device's credential: its broker password (each device publishes as itself).
    pub credential: String,
}

/// What a device sends at one moment: nothing (an SOS button with no press), one reading or a
/// few, and the abnormal event among them, by the rule it should raise.
#[derive(Debug, Clone, Default)]
pub struct Tick {
    pub readings: Vec<(DateTime<Utc>, Values)>,
    pub abnormal: Option<&'static str>,
}

impl SimDevice {
    pub fn new(id: String, kind: DeviceKind, elder_id: String, profile: Profile) -> SimDevice {
        SimDevice {
            id,
            kind,
            elder_id,
            profile,
            drift: 0.0,
            steps: (NaiveDate::MIN, 0, None),
            last_seq: 0,
            credential: String::new(),
        }
    }

    /// The next `seq`: the time in milliseconds, or one more than the last if that is not
    /// larger. Increasing across runs without remembering anything (a device sends far fewer
    /// than one reading a millisecond), and above whatever an earlier run stored.
    pub fn next_seq(&mut self, now: DateTime<Utc>) -> u64 {
        let ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        self.last_seq = ms.max(self.last_seq + 1);
        self.last_seq
    }

    /// The readings of this device at `at`; with probability `abnormal_rate` an abnormal event.
    pub fn tick(&mut self, at: DateTime<Utc>, abnormal_rate: f64, rng: &mut impl Rng) -> Tick {
        self.drift = (self.drift * 0.995 + gauss(rng) * 0.4).clamp(-10.0, 10.0);
        if rng.random_bool(abnormal_rate.clamp(0.0, 1.0)) {
            let (rule, values) = self.abnormal(at, rng);
            return Tick {
                readings: vec![(at, values)],
                abnormal: Some(rule),
            };
        }
        Tick {
            readings: self.normal(at, rng).into_iter().map(|v| (at, v)).collect(),
            abnormal: None,
        }
    }

    /// The kind's own emergency, with the rule it raises.
    pub fn abnormal(&self, at: DateTime<Utc>, rng: &mut impl Rng) -> (&'static str, Values) {
        match self.kind {
            DeviceKind::BloodPressureMonitor | DeviceKind::VitalSignsMonitor => {
                let systolic = rng.random_range(182..=215);
                (
                    "bp_crisis",
                    Values::BloodPressure {
                        systolic,
                        diastolic: rng.random_range(100..=125).min(systolic - 40),
                        pulse: Some(rng.random_range(84..=110)),
                    },
                )
            }
            DeviceKind::Glucometer => (
                "hypoglycaemia",
                Values::Glucose {
                    mmol_l: round1(rng.random_range(2.2..3.6)),
                    context: GlucoseContext::Random,
                },
            ),
            DeviceKind::Smartwatch => match rng.random_range(0..10) {
                0..=3 => (
                    "spo2_low",
                    Values::Spo2 {
                        percent: rng.random_range(82..=89),
                    },
                ),
                4..=7 => ("fall", Values::Fall),
                _ => ("sos", Values::Sos),
            },
            DeviceKind::SosButton => {
                if rng.random_bool(0.8) {
                    ("sos", Values::Sos)
                } else {
                    ("fall", Values::Fall)
                }
            }
            DeviceKind::BedExitSensor => {
                if is_night(at) {
                    ("bed_exit", Values::BedExit)
                } else {
                    (
                        "heart_rate",
                        Values::HeartRate {
                            bpm: rng.random_range(132..=150),
                        },
                    )
                }
            }
        }
    }

    fn normal(&mut self, at: DateTime<Utc>, rng: &mut impl Rng) -> Vec<Values> {
        let local = at.with_timezone(&china());
        let hour = local.hour();
        let p = &self.profile;
        match self.kind {
            DeviceKind::BloodPressureMonitor | DeviceKind::VitalSignsMonitor => {
                // The morning surge and the night dip.
                let daily = match hour {
                    6..=9 => 6.0,
                    0..=4 => -8.0,
                    5 | 22 | 23 => -4.0,
                    _ => 0.0,
                };
                let systolic = ((p.systolic + self.drift + daily + gauss(rng) * 6.0).round()
                    as i64)
                    .clamp(92, 158);
                let diastolic = ((p.diastolic + self.drift * 0.5 + daily * 0.5 + gauss(rng) * 4.0)
                    .round() as i64)
                    .clamp(55, 98)
                    .min(systolic - 25);
                vec![Values::BloodPressure {
                    systolic,
                    diastolic,
                    pulse: Some(heart_rate(p, 0.0, rng)),
                }]
            }
            DeviceKind::Glucometer => {
                let rise = if p.diabetic { 4.0 } else { 2.0 };
                let (context, mean) = match hour {
                    6..=8 => (GlucoseContext::Fasting, p.fasting_glucose),
                    9 | 10 | 13 | 14 | 19 | 20 => {
                        (GlucoseContext::Postprandial, p.fasting_glucose + rise)
                    }
                    _ => (GlucoseContext::Random, p.fasting_glucose + rise / 2.0),
                };
                vec![Values::Glucose {
                    mmol_l: round1((mean + gauss(rng) * 0.6).clamp(4.0, 15.5)),
                    context,
                }]
            }
            DeviceKind::Smartwatch => {
                let night = is_night(at);
                let bpm = heart_rate(p, if night { -8.0 } else { 4.0 }, rng);
                let spo2 = ((p.spo2 + gauss(rng)).round() as i64).clamp(91, 100);
                // Steps: counted from local midnight, walked in waking hours.
                let today = local.date_naive();
                if self.steps.0 != today {
                    self.steps = (today, 0, None);
                }
                if let Some(last) = self.steps.2 {
                    let hours = (at - last).num_milliseconds().max(0) as f64 / 3.6e6;
                    if !night {
                        let walked = p.daily_steps / 16.0 * hours * rng.random_range(0.2..1.8);
                        self.steps.1 = (self.steps.1 + walked.round() as i64).min(200_000);
                    }
                }
                self.steps.2 = Some(at);
                let mut out = vec![
                    Values::HeartRate { bpm },
                    Values::Spo2 { percent: spo2 },
                    Values::Steps {
                        count: self.steps.1,
                    },
                ];
                if rng.random_bool(0.25) {
                    let warm = if (14..=20).contains(&hour) { 0.2 } else { 0.0 };
                    out.push(Values::Temperature {
                        celsius: round1((36.3 + warm + gauss(rng) * 0.25).clamp(35.6, 37.6)),
                    });
                }
                out
            }
            // A button sends only when pressed.
            DeviceKind::SosButton => Vec::new(),
            DeviceKind::BedExitSensor => {
                let shift = if is_night(at) { -10.0 } else { 0.0 };
                vec![Values::HeartRate {
                    bpm: heart_rate(p, shift, rng),
                }]
            }
        }
    }
}

/// A pulse around the elder's resting rate, `shift` higher (activity) or lower (sleep).
fn heart_rate(p: &Profile, shift: f64, rng: &mut impl Rng) -> i64 {
    ((p.heart_rate + shift + gauss(rng) * 5.0).round() as i64).clamp(48, 118)
}

/// One reading as the device protocol's JSON object, appended to `out`.
pub fn push_reading_json(out: &mut String, seq: u64, ts: DateTime<Utc>, values: &Values) {
    use std::fmt::Write as _;
    let ts = ts
        .with_timezone(&china())
        .to_rfc3339_opts(SecondsFormat::Secs, false);
    let kind = values.kind();
    let _ = write!(out, r#"{{"seq":{seq},"ts":"{ts}","kind":"{kind}""#);
    let _ = match values {
        Values::BloodPressure {
            systolic,
            diastolic,
            pulse,
        } => {
            let _ = write!(out, r#","systolic":{systolic},"diastolic":{diastolic}"#);
            match pulse {
                Some(p) => write!(out, r#","pulse":{p}"#),
                None => Ok(()),
            }
        }
        Values::Glucose { mmol_l, context } => {
            write!(out, r#","mmol_l":{mmol_l},"context":"{}""#, context.code())
        }
        Values::HeartRate { bpm } => write!(out, r#","bpm":{bpm}"#),
        Values::Spo2 { percent } => write!(out, r#","percent":{percent}"#),
        Values::Temperature { celsius } => write!(out, r#","celsius":{celsius}"#),
        Values::Steps { count } => write!(out, r#","count":{count}"#),
        Values::Fall | Values::Sos | Values::BedExit => Ok(()),
        Values::Vitals(v) => write!(
            out,
            r#","respiration_rate":{},"spo2":{},"on_oxygen":{},"systolic":{},"pulse":{},"consciousness":"{}","temperature":{}"#,
            v.respiration_rate,
            v.spo2,
            v.on_oxygen,
            v.systolic,
            v.pulse,
            v.consciousness.code(),
            v.temperature
        ),
    };
    out.push('}');
}

/// A payload: one object for a single reading, an array for several.
pub fn payload(readings: &[(u64, DateTime<Utc>, Values)]) -> Vec<u8> {
    let mut out = String::with_capacity(16 + readings.len() * 110);
    if let [(seq, ts, values)] = readings {
        push_reading_json(&mut out, *seq, *ts, values);
        return out.into_bytes();
    }
    out.push('[');
    for (i, (seq, ts, values)) in readings.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_reading_json(&mut out, *seq, *ts, values);
    }
    out.push(']');
    out.into_bytes()
}

/// A short human description of a reading, for the event lines.
fn describe(values: &Values) -> String {
    match values {
        Values::BloodPressure {
            systolic,
            diastolic,
            ..
        } => format!("blood pressure {systolic}/{diastolic} mmHg"),
        Values::Glucose { mmol_l, .. } => format!("glucose {mmol_l} mmol/L"),
        Values::HeartRate { bpm } => format!("heart rate {bpm}/min"),
        Values::Spo2 { percent } => format!("SpO2 {percent} %"),
        Values::Temperature { celsius } => format!("temperature {celsius} °C"),
        Values::Steps { count } => format!("{count} steps"),
        Values::Fall => "a fall".into(),
        Values::Sos => "SOS pressed".into(),
        Values::BedExit => "out of bed at night".into(),
        Values::Vitals(_) => "vital signs".into(),
    }
}

/// The profile of a stored elder, drawn from a generator seeded by the elder id, so that an
/// elder's baseline is the same in every run.
fn profile_of(elder: Option<&DemoElder>, seed: u64) -> Profile {
    let id = elder.map_or("", |e| e.id.as_str());
    // FNV-1a: stable across Rust versions, unlike the standard hasher.
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ hash);
    let today = Utc::now().with_timezone(&china()).date_naive();
    let age = elder
        .and_then(|e| NaiveDate::parse_from_str(&e.birth_date, "%Y-%m-%d").ok())
        .map_or(75, |birth| {
            let years = today.year() - birth.year();
            years.max(0) as u32
        });
    let conditions = elder.map_or(&[][..], |e| &e.chronic_conditions[..]);
    let hypertensive = conditions.iter().any(|c| c.starts_with("I1"));
    let diabetic = conditions.iter().any(|c| c.starts_with("E1"));
    Profile::new(age, hypertensive, diabetic, &mut rng)
}

/// The id prefix of every simulated device.
const PREFIX: &str = "SIM-";

/// Binds the fleet to elders: a SIM device already bound is reused as it is, an unbound one is
/// bound again, a missing one registered; each new binding goes to an elder without a SIM
/// device, in a seeded order (to any elder again once every one has one). The elders and the
/// earlier devices come from [`app::App::demo_fleet`], which refuses a database that is not a
/// demo one.
async fn bind_fleet(app: &app::App, n: usize, seed: u64) -> Result<Vec<SimDevice>> {
    let admin = app.system_actor("admin").await.map_err(cli::app_error)?;
    let fleet_state = app
        .demo_fleet(&admin, PREFIX)
        .await
        .map_err(cli::app_error)?;
    let elders = &fleet_state.elders;
    let by_id: HashMap<&str, &DemoElder> = elders.iter().map(|e| (e.id.as_str(), e)).collect();
    let existing: HashMap<&str, &app::demo_gate::SimulatedDevice> = fleet_state
        .devices
        .iter()
        .map(|d| (d.id.as_str(), d))
        .collect();
    let taken: HashSet<&str> = existing
        .values()
        .filter(|d| d.bound)
        .filter_map(|d| d.elder_id.as_deref())
        .collect();
    let mut alive: Vec<&str> = elders
        .iter()
        .filter(|e| e.alive)
        .map(|e| e.id.as_str())
        .collect();
    if alive.is_empty() {
        bail!(
            "no living elders in the database: run `yiyang demo` (or `yiyang serve --demo`) first"
        );
    }
    alive.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut free = alive
        .iter()
        .filter(|id| !taken.contains(**id))
        .chain(alive.iter().cycle())
        .copied();

    let bar = Progress::new("devices", n as u64);
    let (mut reused, mut bound) = (0, 0);
    let mut devices = Vec::with_capacity(n);
    for (i, (id, kind)) in fleet(n).into_iter().enumerate() {
        // Every run binds each device anew: a credential is shown only when it is issued, and
        // each device publishes with its own (its broker account is provisioned on binding).
        let (kind, elder_id, registered) = match existing.get(id.as_str()) {
            Some(stored) if stored.bound && stored.elder_id.is_some() => {
                let elder = stored.elder_id.clone().unwrap_or_default();
                app.unbind_device(&admin, &id)
                    .await
                    .map_err(cli::app_error)
                    .with_context(|| format!("unbinding {id} to bind it anew"))?;
                let registered = app
                    .bind_device(&admin, &id, &elder)
                    .await
                    .map_err(cli::app_error)
                    .with_context(|| format!("binding {id}"))?;
                reused += 1;
                (
                    DeviceKind::parse(&stored.kind).unwrap_or(kind),
                    elder,
                    registered,
                )
            }
            Some(stored) => {
                let elder = free.next().context("an elder")?;
                let registered = app
                    .bind_device(&admin, &id, elder)
                    .await
                    .map_err(cli::app_error)
                    .with_context(|| format!("binding {id}"))?;
                bound += 1;
                (
                    DeviceKind::parse(&stored.kind).unwrap_or(kind),
                    elder.to_string(),
                    registered,
                )
            }
            None => {
                let elder = free.next().context("an elder")?;
                let registered = app
                    .register_device(&admin, &id, kind.code(), elder)
                    .await
                    .map_err(cli::app_error)
                    .with_context(|| format!("registering {id}"))?;
                bound += 1;
                (kind, elder.to_string(), registered)
            }
        };
        let profile = profile_of(by_id.get(elder_id.as_str()).copied(), seed);
        let mut device = SimDevice::new(id, kind, elder_id, profile);
        device.credential = registered.credential;
        // Continue above anything stored (seq is also at least the time in ms).
        if let Some(seq) = existing.get(device.id.as_str()).and_then(|d| d.last_seq) {
            device.last_seq = u64::try_from(seq).unwrap_or(0);
        }
        devices.push(device);
        bar.set(i as u64 + 1);
    }
    bar.finish();
    println!("{n} simulated devices: {reused} reused, {bound} bound now");
    Ok(devices)
}

/// Counters shared with the MQTT event loop task.
#[derive(Default)]
struct Link {
    acknowledged: AtomicU64,
    connected: AtomicBool,
    errors: AtomicU64,
    /// Set before disconnecting: the connection's end is no error then.
    stopping: AtomicBool,
}

impl DevicesArgs {
    /// Refuses arguments the simulator cannot run with, before anything is opened.
    pub fn check(&self) -> Result<()> {
        if self.devices == 0 {
            bail!("--devices must be at least 1");
        }
        if !(self.interval_seconds.is_finite() && self.interval_seconds > 0.0) {
            bail!("--interval-seconds must be a positive number");
        }
        if !(0.0..=1.0).contains(&self.abnormal_rate) {
            bail!("--abnormal-rate must be from 0 to 1");
        }
        Ok(())
    }
}

/// `yiyang demo devices`: binds the fleet on the demo database `app` opened (refusing any
/// other), then publishes to `broker` until Ctrl-C or the set duration.
pub async fn devices(args: &DevicesArgs, app: app::App, broker: mqtt::BrokerUrl) -> Result<()> {
    args.check()?;
    let mut devices = bind_fleet(&app, args.devices, args.seed).await?;
    // Nothing more is written here: the server stores what the broker delivers.
    drop(app);

    // One connection per device, as itself: the broker lets a device publish only its own
    // readings, with its own credential and client id.
    let link = Arc::new(Link::default());
    let mut clients = Vec::with_capacity(devices.len());
    let mut pollers = Vec::with_capacity(devices.len());
    for device in &devices {
        let as_device = mqtt::BrokerUrl {
            username: Some(device.id.clone()),
            password: Some(device.credential.clone()),
            ..broker.clone()
        };
        let (client, mut eventloop) = mqtt::publisher(&as_device, &device.id, 20);
        let link = link.clone();
        pollers.push(tokio::spawn(async move {
            use mqtt::rumqttc::{Event, Packet};
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::PubAck(_))) => {
                        link.acknowledged.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        link.connected.store(true, Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(_) if link.stopping.load(Ordering::Relaxed) => break,
                    Err(error) => {
                        if link.errors.fetch_add(1, Ordering::Relaxed) % 30 == 0 {
                            tracing::warn!(%error, "mqtt: no connection to the broker; retrying");
                        }
                        link.connected.store(false, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        }));
        clients.push(client);
    }
    println!(
        "publishing for {} devices to {}:{} every {} s (±20 %), abnormal events in {} of payloads; Ctrl-C stops",
        devices.len(),
        broker.host,
        broker.port,
        args.interval_seconds,
        args.abnormal_rate
    );

    let mut rng = ChaCha8Rng::seed_from_u64(args.seed.wrapping_add(1));
    let interval = Duration::from_secs_f64(args.interval_seconds);
    let started = Instant::now();
    let deadline = args
        .duration_seconds
        .map(|s| started + Duration::from_secs_f64(s.max(0.0)));
    // Due times, earliest first; the first payload of each device within one interval.
    let mut due: BinaryHeap<std::cmp::Reverse<(Instant, usize)>> = (0..devices.len())
        .map(|i| std::cmp::Reverse((started + interval.mul_f64(rng.random_range(0.0..1.0)), i)))
        .collect();
    let status = Status::new();
    let (mut published, mut readings, mut abnormal) = (0u64, 0u64, 0u64);
    let mut events: BTreeMap<&'static str, u64> = BTreeMap::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut redraw = tokio::time::interval(status.every());
    while let Some(std::cmp::Reverse((at, i))) = due.peek().copied() {
        let stop_at = deadline.unwrap_or(at);
        tokio::select! {
            _ = &mut ctrl_c => break,
            _ = tokio::time::sleep_until(stop_at), if deadline.is_some() => break,
            _ = redraw.tick() => {
                status.draw(published, readings, abnormal, &link);
                continue;
            }
            _ = tokio::time::sleep_until(at) => {}
        }
        due.pop();
        let device = &mut devices[i];
        let now = Utc::now();
        let tick = device.tick(now, args.abnormal_rate, &mut rng);
        if let Some(rule) = tick.abnormal {
            abnormal += 1;
            *events.entry(rule).or_default() += 1;
            let what = tick
                .readings
                .first()
                .map(|r| describe(&r.1))
                .unwrap_or_default();
            status.line(&format!(
                "abnormal: {} ({}) {rule}: {what} — elder {}",
                device.id,
                device.kind.code(),
                device.elder_id
            ));
        }
        if !tick.readings.is_empty() {
            let numbered: Vec<(u64, DateTime<Utc>, Values)> = tick
                .readings
                .into_iter()
                .map(|(ts, v)| (device.next_seq(now), ts, v))
                .collect();
            let body = payload(&numbered);
            let topic = monitoring::device::topic_of_device(&device.id);
            clients[i]
                .publish(topic, mqtt::rumqttc::QoS::AtLeastOnce, false, body)
                .await
                .context("queueing a publish")?;
            published += 1;
            readings += numbered.len() as u64;
        }
        let next = at + interval.mul_f64(rng.random_range(0.8..1.2));
        due.push(std::cmp::Reverse((next.max(Instant::now()), i)));
    }
    status.draw(published, readings, abnormal, &link);
    status.end();

    // Let the broker acknowledge what is on its way, then leave cleanly.
    let wait_until = Instant::now() + Duration::from_secs(5);
    while link.acknowledged.load(Ordering::Relaxed) < published && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    link.stopping.store(true, Ordering::Relaxed);
    for client in &clients {
        let _ = client.disconnect().await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for poller in pollers {
        poller.abort();
    }
    let acknowledged = link.acknowledged.load(Ordering::Relaxed);
    let by_rule: Vec<String> = events.iter().map(|(r, n)| format!("{r} {n}")).collect();
    println!(
        "{} devices for {:.0} s: {published} payloads ({readings} readings) published, {acknowledged} acknowledged by the broker, {abnormal} abnormal events{}",
        devices.len(),
        started.elapsed().as_secs_f64(),
        if by_rule.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_rule.join(", "))
        }
    );
    if acknowledged < published {
        println!(
            "{} payloads were not acknowledged by the broker (is it running at {}:{}?)",
            published - acknowledged,
            broker.host,
            broker.port
        );
    }
    Ok(())
}

/// The running count on stderr: redrawn in place on a terminal, a line every 10 s otherwise;
/// event lines go above it.
struct Status(cli::StatusLine);

impl Status {
    fn new() -> Status {
        Status(cli::StatusLine::stderr())
    }

    fn every(&self) -> Duration {
        if self.0.terminal {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(10)
        }
    }

    fn draw(&self, published: u64, readings: u64, abnormal: u64, link: &Link) {
        let broker = if link.connected.load(Ordering::Relaxed) {
            "connected"
        } else {
            "NOT CONNECTED"
        };
        self.0.draw(&format!(
            "simulating: {published} payloads, {readings} readings published, {} acknowledged, {abnormal} abnormal; broker {broker}",
            link.acknowledged.load(Ordering::Relaxed)
        ));
    }

    fn line(&self, text: &str) {
        self.0.line(text);
    }

    fn end(&self) {
        self.0.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn sim_fleet(n: usize, rng: &mut ChaCha8Rng) -> Vec<SimDevice> {
        fleet(n)
            .into_iter()
            .enumerate()
            .map(|(i, (id, kind))| {
                let profile = Profile::new(
                    rng.random_range(60..=105),
                    i % 2 == 0,
                    i % 5 == 0,
                    &mut *rng,
                );
                SimDevice::new(id, kind, format!("elder-{i}"), profile)
            })
            .collect()
    }

    #[test]
    fn fleets_mix_the_kinds_and_grow_by_adding_devices() {
        let small = fleet(200);
        assert_eq!(small.len(), 200);
        let count = |f: &[(String, DeviceKind)], k| f.iter().filter(|d| d.1 == k).count();
        assert_eq!(count(&small, DeviceKind::BloodPressureMonitor), 70);
        assert_eq!(count(&small, DeviceKind::SosButton), 16);
        assert_eq!(small[0].0, "SIM-BP-0001");
        let ids: HashSet<String> = small.iter().map(|d| d.0.clone()).collect();
        assert_eq!(ids.len(), 200);
        let large: HashSet<String> = fleet(333).into_iter().map(|d| d.0).collect();
        assert!(ids.is_subset(&large));
        assert_eq!(fleet(1).len(), 1);
        assert_eq!(fleet(7).len(), 7);
        for (id, _) in fleet(1000) {
            assert!(monitoring::parse_device_id(&id).is_ok(), "{id}");
        }
    }

    /// Over three simulated days at every hour, every payload parses without a refusal, every
    /// reading is one its device may send, and a normal reading raises no alert.
    #[test]
    fn generated_payloads_parse_without_refusals() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut devices = sim_fleet(100, &mut rng);
        let start = at("2026-11-23T00:00:00+08:00");
        let thresholds = monitoring::Thresholds::default();
        let mut payloads = 0;
        for step in 0..(3 * 24 * 6) {
            let now = start + chrono::Duration::minutes(10 * step);
            for device in &mut devices {
                let tick = device.tick(now, 0.05, &mut rng);
                if tick.readings.is_empty() {
                    assert_eq!(device.kind, DeviceKind::SosButton);
                    continue;
                }
                let numbered: Vec<_> = tick
                    .readings
                    .iter()
                    .map(|(ts, v)| (device.next_seq(now), *ts, v.clone()))
                    .collect();
                let bytes = payload(&numbered);
                let parsed = monitoring::parse_payload(&bytes, now).expect("a payload");
                assert_eq!(parsed.len(), numbered.len());
                for (reading, (seq, _, values)) in parsed.into_iter().zip(&numbered) {
                    let reading = reading
                        .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&bytes)));
                    assert_eq!((reading.seq, &reading.values), (*seq, values));
                    assert!(device.kind.may_send(values.kind()), "{values:?}");
                    let findings = monitoring::evaluate(values, &thresholds);
                    match tick.abnormal {
                        None => assert!(findings.is_empty(), "{values:?}: {findings:?}"),
                        Some(rule) => assert!(
                            findings.iter().any(|f| f.rule == rule),
                            "{rule}: {values:?}"
                        ),
                    }
                }
                payloads += 1;
            }
        }
        assert!(payloads > 30_000);
        // seq increases per device.
        let mut device = devices.remove(0);
        let now = Utc::now();
        let first = device.next_seq(now);
        assert!(device.next_seq(now) > first);
    }

    #[test]
    fn abnormal_events_occur_at_about_the_configured_rate() {
        for (rate, night) in [(0.01, true), (0.002, false)] {
            let mut rng = ChaCha8Rng::seed_from_u64(11);
            let mut devices = sim_fleet(200, &mut rng);
            let now = at(if night {
                "2026-11-23T02:30:00+08:00"
            } else {
                "2026-11-23T10:30:00+08:00"
            });
            let ticks: i64 = 2_000;
            let mut events: BTreeMap<&str, usize> = BTreeMap::new();
            for k in 0..ticks {
                let t = now + chrono::Duration::seconds(k);
                for device in &mut devices {
                    if let Some(rule) = device.tick(t, rate, &mut rng).abnormal {
                        *events.entry(rule).or_default() += 1;
                    }
                }
            }
            let total: usize = events.values().sum();
            let expected = rate * (ticks as usize * devices.len()) as f64;
            assert!(
                (total as f64 - expected).abs() < expected * 0.1,
                "{total} abnormal events, expected about {expected}"
            );
            // Every kind of event occurs; a bed exit only at night.
            for rule in ["bp_crisis", "hypoglycaemia", "spo2_low", "fall", "sos"] {
                assert!(events.get(rule).copied().unwrap_or(0) > 0, "{rule}");
            }
            assert_eq!(events.contains_key("bed_exit"), night, "{events:?}");
        }
    }
}
