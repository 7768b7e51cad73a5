-- A finding is keyed by its uid and its resource: Prowler builds the uid
-- from the resource's name, which on Azure, GCP and Kubernetes is unique
-- only within a resource group or namespace, so two resources can share
-- a uid (and both must be kept). The check is part of the key too: a
-- real uid names its check, but files with placeholder uids (Prowler's
-- own examples) would otherwise merge different checks.
ALTER TABLE scan_findings DROP CONSTRAINT scan_findings_pkey;
ALTER TABLE scan_findings ADD PRIMARY KEY (org_id, scan_id, uid, check_id, resource_uid);
