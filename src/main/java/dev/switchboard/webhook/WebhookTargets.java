package dev.switchboard.webhook;

import dev.switchboard.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where webhooks may point, checked when one is registered and again before each delivery (a name may resolve
 * elsewhere by then): https only, to hosts whose every address is public. Loopback, private, link-local (cloud
 * metadata at 169.254.169.254), CGNAT, multicast, unspecified, reserved and documentation ranges are refused, in
 * IPv4 and IPv6 (IPv4-mapped and -embedded forms included), and so are IPv4 literals in integer, octal or hex form,
 * which some resolvers read as addresses. Hosts the operator lists in switchboard.webhooks.allowed-hosts (an
 * internal receiver) may use http and any address.
 */
@ApplicationScoped
public class WebhookTargets {

    static final int MAX_URL = 2000;
    private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern CANONICAL_IPV4 = Pattern.compile("(" + OCTET + "\\.){3}" + OCTET);

    @Inject
    HostResolver resolver;

    @Inject
    WebhookConfig config;

    /** A refused target; the message names the rule, never what the host resolved to. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The URL as stored, or a 400 problem saying which rule it breaks. */
    String validForRegistration(String url) {
        if (url == null || url.isBlank()) {
            throw ApiException.badRequest("Field 'url' is required");
        }
        try {
            URI uri = parse(url.strip());
            check(uri);
            return uri.toString();
        } catch (Refused e) {
            throw ApiException.badRequest("Field 'url': " + e.getMessage());
        }
    }

    /** Checks a stored URL again before a delivery. */
    void checkForDelivery(String url) throws Refused {
        check(parse(url));
    }

    private URI parse(String url) throws Refused {
        String rule = "must be an absolute https URL (at most " + MAX_URL + " characters, no user info or fragment)";
        if (url.length() > MAX_URL) {
            throw new Refused(rule);
        }
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw new Refused(rule);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new Refused(rule);
        }
    }

    private void check(URI uri) throws Refused {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        boolean allowListed = allowedHosts().contains(bare);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowListed)) {
            throw new Refused("must use https (http only to hosts the operator allows in "
                    + "switchboard.webhooks.allowed-hosts)");
        }
        if (allowListed) {
            return;
        }
        if (obscureIpv4(bare)) {
            throw new Refused("the host is an IPv4 address in integer, octal or hex form; write it as a.b.c.d");
        }
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            throw new Refused("the host does not resolve");
        }
        if (addresses.isEmpty()) {
            throw new Refused("the host does not resolve");
        }
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                throw new Refused("the host resolves to a loopback, private, link-local or otherwise non-public "
                        + "address");
            }
        }
    }

    private Set<String> allowedHosts() {
        return config.allowedHosts().orElse(List.of()).stream().map(h -> h.strip().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }

    /** Whether a host is made of numeric labels (decimal, octal, hex) yet is not a canonical dotted quad. */
    static boolean obscureIpv4(String host) {
        String[] labels = host.split("\\.", -1);
        for (String label : labels) {
            if (!NUMERIC_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return !CANONICAL_IPV4.matcher(host).matches();
    }

    /** Whether an address is on the public internet (unicast, routable, not reserved). */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return isPublicIpv4(b);
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return false; // unique local fc00::/7
            }
            if (allZero(b, 0, 10) && (((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) || allZero(b, 10, 12))) {
                return isPublicIpv4(new byte[] {b[12], b[13], b[14], b[15]}); // ::ffff:a.b.c.d and ::a.b.c.d
            }
            if (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
                return isPublicIpv4(new byte[] {b[12], b[13], b[14], b[15]}); // NAT64 64:ff9b::/96
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x02) {
                return isPublicIpv4(new byte[] {b[2], b[3], b[4], b[5]}); // 6to4 2002::/16
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
                return false; // documentation 2001:db8::/32
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0 && b[3] == 0) {
                return false; // Teredo 2001::/32 tunnels to an IPv4 address
            }
            return (first & 0xe0) == 0x20; // global unicast 2000::/3 only
        }
        return false;
    }

    private static boolean isPublicIpv4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        return !(a0 == 0 // "this network"
                || a0 == 10 || a0 == 127
                || (a0 == 100 && (a1 & 0xc0) == 64) // CGNAT 100.64.0.0/10
                || (a0 == 169 && a1 == 254) // link-local, cloud metadata
                || (a0 == 172 && (a1 & 0xf0) == 16)
                || (a0 == 192 && a1 == 168)
                || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) // IETF protocol assignments, TEST-NET-1
                || (a0 == 198 && (a1 & 0xfe) == 18) // benchmarking 198.18.0.0/15
                || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113) // TEST-NET-2, -3
                || a0 >= 224); // multicast, reserved, broadcast
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
