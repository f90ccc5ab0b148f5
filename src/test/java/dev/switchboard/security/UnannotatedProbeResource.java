package dev.switchboard.security;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** A resource someone forgot to annotate (test only): deny-by-default must refuse it to every caller. */
@Path("/test/unannotated-probe")
public class UnannotatedProbeResource {

    @GET
    public String get() {
        return "reached";
    }
}
