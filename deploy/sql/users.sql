-- pi-gateway database accounts with least privilege, for MySQL 8+ and MariaDB 10.6+.
--
-- NOT a migration (the gateway never runs it): an administrator runs it once, as root or another
-- account that may create users and grant. On a new server, in this order (deploy/README.md,
-- section 3, has the commands; DatabaseSetupIT runs them as written):
--   1. CREATE DATABASE pi CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
--   2. apply the schema migrations as an administrator: pi-gateway migrate --user pi_migrate
--      --password-file FILE (the grants below name tables, and MariaDB refuses to grant on a table
--      that does not exist yet);
--   3. this file, placeholders replaced;
--   4. the gateway, with store.user = gateway and store.migrate = check.
--
-- Replace the placeholders first; none of them is a usable value:
--   GATEWAY_HOST      where the gateway connects from: an address (192.168.0.10), a host name, or a
--                     pattern ('192.168.0.%'); keep it as narrow as you can
--   GATEWAY_PASSWORD  the gateway's password, the content of its store.password-file
--   GRAFANA_HOST      where Grafana connects from ('localhost' if it runs on the database host)
--   GRAFANA_PASSWORD  the password in Grafana's data source (see deploy/grafana/README.md)
-- Use long random passwords of letters and digits only (nothing to escape in SQL, sed or Grafana's
-- provisioning files), e.g. tr -dc A-Za-z0-9 </dev/urandom | head -c 32 > db-password. Hand them to
-- sed on its standard input, not its command line (where ps shows them), as deploy/README.md does:
--   printf 's/GATEWAY_PASSWORD/%s/\n...' "$(sudo cat db-password)" | sed -f - users.sql | sudo mysql pi
-- The schema is `pi` (store.database); for another name replace `pi` too.
--
-- Run it again after each upgrade, after the migrations: a release whose gateway writes a new table
-- grants it here. IF NOT EXISTS keeps existing accounts and their passwords, and GRANT only adds;
-- change a password with ALTER USER 'gateway'@'...' IDENTIFIED BY '...'.
--
-- Schema changes need CREATE, ALTER, INDEX and CREATE VIEW, which the gateway account does not
-- have: run the gateway with store.migrate = check, so that it refuses to start, naming the missing
-- migrations, until the schema is current (with apply it would fail on the first CREATE, "command
-- denied"). Apply the migrations of each new release with an administrator account:
--   pi-gateway migrate --user pi_migrate --password-file /etc/pi-gateway/migrate-password
-- takes the server from gateway.conf, applies what is missing under a database lock (GET_LOCK, so
-- two gateways or migrates at once are safe), prints what it applied and exits.
-- The views run with the rights of the account that created them (MySQL's SQL SECURITY DEFINER):
-- do not drop that account while the views exist. The optional account at the end of this file has
-- exactly what migrations need; deploy/README.md creates it before migrating.

-- The gateway: reads the schema version, and writes devices, connections, sensors and readings.
-- It never deletes and never changes the schema. Its statements:
--   schema_version  SELECT (is the schema current?)
--   devices         INSERT ... ON DUPLICATE KEY UPDATE at each handshake, UPDATE of last_seen at commit
--   connections     INSERT at each handshake: history, never read back or changed
--   sensors         INSERT ... ON DUPLICATE KEY UPDATE at each handshake
--   readings        INSERT ... ON DUPLICATE KEY UPDATE seq = seq (a retransmission is skipped), and
--                   an INSERT rolled back as the health probe (it must take writes, not only answer)
-- MariaDB checks the UPDATE privilege of every column an INSERT ... ON DUPLICATE KEY UPDATE names,
-- not only of those it updates, so column-level UPDATE grants do not work here; SELECT is for the
-- columns those statements read (GREATEST(last_seen, ?), seq = seq).
CREATE USER IF NOT EXISTS 'gateway'@'GATEWAY_HOST' IDENTIFIED BY 'GATEWAY_PASSWORD';
GRANT SELECT ON `pi`.`schema_version` TO 'gateway'@'GATEWAY_HOST';
GRANT SELECT, INSERT, UPDATE ON `pi`.`devices` TO 'gateway'@'GATEWAY_HOST';
GRANT INSERT ON `pi`.`connections` TO 'gateway'@'GATEWAY_HOST';
GRANT SELECT, INSERT, UPDATE ON `pi`.`sensors` TO 'gateway'@'GATEWAY_HOST';
GRANT SELECT, INSERT, UPDATE ON `pi`.`readings` TO 'gateway'@'GATEWAY_HOST';

-- Grafana (and any other dashboard): reads the views and tables of `pi`, changes nothing. A few
-- connections are plenty; the cap keeps a runaway dashboard from using up the server's.
CREATE USER IF NOT EXISTS 'grafana'@'GRAFANA_HOST' IDENTIFIED BY 'GRAFANA_PASSWORD'
    WITH MAX_USER_CONNECTIONS 10;
GRANT SELECT ON `pi`.* TO 'grafana'@'GRAFANA_HOST';

-- Optional: an account for applying migrations instead of root. Remove the leading "-- " of the
-- lines between BEGIN and END and replace MIGRATE_HOST and MIGRATE_PASSWORD; on a new server run
-- these two statements on their own before step 2 (they name no table). SELECT and INSERT are for
-- schema_version and for creating views; a later release whose migration replaces or drops
-- something will say which privilege it needs in addition (e.g. DROP).
-- BEGIN optional migrate account
-- CREATE USER IF NOT EXISTS 'pi_migrate'@'MIGRATE_HOST' IDENTIFIED BY 'MIGRATE_PASSWORD';
-- GRANT SELECT, INSERT, CREATE, ALTER, INDEX, CREATE VIEW ON `pi`.* TO 'pi_migrate'@'MIGRATE_HOST';
-- END optional migrate account
