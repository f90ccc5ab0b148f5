package dev.switchboard.common;

import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Shapes {@code /q/openapi} into the document of the REST API alone: only {@code /api/} paths (the dashboard's HTML
 * routes are no API), and the credentials as security schemes, each operation naming the ones it accepts, instead of
 * {@code Authorization}/{@code X-Site-Key}/{@code X-Visitor-Token} listed as plain header parameters.
 */
public class ApiDocumentFilter implements OASFilter {

    public static final String API_KEY = "apiKey";
    public static final String ADMIN_TOKEN = "adminToken";
    public static final String SITE_KEY = "siteKey";
    public static final String VISITOR_TOKEN = "visitorToken";

    private static final List<String> CREDENTIAL_HEADERS = List.of("authorization", "x-site-key", "x-visitor-token");

    @Override
    public Parameter filterParameter(Parameter parameter) {
        boolean credential = parameter.getIn() == Parameter.In.HEADER && parameter.getName() != null
                && CREDENTIAL_HEADERS.contains(parameter.getName().toLowerCase(java.util.Locale.ROOT));
        return credential ? null : parameter;
    }

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getPaths() != null) {
            List.copyOf(api.getPaths().getPathItems().keySet()).stream().filter(path -> !path.startsWith("/api/"))
                    .forEach(api.getPaths()::removePathItem);
        }
        Components components = api.getComponents() != null ? api.getComponents() : OASFactory.createComponents();
        api.setComponents(components);
        addScheme(components, API_KEY, bearer("A workspace's API key (Authorization: Bearer <key>), from the "
                + "workspace's creation or its rotation; every /api/v1 route except /workspaces."));
        addScheme(components, ADMIN_TOKEN, bearer("The platform admin token (switchboard.admin-token) that "
                + "creates and manages workspaces."));
        addScheme(components, SITE_KEY, header("X-Site-Key", "The workspace's public site key, as the widget "
                + "sends it from an allowed origin (or the site_key query parameter on the event stream)."));
        addScheme(components, VISITOR_TOKEN, header("X-Visitor-Token", "The visitor token returned once when the "
                + "widget started the conversation (or the visitor_token query parameter on the event stream)."));
        if (api.getPaths() != null) {
            api.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach((method, op) -> {
                if (op.getSecurity() == null || op.getSecurity().isEmpty()) {
                    op.setSecurity(requirements(path, method));
                }
            }));
        }
    }

    /** Which credentials a route accepts: see WorkspaceAuth, AdminAuth and ConversationAccess. */
    static List<SecurityRequirement> requirements(String path, PathItem.HttpMethod method) {
        if (path.startsWith("/api/v1/workspaces")) {
            return List.of(requirement(ADMIN_TOKEN));
        }
        if (path.equals("/api/v1/conversations") && method == PathItem.HttpMethod.POST) {
            return List.of(requirement(API_KEY), requirement(SITE_KEY));
        }
        if (path.startsWith("/api/v1/conversations/") && path.endsWith("/assignment")) {
            return List.of(requirement(API_KEY));
        }
        if (path.startsWith("/api/v1/conversations/")) {
            return List.of(requirement(API_KEY), requirement(SITE_KEY, VISITOR_TOKEN));
        }
        return List.of(requirement(API_KEY));
    }

    private static SecurityRequirement requirement(String... schemes) {
        SecurityRequirement r = OASFactory.createSecurityRequirement();
        for (String scheme : schemes) {
            r.addScheme(scheme);
        }
        return r;
    }

    private static void addScheme(Components components, String name, SecurityScheme scheme) {
        Map<String, SecurityScheme> existing = components.getSecuritySchemes();
        if (existing == null || !existing.containsKey(name)) {
            components.addSecurityScheme(name, scheme);
        }
    }

    private static SecurityScheme bearer(String description) {
        return OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description(description);
    }

    private static SecurityScheme header(String name, String description) {
        return OASFactory.createSecurityScheme().type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER)
                .name(name).description(description);
    }
}
