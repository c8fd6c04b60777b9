-- PostgreSQL: identifiers, codes and names compare byte-wise (COLLATE "C") so that prefix
-- ranges and ordering agree with SQLite and can use the indexes.
-- The spine: regions, organizations, elders with their change history, users, sessions,
-- the audit log and roster imports. Times are UTC text (RFC 3339, microseconds, 'Z'), dates
-- are YYYY-MM-DD, flags are 0/1 integers, lists are comma-framed text (',a,b,').

CREATE TABLE regions (
    code TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT COLLATE "C" REFERENCES regions(code)
);
CREATE INDEX regions_parent ON regions(parent_code);

CREATE TABLE organizations (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    grade TEXT,
    operator TEXT NOT NULL,
    region_code TEXT COLLATE "C" NOT NULL REFERENCES regions(code),
    address TEXT,
    phone TEXT,
    medical_licence TEXT,
    elderly_care_licence TEXT,
    beds_medical BIGINT NOT NULL DEFAULT 0,
    beds_elderly_care BIGINT NOT NULL DEFAULT 0,
    beds_nursing BIGINT NOT NULL DEFAULT 0,
    beds_hospice BIGINT NOT NULL DEFAULT 0,
    beds_home BIGINT NOT NULL DEFAULT 0,
    services TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX organizations_region ON organizations(region_code);

CREATE TABLE elders (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    name_initials TEXT COLLATE "C" NOT NULL,
    id_number TEXT COLLATE "C" NOT NULL UNIQUE,
    sex TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    phone TEXT COLLATE "C",
    address TEXT,
    region_code TEXT COLLATE "C" REFERENCES regions(code),
    living_situation TEXT,
    special_categories TEXT NOT NULL DEFAULT '',
    medical_insurance TEXT,
    ltc_insurance BIGINT NOT NULL DEFAULT 0,
    chronic_conditions TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    contacts TEXT NOT NULL DEFAULT '[]',
    responsible_org_id TEXT COLLATE "C" REFERENCES organizations(id),
    residence_org_id TEXT COLLATE "C" REFERENCES organizations(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX elders_name ON elders(name, id);
-- Lists are ordered by (name, id): each index a list condition uses carries both, so a page is
-- chosen from index entries alone; the region index also carries the initials, so a
-- supervisor's searches stay inside it. Few elders live in an institution: only they are
-- indexed by it.
CREATE INDEX elders_initials ON elders(name_initials, name, id);
CREATE INDEX elders_phone ON elders(phone);
CREATE INDEX elders_region ON elders(region_code, name, id, name_initials);
CREATE INDEX elders_responsible ON elders(responsible_org_id, name, id);
CREATE INDEX elders_residence ON elders(residence_org_id, name, id) WHERE residence_org_id IS NOT NULL;

CREATE TABLE elder_changes (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    elder_id TEXT COLLATE "C" NOT NULL REFERENCES elders(id),
    changed_at TEXT NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX elder_changes_elder ON elder_changes(elder_id, changed_at);

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    username TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    org_id TEXT COLLATE "C" REFERENCES organizations(id),
    region_code TEXT COLLATE "C" REFERENCES regions(code),
    elder_id TEXT COLLATE "C" REFERENCES elders(id),
    phone TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    caregiver_certified BIGINT NOT NULL DEFAULT 0,
    trained_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_log (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    at TEXT COLLATE "C" NOT NULL,
    user_id TEXT,
    username TEXT COLLATE "C",
    role TEXT,
    action TEXT NOT NULL,
    target_kind TEXT,
    target_id TEXT COLLATE "C",
    ip TEXT,
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_target ON audit_log(target_id, at);
CREATE INDEX audit_log_user ON audit_log(username, at);

CREATE TABLE import_batches (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    file_sha256 TEXT COLLATE "C" NOT NULL UNIQUE,
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

CREATE TABLE import_row_errors (
    batch_id TEXT COLLATE "C" NOT NULL REFERENCES import_batches(id),
    row_number BIGINT NOT NULL,
    field TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX import_row_errors_batch ON import_row_errors(batch_id, row_number);

CREATE TABLE settings (
    key TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
