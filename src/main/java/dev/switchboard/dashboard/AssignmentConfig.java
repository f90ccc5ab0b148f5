package dev.switchboard.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "switchboard.assignment")
public interface AssignmentConfig {

    /** Handed-off conversations are assigned round-robin to online agents (of the conversation's team, if any). */
    @WithDefault("true")
    boolean auto();

    /** An agent whose dashboard sent no heartbeat for this long is offline (the page beats every 30 s). */
    @WithDefault("90s")
    Duration presenceTimeout();

    /** Auto-assignment skips agents with this many pending or open conversations assigned to them. */
    @WithDefault("10")
    int maxOpenPerAgent();
}
