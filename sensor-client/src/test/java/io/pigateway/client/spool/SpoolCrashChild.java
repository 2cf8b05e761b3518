package io.pigateway.client.spool;

import io.pigateway.client.config.SpoolConfig;
import io.pigateway.protocol.Reading;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The process {@link SpoolCrashIT} kills: appends to a spool as fast as a busy client would, and
 * says on stdout what the link would have been allowed to send ({@code SYNCED seq}, printed after
 * the flush that made it sendable) and what a gateway acknowledged ({@code ACKED seq}, printed
 * after the ACK was applied). Stops by itself after 30 s in case nobody kills it.
 */
public final class SpoolCrashChild {
    static final String DEVICE = "crash-pi";
    static final String SENSOR = "crash.test";
    static final long ACK_LAG = 3000;

    private SpoolCrashChild() {
    }

    static SpoolConfig config(Path base) {
        return new SpoolConfig(base, (16L << 20) + SpoolConfig.META_RESERVE_BYTES, 64L << 10,
                SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofMillis(3), 500);
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        Spool spool = Spool.open(config(Path.of(args[0])), DEVICE);
        out.println("START " + spool.streamId() + " " + spool.recovery().nextSeq());
        long[] state = new long[2]; // last synced seq printed, last acked; only the flushing thread touches it
        spool.onFlushed(() -> {
            List<Reading> sendable = spool.peekUnsent(state[0], Integer.MAX_VALUE);
            if (sendable.isEmpty()) {
                return;
            }
            state[0] = sendable.getLast().seq();
            out.println("SYNCED " + state[0]);
            long ackUpTo = state[0] - ACK_LAG;
            if (ackUpTo > state[1] + ACK_LAG) {
                spool.ack(ackUpTo);
                state[1] = ackUpTo;
                out.println("ACKED " + ackUpTo);
            }
        });
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (long i = 0; System.nanoTime() < end; i++) {
            spool.append(SENSOR, System.currentTimeMillis(), i);
            if (i % 100 == 99) {
                Thread.sleep(1);
            }
        }
        spool.close();
    }
}
