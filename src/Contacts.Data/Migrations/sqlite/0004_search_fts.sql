-- Terms of three characters or more find their candidates in an FTS5 trigram index instead of scanning the company's
-- contacts (0003's covering index stays for shorter terms and for terms with LIKE metacharacters). External content:
-- the index holds only trigrams of contact.search_text and contact.phone_digits, kept in step by the triggers below,
-- whoever writes the rows. The API still rechecks each candidate against the contact row. See bench/README.md.
CREATE VIRTUAL TABLE contact_search USING fts5(
    search_text, phone_digits, content = 'contact', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO contact_search (contact_search) VALUES ('rebuild');

CREATE TRIGGER contact_search_insert AFTER INSERT ON contact BEGIN
    INSERT INTO contact_search (rowid, search_text, phone_digits) VALUES (new.id, new.search_text, new.phone_digits);
END;
CREATE TRIGGER contact_search_delete AFTER DELETE ON contact BEGIN
    INSERT INTO contact_search (contact_search, rowid, search_text, phone_digits)
    VALUES ('delete', old.id, old.search_text, old.phone_digits);
END;
CREATE TRIGGER contact_search_update AFTER UPDATE OF id, search_text, phone_digits ON contact BEGIN
    INSERT INTO contact_search (contact_search, rowid, search_text, phone_digits)
    VALUES ('delete', old.id, old.search_text, old.phone_digits);
    INSERT INTO contact_search (rowid, search_text, phone_digits) VALUES (new.id, new.search_text, new.phone_digits);
END;
