package dev.switchboard.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which {@code .ci/run} installs)
 * for end-to-end tests. Each instance is a fresh browser with its own empty profile, so two instances are two
 * independent users (e.g. a customer and an agent).
 */
public final class Browser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of(System.getProperty("switchboard.test.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER =
            Path.of(System.getProperty("switchboard.test.chromedriver", "/usr/bin/chromedriver"));

    /**
     * Runs in every page before its own scripts, to let tests look where a page's scripts cannot: into closed shadow
     * roots ({@code window.__shadowOf(host)}; the widget's host still reports {@code shadowRoot === null}) and at what
     * was logged as an error or warning ({@code window.__console}).
     */
    private static final String OBSERVER = """
            (() => {
              const attach = Element.prototype.attachShadow;
              const roots = new WeakMap();
              Element.prototype.attachShadow = function (init) {
                const root = attach.call(this, init);
                roots.set(this, root);
                return root;
              };
              window.__shadowOf = (host) => (host && roots.get(host)) || null;
              window.__console = [];
              for (const level of ['error', 'warn']) {
                const log = console[level];
                console[level] = function (...args) {
                  window.__console.push(level + ': ' + args.map(String).join(' '));
                  return log.apply(this, args);
                };
              }
            })();""";

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts a browser, or skips the calling test loudly where chromium is not installed. */
    public static Browser open() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "SKIPPED: no " + CHROMIUM + " / " + CHROMEDRIVER + " (apt-get install chromium chromium-driver;"
                        + " .ci/run does this)");
        Path profile;
        try {
            profile = Files.createTempDirectory("switchboard-chromium");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a Chromium profile directory", e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                // The machine has no internet: background networking only makes Chromium retry refused connections.
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", OBSERVER));
        return new Browser(driver, profile);
    }

    public WebDriver driver() {
        return driver;
    }

    /**
     * The attribute of the first element matching {@code css}, read in one script: unlike a found element, it cannot
     * go stale when the page re-renders between finding and reading. Null when nothing matches.
     */
    public String attribute(String css, String name) {
        Object value = driver.executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
                css, name);
        return value == null ? null : value.toString();
    }

    /** Waits (up to 15 s) until the condition returns a non-null, non-false value, and returns it. */
    public <T> T await(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(15)).withMessage(what).until(condition);
    }

    /**
     * Saves the README's picture {@code name} (a PNG of the viewport) into the folder the {@code screenshots} system
     * property names ({@code -Dscreenshots=docs/images}); without it, nothing: tests never write into the sources.
     */
    public void readmePicture(String name) {
        String dir = System.getProperty("screenshots");
        if (dir != null) {
            screenshot(Path.of(dir, name));
        }
    }

    /** Saves a PNG of the viewport (for looking at a failure). */
    public void screenshot(Path png) {
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.write(png, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + png, e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary profile is harmless
        }
    }
}
