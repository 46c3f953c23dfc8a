-- Which history the change feed's positions belong to (docs/sync.md): a cursor carries the mark of the history it was
-- read in, and one from another history answers 410. SQLite has no cluster or timeline that would tell a restored copy
-- from the original: `contacts history restart` adds a row after restoring an older copy of the file, which sends every
-- client back to a fresh walk. A cursor ahead of the counter (an older copy, before any new write) answers 410 anyway.
CREATE TABLE contact_change_history (
    id          INTEGER PRIMARY KEY,
    mark        INTEGER NOT NULL,
    started_at  TEXT NOT NULL
);
INSERT INTO contact_change_history (mark, started_at)
VALUES ((abs(random()) % 9007199254740991) + 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
