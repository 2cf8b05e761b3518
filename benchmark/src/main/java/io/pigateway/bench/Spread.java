package io.pigateway.bench;

import java.util.Arrays;
import java.util.List;

/** A figure over rounds: its median and its range. */
record Spread(double median, double min, double max, int n) {
    static Spread of(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Spread(median, v[0], v[n - 1], n);
    }

    static Spread of(double... values) {
        return of(Arrays.stream(values).boxed().toList());
    }

    /** E.g. {@code 41,200 (39,800–43,100)} with {@code format} {@code %,.0f}. */
    String format(String format) {
        if (n == 0) {
            return "n/a";
        }
        return String.format(format, median) + " (" + String.format(format, min) + "–" + String.format(format, max) + ")";
    }
}
