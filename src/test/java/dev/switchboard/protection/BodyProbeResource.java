package dev.switchboard.protection;

import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** A blocking endpoint (test only) that says whether its body had been read before it was called. */
@Path("/test/body-probe")
@PermitAll
public class BodyProbeResource {

    @POST
    @Consumes(MediaType.WILDCARD)
    public Map<String, Object> probe(@Context RoutingContext context, byte[] body) {
        return Map.of("readBefore", context.body().buffer() != null, "bytes", body.length);
    }
}
