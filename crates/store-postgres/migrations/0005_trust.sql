-- PostgreSQL: identifiers, codes and times compare byte-wise (COLLATE "C"), as in 0001.
-- Devices belong to an organization, so that an unbound one stays its organization's: only its
-- own staff (or those above it) may see it and bind it again. Filled for existing devices from
-- the responsible organization of the elder each is bound to.
ALTER TABLE devices ADD COLUMN organization_id TEXT COLLATE "C" REFERENCES organizations(id);
UPDATE devices SET organization_id =
    (SELECT e.responsible_org_id FROM elders e WHERE e.id = devices.elder_id);
CREATE INDEX devices_organization ON devices(organization_id);

-- A reading sent again under a (device, seq) already stored but with other content is not a
-- resend: it is kept here, counted on the device, and an emergency in it still raises its alert.
ALTER TABLE devices ADD COLUMN conflicts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN last_conflict_at TEXT COLLATE "C";
CREATE TABLE reading_conflicts (
    device_id TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    -- The conflicting reading's content, canonical, so that its own resend is stored once.
    content TEXT COLLATE "C" NOT NULL,
    elder_id TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    measured_at TEXT COLLATE "C" NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    value1 DOUBLE PRECISION,
    value2 DOUBLE PRECISION,
    value3 DOUBLE PRECISION,
    context TEXT,
    detail TEXT,
    PRIMARY KEY (device_id, seq, content)
);

-- An import is its user's: the same file from another user is another import (it was found by
-- the file's hash alone, and handed the first user's batch and row errors).
ALTER TABLE import_batches DROP CONSTRAINT import_batches_file_sha256_key;
CREATE UNIQUE INDEX import_batches_user_file ON import_batches(user_id, file_sha256);
