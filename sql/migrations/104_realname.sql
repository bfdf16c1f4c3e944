-- 104_realname.sql — 实名，一证一号: an ID number belongs to one citizen account, and others
-- act for it only through a registered proxy relation (亲友代办).  modules/realname.c.
--
-- The binding is the citizen's own row: citizens.idnum_hash (keyed hash, modules/pii.c) with
-- the sealed ID number and name the citizen first used (a booking or an online application),
-- or that a clerk bound after seeing the ID card.  uk_citizens_idnum makes two accounts
-- holding the same ID number impossible, however they race; an account holds at most one
-- (it is a column of its row).  The app fills idnum_* only through the binding, so existing
-- rows (all NULL there) satisfy the new key.
--
-- A proxy relation lets proxy_citizen book and apply for the ID number (the principal): the
-- principal confirmed it with an SMS code sent to the phone of the account that holds the ID
-- number (how = 'sms'), or a clerk registered it at the hall (how = 'clerk').  One live
-- relation per (ID number, proxy account): uk_proxy_live (revoked rows have live = NULL).
--
-- appointments.proxy_id marks a booking made through a relation.  Such a booking counts for
-- the principal only: the per-day rule's account key (uk_appt_day_citizen) applies to a
-- citizen's own bookings, so a proxy may book for a parent and for themselves on the same
-- day; the per-ID-number key (uk_appt_day_idnum) holds for every booking as before.  The
-- generated column keeps its name and type and the same value for every existing row (none
-- has a proxy_id), so nothing that reads it changes.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE citizens
    ADD COLUMN idnum_bound_at  DATETIME NULL COMMENT 'when the ID number was bound to this account',
    ADD COLUMN idnum_bound_how ENUM('first_use','clerk') NULL COMMENT 'first use by the account, or a clerk who saw the ID card',
    ADD UNIQUE KEY uk_citizens_idnum (idnum_hash);

CREATE TABLE citizen_proxies (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    idnum_hash     CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'the principal: keyed hash of the ID number',
    idnum_enc      VARBINARY(255)  NOT NULL COMMENT 'the ID number sealed (shown masked)',
    name_hash      CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'keyed hash of the principal''s name',
    name_enc       VARBINARY(255)  NOT NULL,
    proxy_citizen  BIGINT UNSIGNED NOT NULL COMMENT 'the account that may act for the principal',
    how            ENUM('sms','clerk') NOT NULL,
    hall           VARCHAR(32)     NULL COMMENT 'the clerk''s hall (how = clerk)',
    created_by     VARCHAR(48)     NOT NULL DEFAULT '' COMMENT 'staff id (clerk) or citizen id (sms)',
    created_at     DATETIME        NOT NULL,
    revoked_at     DATETIME        NULL,
    revoked_by     ENUM('proxy','principal','rebind') NULL,
    live           TINYINT AS (IF(revoked_at IS NULL, 1, NULL)) PERSISTENT,
    PRIMARY KEY (id),
    UNIQUE KEY uk_proxy_live (idnum_hash, proxy_citizen, live),
    KEY k_proxy_citizen (proxy_citizen, live),
    CONSTRAINT fk_proxy_citizen FOREIGN KEY (proxy_citizen) REFERENCES citizens (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_proxy_revoked CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='亲友代办: accounts that may book and apply for an ID number not their own';

ALTER TABLE appointments
    ADD COLUMN proxy_id BIGINT UNSIGNED NULL COMMENT 'booked through this proxy relation (NULL: the account''s own identity)' AFTER citizen_id,
    ADD CONSTRAINT fk_appt_proxy FOREIGN KEY (proxy_id) REFERENCES citizen_proxies (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    MODIFY live_citizen BIGINT UNSIGNED
        AS (IF(status IN ('booked','checked_in') AND proxy_id IS NULL, citizen_id, NULL)) PERSISTENT;

ALTER TABLE cases
    ADD COLUMN proxy_id BIGINT UNSIGNED NULL COMMENT 'an online application filed through this proxy relation',
    ADD CONSTRAINT fk_cases_proxy FOREIGN KEY (proxy_id) REFERENCES citizen_proxies (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT;
