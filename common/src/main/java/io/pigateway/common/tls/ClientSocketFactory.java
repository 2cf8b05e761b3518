package io.pigateway.common.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A {@link TlsContext}'s client side for a library that opens its own sockets (the MQTT client): every
 * socket it makes is limited to the context's protocols and checks that the server's certificate names
 * the host it connects to, as {@link TlsContext#overConnected} does.
 */
final class ClientSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory factory;
    private final TlsProtocols protocols;

    ClientSocketFactory(SSLSocketFactory factory, TlsProtocols protocols) {
        this.factory = factory;
        this.protocols = protocols;
    }

    private Socket limit(Socket socket) {
        SSLSocket tls = (SSLSocket) socket;
        SSLParameters p = tls.getSSLParameters();
        p.setProtocols(protocols.array());
        p.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(p);
        return tls;
    }

    @Override
    public Socket createSocket() throws IOException {
        return limit(factory.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return limit(factory.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return limit(factory.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return limit(factory.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return limit(factory.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return limit(factory.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return factory.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return factory.getSupportedCipherSuites();
    }
}
