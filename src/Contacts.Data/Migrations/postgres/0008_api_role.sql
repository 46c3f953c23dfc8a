-- Row-level security on by default. The owner and superusers bypass the policies, and a single connection string
-- usually names one of them (development, this project's tests, small deployments). So the API's company commands
-- switch, for their own transaction only, to contacts_api: a role without BYPASSRLS that owns nothing, so the
-- policies of 0003 apply to every statement they run (set_config('role', ..., true) in PostgresDialect).
--
-- Creating a role needs CREATEROLE (or a superuser). Where the owner lacks it (some managed databases), this script
-- creates nothing and says so; the service then refuses to start until an administrator runs the statements below or
-- the operator opts out explicitly with Database:RowLevelSecurity=Off (docs/isolation.md).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'contacts_api') THEN
        CREATE ROLE contacts_api NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
    IF NOT pg_has_role(current_user, 'contacts_api', 'MEMBER') THEN
        EXECUTE format('GRANT contacts_api TO %I', current_user);
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO contacts_api', current_schema());
    -- What the API's company commands read, nothing more (keys go through contacts_find_key, outside the command).
    GRANT SELECT ON contact, tag, contact_tag, company_contact_count, tag_contact_count, contact_block_count,
        contact_change, contact_change_purge TO contacts_api;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'contacts_api was not set up (%): the service will refuse to start until it is; see docs/isolation.md', SQLERRM;
END
$$;
