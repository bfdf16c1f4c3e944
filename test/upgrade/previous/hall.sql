
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;
DROP TABLE IF EXISTS `appointment_bans`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `appointment_bans` (
  `hall` varchar(32) NOT NULL,
  `idnum_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  `since` date NOT NULL COMMENT 'the day of the no-show that caused it',
  `until` date NOT NULL COMMENT 'last day of the ban',
  PRIMARY KEY (`hall`,`idnum_hash`),
  CONSTRAINT `fk_appt_ban_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `chk_appt_ban` CHECK (`since` <= `until`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='booking bans after repeated no-shows';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `appointment_bans` WRITE;
/*!40000 ALTER TABLE `appointment_bans` DISABLE KEYS */;
/*!40000 ALTER TABLE `appointment_bans` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `appointment_history`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `appointment_history` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `appointment_id` bigint(20) unsigned NOT NULL,
  `at` datetime(3) NOT NULL,
  `action` varchar(16) NOT NULL COMMENT 'book, cancel, reschedule, check_in, no_show',
  `from_status` varchar(12) DEFAULT NULL,
  `to_status` varchar(12) NOT NULL,
  `actor_kind` enum('citizen','staff','kiosk','system') NOT NULL,
  `actor` varchar(48) NOT NULL DEFAULT '',
  `detail` varchar(200) NOT NULL DEFAULT '' COMMENT 'e.g. the old and new slot; never personal data',
  PRIMARY KEY (`id`),
  KEY `k_appt_history` (`appointment_id`,`at`),
  CONSTRAINT `fk_appt_history` FOREIGN KEY (`appointment_id`) REFERENCES `appointments` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='history of every appointment';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `appointment_history` WRITE;
/*!40000 ALTER TABLE `appointment_history` DISABLE KEYS */;
INSERT INTO `appointment_history` VALUES
(1,1,'2026-11-23 09:30:05.111','book',NULL,'booked','citizen','1','A-20261124-0830');
/*!40000 ALTER TABLE `appointment_history` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `appointment_slot_overrides`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `appointment_slot_overrides` (
  `hall` varchar(32) NOT NULL,
  `category` char(1) NOT NULL,
  `day` date NOT NULL,
  `start_time` time NOT NULL,
  `capacity` smallint(5) unsigned NOT NULL,
  `updated_by` varchar(48) NOT NULL DEFAULT '',
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`hall`,`category`,`day`,`start_time`),
  KEY `fk_appt_ovr_template` (`hall`,`category`,`start_time`),
  CONSTRAINT `fk_appt_ovr_template` FOREIGN KEY (`hall`, `category`, `start_time`) REFERENCES `appointment_slot_templates` (`hall`, `category`, `start_time`) ON DELETE CASCADE,
  CONSTRAINT `chk_appt_ovr_capacity` CHECK (`capacity` <= 1000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='per-day capacity of a slot, set by a manager';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `appointment_slot_overrides` WRITE;
/*!40000 ALTER TABLE `appointment_slot_overrides` DISABLE KEYS */;
/*!40000 ALTER TABLE `appointment_slot_overrides` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `appointment_slot_templates`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `appointment_slot_templates` (
  `hall` varchar(32) NOT NULL,
  `category` char(1) NOT NULL,
  `start_time` time NOT NULL,
  `minutes` smallint(5) unsigned NOT NULL DEFAULT 30,
  `capacity` smallint(5) unsigned NOT NULL,
  PRIMARY KEY (`hall`,`category`,`start_time`),
  CONSTRAINT `fk_appt_tmpl_category` FOREIGN KEY (`hall`, `category`) REFERENCES `categories` (`hall`, `code`) ON DELETE CASCADE,
  CONSTRAINT `chk_appt_tmpl_minutes` CHECK (`minutes` between 5 and 240),
  CONSTRAINT `chk_appt_tmpl_capacity` CHECK (`capacity` <= 1000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='appointment slots offered on each working day';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `appointment_slot_templates` WRITE;
/*!40000 ALTER TABLE `appointment_slot_templates` DISABLE KEYS */;
INSERT INTO `appointment_slot_templates` VALUES
('demo','A','08:30:00',30,6),
('demo','A','09:00:00',30,6),
('demo','A','09:30:00',30,6),
('demo','A','10:00:00',30,6),
('demo','A','10:30:00',30,6),
('demo','A','11:00:00',30,6),
('demo','A','11:30:00',30,6),
('demo','A','13:30:00',30,6),
('demo','A','14:00:00',30,6),
('demo','A','14:30:00',30,6),
('demo','A','15:00:00',30,6),
('demo','A','15:30:00',30,6),
('demo','A','16:00:00',30,6),
('demo','A','16:30:00',30,6),
('demo','A','17:00:00',30,6),
('demo','B','08:30:00',30,4),
('demo','B','09:00:00',30,4),
('demo','B','09:30:00',30,4),
('demo','B','10:00:00',30,4),
('demo','B','10:30:00',30,4),
('demo','B','11:00:00',30,4),
('demo','B','11:30:00',30,4),
('demo','B','13:30:00',30,4),
('demo','B','14:00:00',30,4),
('demo','B','14:30:00',30,4),
('demo','B','15:00:00',30,4),
('demo','B','15:30:00',30,4),
('demo','B','16:00:00',30,4),
('demo','B','16:30:00',30,4),
('demo','B','17:00:00',30,4),
('demo','C','08:30:00',30,4),
('demo','C','09:00:00',30,4),
('demo','C','09:30:00',30,4),
('demo','C','10:00:00',30,4),
('demo','C','10:30:00',30,4),
('demo','C','11:00:00',30,4),
('demo','C','11:30:00',30,4),
('demo','C','13:30:00',30,4),
('demo','C','14:00:00',30,4),
('demo','C','14:30:00',30,4),
('demo','C','15:00:00',30,4),
('demo','C','15:30:00',30,4),
('demo','C','16:00:00',30,4),
('demo','C','16:30:00',30,4),
('demo','C','17:00:00',30,4),
('demo','D','08:30:00',30,4),
('demo','D','09:00:00',30,4),
('demo','D','09:30:00',30,4),
('demo','D','10:00:00',30,4),
('demo','D','10:30:00',30,4),
('demo','D','11:00:00',30,4),
('demo','D','11:30:00',30,4),
('demo','D','13:30:00',30,4),
('demo','D','14:00:00',30,4),
('demo','D','14:30:00',30,4),
('demo','D','15:00:00',30,4),
('demo','D','15:30:00',30,4),
('demo','D','16:00:00',30,4),
('demo','D','16:30:00',30,4),
('demo','D','17:00:00',30,4),
('demo','E','08:30:00',30,4),
('demo','E','09:00:00',30,4),
('demo','E','09:30:00',30,4),
('demo','E','10:00:00',30,4),
('demo','E','10:30:00',30,4),
('demo','E','11:00:00',30,4),
('demo','E','11:30:00',30,4),
('demo','E','13:30:00',30,4),
('demo','E','14:00:00',30,4),
('demo','E','14:30:00',30,4),
('demo','E','15:00:00',30,4),
('demo','E','15:30:00',30,4),
('demo','E','16:00:00',30,4),
('demo','E','16:30:00',30,4),
('demo','E','17:00:00',30,4),
('demo','F','08:30:00',30,4),
('demo','F','09:00:00',30,4),
('demo','F','09:30:00',30,4),
('demo','F','10:00:00',30,4),
('demo','F','10:30:00',30,4),
('demo','F','11:00:00',30,4),
('demo','F','11:30:00',30,4),
('demo','F','13:30:00',30,4),
('demo','F','14:00:00',30,4),
('demo','F','14:30:00',30,4),
('demo','F','15:00:00',30,4),
('demo','F','15:30:00',30,4),
('demo','F','16:00:00',30,4),
('demo','F','16:30:00',30,4),
('demo','F','17:00:00',30,4);
/*!40000 ALTER TABLE `appointment_slot_templates` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `appointments`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `appointments` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT COMMENT 'internal, never shown',
  `token_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'SHA-256 of the token (>= 128 random bits)',
  `token_enc` varbinary(255) NOT NULL COMMENT 'the token sealed, so "my appointments" can give it back',
  `code` char(6) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT '6-digit appointment code (SMS, kiosk)',
  `hall` varchar(32) NOT NULL,
  `category` char(1) NOT NULL,
  `day` date NOT NULL,
  `start_time` time NOT NULL,
  `end_time` time NOT NULL,
  `seat` smallint(5) unsigned DEFAULT NULL COMMENT '1..capacity while live; NULL once cancelled',
  `citizen_id` bigint(20) unsigned NOT NULL COMMENT 'the signed-in citizen who booked',
  `name_enc` varbinary(255) NOT NULL COMMENT 'real name of the visitor, sealed',
  `idnum_enc` varbinary(255) NOT NULL COMMENT 'resident ID number, sealed',
  `idnum_hash` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'keyed hash of the ID number (limits, bans); VARCHAR: a generated column depends on it',
  `item` varchar(40) DEFAULT NULL,
  `status` enum('booked','checked_in','cancelled','no_show') NOT NULL DEFAULT 'booked',
  `ticket_id` bigint(20) unsigned DEFAULT NULL COMMENT 'the priority ticket issued at check-in',
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  `checked_in_at` datetime(3) DEFAULT NULL,
  `cancelled_at` datetime(3) DEFAULT NULL,
  `reminded_at` datetime(3) DEFAULT NULL COMMENT 'reminder SMS queued (the day before)',
  `live_citizen` bigint(20) unsigned GENERATED ALWAYS AS (if(`status` in ('booked','checked_in'),`citizen_id`,NULL)) STORED,
  `live_idnum` varchar(64) CHARACTER SET ascii COLLATE ascii_bin GENERATED ALWAYS AS (if(`status` in ('booked','checked_in'),`idnum_hash`,NULL)) STORED,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_appt_token` (`token_hash`),
  UNIQUE KEY `uk_appt_code` (`hall`,`day`,`code`),
  UNIQUE KEY `uk_appt_seat` (`hall`,`day`,`category`,`start_time`,`seat`),
  UNIQUE KEY `uk_appt_day_citizen` (`hall`,`day`,`live_citizen`),
  UNIQUE KEY `uk_appt_day_idnum` (`hall`,`day`,`live_idnum`),
  KEY `k_appt_citizen` (`citizen_id`,`day`),
  KEY `k_appt_idnum` (`hall`,`idnum_hash`,`day`),
  KEY `k_appt_status` (`hall`,`day`,`status`,`start_time`),
  KEY `fk_appt_category` (`hall`,`category`),
  KEY `fk_appt_item` (`item`),
  KEY `fk_appt_ticket` (`ticket_id`),
  KEY `k_appt_due` (`status`,`day`,`end_time`),
  CONSTRAINT `fk_appt_category` FOREIGN KEY (`hall`, `category`) REFERENCES `categories` (`hall`, `code`),
  CONSTRAINT `fk_appt_citizen` FOREIGN KEY (`citizen_id`) REFERENCES `citizens` (`id`),
  CONSTRAINT `fk_appt_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `fk_appt_item` FOREIGN KEY (`item`) REFERENCES `items` (`id`),
  CONSTRAINT `fk_appt_ticket` FOREIGN KEY (`ticket_id`) REFERENCES `queue_tickets` (`id`),
  CONSTRAINT `chk_appt_code` CHECK (`code` regexp '^[0-9]{6}$'),
  CONSTRAINT `chk_appt_time` CHECK (`start_time` < `end_time`),
  CONSTRAINT `chk_appt_seat` CHECK (`status` = 'cancelled' = (`seat` is null)),
  CONSTRAINT `chk_appt_seat1` CHECK (`seat` is null or `seat` >= 1),
  CONSTRAINT `chk_appt_ticket` CHECK (`status` = 'checked_in' = (`ticket_id` is not null))
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='appointments (预约)';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `appointments` WRITE;
/*!40000 ALTER TABLE `appointments` DISABLE KEYS */;
INSERT INTO `appointments` VALUES
(1,'d27adbff65941110cef7dd9ccd2e2b9c30a8b745b919ea29926f03e2916d4f5f',0x09CCB90FAF1E2C10C0F09BA7833061D72F18A1038E08F24234500952CA5A25F6AFAF7D260ACD148518E777496BAB1C6F5564ED7D469B0502225A0CBB590817FC,'857351','demo','A','2026-11-24','08:30:00','09:00:00',1,1,0xBABE2A67F5DFE31E4F8163DCC1F634FA7C11FF1FFC7998969E179B9D81712DB3A04B6E0F39357BF0F7D7EB74B5D0,0x8A3E3B12F28594CCADD501B41C3224F31E6CC3C248E1498CBB98737A4DD58A10297115628A50402F9706ECEFFE3D08DCE9B18B7A34DEB01E23A5,'dbe2f1aaf2ec0ed758310954d0ecf287dedb463d12bca3bc2c290953d6beaa3e',NULL,'booked',NULL,'2026-11-23 09:30:05.111','2026-11-23 09:30:05.111',NULL,NULL,NULL,1,'dbe2f1aaf2ec0ed758310954d0ecf287dedb463d12bca3bc2c290953d6beaa3e');
/*!40000 ALTER TABLE `appointments` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `audit_log`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `audit_log` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `at` datetime(3) NOT NULL DEFAULT current_timestamp(3),
  `hall` varchar(32) DEFAULT NULL,
  `actor_kind` enum('citizen','staff','system','anonymous') NOT NULL,
  `actor` varchar(64) NOT NULL DEFAULT '',
  `action` varchar(64) NOT NULL,
  `target` varchar(128) NOT NULL DEFAULT '',
  `result` varchar(32) NOT NULL,
  `remote_addr` varchar(45) NOT NULL DEFAULT '',
  `detail` varchar(500) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  KEY `k_audit_log_at` (`at`),
  KEY `k_audit_log_hall_at` (`hall`,`at`)
) ENGINE=InnoDB AUTO_INCREMENT=40 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='append-only audit trail';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `audit_log` WRITE;
/*!40000 ALTER TABLE `audit_log` DISABLE KEYS */;
INSERT INTO `audit_log` VALUES
(1,'2026-11-23 09:30:00.522','demo','system','yichuang-admin','staff.create','clerk1','ok','local',''),
(2,'2026-11-23 09:30:00.634','demo','system','yichuang-admin','staff.create','clerk2','ok','local',''),
(3,'2026-11-23 09:30:00.747','demo','system','yichuang-admin','staff.create','clerk3','ok','local',''),
(4,'2026-11-23 09:30:00.845','demo','system','yichuang-admin','staff.create','clerk4','ok','local',''),
(5,'2026-11-23 09:30:00.944','demo','system','yichuang-admin','staff.create','clerk5','ok','local',''),
(6,'2026-11-23 09:30:01.052','demo','system','yichuang-admin','staff.create','clerk6','ok','local',''),
(7,'2026-11-23 09:30:01.151','demo','system','yichuang-admin','staff.create','clerk7','ok','local',''),
(8,'2026-11-23 09:30:01.252','demo','system','yichuang-admin','staff.create','clerk8','ok','local',''),
(9,'2026-11-23 09:30:01.362','demo','system','yichuang-admin','staff.create','approver1','ok','local',''),
(10,'2026-11-23 09:30:01.472','demo','system','yichuang-admin','staff.create','manager1','ok','local',''),
(11,'2026-11-23 09:30:01.575','demo','system','yichuang-admin','staff.create','admin','ok','local',''),
(12,'2026-11-23 09:30:01.671','demo','system','yichuang-admin','staff.create','kiosk1','ok','local',''),
(13,'2026-11-23 09:30:02.502','demo','staff','12','staff.login','kiosk1','ok','127.0.0.1',''),
(14,'2026-11-23 09:30:02.651','demo','staff','1','staff.login','clerk1','ok','127.0.0.1',''),
(15,'2026-11-23 09:30:02.820','demo','staff','9','staff.login','approver1','ok','127.0.0.1',''),
(16,'2026-11-23 09:30:02.844','demo','staff','12','queue.take','demo/2026-11-23/A001','ok','127.0.0.1','kiosk normal'),
(17,'2026-11-23 09:30:02.973','demo','staff','12','queue.take','demo/2026-11-23/A002','ok','127.0.0.1','kiosk normal'),
(18,'2026-11-23 09:30:03.045','demo','staff','12','queue.take','demo/2026-11-23/A003','ok','127.0.0.1','kiosk normal'),
(19,'2026-11-23 09:30:03.359','demo','staff','12','queue.take','demo/2026-11-23/A004','ok','127.0.0.1','kiosk normal'),
(20,'2026-11-23 09:30:03.476','demo','staff','12','queue.take','demo/2026-11-23/A005','ok','127.0.0.1','kiosk elderly'),
(21,'2026-11-23 09:30:03.708','demo','staff','12','queue.take','demo/2026-11-23/B001','ok','127.0.0.1','kiosk normal'),
(22,'2026-11-23 09:30:04.070','demo','staff','12','queue.take','demo/2026-11-23/B002','ok','127.0.0.1','kiosk normal'),
(23,'2026-11-23 09:30:04.282','demo','staff','12','queue.take','demo/2026-11-23/C001','ok','127.0.0.1','kiosk normal'),
(24,'2026-11-23 09:30:04.386','demo','staff','1','queue.call','demo/2026-11-23/A005','ok','127.0.0.1','window 1'),
(25,'2026-11-23 09:30:04.406','demo','staff','1','queue.start','demo/2026-11-23/A005','ok','127.0.0.1','window 1 '),
(26,'2026-11-23 09:30:04.521','demo','staff','1','case.accept','DEMO-20261123-0001','ok','127.0.0.1','accepted'),
(27,'2026-11-23 09:30:04.593','demo','staff','1','queue.finish','demo/2026-11-23/A005','ok','127.0.0.1','window 1 done'),
(28,'2026-11-23 09:30:04.612','demo','staff','1','queue.call','demo/2026-11-23/A001','ok','127.0.0.1','window 1'),
(29,'2026-11-23 09:30:04.639','demo','staff','1','queue.skip','demo/2026-11-23/A001','ok','127.0.0.1','window 1 '),
(30,'2026-11-23 09:30:04.659','demo','staff','1','queue.call','demo/2026-11-23/A002','ok','127.0.0.1','window 1'),
(31,'2026-11-23 09:30:04.677','demo','staff','1','queue.finish','demo/2026-11-23/A002','ok','127.0.0.1','window 1 done'),
(32,'2026-11-23 09:30:04.703','demo','staff','9','case.assign','DEMO-20261123-0001','ok','127.0.0.1','scjg'),
(33,'2026-11-23 09:30:04.725',NULL,'anonymous','','review.create','A005','ok','127.0.0.1',''),
(34,'2026-11-23 09:30:04.773',NULL,'anonymous','','citizen.sms_code','138****8003','ok','127.0.0.1','login'),
(35,'2026-11-23 09:30:05.008',NULL,'citizen','1','citizen.login','sms 138****8003','ok','127.0.0.1',''),
(36,'2026-11-23 09:30:05.113',NULL,'citizen','1','appointment.book','appointment:1','ok','127.0.0.1','A-20261124-0830'),
(37,'2026-11-23 09:30:06.260','demo','staff','12','staff.login','kiosk1','ok','127.0.0.1',''),
(38,'2026-11-23 09:30:06.455','demo','staff','1','staff.login','clerk1','ok','127.0.0.1',''),
(39,'2026-11-23 09:30:06.477','demo','staff','1','case.reveal','DEMO-20261123-0001','ok','127.0.0.1','applicant');
/*!40000 ALTER TABLE `audit_log` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `bundle_items`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `bundle_items` (
  `bundle` varchar(40) NOT NULL,
  `item` varchar(40) NOT NULL,
  `sort` tinyint(3) unsigned NOT NULL,
  PRIMARY KEY (`bundle`,`item`),
  CONSTRAINT `fk_bundle_items_bundle` FOREIGN KEY (`bundle`) REFERENCES `bundles` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `bundle_items` WRITE;
/*!40000 ALTER TABLE `bundle_items` DISABLE KEYS */;
INSERT INTO `bundle_items` VALUES
('BD-001','IT-A-002',2),
('BD-001','IT-B-002',1),
('BD-002','IT-A-001',3),
('BD-002','IT-A-003',2),
('BD-002','IT-E-004',1),
('BD-003','IT-D-001',1),
('BD-003','IT-D-004',2);
/*!40000 ALTER TABLE `bundle_items` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `bundles`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `bundles` (
  `id` varchar(40) NOT NULL,
  `hall` varchar(32) NOT NULL,
  `name` varchar(200) NOT NULL,
  `description` varchar(500) NOT NULL DEFAULT '',
  `sort` smallint(5) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `k_bundles_hall` (`hall`,`sort`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='一件事一次办: items of several departments in one application';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `bundles` WRITE;
/*!40000 ALTER TABLE `bundles` DISABLE KEYS */;
INSERT INTO `bundles` VALUES
('BD-001','demo','开办企业','公司设立登记与员工社保参保登记一次申请，市场监管、人社并联办理。',10),
('BD-002','demo','新生儿出生一件事','出生医学证明、居民医保参保、社会保障卡一次申请，卫健、医保、人社并联办理。',20),
('BD-003','demo','不动产转移登记+抵押注销','存量房买卖转移登记与原抵押权注销一次申请、一次受理。',30);
/*!40000 ALTER TABLE `bundles` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `calendar_days`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `calendar_days` (
  `day` date NOT NULL,
  `off` tinyint(1) NOT NULL,
  `name` varchar(32) NOT NULL COMMENT 'e.g. 春节, 国庆节补班',
  PRIMARY KEY (`day`),
  CONSTRAINT `chk_calendar_days_off` CHECK (`off` in (0,1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='holidays and make-up working days';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `calendar_days` WRITE;
/*!40000 ALTER TABLE `calendar_days` DISABLE KEYS */;
INSERT INTO `calendar_days` VALUES
('2026-01-01',1,'元旦'),
('2026-01-02',1,'元旦'),
('2026-01-03',1,'元旦'),
('2026-01-04',0,'元旦'),
('2026-02-14',0,'春节'),
('2026-02-15',1,'春节'),
('2026-02-16',1,'春节'),
('2026-02-17',1,'春节'),
('2026-02-18',1,'春节'),
('2026-02-19',1,'春节'),
('2026-02-20',1,'春节'),
('2026-02-21',1,'春节'),
('2026-02-22',1,'春节'),
('2026-02-23',1,'春节'),
('2026-02-28',0,'春节'),
('2026-04-04',1,'清明节'),
('2026-04-05',1,'清明节'),
('2026-04-06',1,'清明节'),
('2026-05-01',1,'劳动节'),
('2026-05-02',1,'劳动节'),
('2026-05-03',1,'劳动节'),
('2026-05-04',1,'劳动节'),
('2026-05-05',1,'劳动节'),
('2026-05-09',0,'劳动节'),
('2026-06-19',1,'端午节'),
('2026-06-20',1,'端午节'),
('2026-06-21',1,'端午节'),
('2026-09-20',0,'国庆节'),
('2026-09-25',1,'中秋节'),
('2026-09-26',1,'中秋节'),
('2026-09-27',1,'中秋节'),
('2026-10-01',1,'国庆节'),
('2026-10-02',1,'国庆节'),
('2026-10-03',1,'国庆节'),
('2026-10-04',1,'国庆节'),
('2026-10-05',1,'国庆节'),
('2026-10-06',1,'国庆节'),
('2026-10-07',1,'国庆节'),
('2026-10-10',0,'国庆节');
/*!40000 ALTER TABLE `calendar_days` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `calendar_years`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `calendar_years` (
  `year` smallint(5) unsigned NOT NULL,
  `source` varchar(300) NOT NULL COMMENT 'where the holiday list came from',
  `loaded_at` datetime NOT NULL,
  PRIMARY KEY (`year`),
  CONSTRAINT `chk_calendar_years_year` CHECK (`year` between 2000 and 2100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='years whose holidays are loaded';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `calendar_years` WRITE;
/*!40000 ALTER TABLE `calendar_years` DISABLE KEYS */;
INSERT INTO `calendar_years` VALUES
(2026,'国务院办公厅关于2026年部分节假日安排的通知 (2025年11月4日)','2026-12-03 15:50:57');
/*!40000 ALTER TABLE `calendar_years` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `case_counters`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `case_counters` (
  `hall` varchar(32) NOT NULL,
  `day` date NOT NULL,
  `last` int(10) unsigned NOT NULL,
  PRIMARY KEY (`hall`,`day`),
  CONSTRAINT `fk_case_counters_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='per hall and day: the last case sequence number handed out';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `case_counters` WRITE;
/*!40000 ALTER TABLE `case_counters` DISABLE KEYS */;
INSERT INTO `case_counters` VALUES
('demo','2026-11-23',1);
/*!40000 ALTER TABLE `case_counters` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `case_history`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `case_history` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `case_id` bigint(20) unsigned NOT NULL,
  `at` datetime NOT NULL,
  `action` varchar(32) NOT NULL COMMENT 'accept, assign, approve, … or warning',
  `from_status` varchar(24) DEFAULT NULL,
  `to_status` varchar(24) NOT NULL,
  `department` varchar(32) DEFAULT NULL,
  `actor_kind` enum('staff','citizen','system') NOT NULL,
  `actor` varchar(48) NOT NULL DEFAULT '' COMMENT 'staff id or citizen id',
  `actor_name` varchar(50) NOT NULL DEFAULT '',
  `note` varchar(500) NOT NULL DEFAULT '' COMMENT 'for staff',
  `public_note` varchar(500) NOT NULL DEFAULT '' COMMENT 'shown to the applicant on the tracking page',
  PRIMARY KEY (`id`),
  KEY `k_case_history_case` (`case_id`,`id`),
  CONSTRAINT `fk_case_history_case` FOREIGN KEY (`case_id`) REFERENCES `cases` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='the timeline of each case (one row per change)';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `case_history` WRITE;
/*!40000 ALTER TABLE `case_history` DISABLE KEYS */;
INSERT INTO `case_history` VALUES
(1,1,'2026-11-23 09:30:04','accept',NULL,'accepted','scjg','staff','1','王晓明','','材料齐全，予以受理'),
(2,1,'2026-11-23 09:30:04','assign','accepted','processing','scjg','staff','9','周建国','由 周建国 办理','已转审批部门办理');
/*!40000 ALTER TABLE `case_history` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `case_materials`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `case_materials` (
  `case_id` bigint(20) unsigned NOT NULL,
  `item` varchar(40) NOT NULL,
  `code` varchar(16) NOT NULL,
  `name` varchar(200) NOT NULL COMMENT 'as listed when filed',
  `required` tinyint(1) NOT NULL,
  `state` enum('received','waived','requested','absent') NOT NULL,
  `due` date DEFAULT NULL COMMENT 'waived: the date the applicant committed to',
  `committed_at` datetime DEFAULT NULL COMMENT 'waived: when the applicant signed the commitment (容缺承诺)',
  `received_at` datetime DEFAULT NULL,
  `upload_id` varchar(64) DEFAULT NULL COMMENT 'online applications (issue 11)',
  PRIMARY KEY (`case_id`,`item`,`code`),
  CONSTRAINT `fk_case_materials_case` FOREIGN KEY (`case_id`) REFERENCES `cases` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_case_materials_waived` CHECK (`state` <> 'waived' or `due` is not null and `committed_at` is not null)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='materials of a case: received, waived (容缺) or requested again (补正)';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `case_materials` WRITE;
/*!40000 ALTER TABLE `case_materials` DISABLE KEYS */;
INSERT INTO `case_materials` VALUES
(1,'IT-B-003','M1','食品经营许可申请书',1,'received',NULL,NULL,'2026-11-23 09:30:04',NULL),
(1,'IT-B-003','M2','营业执照',1,'received',NULL,NULL,'2026-11-23 09:30:04',NULL),
(1,'IT-B-003','M3','主要设备设施、经营布局及操作流程文件',1,'received',NULL,NULL,'2026-11-23 09:30:04',NULL),
(1,'IT-B-003','M4','保证食品安全的规章制度',1,'received',NULL,NULL,'2026-11-23 09:30:04',NULL),
(1,'IT-B-003','M5','法定代表人（负责人）居民身份证',1,'received',NULL,NULL,'2026-11-23 09:30:04',NULL);
/*!40000 ALTER TABLE `case_materials` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `case_notices`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `case_notices` (
  `token_hash` char(64) NOT NULL,
  `token_enc` varbinary(255) NOT NULL,
  `kind` enum('accepted','incomplete','supplement') NOT NULL,
  `hall` varchar(32) NOT NULL,
  `item` varchar(40) NOT NULL,
  `case_id` bigint(20) unsigned DEFAULT NULL COMMENT 'NULL for a 一次性告知书: no case exists',
  `applicant_mask` varchar(64) NOT NULL DEFAULT '',
  `materials` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL COMMENT 'incomplete / supplement: [{"code","name","form","copies","note"}]' CHECK (json_valid(`materials`)),
  `note` varchar(500) NOT NULL DEFAULT '',
  `window_no` smallint(5) unsigned DEFAULT NULL,
  `created_by` bigint(20) unsigned DEFAULT NULL,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `k_case_notices_case` (`case_id`),
  KEY `fk_case_notices_hall` (`hall`),
  CONSTRAINT `fk_case_notices_case` FOREIGN KEY (`case_id`) REFERENCES `cases` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_case_notices_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='printable notices: 受理通知书, 一次性告知书, 补正告知书';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `case_notices` WRITE;
/*!40000 ALTER TABLE `case_notices` DISABLE KEYS */;
INSERT INTO `case_notices` VALUES
('5e782e0715b1fa9a837972d3763db6a0b8abe1af5658949893d079f1d134fe06',0x758B55D58C91A7D9653E9600AF7C09BEACED0193C98B8D288481A76DCCBCC3A16B615D4D59D0E7A193C2B9268CD72A721301FB790D827627FE209965CDE600E5B175275EE727B66C792CB3A29F538780491D6D,'accepted','demo','IT-B-003',1,'张**',NULL,'',1,1,'2026-11-23 09:30:04');
/*!40000 ALTER TABLE `case_notices` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `case_parts`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `case_parts` (
  `case_id` bigint(20) unsigned NOT NULL,
  `seq` tinyint(3) unsigned NOT NULL,
  `item` varchar(40) NOT NULL,
  `department` varchar(32) NOT NULL,
  `status` enum('pending','processing','supplement_needed','approved','rejected') NOT NULL DEFAULT 'pending',
  `promised_days` smallint(5) unsigned NOT NULL,
  `deadline` date DEFAULT NULL,
  `assigned_to` bigint(20) unsigned DEFAULT NULL,
  `decided_at` datetime DEFAULT NULL,
  `decided_by` bigint(20) unsigned DEFAULT NULL,
  PRIMARY KEY (`case_id`,`seq`),
  UNIQUE KEY `uk_case_parts_item` (`case_id`,`item`),
  KEY `k_case_parts_department` (`department`,`case_id`),
  KEY `fk_case_parts_item` (`item`),
  KEY `fk_case_parts_assigned` (`assigned_to`),
  CONSTRAINT `fk_case_parts_assigned` FOREIGN KEY (`assigned_to`) REFERENCES `staff` (`id`),
  CONSTRAINT `fk_case_parts_case` FOREIGN KEY (`case_id`) REFERENCES `cases` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_case_parts_department` FOREIGN KEY (`department`) REFERENCES `departments` (`code`),
  CONSTRAINT `fk_case_parts_item` FOREIGN KEY (`item`) REFERENCES `items` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='one part per item (department) of a case; a bundle has several';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `case_parts` WRITE;
/*!40000 ALTER TABLE `case_parts` DISABLE KEYS */;
INSERT INTO `case_parts` VALUES
(1,1,'IT-B-003','scjg','processing',5,'2026-11-30',9,NULL,NULL);
/*!40000 ALTER TABLE `case_parts` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `case_supplements`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `case_supplements` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `case_id` bigint(20) unsigned NOT NULL,
  `requested_at` datetime NOT NULL,
  `requested_by` bigint(20) unsigned NOT NULL,
  `materials` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT '[{"code","name"}]' CHECK (json_valid(`materials`)),
  `note` varchar(500) NOT NULL DEFAULT '',
  `received_at` datetime DEFAULT NULL,
  `received_by` bigint(20) unsigned DEFAULT NULL,
  `paused_days` smallint(5) unsigned DEFAULT NULL COMMENT 'working days the clock stood still',
  PRIMARY KEY (`id`),
  KEY `k_case_supplements_case` (`case_id`),
  CONSTRAINT `fk_case_supplements_case` FOREIGN KEY (`case_id`) REFERENCES `cases` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='补正: requests for more materials and when they came';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `case_supplements` WRITE;
/*!40000 ALTER TABLE `case_supplements` DISABLE KEYS */;
/*!40000 ALTER TABLE `case_supplements` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `case_tracking`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `case_tracking` (
  `token_hash` char(64) NOT NULL COMMENT 'SHA-256 of the token, hex',
  `case_id` bigint(20) unsigned NOT NULL,
  `token_enc` varbinary(255) NOT NULL COMMENT 'sealed, to print it again on the notice',
  `holder` enum('applicant','agent') NOT NULL DEFAULT 'applicant',
  `created_at` datetime NOT NULL,
  `revoked_at` datetime DEFAULT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `k_case_tracking_case` (`case_id`),
  CONSTRAINT `fk_case_tracking_case` FOREIGN KEY (`case_id`) REFERENCES `cases` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='tracking tokens (QR / SMS link); revocable';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `case_tracking` WRITE;
/*!40000 ALTER TABLE `case_tracking` DISABLE KEYS */;
INSERT INTO `case_tracking` VALUES
('241b1ed4376cb9c2da24bb54013abd1dc362f0c59ea16d25779e94f6d9d6fb26',1,0x4E39950D981BAF49FBC9C82827951340935109E9117FF8AF14B5AE2E23848A234D31922E05974CCA04584B7FB50BFEF9CFF156CC927F1B747FD0D1673D31571620B73018446301198BA56D54CF2451933B57A5,'applicant','2026-11-23 09:30:04',NULL);
/*!40000 ALTER TABLE `case_tracking` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `cases`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `cases` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `no` varchar(48) NOT NULL COMMENT 'readable, unique across halls: <HALL>-<YYYYMMDD>-<seq>',
  `hall` varchar(32) NOT NULL COMMENT 'the accepting hall',
  `channel` enum('window','online') NOT NULL DEFAULT 'window',
  `item` varchar(40) DEFAULT NULL COMMENT 'single-item case; NULL for a bundle',
  `bundle` varchar(40) DEFAULT NULL COMMENT '一件事一次办 bundle id (issue 11)',
  `title` varchar(200) NOT NULL COMMENT 'item or bundle name when filed',
  `status` enum('submitted','returned','accepted','processing','supplement_needed','approved','rejected','ready','mailed','closed') NOT NULL,
  `applicant_name_enc` varbinary(255) NOT NULL,
  `applicant_name_mask` varchar(64) NOT NULL,
  `applicant_id_enc` varbinary(255) NOT NULL,
  `applicant_id_hash` char(64) NOT NULL COMMENT 'pii_hash("id_number", …)',
  `applicant_id_mask` varchar(32) NOT NULL,
  `applicant_phone_enc` varbinary(255) NOT NULL,
  `applicant_phone_hash` char(64) NOT NULL COMMENT 'pii_hash("phone", …)',
  `applicant_phone_mask` varchar(32) NOT NULL,
  `citizen` varchar(48) DEFAULT NULL COMMENT 'the signed-in citizen who applied online',
  `delivery` enum('pickup','mail') NOT NULL DEFAULT 'pickup',
  `address_enc` varbinary(255) DEFAULT NULL COMMENT 'mail delivery address, sealed',
  `address_mask` varchar(100) DEFAULT NULL,
  `ticket` varchar(64) DEFAULT NULL COMMENT 'queue ticket served at acceptance',
  `window_no` smallint(5) unsigned DEFAULT NULL COMMENT 'accepting window',
  `accepted_by` bigint(20) unsigned DEFAULT NULL,
  `accepted_at` datetime DEFAULT NULL,
  `promised_days` smallint(5) unsigned NOT NULL DEFAULT 0,
  `deadline` date DEFAULT NULL COMMENT 'promised days from acceptance, + paused working days',
  `paused_since` date DEFAULT NULL COMMENT 'set while waiting for a supplement (补正): the clock stops',
  `paused_days` smallint(5) unsigned NOT NULL DEFAULT 0,
  `warning` enum('green','yellow','red') NOT NULL DEFAULT 'green' COMMENT '电子监察, kept by the worker',
  `warned_at` datetime DEFAULT NULL,
  `decision` enum('approved','rejected') DEFAULT NULL,
  `decided_at` datetime DEFAULT NULL,
  `decided_by` bigint(20) unsigned DEFAULT NULL,
  `decision_note` varchar(500) DEFAULT NULL COMMENT 'rejection reason, or the decision''s reference',
  `cross_province` tinyint(1) NOT NULL DEFAULT 0 COMMENT '跨省通办: 收受分离',
  `processing_office` varchar(100) DEFAULT NULL COMMENT 'cross-province: the office that decides',
  `pickup_window` smallint(5) unsigned DEFAULT NULL,
  `pickup_code_hash` char(64) DEFAULT NULL,
  `ready_at` datetime DEFAULT NULL,
  `handed_over_at` datetime DEFAULT NULL,
  `handed_over_by` bigint(20) unsigned DEFAULT NULL,
  `mail_carrier` varchar(32) DEFAULT NULL,
  `mail_tracking_no` varchar(40) DEFAULT NULL,
  `mailed_at` datetime DEFAULT NULL,
  `closed_at` datetime DEFAULT NULL,
  `version` int(10) unsigned NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `agent_name_enc` varbinary(255) DEFAULT NULL COMMENT '亲友代办 / 授权代理: the agent, sealed',
  `agent_name_mask` varchar(64) DEFAULT NULL,
  `agent_phone_enc` varbinary(255) DEFAULT NULL,
  `agent_phone_hash` char(64) DEFAULT NULL COMMENT 'pii_hash("phone", …): the agent follows it too',
  `agent_phone_mask` varchar(32) DEFAULT NULL,
  `submitted_at` datetime DEFAULT NULL COMMENT 'online: the last (re)submission',
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_cases_no` (`no`),
  KEY `k_cases_hall_status` (`hall`,`status`,`deadline`),
  KEY `k_cases_hall_accepted` (`hall`,`accepted_at`),
  KEY `k_cases_active_deadline` (`status`,`deadline`),
  KEY `k_cases_applicant_id` (`applicant_id_hash`),
  KEY `k_cases_applicant_phone` (`applicant_phone_hash`),
  KEY `k_cases_citizen` (`citizen`),
  KEY `fk_cases_item` (`item`),
  KEY `fk_cases_accepted_by` (`accepted_by`),
  KEY `k_cases_hall_closed` (`hall`,`closed_at`),
  KEY `k_cases_agent_phone` (`agent_phone_hash`),
  CONSTRAINT `fk_cases_accepted_by` FOREIGN KEY (`accepted_by`) REFERENCES `staff` (`id`),
  CONSTRAINT `fk_cases_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `fk_cases_item` FOREIGN KEY (`item`) REFERENCES `items` (`id`),
  CONSTRAINT `chk_cases_what` CHECK (`item` is not null or `bundle` is not null),
  CONSTRAINT `chk_cases_cross` CHECK (`cross_province` in (0,1)),
  CONSTRAINT `chk_cases_mail` CHECK (`delivery` = 'pickup' or `address_enc` is not null)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='办件';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `cases` WRITE;
/*!40000 ALTER TABLE `cases` DISABLE KEYS */;
INSERT INTO `cases` VALUES
(1,'DEMO-20261123-0001','demo','window','IT-B-003',NULL,'食品经营许可（新办）','processing',0x5759C03573CFC567B7C31333502DD518E01AA2D8EA99EFE95697C6E2F7CDB84007EB50B9B485B01C22E272EE22D316D02C,'张**',0xCBF5BC889C097D1585086DB3916D490F2E5DF28A09EDA13D73023EEAD5356D6C7F8F31EEAC88B13954881EEA045844AF26CA3BAE3FB62E9B3149,'491b7396ad9b46dc6ba15b7833f4591ca1bc6a6da66f2b3db2b05fe690197896','110105********002X',0xE6D9D9D572AC30123357B092B6E2C2D97AA060B2B4AABB1DC97A7C8FCB4F871DA64A413C474DCCB4E993152224223DA8A0D465,'f23c8d9df8fb9ea19c6ed446ca45217834ad46857ce2aa454cbf17361a8e0561','138****8002',NULL,'pickup',NULL,NULL,'A005',1,1,'2026-11-23 09:30:04',5,'2026-11-30',NULL,0,'green',NULL,NULL,NULL,NULL,NULL,0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'2026-11-23 09:30:04','2026-11-23 09:30:04',NULL,NULL,NULL,NULL,NULL,NULL);
/*!40000 ALTER TABLE `cases` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `categories`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `categories` (
  `hall` varchar(32) NOT NULL,
  `code` char(1) NOT NULL COMMENT 'A..Z, the ticket number prefix',
  `name` varchar(50) NOT NULL,
  `description` varchar(300) NOT NULL DEFAULT '',
  `sort` tinyint(3) unsigned NOT NULL,
  `cross_province` tinyint(1) NOT NULL DEFAULT 0 COMMENT '跨省通办',
  `avg_service_minutes` smallint(5) unsigned NOT NULL DEFAULT 10 COMMENT 'seed for the waiting-time estimate',
  PRIMARY KEY (`hall`,`code`),
  CONSTRAINT `fk_categories_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `chk_categories_code` CHECK (`code` regexp cast('^[A-Z]$' as char charset binary)),
  CONSTRAINT `chk_categories_cross` CHECK (`cross_province` in (0,1)),
  CONSTRAINT `chk_categories_avg` CHECK (`avg_service_minutes` >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='queue categories (业务类别)';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `categories` WRITE;
/*!40000 ALTER TABLE `categories` DISABLE KEYS */;
INSERT INTO `categories` VALUES
('demo','A','无差别受理','社保卡、参保登记等各类事项均可在综合窗口受理，不清楚该取哪类号时请取此号',1,0,12),
('demo','B','市场准入','企业和个体工商户开办、变更登记，食品经营许可等',2,0,15),
('demo','C','建设工程','建设工程规划许可、施工许可、竣工验收备案等工程建设项目审批',3,0,20),
('demo','D','不动产登记','房屋买卖过户、抵押登记与注销、不动产登记资料查询',4,0,18),
('demo','E','社会事务','婚姻登记、最低生活保障、残疾人证、出生医学证明等民生事项',5,0,10),
('demo','F','跨省通办','养老保险和医保关系转移、户口迁移、异地就医备案等跨省事项，在本中心即可申请',6,1,15);
/*!40000 ALTER TABLE `categories` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `citizen_wechat`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `citizen_wechat` (
  `openid_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'keyed hash of the mini-program openid',
  `openid_enc` varbinary(255) NOT NULL COMMENT 'openid sealed (subscribe messages need it in clear)',
  `unionid_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL,
  `citizen_id` bigint(20) unsigned NOT NULL,
  `session_key_enc` varbinary(255) NOT NULL COMMENT 'latest session_key, sealed; never returned',
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`openid_hash`),
  KEY `k_citizen_wechat_citizen` (`citizen_id`),
  CONSTRAINT `fk_citizen_wechat_citizen` FOREIGN KEY (`citizen_id`) REFERENCES `citizens` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='WeChat mini-program accounts of citizens';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `citizen_wechat` WRITE;
/*!40000 ALTER TABLE `citizen_wechat` DISABLE KEYS */;
/*!40000 ALTER TABLE `citizen_wechat` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `citizens`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `citizens` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT COMMENT 'internal; the session subject, never shown',
  `phone_enc` varbinary(255) DEFAULT NULL COMMENT 'mobile number sealed with the data key',
  `phone_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL COMMENT 'keyed hash of the phone, for lookup',
  `name_enc` varbinary(255) DEFAULT NULL COMMENT 'real name sealed, when the citizen gave it',
  `name_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL,
  `idnum_enc` varbinary(255) DEFAULT NULL COMMENT 'resident ID number sealed, when the citizen gave it',
  `idnum_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL,
  `merged_into` bigint(20) unsigned DEFAULT NULL COMMENT 'a WeChat-only citizen folded into the citizen of the phone it bound',
  `created_at` datetime NOT NULL,
  `last_login_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_citizens_phone` (`phone_hash`),
  KEY `k_citizens_idnum` (`idnum_hash`),
  KEY `k_citizens_merged` (`merged_into`),
  CONSTRAINT `fk_citizens_merged` FOREIGN KEY (`merged_into`) REFERENCES `citizens` (`id`),
  CONSTRAINT `chk_citizens_phone` CHECK (`phone_enc` is null = (`phone_hash` is null)),
  CONSTRAINT `chk_citizens_name` CHECK (`name_enc` is null = (`name_hash` is null)),
  CONSTRAINT `chk_citizens_idnum` CHECK (`idnum_enc` is null = (`idnum_hash` is null)),
  CONSTRAINT `chk_citizens_merged` CHECK (`merged_into` is null or `phone_hash` is null)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='citizens (办事群众); personal data sealed, looked up by keyed hash';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `citizens` WRITE;
/*!40000 ALTER TABLE `citizens` DISABLE KEYS */;
INSERT INTO `citizens` VALUES
(1,0xFF66444752ADA8E4710C7A9A2DDFD1F4D3BF16E2E7FC7DA0C8C8F2F5266EA80B59F31EE4F9255875D565826AD5CDA4EDB49DBB,'99c197bb4eb72a8513e2fe38a59e99442139bd2afb2261252fd4513a415b540f',NULL,NULL,NULL,NULL,NULL,'2026-11-23 09:30:05','2026-11-23 09:30:05');
/*!40000 ALTER TABLE `citizens` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `departments`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `departments` (
  `code` varchar(32) NOT NULL,
  `name` varchar(100) NOT NULL,
  PRIMARY KEY (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='办理部门 (departments that decide the items)';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `departments` WRITE;
/*!40000 ALTER TABLE `departments` DISABLE KEYS */;
INSERT INTO `departments` VALUES
('bdc','自然资源和规划局（不动产登记中心）'),
('cl','残疾人联合会'),
('gaj','公安局（户政）'),
('mzj','民政局'),
('rsj','人力资源和社会保障局'),
('scjg','市场监督管理局'),
('wjw','卫生健康委员会'),
('ybj','医疗保障局'),
('zjj','住房和城乡建设局');
/*!40000 ALTER TABLE `departments` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `hall_alerts`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `hall_alerts` (
  `hall` varchar(32) NOT NULL,
  `akey` varchar(64) NOT NULL COMMENT 'what the alert is about, e.g. calendar:2027',
  `level` enum('info','warning','critical') NOT NULL,
  `message` varchar(500) NOT NULL,
  `raised_at` datetime NOT NULL,
  `cleared_at` datetime DEFAULT NULL,
  PRIMARY KEY (`hall`,`akey`),
  CONSTRAINT `fk_alerts_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `hall_alerts` WRITE;
/*!40000 ALTER TABLE `hall_alerts` DISABLE KEYS */;
INSERT INTO `hall_alerts` VALUES
('demo','calendar:2027','warning','2027 年节假日安排尚未导入：跨入 2027 年的办理时限暂无法计算，请在国务院办公厅通知发布后导入。','2026-11-23 09:30:01',NULL);
/*!40000 ALTER TABLE `hall_alerts` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `hall_hours`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `hall_hours` (
  `hall` varchar(32) NOT NULL,
  `seq` tinyint(3) unsigned NOT NULL,
  `open_at` time NOT NULL,
  `close_at` time NOT NULL,
  PRIMARY KEY (`hall`,`seq`),
  CONSTRAINT `fk_hall_hours_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`) ON DELETE CASCADE,
  CONSTRAINT `chk_hall_hours_seq` CHECK (`seq` >= 1),
  CONSTRAINT `chk_hall_hours_order` CHECK (`open_at` < `close_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='opening periods on working days';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `hall_hours` WRITE;
/*!40000 ALTER TABLE `hall_hours` DISABLE KEYS */;
INSERT INTO `hall_hours` VALUES
('demo',1,'08:30:00','12:00:00'),
('demo',2,'13:30:00','17:30:00');
/*!40000 ALTER TABLE `hall_hours` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `halls`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `halls` (
  `code` varchar(32) NOT NULL COMMENT 'stable hall code used in URLs and Redis hash tags, e.g. demo',
  `name` varchar(100) NOT NULL,
  `address` varchar(200) NOT NULL,
  `phone` varchar(32) NOT NULL DEFAULT '',
  `timezone` varchar(64) NOT NULL DEFAULT 'Asia/Shanghai' COMMENT 'IANA zone the hall''s dates and hours are in',
  `created_at` datetime NOT NULL DEFAULT current_timestamp(),
  PRIMARY KEY (`code`),
  CONSTRAINT `chk_halls_code` CHECK (`code` regexp cast('^[a-z0-9][a-z0-9_-]*$' as char charset binary))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='政务服务中心 (service halls)';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `halls` WRITE;
/*!40000 ALTER TABLE `halls` DISABLE KEYS */;
INSERT INTO `halls` VALUES
('demo','示范区政务服务中心','示范区新城大道188号市民服务中心1至3层','12345','Asia/Shanghai','2026-12-03 15:50:57');
/*!40000 ALTER TABLE `halls` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `idempotency_keys`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `idempotency_keys` (
  `scope` char(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  `request_hash` char(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'SHA-256 of the canonical request body',
  `status` smallint(5) unsigned NOT NULL,
  `body_enc` mediumblob NOT NULL COMMENT 'the JSON answered the first time, sealed (it may carry tokens)',
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`scope`),
  KEY `k_idem_created` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='first responses of POSTs sent with an Idempotency-Key';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `idempotency_keys` WRITE;
/*!40000 ALTER TABLE `idempotency_keys` DISABLE KEYS */;
/*!40000 ALTER TABLE `idempotency_keys` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `item_materials`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `item_materials` (
  `item` varchar(40) NOT NULL,
  `code` varchar(16) NOT NULL COMMENT 'M1, M2, … stable within the item',
  `name` varchar(200) NOT NULL,
  `required` tinyint(1) NOT NULL,
  `waivable` tinyint(1) NOT NULL DEFAULT 0 COMMENT '容缺',
  `form` enum('original','copy','original_and_copy','electronic') NOT NULL DEFAULT 'original',
  `copies` tinyint(3) unsigned NOT NULL DEFAULT 1,
  `note` varchar(300) NOT NULL DEFAULT '' COMMENT 'what the material must be',
  `sort` tinyint(3) unsigned NOT NULL,
  PRIMARY KEY (`item`,`code`),
  CONSTRAINT `fk_item_materials_item` FOREIGN KEY (`item`) REFERENCES `items` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_item_materials_code` CHECK (`code` regexp cast('^M[1-9][0-9]*$' as char charset binary)),
  CONSTRAINT `chk_item_materials_required` CHECK (`required` in (0,1)),
  CONSTRAINT `chk_item_materials_waivable` CHECK (`waivable` in (0,1) and (`waivable` = 0 or `required` = 1)),
  CONSTRAINT `chk_item_materials_copies` CHECK (`copies` >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='申请材料 of each item';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `item_materials` WRITE;
/*!40000 ALTER TABLE `item_materials` DISABLE KEYS */;
INSERT INTO `item_materials` VALUES
('IT-A-001','M1','居民身份证',1,0,'original',1,'须在有效期内；16周岁以下的可凭户口簿办理',1),
('IT-A-001','M2','近期免冠彩色证件照',0,0,'original',1,'白色背景；未携带的可在窗口免费现场拍摄',2),
('IT-A-001','M3','监护人居民身份证',0,0,'original',1,'未满16周岁的申领人由监护人陪同办理时提供',3),
('IT-A-001','M4','授权委托书及受托人居民身份证',0,0,'original',1,'委托他人代办时提供，委托书须申领人本人签字',4),
('IT-A-002','M1','居民身份证',1,0,'original',1,'须在有效期内',1),
('IT-A-002','M2','社会保险参保登记表（灵活就业人员）',1,0,'original',1,'可在窗口现场填写，须本人签字',2),
('IT-A-002','M3','居住证',0,0,'original',1,'非本地户籍人员提供，须在有效期内',3),
('IT-A-003','M1','居民身份证或户口簿',1,0,'original',1,'须在有效期内；新生儿可凭户口簿办理',1),
('IT-A-003','M2','城乡居民基本医疗保险参保登记表',1,0,'original',1,'可在窗口现场填写，须本人或监护人签字',2),
('IT-A-003','M3','居住证',0,0,'original',1,'非本地户籍人员提供，须在有效期内',3),
('IT-A-003','M4','在校学生证明',0,0,'original',1,'非本地户籍在校学生提供学生证或学校出具的在读证明',4),
('IT-B-001','M1','经营者居民身份证',1,0,'original',1,'须在有效期内，经营者本人到场的出示原件',1),
('IT-B-001','M2','个体工商户登记（备案）申请书',1,0,'original',1,'须经营者本人签字',2),
('IT-B-001','M3','经营场所使用证明',1,0,'copy',1,'自有房屋提供不动产权证书复印件，租用的提供租赁合同复印件，均须经营者签字',3),
('IT-B-001','M4','授权委托书及受托人居民身份证',0,0,'original',1,'委托他人代办时提供',4),
('IT-B-002','M1','公司登记（备案）申请书',1,0,'original',1,'须法定代表人签字',1),
('IT-B-002','M2','公司章程',1,0,'original',1,'须全体股东签字或盖章',2),
('IT-B-002','M3','股东主体资格证明',1,0,'copy',1,'自然人股东提供居民身份证复印件；法人股东提供营业执照复印件并加盖公章',3),
('IT-B-002','M4','法定代表人、董事、监事和经理的任职文件及居民身份证复印件',1,0,'copy',1,'任职文件须按章程规定的程序签署',4),
('IT-B-002','M5','住所使用证明',1,1,'copy',1,'自有房屋提供不动产权证书复印件，租用的提供租赁合同及出租方产权证明复印件；可容缺受理，须在领取执照前补交',5),
('IT-B-002','M6','授权委托书及受托人居民身份证',0,0,'original',1,'委托他人代办时提供',6),
('IT-B-003','M1','食品经营许可申请书',1,0,'original',1,'须法定代表人或负责人签字并加盖公章',1),
('IT-B-003','M2','营业执照',1,0,'copy',1,'复印件加盖公章；个体工商户由经营者签字',2),
('IT-B-003','M3','主要设备设施、经营布局及操作流程文件',1,0,'original',1,'须与实际经营场所一致，附平面布局图',3),
('IT-B-003','M4','保证食品安全的规章制度',1,1,'original',1,'含从业人员健康管理、进货查验记录、食品安全自查、事故处置等制度；可容缺受理，须在现场核查前补齐',4),
('IT-B-003','M5','法定代表人（负责人）居民身份证',1,0,'copy',1,'须在有效期内',5),
('IT-B-003','M6','授权委托书及受托人居民身份证',0,0,'original',1,'委托他人代办时提供',6),
('IT-B-004','M1','公司变更登记申请书',1,0,'original',1,'须法定代表人签字',1),
('IT-B-004','M2','股东会决议或股东决定',1,0,'original',1,'须载明变更事项，按章程规定签字或盖章',2),
('IT-B-004','M3','营业执照正、副本',1,0,'original',1,'变更后换发新执照时收回',3),
('IT-B-004','M4','修改后的公司章程或章程修正案',0,0,'original',1,'变更事项涉及章程修改的提供，须法定代表人签字',4),
('IT-B-004','M5','授权委托书及受托人居民身份证',0,0,'original',1,'委托他人代办时提供',5),
('IT-C-001','M1','建筑工程施工许可申请表',1,0,'original',1,'须加盖建设单位公章',1),
('IT-C-001','M2','建设工程规划许可证',1,0,'copy',1,'复印件加盖建设单位公章',2),
('IT-C-001','M3','中标通知书或直接发包批准文件，及施工合同',1,0,'copy',1,'复印件加盖建设单位公章',3),
('IT-C-001','M4','施工图设计文件审查合格书',1,0,'copy',1,'复印件加盖建设单位公章',4),
('IT-C-001','M5','建设资金已经落实承诺书',1,0,'original',1,'须法定代表人签字并加盖建设单位公章',5),
('IT-C-001','M6','授权委托书及受托人居民身份证',0,0,'original',1,'委托他人代办时提供',6),
('IT-C-002','M1','建设工程规划许可申请表',1,0,'original',1,'须加盖建设单位公章',1),
('IT-C-002','M2','土地使用权证明文件',1,0,'copy',1,'不动产权证书或国有建设用地使用权出让合同，复印件加盖公章',2),
('IT-C-002','M3','建设工程设计方案图纸',1,0,'original',2,'含总平面图及各层平面、立面、剖面图，须加盖设计单位出图章',3),
('IT-C-002','M4','授权委托书及受托人居民身份证',0,0,'original',1,'委托他人代办时提供',4),
('IT-C-003','M1','工程竣工验收备案表',1,0,'original',2,'须建设、勘察、设计、施工、监理单位签章',1),
('IT-C-003','M2','工程竣工验收报告',1,0,'original',1,'须附验收人员签署的竣工验收原始文件',2),
('IT-C-003','M3','规划、消防等部门出具的认可文件或准许使用文件',1,0,'copy',1,'复印件加盖建设单位公章',3),
('IT-C-003','M4','工程质量保修书',1,0,'original',1,'须施工单位签署并加盖公章',4),
('IT-C-003','M5','住宅质量保证书和住宅使用说明书',0,0,'copy',1,'商品住宅工程提供',5),
('IT-D-001','M1','买卖双方居民身份证',1,0,'original',1,'须在有效期内，双方本人到场',1),
('IT-D-001','M2','不动产登记申请书',1,0,'original',1,'可在窗口现场填写，须买卖双方签字',2),
('IT-D-001','M3','不动产权证书',1,0,'original',1,'或原房屋所有权证、国有土地使用证',3),
('IT-D-001','M4','存量房买卖合同',1,0,'original',1,'须为网签备案合同，买卖双方签字',4),
('IT-D-001','M5','完税凭证',1,1,'original_and_copy',1,'契税及相关税费完税凭证；可容缺受理，须在登簿前补交',5),
('IT-D-001','M6','婚姻状况证明',0,0,'original_and_copy',1,'卖方已婚的提供结婚证，配偶须到场或出具同意出售的书面意见',6),
('IT-D-002','M1','抵押人、抵押权人身份证明',1,0,'original_and_copy',1,'自然人提供居民身份证；金融机构提供营业执照和金融许可证复印件并加盖公章',1),
('IT-D-002','M2','不动产登记申请书',1,0,'original',1,'须抵押人和抵押权人共同签章',2),
('IT-D-002','M3','不动产权证书',1,0,'original',1,'须与抵押合同载明的不动产一致',3),
('IT-D-002','M4','抵押合同',1,0,'original',1,'须双方签章，载明被担保的主债权数额和债务履行期限',4),
('IT-D-002','M5','主债权合同',1,0,'original',1,'借款合同等，须双方签章',5),
('IT-D-002','M6','授权委托书及受托人身份证明',0,0,'original',1,'金融机构工作人员或其他人代为申请时提供',6),
('IT-D-003','M1','查询人居民身份证',1,0,'original',1,'须在有效期内',1),
('IT-D-003','M2','不动产登记资料查询申请书',1,0,'original',1,'可在窗口现场填写，须查询人签字',2),
('IT-D-003','M3','利害关系证明材料',0,0,'copy',1,'利害关系人查询时提供，如买卖合同、法院受理通知书等',3),
('IT-D-003','M4','授权委托书及受托人居民身份证',0,0,'original',1,'委托他人查询时提供，委托书须经公证',4),
('IT-D-004','M1','申请人身份证明',1,0,'original',1,'自然人提供居民身份证；金融机构提供营业执照复印件并加盖公章',1),
('IT-D-004','M2','不动产登记申请书',1,0,'original',1,'可在窗口现场填写',2),
('IT-D-004','M3','不动产登记证明（抵押权）',1,0,'original',1,'注销后由登记机构收回',3),
('IT-D-004','M4','抵押权消灭的证明材料',1,0,'original',1,'抵押权人出具的贷款结清证明或同意注销抵押登记的证明',4),
('IT-E-001','M1','双方居民身份证',1,0,'original',1,'须在有效期内，双方本人到场',1),
('IT-E-001','M2','无配偶及无禁止结婚亲属关系的签字声明',1,0,'original',1,'在登记机关现场签署',2),
('IT-E-001','M3','双方近期半身免冠合影照片',1,0,'original',3,'2寸红底彩色照片，可在中心现场拍摄',3),
('IT-E-002','M1','申请人及共同生活家庭成员居民身份证',1,0,'original_and_copy',1,'须在有效期内',1),
('IT-E-002','M2','户口簿',1,0,'original_and_copy',1,'须为本地户籍',2),
('IT-E-002','M3','最低生活保障申请书',1,0,'original',1,'须申请人签字',3),
('IT-E-002','M4','家庭经济状况核对授权书',1,0,'original',1,'共同生活的成年家庭成员均须签字',4),
('IT-E-002','M5','家庭成员收入证明',1,1,'original',1,'由工作单位出具；无固定收入的可书面承诺，可容缺受理，经入户调查核实',5),
('IT-E-002','M6','残疾、重病等特殊情况证明',0,0,'copy',1,'家庭成员有残疾、重病的提供残疾人证或二级以上医院诊断证明',6),
('IT-E-003','M1','居民身份证或户口簿',1,0,'original',1,'须在有效期内',1),
('IT-E-003','M2','残疾人证申请表',1,0,'original',1,'可在窗口现场填写，须本人或监护人签字',2),
('IT-E-003','M3','近期2寸免冠彩色照片',1,0,'original',2,'白色背景',3),
('IT-E-003','M4','残疾评定表',1,0,'original',1,'由指定评残医疗机构出具并加盖公章',4),
('IT-E-003','M5','监护人居民身份证',0,0,'original',1,'申请人为未成年人或无民事行为能力人时提供',5),
('IT-E-004','M1','父母双方居民身份证',1,0,'original_and_copy',1,'须在有效期内',1),
('IT-E-004','M2','出生医学证明补发申请表',1,0,'original',1,'须父母双方签字',2),
('IT-E-004','M3','新生儿出生的分娩记录',1,0,'copy',1,'由助产机构病案室复印并加盖病案专用章',3),
('IT-E-004','M4','户口簿',0,0,'original_and_copy',1,'新生儿已落户的提供',4),
('IT-F-001','M1','居民身份证或社会保障卡',1,0,'original',1,'须在有效期内',1),
('IT-F-001','M2','基本医疗保险关系转移接续申请表',1,0,'original',1,'可在窗口现场填写，须本人签字',2),
('IT-F-001','M3','参保凭证',0,0,'electronic',1,'经办机构可通过全国医保信息平台获取的，无需本人提供',3),
('IT-F-002','M1','居民身份证或社会保障卡',1,0,'original',1,'须在有效期内',1),
('IT-F-002','M2','基本养老保险关系转移接续申请表',1,0,'original',1,'可在窗口现场填写，须本人签字',2),
('IT-F-002','M3','参保缴费凭证',0,0,'electronic',1,'转出地可通过全国社会保险公共服务平台传送的，无需本人提供',3),
('IT-F-003','M1','迁移人居民身份证',1,0,'original',1,'须在有效期内',1),
('IT-F-003','M2','迁出地户口簿',1,0,'original',1,'须含迁移人本人页',2),
('IT-F-003','M3','落户依据材料',1,0,'original_and_copy',1,'按落户类型提供不动产权证书、劳动合同及社保缴费证明或学历证书等',3),
('IT-F-003','M4','结婚证',0,0,'original_and_copy',1,'夫妻投靠落户的提供',4),
('IT-F-003','M5','近期免冠彩色照片',0,0,'original',1,'需同时换领居民身份证的提供，也可现场拍摄',5),
('IT-F-004','M1','居民身份证或社会保障卡',1,0,'original',1,'须在有效期内',1),
('IT-F-004','M2','跨省异地就医登记备案表',1,0,'original',1,'可在窗口现场填写，须本人签字',2),
('IT-F-004','M3','异地长期居住个人承诺书',0,0,'original',1,'异地长期居住人员提供，可替代居住证明',3);
/*!40000 ALTER TABLE `item_materials` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `items`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `items` (
  `id` varchar(40) NOT NULL COMMENT 'stable readable id, e.g. IT-B-001',
  `hall` varchar(32) NOT NULL,
  `name` varchar(200) NOT NULL,
  `category` char(1) NOT NULL,
  `department` varchar(32) NOT NULL,
  `kind` enum('instant','promised') NOT NULL,
  `promised_days` smallint(5) unsigned NOT NULL COMMENT '承诺时限, working days; 0 for instant',
  `legal_days` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT '法定时限, working days',
  `cross_province` tinyint(1) NOT NULL DEFAULT 0 COMMENT '跨省通办',
  `fee` varchar(100) NOT NULL DEFAULT '不收费',
  `basis` varchar(300) NOT NULL DEFAULT '' COMMENT '设定依据',
  `description` varchar(500) NOT NULL DEFAULT '',
  `sort` smallint(5) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `k_items_hall_category_sort` (`hall`,`category`,`sort`),
  KEY `k_items_department` (`department`),
  CONSTRAINT `fk_items_category` FOREIGN KEY (`hall`, `category`) REFERENCES `categories` (`hall`, `code`),
  CONSTRAINT `fk_items_department` FOREIGN KEY (`department`) REFERENCES `departments` (`code`),
  CONSTRAINT `chk_items_kind_days` CHECK (`kind` = 'instant' and `promised_days` = 0 or `kind` = 'promised' and `promised_days` >= 1),
  CONSTRAINT `chk_items_legal` CHECK (`legal_days` = 0 or `legal_days` >= `promised_days`),
  CONSTRAINT `chk_items_cross` CHECK (`cross_province` in (0,1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='政务服务事项';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `items` WRITE;
/*!40000 ALTER TABLE `items` DISABLE KEYS */;
INSERT INTO `items` VALUES
('IT-A-001','demo','社会保障卡申领','A','rsj','instant',0,0,0,'首次申领不收费','《中华人民共和国社会保险法》第五十八条','首次申领第三代社会保障卡，符合条件的现场即时制卡、当场领取。',10),
('IT-A-002','demo','灵活就业人员参加企业职工基本养老保险登记','A','rsj','instant',0,0,0,'不收费','《中华人民共和国社会保险法》第十条、第五十八条','无雇工的个体工商户、未在用人单位参保的非全日制从业人员及其他灵活就业人员办理养老保险参保登记。',20),
('IT-A-003','demo','城乡居民基本医疗保险参保登记','A','ybj','instant',0,0,0,'不收费（参保缴费按当年度个人缴费标准另行缴纳）','《中华人民共和国社会保险法》第二十五条；《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）','未参加职工基本医疗保险的城乡居民、学生儿童办理居民医保参保登记。',30),
('IT-B-001','demo','个体工商户设立登记','B','scjg','instant',0,3,0,'不收费','《中华人民共和国市场主体登记管理条例》第十九条；《促进个体工商户发展条例》','申请材料齐全、符合法定形式的，当场登记并发放营业执照。',10),
('IT-B-002','demo','有限责任公司设立登记','B','scjg','promised',1,3,0,'不收费','《中华人民共和国公司法》；《中华人民共和国市场主体登记管理条例》第十九条','新设立有限责任公司，办理营业执照，可同步申领电子营业执照、刻制公章和申领发票。',20),
('IT-B-003','demo','食品经营许可（新办）','B','scjg','promised',5,10,0,'不收费','《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》','从事食品销售和餐饮服务活动的经营者申请食品经营许可证，必要时进行现场核查。',30),
('IT-B-004','demo','公司变更登记','B','scjg','promised',1,3,0,'不收费','《中华人民共和国市场主体登记管理条例》第二十四条','公司名称、住所、经营范围、法定代表人、注册资本等登记事项发生变更的，申请变更登记。',40),
('IT-C-001','demo','建筑工程施工许可证核发','C','zjj','promised',5,7,0,'不收费','《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》','在本区内新建、改建、扩建房屋建筑和市政基础设施工程，开工前申请领取施工许可证。',10),
('IT-C-002','demo','建设工程规划许可证核发','C','bdc','promised',10,20,0,'不收费','《中华人民共和国城乡规划法》第四十条','在城镇开发边界内进行建筑物、构筑物、道路、管线和其他工程建设的，申请建设工程规划许可证。',20),
('IT-C-003','demo','房屋建筑和市政基础设施工程竣工验收备案','C','zjj','promised',3,15,0,'不收费','《建设工程质量管理条例》第四十九条；《房屋建筑和市政基础设施工程竣工验收备案管理办法》','工程竣工验收合格后，建设单位办理竣工验收备案。',30),
('IT-D-001','demo','不动产转移登记（存量房买卖）','D','bdc','promised',5,30,0,'住宅每件80元，非住宅每件550元（含一本证书工本费）','《中华人民共和国民法典》第二百零九条；《不动产登记暂行条例》第十四条、第二十条','二手房买卖办理过户，买卖双方可在一窗同时办理登记与缴税。',10),
('IT-D-002','demo','不动产抵押权首次登记','D','bdc','promised',3,30,0,'住宅每件80元，非住宅每件550元；小微企业、个体工商户申请的免收','《中华人民共和国民法典》第四百零二条；《不动产登记暂行条例》第二十条','以房屋、土地等不动产设定抵押的，由抵押人和抵押权人共同申请抵押登记。',20),
('IT-D-003','demo','不动产登记资料查询','D','bdc','instant',0,5,0,'不收费','《不动产登记暂行条例》第二十七条；《不动产登记资料查询暂行办法》','权利人、利害关系人查询、复制不动产登记资料，出具查询结果证明。',30),
('IT-D-004','demo','不动产抵押权注销登记','D','bdc','promised',1,30,0,'不收费','《中华人民共和国民法典》第三百九十三条；《不动产登记暂行条例》第二十条','贷款还清或抵押权消灭后，申请注销抵押登记。',40),
('IT-E-001','demo','内地居民结婚登记','E','mzj','instant',0,0,0,'不收费','《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》','男女双方须共同亲自到场，符合结婚条件的当场登记、发给结婚证。',10),
('IT-E-002','demo','最低生活保障申请','E','mzj','promised',20,30,0,'不收费','《社会救助暂行办法》第九条至第十一条；《最低生活保障审核确认办法》','共同生活的家庭成员人均收入低于当地最低生活保障标准、且家庭财产符合规定的，可申请最低生活保障。',20),
('IT-E-003','demo','残疾人证新办','E','cl','promised',10,20,0,'不收费','《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》','经指定医疗机构评定为残疾的，申请办理第三代智能化残疾人证。',30),
('IT-E-004','demo','出生医学证明补发','E','wjw','promised',10,20,0,'不收费','《中华人民共和国母婴保健法》第二十三条；《中华人民共和国母婴保健法实施办法》','在本区医疗机构出生、《出生医学证明》遗失的，向原签发机构申请补发。',40),
('IT-F-001','demo','基本医疗保险关系转移接续','F','ybj','promised',15,45,1,'不收费','《中华人民共和国社会保险法》第三十二条；《基本医疗保障关系转移接续暂行办法》','跨省流动就业的参保人员，在转入地申请转移接续基本医疗保险关系，缴费年限累计计算。',10),
('IT-F-002','demo','企业职工基本养老保险关系转移接续','F','rsj','promised',15,45,1,'不收费','《中华人民共和国社会保险法》第十九条；《城镇企业职工基本养老保险关系转移接续暂行办法》','跨省流动就业的参保人员，在新参保地申请转移接续养老保险关系，无需往返原参保地。',20),
('IT-F-003','demo','户口迁移（跨省迁入）','F','gaj','promised',20,30,1,'不收费','《中华人民共和国户口登记条例》第十条；《国务院办公厅关于加快推进政务服务“跨省通办”的指导意见》（国办发〔2020〕35号）','符合本地落户条件的，在迁入地一次申请，由迁入地公安机关与迁出地协同办理，无需回原籍开具迁移证。',30),
('IT-F-004','demo','跨省异地就医直接结算备案','F','ybj','instant',0,0,1,'不收费','《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）','异地长期居住、临时外出就医的参保人员办理跨省就医备案，备案后在异地定点医疗机构直接结算。',40);
/*!40000 ALTER TABLE `items` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `online_materials`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `online_materials` (
  `case_id` bigint(20) unsigned NOT NULL,
  `code` varchar(16) NOT NULL COMMENT 'item code (M1…) or, for a bundle, the bundle''s union code',
  `name` varchar(200) NOT NULL,
  `required` tinyint(1) NOT NULL,
  `parts` varchar(500) NOT NULL COMMENT '"IT-B-002:M1,IT-A-002:M1": the item materials it stands for',
  `upload_id` varchar(43) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL,
  `reused` tinyint(1) NOT NULL DEFAULT 0 COMMENT 'taken, with consent, from an earlier accepted case',
  `state` enum('given','returned','absent') NOT NULL,
  `reason` varchar(200) NOT NULL DEFAULT '' COMMENT 'why the clerk returned it (一次性告知)',
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`case_id`,`code`),
  KEY `k_online_materials_upload` (`upload_id`),
  CONSTRAINT `fk_online_materials_case` FOREIGN KEY (`case_id`) REFERENCES `cases` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_online_materials_upload` FOREIGN KEY (`upload_id`) REFERENCES `uploads` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='the materials of an online application as the applicant gave them';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `online_materials` WRITE;
/*!40000 ALTER TABLE `online_materials` DISABLE KEYS */;
/*!40000 ALTER TABLE `online_materials` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `outbox`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `outbox` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `hall` varchar(32) DEFAULT NULL,
  `channel` enum('sms','wechat') NOT NULL DEFAULT 'sms',
  `template` varchar(64) NOT NULL COMMENT 'file name in sms-templates/ without extension',
  `recipient_enc` varbinary(255) NOT NULL COMMENT 'phone or openid, sealed with the data key',
  `recipient_mask` varchar(32) NOT NULL COMMENT 'for staff screens: 138****8000',
  `params` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL CHECK (json_valid(`params`)),
  `ref_kind` varchar(32) NOT NULL DEFAULT '' COMMENT 'case, ticket, appointment, login …',
  `ref_id` varchar(64) NOT NULL DEFAULT '',
  `resend_of` bigint(20) unsigned DEFAULT NULL,
  `requested_by` varchar(48) NOT NULL DEFAULT '',
  `urgent` tinyint(1) NOT NULL DEFAULT 1 COMMENT '0: held during quiet hours',
  `status` enum('pending','sending','sent','failed','held','dropped') NOT NULL DEFAULT 'pending',
  `attempts` smallint(5) unsigned NOT NULL DEFAULT 0,
  `lease` varchar(32) NOT NULL DEFAULT '',
  `next_attempt_at` datetime(3) NOT NULL,
  `provider` varchar(16) NOT NULL DEFAULT '',
  `provider_msg_id` varchar(128) NOT NULL DEFAULT '',
  `segments` smallint(5) unsigned NOT NULL DEFAULT 0,
  `last_error` varchar(255) NOT NULL DEFAULT '',
  `delivery_status` varchar(32) NOT NULL DEFAULT '' COMMENT 'from the provider receipt',
  `delivered_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `sent_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `k_due` (`status`,`next_attempt_at`),
  KEY `k_ref` (`ref_kind`,`ref_id`),
  KEY `k_provider_msg` (`provider`,`provider_msg_id`),
  KEY `k_hall_ref` (`hall`,`ref_kind`,`ref_id`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `outbox` WRITE;
/*!40000 ALTER TABLE `outbox` DISABLE KEYS */;
INSERT INTO `outbox` VALUES
(1,'demo','sms','case_accepted',0x8980E9FCEACE28EDCD7F541A182C919F80BACFE5CDEC805F9ACDB73C89EE9B5F47B10806F850B26C74CDCBF6BD417346E84A4F,'138****8002','{\"case_no\":\"DEMO-20261123-0001\",\"item\":\"食品经营许可（新办）\",\"deadline\":\"2026-11-30\",\"url\":\"http://127.0.0.1:18170/t/WxKvW1wOxR9oMdpo9PdMTSqWDiaA-VIbDzUZz2x9icY\"}','case','DEMO-20261123-0001',NULL,'',1,'sent',1,'','2026-11-23 09:31:04.891','log','log-1',3,'','',NULL,'2026-11-23 09:30:04.517','2026-11-23 09:30:04.894'),
(2,'demo','sms','case_processing',0xA992A03EE3F2C4FEDAAE670A4C75FFC6E3285443626EE346BAC4260899B2929C98D1159891C1133EF01F49348DA5523363F595,'138****8002','{\"case_no\":\"DEMO-20261123-0001\",\"item\":\"食品经营许可（新办）\"}','case','DEMO-20261123-0001',NULL,'',1,'sent',1,'','2026-11-23 09:31:04.891','log','log-2',1,'','',NULL,'2026-11-23 09:30:04.702','2026-11-23 09:30:04.896'),
(3,NULL,'sms','login_code',0x07830F3D1ADD14C397DF23A8EFA5C350B0B2C72BB89582FA94FA08904B5AFBCF2662EA658E5A490CACA0149C41B5DD46CB5BDD,'138****8003','{\"code\":\"969084\"}','login','',NULL,'',1,'sent',1,'','2026-11-23 09:31:04.891','log','log-3',1,'','',NULL,'2026-11-23 09:30:04.769','2026-11-23 09:30:04.897'),
(4,'demo','sms','appointment_booked',0x8440F246A152BA6D0BE63D1EB6000B52378F72DFEDD38A2CFE7190B8E9E93931561BADAD4420753075A65F367BFEA02EB44FA0,'138****8003','{\"hall_name\":\"示范区政务服务中心\",\"date\":\"2026年11月24日\",\"time\":\"08:30\",\"category\":\"无差别受理\",\"code\":\"857351\"}','appointment','1',NULL,'',1,'sent',1,'','2026-11-23 09:31:05.899','log','log-4',1,'','',NULL,'2026-11-23 09:30:05.113','2026-11-23 09:30:05.901');
/*!40000 ALTER TABLE `outbox` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `queue_ticket_history`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `queue_ticket_history` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `ticket_id` bigint(20) unsigned NOT NULL,
  `at` datetime(3) NOT NULL,
  `action` varchar(16) NOT NULL COMMENT 'take, call, recall, start, skip, rejoin, transfer, finish, cancel',
  `from_status` varchar(12) DEFAULT NULL,
  `to_status` varchar(12) NOT NULL,
  `window_no` smallint(5) unsigned DEFAULT NULL,
  `actor_kind` enum('citizen','staff','kiosk','anonymous','system') NOT NULL,
  `actor` varchar(48) NOT NULL DEFAULT '',
  `detail` varchar(200) NOT NULL DEFAULT '' COMMENT 'e.g. B->D for a transfer; never personal data',
  PRIMARY KEY (`id`),
  KEY `k_queue_history_ticket` (`ticket_id`,`at`),
  CONSTRAINT `fk_queue_history_ticket` FOREIGN KEY (`ticket_id`) REFERENCES `queue_tickets` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB AUTO_INCREMENT=16 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='history of every ticket';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `queue_ticket_history` WRITE;
/*!40000 ALTER TABLE `queue_ticket_history` DISABLE KEYS */;
INSERT INTO `queue_ticket_history` VALUES
(1,1,'2026-11-23 09:30:02.837','take',NULL,'waiting',NULL,'kiosk','12','kiosk normal'),
(2,2,'2026-11-23 09:30:02.971','take',NULL,'waiting',NULL,'kiosk','12','kiosk normal'),
(3,3,'2026-11-23 09:30:03.044','take',NULL,'waiting',NULL,'kiosk','12','kiosk normal'),
(4,4,'2026-11-23 09:30:03.357','take',NULL,'waiting',NULL,'kiosk','12','kiosk normal'),
(5,5,'2026-11-23 09:30:03.473','take',NULL,'waiting',NULL,'kiosk','12','kiosk elderly'),
(6,6,'2026-11-23 09:30:03.707','take',NULL,'waiting',NULL,'kiosk','12','kiosk normal'),
(7,7,'2026-11-23 09:30:04.069','take',NULL,'waiting',NULL,'kiosk','12','kiosk normal'),
(8,8,'2026-11-23 09:30:04.272','take',NULL,'waiting',NULL,'kiosk','12','kiosk normal'),
(9,5,'2026-11-23 09:30:04.383','call','waiting','called',1,'staff','1',''),
(10,5,'2026-11-23 09:30:04.403','start','called','serving',1,'staff','1',''),
(11,5,'2026-11-23 09:30:04.591','finish','serving','done',1,'staff','1','done'),
(12,1,'2026-11-23 09:30:04.609','call','waiting','called',1,'staff','1',''),
(13,1,'2026-11-23 09:30:04.634','skip','called','skipped',1,'staff','1',''),
(14,2,'2026-11-23 09:30:04.656','call','waiting','called',1,'staff','1',''),
(15,2,'2026-11-23 09:30:04.675','finish','called','done',1,'staff','1','done');
/*!40000 ALTER TABLE `queue_ticket_history` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `queue_tickets`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `queue_tickets` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `token` varchar(32) NOT NULL COMMENT 'opaque, >= 128 random bits; the /q/<token> link',
  `hall` varchar(32) NOT NULL,
  `day` date NOT NULL COMMENT 'hall-local day the number belongs to',
  `num_cat` char(1) NOT NULL COMMENT 'letter of the number: the category it was taken in',
  `seq` smallint(5) unsigned NOT NULL COMMENT '1..999 within hall, day and letter',
  `number` varchar(8) NOT NULL COMMENT 'as shown and called: A005',
  `category` char(1) NOT NULL COMMENT 'the line it is in now (differs from num_cat after a transfer)',
  `priority` enum('normal','elderly','disabled','appointment') NOT NULL DEFAULT 'normal',
  `line` enum('p','n') NOT NULL COMMENT 'p: priority class (appointment, 绿色通道), n: ordinary',
  `rank_score` bigint(20) unsigned NOT NULL COMMENT 'order within its line (hall-wide, grows with time); kept across a transfer',
  `source` enum('kiosk','clerk','citizen','appointment') NOT NULL,
  `status` enum('waiting','called','serving','done','skipped','cancelled') NOT NULL DEFAULT 'waiting',
  `outcome` enum('done','no_show') DEFAULT NULL COMMENT 'set when status = done',
  `citizen` varchar(48) DEFAULT NULL COMMENT 'session subject of a remote (citizen) ticket',
  `phone_enc` varbinary(255) DEFAULT NULL COMMENT 'sealed phone for the turn-near SMS (pii_seal)',
  `near_notified` tinyint(1) NOT NULL DEFAULT 0 COMMENT 'turn-near SMS queued (once per ticket)',
  `appointment` varchar(64) DEFAULT NULL COMMENT 'appointment reference of a check-in ticket',
  `window_no` smallint(5) unsigned DEFAULT NULL COMMENT 'window that called it (last one)',
  `clerk` varchar(48) DEFAULT NULL COMMENT 'staff id of the clerk who called it',
  `calls` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'calls + recalls',
  `rejoined` tinyint(1) NOT NULL DEFAULT 0 COMMENT 'a skipped ticket may rejoin once',
  `transfers` tinyint(3) unsigned NOT NULL DEFAULT 0,
  `case_no` varchar(40) DEFAULT NULL COMMENT 'case accepted for this visit (finish)',
  `taken_at` datetime(3) NOT NULL,
  `called_at` datetime(3) DEFAULT NULL COMMENT 'first call: waiting time = called_at - taken_at',
  `last_called_at` datetime(3) DEFAULT NULL COMMENT 'latest call or recall (the board)',
  `started_at` datetime(3) DEFAULT NULL,
  `finished_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) NOT NULL,
  `active_citizen` varchar(48) GENERATED ALWAYS AS (if(`status` in ('waiting','called','serving'),`citizen`,NULL)) STORED,
  `active_window` smallint(5) unsigned GENERATED ALWAYS AS (if(`status` in ('called','serving'),`window_no`,NULL)) STORED,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_queue_token` (`token`),
  UNIQUE KEY `uk_queue_number` (`hall`,`day`,`num_cat`,`seq`),
  UNIQUE KEY `uk_queue_active_citizen` (`hall`,`day`,`active_citizen`),
  UNIQUE KEY `uk_queue_active_window` (`hall`,`day`,`active_window`),
  KEY `k_queue_status` (`hall`,`day`,`status`,`category`),
  KEY `k_queue_window` (`hall`,`day`,`window_no`,`status`),
  KEY `k_queue_finished` (`hall`,`day`,`finished_at`),
  KEY `fk_queue_category` (`hall`,`category`),
  KEY `fk_queue_num_cat` (`hall`,`num_cat`),
  KEY `fk_queue_window` (`hall`,`window_no`),
  KEY `k_queue_stats` (`hall`,`day`,`category`,`window_no`,`taken_at`,`called_at`,`started_at`,`finished_at`,`status`,`outcome`),
  CONSTRAINT `fk_queue_category` FOREIGN KEY (`hall`, `category`) REFERENCES `categories` (`hall`, `code`),
  CONSTRAINT `fk_queue_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `fk_queue_num_cat` FOREIGN KEY (`hall`, `num_cat`) REFERENCES `categories` (`hall`, `code`),
  CONSTRAINT `fk_queue_window` FOREIGN KEY (`hall`, `window_no`) REFERENCES `windows` (`hall`, `number`),
  CONSTRAINT `chk_queue_seq` CHECK (`seq` between 1 and 999),
  CONSTRAINT `chk_queue_outcome` CHECK (`status` = 'done' = (`outcome` is not null)),
  CONSTRAINT `chk_queue_notified` CHECK (`near_notified` in (0,1)),
  CONSTRAINT `chk_queue_rejoined` CHECK (`rejoined` in (0,1))
) ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='queue tickets (排队号)';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `queue_tickets` WRITE;
/*!40000 ALTER TABLE `queue_tickets` DISABLE KEYS */;
INSERT INTO `queue_tickets` VALUES
(1,'Cz7s6TILMfvYT9rGse6JU8KQ','demo','2026-11-23','A',1,'A001','A','normal','n',34202837000,'kiosk','skipped',NULL,NULL,NULL,0,NULL,1,'1',1,0,0,NULL,'2026-11-23 09:30:02.837','2026-11-23 09:30:04.609','2026-11-23 09:30:04.609',NULL,NULL,'2026-11-23 09:30:04.634',NULL,NULL),
(2,'X42E-obWJ94AjNbMjDyQvpJN','demo','2026-11-23','A',2,'A002','A','normal','n',34202971000,'kiosk','done','done',NULL,0x91C125E950FAB0CD9772FEAAC4702D8EE58155E6CBE59D0786CDF3681277E83831DE22E5DFEBF92A8DCE1AEBA678E6C4175560,0,NULL,1,'1',1,0,0,NULL,'2026-11-23 09:30:02.971','2026-11-23 09:30:04.656','2026-11-23 09:30:04.656',NULL,'2026-11-23 09:30:04.675','2026-11-23 09:30:04.675',NULL,NULL),
(3,'Vwv65fKx_9wLl5XHu1TDZMAe','demo','2026-11-23','A',3,'A003','A','normal','n',34203044000,'kiosk','waiting',NULL,NULL,NULL,0,NULL,NULL,NULL,0,0,0,NULL,'2026-11-23 09:30:03.044',NULL,NULL,NULL,NULL,'2026-11-23 09:30:03.044',NULL,NULL),
(4,'i4J1fW9voxMDmOZyV4hafFwy','demo','2026-11-23','A',4,'A004','A','normal','n',34203357000,'kiosk','waiting',NULL,NULL,NULL,0,NULL,NULL,NULL,0,0,0,NULL,'2026-11-23 09:30:03.357',NULL,NULL,NULL,NULL,'2026-11-23 09:30:03.357',NULL,NULL),
(5,'IMtA5lttvH0fjAL-ouMJOqex','demo','2026-11-23','A',5,'A005','A','elderly','p',34203473000,'kiosk','done','done',NULL,NULL,0,NULL,1,'1',1,0,0,'DEMO-20261123-0001','2026-11-23 09:30:03.473','2026-11-23 09:30:04.383','2026-11-23 09:30:04.383','2026-11-23 09:30:04.403','2026-11-23 09:30:04.591','2026-11-23 09:30:04.591',NULL,NULL),
(6,'sMaHdRMwjefJnE8Q2sqFeHE7','demo','2026-11-23','B',1,'B001','B','normal','n',34203707000,'kiosk','waiting',NULL,NULL,NULL,0,NULL,NULL,NULL,0,0,0,NULL,'2026-11-23 09:30:03.707',NULL,NULL,NULL,NULL,'2026-11-23 09:30:03.707',NULL,NULL),
(7,'3Nz1lXr33_xFNYJHy4vSaG7G','demo','2026-11-23','B',2,'B002','B','normal','n',34204069000,'kiosk','waiting',NULL,NULL,NULL,0,NULL,NULL,NULL,0,0,0,NULL,'2026-11-23 09:30:04.069',NULL,NULL,NULL,NULL,'2026-11-23 09:30:04.069',NULL,NULL),
(8,'pyOsWgBwYI9PMy8QYTQAKJ92','demo','2026-11-23','C',1,'C001','C','normal','n',34204272000,'kiosk','waiting',NULL,NULL,NULL,0,NULL,NULL,NULL,0,0,0,NULL,'2026-11-23 09:30:04.272',NULL,NULL,NULL,NULL,'2026-11-23 09:30:04.272',NULL,NULL);
/*!40000 ALTER TABLE `queue_tickets` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `review_rectification_history`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `review_rectification_history` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `task_id` bigint(20) unsigned NOT NULL,
  `at` datetime NOT NULL,
  `action` varchar(16) NOT NULL COMMENT 'open, contact, record, close',
  `actor` varchar(48) NOT NULL DEFAULT '' COMMENT 'staff id, or "" for the system',
  `note` varchar(500) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  KEY `k_rectify_history` (`task_id`,`id`),
  CONSTRAINT `fk_rectify_history` FOREIGN KEY (`task_id`) REFERENCES `review_rectifications` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='history of every rectification task';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `review_rectification_history` WRITE;
/*!40000 ALTER TABLE `review_rectification_history` DISABLE KEYS */;
/*!40000 ALTER TABLE `review_rectification_history` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `review_rectifications`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `review_rectifications` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `review_id` bigint(20) unsigned NOT NULL,
  `hall` varchar(32) NOT NULL,
  `day` date NOT NULL COMMENT 'hall day the task was opened (the review''s)',
  `status` enum('open','closed') NOT NULL DEFAULT 'open',
  `deadline` date DEFAULT NULL,
  `contacted_at` datetime DEFAULT NULL,
  `contact_note` varchar(500) NOT NULL DEFAULT '',
  `cause` varchar(500) NOT NULL DEFAULT '',
  `fix` varchar(500) NOT NULL DEFAULT '',
  `closed_at` datetime DEFAULT NULL,
  `closed_by` varchar(48) DEFAULT NULL,
  `late` tinyint(1) NOT NULL DEFAULT 0 COMMENT 'closed after its deadline',
  `version` int(10) unsigned NOT NULL DEFAULT 0,
  `opened_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_rectify_review` (`review_id`),
  KEY `k_rectify_hall_status` (`hall`,`status`,`deadline`),
  KEY `k_rectify_hall_day` (`hall`,`day`),
  CONSTRAINT `fk_rectify_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `fk_rectify_review` FOREIGN KEY (`review_id`) REFERENCES `reviews` (`id`),
  CONSTRAINT `chk_rectify_closed` CHECK (`status` = 'closed' = (`closed_at` is not null))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='差评整改: one task per bad review';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `review_rectifications` WRITE;
/*!40000 ALTER TABLE `review_rectifications` DISABLE KEYS */;
/*!40000 ALTER TABLE `review_rectifications` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `reviews`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `reviews` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `hall` varchar(32) NOT NULL,
  `kind` enum('ticket','case') NOT NULL,
  `ticket_id` bigint(20) unsigned DEFAULT NULL,
  `case_id` bigint(20) unsigned DEFAULT NULL,
  `ref` varchar(48) NOT NULL COMMENT 'ticket number (A005) or case number, for the manager',
  `day` date NOT NULL COMMENT 'hall day the review was given',
  `score` tinyint(3) unsigned NOT NULL COMMENT '5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意',
  `attitude` tinyint(3) unsigned DEFAULT NULL COMMENT '服务态度 1..5',
  `efficiency` tinyint(3) unsigned DEFAULT NULL COMMENT '服务效率 1..5',
  `competence` tinyint(3) unsigned DEFAULT NULL COMMENT '业务水平 1..5',
  `convenience` tinyint(3) unsigned DEFAULT NULL COMMENT '办事便利 1..5',
  `transparency` tinyint(3) unsigned DEFAULT NULL COMMENT '政务公开 1..5',
  `comment` varchar(500) NOT NULL DEFAULT '',
  `category` char(1) DEFAULT NULL COMMENT 'ticket: the line it was served in',
  `window_no` smallint(5) unsigned DEFAULT NULL COMMENT 'ticket: the serving window; case: the accepting window',
  `clerk` varchar(48) DEFAULT NULL COMMENT 'ticket: staff id of the serving clerk',
  `channel` enum('window','phone','tablet') NOT NULL DEFAULT 'phone' COMMENT 'where the review was given',
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_reviews_ticket` (`ticket_id`),
  UNIQUE KEY `uk_reviews_case` (`case_id`),
  KEY `k_reviews_hall_day` (`hall`,`day`,`score`),
  CONSTRAINT `fk_reviews_case` FOREIGN KEY (`case_id`) REFERENCES `cases` (`id`),
  CONSTRAINT `fk_reviews_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `fk_reviews_ticket` FOREIGN KEY (`ticket_id`) REFERENCES `queue_tickets` (`id`),
  CONSTRAINT `chk_reviews_subject` CHECK (`ticket_id` is null <> (`case_id` is null)),
  CONSTRAINT `chk_reviews_kind` CHECK (`kind` = 'ticket' = (`ticket_id` is not null)),
  CONSTRAINT `chk_reviews_score` CHECK (`score` between 1 and 5),
  CONSTRAINT `chk_reviews_ind` CHECK ((`attitude` is null or `attitude` between 1 and 5) and (`efficiency` is null or `efficiency` between 1 and 5) and (`competence` is null or `competence` between 1 and 5) and (`convenience` is null or `convenience` between 1 and 5) and (`transparency` is null or `transparency` between 1 and 5))
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='好差评: one review per visit and per case';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `reviews` WRITE;
/*!40000 ALTER TABLE `reviews` DISABLE KEYS */;
INSERT INTO `reviews` VALUES
(1,'demo','ticket',5,NULL,'A005','2026-11-23',5,NULL,NULL,NULL,NULL,NULL,'窗口服务很好','A',1,'1','phone','2026-11-23 09:30:04.722');
/*!40000 ALTER TABLE `reviews` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `schema_migrations`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `schema_migrations` (
  `version` varchar(64) NOT NULL,
  `applied_at` datetime NOT NULL,
  PRIMARY KEY (`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `schema_migrations` WRITE;
/*!40000 ALTER TABLE `schema_migrations` DISABLE KEYS */;
INSERT INTO `schema_migrations` VALUES
('001_foundation','2026-12-03 15:50:56'),
('002_alerts','2026-12-03 15:50:56'),
('003_outbox_kiosk','2026-12-03 15:50:56'),
('010_notify','2026-12-03 15:50:56'),
('020_identity','2026-12-03 15:50:56'),
('030_queue','2026-12-03 15:50:56'),
('040_appointments','2026-12-03 15:50:56'),
('041_idempotency','2026-12-03 15:50:56'),
('042_appointments_due','2026-12-03 15:50:57'),
('050_cases','2026-12-03 15:50:57'),
('070_reviews','2026-12-03 15:50:57'),
('080_online','2026-12-03 15:50:57'),
('seed:demo','2026-12-03 15:50:57');
/*!40000 ALTER TABLE `schema_migrations` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `sms_receipts`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `sms_receipts` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `provider` varchar(16) NOT NULL,
  `msg_key` varchar(128) NOT NULL COMMENT 'BizId (aliyun) or SerialNo/sid (tencent), else OutId',
  `status` varchar(64) NOT NULL COMMENT 'DELIVERED, or FAILED:<provider code>',
  `outbox_id` bigint(20) unsigned DEFAULT NULL,
  `reported_at` datetime(3) DEFAULT NULL,
  `received_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `u_receipt` (`provider`,`msg_key`,`status`),
  KEY `k_outbox` (`outbox_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `sms_receipts` WRITE;
/*!40000 ALTER TABLE `sms_receipts` DISABLE KEYS */;
/*!40000 ALTER TABLE `sms_receipts` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `staff`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `staff` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `hall` varchar(32) NOT NULL,
  `username` varchar(32) NOT NULL,
  `name` varchar(50) NOT NULL,
  `role` enum('clerk','approver','manager','admin','kiosk') NOT NULL,
  `department` varchar(32) DEFAULT NULL,
  `window_no` smallint(5) unsigned DEFAULT NULL COMMENT 'usual window of a clerk; the window is chosen at sign-in',
  `password_hash` varchar(255) NOT NULL COMMENT 'crypto_pwhash_str (argon2id) string',
  `failed_logins` tinyint(3) unsigned NOT NULL DEFAULT 0,
  `locked_until` datetime DEFAULT NULL,
  `disabled` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL DEFAULT current_timestamp(),
  `updated_at` datetime NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  `phone_enc` varbinary(255) DEFAULT NULL COMMENT 'sealed mobile number for work notices',
  `phone_mask` varchar(32) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_staff_hall_username` (`hall`,`username`),
  KEY `k_staff_department` (`department`),
  KEY `k_staff_window` (`hall`,`window_no`),
  CONSTRAINT `fk_staff_department` FOREIGN KEY (`department`) REFERENCES `departments` (`code`),
  CONSTRAINT `fk_staff_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `fk_staff_window` FOREIGN KEY (`hall`, `window_no`) REFERENCES `windows` (`hall`, `number`),
  CONSTRAINT `chk_staff_disabled` CHECK (`disabled` in (0,1))
) ENGINE=InnoDB AUTO_INCREMENT=13 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='hall staff accounts';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `staff` WRITE;
/*!40000 ALTER TABLE `staff` DISABLE KEYS */;
INSERT INTO `staff` VALUES
(1,'demo','clerk1','王晓明','clerk',NULL,1,'$argon2id$v=19$m=65536,t=2,p=1$gG6HmHEVdZcGaCUpbko+BA$ulLRq+E/UM1jZTYx1Tq3SUs+tcOxuzn9WQEUoS4dZ3A',0,NULL,0,'2026-12-03 15:50:57','2026-12-03 15:50:57',NULL,NULL),
(2,'demo','clerk2','李娜','clerk',NULL,2,'$argon2id$v=19$m=65536,t=2,p=1$OOux/wGWR3eEHsF2+MzmzQ$v+NlJYmbhGyWZ+66jFcYLnUHD1smxs+K7afJn91thGQ',0,NULL,0,'2026-12-03 15:50:57','2026-12-03 15:50:57',NULL,NULL),
(3,'demo','clerk3','张伟','clerk',NULL,3,'$argon2id$v=19$m=65536,t=2,p=1$FZVDSEPjRQnDTZLeSqw4VQ$BHEiqwIUEJDnV5/mi1FY88tvMfYLBXK9zOoV/XQ13XQ',0,NULL,0,'2026-12-03 15:50:57','2026-12-03 15:50:57',NULL,NULL),
(4,'demo','clerk4','刘洋','clerk',NULL,4,'$argon2id$v=19$m=65536,t=2,p=1$y9YFIfqcUkLlN928F0u74A$8C8YQeeFB6RFcvRZ01csNoxxYR1pVomZZVAPf6x8Du0',0,NULL,0,'2026-12-03 15:50:57','2026-12-03 15:50:57',NULL,NULL),
(5,'demo','clerk5','陈静','clerk',NULL,5,'$argon2id$v=19$m=65536,t=2,p=1$ektAaQ+SnzSbe2SSGW0QEA$8+aivmXgjVSKfuCFJudErs/2A4yERNAU1RAPo35qw7I',0,NULL,0,'2026-12-03 15:50:57','2026-12-03 15:50:57',NULL,NULL),
(6,'demo','clerk6','杨帆','clerk',NULL,6,'$argon2id$v=19$m=65536,t=2,p=1$/V8DDjJShVNfl03Mi5YtYg$ih7D+kyeyFSolvBrwWzqCKJttjTTeYe1yNdm9gEmWZc',0,NULL,0,'2026-12-03 15:50:58','2026-12-03 15:50:58',NULL,NULL),
(7,'demo','clerk7','赵敏','clerk',NULL,7,'$argon2id$v=19$m=65536,t=2,p=1$2lhWnAVFrk8miOH0TCSuPg$lkM+TYwWeYFmdway4c3Cl/Bk+nwjU6B3UEtAcVeEL1Q',0,NULL,0,'2026-12-03 15:50:58','2026-12-03 15:50:58',NULL,NULL),
(8,'demo','clerk8','黄磊','clerk',NULL,8,'$argon2id$v=19$m=65536,t=2,p=1$DA1TJGwHvysJK+u22NeuXA$bYR7qBk6HeqM7qdgA4BTOfWVQ6u7zz4uu02DB4/hJO8',0,NULL,0,'2026-12-03 15:50:58','2026-12-03 15:50:58',NULL,NULL),
(9,'demo','approver1','周建国','approver','scjg',NULL,'$argon2id$v=19$m=65536,t=2,p=1$QWz5/6CGxhYvOBU2QpkHZw$EwHgdWIDURpLFUJasUSLuGKgkoQdhzsARn7ysER1Zmw',0,NULL,0,'2026-12-03 15:50:58','2026-12-03 15:50:58',NULL,NULL),
(10,'demo','manager1','吴秀兰','manager',NULL,NULL,'$argon2id$v=19$m=65536,t=2,p=1$S6ete/PDoVuL3y3MAdHB3w$wXs3sQXzZ1B/Jr40eNcTPF4uylxdCRqiqfDkETFbkyM',0,NULL,0,'2026-12-03 15:50:58','2026-12-03 15:50:58',NULL,NULL),
(11,'demo','admin','系统管理员','admin',NULL,NULL,'$argon2id$v=19$m=65536,t=2,p=1$a3EcXPYMmR9FcaRnIlPmPw$DVNDjwREXspzom0z9Y9stn+a08zViOKm0ehMAvQCWq0',0,NULL,0,'2026-12-03 15:50:58','2026-12-03 15:50:58',NULL,NULL),
(12,'demo','kiosk1','大厅取号机 1','kiosk',NULL,NULL,'$argon2id$v=19$m=65536,t=2,p=1$E58jqzWgx2XVAP3RHsIjMA$Yloqd9XSAb20MHyxCd1E5jxLEy/MbHeeFBxNVLbA89c',0,NULL,0,'2026-12-03 15:50:58','2026-12-03 15:50:58',NULL,NULL);
/*!40000 ALTER TABLE `staff` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `uploads`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `uploads` (
  `id` varchar(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT '≥128-bit random token',
  `sha256` char(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'content hash = file name under upload_dir',
  `type` enum('image/jpeg','image/png','application/pdf') NOT NULL COMMENT 'from the bytes, not the header',
  `size` int(10) unsigned NOT NULL,
  `owner_kind` enum('citizen','staff') NOT NULL,
  `owner` varchar(48) NOT NULL COMMENT 'citizen id or staff id',
  `hall` varchar(32) DEFAULT NULL COMMENT 'staff uploads: their hall',
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `k_uploads_owner` (`owner_kind`,`owner`,`created_at`),
  KEY `k_uploads_sha` (`sha256`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='uploaded files (photos, PDFs), readable by the owner and the staff of the hall';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `uploads` WRITE;
/*!40000 ALTER TABLE `uploads` DISABLE KEYS */;
/*!40000 ALTER TABLE `uploads` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `window_categories`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `window_categories` (
  `hall` varchar(32) NOT NULL,
  `window_no` smallint(5) unsigned NOT NULL,
  `category` char(1) NOT NULL,
  PRIMARY KEY (`hall`,`window_no`,`category`),
  KEY `k_window_categories_category` (`hall`,`category`),
  CONSTRAINT `fk_window_categories_category` FOREIGN KEY (`hall`, `category`) REFERENCES `categories` (`hall`, `code`),
  CONSTRAINT `fk_window_categories_window` FOREIGN KEY (`hall`, `window_no`) REFERENCES `windows` (`hall`, `number`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='categories each window serves';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `window_categories` WRITE;
/*!40000 ALTER TABLE `window_categories` DISABLE KEYS */;
INSERT INTO `window_categories` VALUES
('demo',1,'A'),
('demo',1,'E'),
('demo',2,'A'),
('demo',2,'B'),
('demo',3,'A'),
('demo',3,'F'),
('demo',4,'B'),
('demo',5,'C'),
('demo',6,'D'),
('demo',7,'E'),
('demo',7,'F'),
('demo',8,'A');
/*!40000 ALTER TABLE `window_categories` ENABLE KEYS */;
UNLOCK TABLES;
DROP TABLE IF EXISTS `windows`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `windows` (
  `hall` varchar(32) NOT NULL,
  `number` smallint(5) unsigned NOT NULL,
  `name` varchar(50) NOT NULL,
  `kind` enum('comprehensive','pickup','consult') NOT NULL DEFAULT 'comprehensive',
  PRIMARY KEY (`hall`,`number`),
  CONSTRAINT `fk_windows_hall` FOREIGN KEY (`hall`) REFERENCES `halls` (`code`),
  CONSTRAINT `chk_windows_number` CHECK (`number` >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='service windows (窗口)';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `windows` WRITE;
/*!40000 ALTER TABLE `windows` DISABLE KEYS */;
INSERT INTO `windows` VALUES
('demo',1,'1号窗口 综合受理','comprehensive'),
('demo',2,'2号窗口 综合受理','comprehensive'),
('demo',3,'3号窗口 综合受理','comprehensive'),
('demo',4,'4号窗口 市场准入','comprehensive'),
('demo',5,'5号窗口 建设工程','comprehensive'),
('demo',6,'6号窗口 不动产登记','comprehensive'),
('demo',7,'7号窗口 社会事务·跨省通办','comprehensive'),
('demo',8,'8号窗口 统一出件','pickup');
/*!40000 ALTER TABLE `windows` ENABLE KEYS */;
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

