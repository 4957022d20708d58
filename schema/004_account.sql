-- 004_account.sql - sessions a person can list and end from any device,
-- and the index import's duplicate check and the Markdown export read.
--
-- Online-safe for a rolling deploy (schema/README.md): it only adds.
--   * sessions.public_id: the opaque id GET /account shows and
--     DELETE /account/sessions/{id} takes (32 hex digits from the kernel's
--     random source; neither the cookie's value nor its hash).
--   * sessions.user_agent: what the browser sent at login, cut to 200
--     characters.
-- Both are NULL-able and come last, so MariaDB 10.3+ and MySQL 8 add them
-- instantly.  The previous version keeps working: its INSERT names its
-- four columns and leaves the new ones NULL.  Such a session (and every
-- session older than this migration) has no public_id: the service then
-- shows an id derived from the stored hash by another hash,
-- LEFT(SHA2(CONCAT('memo-session/', session_key), 256), 32) (db.c,
-- SESSION_ID), which reveals neither the cookie nor its hash, and its
-- user_agent is null ("unknown").  Nothing has to be back-filled.
--   * memo (user_id, created_at): POST /import looks for a memo of the
--     user with the same created_at (then compares the text) for every
--     memo of the file, and GET /export?format=md lists the memos by date.
--     Built while the table stays writable.

SET @db = DATABASE();

SET @s = IF((SELECT COUNT(*) FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'sessions'
               AND COLUMN_NAME = 'public_id') = 0,
            'ALTER TABLE sessions
               ADD COLUMN public_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
               ADD COLUMN user_agent VARCHAR(200) NULL,
               ALGORITHM=INSTANT',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;

SET @s = IF((SELECT COUNT(*) FROM information_schema.STATISTICS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo'
               AND INDEX_NAME = 'memo_user_created') = 0,
            'ALTER TABLE memo ADD KEY memo_user_created (user_id, created_at),
               ALGORITHM=INPLACE, LOCK=NONE',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
