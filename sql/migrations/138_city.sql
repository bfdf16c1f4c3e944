-- 138_city.sql — a region of halls and 全市通办 routing (issue 22, items 1 and 2).
--   * regions: a city (市) whose halls share the region's catalog; halls.region names it
--     (NULL: a hall on its own, its own city) and halls.kind says what the hall is: the city
--     centre (centre), a district hall (district) or a town 便民服务站 (station).
--   * departments.hall: the hall of the department's back office (where its approvers sit
--     and where the cases it decides go when the accepting hall does not decide them).
--   * staff gain the role 'city_manager': reads every hall's figures of the region, changes
--     nothing in a hall.
--   * cases.decide_hall: the hall whose approvers decide the case (the accepting hall when it
--     decides the item, else the deciding department's hall); cases.pickup_hall: where the
--     result is handed out (NULL: mailed).  A writer that leaves them NULL gets the
--     accepting hall (and, for a case to be collected, the accepting hall as the pickup
--     hall): the triggers below, so every way a case is filed keeps working unchanged.
-- Additive only: new table, new columns with defaults or NULL, one more ENUM value at the
-- end, triggers that only fill a NULL, and the backfill of the new columns.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE regions (
    code        VARCHAR(32)  NOT NULL,
    name        VARCHAR(100) NOT NULL,
    PRIMARY KEY (code),
    CONSTRAINT chk_regions_code CHECK (code REGEXP BINARY '^[a-z0-9][a-z0-9_-]*$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='regions (市): the halls that share one catalog and route cases among themselves';

-- Online schema change: the previous release keeps serving while this runs (it_upgrade).  A
-- foreign key added with foreign_key_checks on makes MariaDB copy the whole table and swap it
-- in, and a child row written at that moment (a ticket naming its hall) failed its own
-- foreign key check; so columns are added in place (INSTANT), keys without a lock, and each
-- foreign key in place with the checks off for that statement alone — every value it covers
-- is NULL when it is added, so there is nothing to check.
ALTER TABLE halls
  ADD COLUMN kind ENUM('centre','district','station') NOT NULL DEFAULT 'centre'
      COMMENT 'city centre, district hall, or town 便民服务站',
  ADD COLUMN region VARCHAR(32) NULL COMMENT 'the region (city) of the hall; NULL: on its own',
  ALGORITHM=INSTANT;
ALTER TABLE halls ADD KEY k_halls_region (region), ALGORITHM=INPLACE, LOCK=NONE;
SET SESSION foreign_key_checks = 0;
ALTER TABLE halls
  ADD CONSTRAINT fk_halls_region FOREIGN KEY (region) REFERENCES regions (code)
      ON UPDATE RESTRICT ON DELETE RESTRICT,
  ALGORITHM=INPLACE, LOCK=NONE;
SET SESSION foreign_key_checks = 1;

ALTER TABLE departments
  ADD COLUMN hall VARCHAR(32) NULL COMMENT 'the hall of the department''s back office',
  ALGORITHM=INSTANT;
ALTER TABLE departments ADD KEY k_departments_hall (hall), ALGORITHM=INPLACE, LOCK=NONE;
SET SESSION foreign_key_checks = 0;
ALTER TABLE departments
  ADD CONSTRAINT fk_departments_hall FOREIGN KEY (hall) REFERENCES halls (code)
      ON UPDATE RESTRICT ON DELETE RESTRICT,
  ALGORITHM=INPLACE, LOCK=NONE;
SET SESSION foreign_key_checks = 1;

ALTER TABLE staff MODIFY role
  ENUM('clerk','approver','manager','admin','kiosk','helper','region_admin','city_manager')
  NOT NULL;

ALTER TABLE cases
  ADD COLUMN decide_hall VARCHAR(32) NULL COMMENT 'the hall whose approvers decide (全市通办)',
  ADD COLUMN pickup_hall VARCHAR(32) NULL COMMENT 'where the result is handed out; NULL: mailed',
  ALGORITHM=INSTANT;
ALTER TABLE cases
  ADD KEY k_cases_decide_hall (decide_hall, status),
  ADD KEY k_cases_pickup_hall (pickup_hall, status),
  ALGORITHM=INPLACE, LOCK=NONE;
SET SESSION foreign_key_checks = 0;
ALTER TABLE cases
  ADD CONSTRAINT fk_cases_decide_hall FOREIGN KEY (decide_hall) REFERENCES halls (code),
  ADD CONSTRAINT fk_cases_pickup_hall FOREIGN KEY (pickup_hall) REFERENCES halls (code),
  ALGORITHM=INPLACE, LOCK=NONE;
SET SESSION foreign_key_checks = 1;

UPDATE cases SET decide_hall = hall WHERE decide_hall IS NULL;
UPDATE cases SET pickup_hall = hall WHERE pickup_hall IS NULL AND delivery = 'pickup';

CREATE TRIGGER trg_cases_route BEFORE INSERT ON cases FOR EACH ROW
  SET NEW.decide_hall = COALESCE(NEW.decide_hall, NEW.hall),
      NEW.pickup_hall = IF(NEW.delivery = 'pickup', COALESCE(NEW.pickup_hall, NEW.hall),
          NEW.pickup_hall);
