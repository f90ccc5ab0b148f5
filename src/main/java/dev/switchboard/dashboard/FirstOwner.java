package dev.switchboard.dashboard;

import dev.switchboard.common.OwnerOnlyFiles;
import dev.switchboard.common.Secrets;
import dev.switchboard.common.config.SwitchboardConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The first owner of an installation without one: at start a one-time setup token is written to
 * {@code <data-dir>/setup-token} (owner-only; the log names the file, never the token), and /agent/setup creates the
 * first owner with it. The token dies with its first use, or when an owner exists.
 */
@ApplicationScoped
public class FirstOwner {

    private static final Logger LOG = Logger.getLogger(FirstOwner.class);
    static final String TOKEN_FILE = "setup-token";

    @Inject
    SwitchboardConfig config;

    @Inject
    AgentService agents;

    private volatile String tokenHash;

    // After the demo seeds (200, 300).
    void onStart(@Observes @Priority(400) StartupEvent ignored) {
        if (QuarkusTransaction.requiringNew().call(this::ownerExists)) {
            deleteTokenFile();
        } else {
            issueToken();
        }
    }

    /** A new one-time token in the file, replacing any earlier one. */
    void issueToken() {
        String token = Secrets.newToken("setup_");
        OwnerOnlyFiles.write(tokenFile(), token);
        tokenHash = Secrets.sha256Hex(token);
        LOG.infof("No owner yet: open /agent/setup and enter the one-time setup token from %s", tokenFile());
    }

    /** Whether the setup page is open: a token was issued and still no owner exists. */
    public boolean open() {
        return tokenHash != null && !QuarkusTransaction.requiringNew().call(this::ownerExists);
    }

    /** Creates the first owner if the token is this start's and no owner exists yet; else false. */
    public synchronized boolean create(String token, String email, String displayName, String password) {
        if (tokenHash == null || token == null
                || !Secrets.constantTimeEquals(Secrets.sha256Hex(token.strip()), tokenHash)) {
            return false;
        }
        if (QuarkusTransaction.requiringNew().call(this::ownerExists)) {
            tokenHash = null;
            return false;
        }
        agents.create(email, displayName, password, AgentRole.OWNER, List.of());
        tokenHash = null;
        deleteTokenFile();
        LOG.infof("First owner created: %s", email.strip());
        return true;
    }

    private boolean ownerExists() {
        return Agent.count("role", AgentRole.OWNER) > 0;
    }

    Path tokenFile() {
        return Path.of(config.dataDir()).resolve(TOKEN_FILE).toAbsolutePath().normalize();
    }

    private void deleteTokenFile() {
        try {
            Files.deleteIfExists(tokenFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
