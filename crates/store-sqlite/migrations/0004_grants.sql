-- Record grants: one organization or one user may see one elder's record, for a reason, from a
-- time until a time (a referral's receiving hospital, a consultant). Revoking sets revoked_at;
-- rows are never deleted, so the audit log's grant_id always names a stored grant.

CREATE TABLE record_grants (
    id TEXT PRIMARY KEY NOT NULL,
    elder_id TEXT NOT NULL REFERENCES elders(id),
    grantee_user_id TEXT REFERENCES users(id),
    grantee_org_id TEXT REFERENCES organizations(id),
    reason TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    until_at TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    CHECK ((grantee_user_id IS NULL) <> (grantee_org_id IS NULL)),
    CHECK (until_at > starts_at)
);
CREATE INDEX record_grants_user ON record_grants(grantee_user_id, elder_id);
CREATE INDEX record_grants_org ON record_grants(grantee_org_id, elder_id);
CREATE INDEX record_grants_elder ON record_grants(elder_id, created_at);

-- A read that a grant allowed names the grant.
ALTER TABLE audit_log ADD COLUMN grant_id TEXT;
