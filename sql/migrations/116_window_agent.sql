-- 116_window_agent.sql — 代办 at the window and the 帮办代办 role (issue 19, item 3).
--   * cases gain the rest of an agent a clerk records from the agent's ID card: the ID
--     number (sealed, keyed hash, mask) and the relation to the applicant.  The agent's name
--     and phone keep the online agent's columns (080_online.sql), so the agent follows the
--     case and gets its SMS exactly as an online agent does.
--   * staff gain the role 'helper' (帮办代办: a hall helper who files and follows cases for
--     citizens who need it).
-- Additive only: nullable columns, one more enum value.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE cases
    ADD COLUMN agent_id_enc   VARBINARY(255) NULL COMMENT 'window 代办: the agent''s ID number, sealed',
    ADD COLUMN agent_id_hash  CHAR(64)       NULL COMMENT 'pii_hash("id", …)',
    ADD COLUMN agent_id_mask  VARCHAR(32)    NULL,
    ADD COLUMN agent_relation VARCHAR(16)    NULL COMMENT 'spouse, parent, child, relative, employee, other (docs/API.md)';

ALTER TABLE staff MODIFY role ENUM('clerk','approver','manager','admin','kiosk','helper') NOT NULL;
