package dev.switchboard.protection;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The client address of the current request: the socket's peer, which Quarkus replaces by the X-Forwarded-For /
 * Forwarded client only when {@code quarkus.http.proxy.proxy-address-forwarding} is on and the peer is one of
 * {@code quarkus.http.proxy.trusted-proxies}, so a client cannot pick its own address by sending the header.
 */
@ApplicationScoped
public class ClientAddress {

    @Inject
    CurrentVertxRequest request;

    public String current() {
        RoutingContext context = request.getCurrent();
        SocketAddress address = context == null ? null : context.request().remoteAddress();
        if (address == null) {
            throw new IllegalStateException("no HTTP request in progress");
        }
        return address.hostAddress() != null ? address.hostAddress() : address.host();
    }
}
