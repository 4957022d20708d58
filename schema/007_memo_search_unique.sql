-- 007_memo_search_unique.sql - memo_search's index on memo_id unique.
--
-- A memo has one search copy, and an edit updates it WHERE memo_id = ?,
-- through this index.  Not unique, InnoDB locked the gap after the entry
-- as well as the entry, to the edit's COMMIT: an edit of the newest memo
-- held up every user's POST, whose search copy goes into that gap (by
-- hand: the other user's POST 503 after 5 s).  Found unique, only the
-- entry is locked, whichever plan the optimizer takes.  A statement
-- naming the whole primary key instead (user_id read from the memo in a
-- subquery) left it to the optimizer, which chose this index again once
-- the table held more rows.
--
-- memo_search_id (memo_id) UNIQUE replaces memo_search_memo (memo_id), in
-- one statement, so that the foreign key on memo_id always has its index.
-- Every memo_id is a memo's id, written once (SEARCH_INSERT; memo-maint's
-- INSERT IGNORE): no duplicate to refuse.
--
-- Online-safe for a rolling deploy (schema/README.md): the index is built
-- while the table stays writable (ALGORITHM=INPLACE, LOCK=NONE), and no
-- version names either index: the previous one's statements run as before.

SET @db = DATABASE();

SET @s = IF((SELECT COUNT(*) FROM information_schema.STATISTICS
             WHERE TABLE_SCHEMA = @db AND TABLE_NAME = 'memo_search'
               AND INDEX_NAME = 'memo_search_id') = 0,
            'ALTER TABLE memo_search ADD UNIQUE KEY memo_search_id (memo_id),
               DROP KEY memo_search_memo, ALGORITHM=INPLACE, LOCK=NONE',
            'DO 0');
PREPARE step FROM @s; EXECUTE step; DEALLOCATE PREPARE step;
