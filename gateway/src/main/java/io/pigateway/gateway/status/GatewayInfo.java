package io.pigateway.gateway.status;

/**
 * What the status page's summary shows that does not change while the gateway runs.
 *
 * @param version    the gateway's version ("dev" when not run from a packaged jar)
 * @param listen     "address:port" the sensor clients connect to
 * @param tls        whether clients must use TLS (a reload changes the certificates, not this; their
 *                   description is {@code GatewayState.tlsSummary()})
 * @param authMode   "secrets" or "open"
 * @param store      {@code StoreConfig.describe()}: the store's kind and where it is, never a password
 */
public record GatewayInfo(String version, long startedMillis, String listen, boolean tls,
                          String authMode, String store) {
}
