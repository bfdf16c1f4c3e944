-- 107_migration_checksums.sql — what yichuang-admin migrate records of each migration besides
-- its name (fcgi/migrate.c): the SHA-256 of the file as it was applied, and the release of the
-- yichuang-admin that applied it. A released migration is never edited (a hall that already
-- applied it would never see the change): migrate warns when a file no longer matches its
-- checksum. Rows from before this migration keep NULL: what they applied is not known.
--
-- Additive, instant (no table copy), so the previous release's programs run on as before.

ALTER TABLE schema_migrations
    ADD COLUMN IF NOT EXISTS checksum   CHAR(64)    NULL COMMENT 'SHA-256 (hex) of the file as applied',
    ADD COLUMN IF NOT EXISTS applied_by VARCHAR(64) NULL COMMENT 'release (git describe) of the yichuang-admin that applied it',
    ALGORITHM=INSTANT;
