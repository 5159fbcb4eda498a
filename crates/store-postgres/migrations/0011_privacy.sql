-- 0011_privacy: the retention task (issue 18, docs/privacy.md) finds a site's chats that
-- ended, and its visits last seen, before a cut-off without scanning the site. The chats'
-- index is partial (ended chats only), so the queue's hot paths keep their own indexes.
CREATE INDEX chats_site_ended ON chats (site_id, ended_at) WHERE state = 'ended';
CREATE INDEX visits_site_seen ON visits (site_id, last_seen);
-- A chat deleted (retention, "Erase visitor") takes its webhook deliveries with it: their
-- payloads hold its messages.
CREATE INDEX webhook_deliveries_of_chat ON webhook_deliveries (chat_id) WHERE chat_id IS NOT NULL;
