-- Failed sign-ins are counted per (username, client address) and per client address, never per
-- username alone: wrong passwords from one address cannot lock the owner (or a machine client)
-- out from another, and one address trying many usernames is throttled. username_key is
-- 'user:' || lower(username) for a pair and 'address' for the address's own count.
DELETE FROM login_failures;
ALTER TABLE login_failures ADD COLUMN client text NOT NULL DEFAULT '';
ALTER TABLE login_failures DROP CONSTRAINT login_failures_pkey;
ALTER TABLE login_failures ADD PRIMARY KEY (username_key, client);
