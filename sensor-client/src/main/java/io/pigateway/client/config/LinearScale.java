package io.pigateway.client.config;

/**
 * A straight line through two points, from a measured value x to a physical value y: a 4–20 mA
 * transmitter read as 0.6–3.0 V across a 150 Ω shunt and meaning 0–10 bar is {@code (0.6, 0) (3.0, 10)}.
 */
public record LinearScale(double x1, double y1, double x2, double y2) {
    public LinearScale {
        if (!Double.isFinite(x1) || !Double.isFinite(y1) || !Double.isFinite(x2) || !Double.isFinite(y2)) {
            throw new IllegalArgumentException("scale points must be finite numbers");
        }
        if (x1 == x2) {
            throw new IllegalArgumentException("scale points need two different x values, not " + x1 + " twice");
        }
    }

    public double apply(double x) {
        return y1 + (x - x1) * (y2 - y1) / (x2 - x1);
    }
}
