package dev.switchboard.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Looks up a host's addresses; tests replace it with a stub so that no test ever asks real DNS about a webhook. */
public interface HostResolver {

    List<InetAddress> resolve(String host) throws UnknownHostException;
}
