-- pi-gateway schema, version 2: the sensors each device announces in its HELLO.
--
-- A reading names its sensor; this table gives that sensor's unit and kind, so a dashboard can
-- label a series ("°C", "bme280.temperature") and tell simulated sensors from real ones.
-- Updated at every handshake; a sensor a device stops announcing keeps its row (its readings do too).

CREATE TABLE sensors (
    device_id       VARCHAR(64) NOT NULL,
    sensor          VARCHAR(64) NOT NULL COMMENT 'as in readings.sensor',
    unit            VARCHAR(16) NOT NULL COMMENT 'unit of the values, empty for a dimensionless input',
    kind            VARCHAR(64) NOT NULL COMMENT 'what the sensor is, e.g. bme280.temperature, gpio.input',
    simulated       BOOLEAN     NOT NULL COMMENT 'true for a simulated sensor, not hardware',
    first_announced DATETIME(3) NOT NULL COMMENT 'UTC, gateway clock',
    last_announced  DATETIME(3) NOT NULL COMMENT 'UTC, gateway clock at the last handshake that named it',
    PRIMARY KEY (device_id, sensor)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
  COMMENT = 'Sensors announced by devices at their handshake';
