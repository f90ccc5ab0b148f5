package dev.switchboard.webhook;

import io.quarkus.test.Mock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DNS for tests: answers only what a test put in, and names under the reserved .example TLD with one public address
 * (nothing is ever sent there: real DNS does not resolve .example). No test asks a real resolver about a webhook.
 */
@Mock
public class StubHostResolver implements HostResolver {

    private static final Map<String, List<InetAddress>> ANSWERS = new ConcurrentHashMap<>();

    /** Makes {@code host} resolve to these literal addresses from now on. */
    public static void answer(String host, String... addresses) {
        ANSWERS.put(host, java.util.Arrays.stream(addresses).map(StubHostResolver::literal).toList());
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        List<InetAddress> answer = ANSWERS.get(host);
        if (answer != null) {
            return answer;
        }
        if (host.contains(":") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return List.of(literal(host)); // an IP literal, as the system resolver answers it without DNS
        }
        if (host.endsWith(".example")) {
            return List.of(literal("93.184.215.14"));
        }
        throw new UnknownHostException(host);
    }

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
