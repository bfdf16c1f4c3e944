-- 002_alerts: things the hall's managers must be told (a missing holiday calendar, …).
-- One open alert per hall and key; clearing sets cleared_at, raising again reopens it.
SET NAMES utf8mb4;

CREATE TABLE hall_alerts (
    hall        VARCHAR(32)  NOT NULL,
    akey        VARCHAR(64)  NOT NULL COMMENT 'what the alert is about, e.g. calendar:2027',
    level       ENUM('info','warning','critical') NOT NULL,
    message     VARCHAR(500) NOT NULL,
    raised_at   DATETIME     NOT NULL,
    cleared_at  DATETIME     NULL,
    PRIMARY KEY (hall, akey),
    CONSTRAINT fk_alerts_hall FOREIGN KEY (hall) REFERENCES halls (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
