package io.pigateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseNodeTest {
    @Test
    void oneHostUsesTheDefaultPort() {
        assertEquals(List.of(new DatabaseNode("db", 3306)), DatabaseNode.parse("db", 3306));
    }

    @Test
    void aListKeepsItsOrderAndEachNodeItsOwnPort() {
        assertEquals(List.of(new DatabaseNode("db1", 3306), new DatabaseNode("192.168.0.22", 3307),
                        new DatabaseNode("[fd00::3]", 3306), new DatabaseNode("[::1]", 3308)),
                DatabaseNode.parse("db1, 192.168.0.22:3307,[fd00::3] , [::1]:3308", 3306));
    }

    @Test
    void aBadEntryIsNamedByItsPlace() {
        assertNull(DatabaseNode.problem("db1,db2"));
        assertEquals("has server 2 'db2/x' that must be a host name (A-Z a-z 0-9 . _ -), an IPv4 address or an IPv6"
                + " address in brackets; anything else would change the JDBC URL (separate servers with ',', give a port"
                + " as host:port)", DatabaseNode.problem("db1,db2/x"));
        assertEquals("has server 1 'db1:70000' with a port outside 1..65535", DatabaseNode.problem("db1:70000,db2"));
        assertEquals("has server 2 '' that must be a host name (A-Z a-z 0-9 . _ -), an IPv4 address or an IPv6"
                + " address in brackets; anything else would change the JDBC URL (separate servers with ',', give a port"
                + " as host:port)", DatabaseNode.problem("db1,"));
    }

    @Test
    void describeNamesEveryNode() {
        StoreConfig one = StoreConfig.mysql("db", 3306, "pi", "gateway", null);
        StoreConfig three = StoreConfig.mysql("db1,db2:3307,db3", 3306, "pi", "gateway", null);
        assertEquals("MySQL gateway@db:3306/pi", one.describe());
        assertEquals("MySQL gateway@[db1:3306, db2:3307, db3:3306]/pi", three.describe());
    }
}
