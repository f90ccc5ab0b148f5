package dev.switchboard.conversation;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Test consumer of the customer-messages channel (the channel broadcasts, so the bot still gets every message). */
@ApplicationScoped
public class CustomerMessageRecorder {

    private final List<CustomerMessagePosted> received = new CopyOnWriteArrayList<>();

    @Incoming(CustomerMessagePosted.CHANNEL)
    void record(CustomerMessagePosted posted) {
        received.add(posted);
    }

    public List<CustomerMessagePosted> received() {
        return received;
    }
}
