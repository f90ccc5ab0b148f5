package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** The first owner's account, created with the one-time setup token (see {@link FirstOwner}); 404 once one exists. */
@Path("/agent/setup")
@Produces(MediaType.TEXT_HTML)
@PermitAll
public class SetupPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance setup(String error);
    }

    @Inject
    FirstOwner firstOwner;

    @GET
    public TemplateInstance form() {
        requireOpen();
        return Templates.setup(null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("token") String token, @FormParam("email") String email,
            @FormParam("displayName") String displayName, @FormParam("password") String password) {
        requireOpen();
        try {
            if (!firstOwner.create(token, email, displayName, password)) {
                return Response.status(403).entity(Templates.setup("The setup token is wrong")).build();
            }
        } catch (ApiException e) {
            return Response.status(e.status()).entity(Templates.setup(e.detail())).build();
        }
        return Response.seeOther(URI.create("/agent/login")).build();
    }

    private void requireOpen() {
        if (!firstOwner.open()) {
            throw PageError.missing("This installation has an owner: log in at /agent/login");
        }
    }
}
