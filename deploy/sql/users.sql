-- pi-gateway database accounts with least privilege, for MySQL 8+ and MariaDB 10.6+.
--
-- NOT a migration (the gateway never runs it): an administrator runs it once, as root or another
-- account that may create users and grant. On a new server, in this order:
--   1. CREATE DATABASE pi CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
--   2. apply the schema migrations as that administrator (see "Schema changes" below): the grants
--      name tables, and MariaDB refuses to grant on a table that does not exist yet;
--   3. this file, placeholders replaced;
--   4. the gateway, with store.user = gateway and store.migrate = check.
--
-- Replace the placeholders first; none of them is a usable value:
--   GATEWAY_HOST      where the gateway connects from: an address (192.168.0.10), a host name, or a
--                     pattern ('192.168.0.%'); keep it as narrow as you can
--   GATEWAY_PASSWORD  the gateway's password, the content of its store.password-file
--   GRAFANA_HOST      where Grafana connects from ('localhost' if it runs on the database host)
--   GRAFANA_PASSWORD  the password in Grafana's data source (see deploy/grafana/README.md)
-- Use long random passwords of letters and digits only (nothing to escape in SQL or Grafana's
-- provisioning files), e.g. (umask 077; tr -dc A-Za-z0-9 </dev/urandom | head -c 32 > db-password).
-- Never put a password in a command's arguments (sed -e "s/.../$(cat file)/", mysql -pSECRET): every
-- user of the machine sees them in ps and /proc. In bash, substitution and printf are built-ins, so
-- the passwords below never become an argument of any process:
--   gw=$(sudo cat /etc/pi-gateway/db-password); gf=$(cat grafana-db-password)
--   sql=$(cat deploy/sql/users.sql)
--   sql=${sql//GATEWAY_PASSWORD/$gw}; sql=${sql//GRAFANA_PASSWORD/$gf}
--   sql=${sql//GATEWAY_HOST/192.168.0.10}; sql=${sql//GRAFANA_HOST/localhost}
--   printf '%s\n' "$sql" | sudo mysql; unset gw gf sql
-- The schema is `pi` (store.database); for another name replace `pi` too.
--
-- Run it again after each upgrade, after the migrations: a release whose gateway writes a new table
-- grants it here. IF NOT EXISTS keeps existing accounts and their passwords, and GRANT only adds;
-- change a password with ALTER USER 'gateway'@'...' IDENTIFIED BY '...'.
--
-- Schema changes (store.migrate = apply) need CREATE, ALTER, INDEX and CREATE VIEW, which the gateway
-- account does not have: run the gateway with store.migrate = check, so that it refuses to start,
-- naming the missing migrations, until the schema is current (with apply it would fail on the first
-- CREATE, "command denied"). Apply the migrations of each new release with an administrator account, either
--   * by starting the gateway once with a configuration whose store.user is that account and
--     store.migrate = apply (it logs "N schema migrations applied"; stop it, start the real one), or
--   * by hand: run each new deploy/sql/NNN_*.sql with the mysql client and record it, e.g.
--     INSERT INTO schema_version VALUES (3, 'views', UTC_TIMESTAMP(3));
-- The views run with the rights of the account that created them (MySQL's SQL SECURITY DEFINER):
-- do not drop that account while the views exist. The optional account at the end of this file has
-- exactly what migrations need, for admins who would rather not use root for them.

-- The gateway: reads the schema version, and writes devices, connections, sensors and readings.
-- It never deletes and never changes the schema. Its statements:
--   schema_version  SELECT (is the schema current?)
--   devices         INSERT ... ON DUPLICATE KEY UPDATE at each handshake, UPDATE of last_seen at commit
--   connections     INSERT at each handshake: history, never read back or changed
--   sensors         INSERT ... ON DUPLICATE KEY UPDATE at each handshake
--   readings        INSERT ... ON DUPLICATE KEY UPDATE seq = seq (a retransmission is skipped), and
--                   SELECT COUNT(*) ... WHERE 1 = 0 as the health probe during an outage
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
