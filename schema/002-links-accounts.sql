-- TCloud schema, migration 2: link downloads counted in fractions of a
-- copy, and throttle kinds for link ids, registrations and password
-- changes (issue 8).
-- download_units: one whole copy of the file served = 1000000 units; a
-- ranged GET costs its share of the file, rounded up (README: links).
ALTER TABLE share_links ADD COLUMN download_units BIGINT NOT NULL DEFAULT 0;
ALTER TABLE auth_failures MODIFY kind ENUM('user','ip','link','link_id','register','password') NOT NULL;
