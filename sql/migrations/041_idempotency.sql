-- 041_idempotency.sql — Idempotency-Key replay for POST routes (modules/idempotency.c).
--
-- A successful response is written here in the same transaction as the change it reports, so
-- the same key with the same body gets the same answer even after Redis lost its copy.
-- scope = SHA-256 of (caller, method, path, key): keys of different callers never meet.
-- The body is sealed with a key derived from the instance key: answers carry tokens.
-- Rows older than a day are purged by the worker (job idempotency-purge).
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE idempotency_keys (
    scope         CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash  CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'SHA-256 of the canonical request body',
    status        SMALLINT UNSIGNED NOT NULL,
    body_enc      MEDIUMBLOB        NOT NULL COMMENT 'the JSON answered the first time, sealed (it may carry tokens)',
    created_at    DATETIME(3)       NOT NULL,
    PRIMARY KEY (scope),
    KEY k_idem_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='first responses of POSTs sent with an Idempotency-Key';
