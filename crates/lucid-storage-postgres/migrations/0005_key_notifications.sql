-- A revoked API key stops working on every node at once (issue 15): nodes cache verified keys
-- for a few seconds, and this tells them to forget them (payload `k:<key id>`).
CREATE FUNCTION lucid_notify_api_keys() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('lucid_changes', 'k:' || NEW.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER api_keys_notify AFTER UPDATE OF revoked_at ON api_keys
    FOR EACH ROW EXECUTE FUNCTION lucid_notify_api_keys();
