package io.pigateway.gateway.net;

import io.pigateway.common.net.UnixSocket;
import io.pigateway.gateway.config.UnixSocketConfig;
import java.io.IOException;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.tinylog.Logger;

/**
 * The listening end of {@code listen.unix-socket}. Start-up:
 * <ol>
 *   <li>If the path exists it must be a socket nobody listens on (left by a gateway that was killed):
 *       a regular file or a directory there is never deleted, and a socket that answers belongs to a
 *       running gateway, so start-up fails instead.</li>
 *   <li>The socket is bound under a temporary name next to the path, given its mode
 *       ({@code listen.unix-socket-mode}), and only then renamed to the path, so there is no moment at
 *       which the socket is reachable with the mode the process's umask would give it.</li>
 * </ol>
 * {@link #close} removes the socket file.
 */
final class UnixSocketServer implements AutoCloseable {
    /** The file type bits of {@code unix:mode} (S_IFMT) and the value for a socket (S_IFSOCK). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    private final ServerSocketChannel server;

    private UnixSocketServer(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    static UnixSocketServer bind(UnixSocketConfig config, int backlog) throws IOException {
        Path path = config.path();
        removeStale(path);
        Path aside = path.resolveSibling("." + path.getFileName() + "." + ProcessHandle.current().pid() + ".new");
        Files.deleteIfExists(aside);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(aside), backlog);
            Files.setPosixFilePermissions(aside, config.mode());
            Files.move(aside, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(aside);
            throw new IOException("unix:" + path + " (listen.unix-socket): " + e, e);
        }
        return new UnixSocketServer(path, server);
    }

    private static void removeStale(Path path) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException("unix:" + path + " (listen.unix-socket): the path exists and is not"
                    + " a socket; the gateway only replaces a socket file it left behind");
        }
        boolean answered;
        try (UnixSocket probe = UnixSocket.connect(path)) {
            answered = true;
        } catch (IOException refused) {
            answered = false; // nobody listens: the socket is stale
        }
        if (answered) {
            throw new IOException("unix:" + path + " (listen.unix-socket): another process (a gateway"
                    + " already running?) accepts connections on it");
        }
        Logger.info("unix:{}: removing the socket file a previous gateway left behind (nobody listens on it)", path);
        Files.deleteIfExists(path);
    }

    Socket accept() throws IOException {
        SocketChannel channel = server.accept();
        try {
            return new UnixSocket(channel, path);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    boolean isClosed() {
        return !server.isOpen();
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            Logger.debug("unix:{}: close failed: {}", path, e.toString());
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Logger.warn("unix:{}: could not remove the socket file: {}", path, e.toString());
        }
    }

    @Override
    public String toString() {
        return "unix:" + path;
    }
}
