-- Standardized assessments. One row per assessment taken with an instrument of the catalogue
-- (answers and result kept as JSON text, the headline figures as columns for lists and counts),
-- the result that currently counts per elder and instrument, the levels that follow from those
-- results per elder, and requests to reassess after a change of condition.

CREATE TABLE assessments (
    id TEXT PRIMARY KEY NOT NULL,
    elder_id TEXT NOT NULL REFERENCES elders(id),
    instrument_id TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    place TEXT NOT NULL,
    reason TEXT NOT NULL,
    org_id TEXT REFERENCES organizations(id),
    region_code TEXT,
    answers TEXT NOT NULL,
    result TEXT NOT NULL,
    total BIGINT,
    grade BIGINT,
    band TEXT,
    provisional BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    assessor_id TEXT NOT NULL REFERENCES users(id),
    assessor_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    second_assessor_id TEXT REFERENCES users(id),
    second_assessor_name TEXT,
    confirmed_at TEXT,
    returned_by_name TEXT,
    return_reason TEXT,
    note TEXT,
    next_due_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX assessments_elder ON assessments(elder_id, assessed_on);
CREATE INDEX assessments_region ON assessments(region_code, assessed_on);
-- Pending confirmations, and counts of final assessments over a period.
CREATE INDEX assessments_status ON assessments(status, assessed_on);

CREATE TABLE assessment_current (
    elder_id TEXT NOT NULL REFERENCES elders(id),
    instrument_id TEXT NOT NULL,
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    assessed_on TEXT NOT NULL,
    band TEXT,
    grade BIGINT,
    next_due_on TEXT,
    PRIMARY KEY (elder_id, instrument_id)
);
CREATE INDEX assessment_current_due ON assessment_current(next_due_on);

CREATE TABLE elder_care_levels (
    elder_id TEXT PRIMARY KEY NOT NULL REFERENCES elders(id),
    ability_grade BIGINT,
    ability_band TEXT,
    care_level TEXT,
    care_level_instrument TEXT,
    ltc_level BIGINT,
    assessment_id TEXT REFERENCES assessments(id),
    updated_at TEXT NOT NULL
);
CREATE INDEX elder_care_levels_level ON elder_care_levels(care_level);

CREATE TABLE reassessment_requests (
    id TEXT PRIMARY KEY NOT NULL,
    elder_id TEXT NOT NULL REFERENCES elders(id),
    instrument_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_by_name TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    resolved_by TEXT REFERENCES assessments(id),
    resolved_at TEXT
);
CREATE INDEX reassessment_requests_elder ON reassessment_requests(elder_id, resolved_at);
-- The open ones (resolved_at IS NULL), oldest first, for the worklist.
CREATE INDEX reassessment_requests_open ON reassessment_requests(resolved_at, requested_at);
