-- 0009_identity: verified visitor identity (issue 18). A site's "Identity secret" (kept in
-- the clear: the server computes HMACs with it; never returned by a GET) and, for a grace
-- period after a rotation, the previous one. Each visitor's identity as the page gave it;
-- a verified external id belongs to one visitor of the site (the partial unique index), so
-- an identified customer is the same visitor on every browser.
CREATE TABLE identity_secrets (
    site_id         INTEGER PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    secret          TEXT    NOT NULL,
    previous_secret TEXT,
    previous_until  INTEGER,
    rotated_at      INTEGER NOT NULL
);

CREATE TABLE visitor_identities (
    site_id     INTEGER NOT NULL,
    visitor_id  TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    verified    INTEGER NOT NULL,
    name        TEXT,
    email       TEXT,
    attributes  TEXT    NOT NULL DEFAULT '{}',
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (site_id, visitor_id),
    FOREIGN KEY (site_id, visitor_id) REFERENCES visitors (site_id, visitor_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE UNIQUE INDEX visitor_identities_verified
    ON visitor_identities (site_id, external_id) WHERE verified = 1;
