-- 142_cross_province.sql — 跨省通办 收受分离 as states (issue 22 item 4).  modules/xprov/.
--
--   * xprov_cases: one row per cross-province case, in one of two directions:
--       out  accepted here (window or online), decided by another province's office
--            (cases.processing_office); the row is written by the first step (dispatch):
--            a cross-province case without a row is in state 'accepted'.
--       in   accepted by another province's office (office, their_no) for a department of
--            ours; written when the hall registers it (state 'dispatched': the office sent it).
--     state accepted → dispatched → received → decided → returned → delivered, changed only by
--     a guarded UPDATE … WHERE state = ? in the transaction that writes the hand-over, the case's
--     history and the SMS.  Each step keeps its date and who recorded it.
--   * cases.cross_province / processing_office stay what they were (the flag and the office).
-- Additive only: a new table.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE xprov_cases (
    case_id          BIGINT UNSIGNED   NOT NULL,
    hall             VARCHAR(32)       NOT NULL COMMENT 'the hall whose 跨省通办 window deals with it',
    direction        ENUM('out','in')  NOT NULL,
    office           VARCHAR(100)      NOT NULL COMMENT 'the other province''s office',
    their_no         VARCHAR(48)       NULL COMMENT 'in: the sending office''s case number',
    state            ENUM('accepted','dispatched','received','decided','returned','delivered') NOT NULL,
    accepted_on      DATE              NOT NULL COMMENT 'out: accepted here; in: accepted by the office',
    dispatch_via     ENUM('mail','electronic') NULL,
    dispatch_waybill VARCHAR(40)       NULL,
    dispatched_on    DATE              NULL,
    dispatch_handover BIGINT UNSIGNED  NULL COMMENT 'the sheet the file travelled on',
    received_on      DATE              NULL COMMENT 'the date the processing office confirmed',
    decision         ENUM('approved','rejected') NULL,
    doc_no           VARCHAR(50)       NULL COMMENT '文号 of the decision',
    decided_on       DATE              NULL,
    return_via       ENUM('mail','electronic') NULL,
    return_waybill   VARCHAR(40)       NULL,
    returned_on      DATE              NULL,
    return_handover  BIGINT UNSIGNED   NULL,
    delivered_via    ENUM('pickup','mail','office') NULL,
    delivered_on     DATE              NULL,
    created_by       BIGINT UNSIGNED   NOT NULL,
    created_at       DATETIME          NOT NULL,
    updated_by       BIGINT UNSIGNED   NOT NULL,
    updated_at       DATETIME          NOT NULL,
    PRIMARY KEY (case_id),
    UNIQUE KEY uk_xprov_their (office, their_no),
    KEY k_xprov_hall_state (hall, direction, state),
    CONSTRAINT fk_xprov_case FOREIGN KEY (case_id) REFERENCES cases (id) ON DELETE CASCADE,
    CONSTRAINT fk_xprov_hall FOREIGN KEY (hall) REFERENCES halls (code),
    CONSTRAINT fk_xprov_created_by FOREIGN KEY (created_by) REFERENCES staff (id),
    CONSTRAINT fk_xprov_updated_by FOREIGN KEY (updated_by) REFERENCES staff (id),
    CONSTRAINT chk_xprov_in CHECK (direction = 'out' OR their_no IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='跨省通办 收受分离: the steps of a cross-province case';
