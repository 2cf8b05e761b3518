package io.pigateway.gateway.ingest.lineprotocol;

import java.math.BigInteger;

/** One field value of a line, with the type its written form gives it. */
public sealed interface FieldValue {
    /** {@code 21.5}, {@code -1e3}, {@code 7}: a number without suffix is a float. */
    record FloatValue(double value) implements FieldValue {
    }

    /** {@code 7i}: a signed 64-bit integer. */
    record IntegerValue(long value) implements FieldValue {
    }

    /** {@code 7u}: an unsigned 64-bit integer, its bits kept in a long (read with {@link Long#toUnsignedString}). */
    record UnsignedValue(long bits) implements FieldValue {
        public double asDouble() {
            return bits >= 0 ? bits : new BigInteger(Long.toUnsignedString(bits)).doubleValue();
        }
    }

    /** {@code t}, {@code true}, {@code F}, ...: a boolean. */
    record BooleanValue(boolean value) implements FieldValue {
    }

    /** {@code "text"}: a string, with its escapes resolved. */
    record StringValue(String value) implements FieldValue {
    }
}
