-- Changes pushed to every node (issue 15): a node's event streams and idle workers follow
-- writes made by other nodes through LISTEN lucid_changes instead of polling. The payload is
-- `s:<session id>` (events appended, session archived or deleted) or `d:<dream id>` (a dream
-- became pending). Notifications are sent at commit, so a listener never reads ahead of the
-- data; identical payloads within one transaction arrive once.
CREATE FUNCTION lucid_notify_session_events() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('lucid_changes', 's:' || NEW.session_id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER session_events_notify AFTER INSERT ON session_events
    FOR EACH ROW EXECUTE FUNCTION lucid_notify_session_events();

CREATE FUNCTION lucid_notify_sessions() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('lucid_changes', 's:' || COALESCE(NEW.id, OLD.id));
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER sessions_notify AFTER UPDATE OF archived_at OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION lucid_notify_sessions();

CREATE FUNCTION lucid_notify_dreams() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'pending' THEN
        PERFORM pg_notify('lucid_changes', 'd:' || NEW.id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER dreams_notify AFTER INSERT OR UPDATE OF status ON dreams
    FOR EACH ROW EXECUTE FUNCTION lucid_notify_dreams();
