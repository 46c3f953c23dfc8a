-- Contacts schema v1 (SQLite). See docs/schema.md.
-- search_text, phone_digits and name_folded are written by the application (SearchText.cs):
-- SQLite has no Unicode case folding of its own.
CREATE TABLE company (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_key (
    id            INTEGER PRIMARY KEY,
    key_id        TEXT NOT NULL UNIQUE,
    company_id    INTEGER NOT NULL REFERENCES company (id),
    name          TEXT,
    secret_hash   BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);
CREATE INDEX api_key_company ON api_key (company_id);

CREATE TABLE contact (
    id                INTEGER PRIMARY KEY,
    company_id        INTEGER NOT NULL REFERENCES company (id),
    first_name        TEXT,
    last_name         TEXT,
    email             TEXT,
    phone_number      TEXT,
    phone_number_lid  TEXT,
    profile_picture   TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    search_text       TEXT NOT NULL DEFAULT '',
    phone_digits      TEXT NOT NULL DEFAULT '',
    UNIQUE (company_id, id)
);
CREATE INDEX contact_company_phone ON contact (company_id, phone_number);
CREATE INDEX contact_company_email ON contact (company_id, email);

CREATE TABLE tag (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES company (id),
    name         TEXT NOT NULL CHECK (trim(name) <> ''),
    color        TEXT,
    created_at   TEXT NOT NULL,
    name_folded  TEXT NOT NULL,
    UNIQUE (company_id, id)
);
CREATE UNIQUE INDEX tag_company_name ON tag (company_id, name_folded);

CREATE TABLE contact_tag (
    company_id  INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL,
    tag_id      INTEGER NOT NULL,
    PRIMARY KEY (contact_id, tag_id),
    FOREIGN KEY (company_id, contact_id) REFERENCES contact (company_id, id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, tag_id) REFERENCES tag (company_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX contact_tag_tag ON contact_tag (tag_id, contact_id);
