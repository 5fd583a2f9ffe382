-- Request rate limits counted across nodes (issue 15): one token bucket per API key (its
-- SHA-256) or client address, so a key gets `rate_per_key` whichever node answers. UNLOGGED:
-- a bucket is not worth a WAL flush per request, and a crash that empties the table only
-- refills every bucket.
CREATE UNLOGGED TABLE rate_buckets (
    holder TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    refreshed_at TIMESTAMPTZ NOT NULL
);

-- Takes a token from `p_holder`'s bucket (created full), refilled by the database's clock:
-- returns 0 when taken, else the seconds until the next token. The row lock orders
-- concurrent takes from every node.
CREATE FUNCTION lucid_take_rate_token(p_holder TEXT, p_per_second DOUBLE PRECISION,
                                      p_burst DOUBLE PRECISION)
RETURNS DOUBLE PRECISION AS $$
DECLARE
    stored DOUBLE PRECISION;
    refreshed TIMESTAMPTZ;
    at TIMESTAMPTZ;
    available DOUBLE PRECISION;
BEGIN
    INSERT INTO rate_buckets (holder, tokens, refreshed_at)
        VALUES (p_holder, p_burst, clock_timestamp())
        ON CONFLICT (holder) DO NOTHING;
    SELECT tokens, refreshed_at INTO stored, refreshed
        FROM rate_buckets WHERE holder = p_holder FOR UPDATE;
    at := clock_timestamp();
    available := LEAST(p_burst,
        stored + GREATEST(EXTRACT(EPOCH FROM at - refreshed)::float8, 0) * p_per_second);
    IF available >= 1 THEN
        UPDATE rate_buckets SET tokens = available - 1, refreshed_at = at
            WHERE holder = p_holder;
        RETURN 0;
    END IF;
    UPDATE rate_buckets SET tokens = available, refreshed_at = at WHERE holder = p_holder;
    RETURN (1 - available) / p_per_second;
END
$$ LANGUAGE plpgsql;
