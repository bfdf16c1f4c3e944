-- 103: no secret readable at rest in the outbox (issue 17, item 4).
SET NAMES utf8mb4;

-- params keeps the variables readable for staff screens and resends, with every secret one
-- (a verification, appointment or pickup code, a tracking link: kinds code/url and variables
-- marked `secret` in sms-templates/) written as ******.  params_enc holds all of them as
-- queued, sealed with the data key (libsodium secretbox, as phones are); the worker sends
-- from it and sets it NULL once the row is sent, failed or dropped.
ALTER TABLE outbox
    ADD COLUMN params_enc BLOB NULL
        COMMENT 'the variables as queued, sealed; NULL once sent, failed or dropped'
        AFTER params;

-- Rows written before this migration hold their codes and links in clear.  Those already
-- sent, failed or dropped need them no more: mask them here.  Rows still to be sent keep
-- them until the worker (job notify-housekeeping, at its first run) seals them into
-- params_enc and masks params: sealing needs the data key, which SQL does not have.
UPDATE outbox SET params = JSON_SET(params, '$.code', '******')
 WHERE template IN ('login_code', 'appointment_booked', 'appointment_reminder')
   AND status IN ('sent', 'failed', 'dropped')
   AND JSON_CONTAINS_PATH(params, 'one', '$.code');
UPDATE outbox SET params = JSON_SET(params, '$.pickup_code', '******')
 WHERE template = 'result_ready'
   AND status IN ('sent', 'failed', 'dropped')
   AND JSON_CONTAINS_PATH(params, 'one', '$.pickup_code');
UPDATE outbox SET params = JSON_SET(params, '$.url', '******')
 WHERE template = 'case_accepted'
   AND status IN ('sent', 'failed', 'dropped')
   AND JSON_CONTAINS_PATH(params, 'one', '$.url');
