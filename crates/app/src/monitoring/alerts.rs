//! Alerts: one unresolved alert per elder and rule that a repeated finding updates instead of
//! repeating; acknowledging stops the escalation; resolving closes it with a note. Every step
//! is an event on the alert's timeline. Escalation and the periodic rules (silence of a device
//! of an elder living alone, a week of rising pressure) are jobs that take `now` as an
//! argument, so tests drive them step by step.

use super::notify::{self, Notice, Recipient};
use crate::audit_log::Audit;
use crate::auth::Actor;
use crate::{App, AppError, Page, Result};
use access::{Action, AuditAction};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use monitoring::escalation::{self, Step};
use monitoring::{AlertStatus, Finding, Policy, Severity};
use registry::{field, FieldError, Problem};
use std::collections::HashMap;
use store::audit::AuditEntry;
use store::monitoring::{AlertEventRow, AlertFilter, AlertRow, DispatchRow, ElderWatch, OutboxRow};
use store::{parse_time, Conn, StoreError};

/// The severity a filter word names (`info` for any other word).
pub fn severity_of(code: &str) -> Severity {
    Severity::parse(code).unwrap_or(Severity::Info)
}

/// A change to an alert, as the live board receives it.
#[derive(Debug, Clone)]
pub struct LiveAlert {
    pub alert_id: String,
    /// `opened`, `updated`, `severity_raised`, `acknowledged`, `resolved`, `escalated`.
    pub event: &'static str,
    pub elder_id: String,
    pub elder_name: String,
    pub region_code: Option<String>,
    pub orgs: [Option<String>; 2],
    pub rule: String,
    pub severity: Severity,
    pub status: AlertStatus,
    pub message_zh: String,
    pub message_en: String,
    pub at: DateTime<Utc>,
}

impl LiveAlert {
    /// Whether `actor` may see this notice (the same rule the store applies to their scope).
    pub fn visible_to(&self, actor: &crate::Actor) -> bool {
        let scope = &actor.scope;
        let region = self
            .region_code
            .as_deref()
            .and_then(|c| region::RegionCode::parse(c).ok());
        scope.admits(
            &self.elder_id,
            region.as_ref(),
            [self.orgs[0].as_deref(), self.orgs[1].as_deref()],
        )
    }

    fn from_row(row: &AlertRow, event: &'static str, at: DateTime<Utc>) -> LiveAlert {
        LiveAlert {
            alert_id: row.id.clone(),
            event,
            elder_id: row.elder_id.clone(),
            elder_name: row.elder_name.clone(),
            region_code: row.region_code.clone(),
            orgs: [row.responsible_org_id.clone(), row.residence_org_id.clone()],
            rule: row.rule.clone(),
            severity: row.severity,
            status: row.status,
            message_zh: row.message_zh.clone(),
            message_en: row.message_en.clone(),
            at,
        }
    }
}

/// What raising a finding did.
pub struct Raised {
    pub opened: bool,
    /// Worth a live notice: every change is (the board shows occurrences); the pipeline sends
    /// at most one per elder and rule per batch, so a storm of readings is one notice a batch.
    pub notify: bool,
    pub notice: LiveAlert,
}

/// Opens an alert for `finding`, or updates the elder's unresolved one of the same rule: one
/// more occurrence, the latest message, the higher severity (and the escalation that severity
/// implies).
pub async fn raise(
    conn: &mut Conn,
    policy: &Policy,
    elder: &ElderWatch,
    finding: &Finding,
    device_id: Option<&str>,
    reading_seq: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Raised> {
    let authorized = crate::auth::system_access(now);
    let notice = |alert_id: String,
                  event: &'static str,
                  severity: Severity,
                  status: AlertStatus| LiveAlert {
        alert_id,
        event,
        elder_id: elder.id.clone(),
        elder_name: elder.name.clone(),
        region_code: elder.region_code.clone(),
        orgs: [
            elder.responsible_org_id.clone(),
            elder.residence_org_id.clone(),
        ],
        rule: finding.rule.to_string(),
        severity,
        status,
        message_zh: finding.zh.clone(),
        message_en: finding.en.clone(),
        at: now,
    };
    for _attempt in 0..2 {
        match store::monitoring::open_alert(conn, &authorized, &elder.id, finding.rule).await? {
            None => {
                let next = escalation::next_due_at(finding.severity, None, now, policy);
                let inserted = store::monitoring::insert_alert(
                    conn,
                    &authorized,
                    &store::monitoring::NewAlert {
                        elder_id: &elder.id,
                        rule: finding.rule,
                        severity: finding.severity,
                        message_zh: &finding.zh,
                        message_en: &finding.en,
                        device_id,
                        reading_seq,
                        at: now,
                        next_escalation_at: next,
                    },
                )
                .await;
                let id = match inserted {
                    Ok(id) => id,
                    // Another server opened it meanwhile: update that one instead.
                    Err(StoreError::Conflict(_)) => continue,
                    Err(other) => return Err(other.into()),
                };
                store::monitoring::insert_alert_event(
                    conn,
                    &authorized,
                    &id,
                    "opened",
                    None,
                    Some(&format!("{} · {}", finding.severity.code(), finding.zh)),
                    now,
                )
                .await?;
                return Ok(Raised {
                    opened: true,
                    notify: true,
                    notice: notice(id, "opened", finding.severity, AlertStatus::Open),
                });
            }
            Some(open) => {
                let held = open.severity;
                let severity = held.max(finding.severity);
                let raised = severity > held;
                let opened_at = parse_time(&open.opened_at)?;
                let next = escalation::next_due_at(
                    severity,
                    escalation::step_of_level(open.escalation_level),
                    opened_at,
                    policy,
                );
                store::monitoring::repeat_alert(
                    conn,
                    &authorized,
                    &open.id,
                    severity.code(),
                    (&finding.zh, &finding.en),
                    (device_id, reading_seq),
                    now,
                    next,
                    raised && open.status == AlertStatus::Open,
                )
                .await?;
                if raised {
                    store::monitoring::insert_alert_event(
                        conn,
                        &authorized,
                        &open.id,
                        "severity_raised",
                        None,
                        Some(&format!(
                            "{} → {} · {}",
                            held.code(),
                            severity.code(),
                            finding.zh
                        )),
                        now,
                    )
                    .await?;
                }
                let event = if raised { "severity_raised" } else { "updated" };
                return Ok(Raised {
                    opened: false,
                    notify: true,
                    notice: notice(open.id, event, severity, open.status),
                });
            }
        }
    }
    Err(AppError::Internal(
        "an alert kept conflicting while being opened".into(),
    ))
}

/// An alert as a person sees it, with its timeline when read one by one.
#[derive(Debug, Clone)]
pub struct AlertView {
    pub row: AlertRow,
    pub severity: Severity,
    pub events: Vec<AlertEventRow>,
    /// SMS/WeChat messages written for it, recipients masked.
    pub outbox: Vec<OutboxRow>,
    pub dispatches: Vec<DispatchRow>,
}

impl AlertView {
    fn of(row: AlertRow) -> AlertView {
        AlertView {
            severity: row.severity,
            row,
            events: Vec::new(),
            outbox: Vec::new(),
            dispatches: Vec::new(),
        }
    }
}

/// Filters of the alert list as the API takes them.
#[derive(Debug, Clone, Default)]
pub struct AlertQuery {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub elder_id: Option<String>,
    pub region: Option<String>,
}

pub const STATUSES: [&str; 4] = ["open", "acknowledged", "resolved", "unresolved"];
pub const SEVERITIES: [&str; 4] = ["info", "warning", "urgent", "critical"];

impl AlertQuery {
    fn to_filter(&self, page: Page) -> Result<AlertFilter> {
        let mut errors = Vec::new();
        let status = field::one_of(&mut errors, "status", self.status.as_deref(), &STATUSES);
        let severity = field::one_of(
            &mut errors,
            "severity",
            self.severity.as_deref(),
            &SEVERITIES,
        );
        let region_prefix = field::region_prefix(&mut errors, "region", &self.region);
        AppError::invalid_if_any(errors)?;
        let unresolved = status == Some("unresolved");
        Ok(AlertFilter {
            status: status.filter(|s| *s != "unresolved").map(str::to_string),
            unresolved,
            severity: severity.map(str::to_string),
            elder_id: field::non_empty(&self.elder_id).map(str::to_string),
            region_prefix,
            limit: page.per_page,
            offset: page.offset(),
        })
    }
}

impl App {
    pub async fn list_alerts(
        &self,
        actor: &Actor,
        query: &AlertQuery,
        page: Page,
    ) -> Result<(Vec<AlertView>, i64)> {
        let authorized = actor.reads_for(self, Action::ReadMonitoring).await?;
        let filter = query.to_filter(page)?;
        let mut conn = self.store.acquire().await?;
        let (rows, total) = store::monitoring::list_alerts(&mut conn, &authorized, &filter).await?;
        Audit::new(actor, AuditAction::AlertList)
            .elder_if_any(filter.elder_id.as_deref())
            .detail(format!("{} of {total}", rows.len()))
            .append(&mut conn)
            .await?;
        Ok((rows.into_iter().map(AlertView::of).collect(), total))
    }

    /// `(status, severity, count)` in the caller's scope, for the board's header.
    pub async fn alert_counts(&self, actor: &Actor) -> Result<Vec<(String, String, i64)>> {
        let authorized = actor.reads_for(self, Action::ReadMonitoring).await?;
        let mut conn = self.store.acquire().await?;
        Ok(store::monitoring::alert_counts(&mut conn, &authorized).await?)
    }

    pub async fn get_alert(&self, actor: &Actor, id: &str) -> Result<AlertView> {
        let authorized = actor.reads_for(self, Action::ReadMonitoring).await?;
        let mut conn = self.store.acquire().await?;
        let found = store::monitoring::get_alert(&mut conn, &authorized, id).await?;
        let (mut conn, row) = self
            .found_or_denied(conn, found, actor, "alert_read", None)
            .await?;
        let mut view = AlertView::of(row);
        view.events = store::monitoring::alert_events(&mut conn, &authorized, id).await?;
        view.outbox = store::monitoring::outbox_of_alert(&mut conn, &authorized, id)
            .await?
            .into_iter()
            .map(|mut o| {
                o.recipient = registry::phone::mask_phone(&o.recipient);
                o
            })
            .collect();
        view.dispatches = store::monitoring::dispatches_of_alert(&mut conn, &authorized, id)
            .await?
            .into_iter()
            .map(|mut d| {
                d.phone = d.phone.map(|p| registry::phone::mask_phone(&p));
                d
            })
            .collect();
        Audit::new(actor, AuditAction::AlertRead)
            .elder(&view.row.elder_id)
            .detail(id)
            .append(&mut conn)
            .await?;
        Ok(view)
    }

    /// Someone has taken the alert on: its escalation stops.
    pub async fn acknowledge_alert(&self, actor: &Actor, id: &str) -> Result<AlertView> {
        self.handle_alert(actor, id, None).await
    }

    /// The alert is dealt with; `note` says how.
    pub async fn resolve_alert(&self, actor: &Actor, id: &str, note: &str) -> Result<AlertView> {
        // A role that may not handle alerts is refused whatever the note says.
        actor.require(self, Action::HandleAlert).await?;
        let mut errors = Vec::new();
        let note = registry::field::text(&mut errors, "note", Some(note), 1000, true);
        let Some(note) = note.filter(|_| errors.is_empty()) else {
            if errors.is_empty() {
                errors.push(FieldError::new("note", Problem::Required));
            }
            return Err(AppError::Invalid(errors));
        };
        self.handle_alert(actor, id, Some(&note)).await
    }

    async fn handle_alert(
        &self,
        actor: &Actor,
        id: &str,
        resolution: Option<&str>,
    ) -> Result<AlertView> {
        let authorized = actor.writes_for(self, Action::HandleAlert).await?;
        let now = self.now();
        let by = actor.display_name.as_str();
        let mut tx = self.store.begin().await?;
        let found = store::monitoring::get_alert(&mut tx, &authorized, id).await?;
        let (mut tx, row) = self
            .found_or_denied(tx, found, actor, "alert_handle", None)
            .await?;
        let (changed, event, action) = match resolution {
            None => (
                store::monitoring::acknowledge_alert(&mut tx, &authorized, id, by, now).await?,
                "acknowledged",
                AuditAction::AlertAcknowledge,
            ),
            Some(note) => (
                store::monitoring::resolve_alert(&mut tx, &authorized, id, by, note, now).await?,
                "resolved",
                AuditAction::AlertResolve,
            ),
        };
        if !changed {
            return Err(AppError::field(
                "status",
                Problem::Invalid {
                    zh: format!(
                        "告警当前状态为“{}”，不能{}",
                        row.status.label(registry::Lang::Zh),
                        if resolution.is_some() {
                            "处置"
                        } else {
                            "确认"
                        }
                    ),
                    en: format!("the alert is {}; it cannot be {event}", row.status.code()),
                },
            ));
        }
        store::monitoring::insert_alert_event(
            &mut tx,
            &authorized,
            id,
            event,
            Some(&format!("{} ({})", actor.display_name, actor.username)),
            resolution,
            now,
        )
        .await?;
        let audit = Audit::new(actor, action).elder(&row.elder_id).detail(id);
        let row = store::monitoring::get_alert(&mut tx, &actor.writes(self.now()), id)
            .await?
            .ok_or(AppError::NotFound)?;
        audit.commit(tx).await?;
        let _ = self
            .monitoring
            .live
            .send(LiveAlert::from_row(&row, event, now));
        self.get_alert(actor, id).await
    }

    /// Takes every escalation step due at `now` for unacknowledged alerts; returns how many
    /// steps were taken. Run by the server every few seconds; tests call it with their clock.
    pub async fn run_escalations(&self, now: DateTime<Utc>) -> Result<usize> {
        let authorized = crate::auth::system_access(now);
        let policy = self.monitoring.settings.escalation.clone();
        let channels = notify::channels(&self.monitoring.settings.channels);
        let mut conn = self.store.acquire().await?;
        let due = store::monitoring::due_escalations(&mut conn, &authorized, now, 200).await?;
        drop(conn);
        let mut taken = 0;
        for alert in due {
            let severity = alert.severity;
            let done = escalation::step_of_level(alert.escalation_level);
            let opened_at = parse_time(&alert.opened_at)?;
            let steps = escalation::due_steps(severity, done, opened_at, now, &policy);
            let mut tx = self.store.begin().await?;
            let mut last = done;
            for step in &steps {
                self.take_step(&mut tx, &alert, *step, &channels, now)
                    .await?;
                last = Some(*step);
            }
            let next = escalation::next_due_at(severity, last, opened_at, &policy);
            let still_open = store::monitoring::set_escalation(
                &mut tx,
                &authorized,
                &alert.id,
                last.map_or(0, Step::level),
                next,
                now,
            )
            .await?;
            if !still_open {
                // Acknowledged meanwhile: nothing of this run stands.
                continue;
            }
            tx.commit().await.map_err(StoreError::from)?;
            taken += steps.len();
            if !steps.is_empty() {
                let _ = self
                    .monitoring
                    .live
                    .send(LiveAlert::from_row(&alert, "escalated", now));
            }
        }
        Ok(taken)
    }

    async fn take_step(
        &self,
        tx: &mut Conn,
        alert: &AlertRow,
        step: Step,
        channels: &[Box<dyn notify::Channel>],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let authorized = crate::auth::system_access(now);
        let contact = store::monitoring::elder_contact(tx, &authorized, &alert.elder_id).await?;
        let (address, elder_phone, contacts) = contact.unwrap_or((None, None, "[]".into()));
        let contacts = store::elders::Contacts::try_from(contacts)?;
        let recipients: Vec<Recipient> = match step {
            Step::Team => match &alert.responsible_org_id {
                Some(org) => store::monitoring::team_phones(tx, &authorized, org)
                    .await?
                    .into_iter()
                    .map(|(name, phone)| Recipient { name, phone })
                    .collect(),
                None => Vec::new(),
            },
            Step::Family => notify::family_contact(&contacts).into_iter().collect(),
            Step::Dispatch => Vec::new(),
        };
        let mut detail = Vec::new();
        if step == Step::Dispatch {
            let reason = format!("{} · {}", alert.elder_name, alert.message_zh);
            let phone = notify::family_contact(&contacts)
                .map(|r| r.phone)
                .or(elder_phone.clone());
            store::monitoring::insert_dispatch(
                tx,
                &authorized,
                &alert.id,
                &alert.elder_id,
                address.as_deref(),
                phone.as_deref(),
                &reason,
                now,
            )
            .await?;
            detail.push("120".to_string());
        }
        let notice = Notice::for_alert(alert, step);
        for recipient in &recipients {
            for channel in channels {
                if let Some(message) = channel.message(&notice, recipient) {
                    store::monitoring::insert_outbox(
                        tx,
                        &authorized,
                        &alert.id,
                        channel.code(),
                        &message.recipient,
                        Some(&recipient.name),
                        &message.body,
                        now,
                    )
                    .await?;
                    detail.push(format!(
                        "{} {} {}",
                        channel.code(),
                        recipient.name,
                        registry::phone::mask_phone(&recipient.phone)
                    ));
                }
            }
        }
        if recipients.is_empty() && step != Step::Dispatch {
            detail.push(match step {
                Step::Team => "no team member with a phone".to_string(),
                _ => "no family contact with a phone".to_string(),
            });
        }
        store::monitoring::insert_alert_event(
            tx,
            &authorized,
            &alert.id,
            &format!("escalated_{}", step.code()),
            Some("system"),
            Some(&detail.join("; ")),
            now,
        )
        .await?;
        store::audit::append(
            tx,
            &AuditEntry {
                username: Some("system".into()),
                action: AuditAction::AlertEscalate.code().to_string(),
                target_kind: Some("elder".into()),
                target_id: Some(alert.elder_id.clone()),
                outcome: "ok".into(),
                detail: Some(format!("{} {}", alert.id, step.code())),
                ..AuditEntry::default()
            },
            now,
        )
        .await?;
        Ok(())
    }

    /// The periodic rules at `now`: silence of devices of elders living alone, and a week of
    /// rising pressure. Returns the number of findings raised.
    pub async fn sweep_monitoring(&self, now: DateTime<Utc>) -> Result<usize> {
        let authorized = crate::auth::system_access(now);
        let policy = self.monitoring.settings.escalation.clone();
        let mut conn = self.store.acquire().await?;
        // The shortest silence a doctor may set is one hour: nothing quieter can be due.
        let quiet = store::monitoring::quiet_devices_of_elders_alone(
            &mut conn,
            &authorized,
            now - Duration::hours(1),
        )
        .await?;
        let since = now - Duration::days(8);
        let systolic = store::monitoring::systolic_since(&mut conn, &authorized, since).await?;
        let mut elder_ids: Vec<&str> = quiet.iter().map(|q| q.elder_id.as_str()).collect();
        elder_ids.extend(systolic.iter().map(|s| s.0.as_str()));
        elder_ids.sort_unstable();
        elder_ids.dedup();
        let elders = self
            .watch_elders(&mut conn, elder_ids.iter().copied())
            .await?;
        drop(conn);

        // (elder, finding, the quiet device of a silence finding)
        let mut findings: Vec<(String, Finding, Option<String>)> = Vec::new();
        for device in &quiet {
            let Some(elder) = elders.get(&device.elder_id) else {
                continue;
            };
            let last_seen = device.last_seen_at.as_deref().map(parse_time).transpose()?;
            let bound_at = parse_time(&device.bound_at)?;
            if let Some(f) = monitoring::silence(last_seen, bound_at, now, &elder.thresholds) {
                findings.push((device.elder_id.clone(), f, Some(device.id.clone())));
            }
        }
        let mut daily: HashMap<&str, HashMap<NaiveDate, (f64, u32)>> = HashMap::new();
        for (elder_id, measured_at, value) in &systolic {
            let day = crate::today(parse_time(measured_at)?);
            let entry = daily
                .entry(elder_id.as_str())
                .or_default()
                .entry(day)
                .or_insert((0.0, 0));
            entry.0 += value;
            entry.1 += 1;
        }
        for (elder_id, days) in daily {
            let means: Vec<(NaiveDate, f64)> = days
                .into_iter()
                .map(|(d, (sum, n))| (d, sum / f64::from(n)))
                .collect();
            if let Some(f) = monitoring::rising_pressure(&means) {
                findings.push((elder_id.to_string(), f, None));
            }
        }
        let mut raised = 0;
        for (elder_id, finding, device) in findings {
            let Some(elder) = elders.get(&elder_id) else {
                continue;
            };
            let mut tx = self.store.begin().await?;
            let change = raise(
                &mut tx,
                &policy,
                &elder.watch,
                &finding,
                device.as_deref(),
                None,
                now,
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
            raised += 1;
            if change.notify {
                let _ = self.monitoring.live.send(change.notice);
            }
        }
        Ok(raised)
    }
}

pub fn status_label(status: AlertStatus, lang: registry::Lang) -> &'static str {
    status.label(lang)
}

pub fn severity_label(severity: Severity, lang: registry::Lang) -> &'static str {
    severity.label(lang)
}
