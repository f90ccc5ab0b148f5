package dev.switchboard.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A credential one of Switchboard's mechanisms read from a request, for {@link SwitchboardIdentityProvider}. */
final class Credential extends BaseAuthenticationRequest {

    enum Kind { ADMIN_TOKEN, API_KEY, SITE_KEY, AGENT_SESSION }

    final Kind kind;
    final String secret;

    Credential(Kind kind, String secret) {
        this.kind = kind;
        this.secret = secret;
    }
}
