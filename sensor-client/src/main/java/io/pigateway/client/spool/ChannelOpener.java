package io.pigateway.client.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens the spool's files for reading and writing, creating them if need be; tests hand in failing channels. */
@FunctionalInterface
interface ChannelOpener {
    ChannelOpener FILES = path -> FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);

    FileChannel open(Path path) throws IOException;
}
