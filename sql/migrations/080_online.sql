-- 080_online.sql — online applications (全程网办), uploads, material reuse, bundles (一件事一次办),
-- agents (亲友代办).  Builds on 050_cases.sql: an online case is a cases row with channel
-- 'online' that starts as submitted (returned ↔ submitted) before the one acceptance.
--   * uploads: one row per upload; the bytes live outside the web root under upload_dir,
--     named by their SHA-256; the row's unguessable id is how a case names the file.
--   * online_materials: the applicant's form — one row per material of the application
--     (for a bundle, the union of its items' materials without duplicates), with the upload
--     given, whether it was reused from an earlier case, and the clerk's reason when returned.
--     case_materials keeps the per-item rows the departments see (050).
--   * bundles, bundle_items: the 一件事一次办 catalogue.  No foreign keys to items: the demo
--     items arrive with the demo seed after the migrations; GET /bundles shows a bundle only
--     when every one of its items exists in the hall.
-- Times are hall-local DATETIMEs written by the app from the hall clock.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE uploads (
    id          VARCHAR(43)       CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT '≥128-bit random token',
    sha256      CHAR(64)          CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'content hash = file name under upload_dir',
    type        ENUM('image/jpeg','image/png','application/pdf') NOT NULL COMMENT 'from the bytes, not the header',
    size        INT UNSIGNED      NOT NULL,
    owner_kind  ENUM('citizen','staff') NOT NULL,
    owner       VARCHAR(48)       NOT NULL COMMENT 'citizen id or staff id',
    hall        VARCHAR(32)       NULL COMMENT 'staff uploads: their hall',
    created_at  DATETIME          NOT NULL,
    PRIMARY KEY (id),
    KEY k_uploads_owner (owner_kind, owner, created_at),
    KEY k_uploads_sha (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='uploaded files (photos, PDFs), readable by the owner and the staff of the hall';

CREATE TABLE online_materials (
    case_id     BIGINT UNSIGNED   NOT NULL,
    code        VARCHAR(16)       NOT NULL COMMENT 'item code (M1…) or, for a bundle, the bundle''s union code',
    name        VARCHAR(200)      NOT NULL,
    required    TINYINT(1)        NOT NULL,
    parts       VARCHAR(500)      NOT NULL COMMENT '"IT-B-002:M1,IT-A-002:M1": the item materials it stands for',
    upload_id   VARCHAR(43)       CHARACTER SET ascii COLLATE ascii_bin NULL,
    reused      TINYINT(1)        NOT NULL DEFAULT 0 COMMENT 'taken, with consent, from an earlier accepted case',
    state       ENUM('given','returned','absent') NOT NULL,
    reason      VARCHAR(200)      NOT NULL DEFAULT '' COMMENT 'why the clerk returned it (一次性告知)',
    updated_at  DATETIME          NOT NULL,
    PRIMARY KEY (case_id, code),
    KEY k_online_materials_upload (upload_id),
    CONSTRAINT fk_online_materials_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE,
    CONSTRAINT fk_online_materials_upload FOREIGN KEY (upload_id) REFERENCES uploads (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='the materials of an online application as the applicant gave them';

CREATE TABLE bundles (
    id          VARCHAR(40)       NOT NULL,
    hall        VARCHAR(32)       NOT NULL,
    name        VARCHAR(200)      NOT NULL,
    description VARCHAR(500)      NOT NULL DEFAULT '',
    sort        SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    KEY k_bundles_hall (hall, sort)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='一件事一次办: items of several departments in one application';

CREATE TABLE bundle_items (
    bundle      VARCHAR(40)       NOT NULL,
    item        VARCHAR(40)       NOT NULL,
    sort        TINYINT UNSIGNED  NOT NULL,
    PRIMARY KEY (bundle, item),
    CONSTRAINT fk_bundle_items_bundle FOREIGN KEY (bundle) REFERENCES bundles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 代办: the agent who applies for (or follows) the applicant's case; notices go to both.
ALTER TABLE cases
    ADD COLUMN agent_name_enc   VARBINARY(255) NULL COMMENT '亲友代办 / 授权代理: the agent, sealed',
    ADD COLUMN agent_name_mask  VARCHAR(64)    NULL,
    ADD COLUMN agent_phone_enc  VARBINARY(255) NULL,
    ADD COLUMN agent_phone_hash CHAR(64)       NULL COMMENT 'pii_hash("phone", …): the agent follows it too',
    ADD COLUMN agent_phone_mask VARCHAR(32)    NULL,
    ADD COLUMN submitted_at     DATETIME       NULL COMMENT 'online: the last (re)submission',
    ADD KEY k_cases_agent_phone (agent_phone_hash);

-- Demo bundles, from the demo hall's items.
INSERT INTO bundles (id, hall, name, description, sort) VALUES
('BD-001', 'demo', '开办企业', '公司设立登记与员工社保参保登记一次申请，市场监管、人社并联办理。', 10),
('BD-002', 'demo', '新生儿出生一件事', '出生医学证明、居民医保参保、社会保障卡一次申请，卫健、医保、人社并联办理。', 20),
('BD-003', 'demo', '不动产转移登记+抵押注销', '存量房买卖转移登记与原抵押权注销一次申请、一次受理。', 30);
INSERT INTO bundle_items (bundle, item, sort) VALUES
('BD-001', 'IT-B-002', 1), ('BD-001', 'IT-A-002', 2),
('BD-002', 'IT-E-004', 1), ('BD-002', 'IT-A-003', 2), ('BD-002', 'IT-A-001', 3),
('BD-003', 'IT-D-001', 1), ('BD-003', 'IT-D-004', 2);
