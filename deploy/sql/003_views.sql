-- pi-gateway schema, version 3: views for dashboards (Grafana and others), so that their queries
-- stay short. Read-only: nothing writes through them.
--
-- Runs unchanged on MySQL 8+, MariaDB 10.6+/11.x and H2 2.x in MODE=MySQL (the embedded store).
-- Times are UTC DATETIME(3), as in the tables. The views need no index beyond those of 001:
-- readings_by_sensor (device_id, sensor, received_at) answers "newest reading per device and
-- sensor" by jumping from one (device_id, sensor) group to the next instead of reading every row
-- (EXPLAIN on MariaDB: "Using index for group-by"), and then one index lookup per group.
--
-- received_at (gateway clock) is the time dashboards plot and filter on: it is indexed and never
-- 1970. device_time is when the device sampled the value, by its own clock; it differs from
-- received_at by the batching delay, by how long the reading waited in the device's spool (an
-- outage), and by any error of the device's clock.
--
-- With MySQL's default SQL SECURITY DEFINER a view reads the tables with the rights of the account
-- that applied this migration: keep that account, or re-create the views after dropping it.

-- One row per reading, with the unit its device announced for the sensor ('' if it announced none).
CREATE VIEW reading_values AS
SELECT r.device_id,
       r.sensor,
       COALESCE(s.unit, '') AS unit,
       r.value,
       r.received_at,
       r.device_time,
       r.stream_id,
       r.seq
FROM readings r
LEFT JOIN sensors s ON s.device_id = r.device_id AND s.sensor = r.sensor;

-- The newest reading of every sensor of every device: the greatest received_at, and of the readings
-- that arrived with that same time (one frame) the greatest seq (the device numbers its readings in
-- the order it samples them), then the greatest stream_id, which the table's key makes unique. Not
-- the greatest id: on a MariaDB Galera cluster each node hands out ids from its own series
-- (auto_increment_increment = cluster size, offset = the node's place), with gaps, and a reading
-- committed through another node after a failover can get a smaller id than an earlier one; id only
-- names the row here.
CREATE VIEW latest_readings AS
SELECT r.device_id,
       r.sensor,
       COALESCE(s.unit, '') AS unit,
       r.value,
       r.received_at,
       r.device_time,
       r.stream_id,
       r.seq
FROM (SELECT device_id, sensor, MAX(received_at) AS received_at
      FROM readings
      GROUP BY device_id, sensor) newest
JOIN readings r ON r.id = (SELECT t.id
                           FROM readings t
                           WHERE t.device_id = newest.device_id
                             AND t.sensor = newest.sensor
                             AND t.received_at = newest.received_at
                           ORDER BY t.seq DESC, t.stream_id DESC
                           LIMIT 1)
LEFT JOIN sensors s ON s.device_id = r.device_id AND s.sensor = r.sensor;

-- Every device with when it was last heard from. last_seen is the later of its last handshake and
-- its last committed reading (the gateway keeps it in devices), so devices silent for 10 minutes are
--   SELECT * FROM device_last_seen WHERE last_seen < UTC_TIMESTAMP() - INTERVAL 10 MINUTE
-- last_reading_at is NULL for a device that never sent a reading, last_connected_at the time of its
-- last handshake (a device that reconnects often but sends nothing shows up here).
CREATE VIEW device_last_seen AS
SELECT d.device_id,
       d.last_seen,
       per_device.last_reading_at,
       connected.last_connected_at,
       d.first_seen,
       d.last_address,
       d.last_stream_id,
       d.last_clock_offset_ms
FROM devices d
LEFT JOIN (SELECT per_sensor.device_id, MAX(per_sensor.received_at) AS last_reading_at
           FROM (SELECT device_id, sensor, MAX(received_at) AS received_at
                 FROM readings
                 GROUP BY device_id, sensor) per_sensor
           GROUP BY per_sensor.device_id) per_device ON per_device.device_id = d.device_id
LEFT JOIN (SELECT device_id, MAX(connected_at) AS last_connected_at
           FROM connections
           GROUP BY device_id) connected ON connected.device_id = d.device_id;
