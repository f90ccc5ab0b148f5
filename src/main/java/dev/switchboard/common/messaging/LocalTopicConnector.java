package dev.switchboard.common.messaging;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.reactive.messaging.annotations.ConnectorAttribute;
import io.smallrye.reactive.messaging.annotations.ConnectorAttribute.Direction;
import io.smallrye.reactive.messaging.connector.InboundConnector;
import io.smallrye.reactive.messaging.connector.OutboundConnector;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * The one-machine stand-in for a broker: outgoing channels that name a {@code topic} hand their messages, in order,
 * to the incoming channel of the same topic in this process (one per topic; with several consumer methods, set the
 * channel's {@code broadcast}). It lets the application use the same channels, with the same publish, consume and
 * acknowledge code, with Kafka (profile {@code kafka}, connector {@code smallrye-kafka}) and without it. The message
 * object itself travels, so a consumer's ack reaches the emitter. Messages sent before the consumer subscribed wait
 * for it; nothing survives a restart (what must, is in PostgreSQL).
 */
@ApplicationScoped
@Connector(LocalTopicConnector.NAME)
@ConnectorAttribute(name = "topic", type = "string", direction = Direction.INCOMING_AND_OUTGOING, mandatory = true,
        description = "The in-process topic; the outgoing channels of a topic feed its incoming channel")
public class LocalTopicConnector implements InboundConnector, OutboundConnector {

    public static final String NAME = "switchboard-local";

    private final ConcurrentHashMap<String, UnicastProcessor<Message<?>>> topics = new ConcurrentHashMap<>();
    private final Set<String> consumed = ConcurrentHashMap.newKeySet();

    @Override
    public Flow.Publisher<? extends Message<?>> getPublisher(Config config) {
        String topic = topicName(config);
        if (!consumed.add(topic)) {
            throw new IllegalStateException("Topic '" + topic + "' of connector " + NAME
                    + " already has an incoming channel; consume it with several methods through 'broadcast=true'");
        }
        // Shared: SmallRye subscribes once per consumer method of a broadcast channel; the first subscription
        // starts the flow, with what was queued before it.
        return Multi.createFrom().publisher(topic(topic)).broadcast().toAllSubscribers();
    }

    @Override
    public Flow.Subscriber<? extends Message<?>> getSubscriber(Config config) {
        UnicastProcessor<Message<?>> topic = topic(topicName(config));
        return new Flow.Subscriber<Message<?>>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE); // the topic queues what its consumer has not asked for yet
            }

            @Override
            public void onNext(Message<?> message) {
                topic.onNext(message); // synchronised: several senders may share a topic
            }

            @Override
            public void onError(Throwable failure) {
                // An ending sender does not end the topic: its consumer outlives it (as with a broker).
            }

            @Override
            public void onComplete() {
                // as onError
            }
        };
    }

    private static String topicName(Config config) {
        return config.getValue("topic", String.class);
    }

    private UnicastProcessor<Message<?>> topic(String name) {
        return topics.computeIfAbsent(name, n -> UnicastProcessor.create());
    }
}
