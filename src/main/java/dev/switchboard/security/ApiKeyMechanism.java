package dev.switchboard.security;

import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/** Authorization: Bearer with a workspace API key: the api role in that workspace. */
@ApplicationScoped
public class ApiKeyMechanism extends CredentialMechanism {

    @Override
    Credential read(RoutingContext context) {
        String key = bearer(context);
        return key == null ? null : new Credential(Credential.Kind.API_KEY, key);
    }

    @Override
    public int getPriority() {
        return 3000;
    }
}
