-- pi-gateway schema, version 1.
--
-- Runs unchanged on MySQL 8+, MariaDB 10.6+/11.x and H2 2.x in MODE=MySQL (the embedded store).
-- The gateway applies it at start-up (store.migrate = apply) and records it in schema_version;
-- to apply it by hand, run this file and then:
--   INSERT INTO schema_version VALUES (1, 'initial schema', UTC_TIMESTAMP(3));
--
-- Every time is UTC in DATETIME(3), never TIMESTAMP: a Pi without a real-time clock boots in 1970,
-- which TIMESTAMP cannot hold, and TIMESTAMP would also shift values with the session time zone.
-- Identifiers compare case-sensitively (utf8mb4_bin), as they do in the gateway and in H2.

CREATE TABLE schema_version (
    version     INT          NOT NULL COMMENT 'number of the migration file, 001_... is 1',
    description VARCHAR(200) NOT NULL COMMENT 'from the file name',
    applied_at  DATETIME(3)  NOT NULL COMMENT 'UTC',
    PRIMARY KEY (version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
  COMMENT = 'Migrations applied to this schema; the gateway refuses a schema newer than it knows';

-- One row per device that ever completed a handshake. last_seen moves forward with every commit
-- of the device's readings, so "devices silent for an hour" is a cheap query.
CREATE TABLE devices (
    device_id            VARCHAR(64)  NOT NULL,
    first_seen           DATETIME(3)  NOT NULL COMMENT 'UTC, gateway clock at the first handshake',
    last_seen            DATETIME(3)  NOT NULL COMMENT 'UTC, gateway clock at the last handshake or commit',
    last_address         VARCHAR(128) NOT NULL COMMENT 'peer address of the last connection',
    last_stream_id       BIGINT       NOT NULL COMMENT 'stream id of the last connection',
    last_clock_offset_ms BIGINT       NOT NULL COMMENT 'gateway clock minus device clock at the last handshake',
    PRIMARY KEY (device_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
  COMMENT = 'Devices seen by the gateway';

-- One row per accepted connection (handshake), kept as history: clock drift and reconnect storms
-- show up here.
CREATE TABLE connections (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    device_id       VARCHAR(64)  NOT NULL,
    stream_id       BIGINT       NOT NULL COMMENT 'random id the device picked for this run of its sequence numbers',
    peer_address    VARCHAR(128) NOT NULL,
    connected_at    DATETIME(3)  NOT NULL COMMENT 'UTC, gateway clock',
    device_clock    DATETIME(3)  NULL     COMMENT 'device clock at the handshake as UTC; NULL if outside the DATETIME range',
    clock_offset_ms BIGINT       NOT NULL COMMENT 'gateway clock minus device clock',
    PRIMARY KEY (id),
    INDEX connections_by_device (device_id, connected_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
  COMMENT = 'Handshakes accepted by the gateway';

-- The readings. (device_id, stream_id, seq) identifies a reading: a retransmitted reading hits the
-- unique key and is skipped (INSERT ... ON DUPLICATE KEY UPDATE seq = seq), while a device that
-- restarts with a new stream id starts a new sequence.
CREATE TABLE readings (
    id          BIGINT      NOT NULL AUTO_INCREMENT,
    device_id   VARCHAR(64) NOT NULL,
    stream_id   BIGINT      NOT NULL,
    seq         BIGINT      NOT NULL COMMENT 'position in the stream, rising from 1',
    sensor      VARCHAR(64) NOT NULL,
    value       DOUBLE      NOT NULL,
    device_time DATETIME(3) NOT NULL COMMENT 'UTC, device clock when sampled; may be 1970 on a Pi without RTC',
    received_at DATETIME(3) NOT NULL COMMENT 'UTC, gateway clock when the frame arrived',
    PRIMARY KEY (id),
    CONSTRAINT readings_key UNIQUE (device_id, stream_id, seq),
    -- dashboards: one sensor of one device over a time range
    INDEX readings_by_sensor (device_id, sensor, received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
  COMMENT = 'Sensor readings, each stored once';
