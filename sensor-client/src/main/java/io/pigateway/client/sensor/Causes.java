package io.pigateway.client.sensor;

/** Exception text for log lines and start-up errors. */
public final class Causes {
    private Causes() {
    }

    /**
     * The messages of an exception and its causes, outermost first, each once: Pi4J wraps the
     * kernel's error ("Remote I/O error") in its own ("Failed to execute action for device 118").
     */
    public static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 500; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
            if (b.indexOf(m) < 0) {
                b.append(b.isEmpty() ? "" : ": ").append(m);
            }
        }
        return b.toString();
    }
}
