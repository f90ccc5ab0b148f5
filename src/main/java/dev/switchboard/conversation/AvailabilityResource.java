package dev.switchboard.conversation;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Under /api/v1/conversations so that the widget's CORS rules cover it. */
@Path("/api/v1/conversations/availability")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Conversations")
@RolesAllowed({Roles.API, Roles.WIDGET})
public class AvailabilityResource {

    @Inject
    ConversationAccess access;

    @Inject
    Availability availability;

    @GET
    @Operation(summary = "Whether the team is in, when it is back, and its expected reply time",
            description = "For the widget (site key) or an API client. Outside business hours open is false and "
                    + "nextOpenAt says when the team is back; the widget formats it in the visitor's locale and "
                    + "time zone.")
    @APIResponse(responseCode = "200", description = "The workspace's availability now",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Availability.View.class)))
    public Availability.View get(@BeanParam ConversationCredentials credentials) {
        return availability.of(access.caller(credentials).workspaceId());
    }
}
