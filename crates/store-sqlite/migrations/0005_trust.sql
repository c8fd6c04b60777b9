-- Devices belong to an organization, so that an unbound one stays its organization's: only its
-- own staff (or those above it) may see it and bind it again. Filled for existing devices from
-- the responsible organization of the elder each is bound to.
ALTER TABLE devices ADD COLUMN organization_id TEXT REFERENCES organizations(id);
UPDATE devices SET organization_id =
    (SELECT e.responsible_org_id FROM elders e WHERE e.id = devices.elder_id);
CREATE INDEX devices_organization ON devices(organization_id);

-- A reading sent again under a (device, seq) already stored but with other content is not a
-- resend: it is kept here, counted on the device, and an emergency in it still raises its alert.
ALTER TABLE devices ADD COLUMN conflicts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN last_conflict_at TEXT;
CREATE TABLE reading_conflicts (
    device_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    -- The conflicting reading's content, canonical, so that its own resend is stored once.
    content TEXT NOT NULL,
    elder_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    measured_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    value1 DOUBLE PRECISION,
    value2 DOUBLE PRECISION,
    value3 DOUBLE PRECISION,
    context TEXT,
    detail TEXT,
    PRIMARY KEY (device_id, seq, content)
);

-- An import is its user's: the same file from another user is another import (it was found by
-- the file's hash alone, and handed the first user's batch and row errors). SQLite cannot drop
-- a UNIQUE constraint, so the table is rebuilt (on both backends, to keep one schema), its row
-- errors kept aside meanwhile.
CREATE TEMP TABLE import_row_errors_kept AS SELECT * FROM import_row_errors;
DROP TABLE import_row_errors;
CREATE TABLE import_batches_by_user (
    id TEXT PRIMARY KEY NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    user_id TEXT,
    total_rows BIGINT NOT NULL,
    next_row BIGINT NOT NULL DEFAULT 0,
    stored BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
INSERT INTO import_batches_by_user SELECT id, file_sha256, file_name, user_id, total_rows,
    next_row, stored, skipped, status, started_at, finished_at FROM import_batches;
DROP TABLE import_batches;
ALTER TABLE import_batches_by_user RENAME TO import_batches;
CREATE UNIQUE INDEX import_batches_user_file ON import_batches(user_id, file_sha256);
CREATE TABLE import_row_errors (
    batch_id TEXT NOT NULL REFERENCES import_batches(id),
    row_number BIGINT NOT NULL,
    field TEXT NOT NULL,
    message TEXT NOT NULL
);
INSERT INTO import_row_errors SELECT batch_id, row_number, field, message FROM import_row_errors_kept;
DROP TABLE import_row_errors_kept;
CREATE INDEX import_row_errors_batch ON import_row_errors(batch_id, row_number);
