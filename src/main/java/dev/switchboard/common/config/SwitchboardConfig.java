package dev.switchboard.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "switchboard")
public interface SwitchboardConfig {

    /**
     * Bearer token of the admin API (env SWITCHBOARD_ADMIN_TOKEN). Unset in prod: the admin API is disabled; unset in
     * dev: a random one is generated and printed at start-up.
     */
    Optional<String> adminToken();

    /**
     * Where Switchboard keeps its files (env SWITCHBOARD_DATA_DIR): the embedded PostgreSQL under {@code postgres/},
     * the demo API key in {@code demo-api-key}.
     */
    @WithDefault("data")
    String dataDir();

    /**
     * The AES-256 key (base64 of 32 bytes; env SWITCHBOARD_MASTER_KEY) that encrypts stored secrets such as identity
     * secrets. Unset: a key generated on first start in {@code <data-dir>/master-key} (mode 0600). Replicas sharing a
     * database must share it.
     */
    Optional<String> masterKey();

    Demo demo();

    Sse sse();

    interface Demo {
        /**
         * Seed the "Demo Shop" workspace, its FAQ and a demo admin on first start, and say where their keys are on
         * every start. Off unless asked for (SWITCHBOARD_DEMO_ENABLED=true); dev mode asks for it.
         */
        @WithDefault("false")
        boolean enabled();
    }

    interface Sse {
        /** Interval of keep-alive comments on event streams (proxies close idle connections). */
        @WithDefault("15s")
        Duration keepAlive();
    }
}
