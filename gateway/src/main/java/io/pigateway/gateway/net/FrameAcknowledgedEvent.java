package io.pigateway.gateway.net;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event per acknowledged frame: its whole time in the gateway, from the frame read off the
 * socket to the ACK covering it written back. Costs nothing unless a flight recording runs. Joined
 * with {@code io.pigateway.FrameCommitted} on device and last seq, it splits that time into stages
 * (docs/PERFORMANCE.md).
 */
@Name("io.pigateway.FrameAcknowledged")
@Label("Frame acknowledged")
@Category("pi-gateway")
@Description("A READINGS frame from its arrival to the ACK that covers it")
@StackTrace(false)
final class FrameAcknowledgedEvent extends jdk.jfr.Event {
    @Label("Device")
    String device;
    @Label("Last seq")
    long lastSeq;
    @Label("Readings")
    int readings;
    @Label("Frames in the ACK")
    @Description("Frames one ACK covered: those already committed behind the first are acknowledged together")
    int ackFrames;
    @Label("Received to ACK")
    @Timespan
    long sinceReceived;
    @Label("Received at")
    @Description("System.nanoTime() when the frame had been read")
    long receivedAt;
    @Label("ACK written at")
    @Description("System.nanoTime() when the ACK had been written to the socket")
    long ackedAt;
}
