package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's package checker finds no error and no warning in either package. Its few justified
 * overrides are in src/deb/PACKAGE/lintian-overrides. Skipped where lintian is not installed
 * (`apt-get install lintian`).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LintianIT {
    @Test
    void bothPackagesAreFreeOfLintianErrorsAndWarnings() throws Exception {
        assumeTrue(Command.onPath("lintian"), "lintian is not installed (apt-get install lintian): the lintian check is skipped");
        Command.Result r = Command.of("lintian", "--fail-on", "error,warning", "--tag-display-limit", "0",
                        Packages.GATEWAY.deb().toString(), Packages.SENSOR_CLIENT.deb().toString())
                .run(Duration.ofSeconds(80));
        System.out.println("lintian:\n" + r.output());
        assertEquals(0, r.exit(), r.output());
    }
}
