-- 131_staff_password_change.sql — a password the person must replace at the next sign-in
-- (issue 21, part B: staff from the administration console).
--
-- Set when the hall's admin creates an account or resets its password: the admin hands the
-- person a temporary password, and POST /staff/login signs them in only together with a new
-- one of their own (then it is cleared).  Additive: a new column, 0 for every account there.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE staff
    ADD COLUMN must_change_password TINYINT(1) NOT NULL DEFAULT 0
        COMMENT '1: the password was set by an admin; sign-in needs a new one'
        AFTER password_hash,
    ADD CONSTRAINT chk_staff_must_change CHECK (must_change_password IN (0, 1));
