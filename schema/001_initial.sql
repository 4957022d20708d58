-- 001_initial.sql - users, sessions and memos.
--
-- Keeps the seed's tables and columns: user(id, name),
-- sessions(session_key, user_id), memo(user_id, text); adds what the
-- service needs: memo ids and times, session expiry, indexes and foreign
-- keys.  InnoDB and utf8mb4 throughout; MariaDB 10.6+ and MySQL 8.
-- Applying it twice is harmless.
--
-- user.id is Naver's per-application id (a printable ASCII string).
-- sessions.session_key holds the hex SHA-256 of the cookie's session id,
-- never the id itself.

CREATE TABLE IF NOT EXISTS `user` (
    id          VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name        VARCHAR(255) NOT NULL,
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sessions (
    session_key CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    PRIMARY KEY (session_key),
    KEY sessions_user (user_id),
    KEY sessions_expires (expires_at),
    CONSTRAINT sessions_user_fk FOREIGN KEY (user_id)
        REFERENCES `user` (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- MEDIUMTEXT: a memo may be 65,536 bytes, one more than TEXT holds.
CREATE TABLE IF NOT EXISTS memo (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    text        MEDIUMTEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (id),
    KEY memo_user_id (user_id, id),
    CONSTRAINT memo_user_fk FOREIGN KEY (user_id)
        REFERENCES `user` (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
