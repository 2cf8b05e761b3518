package io.pigateway.client.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigateway.client.SensorClient;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.Settings;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser, end to end: a gateway on MariaDB with three sensor clients and
 * one device with a wrong secret, the page opened in Debian's headless Chromium through
 * chromium-driver. The devices show fresh, a stopped client turns silent, a stopped database shows
 * as down and then up again, the plots are drawn, the page fits a phone, and with JavaScript off the
 * server's HTML shows the same table. Screenshots go to target/status-screenshots/ (build output).
 * Skipped, saying why, where Chromium or chromium-driver is not installed (bin/test installs them).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusPageIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "status-screenshots");
    static final String SECRET = "status-test-secret-0123456789";
    static final Duration WAIT = Duration.ofSeconds(40);

    @Test
    void theStatusPageShowsDevicesStoreAndPlotsLiveInChromium(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "); bin/test installs them: apt-get install chromium chromium-driver");
        TestStores db = TestStores.shared();
        assumeTrue(db.server().canStopServer(), "the database is external (PIGW_TEST_DB_HOST); this test stops only its own");
        StoreConfig store = db.freshSchema(dir);
        Files.createDirectories(SCREENSHOTS);
        Path secret = privateFile(dir.resolve("secret"), SECRET + "\n");
        Path wrong = privateFile(dir.resolve("wrong-secret"), "not-the-right-secret-000\n");
        Path devices = privateFile(dir.resolve("devices"),
                "status-1 " + SECRET + "\nstatus-2 " + SECRET + "\nstatus-3 " + SECRET + "\n");

        GatewayConfig config = GatewayConfig.from(Settings.of("status test gateway", Map.ofEntries(
                Map.entry("listen.address", "127.0.0.1"), Map.entry("listen.port", "0"),
                Map.entry("store.type", "mysql"), Map.entry("store.host", store.host()),
                Map.entry("store.port", Integer.toString(store.port())), Map.entry("store.database", store.database()),
                Map.entry("store.user", store.user()), Map.entry("store.password-file", store.passwordFile().toString()),
                Map.entry("auth.devices-file", devices.toString()), Map.entry("log.stats-interval", "0s"),
                Map.entry("http.enabled", "true"), Map.entry("http.port", "0"),
                Map.entry("status.late-after", "2s"), Map.entry("status.silent-after", "4s"))));
        List<SensorClient> clients = new ArrayList<>();
        WebDriver browser = null;
        try (Gateway gateway = Gateway.start(config)) {
            String gatewayAddress = "127.0.0.1:" + gateway.address().getPort();
            for (int i = 1; i <= 3; i++) {
                clients.add(SensorClient.start(clientConfig("status-" + i, gatewayAddress, secret, dir)));
            }
            // Few attempts: each failure makes the gateway wait longer before answering any handshake from
            // 127.0.0.1 (FailurePenalty), and the three clients share that address.
            Map<String, String> slow = Map.of("reconnect.backoff-min", "5s", "reconnect.backoff-max", "10s");
            SensorClient intruder = SensorClient.start(clientConfig("status-intruder", gatewayAddress, wrong, dir, slow));
            clients.add(intruder);
            String page = "http://127.0.0.1:" + gateway.httpAddress().orElseThrow().getPort() + "/";

            long started = System.nanoTime();
            browser = chromium(dir.resolve("profile"), true);
            browser.manage().window().setSize(new Dimension(1280, 1100));
            browser.get(page);
            WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            WebDriver b = browser;
            for (int i = 1; i <= 3; i++) {
                String id = "status-" + i;
                wait.withMessage(id + " shows fresh").until(d -> "fresh".equals(state(b, id)));
            }
            wait.withMessage("the device with a wrong secret shows refused").until(d -> "refused".equals(state(b, "status-intruder")));
            assertTrue(text(browser, "tr[data-device='status-intruder'] .refusals").contains("authentication_failed"));
            intruder.shutdown(); // before its failures make the clients' reconnects after the outage below slow
            assertEquals("running", text(browser, "#headline"));
            assertEquals("up", text(browser, "#s-store strong"));
            assertEquals("secrets", text(browser, "#s-auth strong"));
            wait.withMessage("the plots have a few seconds of data").until(d -> js(b,
                    "return document.querySelectorAll('#plot-rate canvas').length") instanceof Long n && n > 0
                    && greenPixels(b) > 20);
            for (String plot : List.of("plot-rate", "plot-ack", "plot-queue", "plot-commit")) {
                long drawn = (Long) js(browser, "var c = document.querySelector('#" + plot + " canvas');"
                        + " var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;"
                        + " for (var i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n;");
                assertTrue(drawn > 500, plot + " is drawn: " + drawn + " pixels");
            }
            // A device's own plot, on demand.
            js(browser, "document.querySelector(\"tr[data-device='status-1'] a[data-plot]\").click()");
            wait.withMessage("status-1's plot opens").until(d -> Boolean.TRUE.equals(js(b,
                    "var f = document.getElementById('device-figure');"
                            + " return !f.hidden && !!f.querySelector('canvas');")));
            assertEquals("status-1", text(browser, "#device-name"));
            screenshot(browser, "1-fresh.png");

            // Filtering by state, in the browser (no reload).
            browser.findElement(By.cssSelector("#filters a[data-state='refused']")).click();
            wait.withMessage("only the refused device is listed").until(d -> rows(b) == 1);
            browser.findElement(By.cssSelector("#filters a[data-state='all']")).click();
            wait.until(d -> rows(b) == 4);

            clients.get(2).shutdown();
            wait.withMessage("status-3 turns silent after it stopped").until(d -> "silent".equals(state(b, "status-3")));
            assertEquals("fresh", state(browser, "status-1"));
            wait.withMessage("status-1's spool depth, as it reported it, read from the database")
                    .until(d -> text(b, "tr[data-device='status-1'] .spool").matches("[0-9]+"));
            screenshot(browser, "2-silent.png");

            db.server().stopServer();
            try {
                wait.withMessage("the store shows down").until(d -> "down".equals(text(b, "#s-store strong")));
                assertEquals("database down", text(browser, "#headline"));
                screenshot(browser, "3-database-down.png");
            } finally {
                db.server().startServer();
            }
            wait.withMessage("the store shows up again").until(d -> "up".equals(text(b, "#s-store strong")));
            wait.withMessage("status-1 is fresh again").until(d -> "fresh".equals(state(b, "status-1")));
            screenshot(browser, "4-database-back.png");

            browser.manage().window().setSize(new Dimension(390, 844));
            wait.withMessage("the plots follow the narrow window").until(d -> (Long) js(b,
                    "return document.documentElement.scrollWidth - window.innerWidth") <= 0);
            screenshot(browser, "5-phone.png");
            System.out.println("StatusPageIT: browser part took " + (System.nanoTime() - started) / 1_000_000 + " ms");
            browser.quit();
            browser = null;

            // JavaScript off: the server's HTML alone has the table and the summary.
            browser = chromium(dir.resolve("profile-nojs"), false);
            browser.manage().window().setSize(new Dimension(1280, 900));
            browser.get(page + "?state=fresh&sort=-id");
            assertEquals("fresh", state(browser, "status-1"));
            assertEquals(2, rows(browser), "status-1 and status-2 are fresh; filtered on the server");
            assertEquals("status-2", js(browser, "return document.querySelector('#devices tbody tr').dataset.device"),
                    "sorted by id, descending, on the server");
            assertEquals("up", text(browser, "#s-store strong"));
            screenshot(browser, "6-no-javascript.png");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            for (SensorClient c : clients) {
                c.shutdown();
            }
        }
    }

    /** Headless Chromium as root in a container: no sandbox, no GPU, nothing fetched from the network. */
    static WebDriver chromium(Path profile, boolean javascript) throws IOException {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        System.setProperty("SE_OFFLINE", "true");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(profile));
        if (!javascript) {
            options.setExperimentalOption("prefs", Map.of("profile.managed_default_content_settings.javascript", 2));
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    static String state(WebDriver b, String device) {
        return text(b, "tr[data-device='" + device + "'] .badge");
    }

    /** The element's text, read in one script: the page redraws the table every 2 s, so no element is kept. */
    static String text(WebDriver b, String css) {
        Object t = js(b, "var e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", css);
        return (String) t;
    }

    static int rows(WebDriver b) {
        return b.findElements(By.cssSelector("#devices tbody tr[data-device]")).size();
    }

    static Object js(WebDriver b, String script, Object... args) {
        return ((JavascriptExecutor) b).executeScript(script, args);
    }

    /** Pixels of the readings/s line's green (#2a7) on its canvas: the line is drawn, not only the axes. */
    static long greenPixels(WebDriver b) {
        Object n = js(b, "var c = document.querySelector('#plot-rate canvas'); if (!c) return 0;"
                + " var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;"
                + " for (var i = 0; i < d.length; i += 4) {"
                + "   if (d[i + 3] > 128 && d[i + 1] > d[i] + 60 && d[i + 1] > d[i + 2] + 20) n++; }"
                + " return n;");
        return n instanceof Long l ? l : 0;
    }

    static void screenshot(WebDriver b, String name) throws IOException {
        Path shot = ((TakesScreenshot) b).getScreenshotAs(OutputType.FILE).toPath();
        Files.move(shot, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    static Path privateFile(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** Three simulated sensors every 50 ms, short backoffs, a spool in the test's directory. */
    static SensorClientConfig clientConfig(String device, String gateway, Path secret, Path dir) throws Exception {
        return clientConfig(device, gateway, secret, dir, Map.of());
    }

    static SensorClientConfig clientConfig(String device, String gateway, Path secret, Path dir,
                                           Map<String, String> overrides) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("device.id", device);
        m.put("device.secret-file", secret.toString());
        m.put("spool.dir", Files.createDirectories(dir.resolve("spool")).toString());
        m.put("gateway.addresses", gateway);
        m.put("gateway.connect-timeout", "10s"); // the CHALLENGE may wait for an address's FailurePenalty
        m.put("reconnect.backoff-min", "100ms");
        m.put("reconnect.backoff-max", "1s");
        m.put("send.frame-max-wait", "50ms");
        m.put("shutdown.ack-wait", "1s"); // the test checks the page, not that every reading arrived
        m.put("report.interval", "1s"); // spool depth, which the page shows
        m.putAll(overrides);
        for (String type : new String[] {"temperature", "humidity", "toggle"}) {
            m.put("sensor." + type + ".type", type);
            m.put("sensor." + type + ".interval", "50ms");
        }
        return SensorClientConfig.from(Settings.of("status test client " + device, m));
    }
}
