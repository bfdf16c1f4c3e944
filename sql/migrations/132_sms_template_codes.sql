-- 132_sms_template_codes.sql — the template codes approved in each SMS provider's console,
-- set from the administration console (issue 21, part B).
--
-- The text of a template stays in sms-templates/<name>.tmpl; the file's aliyun / tencent
-- codes are placeholders until the provider approves the text.  A row here replaces the
-- file's code for that provider (the Tencent parameter order stays the file's, it follows
-- the text).  Read by the outbox worker through notify/sms_codes.c.  Additive: a new table.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE sms_template_codes (
    template    VARCHAR(64)  NOT NULL COMMENT 'sms-templates/<template>.tmpl',
    provider    ENUM('aliyun','tencent') NOT NULL,
    code        VARCHAR(64)  NOT NULL COMMENT 'SMS_123456789 (Aliyun) or 1234567 (Tencent)',
    updated_by  VARCHAR(48)  NOT NULL DEFAULT '',
    updated_at  DATETIME     NOT NULL,
    PRIMARY KEY (template, provider)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='provider template codes set by an admin, over the files'' placeholders';
