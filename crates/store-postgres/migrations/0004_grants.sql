-- PostgreSQL: identifiers, codes and times compare byte-wise (COLLATE "C"), as in 0001.
-- Record grants: one organization or one user may see one elder's record, for a reason, from a
-- time until a time (a referral's receiving hospital, a consultant). Revoking sets revoked_at;
-- rows are never deleted, so the audit log's grant_id always names a stored grant.

CREATE TABLE record_grants (
    id TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    elder_id TEXT COLLATE "C" NOT NULL REFERENCES elders(id),
    grantee_user_id TEXT COLLATE "C" REFERENCES users(id),
    grantee_org_id TEXT COLLATE "C" REFERENCES organizations(id),
    reason TEXT COLLATE "C" NOT NULL,
    starts_at TEXT COLLATE "C" NOT NULL,
    until_at TEXT COLLATE "C" NOT NULL,
    granted_by TEXT COLLATE "C" NOT NULL,
    granted_by_name TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    revoked_at TEXT COLLATE "C",
    revoked_by TEXT COLLATE "C",
    CHECK ((grantee_user_id IS NULL) <> (grantee_org_id IS NULL)),
    CHECK (until_at > starts_at)
);
CREATE INDEX record_grants_user ON record_grants(grantee_user_id, elder_id);
CREATE INDEX record_grants_org ON record_grants(grantee_org_id, elder_id);
CREATE INDEX record_grants_elder ON record_grants(elder_id, created_at);

-- A read that a grant allowed names the grant.
ALTER TABLE audit_log ADD COLUMN grant_id TEXT COLLATE "C";
