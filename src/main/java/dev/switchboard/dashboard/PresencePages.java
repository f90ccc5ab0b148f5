package dev.switchboard.dashboard;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** The dashboard page's heartbeat (every 30 s from its script, with the CSRF header): the agent is online. */
@Path("/agent/presence")
@RolesAllowed(Roles.AGENT)
public class PresencePages {

    @Inject
    CurrentAgent current;

    @Inject
    Presence presence;

    @POST
    public Response heartbeat() {
        presence.heartbeat(current.agent().id);
        return Response.noContent().build();
    }
}
