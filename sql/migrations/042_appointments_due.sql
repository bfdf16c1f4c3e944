-- 042_appointments_due.sql — the worker's appointment jobs find their rows by an index:
-- the no-show job (status = 'booked' AND day <= today, ended) and the reminder job
-- (status = 'booked' AND day = tomorrow) scan only the bookings still open.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE appointments ADD KEY k_appt_due (status, day, end_time);
