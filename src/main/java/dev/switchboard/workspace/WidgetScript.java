package dev.switchboard.workspace;

import io.quarkus.runtime.LaunchMode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Serves {@code /widget.js}, which every page view of every business's site loads: gzipped once (a third of its size),
 * with an ETag for cheap revalidation (304) and a short max-age, so a new version reaches sites within minutes
 * without each page view asking.
 */
@ApplicationScoped
public class WidgetScript {

    static final String PATH = "/widget.js";
    static final String CACHE_CONTROL = "public, max-age=600";
    private static final String RESOURCE = "META-INF/resources/widget.js";

    private record Variants(byte[] plain, byte[] gzipped, String etag, String gzipEtag) {}

    private volatile Variants script;

    void register(@Observes Router router) {
        router.route(PATH).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::serve);
    }

    void serve(RoutingContext rc) {
        // In dev mode an edited widgets/widget.js is picked up without a restart.
        Variants v = script == null || LaunchMode.current() == LaunchMode.DEVELOPMENT ? (script = load()) : script;
        boolean gzip = acceptsGzip(rc.request().getHeader("Accept-Encoding"));
        String etag = gzip ? v.gzipEtag() : v.etag();
        var response = rc.response().putHeader("Content-Type", "text/javascript; charset=utf-8")
                .putHeader("Cache-Control", CACHE_CONTROL).putHeader("ETag", etag).putHeader("Vary", "Accept-Encoding");
        String ifNoneMatch = rc.request().getHeader("If-None-Match");
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.strip().equals("*"))) {
            response.setStatusCode(304).end();
            return;
        }
        byte[] body = gzip ? v.gzipped() : v.plain();
        if (gzip) {
            response.putHeader("Content-Encoding", "gzip");
        }
        if (rc.request().method() == HttpMethod.HEAD) {
            response.putHeader("Content-Length", Integer.toString(body.length)).end();
        } else {
            response.end(Buffer.buffer(body));
        }
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] coding = part.strip().split(";");
            if (coding[0].strip().equalsIgnoreCase("gzip")) {
                return coding.length < 2 || !coding[1].strip().replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    private static Variants load() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath (widgets/ is copied there"
                        + " by the build)");
            }
            byte[] plain = in.readAllBytes();
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz) {
                {
                    def.setLevel(Deflater.BEST_COMPRESSION);
                }
            }) {
                out.write(plain);
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain), 0, 12);
            return new Variants(plain, gz.toByteArray(), '"' + hash + '"', "\"" + hash + "-gz\"");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
