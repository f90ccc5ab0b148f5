package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.security.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** Every agent changes its own password here; the change ends its other sessions. */
@Path("/agent/account")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.AGENT)
public class AccountPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance account(Nav nav, String email, boolean changed, String error);
    }

    @Inject
    CurrentAgent current;

    @Inject
    AgentService agents;

    @Inject
    AgentSessions sessions;

    @Inject
    HttpServerRequest request;

    @GET
    public TemplateInstance page(@QueryParam("changed") boolean changed) {
        return Templates.account(current.nav(null, "account"), current.agent().email, changed, null);
    }

    @POST
    @Path("password")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response changePassword(@FormParam("current") String currentPassword,
            @FormParam("password") String password) {
        Agent me = current.agent();
        if (agents.authenticate(me.email, currentPassword).isEmpty()) {
            return Response.status(403).entity(Templates.account(current.nav(null, "account"), me.email, false,
                    "The current password is wrong")).build();
        }
        try {
            agents.changePassword(me.id, password);
        } catch (ApiException e) {
            return Response.status(e.status()).entity(Templates.account(current.nav(null, "account"), me.email,
                    false, e.detail())).build();
        }
        // Every session ended with the change; this browser gets a new one.
        AgentSessions.Opened opened = sessions.open(me.id);
        return Response.seeOther(URI.create("/agent/account?changed=true"))
                .cookie(DashboardMappers.sessionCookie(request, opened.token(), -1)).build();
    }
}
