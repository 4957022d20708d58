-- 005_oauth_state.sql - the OAuth states /auth has accepted, so that each
-- is used once.
--
-- A state is the value login.cgi sends to Naver and keeps in the browser's
-- oauthState cookie; Naver sends it back to /auth with a code.  The cookie
-- is cleared by that answer, but a callback seen by someone else (a URL in
-- a log, a proxy, the browser's history, with the cookie) could otherwise
-- be sent again, with a code of the sender's own or a leaked one.  /auth
-- therefore records every state it accepts, by its hex SHA-256, before it
-- acts on it (INSERT IGNORE: a second use inserts nothing and is refused
-- with 400), and forgets records over a day old, a bounded batch per use:
-- far longer than the cookie (10 minutes) and an authorization code live.
--
-- Online-safe for a rolling deploy (schema/README.md): a new table, which
-- the previous version neither reads nor writes.  A login started on a
-- node of either version completes on the other (the state is recorded
-- where it is used); a node of the previous version does not record, so
-- until the last of them is gone a state used there can still be used
-- once more on a new one.
CREATE TABLE IF NOT EXISTS oauth_state_used (
    state_hash  CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    used_at     DATETIME NOT NULL,
    PRIMARY KEY (state_hash),
    KEY oauth_state_used_at (used_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
