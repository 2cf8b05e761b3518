package io.pigateway.gateway.net;

import io.pigateway.protocol.Message;
import java.util.List;

/**
 * What the gateway sent back on one connection, in order, and how the connection ended.
 *
 * @param replies  every frame the gateway sent that was read before the end
 * @param ending   how reading ended
 * @param detail   the exception behind a {@link Ending#RESET}, {@link Ending#TIMEOUT} or {@link Ending#GARBLED}
 */
record Transcript(List<Message> replies, Ending ending, String detail) {
    enum Ending {
        /** The gateway closed the connection after its last frame. */
        CLOSED,
        /** The gateway reset the connection (it closed with unread input still queued). */
        RESET,
        /** Nothing more arrived, and the connection stayed open, until the deadline. */
        TIMEOUT,
        /** The gateway's output was not a sequence of whole, valid frames. */
        GARBLED
    }

    Transcript {
        replies = List.copyOf(replies);
    }

    @Override
    public String toString() {
        return replies + ", then " + ending + (detail == null ? "" : " (" + detail + ")");
    }
}
