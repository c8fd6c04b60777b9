-- PostgreSQL: identifiers, codes and times compare byte-wise (COLLATE "C"), as in 0001.
-- Remote monitoring: devices bound to elders, their readings (one row per device and seq, so
-- a resend is stored once), per-elder alert thresholds, alerts with their timeline, the
-- notification outbox that SMS/WeChat gateways drain, and 120 dispatch records.

CREATE TABLE devices (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    elder_id TEXT COLLATE "C" REFERENCES elders(id),
    credential_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    status TEXT COLLATE "C" NOT NULL,
    bound_at TEXT COLLATE "C",
    unbound_at TEXT COLLATE "C",
    last_seen_at TEXT COLLATE "C",
    rejected BIGINT NOT NULL DEFAULT 0,
    last_rejection TEXT,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX devices_elder ON devices(elder_id);

-- value1..value3 by kind: blood_pressure systolic, diastolic, pulse; glucose mmol/L (context);
-- heart_rate bpm; spo2 percent; temperature celsius; steps count; vitals NEWS2 total (detail
-- holds the set as JSON).
CREATE TABLE readings (
    device_id TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    elder_id TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    measured_at TEXT COLLATE "C" NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    value1 DOUBLE PRECISION,
    value2 DOUBLE PRECISION,
    value3 DOUBLE PRECISION,
    context TEXT,
    detail TEXT,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX readings_elder ON readings(elder_id, kind, measured_at);

CREATE TABLE elder_thresholds (
    elder_id TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES elders(id),
    thresholds TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT COLLATE "C" NOT NULL
);

-- open_key is elder_id:rule while the alert is not resolved and NULL after, so the unique
-- index allows one unresolved alert per elder and rule and any number of resolved ones.
CREATE TABLE alerts (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    elder_id TEXT COLLATE "C" NOT NULL REFERENCES elders(id),
    rule TEXT COLLATE "C" NOT NULL,
    severity TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    open_key TEXT COLLATE "C" UNIQUE,
    message_zh TEXT NOT NULL,
    message_en TEXT NOT NULL,
    device_id TEXT COLLATE "C",
    reading_seq BIGINT,
    occurrences BIGINT NOT NULL DEFAULT 1,
    opened_at TEXT COLLATE "C" NOT NULL,
    last_seen_at TEXT COLLATE "C" NOT NULL,
    escalation_level BIGINT NOT NULL DEFAULT 0,
    next_escalation_at TEXT COLLATE "C",
    acknowledged_at TEXT COLLATE "C",
    acknowledged_by TEXT,
    resolved_at TEXT COLLATE "C",
    resolved_by TEXT,
    resolution_note TEXT,
    updated_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX alerts_status ON alerts(status, opened_at);
CREATE INDEX alerts_elder ON alerts(elder_id, opened_at);
CREATE INDEX alerts_escalation ON alerts(next_escalation_at) WHERE next_escalation_at IS NOT NULL;

CREATE TABLE alert_events (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts(id),
    at TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    actor TEXT,
    detail TEXT
);
CREATE INDEX alert_events_alert ON alert_events(alert_id, at);

CREATE TABLE notification_outbox (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    alert_id TEXT COLLATE "C" REFERENCES alerts(id),
    channel TEXT COLLATE "C" NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT,
    body TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    sent_at TEXT COLLATE "C",
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notification_outbox_pending ON notification_outbox(channel, created_at) WHERE sent_at IS NULL;

CREATE TABLE emergency_dispatches (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts(id),
    elder_id TEXT COLLATE "C" NOT NULL REFERENCES elders(id),
    address TEXT,
    phone TEXT,
    reason TEXT NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX emergency_dispatches_alert ON emergency_dispatches(alert_id);
