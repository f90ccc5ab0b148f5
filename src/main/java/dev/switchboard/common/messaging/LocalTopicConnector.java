package dev.switchboard.common.messaging;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.reactive.messaging.annotations.ConnectorAttribute;
import io.smallrye.reactive.messaging.annotations.ConnectorAttribute.Direction;
import io.smallrye.reactive.messaging.connector.InboundConnector;
import io.smallrye.reactive.messaging.connector.OutboundConnector;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * The one-machine stand-in for a broker: outgoing channels that name a {@code topic} hand their messages, in order,
 * to every incoming channel of the same topic in this process. It lets the application use the same channels, with
 * the same publish/consume/acknowledge code, with Kafka (profile {@code kafka}, connector {@code smallrye-kafka}) and
 * without it. The message object itself travels, so a consumer's ack reaches the emitter; nothing survives a
 * restart (what must, is in PostgreSQL).
 */
@ApplicationScoped
@Connector(LocalTopicConnector.NAME)
@ConnectorAttribute(name = "topic", type = "string", direction = Direction.INCOMING_AND_OUTGOING, mandatory = true,
        description = "The in-process topic; incoming and outgoing channels of the same topic are connected")
@ConnectorAttribute(name = "buffer-size", type = "int", direction = Direction.INCOMING, defaultValue = "10000",
        description = "Messages buffered for a consumer that has not asked for them yet")
public class LocalTopicConnector implements InboundConnector, OutboundConnector {

    public static final String NAME = "switchboard-local";

    private final ConcurrentHashMap<String, Flow.Processor<Message<?>, Message<?>>> topics = new ConcurrentHashMap<>();

    @Override
    public Flow.Publisher<? extends Message<?>> getPublisher(Config config) {
        int bufferSize = config.getOptionalValue("buffer-size", Integer.class).orElse(10_000);
        return Multi.createFrom().publisher(topic(config)).onOverflow().buffer(bufferSize);
    }

    @Override
    public Flow.Subscriber<? extends Message<?>> getSubscriber(Config config) {
        Flow.Processor<Message<?>, Message<?>> topic = topic(config);
        return new Flow.Subscriber<Message<?>>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE); // the consumers' buffers apply back-pressure, not the sender
            }

            @Override
            public void onNext(Message<?> message) {
                topic.onNext(message);
            }

            @Override
            public void onError(Throwable failure) {
                // An ending sender does not end the topic: the consumers outlive it (as with a broker).
            }

            @Override
            public void onComplete() {
                // as onError
            }
        };
    }

    private Flow.Processor<Message<?>, Message<?>> topic(Config config) {
        String name = config.getValue("topic", String.class);
        // Serialised: two outgoing channels may share a topic, and a processor takes one onNext at a time.
        return topics.computeIfAbsent(name, n -> BroadcastProcessor.<Message<?>>create().serialized());
    }
}
