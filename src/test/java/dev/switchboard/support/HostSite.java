package dev.switchboard.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A customer's website on a second origin (127.0.0.1 and its own port, where Switchboard is on localhost) that
 * embeds the widget with the one script tag a business pastes: {@code /?key=<site key>&switchboard=<base URL>}.
 */
public final class HostSite implements AutoCloseable {

    private final HttpServer server;

    private HostSite(HttpServer server) {
        this.server = server;
    }

    public static HostSite start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                Map<String, String> q = new HashMap<>();
                for (String kv : exchange.getRequestURI().getRawQuery().split("&")) {
                    String[] p = kv.split("=", 2);
                    q.put(p[0], URLDecoder.decode(p[1], StandardCharsets.UTF_8));
                }
                String style = q.containsKey("css") ? "<style>" + q.get("css") + "</style>" : "";
                String locale = q.containsKey("locale") ? " data-locale=\"" + q.get("locale") + "\"" : "";
                byte[] page = ("<!doctype html><html><head>" + style + "</head><body><h1>Another shop</h1><div><script"
                        + " src=\"" + q.get("switchboard") + "widget.js\" data-site-key=\"" + q.get("key") + "\"" + locale
                        + " async></script></div></body></html>").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, page.length);
                exchange.getResponseBody().write(page);
                exchange.close();
            });
            server.start();
            return new HostSite(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the host site", e);
        }
    }

    /** The origin browsers send from this site's pages. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A page of this site with the widget of {@code siteKey}, loaded from the Switchboard at {@code switchboard}. */
    public String page(URI switchboard, String siteKey) {
        return page(switchboard, siteKey, Map.of());
    }

    /** The same with options: {@code css} (the site's own stylesheet), {@code locale} (the widget's data-locale). */
    public String page(URI switchboard, String siteKey, Map<String, String> options) {
        StringBuilder url = new StringBuilder(origin()).append("/?key=").append(siteKey).append("&switchboard=")
                .append(URLEncoder.encode(switchboard.resolve("/").toString(), StandardCharsets.UTF_8));
        options.forEach((k, v) -> url.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return url.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
