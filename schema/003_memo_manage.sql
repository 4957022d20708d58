-- 003_memo_manage.sql - edits with revisions, the trash, pins, #tags and
-- Korean-aware search.
--
-- Online-safe for a rolling deploy (schema/README.md): it only adds.  The
-- previous version keeps working against it: its INSERT leaves the new
-- columns at their defaults (a live, unpinned, never-edited memo), and its
-- list reads the columns it knew (it shows memos in the trash as well,
-- until its instances are replaced).  The added memo columns come last and
-- are NULL or have a DEFAULT, so MariaDB 10.3+ and MySQL 8 add them
-- instantly, without copying the table; the index and the new tables are
-- built while the table stays writable.  The ALTERs say so (ALGORITHM=
-- INSTANT; ALGORITHM=INPLACE, LOCK=NONE): a server that would have to copy
-- or lock the table refuses instead, and the migration stops unrecorded.
--
-- memo_search holds each memo's search copy: the text's folded form
-- (common/fold.h), compared byte by byte (a BLOB: LIKE on it is a plain
-- byte search, several times faster than on utf8mb4 text).  Its rows are
-- clustered by user, so a search reads one user's copies in a row and
-- nothing else (docs/performance.md).  A memo without a row - one the
-- previous version wrote, or one older than this migration - gets it, and
-- its tags, from `memo-maint index` (tools/migrate runs it after migrating;
-- the installed timer runs it hourly with the rest of the maintenance).
--
-- memo.version grows with every change of a memo: the ETag.

SET @db = DATABASE();

SET @s = IF((SELECT COUNT(*) FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo'
               AND COLUMN_NAME = 'version') = 0,
            'ALTER TABLE memo
               ADD COLUMN updated_at DATETIME NULL,
               ADD COLUMN pinned TINYINT NOT NULL DEFAULT 0,
               ADD COLUMN deleted_at DATETIME NULL,
               ADD COLUMN version BIGINT UNSIGNED NOT NULL DEFAULT 0,
               ALGORITHM=INSTANT',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;

-- memo-maint purges the trash by deleted_at.
SET @s = IF((SELECT COUNT(*) FROM information_schema.STATISTICS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo'
               AND INDEX_NAME = 'memo_deleted') = 0,
            'ALTER TABLE memo ADD KEY memo_deleted (deleted_at),
               ALGORITHM=INPLACE, LOCK=NONE', 'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;

-- A memo's earlier texts, created_at being when that text was written.
-- The newest 50 (or a few more) are kept.
CREATE TABLE IF NOT EXISTS memo_revision (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    memo_id     BIGINT UNSIGNED NOT NULL,
    text        MEDIUMTEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (id),
    KEY memo_revision_memo (memo_id, id),
    CONSTRAINT memo_revision_memo_fk FOREIGN KEY (memo_id)
        REFERENCES memo (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A memo's tags (common/tags.h): tag_key is the case-folded form that
-- filters and counts compare byte by byte; name is as first written.
-- A memo in the trash keeps its rows (restoring brings them back); the
-- queries leave it out.
CREATE TABLE IF NOT EXISTS memo_tag (
    memo_id     BIGINT UNSIGNED NOT NULL,
    user_id     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    tag_key     VARCHAR(192) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    name        VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (memo_id, tag_key),
    KEY memo_tag_user (user_id, tag_key),
    CONSTRAINT memo_tag_memo_fk FOREIGN KEY (memo_id)
        REFERENCES memo (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS memo_search (
    user_id     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    memo_id     BIGINT UNSIGNED NOT NULL,
    body        MEDIUMBLOB NOT NULL,
    PRIMARY KEY (user_id, memo_id),
    KEY memo_search_memo (memo_id),
    CONSTRAINT memo_search_memo_fk FOREIGN KEY (memo_id)
        REFERENCES memo (id) ON DELETE CASCADE
) ENGINE=InnoDB;
