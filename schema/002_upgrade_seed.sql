-- 002_upgrade_seed.sql - bring a database of the seed's Flask service up to
-- the shape of 001, in place, keeping its users and memos.
--
-- The seed created user(id, name), sessions(session_key, user_id) and
-- memo(user_id, text), with no keys beyond the primary keys of user and
-- sessions, often in utf8 (3-byte) or latin1 tables.  001 leaves such
-- tables as they are (CREATE TABLE IF NOT EXISTS); this migration adds what
-- the service needs.  On a database 001 created, every step is a no-op.
--
-- Each step runs only when the database lacks what it adds (a look at
-- information_schema, then PREPARE of the DDL or of `DO 0`): the plain SQL
-- works on MySQL 8 (RDS), which has no ADD COLUMN IF NOT EXISTS, as well as
-- on MariaDB, and a run that stopped half-way can simply be run again.
--
-- What the seed's data becomes:
--   * users and memos are kept; memos get ids in the order they were
--     written and created_at = the time of this migration;
--   * the seed's sessions are deleted: they held the raw session id, ours
--     hold its SHA-256, so they could never match again (everyone logs in
--     once more after the upgrade);
--   * a memo whose user_id is NULL (unreachable in the seed too) is
--     deleted; a memo whose user row is missing gets a user row with an
--     empty name (filled in at that user's next login), so the foreign key
--     can be added without losing it.

SET @db = DATABASE();

-- InnoDB: foreign keys and transactions need it.
SET @s = IF((SELECT ENGINE FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'user') <> 'InnoDB',
            'ALTER TABLE `user` ENGINE=InnoDB', 'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
SET @s = IF((SELECT ENGINE FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'sessions') <> 'InnoDB',
            'ALTER TABLE sessions ENGINE=InnoDB', 'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
SET @s = IF((SELECT ENGINE FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo') <> 'InnoDB',
            'ALTER TABLE memo ENGINE=InnoDB', 'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;

-- utf8mb4: Korean fits in utf8 too, emoji do not.  CONVERT re-encodes the
-- stored text (correctly stored text stays the same characters).
SET @s = IF((SELECT TABLE_COLLATION FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'user') NOT LIKE 'utf8mb4%',
            'ALTER TABLE `user` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
SET @s = IF((SELECT TABLE_COLLATION FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'sessions') NOT LIKE 'utf8mb4%',
            'ALTER TABLE sessions CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
SET @s = IF((SELECT TABLE_COLLATION FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo') NOT LIKE 'utf8mb4%',
            'ALTER TABLE memo CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;

-- Rows the NOT NULL columns and foreign keys below cannot hold (none in a
-- database 001 created: its columns are NOT NULL and its keys enforced).
UPDATE `user` SET name = '' WHERE name IS NULL;
UPDATE memo SET text = '' WHERE text IS NULL;
DELETE FROM memo WHERE user_id IS NULL;
INSERT INTO `user` (id, name)
    SELECT DISTINCT m.user_id, '' FROM memo m
    LEFT JOIN `user` u ON u.id = m.user_id WHERE u.id IS NULL;

-- user: an ASCII id (Naver's ids are), a bounded name, created_at.
SET @s = IF((SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'user'
               AND COLUMN_NAME = 'id') <> 'ascii',
            'ALTER TABLE `user`
               MODIFY id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
               MODIFY name VARCHAR(255) NOT NULL',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
SET @s = IF((SELECT COUNT(*) FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'user'
               AND COLUMN_NAME = 'created_at') = 0,
            'ALTER TABLE `user`
               ADD COLUMN created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;

-- sessions: the seed's rows cannot match a hashed key (see above).
SET @seed_sessions = (SELECT COUNT(*) = 0 FROM information_schema.COLUMNS
                      WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'sessions'
                        AND COLUMN_NAME = 'expires_at');
SET @s = IF(@seed_sessions, 'DELETE FROM sessions', 'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
SET @s = IF((SELECT COUNT(*) FROM information_schema.STATISTICS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'sessions'
               AND INDEX_NAME = 'PRIMARY') = 0,
            'ALTER TABLE sessions ADD PRIMARY KEY (session_key)', 'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
SET @s = IF(@seed_sessions,
            'ALTER TABLE sessions
               MODIFY session_key CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
               MODIFY user_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
               ADD COLUMN created_at DATETIME NOT NULL,
               ADD COLUMN expires_at DATETIME NOT NULL,
               ADD KEY sessions_user (user_id),
               ADD KEY sessions_expires (expires_at)',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;

-- memo: an id (AUTO_INCREMENT numbers the kept rows in their stored
-- order), created_at, MEDIUMTEXT (a memo may be 65,536 bytes), the index
-- the list query walks.
SET @s = IF((SELECT COUNT(*) FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo'
               AND COLUMN_NAME = 'id') = 0,
            'ALTER TABLE memo
               MODIFY user_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
               MODIFY text MEDIUMTEXT NOT NULL,
               ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST,
               ADD COLUMN created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
               ADD KEY memo_user_id (user_id, id)',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
-- The default only dated the kept rows; the app always sets created_at.
SET @s = IF((SELECT COLUMN_DEFAULT FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo'
               AND COLUMN_NAME = 'created_at') IS NOT NULL,
            'ALTER TABLE memo ALTER COLUMN created_at DROP DEFAULT', 'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;

-- Foreign keys last: every row now has its user.
SET @s = IF((SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'sessions'
               AND CONSTRAINT_NAME = 'sessions_user_fk') = 0,
            'ALTER TABLE sessions ADD CONSTRAINT sessions_user_fk FOREIGN KEY (user_id)
               REFERENCES `user` (id) ON DELETE CASCADE',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
SET @s = IF((SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo'
               AND CONSTRAINT_NAME = 'memo_user_fk') = 0,
            'ALTER TABLE memo ADD CONSTRAINT memo_user_fk FOREIGN KEY (user_id)
               REFERENCES `user` (id) ON DELETE CASCADE',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
