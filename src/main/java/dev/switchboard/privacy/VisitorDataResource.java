package dev.switchboard.privacy;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.workspace.WorkspaceAuth;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/visitors/{visitorId}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Tag(name = "Data rights", description = "Authorization: Bearer <API key>. The visitor id is the one the widget or "
        + "the server gave when starting conversations.")
@RolesAllowed(Roles.API)
public class VisitorDataResource {

    @Inject
    WorkspaceAuth auth;

    @Inject
    VisitorDataService visitors;

    @GET
    @Path("export")
    @Operation(summary = "Everything stored about a visitor: conversations with messages and stream events")
    public VisitorDataService.VisitorExport export(@PathParam("visitorId") String visitorId) {
        return visitors.export(auth.apiWorkspace(), visitorId);
    }

    @DELETE
    @Operation(summary = "Erase a visitor",
            description = "Deletes the visitor's conversations with their messages, stream events and webhook "
                    + "deliveries, and the bot's cached answers to the visitor's questions. Returns the counts; "
                    + "erasing an unknown visitor erases nothing and is not an error.")
    public VisitorDataService.Erased erase(@PathParam("visitorId") String visitorId) {
        return visitors.erase(auth.apiWorkspace(), visitorId);
    }
}
