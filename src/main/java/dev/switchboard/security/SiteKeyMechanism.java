package dev.switchboard.security;

import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * X-Site-Key (or site_key, for EventSource) from the widget: the widget role in that workspace. Which conversations
 * it opens is decided per conversation by the visitor token that comes with it.
 */
@ApplicationScoped
public class SiteKeyMechanism extends CredentialMechanism {

    @Override
    Credential read(RoutingContext context) {
        if (dashboard(context)) {
            return null;
        }
        String key = context.request().getHeader("X-Site-Key");
        if (key == null) {
            key = context.request().getParam("site_key");
        }
        return key == null || key.isBlank() ? null : new Credential(Credential.Kind.SITE_KEY, key.strip());
    }

    @Override
    public int getPriority() {
        return 2000;
    }
}
