package dev.switchboard.demo;

import jakarta.annotation.security.PermitAll;
import dev.switchboard.common.config.SwitchboardConfig;
import dev.switchboard.common.db.EmbeddedPostgresConfigSourceFactory;
import dev.switchboard.workspace.WorkspaceService;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The page at {@code /}: in the zero-configuration default (embedded PostgreSQL, demo enabled) a fake shop with the
 * chat widget bound to the Demo Shop workspace, so a new user sees the whole product at once. With a configured
 * database it says only that Switchboard runs: a real deployment must not advertise a demo key.
 */
@Path("/")
@PermitAll
public class DemoPage {

    @Inject
    @Location("demo-shop.html")
    Template page;

    @Inject
    SwitchboardConfig config;

    @Inject
    Config rawConfig;

    @Inject
    WorkspaceService workspaces;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public TemplateInstance get() {
        return page.data("siteKey", demoSiteKey());
    }

    private String demoSiteKey() {
        if (!config.demo().enabled() || !EmbeddedPostgresConfigSourceFactory.inUse(rawConfig)) {
            return null;
        }
        return workspaces.find(DemoSeed.WORKSPACE_ID).map(w -> w.siteKey).orElse(null);
    }
}
