package io.pigateway.client.spool;

/**
 * What opening the spool found.
 *
 * @param newStream  no usable spool was there (first start, or wiped): a new stream id was chosen
 * @param held       unacknowledged readings taken over from the files, to be sent first
 * @param cutBytes   bytes cut off at the first torn or corrupt record (0 if none), the rest of that
 *                   segment and every later segment included
 * @param cutSegments later segments cut off along with the damaged one
 * @param damage     what was wrong at the cut, with offsets and numbers; null if nothing was cut
 * @param nextSeq    the seq the next reading gets
 * @param skippedSeqs seqs left unused so that none that the cut part (or a lost flush) could have
 *                   handed to the gateway is used twice; 0 normally
 * @param jump       seqs skipped on top of those at every restart of an existing stream ({@link SeqJump}):
 *                   0 for a new stream, else at least 2^32
 */
public record RecoveryReport(boolean newStream, long held, long cutBytes, int cutSegments, String damage, long nextSeq,
                             long skippedSeqs, long jump) {
}
