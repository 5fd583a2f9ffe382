-- Dream leases (issue 15): the node running a dream holds a lease it renews while it works
-- (`lease_owner`, `lease_expires_at` in the database's clock, so nodes' clocks do not matter).
-- A running dream whose lease expired (its node died or lost the database) is claimed again and
-- re-run from its inputs; only the lease holder may narrate, complete or fail it.
ALTER TABLE dreams ADD COLUMN lease_owner TEXT;
ALTER TABLE dreams ADD COLUMN lease_expires_at TIMESTAMPTZ;
ALTER TABLE dreams ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
CREATE INDEX dreams_by_lease ON dreams (lease_owner) WHERE status = 'running';
