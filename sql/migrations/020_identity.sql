-- 020_identity: citizens (signed in by SMS code or by the WeChat mini-program) and their
-- WeChat accounts.
--
-- Personal data at rest: the phone, the name and the ID number are stored only sealed with
-- the instance's data key (modules/pii.c: XSalsa20-Poly1305) and found again through a keyed
-- hash (BLAKE2b with a second derived key), so a dump of this table shows neither a phone nor
-- an ID number. Responses show them masked (138****8000, 张*, 110105********002X).
--
-- One citizen per phone (uk_citizens_phone). A WeChat openid maps to exactly one citizen
-- (citizen_wechat's primary key). A citizen who first came through WeChat has no phone until
-- they bind one (/auth/wx-phone); if that phone already belongs to a citizen who signed in by
-- SMS, the openid is moved to that citizen and the WeChat-only row records merged_into, so the
-- person is one citizen whichever way they sign in.
SET NAMES utf8mb4;

CREATE TABLE citizens (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'internal; the session subject, never shown',
    phone_enc      VARBINARY(255)  NULL COMMENT 'mobile number sealed with the data key',
    phone_hash     CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL COMMENT 'keyed hash of the phone, for lookup',
    name_enc       VARBINARY(255)  NULL COMMENT 'real name sealed, when the citizen gave it',
    name_hash      CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    idnum_enc      VARBINARY(255)  NULL COMMENT 'resident ID number sealed, when the citizen gave it',
    idnum_hash     CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    merged_into    BIGINT UNSIGNED NULL COMMENT 'a WeChat-only citizen folded into the citizen of the phone it bound',
    created_at     DATETIME        NOT NULL,
    last_login_at  DATETIME        NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_citizens_phone (phone_hash),
    KEY k_citizens_idnum (idnum_hash),
    KEY k_citizens_merged (merged_into),
    CONSTRAINT fk_citizens_merged FOREIGN KEY (merged_into) REFERENCES citizens (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_citizens_phone CHECK ((phone_enc IS NULL) = (phone_hash IS NULL)),
    CONSTRAINT chk_citizens_name  CHECK ((name_enc IS NULL) = (name_hash IS NULL)),
    CONSTRAINT chk_citizens_idnum CHECK ((idnum_enc IS NULL) = (idnum_hash IS NULL)),
    CONSTRAINT chk_citizens_merged CHECK (merged_into IS NULL OR phone_hash IS NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='citizens (办事群众); personal data sealed, looked up by keyed hash';

-- session_key is what jscode2session returns: it decrypts data the mini-program hands over,
-- so it stays on the server (sealed) and is never part of any response.
CREATE TABLE citizen_wechat (
    openid_hash      CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'keyed hash of the mini-program openid',
    openid_enc       VARBINARY(255) NOT NULL COMMENT 'openid sealed (subscribe messages need it in clear)',
    unionid_hash     CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    citizen_id       BIGINT UNSIGNED NOT NULL,
    session_key_enc  VARBINARY(255) NOT NULL COMMENT 'latest session_key, sealed; never returned',
    created_at       DATETIME       NOT NULL,
    updated_at       DATETIME       NOT NULL,
    PRIMARY KEY (openid_hash),
    KEY k_citizen_wechat_citizen (citizen_id),
    CONSTRAINT fk_citizen_wechat_citizen FOREIGN KEY (citizen_id) REFERENCES citizens (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='WeChat mini-program accounts of citizens';
