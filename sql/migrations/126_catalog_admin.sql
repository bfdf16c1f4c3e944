-- 126_catalog_admin.sql — the region's catalog, administered (issue 21, part A).
--   * staff gain the role 'region_admin': the region's administrator, who keeps the shared
--     catalog (事项实施清单) and its bundles (一件事); a hall's 'admin' chooses which of them
--     the hall accepts (hall_items).
--   * items are versioned: items.version counts the changes, item_versions keeps each version
--     as the admin API showed it (the receipt of a case accepted under it reads its name,
--     department and time limit from there).  items.retired_at: retired, never deleted.
--   * item_materials rows never change their content: a changed material is a new row with a
--     new code, the old one is retired (retired_version) and kept for the cases that hold it.
--     since_version: the item's version that introduced the row.
--   * cases, case_parts and case_notices remember the item's version they were made under
--     (item_version, set by the triggers below when the writer leaves it NULL, so every way a
--     case is filed — window, bundle, online — records it without knowing of versions).
--   * hall_items: the hall's choice of region items — accepts (the hall takes applications),
--     decides (the hall's department decides; 0: another hall's department does, 全市通办,
--     issue 22) and the hall's category (queue) for the item.  An item without a row for its
--     own hall (items.hall) is accepted there under items.category, as before.
--   * bundles.retired_at: a bundle is retired, never deleted.
-- Additive only: new columns with defaults or NULL, one more value at the end of an ENUM,
-- new tables, triggers that only fill a NULL.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE staff MODIFY role
  ENUM('clerk','approver','manager','admin','kiosk','helper','region_admin') NOT NULL;

ALTER TABLE items
  ADD COLUMN version INT UNSIGNED NOT NULL DEFAULT 1
      COMMENT 'the catalog version of the item: 1, then +1 at every change',
  ADD COLUMN retired_at DATETIME NULL
      COMMENT 'retired: no longer offered; kept for the cases that hold it',
  ADD CONSTRAINT chk_items_version CHECK (version >= 1);

ALTER TABLE item_materials
  ADD COLUMN since_version INT UNSIGNED NOT NULL DEFAULT 1
      COMMENT 'the item version that introduced this material',
  ADD COLUMN retired_version INT UNSIGNED NULL
      COMMENT 'the item version that dropped or changed it; NULL: current',
  ADD KEY k_item_materials_current (item, retired_version);

CREATE TABLE item_versions (
    item        VARCHAR(40)       NOT NULL,
    version     INT UNSIGNED      NOT NULL,
    body        MEDIUMTEXT        NOT NULL COMMENT 'the item as GET /admin/items/{id} showed it (JSON)',
    at          DATETIME          NOT NULL,
    actor       VARCHAR(64)       NOT NULL COMMENT 'staff id, or import:<file> / seed',
    PRIMARY KEY (item, version),
    CONSTRAINT chk_item_versions_body CHECK (JSON_VALID(body))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='every version of every catalog item, as it was';

CREATE TABLE hall_items (
    hall        VARCHAR(32)       NOT NULL,
    item        VARCHAR(40)       NOT NULL,
    accepts     TINYINT(1)        NOT NULL COMMENT 'the hall takes applications for the item',
    decides     TINYINT(1)        NOT NULL COMMENT '1: the hall''s department decides; 0: another hall''s (全市通办)',
    category    CHAR(1)           NOT NULL COMMENT 'the hall''s queue for the item',
    updated_at  DATETIME          NOT NULL,
    PRIMARY KEY (hall, item),
    KEY k_hall_items_item (item),
    CONSTRAINT fk_hall_items_category FOREIGN KEY (hall, category)
        REFERENCES categories (hall, code) ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT fk_hall_items_item FOREIGN KEY (item) REFERENCES items (id)
        ON UPDATE RESTRICT ON DELETE RESTRICT,
    CONSTRAINT chk_hall_items_accepts CHECK (accepts IN (0, 1)),
    CONSTRAINT chk_hall_items_decides CHECK (decides IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='which region items each hall accepts, who decides, in which queue';

ALTER TABLE bundles
  ADD COLUMN retired_at DATETIME NULL COMMENT 'retired: no longer offered; kept for its cases';

ALTER TABLE cases
  ADD COLUMN item_version INT UNSIGNED NULL COMMENT 'items.version when filed';
ALTER TABLE case_parts
  ADD COLUMN item_version INT UNSIGNED NULL COMMENT 'items.version when filed';
ALTER TABLE case_notices
  ADD COLUMN item_version INT UNSIGNED NULL COMMENT 'items.version when written';

CREATE TRIGGER trg_cases_item_version BEFORE INSERT ON cases FOR EACH ROW
  SET NEW.item_version = COALESCE(NEW.item_version,
      (SELECT version FROM items WHERE id = NEW.item));
CREATE TRIGGER trg_case_parts_item_version BEFORE INSERT ON case_parts FOR EACH ROW
  SET NEW.item_version = COALESCE(NEW.item_version,
      (SELECT version FROM items WHERE id = NEW.item));
CREATE TRIGGER trg_case_notices_item_version BEFORE INSERT ON case_notices FOR EACH ROW
  SET NEW.item_version = COALESCE(NEW.item_version,
      (SELECT version FROM items WHERE id = NEW.item));

-- The before and after of every change to the catalog, a hall's choices and the bundles
-- (GET /admin/.../audit).  Insert-only for the app, like every audit* table; the general
-- audit_log gets its one line per change too.
CREATE TABLE audit_catalog (
    id          BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
    at          DATETIME          NOT NULL,
    actor       VARCHAR(64)       NOT NULL COMMENT 'staff id, or import:<source> / seed',
    action      VARCHAR(32)       NOT NULL COMMENT 'create, change, retire, restore, choose, import',
    kind        ENUM('item','bundle','hall_item') NOT NULL,
    record      VARCHAR(80)       NOT NULL COMMENT 'item id, bundle id, or <hall>/<item>',
    version     INT UNSIGNED      NULL COMMENT 'items: the version written',
    before_json MEDIUMTEXT        NULL,
    after_json  MEDIUMTEXT        NULL,
    PRIMARY KEY (id),
    KEY k_audit_catalog_record (kind, record, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='append-only: before and after of each catalog change';
